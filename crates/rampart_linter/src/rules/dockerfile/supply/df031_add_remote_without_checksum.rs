use rampart_dockerfile::Body;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

use super::common::{display_url, starts_with_ci};

declare_rule! {
    /// `ADD` downloads a URL or a Git ref without pinning its content.
    ///
    /// ## What it does
    /// Reports `ADD` sources that are fetched at build time without an integrity check:
    /// - an `http://` or `https://` URL without `--checksum=`;
    /// - a Git repository (`https://…/repo.git`, `git@host:repo.git`, `git://`, `ssh://`)
    ///   whose ref (after `#`, or `?ref=`) is not a full commit SHA — a branch, a tag, or
    ///   nothing (the default branch) — without `--checksum=`.
    ///
    /// Build arguments in the source are expanded; a Git source whose ref is an unresolved
    /// build argument is not reported.
    ///
    /// ## Why
    /// What the server returns can change between two builds of the same Dockerfile: a
    /// compromised download site, a hijacked DNS name, a release asset replaced, a tag or
    /// branch moved. `--checksum` makes the build fail instead of shipping something else,
    /// and a commit SHA names exactly one tree.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /usr/local/bin/tini
    /// ADD https://github.com/example/config.git#v1.2 /etc/app/
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ADD --checksum=sha256:93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c \
    ///     https://github.com/krallin/tini/releases/download/v0.19.0/tini /usr/local/bin/tini
    /// ADD https://github.com/example/config.git#4a1c7e2f9b0d3c5e8f6a7b9c0d1e2f3a4b5c6d7e /etc/app/
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the digest must come from the publisher (or from a download you
    /// verified), not from whatever the server returns today.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.9 "Ensure that COPY is used instead of ADD in Dockerfiles"
    /// - CWE-494: Download of Code Without Integrity Check
    /// - `ADD --checksum`: <https://docs.docker.com/reference/dockerfile/#add---checksum>
    /// - Git sources of `ADD`: <https://docs.docker.com/reference/dockerfile/#adding-private-git-repositories>
    pub struct AddRemoteWithoutChecksum {
        code: "DF031",
        name: "add-remote-without-checksum",
        severity: Warning,
        tags: ["supply-chain", "cis-docker:4.9", "cwe:494"],
        equivalents: [],
        fix: None,
    }
}

/// Whether a source is a Git repository as BuildKit reads `ADD` sources.
pub(crate) fn is_git_source(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    if s.starts_with("git@") || s.starts_with("git://") || s.starts_with("ssh://") {
        return true;
    }
    (s.starts_with("http://") || s.starts_with("https://"))
        && s.split(['#', '?']).next().is_some_and(|p| p.trim_end_matches('/').ends_with(".git"))
}

/// The ref of a Git source (`#ref:subdir` or `?ref=…`), and whether a `checksum=` query
/// parameter pins it.
fn git_ref(source: &str) -> (Option<&str>, bool) {
    let query = source.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or(q));
    let mut pinned = false;
    let mut reference = None;
    if let Some(q) = query {
        for param in q.split('&') {
            match param.split_once('=') {
                Some(("ref" | "tag" | "branch", v)) => reference = Some(v),
                Some(("checksum", v)) if !v.is_empty() => pinned = true,
                _ => {}
            }
        }
    }
    if let Some((_, fragment)) = source.split_once('#') {
        let r = fragment.split(':').next().unwrap_or(fragment);
        if !r.is_empty() {
            reference = Some(r);
        }
    }
    (reference, pinned)
}

/// A full commit SHA-1 or SHA-256.
fn is_commit_sha(r: &str) -> bool {
    (r.len() == 40 || r.len() == 64) && r.chars().all(|c| c.is_ascii_hexdigit())
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for (i, instr) in cx.all_instructions() {
        let Body::Add(copy) = &instr.body else { continue };
        let checksum = instr.flag("checksum").is_some_and(|f| f.value.as_deref().is_some_and(|v| !v.is_empty()));
        if checksum {
            continue;
        }
        for source in &copy.sources {
            let e = cx.expand(i, source);
            let v = e.value.as_str();
            if is_git_source(v) {
                if !e.is_complete() {
                    continue;
                }
                let (reference, pinned) = git_ref(v);
                if pinned || reference.is_some_and(is_commit_sha) {
                    continue;
                }
                let repo = display_url(v.split(['#', '?']).next().unwrap_or(v));
                let message = match reference {
                    Some(r) => format!("`ADD` fetches Git ref `{r}` of `{repo}`, which can be moved"),
                    None => format!("`ADD` fetches the default branch of `{repo}`"),
                };
                out.push(
                    cx.finding(&INFO, &source.span, message).with_label("not pinned to a commit").with_help(
                        "pin a full commit SHA (`repo.git#<40-hex commit>`) or add `--checksum=<commit SHA>`",
                    ),
                );
            } else if starts_with_ci(v, "http://") || starts_with_ci(v, "https://") {
                out.push(
                    cx.finding(&INFO, &source.span, format!("`ADD` downloads `{}` without a checksum", display_url(v)))
                        .with_label("content not verified")
                        .with_help("pin the content: `ADD --checksum=sha256:<digest> <url> <dest>`"),
                );
            }
        }
    }
}

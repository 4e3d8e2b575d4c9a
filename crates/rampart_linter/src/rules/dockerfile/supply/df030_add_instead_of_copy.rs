use rampart_diagnostics::{Edit, Fix, Span};
use rampart_dockerfile::Body;

use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::rules::dockerfile::same_case;

declare_rule! {
    /// `ADD` copies local files: use `COPY`.
    ///
    /// ## What it does
    /// Reports `ADD` whose sources are all local files or directories that are not archives.
    /// `ADD` of a URL or a Git repository is left to `add-remote-without-checksum` (DF031), and
    /// `ADD` of a local tar archive is not reported: extracting it is what `ADD` is for.
    ///
    /// ## Why
    /// `ADD` does more than copy: it fetches URLs and unpacks archives. Where a plain copy is
    /// meant, that extra behaviour is a trap — a source that later becomes a `.tar.gz`, or a
    /// path that is templated into a URL, silently changes what lands in the image. `COPY`
    /// does exactly one thing.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD requirements.txt /app/
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY requirements.txt /app/
    /// ```
    ///
    /// ## Fix
    /// Replaces `ADD` with `COPY`.
    ///
    /// ## Fix safety
    /// Safe: for local non-archive sources `ADD` and `COPY` produce the same layer. `ADD`
    /// recognises a tar archive by its content, not its name, so a source named like a
    /// compressed file (`.gz`, `.bz2`, `.xz`, `.zst`, `.lz4`, `.lzma`, `.Z`) may be a tarball
    /// `ADD` extracts: the fix is then unsafe (`COPY` would copy the archive itself). No fix
    /// is offered when `ADD`-only flags (`--checksum`, `--keep-git-dir`, `--unpack`) are
    /// present, or when a source cannot be resolved (a build argument without a default).
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.9 "Ensure that COPY is used instead of ADD in Dockerfiles"
    /// - Dockerfile best practices: <https://docs.docker.com/build/building/best-practices/#add-or-copy>
    pub struct AddInsteadOfCopy {
        code: "DF030",
        name: "add-instead-of-copy",
        severity: Warning,
        tags: ["supply-chain", "cis-docker:4.9"],
        equivalents: ["hadolint:DL3020", "trivy:DS-0005", "checkov:CKV_DOCKER_4", "cis-docker:4.9"],
        fix: Varies,
    }
}

const ARCHIVE_SUFFIXES: &[&str] = &[
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tzst",
    ".tar.lz",
    ".tar.lzma",
    ".tlz",
];

/// A source ADD would fetch rather than copy.
pub(crate) fn is_remote(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git@")
        || s.starts_with("git://")
        || s.starts_with("ssh://")
        || s.ends_with(".git")
        || s.contains(".git#")
}

pub(crate) fn is_archive(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    ARCHIVE_SUFFIXES.iter().any(|suffix| s.ends_with(suffix))
}

/// Compression suffixes: the file may be a compressed tarball `ADD` extracts.
const COMPRESSED_SUFFIXES: &[&str] = &[".gz", ".bz2", ".xz", ".zst", ".lz4", ".lzma", ".z"];

fn maybe_compressed_tar(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    COMPRESSED_SUFFIXES.iter().any(|suffix| s.ends_with(suffix))
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for (i, instr) in cx.all_instructions() {
        let Body::Add(copy) = &instr.body else { continue };
        if copy.sources.is_empty() {
            continue;
        }
        let mut resolved = true;
        let mut plain = true;
        let mut compressed = false;
        for source in &copy.sources {
            let value = cx.expand(i, source);
            resolved &= value.is_complete();
            let v = value.value.as_str();
            compressed |= maybe_compressed_tar(v);
            if v.starts_with("<<") || is_remote(v) || is_archive(v) {
                plain = false;
            }
        }
        if !plain {
            continue;
        }
        let keyword = &instr.keyword_span;
        let mut finding = cx
            .finding(&INFO, keyword, "`ADD` used to copy local files")
            .with_help("use `COPY`: it copies and does nothing else");
        let add_only = instr.flags.iter().any(|f| matches!(f.name.as_str(), "checksum" | "keep-git-dir" | "unpack"));
        if resolved && !add_only {
            let original = cx.file.slice(Span::new(keyword.start, keyword.end));
            let edits = vec![Edit::replace(Span::new(keyword.start, keyword.end), same_case(original, "COPY"))];
            finding = finding.with_fix(if compressed {
                Fix::unsafe_("Replace `ADD` with `COPY` (if the file is not a compressed tarball)", edits)
            } else {
                Fix::safe("Replace `ADD` with `COPY`", edits)
            });
        }
        out.push(finding);
    }
}

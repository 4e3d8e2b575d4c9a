use rampart_diagnostics::{Edit, Fix, Span};
use rampart_dockerfile::Body;
use rampart_shell::Word;

use crate::Finding;
use crate::dockerfile::packages::{Action, Manager, classify};
use crate::dockerfile::{Cmd, DockerfileContext};

use super::common::{display_url, is_loopback, settings, starts_with_ci, url_host};

declare_rule! {
    /// Code or packages are downloaded over plain HTTP.
    ///
    /// ## What it does
    /// Reports `http://` URLs that a build step fetches: arguments of `curl` and `wget`, `ADD`
    /// sources (unless `--checksum` verifies them), `pip install` URLs and its `--index-url`,
    /// `--extra-index-url` and `--find-links`, `npm`/`yarn`/`pnpm` `--registry` and
    /// `config set registry`, `gem --source` and `gem sources --add`, `git clone`/`fetch`/
    /// `pull` URLs, package files given by URL to `rpm -i`/`-U` and `yum`/`dnf`/`zypper install`
    /// (local packages are not signature-checked by default), and the `PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`, `PIP_FIND_LINKS` and
    /// `NPM_CONFIG_REGISTRY` variables. Build arguments are expanded; a URL whose host is an
    /// unresolved variable is not reported, nor one on `localhost` or a loopback address.
    ///
    /// `http://` URLs of APT or YUM/DNF repositories (in `sources.list` or `.repo` files) are
    /// not reported: those package managers check every package against the repository's
    /// signing key, so the transport does not decide what gets installed. Proxy settings
    /// (`--proxy http://…`) are not downloads and are not reported either.
    ///
    /// ## Why
    /// Plain HTTP has no integrity and no authentication: anyone on the path — a hostile
    /// network, a compromised router or proxy, a DNS spoof — can replace what is downloaded,
    /// and it runs in the build and ships in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install --index-url http://pypi.example.com/simple/ app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN pip install --index-url https://pypi.example.com/simple/ app
    /// ```
    ///
    /// ## Fix
    /// Replaces `http://` with `https://` in the URL.
    ///
    /// ## Fix safety
    /// Unsafe: the server may not serve HTTPS, or serve it under another name or port.
    ///
    /// ## References
    /// - CWE-319: Cleartext Transmission of Sensitive Information
    /// - CWE-494: Download of Code Without Integrity Check
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    pub struct DownloadOverHttp {
        code: "DF033",
        name: "download-over-http",
        severity: Warning,
        tags: ["supply-chain", "cwe:319"],
        equivalents: [],
        fix: Varies,
    }
}

const ENV_URLS: &[&str] = &["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "NPM_CONFIG_REGISTRY"];

/// The `http://` URL inside a word (`http://…`, `git+http://…`, `--index-url=http://…`,
/// `registry=http://…`), with its offset in the value.
fn http_url(value: &str) -> Option<(usize, &str)> {
    let lower = value.to_ascii_lowercase();
    let at = if starts_with_ci(value, "http://") {
        0
    } else if let Some(rest) = lower.strip_prefix("git+") {
        if !rest.starts_with("http://") {
            return None;
        }
        4
    } else {
        // `--index-url=http://…`, `registry=http://…`
        let eq = value.find('=')?;
        if !starts_with_ci(&value[eq + 1..], "http://") {
            return None;
        }
        eq + 1
    };
    Some((at, &value[at..]))
}

/// Options whose value is a proxy, a header, data or configuration: an `http://` there is
/// not a download.
fn non_download_options(program: &str) -> &'static [&'static str] {
    match program {
        "curl" => &[
            "-x",
            "--proxy",
            "--preproxy",
            "-e",
            "--referer",
            "-H",
            "--header",
            "--proxy-header",
            "-d",
            "--data",
            "--data-raw",
            "--data-binary",
            "--data-ascii",
            "--data-urlencode",
            "-F",
            "--form",
            "--form-string",
            "-U",
            "--proxy-user",
            "--noproxy",
            "-A",
            "--user-agent",
            "-b",
            "--cookie",
            "-u",
            "--user",
        ],
        "wget" | "wget2" => {
            &["-e", "--execute", "--referer", "--header", "--post-data", "--body-data", "-U", "--user-agent"]
        }
        "git" => &["-c", "--config"],
        "gem" => &["-p", "--http-proxy"],
        _ => &["--proxy", "--https-proxy", "--http-proxy", "--noproxy", "--cert", "--client-cert", "--trusted-host"],
    }
}

/// URL words a command fetches from.
fn fetched_urls<'a>(cmd: &Cmd<'a>) -> Vec<&'a Word> {
    let program = cmd.program();
    let args = cmd.args();
    let relevant = match program {
        "curl" | "wget" | "wget2" => true,
        "git" => args.iter().find(|w| !rampart_shell::is_option(w) && !w.value.contains('=')).is_some_and(|w| {
            matches!(w.value.as_str(), "clone" | "fetch" | "pull" | "ls-remote" | "submodule" | "remote")
        }),
        // `rpm -i http://…`, `yum install http://….rpm`: no signature check by default.
        "rpm" => args.iter().any(|w| {
            let v = w.value.as_str();
            matches!(v, "--install" | "--upgrade" | "--freshen" | "--reinstall")
                || (v.len() > 1 && v.starts_with('-') && !v.starts_with("--") && v[1..].starts_with(['i', 'U', 'F']))
        }),
        _ => classify(*cmd).is_some_and(|p| match p.manager {
            Manager::Pip | Manager::Npm | Manager::Yarn | Manager::Pnpm | Manager::Gem => true,
            // Repository definitions (`dnf config-manager --add-repo`, `zypper ar`) are not reported.
            m => (m.is_rpm() || m == Manager::Zypper) && p.action == Action::Install,
        }),
    };
    if !relevant {
        return Vec::new();
    }
    let skipped = non_download_options(program);
    let mut out = Vec::new();
    let mut skip_next = false;
    let mut previous_operand_is_proxy = false;
    for w in args {
        let v = w.value.as_str();
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if let Some(long) = v.strip_prefix("--").map(|_| v) {
            let (name, value) = long.split_once('=').map_or((long, None), |(n, x)| (n, Some(x)));
            if skipped.contains(&name) || name.contains("proxy") {
                skip_next = value.is_none();
                continue;
            }
        } else if v.len() > 1 && v.starts_with('-') {
            // A short cluster such as `-sSx`: its last letter may take the next word.
            let letters = &v[1..];
            if let Some((pos, c)) = letters.char_indices().find(|(_, c)| skipped.contains(&format!("-{c}").as_str())) {
                skip_next = pos + c.len_utf8() == letters.len();
            }
            continue;
        }
        let proxy_operand = std::mem::replace(&mut previous_operand_is_proxy, false);
        if !v.starts_with('-') {
            let key = v.split('=').next().unwrap_or(v).to_ascii_lowercase();
            if key.contains("proxy") {
                // `npm config set proxy http://…`, `proxy=http://…`
                previous_operand_is_proxy = !v.contains('=');
                continue;
            }
        }
        if proxy_operand {
            continue;
        }
        if http_url(v).is_some() {
            out.push(w);
        }
    }
    out
}
/// Replaces `http://` with `https://` where the word is written plainly enough to find it.
fn https_fix(cx: &DockerfileContext<'_>, span: Span) -> Option<Fix> {
    let src = cx.file.text().get(span.start..span.end)?;
    let at = src.to_ascii_lowercase().find("http://")?;
    let start = span.start + at;
    let original = &src[at..at + 4];
    let replacement = if original == "HTTP" { "HTTPS" } else { "https" };
    Some(Fix::unsafe_("Use `https://`", vec![Edit::replace(Span::new(start, start + 4), replacement)]))
}

fn report(cx: &DockerfileContext<'_>, span: Span, what: &str, url: &str) -> Option<Finding> {
    let host = url_host(url)?;
    if host.is_empty() || host.contains('$') || is_loopback(&host) {
        return None;
    }
    let mut finding = cx
        .finding(&INFO, span, format!("{what} `{}` over plain HTTP", display_url(url)))
        .with_label("no integrity, no authentication")
        .with_help("use `https://`");
    if let Some(fix) = https_fix(cx, span) {
        finding = finding.with_fix(fix);
    }
    Some(finding)
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        for w in fetched_urls(&cmd) {
            let Some((_, url)) = http_url(&w.value) else { continue };
            // A variable in the host: expand it with the build arguments when they are known.
            let mut url = url.to_string();
            if url_host(&url).is_some_and(|h| h.contains('$')) {
                let e = cx.scopes.at(cmd.run.instruction).expand(&url, cx.df.escape);
                if !e.is_complete() {
                    continue;
                }
                url = e.value;
            }
            let program = match classify(cmd).map(|p| p.manager) {
                Some(Manager::Pip) => "pip",
                _ => cmd.program(),
            };
            let what = format!("`{program}` fetches");
            out.extend(report(cx, cmd.word_span(w), &what, &url));
        }
    }
    for (i, instr) in cx.all_instructions() {
        let Body::Add(copy) = &instr.body else { continue };
        if instr.flag("checksum").is_some() {
            continue;
        }
        for source in &copy.sources {
            let e = cx.expand(i, source);
            if starts_with_ci(&e.value, "http://") {
                out.extend(report(cx, Span::new(source.span.start, source.span.end), "`ADD` downloads", &e.value));
            }
        }
    }
    for s in settings(cx) {
        if !ENV_URLS.iter().any(|n| n.eq_ignore_ascii_case(&s.name)) {
            continue;
        }
        let Some(value) = &s.value else { continue };
        for url in value.split_whitespace().filter(|u| starts_with_ci(u, "http://")) {
            let what = format!("`{}` points to", s.name);
            out.extend(report(cx, s.span, &what, url));
        }
    }
}

use rampart_diagnostics::{Edit, Fix, Span};
use rampart_shell::Word;

use crate::Finding;
use crate::dockerfile::packages::{Manager, classify};
use crate::dockerfile::{Cmd, DockerfileContext};

use super::common::{Setting, config_setting, delete_words_fix, is_false, settings, written_text};

declare_rule! {
    /// TLS certificate verification is turned off.
    ///
    /// ## What it does
    /// Reports every way a build step or the image turns off TLS certificate checks, in every
    /// stage and in `ONBUILD` triggers:
    /// - `curl -k`/`--insecure` (also inside combined flags such as `-fsSLk`) and
    ///   `--proxy-insecure`; `wget --no-check-certificate` and `-e check_certificate=off`;
    /// - `pip --trusted-host` (and `pip config set global.trusted-host`), `uv
    ///   --allow-insecure-host`;
    /// - `npm`/`pnpm`/`yarn config set strict-ssl false`, `--strict-ssl=false`,
    ///   `--no-strict-ssl`, Yarn's `enableStrictSsl false`;
    /// - `git config http.sslVerify false` (also per URL, `http.<url>.sslVerify`) and
    ///   `git -c http.sslVerify=false`;
    /// - `yum`/`dnf`/`microdnf`/`tdnf --setopt=sslverify=0`, `yum-config-manager
    ///   --setopt=*.sslverify=0`, `dnf config-manager --save --setopt=sslverify=false`,
    ///   zypper `?ssl_verify=no`, APT `-o Acquire::https::Verify-Peer=false`;
    /// - the environment variables `GIT_SSL_NO_VERIFY` (any value: git only checks that it
    ///   is set), `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`,
    ///   `NPM_CONFIG_STRICT_SSL=false`, `YARN_ENABLE_STRICT_SSL=false`, `PIP_TRUSTED_HOST`
    ///   and `UV_INSECURE_HOST`, set by `ENV`, by an `ARG` default, as a command prefix
    ///   (`X=0 npm ci`), with `env` or with `export`;
    /// - the same settings written into the tools' configuration files (`.curlrc`, `.wgetrc`,
    ///   `.npmrc`, `pip.conf`, `.gitconfig`, `*.repo`, `yum.conf`/`dnf.conf`, APT's
    ///   `apt.conf.d`) by `echo`/`printf`, `cat`/`tee` here-documents, `sed` substitutions and
    ///   `COPY <<EOF`.
    ///
    /// ## Why
    /// Without certificate checks, anyone who can intercept the connection — a hostile
    /// network, a compromised proxy, a DNS spoof — can serve their own packages and scripts
    /// with any certificate, and the build installs them. Settings in `ENV` also stay in the
    /// image and weaken every connection the application makes at run time.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSLk https://internal.example.com/tool.tgz | tar -xz
    /// ENV NODE_TLS_REJECT_UNAUTHORIZED=0
    /// ```
    /// Use instead — trust the private CA rather than everything:
    /// ```dockerfile
    /// COPY corp-ca.crt /usr/local/share/ca-certificates/corp-ca.crt
    /// RUN update-ca-certificates \
    ///  && curl -fsSL https://internal.example.com/tool.tgz | tar -xz
    /// ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/corp-ca.crt
    /// ```
    ///
    /// ## Fix
    /// Removes `-k`/`--insecure` from `curl`, `--no-check-certificate` from `wget`,
    /// `--trusted-host <host>` from `pip`, and `--strict-ssl=false`/`--no-strict-ssl` from
    /// `npm`. Other forms have no automatic fix.
    ///
    /// ## Fix safety
    /// Unsafe: the download fails if the server's certificate is not trusted — install the
    /// CA certificate it needs first.
    ///
    /// ## References
    /// - CWE-295: Improper Certificate Validation
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    pub struct TlsVerificationDisabled {
        code: "DF034",
        name: "tls-verification-disabled",
        severity: Error,
        tags: ["supply-chain", "cwe:295"],
        equivalents: [
            "checkov:CKV2_DOCKER_2",
            "checkov:CKV2_DOCKER_3",
            "checkov:CKV2_DOCKER_4",
            "checkov:CKV2_DOCKER_5",
            "checkov:CKV2_DOCKER_6",
            "checkov:CKV2_DOCKER_12",
            "checkov:CKV2_DOCKER_13",
            "checkov:CKV2_DOCKER_14",
            "checkov:CKV2_DOCKER_15",
            "checkov:CKV2_DOCKER_16",
        ],
        fix: Varies,
    }
}

const LABEL: &str = "certificates not verified";
const CA_HELP: &str = "remove it; for a private CA, install its certificate (e.g. in /usr/local/share/ca-certificates, then `update-ca-certificates`)";

/// Short curl options that take a value: letters after them in a cluster are the value.
const CURL_VALUE_SHORT: &str = "AbcCdDeEFHKmoPQrTtuUwxXyYz";
const CURL_VALUE_LONG: &[&str] = &[
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-ascii",
    "--data-urlencode",
    "--header",
    "--output",
    "--user-agent",
    "--referer",
    "--form",
    "--config",
    "--user",
    "--url",
    "--request",
    "--write-out",
];

fn finding(cx: &DockerfileContext<'_>, span: Span, message: String, help: &str, fix: Option<Fix>) -> Finding {
    let mut f = cx.finding(&INFO, span, message).with_label(LABEL).with_help(help);
    if let Some(fix) = fix {
        f = f.with_fix(fix);
    }
    f
}

/// `-k` in a curl argument list: standalone, in a cluster, or `--insecure`.
fn check_curl(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, out: &mut Vec<Finding>) {
    let mut skip = false;
    for w in cmd.args() {
        if std::mem::take(&mut skip) {
            continue;
        }
        let v = w.value.as_str();
        if v == "--" {
            break;
        }
        if let Some(long) = v.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or(long);
            match name {
                "insecure" | "proxy-insecure" => {
                    let what = if name == "insecure" { "`curl --insecure`" } else { "`curl --proxy-insecure`" };
                    let fix = delete_words_fix(cx, cmd, &[w], "Remove `--insecure`");
                    out.push(finding(
                        cx,
                        cmd.word_span(w),
                        format!("{what} turns off TLS certificate verification"),
                        "remove it; for a private CA, pass its certificate with `--cacert` or install it in the system store",
                        fix,
                    ));
                }
                _ => skip = !long.contains('=') && CURL_VALUE_LONG.contains(&v),
            }
            continue;
        }
        if v.len() < 2 || !v.starts_with('-') {
            continue;
        }
        for (pos, c) in v.char_indices().skip(1) {
            if c == 'k' {
                let fix = if v == "-k" {
                    delete_words_fix(cx, cmd, &[w], "Remove `-k`")
                } else {
                    remove_letter_fix(cx, cmd, w, pos)
                };
                out.push(finding(
                    cx,
                    cmd.word_span(w),
                    if v == "-k" {
                        "`curl -k` turns off TLS certificate verification".to_string()
                    } else {
                        format!("`curl {v}` turns off TLS certificate verification (`-k`)")
                    },
                    "remove `k`; for a private CA, pass its certificate with `--cacert` or install it in the system store",
                    fix,
                ));
                break;
            }
            if CURL_VALUE_SHORT.contains(c) {
                skip = pos + c.len_utf8() == v.len();
                break;
            }
        }
    }
}

/// Removes the letter at byte `pos` of a flag cluster (`-fsSLk` → `-fsSL`).
fn remove_letter_fix(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, w: &Word, pos: usize) -> Option<Fix> {
    let span = cmd.word_span(w);
    if cx.file.text().get(span.start..span.end) != Some(w.value.as_str()) {
        return None;
    }
    let at = span.start + pos;
    Some(Fix::unsafe_("Remove `k` from the flags", vec![Edit::delete(Span::new(at, at + 1))]))
}

fn check_wget(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, out: &mut Vec<Finding>) {
    let args = cmd.args();
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        if v == "--no-check-certificate" {
            out.push(finding(
                cx,
                cmd.word_span(w),
                "`wget --no-check-certificate` turns off TLS certificate verification".to_string(),
                "remove it; for a private CA, pass its certificate with `--ca-certificate` or install it in the system store",
                delete_words_fix(cx, cmd, &[w], "Remove `--no-check-certificate`"),
            ));
            continue;
        }
        // `-e check_certificate=off`, `--execute=check_certificate=off`, `-echeck_certificate=off`
        let (command, span) = if v == "-e" || v == "--execute" {
            match args.get(i + 1) {
                Some(next) => (next.value.as_str(), cmd.word_span(w).cover(cmd.word_span(next))),
                None => continue,
            }
        } else if let Some(rest) = v.strip_prefix("--execute=").or_else(|| v.strip_prefix("-e")) {
            (rest, cmd.word_span(w))
        } else {
            continue;
        };
        if let Some((key, value)) = command.split_once('=')
            && matches!(key.trim().to_ascii_lowercase().replace('-', "_").as_str(), "check_certificate")
            && is_false(value)
        {
            out.push(finding(
                cx,
                span,
                format!("`wget -e {command}` turns off TLS certificate verification"),
                CA_HELP,
                None,
            ));
        }
    }
}

/// `--trusted-host h`, `--trusted-host=h`, `config set global.trusted-host h` (pip), and
/// `--allow-insecure-host` (uv).
fn check_trusted_host(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, args: &[Word], tool: &str, out: &mut Vec<Finding>) {
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        let name = v.split('=').next().unwrap_or(v);
        let is_flag = matches!(name, "--trusted-host" | "--allow-insecure-host");
        let is_key = !v.starts_with('-') && (v == "trusted-host" || v.ends_with(".trusted-host"));
        if !is_flag && !is_key {
            continue;
        }
        let (words, host): (Vec<&Word>, String) = if v.contains('=') && is_flag {
            (vec![w], v.split_once('=').map(|(_, h)| h.to_string()).unwrap_or_default())
        } else {
            match args.get(i + 1) {
                Some(next) => (vec![w, next], next.value.clone()),
                None => continue,
            }
        };
        let span = words.iter().map(|x| cmd.word_span(x)).reduce(Span::cover).unwrap_or_else(|| cmd.word_span(w));
        let fix = if is_flag { delete_words_fix(cx, cmd, &words, &format!("Remove `{name}`")) } else { None };
        out.push(finding(
            cx,
            span,
            if is_flag {
                format!("`{tool} {name}` skips TLS certificate verification for `{host}`")
            } else {
                format!("`{tool} config set {name}` skips TLS certificate verification for `{host}`")
            },
            "remove it; for a private CA, point pip to its certificate with `--cert` or `PIP_CERT`",
            fix,
        ));
    }
}

/// `npm config set strict-ssl false`, `npm set strict-ssl=false`, `--strict-ssl=false`,
/// `--no-strict-ssl`, `yarn config set enableStrictSsl false`.
fn check_node(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, out: &mut Vec<Finding>) {
    let program = cmd.program();
    let args = cmd.args();
    let help = "remove it; for a private CA, set `cafile` (npm) / `caFilePath` (Yarn) or `NODE_EXTRA_CA_CERTS`";
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        if v == "--no-strict-ssl" || v.strip_prefix("--strict-ssl=").is_some_and(is_false) {
            out.push(finding(
                cx,
                cmd.word_span(w),
                format!("`{program} {v}` turns off TLS certificate verification"),
                help,
                delete_words_fix(cx, cmd, &[w], &format!("Remove `{v}`")),
            ));
            continue;
        }
        if v == "--strict-ssl"
            && let Some(next) = args.get(i + 1)
            && is_false(&next.value)
        {
            out.push(finding(
                cx,
                cmd.word_span(w).cover(cmd.word_span(next)),
                format!("`{program} --strict-ssl {}` turns off TLS certificate verification", next.value),
                help,
                delete_words_fix(cx, cmd, &[w, next], "Remove `--strict-ssl false`"),
            ));
        }
    }
    // `config set KEY VALUE` / `set KEY VALUE` / `config set KEY=VALUE`
    let operands: Vec<&Word> = args.iter().filter(|w| !rampart_shell::is_option(w)).collect();
    let rest = match operands.as_slice() {
        [c, s, rest @ ..] if c.value == "config" && s.value == "set" => rest,
        [s, rest @ ..] if s.value == "set" && program != "yarn" => rest,
        _ => return,
    };
    let (key, value, words): (&str, &str, Vec<&Word>) = match rest {
        [kv, ..] if kv.value.contains('=') => {
            let (k, v) = kv.value.split_once('=').unwrap_or(("", ""));
            (k, v, vec![*kv])
        }
        [k, v, ..] => (k.value.as_str(), v.value.as_str(), vec![*k, *v]),
        _ => return,
    };
    let lower = key.to_ascii_lowercase();
    if matches!(lower.as_str(), "strict-ssl" | "enablestrictssl") && is_false(value) {
        let span = words.iter().map(|x| cmd.word_span(x)).reduce(Span::cover).unwrap_or_else(|| cmd.span());
        out.push(finding(
            cx,
            span,
            format!("`{program} config set {key} {value}` turns off TLS certificate verification"),
            help,
            None,
        ));
    }
}

/// Whether a git configuration key is `http.sslVerify` (or `http.<url>.sslVerify`).
fn is_git_ssl_verify(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("http.") && k.ends_with(".sslverify")
}

fn check_git(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, out: &mut Vec<Finding>) {
    let args = cmd.args();
    let help = "remove it; for a private CA, set `http.sslCAInfo` to its certificate";
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        // `-c http.sslVerify=false`, `--config=http.sslVerify=false`
        let (pair, span) = if v == "-c" || v == "--config" {
            match args.get(i + 1) {
                Some(next) => (next.value.as_str(), cmd.word_span(w).cover(cmd.word_span(next))),
                None => continue,
            }
        } else if let Some(rest) = v.strip_prefix("--config=") {
            (rest, cmd.word_span(w))
        } else if is_git_ssl_verify(v) {
            // `git config [--global] http.sslVerify false`
            let is_config = args[..i].iter().any(|a| a.value == "config");
            match args.get(i + 1) {
                Some(next) if is_config && is_false(&next.value) => {
                    out.push(finding(
                        cx,
                        cmd.word_span(w).cover(cmd.word_span(next)),
                        format!("`git config {v} {}` turns off TLS certificate verification", next.value),
                        help,
                        None,
                    ));
                }
                _ => {}
            }
            continue;
        } else {
            continue;
        };
        if let Some((key, value)) = pair.split_once('=')
            && is_git_ssl_verify(key)
            && is_false(value)
        {
            out.push(finding(cx, span, format!("`git -c {pair}` turns off TLS certificate verification"), help, None));
        }
    }
}

/// `--setopt=sslverify=0` and `--setopt=<repo>.sslverify=false` of yum, dnf and their config managers.
fn check_setopt(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, out: &mut Vec<Finding>) {
    let args = cmd.args();
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        let (pair, span) = if v == "--setopt" {
            match args.get(i + 1) {
                Some(next) => (next.value.as_str(), cmd.word_span(w).cover(cmd.word_span(next))),
                None => continue,
            }
        } else if let Some(rest) = v.strip_prefix("--setopt=") {
            (rest, cmd.word_span(w))
        } else {
            continue;
        };
        if let Some((key, value)) = pair.split_once('=')
            && key.to_ascii_lowercase().rsplit('.').next() == Some("sslverify")
            && is_false(value)
        {
            out.push(finding(
                cx,
                span,
                format!("`{} --setopt={pair}` turns off TLS certificate verification", cmd.program()),
                "remove it; for a private CA, set `sslcacert` in the repository definition",
                None,
            ));
        }
    }
}

/// `apt-get -o Acquire::https::Verify-Peer=false`.
fn check_apt(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, out: &mut Vec<Finding>) {
    let args = cmd.args();
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        let (pair, span) = if v == "-o" || v == "--option" {
            match args.get(i + 1) {
                Some(next) => (next.value.as_str(), cmd.word_span(w).cover(cmd.word_span(next))),
                None => continue,
            }
        } else if let Some(rest) = v.strip_prefix("--option=").or_else(|| v.strip_prefix("-o")) {
            (rest, cmd.word_span(w))
        } else {
            continue;
        };
        if let Some((key, value)) = pair.split_once('=')
            && is_apt_verify_key(key)
            && is_false(value)
        {
            out.push(finding(
                cx,
                span,
                format!("`{} -o {pair}` turns off TLS certificate verification", cmd.program()),
                "remove it; for a private CA, set `Acquire::https::CAInfo` to its certificate",
                None,
            ));
        }
    }
}

fn is_apt_verify_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("acquire::https") && (k.ends_with("::verify-peer") || k.ends_with("::verify-host"))
}

/// An environment variable that turns verification off, with what it affects.
fn insecure_env(s: &Setting) -> Option<&'static str> {
    let name = s.name.to_ascii_uppercase();
    let value = s.value.as_deref();
    match name.as_str() {
        // git only checks that the variable is set.
        "GIT_SSL_NO_VERIFY" if s.name == "GIT_SSL_NO_VERIFY" => Some("git"),
        "NODE_TLS_REJECT_UNAUTHORIZED" if s.name == name && value == Some("0") => Some("Node.js"),
        "PYTHONHTTPSVERIFY" if s.name == name && value == Some("0") => Some("Python"),
        "NPM_CONFIG_STRICT_SSL" if value.is_some_and(|v| v.eq_ignore_ascii_case("false")) => Some("npm"),
        "YARN_ENABLE_STRICT_SSL" if s.name == name && value.is_some_and(is_false) => Some("Yarn"),
        "PIP_TRUSTED_HOST" if s.name == name && value.is_some_and(|v| !v.trim().is_empty()) => Some("pip"),
        "UV_INSECURE_HOST" if s.name == name && value.is_some_and(|v| !v.trim().is_empty()) => Some("uv"),
        _ => None,
    }
}

/// A line written into a tool's configuration file that turns verification off.
fn insecure_config_line(dest: &str, line: &str) -> Option<&'static str> {
    let dest = dest.to_ascii_lowercase();
    let base = dest.rsplit('/').next().unwrap_or(&dest);
    let trimmed = line.trim();
    if base == ".curlrc" || base == "curlrc" || base == "_curlrc" {
        let opt = trimmed.trim_start_matches('-');
        return matches!(opt, "k" | "insecure").then_some("curl");
    }
    let (key, value) = config_setting(trimmed)?;
    let key = key.as_str();
    if base == ".wgetrc" || base == "wgetrc" {
        return (key.replace('-', "_") == "check_certificate" && is_false(&value)).then_some("wget");
    }
    if base == ".npmrc" || base == "npmrc" {
        return (key == "strict-ssl" && is_false(&value)).then_some("npm");
    }
    if base == ".yarnrc" || base == ".yarnrc.yml" {
        return (matches!(key, "strict-ssl" | "enablestrictssl") && is_false(&value)).then_some("Yarn");
    }
    if base == "pip.conf" || base == "pip.ini" {
        return (key == "trusted-host" && !value.is_empty()).then_some("pip");
    }
    if base == ".gitconfig" || base == "gitconfig" || dest.ends_with(".git/config") {
        return (key == "sslverify" && is_false(&value)).then_some("git");
    }
    if base.ends_with(".repo") || base == "yum.conf" || base == "dnf.conf" {
        return (key == "sslverify" && is_false(&value)).then_some("yum/dnf");
    }
    if dest.starts_with("/etc/apt/apt.conf") {
        return (is_apt_verify_key(key) && is_false(&value)).then_some("APT");
    }
    None
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        match cmd.program() {
            "curl" => check_curl(cx, &cmd, out),
            "wget" | "wget2" => check_wget(cx, &cmd, out),
            "git" => check_git(cx, &cmd, out),
            "npm" | "pnpm" | "yarn" | "yarnpkg" => check_node(cx, &cmd, out),
            "uv" => check_trusted_host(cx, &cmd, cmd.args(), "uv", out),
            "yum" | "dnf" | "dnf5" | "dnf-3" | "microdnf" | "tdnf" | "yum-config-manager" => {
                check_setopt(cx, &cmd, out)
            }
            "apt-get" | "apt" | "aptitude" => check_apt(cx, &cmd, out),
            "zypper" => {
                for w in cmd.args().iter().filter(|w| w.value.to_ascii_lowercase().contains("ssl_verify=no")) {
                    out.push(finding(
                        cx,
                        cmd.word_span(w),
                        "`zypper` repository with `ssl_verify=no` is fetched without TLS certificate verification"
                            .to_string(),
                        CA_HELP,
                        None,
                    ));
                }
            }
            _ => {
                if let Some(pc) = classify(cmd)
                    && pc.manager == Manager::Pip
                {
                    check_trusted_host(cx, &cmd, pc.args, "pip", out);
                }
            }
        }
    }
    for s in settings(cx) {
        if let Some(tool) = insecure_env(&s) {
            let shown = match &s.value {
                Some(v) => format!("{}={v}", s.name),
                None => s.name.clone(),
            };
            out.push(finding(
                cx,
                s.span,
                format!("`{shown}` ({}) turns off TLS certificate verification for {tool}", s.how),
                CA_HELP,
                None,
            ));
        }
    }
    for w in written_text(cx) {
        let Some(dest) = &w.dest else { continue };
        for line in w.text.lines() {
            if let Some(tool) = insecure_config_line(dest, line) {
                out.push(finding(
                    cx,
                    w.span,
                    format!("`{}` written to `{dest}` turns off TLS certificate verification for {tool}", line.trim()),
                    CA_HELP,
                    None,
                ));
                break;
            }
        }
    }
}

use rampart_diagnostics::{Fix, Span};
use rampart_shell::Word;

use crate::Finding;
use crate::dockerfile::{Cmd, DockerfileContext};

use super::common::{config_setting, delete_words_fix, is_false, is_true, written_text};

declare_rule! {
    /// Packages are installed without checking their signatures.
    ///
    /// ## What it does
    /// Reports, in every stage and in `ONBUILD` triggers:
    /// - `apk --allow-untrusted`;
    /// - `apt-get`/`apt` `--allow-unauthenticated`, `--allow-insecure-repositories`,
    ///   `--force-yes`, and `-o APT::Get::AllowUnauthenticated=true` (or
    ///   `Acquire::AllowInsecureRepositories`, `Acquire::AllowDowngradeToInsecureRepositories`);
    ///   aptitude `--allow-untrusted`;
    /// - `[trusted=yes]` or `[allow-insecure=yes]` (and deb822 `Trusted: yes`) written into an
    ///   APT sources list — by `echo`/`printf`, `cat`/`tee` here-documents, `sed`, `COPY <<EOF`
    ///   — or given to `add-apt-repository`, and `AllowUnauthenticated` written into
    ///   `apt.conf.d`. A local repository (`deb [trusted=yes] file:/repo ./`) is not
    ///   reported: nothing is fetched;
    /// - `yum`/`dnf`/`tdnf`/`microdnf --nogpgcheck`, `--setopt=gpgcheck=0` (also
    ///   `yum-config-manager`/`dnf config-manager --setopt=<repo>.gpgcheck=0`), and
    ///   `gpgcheck=0` written into a `.repo` file, `yum.conf` or `dnf.conf`;
    /// - `zypper --no-gpg-checks`, `zypper addrepo --no-gpgcheck`/`-G`, `--allow-unsigned-rpm`;
    /// - `rpm -i`/`-U`/`-F` with `--nosignature`, `--nodigest`, `--noverify` or `--nofiledigest`.
    ///
    /// ## Why
    /// Package signatures are what makes a mirror, a proxy or a plain-HTTP repository safe to
    /// use: a package that does not carry the distributor's signature is refused. Turning the
    /// check off means anyone who can tamper with the repository or the connection chooses
    /// what gets installed — as root, with install scripts.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN echo "deb [trusted=yes] http://repo.example.com/apt stable main" \
    ///       > /etc/apt/sources.list.d/example.list \
    ///  && apt-get update && apt-get install -y example
    /// ```
    /// Use instead — install the repository's key and bind it to the source:
    /// ```dockerfile
    /// COPY example-archive-keyring.gpg /usr/share/keyrings/
    /// RUN echo "deb [signed-by=/usr/share/keyrings/example-archive-keyring.gpg] https://repo.example.com/apt stable main" \
    ///       > /etc/apt/sources.list.d/example.list \
    ///  && apt-get update && apt-get install -y example
    /// ```
    ///
    /// ## Fix
    /// Removes the flag (`--allow-untrusted`, `--allow-unauthenticated`,
    /// `--allow-insecure-repositories`, `--force-yes`, `--nogpgcheck`, `-o …=true`,
    /// `--nosignature`, …) from the command. Settings written into files have no automatic fix.
    ///
    /// ## Fix safety
    /// Unsafe: the install fails until the repository's signing key is installed.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.11 "Ensure only verified packages are installed"
    /// - CWE-494: Download of Code Without Integrity Check
    /// - CWE-347: Improper Verification of Cryptographic Signature
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    pub struct UnsignedPackagesAllowed {
        code: "DF035",
        name: "unsigned-packages-allowed",
        severity: Error,
        tags: ["supply-chain", "cis-docker:4.11", "cwe:494"],
        equivalents: [
            "checkov:CKV2_DOCKER_7",
            "checkov:CKV2_DOCKER_8",
            "checkov:CKV2_DOCKER_9",
            "checkov:CKV2_DOCKER_10",
            "checkov:CKV2_DOCKER_11",
        ],
        fix: Varies,
    }
}

const LABEL: &str = "signatures not checked";

fn help(manager: &str) -> &'static str {
    match manager {
        "apk" => "remove it; put the repository's public key in /etc/apk/keys instead",
        "apt" => {
            "remove it; install the repository's signing key and reference it with `signed-by=` in the sources entry"
        }
        "rpm" => "remove it; import the repository's signing key with `rpm --import` (or `gpgkey=` in the .repo file)",
        _ => "remove it and install the repository's signing key",
    }
}

fn push(
    cx: &DockerfileContext<'_>,
    out: &mut Vec<Finding>,
    span: Span,
    message: String,
    family: &str,
    fix: Option<Fix>,
) {
    let mut f = cx.finding(&INFO, span, message).with_label(LABEL).with_help(help(family));
    if let Some(fix) = fix {
        f = f.with_fix(fix);
    }
    out.push(f);
}

/// `-o KEY=VALUE`, `-oKEY=VALUE`, `--option=KEY=VALUE`, `--setopt KEY=VALUE`, …: the words and
/// the `KEY=VALUE` text of an option in `names` (the short one, if any, first).
fn key_values<'a>(args: &'a [Word], short: Option<&str>, long: &str) -> Vec<(Vec<&'a Word>, &'a str)> {
    let mut out = Vec::new();
    let long_eq = format!("{long}=");
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        if v == long || short == Some(v) {
            if let Some(next) = args.get(i + 1) {
                out.push((vec![w, next], next.value.as_str()));
            }
        } else if let Some(rest) = v.strip_prefix(long_eq.as_str()) {
            out.push((vec![w], rest));
        } else if let Some(s) = short
            && let Some(rest) = v.strip_prefix(s)
            && rest.contains('=')
        {
            out.push((vec![w], rest));
        }
    }
    out
}

fn cover(cmd: &Cmd<'_>, words: &[&Word]) -> Span {
    words.iter().map(|w| cmd.word_span(w)).reduce(Span::cover).unwrap_or_else(|| cmd.span())
}

fn is_apt_unauthenticated_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.ends_with("::allowunauthenticated")
        || k.ends_with("::allowinsecurerepositories")
        || k.ends_with("::allowdowngradetoinsecurerepositories")
}

fn is_gpgcheck_key(key: &str) -> bool {
    matches!(key.to_ascii_lowercase().rsplit('.').next(), Some("gpgcheck" | "pkg_gpgcheck" | "localpkg_gpgcheck"))
}

/// Flags that turn signature checks off, by program.
fn unsafe_flags(program: &str, args: &[Word]) -> &'static [&'static str] {
    match program {
        "apk" => &["--allow-untrusted"],
        "apt-get" | "apt" => &["--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes"],
        "aptitude" => &["--allow-untrusted", "--allow-unauthenticated"],
        "yum" | "dnf" | "dnf5" | "dnf-3" | "microdnf" | "tdnf" | "yum-config-manager" => {
            &["--nogpgcheck", "--no-gpgchecks"]
        }
        "zypper" => {
            let addrepo = args
                .iter()
                .find(|w| !rampart_shell::is_option(w))
                .is_some_and(|w| matches!(w.value.as_str(), "ar" | "addrepo"));
            if addrepo {
                &[
                    "--no-gpg-checks",
                    "--no-gpgcheck",
                    "-G",
                    "--gpgcheck-allow-unsigned",
                    "--gpgcheck-allow-unsigned-repo",
                    "--gpgcheck-allow-unsigned-package",
                ]
            } else {
                &[
                    "--no-gpg-checks",
                    "--allow-unsigned-rpm",
                    "--gpgcheck-allow-unsigned",
                    "--gpgcheck-allow-unsigned-repo",
                    "--gpgcheck-allow-unsigned-package",
                ]
            }
        }
        "rpm" => {
            let installs = args.iter().any(|w| {
                let v = w.value.as_str();
                matches!(v, "--install" | "--upgrade" | "--freshen" | "--reinstall")
                    || (v.len() > 1
                        && v.starts_with('-')
                        && !v.starts_with("--")
                        && v[1..].starts_with(['i', 'U', 'F']))
            });
            if installs { &["--nosignature", "--nodigest", "--noverify", "--nofiledigest"] } else { &[] }
        }
        _ => &[],
    }
}

fn family(program: &str) -> &'static str {
    match program {
        "apk" => "apk",
        "apt-get" | "apt" | "aptitude" | "add-apt-repository" => "apt",
        _ => "rpm",
    }
}

fn check_command(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, out: &mut Vec<Finding>) {
    let program = cmd.program();
    let args = cmd.args();
    for w in args.iter().take_while(|w| w.value != "--") {
        if unsafe_flags(program, args).contains(&w.value.as_str()) {
            let fix = delete_words_fix(cx, cmd, &[w], &format!("Remove `{}`", w.value));
            let message = if w.value == "--force-yes" {
                format!("`{program} --force-yes` also installs unauthenticated packages")
            } else {
                format!("`{program} {}` turns off package signature checks", w.value)
            };
            push(cx, out, cmd.word_span(w), message, family(program), fix);
        }
    }
    match family(program) {
        "apt" if program != "add-apt-repository" => {
            for (words, pair) in key_values(args, Some("-o"), "--option") {
                if let Some((key, value)) = pair.split_once('=')
                    && is_apt_unauthenticated_key(key)
                    && is_true(value)
                {
                    let fix = delete_words_fix(cx, cmd, &words, &format!("Remove `-o {pair}`"));
                    let message = format!("`{program} -o {pair}` turns off package signature checks");
                    push(cx, out, cover(cmd, &words), message, "apt", fix);
                }
            }
        }
        _ if matches!(program, "yum" | "dnf" | "dnf5" | "dnf-3" | "microdnf" | "tdnf" | "yum-config-manager") => {
            for (words, pair) in key_values(args, None, "--setopt") {
                if let Some((key, value)) = pair.split_once('=')
                    && is_gpgcheck_key(key)
                    && is_false(value)
                {
                    let fix = delete_words_fix(cx, cmd, &words, "Remove the `--setopt`");
                    let message = format!("`{program} --setopt={pair}` turns off package signature checks");
                    push(cx, out, cover(cmd, &words), message, "rpm", fix);
                }
            }
        }
        _ => {}
    }
    if program == "add-apt-repository" {
        for w in args.iter() {
            let Some(option) = untrusted_deb_option(&w.value) else { continue };
            let message = format!("`add-apt-repository` adds a `{option}` source: APT accepts it without a signature");
            push(cx, out, cmd.word_span(w), message, "apt", None);
        }
    }
}

/// The option of a `deb` line option list (`[arch=amd64 trusted=yes]`) that turns
/// signature checks off.
fn untrusted_deb_option(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let open = lower.find('[')?;
    let (inner, after) = lower[open + 1..].split_once(']').unwrap_or((&lower[open + 1..], ""));
    // A repository in the image's own file system (`file:/repo`, `copy:`) is not fetched.
    let uri = after.split_whitespace().next().unwrap_or("");
    if uri.starts_with("file:") || uri.starts_with("copy:") {
        return None;
    }
    inner.split_whitespace().find(|o| matches!(*o, "trusted=yes" | "allow-insecure=yes")).map(str::to_string)
}

/// The offending setting of a line written into `dest`, what it does, and the package
/// manager family, if anything.
fn unsigned_config_line(dest: &str, line: &str) -> Option<(String, &'static str, &'static str)> {
    let dest = dest.to_ascii_lowercase();
    let base = dest.rsplit('/').next().unwrap_or(&dest);
    let apt_source = dest.contains("sources.list")
        || (dest.contains("/etc/apt/") && (base.ends_with(".list") || base.ends_with(".sources")));
    let trimmed = line.trim();
    if apt_source || (dest.contains('$') && trimmed.starts_with("deb")) {
        if let Some(option) = untrusted_deb_option(trimmed) {
            return Some((option, "makes APT accept the repository without a signature", "apt"));
        }
        if let Some((key, value)) = config_setting(trimmed)
            && matches!(key.as_str(), "trusted" | "allow-insecure")
            && is_true(&value)
        {
            return Some((trimmed.to_string(), "makes APT accept the repository without a signature", "apt"));
        }
        return None;
    }
    let (key, value) = config_setting(trimmed)?;
    if dest.starts_with("/etc/apt/apt.conf") {
        return (is_apt_unauthenticated_key(&key) && is_true(&value))
            .then(|| (trimmed.to_string(), "makes APT install unauthenticated packages", "apt"));
    }
    if base.ends_with(".repo") || matches!(base, "yum.conf" | "dnf.conf" | "zypp.conf") {
        return (is_gpgcheck_key(&key) && is_false(&value))
            .then(|| (trimmed.to_string(), "turns off package signature checks", "rpm"));
    }
    None
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        check_command(cx, &cmd, out);
    }
    for w in written_text(cx) {
        let Some(dest) = &w.dest else { continue };
        for line in w.text.lines() {
            if let Some((setting, what, family)) = unsigned_config_line(dest, line) {
                let message = format!("`{setting}` written to `{dest}` {what}");
                push(cx, out, w.span, message, family, None);
                break;
            }
        }
    }
}

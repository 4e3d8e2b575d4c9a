use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, package_commands};

use super::common;

declare_rule! {
    /// `apt-get install` installs packages without pinned versions.
    ///
    /// ## What it does
    /// Reports `apt-get install`, `apt install` and `aptitude install` commands (in every
    /// stage, in `ONBUILD` triggers, heredoc scripts and behind `sudo`/`env`) with package
    /// arguments that name no version. One finding per command lists the unpinned packages.
    ///
    /// A package is pinned when written `name=version` (`curl=7.88.1-10+deb12u8`, or the
    /// prefix form `curl=7.88.*`), including a version from a build argument
    /// (`curl=${CURL_VERSION}`), or when it is a local `.deb` file. Arguments given through a
    /// variable without a known value or a command substitution are not judged.
    ///
    /// ## Why
    /// Without a version, what gets installed depends on the day of the build and on the
    /// mirror: two builds of the same Dockerfile produce different images, a rebuild can
    /// pull in a regression or a compromised update, and nothing records what was shipped.
    /// Build-stage packages count too: the compiler and libraries they bring change the
    /// artifact that is copied out.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends \
    ///     curl=7.88.1-10+deb12u8 \
    ///     ca-certificates=20230311
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the right version is not knowable from the Dockerfile (it depends
    /// on the base image's release and its mirrors). `apt-cache policy <package>` in the base
    /// image lists the candidates.
    ///
    /// ## References
    /// - Dockerfile best practices, apt-get: <https://docs.docker.com/build/building/best-practices/#apt-get>
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component
    pub struct AptUnpinned {
        code: "DF036",
        name: "apt-unpinned",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "cwe:1357", "nist-800-190:4.1.5"],
        equivalents: ["hadolint:DL3008"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for pc in package_commands(cx) {
        if !pc.manager.is_apt() || pc.action != Action::Install {
            continue;
        }
        let bad = common::unpinned(cx, &pc, pc.packages.iter().copied(), unpinned_name);
        common::report(
            cx,
            &INFO,
            &pc,
            &bad,
            None,
            |u| {
                let name = &u.name;
                format!(
                    "pin each package to a version, e.g. `{name}=<version>` (`apt-cache policy {name}` lists the candidates)"
                )
            },
            out,
        );
    }
}

/// The package name when `arg` installs a package of the archive without a version.
fn unpinned_name(arg: &str) -> Option<String> {
    if arg.contains('=')
        || common::is_local_path(arg)
        || common::is_url(arg)
        || common::has_suffix(arg, &[".deb"])
        // `aptitude` search patterns (`~nfoo`, `?name(foo)`) and `pkg-` (remove) are not installs.
        || arg.starts_with(['~', '?', '!'])
        || arg.ends_with('-')
    {
        return None;
    }
    // `curl/bookworm-backports` selects a release, `curl:arm64` an architecture: no version.
    let name = arg.split(['/', ':']).next().unwrap_or(arg).trim_end_matches('+');
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::unpinned_name;

    #[test]
    fn judges_arguments() {
        assert_eq!(unpinned_name("curl").as_deref(), Some("curl"));
        assert_eq!(unpinned_name("curl/bookworm-backports").as_deref(), Some("curl"));
        assert_eq!(unpinned_name("libc6:arm64").as_deref(), Some("libc6"));
        assert_eq!(unpinned_name("curl=7.88.1-10"), None);
        assert_eq!(unpinned_name("curl=7.88*"), None);
        assert_eq!(unpinned_name("./pkg.deb"), None);
        assert_eq!(unpinned_name("/tmp/x.deb"), None);
        assert_eq!(unpinned_name("vim-"), None);
    }
}

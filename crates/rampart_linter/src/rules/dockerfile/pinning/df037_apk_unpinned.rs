use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, package_commands};

use super::common;

declare_rule! {
    /// `apk add` installs packages without pinned versions.
    ///
    /// ## What it does
    /// Reports `apk add` commands (in every stage, in `ONBUILD` triggers, heredoc scripts and
    /// behind `sudo`/`env`) with package arguments that name no version. One finding per
    /// command lists the unpinned packages.
    ///
    /// A package is pinned when written with a version constraint: `name=version`
    /// (`curl=8.9.1-r1`), `name~version` (`curl~8.9`, any `8.9.x`), `name<version` or
    /// `name>version`, including a version from a build argument (`curl=${CURL_VERSION}`), or
    /// when it is a local `.apk` file. The name given to `--virtual`/`-t` is a virtual package
    /// created by the command, not something installed from the repository: it is not
    /// reported. A repository tag (`curl@edge`) chooses a repository, not a version.
    ///
    /// ## Why
    /// Without a version, what gets installed depends on the day of the build: two builds of
    /// the same Dockerfile produce different images, a rebuild can pull in a regression or a
    /// compromised update, and nothing records what was shipped. Build-stage packages count
    /// too: the compiler and libraries they bring change the artifact that is copied out.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk add --no-cache curl ca-certificates
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apk add --no-cache curl=8.9.1-r1 ca-certificates=20240705-r0
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the right version is not knowable from the Dockerfile (it depends
    /// on the Alpine branch of the base image). `apk policy <package>` in the base image
    /// shows the candidates. Alpine repositories keep only the latest build of each branch,
    /// so `name~major.minor` is a pin that survives security updates.
    ///
    /// ## References
    /// - Alpine `apk` world constraints: <https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper#Advanced_APK_Usage>
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component
    pub struct ApkUnpinned {
        code: "DF037",
        name: "apk-unpinned",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "cwe:1357", "nist-800-190:4.1.5"],
        equivalents: ["hadolint:DL3018"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for pc in package_commands(cx) {
        if pc.manager != Manager::Apk || pc.action != Action::Install {
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
                    "pin each package to a version, e.g. `{name}=<version>` or `{name}~<major.minor>` (`apk policy {name}` lists the candidates)"
                )
            },
            out,
        );
    }
}

/// The package name when `arg` installs a repository package without a version.
fn unpinned_name(arg: &str) -> Option<String> {
    if arg.contains(['=', '~', '<', '>'])
        || common::is_local_path(arg)
        || common::is_url(arg)
        || common::has_suffix(arg, &[".apk"])
        // `!name` forbids a package.
        || arg.starts_with('!')
    {
        return None;
    }
    let name = arg.split('@').next().unwrap_or(arg);
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::unpinned_name;

    #[test]
    fn judges_arguments() {
        assert_eq!(unpinned_name("curl").as_deref(), Some("curl"));
        assert_eq!(unpinned_name("curl@edge").as_deref(), Some("curl"));
        assert_eq!(unpinned_name("curl=8.9.1-r1"), None);
        assert_eq!(unpinned_name("curl~8.9"), None);
        assert_eq!(unpinned_name("curl>8"), None);
        assert_eq!(unpinned_name("/tmp/x.apk"), None);
        assert_eq!(unpinned_name("x.apk"), None);
    }
}

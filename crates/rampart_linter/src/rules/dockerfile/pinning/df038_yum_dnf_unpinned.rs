use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, package_commands};

use super::common;

declare_rule! {
    /// `yum`/`dnf install` installs packages without pinned versions.
    ///
    /// ## What it does
    /// Reports `yum`, `dnf`, `microdnf` and `tdnf` commands that install packages (`install`,
    /// `reinstall`, `localinstall`, and `update`/`upgrade` with package names) with arguments
    /// that name no version — in every stage, in `ONBUILD` triggers, heredoc scripts and
    /// behind `sudo`/`env`. One finding per command lists the unpinned packages.
    ///
    /// A package is pinned when its name is followed by a version: `nginx-1.24.0`,
    /// `nginx-1.24.0-1.el9`, `nginx-1:1.24.0-1.el9.x86_64`, including a version from a build
    /// argument (`nginx-${NGINX_VERSION}`), or when it is a local `.rpm` file or a URL.
    /// Groups (`@development-tools`, `groupinstall`), module streams (`dnf module install
    /// nodejs:20`) and capabilities (`'perl(JSON)'`) cannot be pinned this way and are not
    /// reported. A name ending in a short number (`gcc-toolset-13`) is read as a package name,
    /// not a version.
    ///
    /// ## Why
    /// Without a version, what gets installed depends on the day of the build: two builds of
    /// the same Dockerfile produce different images, a rebuild can pull in a regression or a
    /// compromised update, and nothing records what was shipped. Build-stage packages count
    /// too: the compiler and libraries they bring change the artifact that is copied out.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install -y nginx && dnf clean all
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN dnf install -y nginx-1.24.0 && dnf clean all
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the right version is not knowable from the Dockerfile (it depends
    /// on the base image's release and enabled repositories). `dnf list --showduplicates
    /// <package>` in the base image lists the candidates.
    ///
    /// ## References
    /// - DNF command reference, package specifications: <https://dnf.readthedocs.io/en/latest/command_ref.html#specifying-packages-label>
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component
    pub struct YumDnfUnpinned {
        code: "DF038",
        name: "yum-dnf-unpinned",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "cwe:1357", "nist-800-190:4.1.5"],
        equivalents: ["hadolint:DL3033", "hadolint:DL3041"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for pc in package_commands(cx) {
        if !pc.manager.is_rpm() || pc.action != Action::Install {
            continue;
        }
        // Group installs take group names, which have no versions.
        if pc.action_word.is_some_and(|w| w.value == "groupinstall") {
            continue;
        }
        let bad = common::unpinned(cx, &pc, pc.packages.iter().copied(), unpinned_name);
        let program = pc.cmd.program();
        common::report(
            cx,
            &INFO,
            &pc,
            &bad,
            None,
            |u| {
                let name = &u.name;
                format!(
                    "pin each package to a version, e.g. `{name}-<version>` (`{program} list --showduplicates {name}` lists the candidates)"
                )
            },
            out,
        );
    }
}

/// The package name when `arg` installs a repository package without a version.
fn unpinned_name(arg: &str) -> Option<String> {
    if arg.starts_with('@')
        || arg.contains(['(', '=', '<', '>', ' '])
        || common::is_local_path(arg)
        || common::is_url(arg)
        || common::has_suffix(arg, &[".rpm"])
    {
        return None;
    }
    if has_version(arg) {
        return None;
    }
    // `name:stream` is a module stream; an epoch only appears after a version.
    if arg.contains(':') {
        return None;
    }
    Some(arg.to_string())
}

/// `name-version[-release][.arch]`: the last `-` part starts with a digit. A short number
/// alone (`gcc-toolset-13`, `compat-libstdc++-33`) ends many package names, so it needs a
/// dot, a letter or a long date-like number to count as a version.
fn has_version(arg: &str) -> bool {
    let Some((name, last)) = arg.rsplit_once('-') else { return false };
    if name.is_empty() || !last.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let all_digits = last.chars().all(|c| c.is_ascii_digit());
    // `nginx-1.24.0-1` has its version before the release.
    let release_after_version = name
        .rsplit_once('-')
        .is_some_and(|(n, v)| !n.is_empty() && v.starts_with(|c: char| c.is_ascii_digit()) && v.contains('.'));
    !all_digits || last.len() > 3 || release_after_version
}

#[cfg(test)]
mod tests {
    use super::unpinned_name;

    #[test]
    fn judges_arguments() {
        assert_eq!(unpinned_name("nginx").as_deref(), Some("nginx"));
        assert_eq!(unpinned_name("java-17-openjdk-headless").as_deref(), Some("java-17-openjdk-headless"));
        assert_eq!(unpinned_name("gcc-toolset-13").as_deref(), Some("gcc-toolset-13"));
        assert_eq!(unpinned_name("nginx.x86_64").as_deref(), Some("nginx.x86_64"));
        assert_eq!(unpinned_name("nginx-1.24.0"), None);
        assert_eq!(unpinned_name("nginx-1.24.0-1.el9"), None);
        assert_eq!(unpinned_name("nginx-1:1.24.0-1.el9.x86_64"), None);
        assert_eq!(unpinned_name("nginx-1.24.0-1"), None);
        assert_eq!(unpinned_name("nginx-1.24*"), None);
        assert_eq!(unpinned_name("publicsuffix-list-20210518"), None);
        assert_eq!(unpinned_name("@development-tools"), None);
        assert_eq!(unpinned_name("perl(JSON)"), None);
        assert_eq!(unpinned_name("/tmp/x.rpm"), None);
        assert_eq!(unpinned_name("https://x/epel-release-latest-9.noarch.rpm"), None);
        assert_eq!(unpinned_name("nodejs:20"), None);
    }
}

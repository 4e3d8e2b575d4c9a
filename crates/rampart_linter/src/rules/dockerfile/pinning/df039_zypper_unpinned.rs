use rampart_shell::option_value;

use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, package_commands};

use super::common;

declare_rule! {
    /// `zypper install` installs packages without pinned versions.
    ///
    /// ## What it does
    /// Reports `zypper install` (`zypper in`) commands with package arguments that name no
    /// version — in every stage, in `ONBUILD` triggers, heredoc scripts and behind
    /// `sudo`/`env`. One finding per command lists the unpinned packages.
    ///
    /// A package is pinned when written with a version constraint: `name=version`,
    /// `name>=version`, `name<version` (`'nginx>=1.24'` quoted for the shell), including a
    /// version from a build argument, or when it is a local `.rpm` file or a URL. Patterns,
    /// patches and products (`-t pattern`) and capabilities (`'perl(JSON)'`) are not reported.
    ///
    /// ## Why
    /// Without a version, what gets installed depends on the day of the build: two builds of
    /// the same Dockerfile produce different images, a rebuild can pull in a regression or a
    /// compromised update, and nothing records what was shipped. Build-stage packages count
    /// too: the compiler and libraries they bring change the artifact that is copied out.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper --non-interactive install nginx && zypper clean --all
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN zypper --non-interactive install nginx=1.21.5 && zypper clean --all
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the right version is not knowable from the Dockerfile (it depends
    /// on the base image's release and repositories). `zypper search -s <package>` in the
    /// base image lists the candidates.
    ///
    /// ## References
    /// - zypper(8), package selection: <https://en.opensuse.org/SDB:Zypper_manual>
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component
    pub struct ZypperUnpinned {
        code: "DF039",
        name: "zypper-unpinned",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "cwe:1357", "nist-800-190:4.1.5"],
        equivalents: ["hadolint:DL3037"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for pc in package_commands(cx) {
        if pc.manager != Manager::Zypper || pc.action != Action::Install {
            continue;
        }
        // `-t pattern`, `-t patch`, `-t product`: not versioned packages.
        if option_value(pc.args, &["-t", "--type"]).is_some_and(|(_, kind)| kind != "package") {
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
                    "pin each package to a version, e.g. `{name}=<version>` (`zypper search -s {name}` lists the candidates)"
                )
            },
            out,
        );
    }
}

/// The package name when `arg` installs a repository package without a version.
fn unpinned_name(arg: &str) -> Option<String> {
    // `-name`, `!name`, `~name` remove a package in the same transaction.
    if arg.starts_with(['-', '!', '~'])
        || arg.contains(['=', '<', '>', '('])
        || common::is_local_path(arg)
        || common::is_url(arg)
        || common::has_suffix(arg, &[".rpm"])
    {
        return None;
    }
    // `pattern:lamp_server`, `patch:…` name other kinds of resolvables.
    if arg.contains(':') {
        return None;
    }
    let name = arg.trim_start_matches('+');
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::unpinned_name;

    #[test]
    fn judges_arguments() {
        assert_eq!(unpinned_name("nginx").as_deref(), Some("nginx"));
        assert_eq!(unpinned_name("+nginx").as_deref(), Some("nginx"));
        assert_eq!(unpinned_name("nginx=1.21.5"), None);
        assert_eq!(unpinned_name("nginx>=1.21"), None);
        assert_eq!(unpinned_name("!vim"), None);
        assert_eq!(unpinned_name("pattern:devel_basis"), None);
        assert_eq!(unpinned_name("/tmp/x.rpm"), None);
    }
}

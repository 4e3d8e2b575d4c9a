use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, package_commands};

use super::common;

declare_rule! {
    /// `gem install` installs gems without pinned versions.
    ///
    /// ## What it does
    /// Reports `gem install` commands with gem arguments that name no version — in every
    /// stage, in `ONBUILD` triggers, heredoc scripts and behind `sudo`/`env`. One finding per
    /// command lists them.
    ///
    /// A gem is pinned when written `name:version` (`rails:7.1.3`), when the command gives
    /// `-v`/`--version` (which applies to its single gem), when the version comes from a
    /// build argument (`bundler:${BUNDLER_VERSION}`), or when it is a local `.gem` file.
    /// `bundle install` installs what `Gemfile.lock` says and is not reported, nor is
    /// `gem install -g` (`--file`), which reads a gem dependencies file.
    ///
    /// ## Why
    /// Without a version, what gets installed depends on the day of the build: two builds of
    /// the same Dockerfile produce different images, a rebuild can pull in a regression or a
    /// compromised release, and nothing records what was shipped.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN gem install bundler
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN gem install bundler -v 2.5.11
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the right version is not knowable from the Dockerfile (for
    /// `bundler`, it is the one `Gemfile.lock` was bundled with).
    ///
    /// ## References
    /// - gem install: <https://guides.rubygems.org/command-reference/#gem-install>
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component
    pub struct GemUnpinned {
        code: "DF042",
        name: "gem-unpinned",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "cwe:1357", "nist-800-190:4.1.5"],
        equivalents: ["hadolint:DL3028"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for pc in package_commands(cx) {
        if pc.manager != Manager::Gem || pc.action != Action::Install {
            continue;
        }
        let versioned = pc.has_option(&["-v", "--version", "-g", "--file"])
            || pc.args.iter().any(|w| w.value.starts_with("-v") && w.value.len() > 2);
        if versioned {
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
                format!("pin each gem to a version, e.g. `{name}:<version>` (or `gem install {name} -v <version>`)")
            },
            out,
        );
    }
}

/// The gem name when `arg` names a gem without a version.
fn unpinned_name(arg: &str) -> Option<String> {
    if common::is_local_path(arg) || common::is_url(arg) || common::has_suffix(arg, &[".gem"]) {
        return None;
    }
    match arg.split_once(':') {
        Some((name, version)) if !name.is_empty() && !version.trim().is_empty() => None,
        Some((name, _)) => (!name.is_empty()).then(|| name.to_string()),
        None => Some(arg.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::unpinned_name;

    #[test]
    fn judges_arguments() {
        assert_eq!(unpinned_name("rails").as_deref(), Some("rails"));
        assert_eq!(unpinned_name("rails:").as_deref(), Some("rails"));
        assert_eq!(unpinned_name("rails:7.1.3"), None);
        assert_eq!(unpinned_name("rails:~>7.1"), None);
        assert_eq!(unpinned_name("./pkg/tool-1.0.gem"), None);
        assert_eq!(unpinned_name("tool-1.0.gem"), None);
    }
}

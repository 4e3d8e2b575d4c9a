use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, package_commands};

use super::common;

declare_rule! {
    /// `go install`/`go get` fetches a module without a fixed version.
    ///
    /// ## What it does
    /// Reports `go install` and `go get` commands whose remote module paths have no version
    /// (`go install github.com/user/tool`), or a version query that moves: `@latest`,
    /// `@upgrade`, `@patch`, a branch (`@main`) or a range — in every stage, in `ONBUILD`
    /// triggers, heredoc scripts and behind `sudo`/`env`. One finding per command lists them.
    ///
    /// A version is fixed when it is a semantic version or pseudo-version (`@v1.2.3`,
    /// `@v0.0.0-20240101000000-3f2a9c1d0e4b`), a commit id (`@3f2a9c1`), or comes from a
    /// build argument (`@${TOOL_VERSION}`). Local packages (`./cmd/app`, `.`, `./...`) and
    /// paths whose first element has no dot (`std`, `cmd/...`, packages of the current
    /// module) are resolved through `go.mod` and are not reported.
    ///
    /// ## Why
    /// `@latest` and branch names resolve to whatever is newest when the image is built: two
    /// builds of the same Dockerfile produce different binaries, a rebuild can pull in a
    /// regression or a compromised release, and nothing records what was shipped. A fixed
    /// version is also checked against the Go checksum database, so the module cannot
    /// change under the same version.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN go install golang.org/x/tools/gopls@latest
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN go install golang.org/x/tools/gopls@v0.16.1
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the right version is not knowable from the Dockerfile.
    /// `go list -m -versions <module>` lists the published ones.
    ///
    /// ## References
    /// - go install: <https://go.dev/ref/mod#go-install>
    /// - Module version queries: <https://go.dev/ref/mod#version-queries>
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component
    pub struct GoInstallUnpinned {
        code: "DF043",
        name: "go-install-unpinned",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "cwe:1357", "nist-800-190:4.1.5"],
        equivalents: ["hadolint:DL3062"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for pc in package_commands(cx) {
        if pc.manager != Manager::Go || pc.action != Action::Install {
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
                    "give a fixed version, e.g. `{name}@v<version>` (`go list -m -versions` lists the published ones)"
                )
            },
            out,
        );
    }
}

/// The package path when `arg` is a remote package without a fixed version.
fn unpinned_name(arg: &str) -> Option<String> {
    let (path, version) = match arg.rsplit_once('@') {
        Some((p, v)) => (p, Some(v)),
        None => (arg, None),
    };
    if path.starts_with(['.', '/']) || !is_remote(path) {
        return None;
    }
    match version {
        // `@none` removes the dependency.
        Some("none") => None,
        Some(v) if common::is_fixed_ref(v) => None,
        _ => Some(path.to_string()),
    }
}

/// A module path outside the current module: its first element has a dot (`github.com/…`).
fn is_remote(path: &str) -> bool {
    path.split('/').next().is_some_and(|first| first.contains('.') && !first.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::unpinned_name;

    #[test]
    fn judges_arguments() {
        assert_eq!(unpinned_name("golang.org/x/tools/gopls").as_deref(), Some("golang.org/x/tools/gopls"));
        assert_eq!(unpinned_name("golang.org/x/tools/gopls@latest").as_deref(), Some("golang.org/x/tools/gopls"));
        assert_eq!(unpinned_name("github.com/u/t@main").as_deref(), Some("github.com/u/t"));
        assert_eq!(unpinned_name("github.com/u/t@upgrade").as_deref(), Some("github.com/u/t"));
        assert_eq!(unpinned_name("github.com/u/t@>=v1.2.0").as_deref(), Some("github.com/u/t"));
        assert_eq!(unpinned_name("github.com/u/t@v1.2.3"), None);
        assert_eq!(unpinned_name("github.com/u/t/...@v1.2.3"), None);
        assert_eq!(unpinned_name("github.com/u/t@v0.0.0-20240101000000-3f2a9c1d0e4b"), None);
        assert_eq!(unpinned_name("github.com/u/t@3f2a9c1"), None);
        assert_eq!(unpinned_name("github.com/u/t@none"), None);
        assert_eq!(unpinned_name("./cmd/app"), None);
        assert_eq!(unpinned_name("./..."), None);
        assert_eq!(unpinned_name("."), None);
        assert_eq!(unpinned_name("std"), None);
        assert_eq!(unpinned_name("example/internal/cmd"), None);
    }
}

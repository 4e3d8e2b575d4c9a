use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, package_commands};

use super::common;

declare_rule! {
    /// `npm install <pkg>` installs packages without a version.
    ///
    /// ## What it does
    /// Reports `npm install`/`npm i`/`npm add` (also global, `-g`), `yarn add`, `yarn global
    /// add` and `pnpm add` commands with package arguments that name no version or a moving
    /// dist-tag (`@latest`, `@next`, `@beta`) — in every stage, in `ONBUILD` triggers, heredoc
    /// scripts and behind `sudo`/`env`. One finding per command lists them.
    ///
    /// Accepted: any explicit version or range (`express@4.19.2`, `express@^4.19`), scoped
    /// packages with a version (`@angular/cli@17.3.8`), aliases (`lodash4@npm:lodash@4.17.21`),
    /// Git URLs at a commit or tag (`github:user/repo#3f2a9c1`), tarballs, local paths, and a
    /// version from a build argument (`typescript@${TS_VERSION}`). `npm install`, `npm ci`,
    /// `yarn install` and `pnpm install` without package arguments install what the
    /// lockfile says and are not reported.
    ///
    /// ## Why
    /// Without a version, what gets installed depends on the day of the build: two builds of
    /// the same Dockerfile produce different images, a rebuild can pull in a regression or a
    /// compromised release (hijacked npm packages are a recurring attack), and nothing
    /// records what was shipped. A dist-tag is a pointer the publisher moves.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN npm install -g typescript @angular/cli@latest
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN npm install -g typescript@5.4.5 @angular/cli@17.3.8
    /// ```
    /// or declare the tools in `package.json` and install from the lockfile with `npm ci`.
    ///
    /// ## Fix safety
    /// No automatic fix: the right version is not knowable from the Dockerfile (it is the
    /// one the project was tested with). `npm ls` in a working image lists them.
    ///
    /// ## References
    /// - npm install, package specs: <https://docs.npmjs.com/cli/commands/npm-install>
    /// - npm ci: <https://docs.npmjs.com/cli/commands/npm-ci>
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component
    pub struct NpmUnpinned {
        code: "DF041",
        name: "npm-unpinned",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "cwe:1357", "nist-800-190:4.1.5"],
        equivalents: ["hadolint:DL3016"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for pc in package_commands(cx) {
        if !matches!(pc.manager, Manager::Npm | Manager::Yarn | Manager::Pnpm) || pc.action != Action::Install {
            continue;
        }
        // `npm ci` installs the lockfile; it takes no package arguments.
        if pc.action_word.is_some_and(|w| w.value == "ci") {
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
                let value = u.word.value.as_str();
                if git_reference(value).is_some() {
                    let repo = value.split('#').next().unwrap_or(value);
                    format!("pin the Git dependency to a commit, e.g. `{repo}#<commit>`")
                } else {
                    format!(
                        "give each package an exact version, e.g. `{}@<version>`, or list it in package.json and install from the lockfile (`npm ci`)",
                        u.name
                    )
                }
            },
            out,
        );
    }
}

/// The package name when `arg` names a registry package without a version, or with a dist-tag.
fn unpinned_name(arg: &str) -> Option<String> {
    if common::is_local_path(arg) || common::has_suffix(arg, &[".tgz", ".tar.gz", ".tar"]) {
        return None;
    }
    if let Some(reference) = git_reference(arg) {
        let pinned = reference.is_some_and(|r| r.starts_with("semver:") || common::is_fixed_ref(r));
        return (!pinned).then(|| git_name(arg));
    }
    if common::is_url(arg) {
        // A tarball URL.
        return None;
    }
    let (name, version) = split_version(arg);
    if name.is_empty() {
        return None;
    }
    match version {
        // `alias@npm:real@1.0.0`, `alias@npm:1.0.0`
        Some(v) if v.starts_with("npm:") => {
            let inner = &v[4..];
            if is_version(inner) { None } else { unpinned_name(inner) }
        }
        Some(v) if is_version(v) => None,
        // No version, or a dist-tag (`latest`, `next`) that the publisher moves.
        _ => Some(name.to_string()),
    }
}

/// `name@version` and `@scope/name@version` split at the version's `@`.
fn split_version(arg: &str) -> (&str, Option<&str>) {
    let from = usize::from(arg.starts_with('@'));
    match arg[from..].find('@') {
        Some(i) => (&arg[..from + i], Some(&arg[from + i + 1..])),
        None => (arg, None),
    }
}

/// An explicit version or range: `1.2.3`, `v1.2.3`, `^1.2`, `~1.2.3`, `>=1 <2`, `1.x`.
fn is_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    v.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '^' | '~' | '<' | '>' | '='))
}

/// For a Git dependency, its `#reference` (`None` when there is none).
fn git_reference(arg: &str) -> Option<Option<&str>> {
    let lower = arg.to_ascii_lowercase();
    let hosted = ["git+", "git://", "github:", "gitlab:", "bitbucket:", "gist:"].iter().any(|p| lower.starts_with(p));
    let url_to_repo = common::is_url(arg) && lower.split('#').next().is_some_and(|u| u.ends_with(".git"));
    // `user/repo` is a GitHub shorthand; `@scope/name` is a package.
    let shorthand = !arg.starts_with('@')
        && !arg.contains(':')
        && arg
            .split('#')
            .next()
            .is_some_and(|p| p.matches('/').count() == 1 && !p.starts_with('/') && !p.ends_with('/'));
    (hosted || url_to_repo || shorthand).then(|| arg.split_once('#').map(|(_, r)| r))
}

fn git_name(arg: &str) -> String {
    let path = arg.split('#').next().unwrap_or(arg);
    let last = path.trim_end_matches('/').rsplit(['/', ':']).next().unwrap_or(path);
    last.trim_end_matches(".git").to_string()
}

#[cfg(test)]
mod tests {
    use super::unpinned_name;

    #[test]
    fn judges_arguments() {
        assert_eq!(unpinned_name("express").as_deref(), Some("express"));
        assert_eq!(unpinned_name("express@latest").as_deref(), Some("express"));
        assert_eq!(unpinned_name("express@next").as_deref(), Some("express"));
        assert_eq!(unpinned_name("express@").as_deref(), Some("express"));
        assert_eq!(unpinned_name("express@*").as_deref(), Some("express"));
        assert_eq!(unpinned_name("@angular/cli").as_deref(), Some("@angular/cli"));
        assert_eq!(unpinned_name("@angular/cli@latest").as_deref(), Some("@angular/cli"));
        assert_eq!(unpinned_name("express@4.19.2"), None);
        assert_eq!(unpinned_name("express@^4.19"), None);
        assert_eq!(unpinned_name("@angular/cli@17.3.8"), None);
        assert_eq!(unpinned_name("lodash4@npm:lodash@4.17.21"), None);
        assert_eq!(unpinned_name("lodash4@npm:lodash").as_deref(), Some("lodash"));
        assert_eq!(unpinned_name("github:user/repo#3f2a9c1"), None);
        assert_eq!(unpinned_name("user/repo#v1.0.0"), None);
        assert_eq!(unpinned_name("user/repo").as_deref(), Some("repo"));
        assert_eq!(unpinned_name("git+https://github.com/user/repo.git#main").as_deref(), Some("repo"));
        assert_eq!(unpinned_name("git+ssh://git@github.com/user/repo.git#semver:^1.0"), None);
        assert_eq!(unpinned_name("https://registry.example.com/pkg/-/pkg-1.0.0.tgz"), None);
        assert_eq!(unpinned_name("./local-pkg"), None);
        assert_eq!(unpinned_name("file:../lib"), None);
    }
}

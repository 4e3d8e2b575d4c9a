use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, package_commands};

use super::common;

declare_rule! {
    /// `pip install` installs packages without pinned versions.
    ///
    /// ## What it does
    /// Reports `pip install` (also `pip3`, `python -m pip`, exec-form `RUN ["pip", …]`) with
    /// requirement arguments that do not pin one version — in every stage, in `ONBUILD`
    /// triggers, heredoc scripts and behind `sudo`/`env`. One finding per command lists them.
    ///
    /// Pinned: `name==version` (also with extras, `name[extra]==1.0`, and `===`), a direct
    /// reference `name @ https://…`, a local path (`.`, `./pkg`, `/src`, `*.whl`,
    /// `*.tar.gz`, `*.zip`), a VCS URL at a commit or tag (`git+https://…@3f2a9c1`), an
    /// editable install (`-e .`), and a version from a build argument (`flask==${FLASK_VERSION}`).
    /// Ranges (`'flask>=2,<3'`) and compatible releases (`flask~=2.3`) are reported: they let
    /// the build pick a different version tomorrow. Upgrading the installer itself
    /// (`pip install --upgrade pip setuptools wheel`) is reported too: it installs whatever
    /// release is newest.
    ///
    /// Commands installing from a requirements or constraints file (`-r`, `-c`) or with
    /// `--require-hashes` are not reported: the pins live in the file (pip itself enforces them
    /// with `--require-hashes`).
    ///
    /// ## Why
    /// Without a version, what gets installed depends on the day of the build: two builds of
    /// the same Dockerfile produce different images, a rebuild can pull in a regression or a
    /// compromised release (typosquatted and hijacked packages are common on PyPI), and
    /// nothing records what was shipped.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install --no-cache-dir flask gunicorn
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN pip install --no-cache-dir flask==3.0.3 gunicorn==22.0.0
    /// ```
    /// or, better, a requirements file with hashes:
    /// ```dockerfile
    /// COPY requirements.txt .
    /// RUN pip install --no-cache-dir --require-hashes -r requirements.txt
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the right version is not knowable from the Dockerfile (it is the one
    /// the application was tested with). `pip freeze` in a working image lists them.
    ///
    /// ## References
    /// - pip, repeatable installs: <https://pip.pypa.io/en/stable/topics/repeatable-installs/>
    /// - pip, secure installs (hash-checking mode): <https://pip.pypa.io/en/stable/topics/secure-installs/>
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component
    pub struct PipUnpinned {
        code: "DF040",
        name: "pip-unpinned",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "cwe:1357", "nist-800-190:4.1.5"],
        equivalents: ["hadolint:DL3013"],
        fix: None,
    }
}

/// Packaging tools commonly upgraded before the real install.
const TOOLING: &[&str] = &["pip", "setuptools", "wheel"];

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for pc in package_commands(cx) {
        if pc.manager != Manager::Pip || pc.action != Action::Install {
            continue;
        }
        if pc.has_option(&["-r", "--requirement", "-c", "--constraint", "--require-hashes"])
            || pc.args.iter().any(|w| {
                let v = w.value.as_str();
                (v.starts_with("-r") || v.starts_with("-c")) && !v.starts_with("--") && v.len() > 2
            })
        {
            continue;
        }
        // `name @ url` written as three words is one direct reference.
        let mut words = Vec::new();
        let mut skip = 0;
        for (i, w) in pc.packages.iter().enumerate() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if pc.packages.get(i + 1).is_some_and(|n| n.value == "@") {
                skip = 2;
                continue;
            }
            words.push(*w);
        }
        let bad = common::unpinned(cx, &pc, words, unpinned_name);
        if bad.is_empty() {
            continue;
        }
        let upgrade = pc.has_option(&["--upgrade"]) || pc.has_short_flag('U');
        let tooling_only = upgrade && bad.iter().all(|u| TOOLING.contains(&u.name.to_ascii_lowercase().as_str()));
        let message = tooling_only.then(|| {
            let names: Vec<String> = bad.iter().map(|u| u.shown.clone()).collect();
            format!("`{}` upgrades {} to whatever release is newest", common::command_label(&pc), common::list(&names))
        });
        common::report(
            cx,
            &INFO,
            &pc,
            &bad,
            message,
            |u| {
                let name = &u.name;
                if let Some(url) = vcs_url(&u.word.value) {
                    format!("pin the VCS URL to a commit, e.g. `{}@<commit>`", vcs_base(url))
                } else if tooling_only {
                    format!(
                        "pin the tooling too (`{name}==<version>`), or drop the upgrade and keep the base image's version"
                    )
                } else {
                    format!(
                        "pin each requirement to one version, e.g. `{name}==<version>`, or install from a requirements file with `--require-hashes -r`"
                    )
                }
            },
            out,
        );
    }
}

/// The project name when `arg` is a requirement that does not pin one version.
fn unpinned_name(arg: &str) -> Option<String> {
    let arg = arg.trim();
    if arg.is_empty()
        || arg.starts_with('-')
        // `.[dev]`, `src/`: project names start with a letter or digit and have no `/`.
        || arg.starts_with('.')
        || (arg.contains('/') && !arg.contains("://"))
        || common::is_local_path(arg)
        || common::has_suffix(arg, &[".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip"])
    {
        return None;
    }
    // A VCS URL: pinned at a commit or tag.
    if let Some(url) = vcs_url(arg) {
        return (!vcs_pinned(url)).then(|| vcs_name(arg, url));
    }
    // `name @ https://…/name-1.0.whl`: a direct reference to one file.
    if let Some((_, url)) = arg.split_once('@')
        && url.contains("://")
    {
        return None;
    }
    if common::is_url(arg) {
        return None;
    }
    let spec = arg.split(';').next().unwrap_or(arg);
    let end = spec.find(['[', '=', '<', '>', '!', '~', ' ', '(']).unwrap_or(spec.len());
    let name = spec[..end].trim();
    if name.is_empty() {
        return None;
    }
    let pinned = spec[end..]
        .trim_start_matches(|c: char| c != '=' && c != '<' && c != '>' && c != '!' && c != '~')
        .split(',')
        .any(|clause| clause.trim().starts_with("=="));
    (!pinned).then(|| name.to_string())
}

/// The URL of a VCS requirement (`git+https://…`, `name @ git+https://…`).
fn vcs_url(arg: &str) -> Option<&str> {
    let start = ["git+", "hg+", "svn+", "bzr+"].iter().filter_map(|p| arg.find(p)).min()?;
    let url = &arg[start..];
    url.contains("://").then_some(url)
}

/// The VCS URL without its reference and fragment.
fn vcs_base(url: &str) -> &str {
    let url = url.split('#').next().unwrap_or(url);
    let last_slash = url.rfind('/').map_or(0, |i| i + 1);
    match url[last_slash..].rfind('@') {
        Some(at) => &url[..last_slash + at],
        None => url,
    }
}

/// `git+https://host/org/repo.git@<ref>#egg=…`: the reference is after the last `@` of the
/// last path segment (an `@` before that is the user of `git+ssh://git@host/…`).
fn vcs_pinned(url: &str) -> bool {
    let url = url.split('#').next().unwrap_or(url);
    let last = url.rsplit('/').next().unwrap_or(url);
    last.rsplit_once('@').is_some_and(|(_, reference)| common::is_fixed_ref(reference))
}

fn vcs_name(arg: &str, url: &str) -> String {
    if let Some((name, _)) = arg.split_once('@')
        && !name.contains("://")
        && !name.trim().is_empty()
    {
        return name.trim().to_string();
    }
    if let Some(egg) = url.split("#egg=").nth(1) {
        return egg.split('&').next().unwrap_or(egg).to_string();
    }
    let url = url.split('#').next().unwrap_or(url);
    let last = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
    let last = last.split('@').next().unwrap_or(last);
    last.trim_end_matches(".git").to_string()
}

#[cfg(test)]
mod tests {
    use super::{unpinned_name, vcs_base};

    #[test]
    fn vcs_bases() {
        assert_eq!(
            vcs_base("git+https://github.com/org/tool.git@main#egg=tool"),
            "git+https://github.com/org/tool.git"
        );
        assert_eq!(vcs_base("git+ssh://git@github.com/org/tool"), "git+ssh://git@github.com/org/tool");
    }

    #[test]
    fn judges_arguments() {
        assert_eq!(unpinned_name("flask").as_deref(), Some("flask"));
        assert_eq!(unpinned_name("flask>=2,<3").as_deref(), Some("flask"));
        assert_eq!(unpinned_name("flask~=2.3").as_deref(), Some("flask"));
        assert_eq!(unpinned_name("flask!=2.0").as_deref(), Some("flask"));
        assert_eq!(unpinned_name("uvicorn[standard]").as_deref(), Some("uvicorn"));
        assert_eq!(unpinned_name("flask==3.0.3"), None);
        assert_eq!(unpinned_name("flask===3.0.3"), None);
        assert_eq!(unpinned_name("flask == 3.0.3"), None);
        assert_eq!(unpinned_name("uvicorn[standard]==0.30.1"), None);
        assert_eq!(unpinned_name("flask==3.0.3; python_version >= '3.8'"), None);
        assert_eq!(unpinned_name("flask>=2,==2.3.1"), None);
        assert_eq!(unpinned_name("pkg @ https://example.com/pkg-1.0.whl"), None);
        assert_eq!(unpinned_name("./dist/app-1.0-py3-none-any.whl"), None);
        assert_eq!(unpinned_name("app-1.0.tar.gz"), None);
        assert_eq!(unpinned_name("."), None);
        assert_eq!(unpinned_name(".[dev]"), None);
        assert_eq!(unpinned_name("src/lib"), None);
        assert_eq!(unpinned_name("git+https://github.com/org/repo.git@3f2a9c1d"), None);
        assert_eq!(unpinned_name("git+ssh://git@github.com/org/repo.git@v1.2.0#egg=repo"), None);
        assert_eq!(unpinned_name("git+https://github.com/org/repo.git").as_deref(), Some("repo"));
        assert_eq!(unpinned_name("git+ssh://git@github.com/org/repo.git").as_deref(), Some("repo"));
        assert_eq!(unpinned_name("git+https://github.com/org/repo@main#egg=tool").as_deref(), Some("tool"));
        assert_eq!(unpinned_name("tool @ git+https://github.com/org/repo").as_deref(), Some("tool"));
    }
}

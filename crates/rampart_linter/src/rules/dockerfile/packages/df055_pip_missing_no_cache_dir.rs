use rampart_diagnostics::Fix;

use super::common::{
    after, around_action, configured_before, env_value, falsy, head_span, insert_after, option_values, removes, ships,
    target_instruction, truthy,
};
use crate::Finding;
use crate::dockerfile::packages::{Action, Manager, PackageCommand, classify};
use crate::dockerfile::{Cmd, DockerfileContext};

declare_rule! {
    /// `pip install` without `--no-cache-dir` keeps pip's download cache in the image.
    ///
    /// ## What it does
    /// Reports `pip install` (also `pip3`, `python -m pip`) without `--no-cache-dir`, in the
    /// stages that end up in the built image. Not reported when:
    /// - `PIP_NO_CACHE_DIR` is set for the command — by `ENV` or `ARG`, `export`, or a prefix
    ///   assignment (pip disables its cache for any valid boolean value, even `0`), or by
    ///   `pip config set global.no-cache-dir` earlier;
    /// - pip's cache directory is a BuildKit cache or tmpfs mount of the `RUN`
    ///   (`--mount=type=cache,target=/root/.cache/pip`, or the `--cache-dir`/`PIP_CACHE_DIR`
    ///   directory);
    /// - the same `RUN` later runs `pip cache purge` or removes the cache directory;
    /// - the stage is a builder stage that is only copied from (its cache is not shipped).
    ///
    /// ## Why
    /// pip keeps every downloaded and built wheel under `~/.cache/pip`: often as large as the
    /// installed packages themselves, and useless in an image that is never `pip install`ed
    /// into again.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install -r requirements.txt
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    /// or, with BuildKit, keep the cache between builds and out of the image:
    /// ```dockerfile
    /// RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    /// ```
    ///
    /// ## Fix
    /// Inserts `--no-cache-dir` after `install`.
    ///
    /// ## Fix safety
    /// Safe: pip installs the same packages; it only downloads them instead of reusing
    /// cached copies, which a fresh build does not have anyway.
    ///
    /// ## References
    /// - pip documentation, caching: <https://pip.pypa.io/en/stable/topics/caching/>
    /// - Docker build cache mounts: <https://docs.docker.com/build/cache/optimize/#use-cache-mounts>
    pub struct PipMissingNoCacheDir {
        code: "DF055",
        name: "pip-missing-no-cache-dir",
        severity: Note,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3042"],
        fix: Safe,
    }
}

/// The cache directories pip may use for this command.
fn cache_dirs(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, pc: &PackageCommand<'_>) -> Vec<String> {
    let mut dirs = vec!["/root/.cache/pip".to_string(), "~/.cache/pip".to_string()];
    dirs.extend(option_values(pc.args, None, "--cache-dir"));
    if let Some(Some(d)) = env_value(cx, cmd, "PIP_CACHE_DIR") {
        dirs.push(d);
    }
    if let Some(Some(d)) = env_value(cx, cmd, "XDG_CACHE_HOME") {
        dirs.push(format!("{}/pip", d.trim_end_matches('/')));
    }
    dirs
}

fn is_pip_cache(path: &str, dirs: &[String]) -> bool {
    let p = path.trim_end_matches("/*").trim_end_matches('/');
    p.ends_with("/.cache/pip")
        || p.ends_with("/.cache")
        || p == "~/.cache"
        || dirs.iter().any(|d| d.trim_end_matches('/') == p)
}

fn cache_disabled(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, pc: &PackageCommand<'_>) -> bool {
    if pc.has_option(&["--no-cache-dir", "--no-cache"]) {
        return true;
    }
    // pip treats any valid boolean as "no cache" (even `false`, for compatibility); an
    // unknown value (an `ARG` without default) may well be set: not reported.
    match env_value(cx, cmd, "PIP_NO_CACHE_DIR") {
        Some(Some(v)) if truthy(&v) || falsy(&v) => return true,
        Some(None) => return true,
        _ => {}
    }
    configured_before(cx, cmd, "no-cache-dir", "pip config", &[])
}

fn mounted(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, dirs: &[String]) -> bool {
    let instr = target_instruction(cx, cmd.run.instruction);
    instr.flags_named("mount").any(|m| {
        let kind = m.option("type").unwrap_or_default();
        let target = m.option("target").or_else(|| m.option("dst")).or_else(|| m.option("destination"));
        (kind == "cache" || kind == "tmpfs") && target.is_some_and(|t| is_pip_cache(&t, dirs))
    })
}

fn purges(cmd: &Cmd<'_>, dirs: &[String]) -> bool {
    let dir_refs: Vec<&str> = dirs.iter().map(String::as_str).collect();
    if removes(cmd, &dir_refs) {
        return true;
    }
    if cmd.program() == "rm" && cmd.args().iter().any(|w| !w.value.starts_with('-') && is_pip_cache(&w.value, dirs)) {
        return true;
    }
    classify(*cmd).is_some_and(|pc| {
        pc.manager == Manager::Pip
            && pc.action_word.is_some_and(|w| w.value == "cache")
            && around_action(&pc).1.iter().any(|w| w.value == "purge")
    })
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        if !ships(cx, &cmd) {
            continue;
        }
        let Some(pc) = classify(cmd) else { continue };
        if pc.manager != Manager::Pip || pc.action != Action::Install {
            continue;
        }
        let Some(word) = pc.action_word else { continue };
        if cache_disabled(cx, &cmd, &pc) {
            continue;
        }
        let dirs = cache_dirs(cx, &cmd, &pc);
        if mounted(cx, &cmd, &dirs) || after(cx, &cmd).iter().any(|c| purges(c, &dirs)) {
            continue;
        }
        let name = if cmd.program().starts_with("pip") { cmd.program() } else { "pip" };
        let mut finding = cx
            .finding(&INFO, head_span(&cmd, &pc), format!("`{name} install` without `--no-cache-dir`"))
            .with_label("downloaded wheels stay in ~/.cache/pip")
            .with_help("add `--no-cache-dir` (or set `ENV PIP_NO_CACHE_DIR=1`, or mount the cache with BuildKit)");
        if let Some(edit) = insert_after(cx, &cmd, word, " --no-cache-dir") {
            finding = finding.with_fix(Fix::safe("Add `--no-cache-dir`", vec![edit]));
        }
        out.push(finding);
    }
}

use rampart_diagnostics::Fix;
use rampart_dockerfile::Body;

use super::common::{
    after, append_to_run, around_action, earlier_in_image, env_value, head_span, option_values, removes, ships,
    target_instruction,
};
use crate::Finding;
use crate::dockerfile::packages::{Action, Manager, PackageCommand, classify};
use crate::dockerfile::{Cmd, DockerfileContext};

declare_rule! {
    /// `yarn install` without `yarn cache clean` keeps Yarn's package cache in the image.
    ///
    /// ## What it does
    /// Reports Yarn 1 (classic) `yarn install`, `yarn add`, `yarn global add` and bare `yarn`
    /// not followed, in the same `RUN`, by `yarn cache clean` or by removing the cache
    /// directory, in the stages that end up in the built image. Not reported when the cache
    /// directory (`/usr/local/share/.cache/yarn`, `~/.cache/yarn`, `--cache-folder`,
    /// `YARN_CACHE_FOLDER`) is a BuildKit cache or tmpfs mount of the `RUN`, or in builder
    /// stages that are only copied from.
    ///
    /// Yarn 2+ ("Berry") projects are not reported: with Plug'n'Play the cache *is* where
    /// the packages are loaded from, and `yarn cache clean` would break the application.
    /// A `RUN` is taken for Berry when it uses Berry-only flags (`--immutable`,
    /// `--immutable-cache`, `--check-cache`, `--mode`), or when earlier steps run
    /// `yarn set version` or `corepack`, or copy a `.yarnrc.yml` or `.yarn` directory.
    ///
    /// ## Why
    /// Yarn classic keeps a copy of every package it downloads in its global cache: as large
    /// as `node_modules` again, and useless at runtime. Cleaning in a later instruction does
    /// not help: the layer that wrote it stays in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yarn install --frozen-lockfile --production
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN yarn install --frozen-lockfile --production && yarn cache clean
    /// ```
    ///
    /// ## Fix
    /// Appends `&& yarn cache clean` to the end of the `RUN` (on a new continuation line when
    /// the `RUN` spans several).
    /// In a `RUN <<EOF` whose heredoc is the script, `&& …` goes at the end of its last
    /// command line: a new line would hide a failure of the line before it (heredoc scripts
    /// run without `set -e`).
    ///
    /// ## Fix safety
    /// Safe, and offered only when the command is certainly Yarn classic (it uses a classic-only
    /// form: `--frozen-lockfile`, `--pure-lockfile`, `--production`, `--no-lockfile`,
    /// `--network-timeout`, `yarn global add`), where `node_modules` holds copies of the cached
    /// files. Not offered for exec-form `RUN`s, for heredocs other than a `RUN <<EOF` body that is
    /// the whole script (several heredocs, `<<EOF bash`, tab-stripped `<<-EOF`), with a custom
    /// `--cache-folder`, or for scripts ending with `;` or a comment.
    ///
    /// ## References
    /// - `yarn cache` (classic): <https://classic.yarnpkg.com/en/docs/cli/cache>
    /// - Docker build cache mounts: <https://docs.docker.com/build/cache/optimize/#use-cache-mounts>
    pub struct YarnCacheNotCleaned {
        code: "DF056",
        name: "yarn-cache-not-cleaned",
        severity: Note,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3060"],
        fix: Safe,
    }
}

const BERRY_FLAGS: &[&str] = &["--immutable", "--immutable-cache", "--check-cache", "--mode", "--inline-builds"];
const CLASSIC_FLAGS: &[&str] =
    &["--frozen-lockfile", "--pure-lockfile", "--production", "--prod", "--no-lockfile", "--network-timeout"];

fn cache_dirs(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, pc: &PackageCommand<'_>) -> Vec<String> {
    let mut dirs = vec!["/usr/local/share/.cache/yarn".to_string(), "~/.cache/yarn".to_string()];
    dirs.extend(option_values(pc.args, None, "--cache-folder"));
    if let Some(Some(d)) = env_value(cx, cmd, "YARN_CACHE_FOLDER") {
        dirs.push(d);
    }
    dirs
}

fn is_yarn_cache(path: &str, dirs: &[String]) -> bool {
    let p = path.trim_end_matches("/*").trim_end_matches('/');
    p.ends_with("/.cache/yarn") || p.ends_with("/.cache") || dirs.iter().any(|d| d.trim_end_matches('/') == p)
}

fn cleans(cmd: &Cmd<'_>, dirs: &[String]) -> bool {
    let refs: Vec<&str> = dirs.iter().map(String::as_str).collect();
    if removes(cmd, &refs)
        || (cmd.program() == "rm"
            && cmd.args().iter().any(|w| !w.value.starts_with('-') && is_yarn_cache(&w.value, dirs)))
    {
        return true;
    }
    classify(*cmd).is_some_and(|pc| {
        pc.manager == Manager::Yarn
            && pc.action_word.is_some_and(|w| w.value == "cache")
            && around_action(&pc).1.iter().any(|w| w.value == "clean")
    })
}

fn mounted(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, dirs: &[String]) -> bool {
    target_instruction(cx, cmd.run.instruction).flags_named("mount").any(|m| {
        let kind = m.option("type").unwrap_or_default();
        let target = m.option("target").or_else(|| m.option("dst")).or_else(|| m.option("destination"));
        (kind == "cache" || kind == "tmpfs") && target.is_some_and(|t| is_yarn_cache(&t, dirs))
    })
}

/// Whether the project is (or may be) Yarn 2+.
fn berry(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, pc: &PackageCommand<'_>) -> bool {
    if pc.has_option(BERRY_FLAGS) {
        return true;
    }
    let mentions_berry =
        |text: &str| text.contains("yarn set version") || text.contains("corepack") || text.contains(".yarnrc.yml");
    let local = cmd.command.span.start.min(cmd.run.script.len());
    if cmd.run.script.as_str().get(..local).is_some_and(mentions_berry) {
        return true;
    }
    earlier_in_image(cx, cmd.run.instruction).into_iter().any(|j| match &cx.instruction(j).body {
        Body::Run(_) => {
            cx.shell_runs().iter().filter(|r| r.instruction == j).any(|r| mentions_berry(r.script.as_str()))
        }
        Body::Copy(c) | Body::Add(c) => c.sources.iter().any(|s| {
            let v = s.value.trim_end_matches('/');
            v.ends_with(".yarnrc.yml") || v.ends_with(".yarn") || v.contains(".yarn/")
        }),
        _ => false,
    })
}

fn certainly_classic(pc: &PackageCommand<'_>) -> bool {
    pc.has_option(CLASSIC_FLAGS) || pc.args.first().is_some_and(|w| w.value == "global")
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let mut reported = Vec::new();
    for cmd in cx.run_commands() {
        let i = cmd.run.instruction;
        if reported.contains(&i) || !ships(cx, &cmd) {
            continue;
        }
        let Some(pc) = classify(cmd) else { continue };
        if pc.manager != Manager::Yarn || pc.action != Action::Install {
            continue;
        }
        if pc.has_option(&["--version", "-v", "--help", "-h"]) || berry(cx, &cmd, &pc) {
            continue;
        }
        let dirs = cache_dirs(cx, &cmd, &pc);
        if mounted(cx, &cmd, &dirs) || after(cx, &cmd).iter().any(|c| cleans(c, &dirs)) {
            continue;
        }
        reported.push(i);
        let what = match pc.action_word {
            Some(w) if pc.args.first().is_some_and(|g| g.value == "global") => format!("yarn global {}", w.value),
            Some(w) => format!("yarn {}", w.value),
            None => "yarn".to_string(),
        };
        let mut finding = cx
            .finding(&INFO, head_span(&cmd, &pc), format!("`{what}` without `yarn cache clean`"))
            .with_label("every downloaded package stays in Yarn's cache")
            .with_help("end the RUN with `&& yarn cache clean`, or mount the cache with BuildKit");
        let custom_folder = pc.has_option(&["--cache-folder"]);
        if certainly_classic(&pc)
            && !custom_folder
            && let Some(edit) = append_to_run(cx, i, "yarn cache clean")
        {
            finding = finding.with_fix(Fix::safe("Run `yarn cache clean` at the end of the RUN", vec![edit]));
        }
        out.push(finding);
    }
}

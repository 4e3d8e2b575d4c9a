use std::sync::Arc;

use rampart_diagnostics::Fix;

use super::common::{after, cache_mounted, head_span, insert_after, later_run_relies_on_index, removes, ships};
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, PackageCommand, classify};

declare_rule! {
    /// `apk add` without `--no-cache` leaves the package index in the image.
    ///
    /// ## What it does
    /// Reports `apk add` without `--no-cache` in the stages that end up in the built image,
    /// unless the same `RUN` later removes `/var/cache/apk` (`rm -rf /var/cache/apk/*`) or
    /// `/var/cache/apk` (or `/etc/apk/cache`) is a BuildKit cache or tmpfs mount of the `RUN`.
    /// Builder stages that are only copied from are not reported.
    ///
    /// ## Why
    /// Without `--no-cache`, `apk` keeps the downloaded repository indexes (`APKINDEX.*.tar.gz`,
    /// a few megabytes per repository) under `/var/cache/apk`, where they stay in the layer and
    /// go stale. `apk add --no-cache` fetches a fresh index, uses it and keeps nothing, so it
    /// also replaces the `apk update` step.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk update && apk add curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix
    /// Inserts `--no-cache` after `add`.
    ///
    /// ## Fix safety
    /// Safe: `--no-cache` installs the same packages from a freshly fetched index. The fix is
    /// not offered when the command refreshes the index itself (`-U`/`--update-cache`) and a
    /// later `RUN` on top of it installs without refreshing: that `RUN` reads the index this
    /// one would no longer keep.
    ///
    /// ## References
    /// - Alpine `apk` documentation, `--no-cache`: <https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper>
    /// - Docker build cache mounts: <https://docs.docker.com/build/cache/optimize/#use-cache-mounts>
    pub struct ApkMissingNoCache {
        code: "DF050",
        name: "apk-missing-no-cache",
        severity: Note,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3019", "trivy:DS-0025"],
        fix: Safe,
    }
}

const APK_CACHE: &[&str] = &["/var/cache/apk", "/etc/apk/cache"];

fn is_add(pc: &PackageCommand<'_>) -> bool {
    pc.manager == Manager::Apk && pc.action == Action::Install
}

fn no_cache(pc: &PackageCommand<'_>) -> bool {
    pc.has_option(&["--no-cache"])
}

fn refreshes_index(pc: &PackageCommand<'_>) -> bool {
    pc.has_option(&["-U", "--update-cache", "--update"]) || pc.has_short_flag('U')
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        if !ships(cx, &cmd) {
            continue;
        }
        let Some(pc) = classify(cmd) else { continue };
        if !is_add(&pc) || no_cache(&pc) {
            continue;
        }
        let Some(word) = pc.action_word else { continue };
        let i = cmd.run.instruction;
        if cache_mounted(cx, i, APK_CACHE) || after(cx, &cmd).iter().any(|c| removes(c, &["/var/cache/apk"])) {
            continue;
        }
        let mut finding = cx
            .finding(&INFO, head_span(&cmd, &pc), "`apk add` without `--no-cache`")
            .with_label("the package index stays in /var/cache/apk")
            .with_help("use `apk add --no-cache …` (it also makes a separate `apk update` unnecessary)");
        let relies = if refreshes_index(&pc) {
            later_run_relies_on_index(
                cx,
                i,
                |p| is_add(p) && !no_cache(p) && !refreshes_index(p),
                |p| p.manager == Manager::Apk && (p.action == Action::Update || refreshes_index(p)),
            )
        } else {
            None
        };
        match relies {
            Some(span) => {
                finding = finding.with_related(
                    Arc::clone(cx.file),
                    span,
                    "installs from the index this RUN keeps: give it `--no-cache` too",
                );
            }
            None => {
                if let Some(edit) = insert_after(cx, &cmd, word, " --no-cache") {
                    finding = finding.with_fix(Fix::safe("Add `--no-cache`", vec![edit]));
                }
            }
        }
        out.push(finding);
    }
}

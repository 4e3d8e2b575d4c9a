use std::sync::Arc;

use rampart_diagnostics::Fix;

use super::common::{
    after, append_to_run, apt_update, apt_uses_lists, cache_mounted, head_span, later_run_relies_on_index, removes,
    ships, shown,
};
use crate::Finding;
use crate::dockerfile::packages::classify;
use crate::dockerfile::{Cmd, DockerfileContext};

declare_rule! {
    /// `apt-get update` leaves the package lists in the image.
    ///
    /// ## What it does
    /// Reports a `RUN` that runs `apt-get update` (or `apt update`) without removing
    /// `/var/lib/apt/lists` later in the same `RUN` (`rm -rf /var/lib/apt/lists/*`, or
    /// `apt-get distclean`), in the stages that end up in the built image. Not reported when
    /// `/var/lib/apt/lists` (or `/var/lib/apt`) is a BuildKit cache or tmpfs mount of the
    /// `RUN`: nothing is then written to the layer. Builder stages that are only copied from
    /// are not reported either.
    ///
    /// A `RUN` that installs without running `apt-get update` is not reported: it downloads
    /// no lists, and deleting lists there would not shrink the image (they live in the layer
    /// of the `RUN` that downloaded them, which is the one reported).
    ///
    /// ## Why
    /// The lists are tens of megabytes of index files that nothing at runtime needs. Deleting
    /// them in a later instruction does not help: the layer that wrote them is still part of
    /// the image. They also go stale, so keeping them invites installs against an old index
    /// in later steps.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update \
    ///     && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    /// or, with BuildKit, keep the lists out of the layer entirely:
    /// ```dockerfile
    /// RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    ///     --mount=type=cache,target=/var/lib/apt,sharing=locked \
    ///     apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Appends `&& rm -rf /var/lib/apt/lists/*` to the end of the `RUN`, on a new continuation
    /// line when the `RUN` already spans several (keeping the `&&` at the start or at the end
    /// of lines, as the `RUN` does).
    /// In a `RUN <<EOF` whose heredoc is the script, `&& …` goes at the end of its last
    /// command line: a new line would hide a failure of the line before it (heredoc scripts
    /// run without `set -e`).
    ///
    /// ## Fix safety
    /// Safe: nothing after the `RUN` reads the lists unless it installs without updating, and the
    /// fix is not offered when a later `RUN` on top of this one does (it would fail without the
    /// lists: run `apt-get update` there). Not offered for exec-form `RUN`s, for heredocs other
    /// than a `RUN <<EOF` body that is the whole script (several heredocs, `<<EOF bash`,
    /// tab-stripped `<<-EOF`), or scripts ending with `;` or a comment.
    ///
    /// ## References
    /// - Dockerfile best practices, `apt-get`: <https://docs.docker.com/build/building/best-practices/#apt-get>
    /// - Docker build cache mounts: <https://docs.docker.com/build/cache/optimize/#use-cache-mounts>
    pub struct AptListsNotRemoved {
        code: "DF049",
        name: "apt-lists-not-removed",
        severity: Note,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3009"],
        fix: Safe,
    }
}

pub(crate) const APT_LISTS: &str = "/var/lib/apt/lists";

fn cleans_lists(cmd: &Cmd<'_>) -> bool {
    removes(cmd, &[APT_LISTS])
        || classify(*cmd)
            .is_some_and(|pc| pc.manager.is_apt() && pc.action_word.is_some_and(|w| w.value == "distclean"))
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let mut reported = Vec::new();
    for cmd in cx.run_commands() {
        let i = cmd.run.instruction;
        if reported.contains(&i) || !ships(cx, &cmd) {
            continue;
        }
        let Some(pc) = classify(cmd) else { continue };
        if !apt_update(&pc) {
            continue;
        }
        if cache_mounted(cx, i, &[APT_LISTS]) || after(cx, &cmd).iter().any(cleans_lists) {
            continue;
        }
        reported.push(i);
        let mut finding = cx
            .finding(
                &INFO,
                head_span(&cmd, &pc),
                format!("`{}` leaves the package lists in the image", shown(&cmd, &pc)),
            )
            .with_label("no `rm -rf /var/lib/apt/lists/*` later in this RUN")
            .with_help("end the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount /var/lib/apt as a BuildKit cache");
        match later_run_relies_on_index(cx, i, apt_uses_lists, apt_update) {
            Some(span) => {
                finding = finding.with_related(
                    Arc::clone(cx.file),
                    span,
                    "installs without `apt-get update`: it needs the lists this RUN leaves (run the update there too)",
                );
            }
            None => {
                if let Some(edit) = append_to_run(cx, i, "rm -rf /var/lib/apt/lists/*") {
                    finding = finding.with_fix(Fix::safe("Remove the lists at the end of the RUN", vec![edit]));
                }
            }
        }
        out.push(finding);
    }
}

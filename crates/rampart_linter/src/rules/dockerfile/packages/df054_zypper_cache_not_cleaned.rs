use rampart_diagnostics::Fix;

use super::common::{after, append_to_run, cache_mounted, head_span, removes, ships, shown};
use crate::Finding;
use crate::dockerfile::packages::{Action, Manager, classify};
use crate::dockerfile::{Cmd, DockerfileContext};

declare_rule! {
    /// `zypper install` without `zypper clean` leaves the package cache in the image.
    ///
    /// ## What it does
    /// Reports `zypper` installs and upgrades (`install`, `update`, `patch`, `dist-upgrade`)
    /// not followed, in the same `RUN`, by `zypper clean` (`zypper cc`) or by removing
    /// `/var/cache/zypp`, in the stages that end up in the built image. Not reported when
    /// `/var/cache/zypp` is a BuildKit cache or tmpfs mount of the `RUN`, or in builder stages
    /// that are only copied from. One finding per `RUN`.
    ///
    /// ## Why
    /// zypper keeps repository metadata (and packages, for repositories with `keeppackages`)
    /// under `/var/cache/zypp`: tens of megabytes that are useless at runtime. Cleaning in a
    /// later instruction does not help: the layer that wrote it stays in the image. Note that
    /// a plain `zypper clean` only removes downloaded packages; `zypper clean --all` also
    /// removes the metadata.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper --non-interactive install curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN zypper --non-interactive install curl && zypper clean --all
    /// ```
    ///
    /// ## Fix
    /// Appends `&& zypper clean --all` to the end of the `RUN` (on a new continuation line when
    /// the `RUN` spans several).
    /// In a `RUN <<EOF` whose heredoc is the script, `&& …` goes at the end of its last
    /// command line: a new line would hide a failure of the line before it (heredoc scripts
    /// run without `set -e`).
    ///
    /// ## Fix safety
    /// Safe: zypper downloads the metadata again when a later command needs it. Not offered for
    /// exec-form `RUN`s, for heredocs other than a `RUN <<EOF` body that is the whole script
    /// (several heredocs, `<<EOF bash`, tab-stripped `<<-EOF`), or scripts ending with `;` or a
    /// comment.
    ///
    /// ## References
    /// - zypper(8), `clean`: <https://en.opensuse.org/SDB:Zypper_manual>
    pub struct ZypperCacheNotCleaned {
        code: "DF054",
        name: "zypper-cache-not-cleaned",
        severity: Note,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3036", "trivy:DS-0020"],
        fix: Safe,
    }
}

const ZYPP_CACHE: &[&str] = &["/var/cache/zypp"];

fn cleans(cmd: &Cmd<'_>) -> bool {
    removes(cmd, ZYPP_CACHE)
        || classify(*cmd).is_some_and(|pc| pc.manager == Manager::Zypper && pc.action == Action::Clean)
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let mut reported = Vec::new();
    for cmd in cx.run_commands() {
        let i = cmd.run.instruction;
        if reported.contains(&i) || !ships(cx, &cmd) {
            continue;
        }
        let Some(pc) = classify(cmd) else { continue };
        if pc.manager != Manager::Zypper
            || !matches!(pc.action, Action::Install | Action::Upgrade | Action::DistUpgrade)
            || cache_mounted(cx, i, ZYPP_CACHE)
            || after(cx, &cmd).iter().any(cleans)
        {
            continue;
        }
        reported.push(i);
        let mut finding = cx
            .finding(&INFO, head_span(&cmd, &pc), format!("`{}` without `zypper clean`", shown(&cmd, &pc)))
            .with_label("no `zypper clean` later in this RUN")
            .with_help("end the RUN with `&& zypper clean --all`");
        if let Some(edit) = append_to_run(cx, i, "zypper clean --all") {
            finding = finding.with_fix(Fix::safe("Run `zypper clean --all` at the end of the RUN", vec![edit]));
        }
        out.push(finding);
    }
}

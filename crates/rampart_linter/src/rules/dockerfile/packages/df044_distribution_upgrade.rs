use rampart_diagnostics::{Edit, Fix};

use super::common::{plain_word_span, root_image};
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, classify};

declare_rule! {
    /// A `RUN` upgrades the whole distribution (`dist-upgrade`, `full-upgrade`, `zypper dup`).
    ///
    /// ## What it does
    /// Reports `apt-get dist-upgrade`, `apt full-upgrade` (and the `aptitude` forms) and
    /// `zypper dist-upgrade` / `zypper dup`, in every stage and in `ONBUILD` triggers.
    ///
    /// Plain `apt-get upgrade` (or `apt upgrade`, `zypper update`) is **not** reported: it
    /// applies the security and bug-fix updates of the release the image is built on, without
    /// installing or removing anything else, which is a reasonable thing to do when the base
    /// image lags behind. hadolint dropped its check of plain upgrades (DL3005) for that
    /// reason, and Trivy only flags `dist-upgrade`. A distribution upgrade is not reported
    /// on rolling releases (openSUSE Tumbleweed, Debian `sid`/`testing`, Kali rolling),
    /// where it is the documented way to update.
    ///
    /// ## Why
    /// A distribution upgrade may install new packages, remove others and replace core
    /// components to follow whatever the repositories currently hold: what ends up in the
    /// image depends on the day it was built, and it drifts away from the base image it
    /// claims to be. Updates across a release belong in the base image: move to the newer
    /// tag (and pin its digest).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:11
    /// RUN apt-get update && apt-get -y dist-upgrade
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// Replaces `dist-upgrade`/`full-upgrade` with `upgrade` (apt) and `dist-upgrade`/`dup`
    /// with `update`/`up` (zypper).
    ///
    /// ## Fix safety
    /// Unsafe: a plain upgrade keeps back updates that need new packages or removals, and a
    /// later step may rely on a package the distribution upgrade pulled in.
    ///
    /// ## References
    /// - Dockerfile best practices, `apt-get`: <https://docs.docker.com/build/building/best-practices/#apt-get>
    /// - NIST SP 800-190 §4.1.1 (image vulnerabilities: rebuild from updated base images)
    pub struct DistributionUpgrade {
        code: "DF044",
        name: "distribution-upgrade",
        severity: Warning,
        tags: ["hygiene", "reproducibility", "nist-800-190:4.1.1"],
        equivalents: ["trivy:DS-0024", "hadolint:DL3035"],
        fix: Unsafe,
    }
}

/// Images whose distribution is a rolling release, where a distribution upgrade is the
/// normal way to update.
fn rolling_release(cx: &DockerfileContext<'_>, index: usize) -> bool {
    let Some(image) = root_image(cx, index) else { return false };
    let repo = image.canonical_repository();
    let tag = image.tag.as_deref().unwrap_or("");
    repo.contains("tumbleweed")
        || repo.contains("rolling")
        || (repo.ends_with("/debian")
            && ["sid", "unstable", "testing", "rc-buggy", "experimental"].iter().any(|t| tag.starts_with(t)))
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        let Some(pc) = classify(cmd) else { continue };
        if pc.action != Action::DistUpgrade || !(pc.manager.is_apt() || pc.manager == Manager::Zypper) {
            continue;
        }
        let Some(word) = pc.action_word else { continue };
        if rolling_release(cx, cmd.run.instruction) {
            continue;
        }
        let replacement = match (pc.manager, word.value.as_str()) {
            (Manager::Zypper, "dup") => "up",
            (Manager::Zypper, _) => "update",
            (Manager::Aptitude, _) => "safe-upgrade",
            _ => "upgrade",
        };
        let program = cmd.program();
        let mut finding = cx
            .finding(
                &INFO,
                cmd.word_span(word),
                format!("`{program} {}` upgrades the whole distribution during the build", word.value),
            )
            .with_label("may install, remove or replace packages to follow the repositories")
            .with_help(format!(
                "build on a newer base image instead; `{program} {replacement}` applies the release's updates without changing the distribution"
            ));
        if let Some(span) = plain_word_span(cx, &cmd, word) {
            finding = finding.with_fix(Fix::unsafe_(
                format!("Replace `{}` with `{replacement}`", word.value),
                vec![Edit::replace(span, replacement)],
            ));
        }
        out.push(finding);
    }
}

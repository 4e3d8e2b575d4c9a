use std::collections::BTreeSet;

use rampart_dockerfile::Keyword;

use super::common::{after, apt_uses_lists, head_span, later_run_relies_on_index, shown};
use crate::Finding;
use crate::dockerfile::packages::{Action, Manager, PackageCommand, classify};
use crate::dockerfile::{Cmd, DockerfileContext};

declare_rule! {
    /// A `RUN` refreshes the package index without installing anything after it.
    ///
    /// ## What it does
    /// Reports `apt-get update` / `apt update`, `apk update`, `yum`/`dnf makecache` and
    /// `zypper refresh` when nothing later in the same `RUN` installs or upgrades packages with
    /// the same package manager. When a later `RUN` installs from that index, it is shown as a
    /// related location. `RUN`s that also execute a local script (`./install.sh`,
    /// `bash setup.sh`) are not reported: the script may be what installs. Applies to every
    /// stage.
    ///
    /// ## Why
    /// The builder caches each `RUN` as a layer and reuses it as long as the instruction's
    /// text does not change. A `RUN apt-get update` on its own line is therefore run once and
    /// then reused for months, while the `RUN apt-get install …` below it is rebuilt whenever
    /// its package list changes — against the stale index. Installs then fail (the index
    /// names package versions the mirror no longer has) or, worse, silently install outdated
    /// packages without their security fixes. Refreshing and installing in one `RUN` keeps
    /// them in the same cache entry.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update \
    ///     && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: merging two instructions changes the layers and their cache, and the
    /// install may be far below the update; move the install into the update's `RUN` by hand.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.7 "Ensure update instructions are not used alone in the Dockerfile"
    /// - Dockerfile best practices, `apt-get`: <https://docs.docker.com/build/building/best-practices/#apt-get>
    pub struct UpdateWithoutInstall {
        code: "DF045",
        name: "update-without-install",
        severity: Warning,
        tags: ["hygiene", "reproducibility", "cis-docker:4.7"],
        equivalents: ["trivy:DS-0017", "checkov:CKV_DOCKER_5", "cis-docker:4.7"],
        fix: None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Apt,
    Apk,
    Rpm,
    Zypper,
}

fn family(m: Manager) -> Option<Family> {
    match m {
        _ if m.is_apt() => Some(Family::Apt),
        Manager::Apk => Some(Family::Apk),
        _ if m.is_rpm() => Some(Family::Rpm),
        Manager::Zypper => Some(Family::Zypper),
        _ => None,
    }
}

fn refreshes(pc: &PackageCommand<'_>) -> bool {
    family(pc.manager).is_some() && pc.action == Action::Update
}

fn uses_index(pc: &PackageCommand<'_>, fam: Family) -> bool {
    if family(pc.manager) != Some(fam) {
        return false;
    }
    match fam {
        Family::Apt => apt_uses_lists(pc),
        _ => matches!(pc.action, Action::Install | Action::Upgrade | Action::DistUpgrade),
    }
}

/// An install that reads the index a previous layer left (not `apk add --no-cache`, which
/// fetches its own).
fn reads_cached_index(pc: &PackageCommand<'_>, fam: Family) -> bool {
    uses_index(pc, fam)
        && !(pc.manager == Manager::Apk && pc.has_option(&["--no-cache", "-U", "--update-cache", "--update"]))
}

/// A command that runs a local script, which may install packages itself.
fn runs_script(cmd: &Cmd<'_>) -> bool {
    let Some(first) = cmd.argv.first() else { return false };
    let v = first.value.as_str();
    if v.starts_with("./") || v.starts_with("../") || v.ends_with(".sh") {
        return true;
    }
    // `. /etc/os-release` only reads variables: not a script that could install.
    matches!(cmd.program(), "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
        && cmd.args().first().is_some_and(|a| !a.value.starts_with('-'))
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let instructions: BTreeSet<usize> =
        cx.shell_runs().iter().filter(|r| r.keyword == Keyword::Run).map(|r| r.instruction).collect();
    for i in instructions {
        let commands: Vec<Cmd<'_>> = cx.commands_of(i).collect();
        if commands.iter().any(runs_script) {
            continue;
        }
        let mut reported: Vec<Family> = Vec::new();
        for cmd in &commands {
            let Some(pc) = classify(*cmd) else { continue };
            if !refreshes(&pc) {
                continue;
            }
            let Some(fam) = family(pc.manager) else { continue };
            if reported.contains(&fam) {
                continue;
            }
            let installs_after = after(cx, cmd).into_iter().filter_map(classify).any(|p| uses_index(&p, fam));
            if installs_after {
                continue;
            }
            reported.push(fam);
            let what = shown(cmd, &pc);
            let mut finding = cx
                .finding(&INFO, head_span(cmd, &pc), format!("`{what}` is not followed by an install in the same RUN"))
                .with_label("the refreshed index is cached with this layer")
                .with_help(format!(
                    "refresh and install in one RUN (`{what} && … install …`) so the index is never older than the install"
                ));
            let later = later_run_relies_on_index(cx, i, |p| reads_cached_index(p, fam), refreshes);
            if let Some(span) = later {
                finding = finding.with_related(
                    std::sync::Arc::clone(cx.file),
                    span,
                    "installs from the cached index, which can be older than this instruction",
                );
            }
            out.push(finding);
        }
    }
}

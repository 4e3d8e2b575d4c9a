use rampart_diagnostics::Fix;

use super::common::{after, append_to_run, around_action, cache_mounted, head_span, removes, ships, shown};
use crate::Finding;
use crate::dockerfile::packages::{Action, PackageCommand, classify};
use crate::dockerfile::{Cmd, DockerfileContext};

declare_rule! {
    /// `yum`/`dnf install` without `clean all` leaves the package cache in the image.
    ///
    /// ## What it does
    /// Reports `yum`, `dnf`, `microdnf` and `tdnf` installs and upgrades not followed, in the
    /// same `RUN`, by `<manager> clean all` or by removing the cache directory
    /// (`rm -rf /var/cache/yum`, `/var/cache/dnf`, `/var/cache/libdnf5`, `/var/cache/tdnf`),
    /// in the stages that end up in the built image. Not reported when the cache directory
    /// is a BuildKit cache or tmpfs mount of the `RUN`, or in builder stages that are only
    /// copied from. One finding per `RUN`.
    ///
    /// ## Why
    /// The repository metadata (and, with `keepcache`, the downloaded packages) that the
    /// install leaves in `/var/cache` easily weighs a hundred megabytes and is useless at
    /// runtime. Cleaning in a later instruction does not help: the layer that wrote it stays
    /// in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install -y httpd
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    ///
    /// ## Fix
    /// Appends `&& <manager> clean all` to the end of the `RUN` (on a new continuation line
    /// when the `RUN` spans several).
    /// In a `RUN <<EOF` whose heredoc is the script, `&& …` goes at the end of its last
    /// command line: a new line would hide a failure of the line before it (heredoc scripts
    /// run without `set -e`).
    ///
    /// ## Fix safety
    /// Safe: the next `yum`/`dnf` command downloads the metadata again when it needs it. Not
    /// offered for exec-form `RUN`s, for heredocs other than a `RUN <<EOF` body that is the whole
    /// script (several heredocs, `<<EOF bash`, tab-stripped `<<-EOF`), or scripts ending with `;`
    /// or a comment.
    ///
    /// ## References
    /// - dnf(8), `clean`: <https://dnf.readthedocs.io/en/latest/command_ref.html#clean-command>
    /// - Docker build cache mounts: <https://docs.docker.com/build/cache/optimize/#use-cache-mounts>
    pub struct YumDnfCacheNotCleaned {
        code: "DF052",
        name: "yum-dnf-cache-not-cleaned",
        severity: Note,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3032", "hadolint:DL3040", "trivy:DS-0015", "trivy:DS-0019", "trivy:DS-0027"],
        fix: Safe,
    }
}

const RPM_CACHES: &[&str] = &["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/tdnf"];

fn installs(pc: &PackageCommand<'_>) -> bool {
    pc.manager.is_rpm() && matches!(pc.action, Action::Install | Action::Upgrade | Action::DistUpgrade)
}

fn cleans(cmd: &Cmd<'_>) -> bool {
    if removes(cmd, RPM_CACHES) {
        return true;
    }
    classify(*cmd).is_some_and(|pc| {
        pc.manager.is_rpm() && pc.action == Action::Clean && around_action(&pc).1.iter().any(|w| w.value == "all")
    })
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let mut reported = Vec::new();
    for cmd in cx.run_commands() {
        let i = cmd.run.instruction;
        if reported.contains(&i) || !ships(cx, &cmd) {
            continue;
        }
        let Some(pc) = classify(cmd) else { continue };
        if !installs(&pc) || cache_mounted(cx, i, RPM_CACHES) || after(cx, &cmd).iter().any(cleans) {
            continue;
        }
        reported.push(i);
        let program = cmd.program();
        let clean = format!("{program} clean all");
        let mut finding = cx
            .finding(&INFO, head_span(&cmd, &pc), format!("`{}` without `{clean}`", shown(&cmd, &pc)))
            .with_label(format!("no `{clean}` later in this RUN"))
            .with_help(format!("end the RUN with `&& {clean}`"));
        if let Some(edit) = append_to_run(cx, i, &clean) {
            finding = finding.with_fix(Fix::safe(format!("Run `{clean}` at the end of the RUN"), vec![edit]));
        }
        out.push(finding);
    }
}

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A container mounts `/proc` without the default masks (`procMount` other than `Default`).
    ///
    /// ## What it does
    /// Reports `securityContext.procMount` set to anything but `Default` (in practice
    /// `Unmasked`) on a container (regular, init and ephemeral), at the value. Unset is
    /// fine: it means `Default`.
    ///
    /// The Pod Security Standards relax this control for pods with `hostUsers: false` only
    /// when the cluster enables the `UserNamespacesPodSecurityStandards` feature gate (off
    /// by default); rampart reports it regardless, and says so in the help.
    ///
    /// ## Why
    /// The container runtime masks and makes read-only the parts of `/proc` and `/sys` that
    /// expose the host kernel (`/proc/kcore`, `/proc/sysrq-trigger`, `/proc/acpi`, …). An
    /// unmasked `/proc` hands them back: kernel memory, node information, and triggers that
    /// act on the whole node.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: builder
    ///     image: registry.example.com/builder:3.0.0
    ///     securityContext:
    ///       procMount: Unmasked
    /// ```
    /// Use instead: remove `procMount` (or set it to `Default`).
    ///
    /// ## Fix safety
    /// No automatic fix: nested container builders ask for an unmasked `/proc` on purpose,
    /// and removing it stops them. Unsafe; rampart does not apply it.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "/proc Mount Type"
    ///   <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    pub struct ProcMountUnmasked {
        code: "KS007",
        name: "proc-mount-unmasked",
        severity: Error,
        tags: ["pss:baseline", "pss-control:proc-mount-type", "isolation", "cwe:200", "seed:isolation"],
        equivalents: [
            "pss:baseline/proc-mount-type",
            "kyverno:disallow-proc-mount",
            "trivy:KSV-0027",
            "kube-linter:unsafe-proc-mount",
            "polaris:procMount",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            let setting = &c.proc_mount;
            let Some(value) = &setting.value else { continue };
            if value == "Default" || !setting.is_explicit() {
                continue;
            }
            let Some(span) = setting.span() else { continue };
            let shown = if value.is_empty() { "\"\"" } else { value.as_str() };
            let help = if w.host_users.value == Some(false) {
                "remove `procMount` (with `hostUsers: false`, only clusters that enable the \
                 UserNamespacesPodSecurityStandards feature gate admit it at the baseline level)"
            } else {
                "remove `procMount`, or set it to `Default`"
            };
            out.push(
                cx.finding(&INFO, span, format!("{} mounts /proc with `procMount: {shown}`", container_label(w, c)))
                    .with_label("without the masks that hide the host kernel's files")
                    .with_help(help),
            );
        }
    }
}

use rampart_posture::Format;

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::{oci_missing_at, oci_root};

declare_rule! {
    /// A container mounts `/proc` without the default masks (`procMount` other than `Default`).
    ///
    /// ## What it does
    /// Reports `securityContext.procMount` set to anything but `Default` (in practice
    /// `Unmasked`) on a container (regular, init and ephemeral), at the value. Unset is
    /// fine: it means `Default`. Its equivalents: `systempaths=unconfined` in a Compose
    /// service's `security_opt`, and an empty `maskedPaths` or `readonlyPaths` in an OCI
    /// runtime config (at the list), or one without them (at `linux`: runc then masks
    /// nothing).
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

const OCI_HELP: &str =
    "list the paths runc's default config masks in `maskedPaths` and makes read-only in `readonlyPaths`";

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            let setting = &c.proc_mount;
            let Some(value) = &setting.value else { continue };
            if value == "Default" {
                continue;
            }
            // OCI: without the lists, runc masks nothing.
            if w.format == Format::Oci && !setting.is_written() {
                let linux = oci_root(cx, w).and_then(|r| r.get("linux"));
                let missing = ["maskedPaths", "readonlyPaths"]
                    .into_iter()
                    .find(|k| linux.and_then(|l| l.get(k)).is_none())
                    .unwrap_or("maskedPaths");
                out.push(
                    cx.finding(
                        &INFO,
                        oci_missing_at(cx, w, &["linux", missing]).unwrap_or_else(|| w.anchor.clone()),
                        format!("{} mounts /proc without the default masks (no `{missing}`)", container_label(w, c)),
                    )
                    .with_label(format!("no `{missing}`: the host kernel's files in /proc are not hidden"))
                    .with_help(OCI_HELP),
                );
                continue;
            }
            if !setting.is_explicit() {
                continue;
            }
            let Some(span) = setting.span() else { continue };
            let shown = if value.is_empty() { "\"\"" } else { value.as_str() };
            let (message, help) = match w.format {
                Format::Kubernetes => (
                    format!("{} mounts /proc with `procMount: {shown}`", container_label(w, c)),
                    if w.host_users.value == Some(false) {
                        "remove `procMount` (with `hostUsers: false`, only clusters that enable the \
                         UserNamespacesPodSecurityStandards feature gate admit it at the baseline level)"
                    } else {
                        "remove `procMount`, or set it to `Default`"
                    },
                ),
                Format::Compose => (
                    format!("{} mounts /proc unmasked (`systempaths=unconfined`)", container_label(w, c)),
                    "remove `systempaths=unconfined` from `security_opt`",
                ),
                Format::Oci => {
                    let list = oci_root(cx, w)
                        .and_then(|r| r.get("linux"))
                        .and_then(|l| l.entries().iter().find(|e| e.value.span == span))
                        .and_then(|e| e.key.as_str())
                        .unwrap_or("maskedPaths");
                    (
                        format!("{} mounts /proc without the default masks (an empty `{list}`)", container_label(w, c)),
                        OCI_HELP,
                    )
                }
            };
            out.push(
                cx.finding(&INFO, span, message)
                    .with_label("without the masks that hide the host kernel's files")
                    .with_help(help),
            );
        }
    }
}

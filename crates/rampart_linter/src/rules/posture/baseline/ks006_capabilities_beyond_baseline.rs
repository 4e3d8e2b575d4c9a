use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{ContainerPosture, Format, Workload};

use super::written_scalar;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{listed, remove_capabilities, replace_at, to_edits, with_fix};

declare_rule! {
    /// A container adds a Linux capability beyond the baseline set.
    ///
    /// ## What it does
    /// Reports each item of `securityContext.capabilities.add` (regular, init and ephemeral
    /// containers) that is not one of `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`,
    /// `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`,
    /// `SETUID` and `SYS_CHROOT` (the container runtime's default set), at the item; `ALL`
    /// is reported too.
    ///
    /// Pod Security admission compares the names exactly as written: `CAP_CHOWN` or `chown`
    /// is not `CHOWN`, and a namespace enforcing the baseline level rejects the pod. rampart
    /// does the same for Kubernetes manifests, and says when only the spelling is wrong. For
    /// Compose and OCI configurations, where the engine accepts any case and the `CAP_`
    /// prefix, the name is compared without them.
    ///
    /// An OCI config's capability sets are absolute: they list the runtime's defaults as well
    /// as what was added. `NET_RAW`, which Docker and containerd keep by default and the
    /// baseline lets a Kubernetes container keep (it only forbids adding it), is therefore not
    /// reported there; KS035 reports it.
    ///
    /// ## Why
    /// Each capability beyond the default set hands the container a piece of root's power
    /// over the kernel: `SYS_ADMIN` is nearly all of it (mounts, namespaces, BPF), `NET_ADMIN`
    /// reconfigures the network, `NET_RAW` forges packets, `SYS_PTRACE` reads other processes'
    /// memory, `SYS_MODULE` loads kernel code. Most container escapes start from one of them.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       capabilities:
    ///         add: [NET_ADMIN, SYS_TIME]
    /// ```
    /// Use instead: remove the capabilities, and drop the ones the workload does not need
    /// (`drop: [ALL]`, then add back only what it uses from the baseline set).
    ///
    /// ## Fix
    /// The capabilities beyond the baseline set are removed, in one fix per container: from
    /// Kubernetes `capabilities.add` and Compose `cap_add` (the key goes when nothing is left),
    /// and, for an OCI config, whose capability sets are absolute, from each of its `bounding`,
    /// `effective`, `inheritable`, `permitted` and `ambient` sets (the baseline ones and
    /// `NET_RAW` stay). A Kubernetes `CAP_CHOWN` or `chown` is written `CHOWN` instead.
    ///
    /// ## Fix safety
    /// Removing a capability is unsafe: the feature that needs it fails, and only a human knows
    /// whether that feature must stay (the workload then belongs in a namespace whose Pod
    /// Security level is `privileged`). Respelling a baseline capability is safe: the container
    /// gets the capability it asked for under the name Pod Security admission accepts, and
    /// gaining a capability cannot break a working process.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "Capabilities"
    ///   <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Kubernetes Benchmark 5.2.9; CIS Docker Benchmark 5.3
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - capabilities(7): <https://man7.org/linux/man-pages/man7/capabilities.7.html>
    pub struct CapabilitiesBeyondBaseline {
        code: "KS006",
        name: "capabilities-beyond-baseline",
        severity: Error,
        tags: ["pss:baseline", "pss-control:capabilities", "privileges", "cis-docker:5.3", "cwe:250", "seed:least-privilege"],
        equivalents: [
            "pss:baseline/capabilities",
            "kyverno:disallow-capabilities",
            "trivy:KSV-0022",
            "checkov:CKV_K8S_25",
            "polaris:insecureCapabilities",
        ],
        fix: Varies,
    }
}

/// The capabilities the baseline level allows, as Kubernetes spells them.
pub(crate) const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// What a capability beyond the baseline set gives, for the label.
fn power(cap: &str) -> &'static str {
    match cap {
        "ALL" => "every capability: root's full power over the kernel",
        "SYS_ADMIN" => "nearly root on the node: mounts, namespaces, BPF and more",
        "NET_ADMIN" => "reconfigures interfaces, routes and firewall rules",
        "NET_RAW" => "forges packets and spoofs addresses on the pod network",
        "SYS_PTRACE" => "traces other processes and reads their memory",
        "SYS_MODULE" => "loads kernel modules: code in the host kernel",
        "SYS_RAWIO" => "raw access to I/O ports and devices",
        "DAC_READ_SEARCH" => "reads any file, and opens files by handle outside the container",
        "SYS_BOOT" => "reboots the node or loads a new kernel",
        "SYS_TIME" => "sets the node's clock",
        "BPF" | "PERFMON" => "loads BPF programs and reads kernel data",
        "SYSLOG" => "reads kernel addresses from the kernel log",
        "MAC_ADMIN" | "MAC_OVERRIDE" => "changes or bypasses AppArmor and SELinux",
        "SYS_RESOURCE" => "overrides resource limits",
        "IPC_LOCK" | "IPC_OWNER" => "locks memory and bypasses IPC permissions",
        "LINUX_IMMUTABLE" => "changes immutable and append-only files",
        "AUDIT_CONTROL" | "AUDIT_READ" => "controls or reads the kernel audit log",
        "WAKE_ALARM" | "BLOCK_SUSPEND" => "keeps the node awake",
        "SYS_NICE" => "raises priorities and moves other processes between CPUs",
        _ => "beyond the runtime's default set",
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            for cap in &c.capabilities_add {
                let normalized = cap.value.as_str();
                // Kubernetes: the name as written, which is what Pod Security compares.
                let written = match (w.format, cap.span()) {
                    (Format::Kubernetes, Some(span)) => written_scalar(cx.documents, &span),
                    _ => None,
                };
                let checked = written.unwrap_or(normalized);
                if BASELINE_CAPABILITIES.contains(&checked) {
                    continue;
                }
                // An OCI config lists the runtime's defaults too, and `NET_RAW` is one: the
                // baseline lets a Kubernetes container keep it (KS035 reports it).
                if w.format == Format::Oci && normalized == "NET_RAW" {
                    continue;
                }
                let span = cap.span().unwrap_or_else(|| c.anchor.clone());
                let who = container_label(w, c);
                let finding = if BASELINE_CAPABILITIES.contains(&normalized) {
                    let respell = replace_at(cx, &span, &Val::str(normalized))
                        .map(|e| Fix::safe(format!("Write it `{normalized}`"), to_edits(e)));
                    let finding = cx.finding(
                        &INFO,
                        span,
                        format!(
                            "{who} adds the capability `{checked}`, which the baseline allows only as `{normalized}`"
                        ),
                    )
                    .with_label("Pod Security compares capability names exactly")
                    .with_help(format!("write it as `{normalized}`"));
                    with_fix(finding, respell)
                } else if normalized == "ALL" {
                    let fix = fix(cx, w, c, &span);
                    with_fix(
                        cx.finding(&INFO, span, format!("{who} adds every capability"))
                            .with_label(power(normalized))
                            .with_help("remove it, and add back only the default capabilities the workload uses"),
                        fix,
                    )
                } else {
                    let fix = fix(cx, w, c, &span);
                    with_fix(
                        cx.finding(&INFO, span, format!("{who} adds the capability `{checked}`, beyond the baseline set"))
                            .with_label(power(normalized))
                            .with_help(
                                "remove it; the baseline allows only the runtime's defaults (CHOWN, SETUID, NET_BIND_SERVICE, …)",
                            ),
                        fix,
                    )
                };
                out.push(finding);
            }
        }
    }
}

/// Removes every added capability beyond the baseline set (for OCI, `NET_RAW` stays: it is a
/// runtime default the baseline lets a container keep), in one edit for the container.
fn fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture, at: &std::ops::Range<usize>) -> Option<Fix> {
    let oci = w.format == Format::Oci;
    let removed =
        remove_capabilities(cx, w, c, |name, _| !BASELINE_CAPABILITIES.contains(&name) && (!oci || name != "NET_RAW"))?;
    // A capability a Compose service inherits from the service it extends stays.
    if !removed.spans.contains(at) {
        return None;
    }
    let from = match w.format {
        Format::Kubernetes => "`capabilities.add`",
        Format::Compose => "`cap_add`",
        Format::Oci => "every capability set of the process",
    };
    Some(Fix::unsafe_(format!("Remove {} from {from}", listed(&removed.names)), to_edits(removed.edits)))
}

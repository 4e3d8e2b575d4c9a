use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{ContainerPosture, Format, Workload};

use super::{spelt_exactly, written};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{listed, remove_capabilities, replace_at, to_edits, with_fix};

declare_rule! {
    /// A container adds a capability other than `NET_BIND_SERVICE`.
    ///
    /// ## What it does
    /// Reports each capability in a container's `securityContext.capabilities.add` (regular,
    /// init and ephemeral containers) other than `NET_BIND_SERVICE`, at the capability. Like
    /// Pod Security Admission, it compares Kubernetes names exactly as written:
    /// `net_bind_service` and `CAP_NET_BIND_SERVICE` are reported too (admission rejects
    /// them, and containerd turns the latter into an unknown `CAP_CAP_NET_BIND_SERVICE`);
    /// Compose's runtime accepts any case and the `CAP_` prefix, so there they are not.
    /// This is the second half of the restricted Pod Security Standard's "Capabilities"
    /// control; KS017 is the first (drop `ALL`). A pod that declares `spec.os.name: windows`
    /// is exempt, as the standard makes this control Linux-only. For Compose services:
    /// `cap_add`. For OCI runtime configs, whose capability sets are absolute: every
    /// capability the process may hold (in its `bounding`, `inheritable` or `ambient` set),
    /// at its first mention.
    ///
    /// ## Why
    /// The restricted standard lets a container add back one capability only:
    /// `NET_BIND_SERVICE`, to bind ports below 1024 without root. Every other capability
    /// widens what a compromised process can do to the node: `SYS_ADMIN` is nearly root,
    /// `NET_ADMIN` reconfigures the pod's network, `SYS_PTRACE` reads other processes'
    /// memory, and even the runtime defaults (`CHOWN`, `SETUID`, `DAC_OVERRIDE`) help an
    /// attacker who got in as a non-root user. The baseline standard (KS006) allows the
    /// runtime defaults; the restricted one does not.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [ALL]
    ///     add: [NET_BIND_SERVICE, CHOWN]
    /// ```
    /// Use instead: change the files' owner at build time and keep only the capability the
    /// standard allows.
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [ALL]
    ///     add: [NET_BIND_SERVICE]
    /// ```
    ///
    /// ## Fix
    /// Every capability the container adds other than `NET_BIND_SERVICE` is removed, in one
    /// fix per container: from Kubernetes `capabilities.add` and Compose `cap_add` (the key goes
    /// when nothing is left), and, for an OCI config, whose capability sets are absolute, from
    /// each of its `bounding`, `effective`, `inheritable`, `permitted` and `ambient` sets, which
    /// then hold `NET_BIND_SERVICE` at most. A Kubernetes `net_bind_service` or
    /// `CAP_NET_BIND_SERVICE` is written `NET_BIND_SERVICE` instead.
    ///
    /// ## Fix safety
    /// Removing a capability is unsafe: the process loses the operation it allowed (changing
    /// file owners, switching users, binding raw sockets, …) and may fail when it gets there.
    /// Respelling `NET_BIND_SERVICE` is safe: the container gets the capability it asked for
    /// under the name the runtime and Pod Security admission understand, and gaining a
    /// capability cannot break a working process.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: "Capabilities"
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Kubernetes Benchmark 5.2.9; CIS Docker Benchmark 5.3; NIST SP 800-190 §4.4.3
    /// - <https://man7.org/linux/man-pages/man7/capabilities.7.html>
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct CapabilitiesAddBeyondNetBindService {
        code: "KS018",
        name: "capabilities-add-beyond-net-bind-service",
        severity: Error,
        tags: [
            "pss:restricted",
            "pss-control:capabilities",
            "privileges",
            "cis-docker:5.3",
            "cwe:250",
            "seed:least-privilege",
        ],
        equivalents: ["pss:restricted/capabilities", "kyverno:disallow-capabilities-strict", "trivy:KSV-0106"],
        fix: Varies,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in cx.workloads.iter().filter(|w| !w.is_windows()) {
        let remove = match w.format {
            Format::Kubernetes => "remove it from `capabilities.add`; grant the workload what it needs another way",
            Format::Compose => "remove it from `cap_add`; grant the workload what it needs another way",
            Format::Oci => {
                "remove it from every set of `process.capabilities`; grant the workload what it needs another way"
            }
        };
        for c in w.all_containers() {
            for cap in &c.capabilities_add {
                if spelt_exactly(cx, w, cap, "NET_BIND_SERVICE") {
                    continue;
                }
                let Some(span) = cap.span() else { continue };
                if cap.value == "NET_BIND_SERVICE" {
                    let raw = written(cx.file.text(), &span).unwrap_or(cap.value.as_str());
                    let respell = replace_at(cx, &span, &Val::str("NET_BIND_SERVICE"))
                        .map(|e| Fix::safe("Write it `NET_BIND_SERVICE`", to_edits(e)));
                    let finding = cx
                        .finding(
                            &INFO,
                            span,
                            format!(
                                "{} adds `{raw}`, a spelling of `NET_BIND_SERVICE` the restricted standard does not accept",
                                container_label(w, c)
                            ),
                        )
                        .with_label("Pod Security Admission accepts only `NET_BIND_SERVICE`, exactly")
                        .with_help("write it `NET_BIND_SERVICE`");
                    out.push(with_fix(finding, respell));
                    continue;
                }
                let (message, label) = if cap.value == "ALL" {
                    (format!("{} adds every capability", container_label(w, c)), "all of root's powers over the node")
                } else {
                    (
                        format!("{} adds the `{}` capability", container_label(w, c), cap.value),
                        "only `NET_BIND_SERVICE` may be added",
                    )
                };
                let fix = fix(cx, w, c, &span);
                out.push(with_fix(cx.finding(&INFO, span, message).with_label(label).with_help(remove), fix));
            }
        }
    }
}

/// Removes every added capability but `NET_BIND_SERVICE`, in one edit for the container.
fn fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture, at: &std::ops::Range<usize>) -> Option<Fix> {
    let removed = remove_capabilities(cx, w, c, |name, _| name != "NET_BIND_SERVICE")?;
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

use rampart_diagnostics::Fix;
use rampart_posture::{ContainerPosture, Format, Workload};

use super::util::by_format;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{listed, remove_capabilities, to_edits, with_fix};

declare_rule! {
    /// A container is given a capability that opens the way to the host.
    ///
    /// ## What it does
    /// Reports each of these capabilities in a container's added capabilities (Kubernetes
    /// `securityContext.capabilities.add` of regular, init and ephemeral containers, Compose
    /// `cap_add`, OCI `process.capabilities`), with or without the `CAP_` prefix, in any
    /// case, one finding per capability, at the name, saying what it allows: `ALL`,
    /// `SYS_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `SYS_RAWIO`, `SYS_BOOT`, `SYS_TIME`,
    /// `DAC_READ_SEARCH`, `NET_ADMIN`, `BPF`, `PERFMON`, `MAC_ADMIN`, `MAC_OVERRIDE`,
    /// `SYSLOG`. `NET_RAW` is KS035's; other capabilities outside the Pod Security Standards'
    /// baseline list are KS006's.
    ///
    /// ## Why
    /// Each of these lets a process in the container act on the kernel or on other processes
    /// rather than only on its own files: mount filesystems and escape through cgroups
    /// (`SYS_ADMIN`), load a kernel module (`SYS_MODULE`), inject code into another process
    /// (`SYS_PTRACE`), read any file of the host by handle (`DAC_READ_SEARCH`, the "shocker"
    /// escape), reprogram the network (`NET_ADMIN`) or the kernel with eBPF (`BPF`). Any one of
    /// them turns a compromised container into a compromised node.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: [SYS_ADMIN]
    /// ```
    /// Use instead: find the operation that needed it and give it another way — a FUSE
    /// device plugin instead of mounting, a CNI plugin instead of `NET_ADMIN` in the
    /// application — and drop all capabilities:
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [ALL]
    /// ```
    ///
    /// ## Fix
    /// Every capability of the list above that the container is given is removed, in one fix
    /// per container: from Kubernetes `capabilities.add` and Compose `cap_add` (the key goes when
    /// nothing is left), and, for an OCI config, whose capability sets are absolute, from each of
    /// its `bounding`, `effective`, `inheritable`, `permitted` and `ambient` sets.
    ///
    /// ## Fix safety
    /// Unsafe: the workload was given the capability for something it does (mounting, tracing,
    /// configuring the network), and that stops working. The fix is for workloads that were
    /// given it by habit or by a copied example; the others need the operation moved elsewhere
    /// first.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.3 "Ensure that Linux kernel capabilities are restricted
    ///   within containers"; CIS Kubernetes Benchmark 5.2.9
    /// - NIST SP 800-190 §4.4.3 (runtime configuration)
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - capabilities(7): <https://man7.org/linux/man-pages/man7/capabilities.7.html>
    pub struct DangerousCapabilityAdded {
        code: "KS034",
        name: "dangerous-capability-added",
        severity: Error,
        tags: ["privileges", "capabilities", "cis-docker:5.3", "cwe:250", "nist-800-190:4.4.3", "seed:least-privilege"],
        equivalents: ["trivy:KSV-0005", "trivy:KSV-0120", "checkov:CKV_K8S_39", "polaris:dangerousCapabilities"],
        fix: Unsafe,
    }
}

/// The capabilities reported, and what each allows.
const DANGEROUS: &[(&str, &str)] = &[
    ("ALL", "every capability: the kernel's permission checks no longer apply to root in the container"),
    ("SYS_ADMIN", "mounting filesystems and most of the kernel's administration: the classic container escape"),
    ("SYS_MODULE", "loading kernel modules: code in the node's kernel"),
    ("SYS_PTRACE", "tracing and injecting code into other processes"),
    ("SYS_RAWIO", "raw access to devices, I/O ports and kernel memory"),
    ("SYS_BOOT", "rebooting the node and loading a new kernel"),
    ("SYS_TIME", "setting the node's clock, shared by every container"),
    ("DAC_READ_SEARCH", "reading any file by handle, past the container's root (the \"shocker\" escape)"),
    ("NET_ADMIN", "reconfiguring the network: interfaces, routes, firewall rules, traffic interception"),
    ("BPF", "loading eBPF programs into the kernel"),
    ("PERFMON", "tracing the kernel and other processes with perf and eBPF"),
    ("MAC_ADMIN", "changing the AppArmor or SELinux policy"),
    ("MAC_OVERRIDE", "bypassing the AppArmor or SELinux policy"),
    ("SYSLOG", "reading the kernel log, with kernel addresses"),
];

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        let field = by_format(w, "capabilities.add", "cap_add", "the capability sets");
        for c in &w.containers {
            for cap in &c.capabilities_add {
                let Some((name, allows)) = DANGEROUS.iter().find(|(n, _)| *n == cap.value) else { continue };
                let fix = cap.span().and_then(|at| fix(cx, w, c, &at));
                out.push(with_fix(
                    cx.finding(
                        &INFO,
                        cap.span().unwrap_or_else(|| c.anchor.clone()),
                        format!("{} is given `{name}`", container_label(w, c)),
                    )
                    .with_label(format!("allows {allows}"))
                    .with_help(if *name == "ALL" {
                        format!("remove `ALL` from `{field}` and add only the capabilities the workload needs")
                    } else {
                        format!(
                            "remove `{name}` from `{field}` and give the operation that needed it another way; drop `ALL` and add back only what is needed"
                        )
                    }),
                    fix,
                ));
            }
        }
    }
}

/// Removes every dangerous capability the container is given, in one edit for the container.
fn fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture, at: &std::ops::Range<usize>) -> Option<Fix> {
    let removed = remove_capabilities(cx, w, c, |name, _| DANGEROUS.iter().any(|(n, _)| *n == name))?;
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

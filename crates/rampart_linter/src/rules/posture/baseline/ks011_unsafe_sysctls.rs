use rampart_posture::Format;

use crate::Finding;
use crate::manifest::{ManifestContext, per_format};

declare_rule! {
    /// A pod sets a sysctl outside the safe set.
    ///
    /// ## What it does
    /// Reports each `securityContext.sysctls[].name` of a pod that is not in the Pod Security
    /// Standards' safe set, at the name: `kernel.shm_rmid_forced`,
    /// `net.ipv4.ip_local_port_range`, `net.ipv4.ip_unprivileged_port_start`,
    /// `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
    /// `net.ipv4.ip_local_reserved_ports` (Kubernetes 1.27), `net.ipv4.tcp_keepalive_time`,
    /// `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
    /// `net.ipv4.tcp_keepalive_probes` (1.29), `net.ipv4.tcp_rmem` and `net.ipv4.tcp_wmem`
    /// (1.32). Compose `sysctls` and OCI `linux.sysctl` are checked against the same set.
    ///
    /// Names are compared exactly, as Pod Security admission does: the slash-separated form
    /// (`net/ipv4/ip_local_port_range`), which the kubelet accepts, is not in the set, and
    /// the message says to write it with dots. Compose and OCI runtimes are not Pod Security
    /// admission: there the slash-separated spelling of a safe name is not reported.
    ///
    /// ## Why
    /// A sysctl is safe when the kernel namespaces it per pod and it cannot affect other
    /// pods or the node. The others change kernel behaviour for the whole node (memory,
    /// networking, security knobs such as `kernel.core_pattern`), or let one pod starve the
    /// rest. The kubelet refuses them unless the node allows them
    /// (`--allowed-unsafe-sysctls`).
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: kernel.msgmax
    ///         value: "65536"
    /// ```
    /// Use instead: remove the sysctl, or tune the nodes themselves if the workload needs it.
    ///
    /// ## Fix safety
    /// No automatic fix: the workload may depend on the kernel setting. Writing a
    /// slash-separated safe name with dots would be safe, but rampart does not apply fixes to
    /// manifests yet.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "Sysctls"
    ///   <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - <https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/>
    pub struct UnsafeSysctls {
        code: "KS011",
        name: "unsafe-sysctls",
        severity: Error,
        tags: ["pss:baseline", "pss-control:sysctls", "isolation", "seed:isolation"],
        equivalents: [
            "pss:baseline/sysctls",
            "kyverno:restrict-sysctls",
            "trivy:KSV-0026",
            "kube-linter:unsafe-sysctls",
        ],
        fix: None,
    }
}

/// The safe sysctls of the Pod Security Standards (Kubernetes 1.32 and later).
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

/// `net/ipv4/ip_local_port_range` → `net.ipv4.ip_local_port_range`: the kubelet's other
/// spelling, where `/` separates components and `.` stands for a `/` inside one.
fn dotted(name: &str) -> Option<String> {
    if !name.contains('/') {
        return None;
    }
    Some(
        name.chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                c => c,
            })
            .collect(),
    )
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for (name, _value) in &w.sysctls {
            if SAFE_SYSCTLS.contains(&name.value.as_str()) {
                continue;
            }
            let span = name.span().unwrap_or_else(|| w.anchor.clone());
            let finding = match dotted(&name.value) {
                // Pod Security's exact comparison is Kubernetes's alone.
                Some(d) if SAFE_SYSCTLS.contains(&d.as_str()) && w.format != Format::Kubernetes => continue,
                Some(d) if SAFE_SYSCTLS.contains(&d.as_str()) => cx
                    .finding(&INFO, span, format!("{} sets the sysctl `{}`, which the baseline allows only as `{d}`", w.describe(), name.value))
                    .with_label("Pod Security compares sysctl names exactly")
                    .with_help(format!("write it as `{d}`")),
                _ => cx
                    .finding(&INFO, span, format!("{} sets the sysctl `{}`, outside the safe set", w.describe(), name.value))
                    .with_label(per_format(
                        w,
                        "not one the kernel isolates to the pod: it can reach the node or other pods",
                        "not one known to stay inside the container: kernel memory and the host's network stack are shared",
                        "not one known to stay inside the container: kernel memory and the host's network stack are shared",
                    ))
                    .with_help(per_format(
                        w,
                        "remove it, or tune the nodes; the kubelet refuses it unless the node allows it (`--allowed-unsafe-sysctls`)",
                        "remove it from `sysctls` unless the service needs it; then tune the host instead",
                        "remove it from `linux.sysctl` unless the process needs it; then tune the host instead",
                    )),
            };
            out.push(finding);
        }
    }
}

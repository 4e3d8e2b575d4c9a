use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{Format, Setting, Workload};

use crate::Finding;
use crate::manifest::{ManifestContext, per_format};
use crate::rules::posture::fix_pod::{FileEditor, compose_service, node, pod_spec, within};
use crate::rules::posture::oci_root;

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
    /// ## Fix
    /// Removes the sysctl: its entry of the pod's `securityContext.sysctls` (Kubernetes), of
    /// the service's `sysctls` (Compose, list or mapping; not of a service it `extends`), of
    /// `linux.sysctl` (OCI). A safe sysctl written with slashes in a Kubernetes pod is
    /// rewritten with dots instead.
    ///
    /// ## Fix safety
    /// Removing a sysctl is unsafe: the workload may depend on the kernel setting (a
    /// database's shared memory size, a proxy's connection backlog); it then has to be
    /// tuned on the nodes. Rewriting `net/ipv4/ip_local_port_range` as
    /// `net.ipv4.ip_local_port_range` is safe: the kubelet reads both spellings as the same
    /// sysctl, and only Pod Security admission tells them apart.
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
        fix: Varies,
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
                Some(d) if SAFE_SYSCTLS.contains(&d.as_str()) => {
                    let finding = cx
                        .finding(&INFO, span, format!("{} sets the sysctl `{}`, which the baseline allows only as `{d}`", w.describe(), name.value))
                        .with_label("Pod Security compares sysctl names exactly")
                        .with_help(format!("write it as `{d}`"));
                    let rename = name.span().and_then(|s| node(cx, &s)).and_then(|n| FileEditor::new(cx).replace(n, &Val::str(d.as_str())));
                    out.push(match rename {
                        Some(edits) => finding.with_fix(Fix::safe(format!("Write the sysctl as `{d}`"), edits)),
                        None => finding,
                    });
                    continue;
                }
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
            out.push(match remove(cx, w, name) {
                Some(edits) => finding.with_fix(Fix::unsafe_(format!("Remove the sysctl `{}`", name.value), edits)),
                None => finding,
            });
        }
    }
}

/// Removes the sysctl whose name is written at `name`'s span.
fn remove(cx: &ManifestContext<'_>, w: &Workload, name: &Setting<String>) -> Option<Vec<rampart_diagnostics::Edit>> {
    let span = name.span()?;
    let ed = FileEditor::new(cx);
    match w.format {
        Format::Kubernetes => {
            let list = pod_spec(cx, w)?.path(&["securityContext", "sysctls"])?;
            let index = list.items().iter().position(|i| i.get("name").is_some_and(|n| n.span == span))?;
            ed.remove_item(list, index)
        }
        Format::Compose => {
            let sysctls = compose_service(cx, w)?.get("sysctls")?;
            if sysctls.is_map() {
                let entry = sysctls.entries().iter().find(|e| e.key.span == span)?;
                ed.remove(sysctls, entry.key.as_str()?)
            } else {
                let index = sysctls.items().iter().position(|i| within(&i.span, &span))?;
                ed.remove_item(sysctls, index)
            }
        }
        Format::Oci => {
            let sysctl = oci_root(cx, w)?.path(&["linux", "sysctl"])?;
            let entry = sysctl.entries().iter().find(|e| e.key.span == span)?;
            ed.remove(sysctl, entry.key.as_str()?)
        }
    }
}

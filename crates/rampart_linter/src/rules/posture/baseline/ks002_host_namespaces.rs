use crate::Finding;
use crate::manifest::{ManifestContext, per_format};

declare_rule! {
    /// A workload shares the host's network, PID or IPC namespace.
    ///
    /// ## What it does
    /// Reports `hostNetwork: true`, `hostPID: true` and `hostIPC: true` on a pod (Kubernetes),
    /// and `network_mode: host`, `pid: host` and `ipc: host` on a Compose service, at the line
    /// that sets each; for an OCI runtime config, a missing `network`, `pid` or `ipc` entry in
    /// `linux.namespaces` (the process then shares the host's).
    ///
    /// ## Why
    /// In the host's network namespace a container can bind to the node's addresses, reach
    /// services listening on localhost and sniff traffic; in its PID namespace it can see and
    /// signal every process on the node (and read their environment); in its IPC namespace it
    /// can read other processes' shared memory.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    /// Use instead: remove `hostNetwork` and expose the port through a Service. In a Compose
    /// file, remove `network_mode: host` and publish the ports; in an OCI config, add the
    /// missing namespaces to `linux.namespaces`.
    ///
    /// ## Fix safety
    /// No automatic fix yet: a node agent may need the host's namespace by design.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "Host Namespaces"
    /// - CIS Kubernetes Benchmark 5.2.3, 5.2.4, 5.2.5; CIS Docker Benchmark 5.9, 5.15, 5.16
    pub struct HostNamespaces {
        code: "KS002",
        name: "host-namespaces",
        severity: Error,
        tags: ["pss:baseline", "pss-control:host-namespaces", "isolation", "cis-docker:5.9", "seed:isolation"],
        equivalents: [
            "pss:baseline/host-namespaces",
            "kyverno:disallow-host-namespaces",
            "trivy:KSV-0008",
            "trivy:KSV-0009",
            "trivy:KSV-0010",
            "kube-linter:host-network",
            "kube-linter:host-pid",
            "kube-linter:host-ipc",
            "polaris:hostNetworkSet",
            "polaris:hostPIDSet",
            "polaris:hostIPCSet",
            "checkov:CKV_K8S_17",
            "checkov:CKV_K8S_18",
            "checkov:CKV_K8S_19",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for (setting, ty, what, risk, kubernetes, compose) in [
            (
                &w.host_network,
                "network",
                "network",
                "it can bind to the node's addresses and reach services on its localhost",
                "remove it and expose the ports through a Service",
                "remove `network_mode: host` and publish the ports the service needs (`ports:`)",
            ),
            (
                &w.host_pid,
                "pid",
                "PID",
                "it can see and signal every process on the node",
                "remove it; to see the other containers of the pod, `shareProcessNamespace: true` is enough",
                "remove `pid: host`; to see another service's processes, `pid: \"service:<name>\"` is enough",
            ),
            (
                &w.host_ipc,
                "ipc",
                "IPC",
                "it can read other processes' shared memory",
                "remove it",
                "remove `ipc: host`; to share memory with another service, `ipc: \"service:<name>\"` is enough",
            ),
        ] {
            if !setting.value {
                continue;
            }
            let span = setting.span().unwrap_or_else(|| w.anchor.clone());
            let oci = if setting.is_explicit() {
                format!("remove the `path` of the `{ty}` namespace: it joins the host's")
            } else {
                format!("add `{{\"type\": \"{ty}\"}}` to `linux.namespaces`")
            };
            out.push(
                cx.finding(&INFO, span, format!("{} shares the host's {what} namespace", w.describe()))
                    .with_label(per_format(w, risk, &risk.replace("node", "host"), &risk.replace("node", "host")))
                    .with_help(per_format(w, kubernetes, compose, &oci)),
            );
        }
    }
}

use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{Format, Setting, Workload};

use crate::Finding;
use crate::manifest::{ManifestContext, per_format};
use crate::rules::posture::fix_pod::{FileEditor, compose_service, entry_with_value, pod_spec};
use crate::rules::posture::oci_root;

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
    /// ## Fix
    /// Kubernetes: removes `hostNetwork: true`, `hostPID: true` or `hostIPC: true` from the
    /// pod spec. Compose: removes `network_mode: host`, `pid: host` or `ipc: host` from the
    /// service (not from a service it `extends`, which others may share: no fix then). OCI:
    /// adds the missing entry (`{"type": "network"}`) to `linux.namespaces`, creating the list
    /// if needed, or removes the `path` that joins PID 1's namespace.
    ///
    /// ## Fix safety
    /// Unsafe: a node agent may need the host's namespace by design (a CNI plugin, a node
    /// exporter reading every process, a tool sharing memory with a host process), and a
    /// pod that served on the node's addresses is reached through a Service afterwards. In
    /// Compose, the ports a `network_mode: host` service listened on must be published; an
    /// OCI process in a new network namespace has only a loopback interface until something
    /// wires it.
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
        fix: Unsafe,
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
            let mut finding = cx
                .finding(&INFO, span, format!("{} shares the host's {what} namespace", w.describe()))
                .with_label(per_format(w, risk, &risk.replace("node", "host"), &risk.replace("node", "host")))
                .with_help(per_format(w, kubernetes, compose, &oci));
            if let Some(fix) = fix(cx, w, setting, ty) {
                finding = finding.with_fix(fix);
            }
            out.push(finding);
        }
    }
}

/// Removes the setting that shares the host's namespace `ty` (`network`, `pid`, `ipc`), or
/// gives an OCI process a namespace of its own.
fn fix(cx: &ManifestContext<'_>, w: &Workload, setting: &Setting<bool>, ty: &str) -> Option<Fix> {
    let ed = FileEditor::new(cx);
    match w.format {
        Format::Kubernetes => {
            let spec = pod_spec(cx, w)?;
            let entry = entry_with_value(spec, &setting.span()?)?;
            let key = entry.key.as_str()?;
            Some(Fix::unsafe_(format!("Remove `{key}`"), ed.remove(spec, key)?))
        }
        Format::Compose => {
            let service = compose_service(cx, w)?;
            let entry = entry_with_value(service, &setting.span()?)?;
            let key = entry.key.as_str()?;
            Some(Fix::unsafe_(format!("Remove `{key}: host`"), ed.remove(service, key)?))
        }
        Format::Oci => {
            let root = oci_root(cx, w)?;
            if setting.is_explicit() {
                let span = setting.span()?;
                let namespaces = root.path(&["linux", "namespaces"])?;
                let item = namespaces.items().iter().find(|n| n.get("path").is_some_and(|p| p.span == span))?;
                Some(Fix::unsafe_(
                    format!("Remove the `path` of the `{ty}` namespace: the process gets a namespace of its own"),
                    ed.remove(item, "path")?,
                ))
            } else {
                let entry = Val::Map(vec![("type".to_string(), Val::str(ty))]);
                Some(Fix::unsafe_(
                    format!("Add `{{\"type\": \"{ty}\"}}` to `linux.namespaces`"),
                    ed.append(root, &["linux", "namespaces"], &entry)?,
                ))
            }
        }
    }
}

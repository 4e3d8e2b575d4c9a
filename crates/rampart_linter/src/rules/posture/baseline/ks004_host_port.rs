use rampart_diagnostics::Fix;
use rampart_posture::Port;

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_pod::{FileEditor, node};

declare_rule! {
    /// A container opens a port on the node itself (`hostPort`).
    ///
    /// ## What it does
    /// Reports every `ports[].hostPort` other than `0` on a container (regular, init and
    /// ephemeral containers of every Kubernetes workload kind), at the value.
    ///
    /// Compose ports published on the host (`"8080:80"`) are not reported: publishing is how
    /// Compose exposes a service (there is no Service to use instead), through Docker's proxy
    /// and NAT rules, with the container in its own network namespace. An OCI runtime config
    /// has no ports: whoever creates its network namespace wires them.
    ///
    /// ## Why
    /// A host port binds the node's own addresses: the pod is reachable from wherever the
    /// node is, bypassing Services and most network policies, and it can take a port that a
    /// node service (DNS on 53, say) should own. It also pins the pod: two pods with the same
    /// host port cannot share a node.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: dns
    ///     image: registry.example.com/dns:2.1.0
    ///     ports:
    ///       - containerPort: 5353
    ///         hostPort: 53
    /// ```
    /// Use instead: drop `hostPort` and expose the pod through a Service (of type
    /// `NodePort` or `LoadBalancer` when it must be reachable from outside the cluster).
    ///
    /// ## Fix
    /// Removes `hostPort` from the port entry, and its `hostIP` (which only says where the
    /// host port listens); `containerPort` stays, so a Service can route to it.
    ///
    /// ## Fix safety
    /// Unsafe: removing `hostPort` changes how clients reach the pod. Whatever connected to
    /// the node's port (a DNS resolver on port 53, an ingress controller on 80 and 443) must
    /// go through a Service (`NodePort` or `LoadBalancer` when it comes from outside the
    /// cluster), which the fix does not create.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "Host Ports"
    ///   <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Kubernetes Benchmark 5.2.13
    pub struct HostPort {
        code: "KS004",
        name: "host-port",
        severity: Error,
        tags: ["pss:baseline", "pss-control:host-ports", "isolation", "seed:isolation"],
        equivalents: [
            "pss:baseline/host-ports",
            "kyverno:disallow-host-ports",
            "trivy:KSV-0024",
            "polaris:hostPortSet",
            "checkov:CKV_K8S_26",
        ],
        fix: Unsafe,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            for port in &c.ports {
                let Some(host) = &port.host_port else { continue };
                if host.value == 0 {
                    continue;
                }
                let span = host.span().unwrap_or_else(|| port.span.clone());
                let label = match port.container_port {
                    Some(p) if p != host.value => format!("port {} of the node, forwarded to port {p}", host.value),
                    _ => format!("port {} of the node itself", host.value),
                };
                let mut finding = cx
                    .finding(&INFO, span, format!("{} opens port {} on the node", container_label(w, c), host.value))
                    .with_label(label)
                    .with_help("remove `hostPort` and reach the pod through a Service");
                if let Some(fix) = fix(cx, port) {
                    finding = finding.with_fix(fix);
                }
                out.push(finding);
            }
        }
    }
}

fn fix(cx: &ManifestContext<'_>, port: &Port) -> Option<Fix> {
    let ed = FileEditor::new(cx);
    let entry = node(cx, &port.span).filter(|n| n.is_map())?;
    let mut edits = ed.remove(entry, "hostPort")?;
    // `hostIP` only says where the host port listens. In a flow mapping the two removals
    // may share a separator: then `hostIP` stays (it is harmless alone).
    if let Some(more) = entry.get("hostIP").and_then(|_| ed.remove(entry, "hostIP"))
        && !more.iter().any(|m| edits.iter().any(|e| m.span.start < e.span.end && e.span.start < m.span.end))
    {
        edits.extend(more);
    }
    let message = match port.container_port {
        Some(p) => format!("Remove `hostPort`: port {p} stays reachable through a Service"),
        None => "Remove `hostPort`".to_string(),
    };
    Some(Fix::unsafe_(message, edits))
}

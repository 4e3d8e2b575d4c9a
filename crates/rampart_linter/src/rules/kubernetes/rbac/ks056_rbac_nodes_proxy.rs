use super::common::{grants, quoted};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A Role or ClusterRole grants access to `nodes/proxy`, the kubelet's API.
    ///
    /// ## What it does
    /// Reports a rule of a Role or ClusterRole that grants any verb on `nodes/proxy` in the
    /// core API group, through `nodes/proxy` itself, `*/proxy` or `*` resources, pointing at
    /// the resource. `nodes` alone does not grant the subresource and is not reported.
    /// `resourceNames` narrows the grant to named nodes; it is still reported, with the names.
    ///
    /// Not reported: every verb on every resource (`*` and `*`), which [KS050](KS050.md)
    /// reports, and the `rules` of a ClusterRole with an `aggregationRule`. (`nodes/proxy` is
    /// cluster-scoped: in a Role it grants nothing, and is not reported.)
    ///
    /// ## Why
    /// `nodes/proxy` forwards requests to the kubelet of a node, whose API runs commands in
    /// any container on it (`/exec`, `/run`), bypassing the audit log's view of `pods/exec`
    /// and admission control. Even `get` is enough: the kubelet authorizes WebSocket
    /// upgrades, which `get` opens, as reads. Monitoring agents that asked for it to read
    /// metrics should read `nodes/metrics` or `nodes/stats` instead.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRole
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["nodes", "nodes/proxy"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    /// Use instead:
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["nodes", "nodes/metrics", "nodes/stats"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: a human checks what the subject reads through the proxy and which
    /// narrower subresource serves it.
    ///
    /// ## References
    /// - Kubernetes, "Role Based Access Control Good Practices", Access to proxy subresource of Nodes: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes>
    /// - Kubernetes, "Kubelet authentication/authorization": <https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/>
    /// - CWE-269: Improper Privilege Management
    pub struct RbacNodesProxy {
        code: "KS056",
        name: "rbac-nodes-proxy",
        severity: Error,
        tags: ["rbac", "least-privilege", "cwe:269", "seed:least-privilege"],
        equivalents: ["trivy:KSV-0047"],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for g in grants(cx) {
        if g.grants_everything() || g.role.kind != "ClusterRole" || g.verbs.is_empty() {
            continue;
        }
        let Some(m) = g.any_resource("", &["nodes/proxy"]) else { continue };
        let verbs: Vec<&str> = g.verbs.iter().filter_map(|v| v.as_str()).collect();
        let nodes = if g.is_narrowed() { format!("nodes {}", quoted(&g.names())) } else { "every node".to_string() };
        out.push(
            cx.finding(
                &INFO,
                m.item.span.clone(),
                format!("{} grants {} on {}{}", g.role.describe(), quoted(&verbs), m.describe(), g.only()),
            )
            .with_label(format!("the kubelet API of {nodes}: commands in any of their containers"))
            .with_help("read `nodes/metrics` or `nodes/stats` instead, or remove the grant"),
        );
    }
}

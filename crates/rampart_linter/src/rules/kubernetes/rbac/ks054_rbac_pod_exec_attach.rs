use super::common::{describe_matches, grants, quoted, verbs_text};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A Role or ClusterRole can exec into or attach to pods.
    ///
    /// ## What it does
    /// Reports a rule of a Role or ClusterRole that grants `create` or `get` (or `*`) on
    /// `pods/exec` or `pods/attach` in the core API group, through the subresource itself,
    /// `*/exec`, `*/attach` or `*` resources, pointing at the resource. Both verbs count:
    /// a session opened over SPDY is authorized as `create`, one opened over WebSockets (which
    /// recent `kubectl` versions use) as `get`. `pods` alone does not grant its subresources
    /// and is not reported.
    ///
    /// `resourceNames` narrows the grant to named pods; it is still reported, with the names:
    /// a shell in those pods is still a shell.
    ///
    /// Not reported: every verb on every resource (`*` and `*`), which [KS050](KS050.md)
    /// reports, and the `rules` of a ClusterRole with an `aggregationRule`.
    ///
    /// ## Why
    /// Exec and attach run commands inside a container: with its service-account token, its
    /// mounted Secrets, its network position and whatever privileges it runs with. Whoever
    /// holds them holds everything the pods hold. They are debugging tools for humans, and a
    /// workload's service account rarely needs them.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Role
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "pods/exec"]
    ///     verbs: ["get", "create"]
    /// ```
    /// Use instead: grant exec to people through a separate, audited role bound only when
    /// needed, and keep it out of service accounts.
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "pods/log"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: a human decides who needs a shell in which pods.
    ///
    /// ## References
    /// - Kubernetes, "Role Based Access Control Good Practices": <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
    /// - CWE-269: Improper Privilege Management
    pub struct RbacPodExecAttach {
        code: "KS054",
        name: "rbac-pod-exec-attach",
        severity: Warning,
        tags: ["rbac", "least-privilege", "cwe:269", "seed:least-privilege"],
        equivalents: ["trivy:KSV-0053", "trivy:KSV-0054", "polaris:clusterrolePodExecAttach"],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for g in grants(cx) {
        if g.grants_everything() || !g.in_group("") {
            continue;
        }
        let verbs = g.verbs(&["create", "get"], false);
        if verbs.is_empty() {
            continue;
        }
        let matched: Vec<_> = ["pods/exec", "pods/attach"].into_iter().filter_map(|r| g.resource(r)).collect();
        let Some(first) = matched.first() else { continue };
        let what = describe_matches(&matched);
        let pods = if g.is_narrowed() { format!("pods {}", quoted(&g.names())) } else { "any pod".to_string() };
        out.push(
            cx.finding(
                &INFO,
                first.item.span.clone(),
                format!("{} grants {} on {what}{}", g.role.describe(), verbs_text(&g, &verbs), g.only()),
            )
            .with_label(format!("a shell in {pods}, with its service-account token, Secrets and privileges"))
            .with_help("keep exec and attach out of workload roles; grant them to people through a separate role"),
        );
    }
}

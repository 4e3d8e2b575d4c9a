use super::common::{describe_matches, grants, verbs_text};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A Role or ClusterRole can create or change pods or workload controllers.
    ///
    /// ## What it does
    /// Reports a rule of a Role or ClusterRole that grants `create`, `update` or `patch` (or
    /// `*`) on pods or on a controller that makes pods: `pods` and `replicationcontrollers`
    /// in the core group, `deployments`, `daemonsets`, `statefulsets` and `replicasets` in
    /// `apps`, `jobs` and `cronjobs` in `batch` (the group must match: `deployments` in
    /// `apiGroups: [""]` grants nothing). It points at the resource and lists the verbs.
    ///
    /// `resourceNames` narrows the grant: `create` is then not granted at all (a new object
    /// has no name when the request is authorized), and `update` or `patch` of the named
    /// workloads is still reported, with the names: changing a Deployment's pod template is
    /// running new code as that Deployment. Subresources (`deployments/scale`,
    /// `pods/status`) are not matched by their parent and are not reported.
    ///
    /// Not reported: every verb on every resource (`*` and `*`), which [KS050](KS050.md)
    /// reports, and the `rules` of a ClusterRole with an `aggregationRule`.
    ///
    /// ## Why
    /// Whoever writes a pod spec chooses what runs and with what: any image, any service
    /// account of the namespace (and so its token and permissions), any Secret or ConfigMap
    /// of the namespace as a volume, and, wherever Pod Security admission allows it, host
    /// namespaces and host paths, which is the node. Creating workloads is a privilege
    /// escalation path that RBAC's own checks do not see.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Role
    /// rules:
    ///   - apiGroups: ["", "apps"]
    ///     resources: ["pods", "deployments"]
    ///     verbs: ["create", "update", "patch", "delete"]
    /// ```
    /// Use instead: read access for the workload itself; deployments done by a CI identity
    /// confined to its namespace with a restricted Pod Security level.
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["", "apps"]
    ///     resources: ["pods", "deployments"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: deployers and operators need these verbs; whether this subject is
    /// one is for a human to decide.
    ///
    /// ## References
    /// - Kubernetes, "Role Based Access Control Good Practices", Workload creation: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation>
    /// - CIS Kubernetes Benchmark 5.1.4 "Minimize access to create pods"
    /// - CWE-269: Improper Privilege Management
    pub struct RbacWorkloadCreation {
        code: "KS055",
        name: "rbac-workload-creation",
        severity: Warning,
        tags: ["rbac", "least-privilege", "cis-k8s:5.1.4", "cwe:269", "seed:least-privilege"],
        equivalents: ["trivy:KSV-0048", "kube-linter:access-to-create-pods"],
        fix: None,
    }
}

/// The kinds that make pods, by API group.
const WORKLOADS: &[(&str, &[&str])] = &[
    ("", &["pods", "replicationcontrollers"]),
    ("apps", &["deployments", "daemonsets", "statefulsets", "replicasets"]),
    ("batch", &["jobs", "cronjobs"]),
];

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for g in grants(cx) {
        if g.grants_everything() {
            continue;
        }
        let verbs = g.verbs(&["create", "update", "patch"], true);
        if verbs.is_empty() {
            continue;
        }
        let matched: Vec<_> = WORKLOADS
            .iter()
            .filter(|(group, _)| g.in_group(group))
            .flat_map(|(_, kinds)| kinds.iter().filter_map(|k| g.resource(k)))
            .collect();
        let Some(at) = matched.iter().min_by_key(|m| m.item.span.start) else { continue };
        out.push(
            cx.finding(
                &INFO,
                at.item.span.clone(),
                format!(
                    "{} grants {} on {}{}",
                    g.role.describe(),
                    verbs_text(&g, &verbs),
                    describe_matches(&matched),
                    g.only()
                ),
            )
            .with_label("the pods it writes can run any image with any service account and Secret of the namespace")
            .with_help("grant read access only, and leave deployments to a confined CI identity"),
        );
    }
}

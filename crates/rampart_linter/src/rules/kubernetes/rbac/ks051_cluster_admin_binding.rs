use super::common::{Subject, bindings, control_plane_identity};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A binding grants the `cluster-admin` ClusterRole to a user, group or service account.
    ///
    /// ## What it does
    /// Reports a ClusterRoleBinding or RoleBinding whose `roleRef` is the ClusterRole
    /// `cluster-admin`, once per binding, at the role's name, naming the subjects. In a
    /// RoleBinding, `cluster-admin` is full control of the binding's namespace; in a
    /// ClusterRoleBinding, of the whole cluster.
    ///
    /// Not reported: subjects that are the cluster's own control-plane identities, users and
    /// groups named `system:…` such as the `system:masters` group the API server binds by
    /// default. The groups that stand for everyone (`system:authenticated`,
    /// `system:unauthenticated`, `system:serviceaccounts`, `system:serviceaccounts:<ns>`),
    /// the `system:anonymous` user, nodes (`system:nodes`, `system:node:<name>`) and service
    /// accounts written as users (`system:serviceaccount:<ns>:<name>`) are reported. A Role
    /// that happens to be named `cluster-admin` is not the built-in one and is not reported.
    ///
    /// ## Why
    /// `cluster-admin` is every verb on every resource: whoever holds it reads every Secret,
    /// runs any pod on any node, and grants itself anything else. A service account with it
    /// turns any compromise of one of its pods (an RCE in the application, a leaked token)
    /// into a compromise of the cluster. Operators and CI deployers are the usual cases; they
    /// need a role with the resources they manage.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: ci-deployer
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: deployer
    ///     namespace: ci
    /// ```
    /// Use instead: a ClusterRole listing what the deployer manages, bound with RoleBindings
    /// in the namespaces it deploys to.
    ///
    /// ## Fix safety
    /// No automatic fix: what the subject needs is for a human to decide (its audit log
    /// shows what it uses).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.1 "Ensure that the cluster-admin role is only used where required"
    /// - Kubernetes, "Role Based Access Control Good Practices": <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct ClusterAdminBinding {
        code: "KS051",
        name: "cluster-admin-binding",
        severity: Error,
        tags: ["rbac", "least-privilege", "cis-k8s:5.1.1", "cwe:250", "seed:least-privilege"],
        equivalents: [
            "trivy:KSV-0111",
            "kube-linter:cluster-admin-role-binding",
            "polaris:clusterrolebindingClusterAdmin",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for b in bindings(cx) {
        if b.role_kind != "ClusterRole" || b.role_name != "cluster-admin" {
            continue;
        }
        let subjects: Vec<&Subject<'_>> = b.subjects.iter().filter(|s| !control_plane_identity(s)).collect();
        if subjects.is_empty() {
            continue;
        }
        let shown: Vec<String> = subjects.iter().take(3).map(|s| s.describe()).collect();
        let mut who = match shown.len() {
            1 => shown[0].clone(),
            n => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
        };
        if subjects.len() > 3 {
            who = format!("{}, and {} more", shown.join(", "), subjects.len() - 3);
        }
        let (label, scope) = match (b.kind, b.namespace) {
            ("RoleBinding", Some(ns)) => (
                format!("full control of namespace `{ns}`: its Secrets, pods and RBAC"),
                format!(" in namespace `{ns}`"),
            ),
            ("RoleBinding", None) => {
                ("full control of the namespace it is applied to".to_string(), " in its namespace".to_string())
            }
            _ => ("full control of the cluster".to_string(), String::new()),
        };
        out.push(
            cx.finding(
                &INFO,
                b.role_span.clone(),
                format!("{} `{}` grants `cluster-admin`{scope} to {who}", b.kind, b.name),
            )
            .with_label(label)
            .with_help("bind a role that lists only the resources and verbs these subjects need"),
        );
    }
}

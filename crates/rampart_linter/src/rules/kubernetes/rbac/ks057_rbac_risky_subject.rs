use super::common::{DISCOVERY_ROLES, bindings, broad_identity};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A binding grants a role to a subject that stands for more than one workload or person.
    ///
    /// ## What it does
    /// Reports each subject of a RoleBinding or ClusterRoleBinding that is:
    /// - the `default` ServiceAccount of a namespace (also written as the user
    ///   `system:serviceaccount:<ns>:default`): every pod of the namespace that names no
    ///   service account runs as it;
    /// - the user `system:anonymous` or the group `system:unauthenticated`: every request
    ///   without credentials;
    /// - the group `system:authenticated`, `system:serviceaccounts` or
    ///   `system:serviceaccounts:<ns>`: every user, every service account of the cluster, or
    ///   of the namespace;
    /// - the group `system:masters`.
    ///
    /// It points at the subject's name.
    ///
    /// Not reported: bindings of the discovery roles the API server grants everyone
    /// (`system:discovery`, `system:basic-user`, `system:public-info-viewer`), and the
    /// API server's own default bindings (labelled `kubernetes.io/bootstrapping: rbac-defaults`),
    /// such as `cluster-admin` to `system:masters`.
    ///
    /// ## Why
    /// A role bound to the `default` service account goes to every pod of the namespace
    /// that forgot to name its own, so the pod that least needs the permissions gets them
    /// too. A role bound to the anonymous or all-authenticated groups goes to anyone who can
    /// reach the API server: this is how clusters end up readable from the internet. Members
    /// of `system:masters` bypass authorization entirely and cannot be removed by deleting a
    /// binding: a binding naming the group grants nothing more, but says that credentials in
    /// it are in use, which should not be the case outside break-glass access.
    ///
    /// ## Example
    /// ```yaml
    /// kind: RoleBinding
    /// metadata:
    ///   name: read-config
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: config-reader
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: default
    /// ```
    /// Use instead: a service account for the workload that needs the role, named in its
    /// pod spec (`serviceAccountName: config-reader`).
    ///
    /// ## Fix safety
    /// No automatic fix: the workloads that relied on the broad subject must be given their
    /// own service account first.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.5 "Ensure that default service accounts are not actively used"
    /// - Kubernetes, "Role Based Access Control Good Practices": <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
    /// - CWE-284: Improper Access Control
    pub struct RbacRiskySubject {
        code: "KS057",
        name: "rbac-risky-subject",
        severity: Error,
        tags: ["rbac", "least-privilege", "cis-k8s:5.1.5", "cwe:284", "seed:least-privilege"],
        equivalents: ["trivy:KSV-0122", "trivy:KSV-0123"],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for b in bindings(cx) {
        if b.bootstrap_default || (b.role_kind == "ClusterRole" && DISCOVERY_ROLES.contains(&b.role_name)) {
            continue;
        }
        for s in &b.subjects {
            let (who, label) = if let Some(who) = broad_identity(s) {
                (s.describe(), who.to_string())
            } else if s.kind == "Group" && s.name == "system:masters" {
                (s.describe(), "the group bypasses authorization; its members need no binding".to_string())
            } else if s.kind == "ServiceAccount" && s.name == "default" {
                let ns = s.namespace.map_or("the namespace".to_string(), |n| format!("namespace `{n}`"));
                (s.describe(), format!("every pod of {ns} that names no service account runs as it"))
            } else if let Some((ns, "default")) = s.service_account_user() {
                (
                    s.describe(),
                    format!(
                        "the `default` service account: every pod of namespace `{ns}` that names no other runs as it"
                    ),
                )
            } else {
                continue;
            };
            out.push(
                cx.finding(&INFO, s.name_span.clone(), format!("{} grants {} to {who}", b.describe(), b.role()))
                    .with_label(label)
                    .with_help(if s.kind == "Group" && s.name == "system:masters" {
                        "remove the subject: grant people a role of their own, and keep `system:masters` for break-glass"
                    } else {
                        "bind the role to a dedicated service account (or user, or group) that needs it"
                    }),
            );
        }
    }
}

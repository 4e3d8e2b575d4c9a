use super::common::{grants, quoted, verbs_text};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A Role or ClusterRole can read Secrets.
    ///
    /// ## What it does
    /// Reports a rule of a Role or ClusterRole that grants `get`, `list` or `watch` (or `*`)
    /// on `secrets` in the core API group (`""` or `*`), through `secrets` or `*` resources,
    /// pointing at the resource. A ClusterRole bound with a ClusterRoleBinding reads the
    /// Secrets of every namespace; a Role, those of its own.
    ///
    /// Not reported:
    /// - a rule narrowed by `resourceNames` to named Secrets: reading one's own Secret by
    ///   name is the least-privilege way to do it;
    /// - `secrets` in another API group (`apiGroups: ["apps"]` grants nothing on Secrets);
    /// - every verb on every resource (`*` and `*`): [KS050](KS050.md) reports it;
    /// - the `rules` of a ClusterRole with an `aggregationRule` (overwritten by the
    ///   controller; the aggregated ClusterRoles are checked).
    ///
    /// ## Why
    /// Secrets hold service-account tokens, registry credentials, TLS keys and database
    /// passwords. `list` and `watch` return every Secret's data, not only its name, so a
    /// subject that may list Secrets holds every credential of the namespace (of the cluster,
    /// for a ClusterRole bound cluster-wide), including tokens of more privileged service
    /// accounts: it is a privilege escalation path.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Role
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["secrets"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    /// Use instead: name the Secrets the workload reads, or mount them into its pods.
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["secrets"]
    ///     resourceNames: ["app-database"]
    ///     verbs: ["get"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which Secrets the subject reads is known from its code or audit
    /// log, not from the manifest.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.2 "Minimize access to secrets"
    /// - Kubernetes, "Role Based Access Control Good Practices", Listing secrets: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets>
    /// - CWE-522: Insufficiently Protected Credentials
    pub struct RbacSecretsRead {
        code: "KS052",
        name: "rbac-secrets-read",
        severity: Warning,
        tags: ["rbac", "secrets", "least-privilege", "cis-k8s:5.1.2", "cwe:522", "seed:least-privilege"],
        equivalents: ["trivy:KSV-0041", "trivy:KSV-0113", "kube-linter:access-to-secrets"],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for g in grants(cx) {
        if g.grants_everything() || g.is_narrowed() {
            continue;
        }
        let Some(m) = g.any_resource("", &["secrets"]) else { continue };
        let verbs = g.verbs(&["get", "list", "watch"], true);
        if verbs.is_empty() {
            continue;
        }
        let bulk: Vec<&str> = verbs.iter().copied().filter(|v| *v != "get").collect();
        let mut label = if !bulk.is_empty() {
            format!(
                "{} return{} the data of every Secret, not only names",
                quoted(&bulk),
                if bulk.len() == 1 { "s" } else { "" }
            )
        } else {
            "`get` returns the data of any Secret whose name is known".to_string()
        };
        if g.role.kind == "ClusterRole" {
            label.push_str(", in every namespace when bound cluster-wide");
        }
        out.push(
            cx.finding(
                &INFO,
                m.item.span.clone(),
                format!("{} can read Secrets: {} on {}", g.role.describe(), verbs_text(&g, &verbs), m.describe()),
            )
            .with_label(label)
            .with_help("name the Secrets it needs in `resourceNames`, or mount them into the pods that use them"),
        );
    }
}

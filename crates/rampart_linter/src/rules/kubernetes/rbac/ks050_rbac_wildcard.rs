use super::common::{grants, quoted};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A Role or ClusterRole rule grants `*` verbs, resources or API groups.
    ///
    /// ## What it does
    /// Reports each entry of a Role's or ClusterRole's `rules` that writes `*` in `verbs`,
    /// `resources` or `apiGroups`, once per entry, pointing at the `*` (the one in `resources`
    /// first, then `verbs`, then `apiGroups`). The message says which of the three are
    /// wildcards; `*` verbs on `*` resources is every permission there is, cluster-admin (in
    /// a ClusterRole) or namespace admin.
    ///
    /// Not reported:
    /// - entries with only `nonResourceURLs` (`/healthz`, `/metrics`): they grant no access
    ///   to objects;
    /// - `*` verbs on named objects of named resources (`resourceNames` narrows the grant to
    ///   a few objects of one kind, such as a leader-election ConfigMap);
    /// - the `rules` of a ClusterRole with an `aggregationRule`: the controller overwrites
    ///   them with the rules of the ClusterRoles it aggregates, which are checked where they
    ///   are written. A ClusterRole labelled `rbac.authorization.k8s.io/aggregate-to-view`
    ///   (or `-edit`, `-admin`) is reported with the built-in role its rules are added to.
    ///
    /// ## Why
    /// A wildcard grants more than anyone reviewed: every verb includes `escalate`, `bind`
    /// and `impersonate`; every resource includes Secrets, `pods/exec` and `nodes/proxy`; and
    /// both cover resources and API groups added later (every CRD installed after the role).
    /// A role written with wildcards is a role no one can reason about.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: deployer
    /// rules:
    ///   - apiGroups: ["*"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    /// Use instead: list the groups, resources and verbs the subject needs.
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "list", "watch", "update", "patch"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which verbs and resources the subject really uses is known from its
    /// audit log (or `kubectl auth can-i --list`), not from the manifest.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.3 "Minimize wildcard use in Roles and ClusterRoles"
    /// - Kubernetes, "Role Based Access Control Good Practices": <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
    /// - CWE-269: Improper Privilege Management
    pub struct RbacWildcard {
        code: "KS050",
        name: "rbac-wildcard",
        severity: Warning,
        tags: ["rbac", "least-privilege", "cis-k8s:5.1.3", "cwe:269", "seed:least-privilege"],
        equivalents: [
            "trivy:KSV-0044",
            "trivy:KSV-0045",
            "trivy:KSV-0046",
            "kube-linter:wildcard-in-rules",
            "checkov:CKV_K8S_49",
        ],
        fix: None,
    }
}

fn star<'a>(items: &[&'a rampart_yaml::Node]) -> Option<&'a rampart_yaml::Node> {
    items.iter().copied().find(|i| i.as_str() == Some("*"))
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for g in grants(cx) {
        let (resources, verbs, groups) = (star(&g.resources), star(&g.verbs), star(&g.api_groups));
        if g.verbs.is_empty() || g.resources.is_empty() || (resources.is_none() && groups.is_none() && g.is_narrowed())
        {
            continue;
        }
        let Some(at) = resources.or(verbs).or(groups) else { continue };
        let mut fields = Vec::new();
        for (node, field) in [(verbs, "verbs"), (resources, "resources"), (groups, "apiGroups")] {
            if node.is_some() {
                fields.push(field);
            }
        }
        let what = match (verbs.is_some(), resources.is_some()) {
            (true, true) => {
                let scope = if g.role.kind == "ClusterRole" { "in the cluster" } else { "in its namespace" };
                format!("every verb on every resource: all permissions {scope}")
            }
            (false, true) => {
                let scope = if groups.is_some() {
                    "every resource".to_string()
                } else {
                    let named: Vec<String> = g
                        .api_groups
                        .iter()
                        .filter_map(|n| n.as_str())
                        .map(|n| if n.is_empty() { "core".to_string() } else { format!("`{n}`") })
                        .collect();
                    let plural = if named.len() == 1 { "" } else { "s" };
                    format!("every resource of the {} API group{plural}", named.join(", "))
                };
                let secrets =
                    if g.in_group("") { ", Secrets and subresources included" } else { ", subresources included" };
                format!("{} on {scope}{secrets}", names(&g.verbs))
            }
            (true, false) => format!("every verb on {}, `delete` and `deletecollection` included", names(&g.resources)),
            (false, false) => format!("{} of every API group, CRDs installed later included", names(&g.resources)),
        };
        let only = if g.is_narrowed() { g.only() } else { String::new() };
        out.push(
            cx.finding(
                &INFO,
                at.span.clone(),
                format!("{} grants `*` in {}{only}", g.role.describe(), quoted(&fields)),
            )
            .with_label(what)
            .with_help("list the API groups, resources and verbs the subject needs instead of `*`"),
        );
    }
}

fn names(items: &[&rampart_yaml::Node]) -> String {
    quoted(&items.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>())
}

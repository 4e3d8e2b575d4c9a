use super::common::{Grant, RBAC_GROUP, describe_matches, grants, quoted, verbs_text};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A Role or ClusterRole grants `escalate`, `bind` or `impersonate`.
    ///
    /// ## What it does
    /// Reports a rule of a Role or ClusterRole that grants (by name or through `*` verbs):
    /// - `escalate` or `bind` on `roles` or `clusterroles` of `rbac.authorization.k8s.io`;
    /// - `impersonate` on `users`, `groups` or `serviceaccounts` of the core group.
    ///
    /// It points at the verb and says which verbs on which resources.
    ///
    /// `resourceNames` changes the verdict for `escalate` and `bind`: limited to named roles
    /// they are how the RBAC documentation says to delegate the granting of a few roles, and
    /// are reported only when a name is `cluster-admin`, `admin`, `edit` or a `system:` role.
    /// `impersonate` is always reported, with the names it is limited to: what acting as
    /// someone else gives depends on who they are, which the manifest does not say.
    ///
    /// Not reported: every verb on every resource (`*` and `*`), which [KS050](KS050.md)
    /// reports, and the `rules` of a ClusterRole with an `aggregationRule`.
    ///
    /// ## Why
    /// These verbs are the exceptions to RBAC's own escalation check. Normally a subject can
    /// only create or update a role, or a binding to one, if it already holds every
    /// permission in it. `escalate` lifts that for writing roles, `bind` for binding them:
    /// either lets a subject make itself `cluster-admin`. `impersonate` lets it send requests
    /// as another user, group or service account; impersonating the group `system:masters`
    /// bypasses authorization entirely.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRole
    /// rules:
    ///   - apiGroups: ["rbac.authorization.k8s.io"]
    ///     resources: ["clusterroles"]
    ///     verbs: ["bind", "escalate"]
    ///   - apiGroups: [""]
    ///     resources: ["groups"]
    ///     verbs: ["impersonate"]
    /// ```
    /// Use instead: grant the permissions themselves, or delegate binding of named roles.
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["rbac.authorization.k8s.io"]
    ///     resources: ["clusterroles"]
    ///     resourceNames: ["view"]
    ///     verbs: ["bind"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: removing a verb breaks the controller or user that relies on it;
    /// which roles or identities it needs is for a human to decide.
    ///
    /// ## References
    /// - Kubernetes, "Using RBAC Authorization", Restrictions on role creation or update: <https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-creation-or-update>
    /// - Kubernetes, "Role Based Access Control Good Practices", Escalate verb, Bind verb, Impersonate verb: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
    /// - CIS Kubernetes Benchmark 5.1.8 "Limit use of the Bind, Impersonate and Escalate permissions"
    /// - CWE-269: Improper Privilege Management
    pub struct RbacEscalationVerbs {
        code: "KS053",
        name: "rbac-escalation-verbs",
        severity: Error,
        tags: ["rbac", "least-privilege", "privilege-escalation", "cis-k8s:5.1.8", "cwe:269", "seed:least-privilege"],
        equivalents: ["trivy:KSV-0043", "trivy:KSV-0050"],
        fix: None,
    }
}

/// Roles whose delegated binding is as good as holding them.
fn powerful_role(name: &str) -> bool {
    matches!(name, "cluster-admin" | "admin" | "edit") || name.starts_with("system:")
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for g in grants(cx) {
        if g.grants_everything() {
            continue;
        }
        rbac_verbs(cx, &g, out);
        impersonation(cx, &g, out);
    }
}

fn rbac_verbs(cx: &ManifestContext<'_>, g: &Grant<'_>, out: &mut Vec<Finding>) {
    if !g.in_group(RBAC_GROUP) {
        return;
    }
    let matched: Vec<_> = ["clusterroles", "roles"].into_iter().filter_map(|r| g.resource(r)).collect();
    if matched.is_empty() {
        return;
    }
    let verbs = g.verbs(&["escalate", "bind"], false);
    let Some(at) = verbs.iter().filter_map(|v| g.verb_item(v)).min_by_key(|n| n.span.start) else { return };
    let names = g.names();
    if g.is_narrowed() && !names.iter().any(|n| powerful_role(n)) {
        return;
    }
    let label = if g.is_narrowed() {
        let strong: Vec<&str> = names.iter().copied().filter(|n| powerful_role(n)).collect();
        let strong = quoted(&strong);
        match verbs.as_slice() {
            ["escalate"] => format!("it can add any permission to {strong}"),
            ["bind"] => format!("it can bind {strong} to anyone, itself included"),
            _ => format!("it can add any permission to {strong} and bind it to anyone"),
        }
    } else {
        match verbs.as_slice() {
            ["escalate"] => "it can write roles with permissions it does not hold".to_string(),
            ["bind"] => "it can bind roles it does not hold, to itself included".to_string(),
            _ => "it can write and bind roles with permissions it does not hold".to_string(),
        }
    };
    out.push(
        cx.finding(
            &INFO,
            at.span.clone(),
            format!(
                "{} grants {} on {}{}",
                g.role.describe(),
                verbs_text(g, &verbs),
                describe_matches(&matched),
                g.only()
            ),
        )
        .with_label(label)
        .with_help("grant the permissions themselves; to delegate binding, name harmless roles in `resourceNames`"),
    );
}

fn impersonation(cx: &ManifestContext<'_>, g: &Grant<'_>, out: &mut Vec<Finding>) {
    if !g.in_group("") {
        return;
    }
    let matched: Vec<_> = ["users", "groups", "serviceaccounts"].into_iter().filter_map(|r| g.resource(r)).collect();
    if matched.is_empty() {
        return;
    }
    let resources: Vec<&str> = matched.iter().map(|m| m.resource).collect();
    let verbs = g.verbs(&["impersonate"], false);
    let Some(at) = verbs.first().and_then(|v| g.verb_item(v)) else { return };
    let via_star = if g.all_verbs() && g.verb_item("impersonate").is_some_and(|v| v.as_str() == Some("*")) {
        "`*` verbs (which include `impersonate`)"
    } else {
        "`impersonate`"
    };
    let label = if g.is_narrowed() {
        format!("it can send requests as {}", quoted(&g.names()))
    } else if resources.contains(&"groups") {
        "it can send requests as any group, `system:masters` included, which bypasses authorization".to_string()
    } else {
        format!("it can send requests as any of the {}", resources.join(" and "))
    };
    out.push(
        cx.finding(
            &INFO,
            at.span.clone(),
            format!("{} grants {via_star} on {}{}", g.role.describe(), describe_matches(&matched), g.only()),
        )
        .with_label(label)
        .with_help("remove `impersonate`, or limit it with `resourceNames` to identities with little access"),
    );
}

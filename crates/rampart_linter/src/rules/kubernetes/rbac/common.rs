//! Reading RBAC objects as the API server's authorizer reads them: the rules of Roles and
//! ClusterRoles (what a rule grants: `*` matches every verb, resource or group; a resource
//! `*/exec` matches the `exec` subresource of any resource; a plain resource does not match
//! its subresources; `resourceNames` narrows a grant to named objects), and the subjects of
//! RoleBindings and ClusterRoleBindings.

use rampart_yaml::{Node, Span};

use crate::manifest::ManifestContext;

/// The API group of RBAC objects.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The items of a list field as written; a lone scalar counts as a one-item list (the API
/// server rejects it, but the intent is plain).
pub fn list(node: Option<&Node>) -> Vec<&Node> {
    match node {
        Some(n) if n.is_seq() => n.items().iter().filter(|i| i.as_string().is_some()).collect(),
        Some(n) if n.as_string().is_some() => vec![n],
        _ => Vec::new(),
    }
}

/// A Role or ClusterRole.
#[derive(Debug)]
pub struct Role<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// The built-in roles (`admin`, `edit`, `view`) this ClusterRole's rules are added to.
    pub aggregated_into: Vec<&'static str>,
}

impl Role<'_> {
    /// `ClusterRole `x`` or `Role `x``, with what aggregation adds.
    pub fn describe(&self) -> String {
        let mut s = format!("{} `{}`", self.kind, self.name);
        if !self.aggregated_into.is_empty() {
            let into: Vec<String> = self.aggregated_into.iter().map(|r| format!("`{r}`")).collect();
            s.push_str(&format!(" (aggregated into the built-in {} role{})", into.join(", "), plural(into.len())));
        }
        s
    }
}

/// One entry of a role's `rules`.
#[derive(Debug)]
pub struct Grant<'a> {
    pub role: Role<'a>,
    pub api_groups: Vec<&'a Node>,
    pub resources: Vec<&'a Node>,
    pub verbs: Vec<&'a Node>,
    pub resource_names: Vec<&'a Node>,
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn is_true_label(obj: &Node, key: &str) -> bool {
    obj.path(&["metadata", "labels"])
        .and_then(|l| l.get(key))
        .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"))
}

/// Every rule entry of the Roles and ClusterRoles of a file. The `rules` of a ClusterRole
/// with an `aggregationRule` are skipped: the controller replaces them with the rules of the
/// ClusterRoles it selects, which are checked where they are written.
pub fn grants<'a>(cx: &ManifestContext<'a>) -> Vec<Grant<'a>> {
    let mut out = Vec::new();
    for obj in cx.objects.iter().copied() {
        let Some(kind) = obj.get_str("kind") else { continue };
        if kind != "Role" && kind != "ClusterRole" {
            continue;
        }
        if !obj.get_str("apiVersion").is_some_and(|v| v.starts_with(RBAC_GROUP)) {
            continue;
        }
        if kind == "ClusterRole" && obj.get("aggregationRule").is_some_and(|a| !a.is_null()) {
            continue;
        }
        let aggregated_into = if kind == "ClusterRole" {
            ["admin", "edit", "view"]
                .into_iter()
                .filter(|r| is_true_label(obj, &format!("rbac.authorization.k8s.io/aggregate-to-{r}")))
                .collect()
        } else {
            Vec::new()
        };
        let Some(rules) = obj.get("rules") else { continue };
        for rule in rules.items().iter().filter(|r| r.is_map()) {
            out.push(Grant {
                role: Role {
                    kind,
                    name: obj.path(&["metadata", "name"]).and_then(Node::as_string).unwrap_or(""),
                    aggregated_into: aggregated_into.clone(),
                },
                api_groups: list(rule.get("apiGroups")),
                resources: list(rule.get("resources")),
                verbs: list(rule.get("verbs")),
                resource_names: list(rule.get("resourceNames")),
            });
        }
    }
    out
}

fn text(n: &Node) -> &str {
    n.as_str().unwrap_or("")
}

/// A matched resource: the item that grants it, and whether it is the `*` wildcard.
#[derive(Debug)]
pub struct Matched<'a> {
    pub item: &'a Node,
    /// `secrets` or `pods/exec` as asked.
    pub resource: &'static str,
}

impl Matched<'_> {
    /// How the rule names the resource: `` `secrets` `` or `` `*` resources (which include `secrets`) ``.
    pub fn describe(&self) -> String {
        let written = text(self.item);
        if written == self.resource {
            format!("`{written}`")
        } else if written == "*" {
            format!("`*` resources (which include `{}`)", self.resource)
        } else {
            format!("`{written}` (which includes `{}`)", self.resource)
        }
    }
}

/// How a rule names several matched resources: `` `pods/exec` and `pods/attach` ``, or
/// `` `*` resources (which include `pods/exec` and `pods/attach`) ``.
pub fn describe_matches(matched: &[Matched<'_>]) -> String {
    let asked: Vec<&str> = matched.iter().map(|m| m.resource).collect();
    if matched.iter().all(|m| text(m.item) == m.resource) {
        return quoted(&asked);
    }
    if let Some(first) = matched.first()
        && matched.iter().all(|m| m.item.span == first.item.span)
    {
        let written = text(first.item);
        let what = if written == "*" { "`*` resources".to_string() } else { format!("`{written}`") };
        return format!(
            "{what} (which include{} {})",
            if asked.len() == 1 && written != "*" { "s" } else { "" },
            quoted(&asked)
        );
    }
    let parts: Vec<String> = matched.iter().map(Matched::describe).collect();
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

impl<'a> Grant<'a> {
    /// The rule applies to API group `group` (`""` is the core group).
    pub fn in_group(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| matches!(text(g), "*") || text(g) == group)
    }

    /// The item granting `resource` (`pods` or `pods/exec`), as the authorizer matches it.
    pub fn resource(&self, resource: &'static str) -> Option<Matched<'a>> {
        let sub = resource.split_once('/').map(|(_, s)| s);
        self.resources
            .iter()
            .copied()
            .find(|r| {
                let r = text(r);
                r == "*" || r == resource || sub.is_some_and(|s| r.strip_prefix("*/") == Some(s))
            })
            .map(|item| Matched { item, resource })
    }

    /// The first resource in `resources` that the rule grants in `group`.
    pub fn any_resource(&self, group: &str, resources: &[&'static str]) -> Option<Matched<'a>> {
        if !self.in_group(group) {
            return None;
        }
        resources.iter().find_map(|r| self.resource(r))
    }

    /// The verbs of `wanted` the rule grants (`*` grants all of them), in `wanted`'s order.
    /// With `resourceNames`, `create` is not granted on a top-level resource: a new object
    /// has no name when the request is authorized.
    pub fn verbs(&self, wanted: &[&'static str], top_level: bool) -> Vec<&'static str> {
        wanted
            .iter()
            .copied()
            .filter(|v| !(top_level && self.is_narrowed() && matches!(*v, "create" | "deletecollection")))
            .filter(|v| self.verbs.iter().any(|x| text(x) == "*" || text(x) == *v))
            .collect()
    }

    /// The rule writes `*` verbs.
    pub fn all_verbs(&self) -> bool {
        self.verbs.iter().any(|v| text(v) == "*")
    }

    /// The rule writes `*` resources.
    pub fn all_resources(&self) -> bool {
        self.resources.iter().any(|r| text(r) == "*")
    }

    /// Every verb on every resource: [`super::ks050_rbac_wildcard`] reports it, the rules
    /// about one permission leave it alone rather than report the same line five times.
    pub fn grants_everything(&self) -> bool {
        self.all_verbs() && self.all_resources()
    }

    /// `resourceNames` limits the grant to named objects.
    pub fn is_narrowed(&self) -> bool {
        !self.resource_names.is_empty()
    }

    /// The names of `resourceNames`.
    pub fn names(&self) -> Vec<&'a str> {
        self.resource_names.iter().filter_map(|n| n.as_str()).collect()
    }

    /// ` (only `a`, `b`)` when `resourceNames` narrows the grant, or nothing.
    pub fn only(&self) -> String {
        if self.is_narrowed() { format!(" (only {})", quoted(&self.names())) } else { String::new() }
    }

    /// The item of `verbs` to point at for `verb` (`*` or the verb itself).
    pub fn verb_item(&self, verb: &str) -> Option<&'a Node> {
        self.verbs
            .iter()
            .copied()
            .find(|x| text(x) == verb)
            .or_else(|| self.verbs.iter().copied().find(|x| text(x) == "*"))
    }
}

/// `` `a`, `b` and `c` `` (at most `MAX` names, then "and N more").
pub fn quoted(names: &[&str]) -> String {
    const MAX: usize = 4;
    let shown: Vec<String> = names.iter().take(MAX).map(|n| format!("`{n}`")).collect();
    let rest = names.len().saturating_sub(MAX);
    match (shown.len(), rest) {
        (0, _) => String::new(),
        (1, 0) => shown[0].clone(),
        (_, 0) => format!("{} and {}", shown[..shown.len() - 1].join(", "), shown[shown.len() - 1]),
        (_, r) => format!("{} and {r} more", shown.join(", ")),
    }
}

/// `` `get`, `list` `` or `every verb (`*`)` for the granted verbs.
pub fn verbs_text(grant: &Grant<'_>, granted: &[&str]) -> String {
    if grant.all_verbs() && granted.len() > 1 {
        format!("`*` verbs (which include {})", quoted(granted))
    } else {
        quoted(granted)
    }
}

/// A subject of a binding.
#[derive(Debug)]
pub struct Subject<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// The namespace of a ServiceAccount (the binding's own when unset in a RoleBinding).
    pub namespace: Option<&'a str>,
    pub name_span: Span,
}

impl Subject<'_> {
    /// `ServiceAccount `ns/name``, `group `system:masters``, `user `jane``.
    pub fn describe(&self) -> String {
        match self.kind {
            "ServiceAccount" => match self.namespace {
                Some(ns) => format!("ServiceAccount `{ns}/{}`", self.name),
                None => format!("ServiceAccount `{}`", self.name),
            },
            "Group" => format!("group `{}`", self.name),
            "User" => format!("user `{}`", self.name),
            other => format!("{other} `{}`", self.name),
        }
    }

    /// A service account written as a user (`system:serviceaccount:<ns>:<name>`), as
    /// (namespace, name).
    pub fn service_account_user(&self) -> Option<(&str, &str)> {
        if self.kind != "User" {
            return None;
        }
        let rest = self.name.strip_prefix("system:serviceaccount:")?;
        rest.split_once(':')
    }
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug)]
pub struct Binding<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    pub role_kind: &'a str,
    pub role_name: &'a str,
    /// Where the role's name is written (or the binding's kind when it is missing).
    pub role_span: Span,
    pub subjects: Vec<Subject<'a>>,
    /// One of the defaults the API server creates and keeps up to date
    /// (`kubernetes.io/bootstrapping: rbac-defaults`).
    pub bootstrap_default: bool,
}

impl Binding<'_> {
    /// `ClusterRoleBinding `x`` or `RoleBinding `x` in namespace `ns``.
    pub fn describe(&self) -> String {
        match (self.kind, self.namespace) {
            ("RoleBinding", Some(ns)) => format!("RoleBinding `{}` in namespace `{ns}`", self.name),
            (kind, _) => format!("{kind} `{}`", self.name),
        }
    }

    /// `ClusterRole `view`` or `Role `reader``.
    pub fn role(&self) -> String {
        format!("{} `{}`", self.role_kind, self.role_name)
    }
}

/// Every RoleBinding and ClusterRoleBinding of a file.
pub fn bindings<'a>(cx: &ManifestContext<'a>) -> Vec<Binding<'a>> {
    let mut out = Vec::new();
    for obj in cx.objects.iter().copied() {
        let Some(kind) = obj.get_str("kind") else { continue };
        if kind != "RoleBinding" && kind != "ClusterRoleBinding" {
            continue;
        }
        if !obj.get_str("apiVersion").is_some_and(|v| v.starts_with(RBAC_GROUP)) {
            continue;
        }
        let namespace = obj.path(&["metadata", "namespace"]).and_then(Node::as_string);
        let role_ref = obj.get("roleRef");
        let role_name_node = role_ref.and_then(|r| r.get("name"));
        let subjects = obj
            .get("subjects")
            .map(|s| {
                s.items()
                    .iter()
                    .filter_map(|sub| {
                        let name = sub.get("name")?;
                        let sa_namespace = sub.get_str("namespace");
                        let kind = sub.get_str("kind").unwrap_or("");
                        Some(Subject {
                            kind,
                            name: name.as_string()?,
                            namespace: if kind == "ServiceAccount" {
                                sa_namespace.or(if kind_is_namespaced(obj) { namespace } else { None })
                            } else {
                                None
                            },
                            name_span: name.span.clone(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let bootstrap_default = obj
            .path(&["metadata", "labels", "kubernetes.io/bootstrapping"])
            .and_then(Node::as_str)
            .is_some_and(|v| v == "rbac-defaults");
        out.push(Binding {
            kind,
            name: obj.path(&["metadata", "name"]).and_then(Node::as_string).unwrap_or(""),
            namespace,
            role_kind: role_ref.and_then(|r| r.get_str("kind")).unwrap_or(""),
            role_name: role_name_node.and_then(Node::as_string).unwrap_or(""),
            role_span: role_name_node.or_else(|| obj.get("kind")).map_or_else(|| obj.span.clone(), |n| n.span.clone()),
            subjects,
            bootstrap_default,
        });
    }
    out
}

fn kind_is_namespaced(obj: &Node) -> bool {
    obj.get_str("kind") == Some("RoleBinding")
}

/// Groups (and the anonymous user) that stand for many or all callers rather than one
/// component: a grant to them is a grant to everyone in them.
pub fn broad_identity(subject: &Subject<'_>) -> Option<&'static str> {
    match (subject.kind, subject.name) {
        ("User", "system:anonymous") => Some("anyone who reaches the API server without credentials"),
        ("Group", "system:unauthenticated") => Some("anyone who reaches the API server without credentials"),
        ("Group", "system:authenticated") => Some("every user and service account of the cluster"),
        ("Group", "system:serviceaccounts") => Some("every service account of every namespace"),
        ("Group", n) if n.starts_with("system:serviceaccounts:") => Some("every service account of the namespace"),
        _ => None,
    }
}

/// A control-plane identity (`system:kube-controller-manager`, `system:masters`): the
/// cluster's own components, not people or workloads. Groups of everyone, nodes and service
/// accounts written as users are not.
pub fn control_plane_identity(subject: &Subject<'_>) -> bool {
    matches!(subject.kind, "User" | "Group")
        && subject.name.starts_with("system:")
        && broad_identity(subject).is_none()
        && subject.service_account_user().is_none()
        && subject.name != "system:nodes"
        && !subject.name.starts_with("system:node:")
}

/// ClusterRoles the API server binds to everyone by default: discovery and the caller's own
/// permissions. Binding them to a broad group is what every cluster does.
pub const DISCOVERY_ROLES: &[&str] = &["system:discovery", "system:basic-user", "system:public-info-viewer"];

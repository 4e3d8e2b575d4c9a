//! Reading NetworkPolicies as Kubernetes applies them: label selectors, `policyTypes` and
//! their defaults, rules that admit everything; and the namespaces of the objects given
//! together.

use rampart_posture::Setting;
use rampart_yaml::Node;

use crate::manifest::ProjectContext;

/// The namespace objects without `metadata.namespace` are applied to (with `kubectl apply`
/// and no `-n` or context namespace).
pub const DEFAULT_NAMESPACE: &str = "default";

/// A Kubernetes NetworkPolicy (not Calico's or Antrea's of the same kind name).
pub fn is_network_policy(obj: &Node) -> bool {
    obj.get_str("kind") == Some("NetworkPolicy")
        && obj
            .get_str("apiVersion")
            .is_some_and(|v| v.starts_with("networking.k8s.io/") || v.starts_with("extensions/"))
}

/// Policies of other engines that rampart does not evaluate: `Some(true)` for a
/// cluster-wide kind, `Some(false)` for a namespaced one.
pub fn foreign_policy(obj: &Node) -> Option<bool> {
    let kind = obj.get_str("kind")?;
    match kind {
        "CiliumClusterwideNetworkPolicy"
        | "GlobalNetworkPolicy"
        | "AdminNetworkPolicy"
        | "BaselineAdminNetworkPolicy"
        | "ClusterNetworkPolicy" => Some(true),
        "CiliumNetworkPolicy" => Some(false),
        "NetworkPolicy" if !is_network_policy(obj) => Some(false),
        _ => None,
    }
}

/// `metadata.namespace`, or `None` when it is not written.
pub fn written_namespace(obj: &Node) -> Option<&str> {
    obj.path(&["metadata", "namespace"]).and_then(Node::as_string)
}

/// The namespace an object lands in.
pub fn namespace_of(obj: &Node) -> &str {
    written_namespace(obj).unwrap_or(DEFAULT_NAMESPACE)
}

/// The traffic a policy rule list is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    /// The rules field (`ingress`).
    pub fn field(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    /// The peers field of a rule (`from`).
    pub fn peers(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }

    /// `Ingress`, as `policyTypes` spells it.
    pub fn policy_type(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
}

/// Whether the policy applies to `dir`: as listed in `policyTypes`, or by default `Ingress`
/// always and `Egress` when the policy has egress rules.
pub fn applies_to(policy: &Node, dir: Direction) -> bool {
    let spec = policy.get("spec");
    match spec.and_then(|s| s.get("policyTypes")).filter(|t| !t.is_null()) {
        Some(types) => {
            let items: Vec<&Node> = if types.is_seq() { types.items().iter().collect() } else { vec![types] };
            items.iter().any(|t| t.as_str() == Some(dir.policy_type()))
        }
        None => match dir {
            Direction::Ingress => true,
            Direction::Egress => spec.and_then(|s| s.get("egress")).is_some_and(|e| !e.items().is_empty()),
        },
    }
}

/// The rules of one direction.
pub fn rules(policy: &Node, dir: Direction) -> &[Node] {
    policy.path(&["spec", dir.field()]).map_or(&[], Node::items)
}

fn empty_list(node: Option<&Node>) -> bool {
    node.is_none_or(|n| n.is_null() || (n.is_seq() && n.items().is_empty()))
}

/// How a rule admits everything.
#[derive(Debug)]
pub enum OpenRule<'a> {
    /// No peers and no ports: every source or destination on every port (the rule node).
    Everything(&'a Node),
    /// An `ipBlock` of every address without `except`, and no ports (the `cidr` node).
    AnyAddress(&'a Node),
}

/// The ways a rule admits every peer on every port. A rule with `ports` is not "all": an
/// internet-facing pod is open to every source on its port by design, and DNS egress to
/// every address on port 53 is what resolution needs.
pub fn open_rule(rule: &Node, dir: Direction) -> Vec<OpenRule<'_>> {
    if !rule.is_map() && !rule.is_null() {
        return Vec::new();
    }
    if !empty_list(rule.get("ports")) {
        return Vec::new();
    }
    let peers = rule.get(dir.peers());
    if empty_list(peers) {
        return vec![OpenRule::Everything(rule)];
    }
    peers
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|peer| {
            let block = peer.get("ipBlock")?;
            let cidr = block.get("cidr")?;
            let all = matches!(cidr.as_str()?.trim(), "0.0.0.0/0" | "::/0");
            (all && empty_list(block.get("except"))).then_some(OpenRule::AnyAddress(cidr))
        })
        .collect()
}

/// Whether a policy that applies to `dir` admits everything in that direction.
pub fn opens(policy: &Node, dir: Direction) -> bool {
    applies_to(policy, dir) && rules(policy, dir).iter().any(|r| !open_rule(r, dir).is_empty())
}

/// A label selector that selects everything: absent, null, `{}`, or with empty
/// `matchLabels` and `matchExpressions`.
pub fn selects_all(selector: Option<&Node>) -> bool {
    match selector {
        None => true,
        Some(s) if s.is_null() => true,
        Some(s) => {
            s.is_map()
                && empty_map(s.get("matchLabels"))
                && s.get("matchExpressions").is_none_or(|e| e.items().is_empty())
        }
    }
}

fn empty_map(node: Option<&Node>) -> bool {
    node.is_none_or(|n| n.is_null() || n.entries().is_empty())
}

/// Whether a label selector selects an object with `labels`. A selector that is not a
/// mapping, or an expression with an unknown operator, selects nothing (the API server
/// rejects both).
pub fn selects(selector: Option<&Node>, labels: &[(String, Setting<String>)]) -> bool {
    if selects_all(selector) {
        return true;
    }
    let Some(s) = selector.filter(|s| s.is_map()) else { return false };
    let label = |key: &str| labels.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.value.as_str());
    let match_labels = s.get("matchLabels").map(Node::entries).unwrap_or_default();
    for e in match_labels {
        let (Some(k), Some(v)) = (e.key.as_str(), e.value.as_str()) else { return false };
        if label(k) != Some(v) {
            return false;
        }
    }
    for expr in s.get("matchExpressions").map(Node::items).unwrap_or_default() {
        let Some(key) = expr.get_str("key") else { return false };
        let values: Vec<&str> =
            expr.get("values").map(Node::items).unwrap_or_default().iter().filter_map(Node::as_str).collect();
        let value = label(key);
        let ok = match expr.get_str("operator") {
            Some("In") => value.is_some_and(|v| values.contains(&v)),
            Some("NotIn") => value.is_none_or(|v| !values.contains(&v)),
            Some("Exists") => value.is_some(),
            Some("DoesNotExist") => value.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// `every pod of the namespace`, `pods `app=web``, `the pods its podSelector selects`.
pub fn describe_selected(policy: &Node) -> String {
    let selector = policy.path(&["spec", "podSelector"]);
    if selects_all(selector) {
        return "every pod of the namespace".to_string();
    }
    let labels: Vec<String> = selector
        .and_then(|s| s.get("matchLabels"))
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| Some(format!("{}={}", e.key.as_str()?, e.value.as_str()?)))
        .collect();
    let has_expressions = selector.and_then(|s| s.get("matchExpressions")).is_some_and(|e| !e.items().is_empty());
    if labels.is_empty() || has_expressions {
        "the pods its `podSelector` selects".to_string()
    } else {
        format!("pods `{}`", labels.join(","))
    }
}

/// The network policies of the objects given together.
#[derive(Debug, Default)]
pub struct Policies<'a> {
    /// Kubernetes NetworkPolicies and their namespaces.
    pub policies: Vec<(&'a str, &'a Node)>,
    /// Namespaces with a policy of another engine (Cilium, Calico, Antrea).
    pub foreign: Vec<&'a str>,
    /// A cluster-wide policy of another engine (or an AdminNetworkPolicy) is among them.
    pub cluster_wide: bool,
}

impl<'a> Policies<'a> {
    pub fn collect(cx: &ProjectContext<'a>) -> Self {
        let mut p = Policies::default();
        for (_, obj) in cx.objects() {
            if is_network_policy(obj) {
                p.policies.push((namespace_of(obj), obj));
            } else if let Some(cluster_wide) = foreign_policy(obj) {
                if cluster_wide {
                    p.cluster_wide = true;
                } else {
                    p.foreign.push(namespace_of(obj));
                }
            }
        }
        p
    }

    /// The Kubernetes NetworkPolicies of a namespace.
    pub fn of(&self, namespace: &str) -> impl Iterator<Item = &'a Node> + '_ {
        let namespace = namespace.to_string();
        self.policies.iter().filter(move |(ns, _)| *ns == namespace).map(|(_, p)| *p)
    }

    /// Whether rampart can tell what isolates the namespace's pods: no policy of another
    /// engine applies to it.
    pub fn evaluated(&self, namespace: &str) -> bool {
        !self.cluster_wide && !self.foreign.contains(&namespace)
    }

    /// Whether every pod of the namespace is isolated for `dir`: a policy selecting every
    /// pod applies to `dir`, and no policy selecting every pod opens `dir` to everything.
    pub fn default_deny(&self, namespace: &str, dir: Direction) -> bool {
        let all: Vec<&Node> = self
            .of(namespace)
            .filter(|p| selects_all(p.path(&["spec", "podSelector"])) && applies_to(p, dir))
            .collect();
        !all.is_empty() && !all.iter().any(|p| opens(p, dir))
    }
}

use super::common::{Direction, OpenRule, applies_to, describe_selected, is_network_policy, open_rule, rules};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A NetworkPolicy rule admits every peer on every port.
    ///
    /// ## What it does
    /// Reports a rule of a Kubernetes NetworkPolicy that admits all traffic in its direction:
    /// - a rule with no peers and no ports (`ingress: [{}]`, `- from: []`), which matches
    ///   every source (or destination) on every port, at the rule;
    /// - a peer `ipBlock` of every address (`0.0.0.0/0` or `::/0`) without `except`, in a
    ///   rule without ports, at the CIDR.
    ///
    /// Rules of a direction the policy does not apply to (`policyTypes: [Ingress]` with
    /// egress rules) are ignored, as Kubernetes ignores them.
    ///
    /// Not reported: rules limited to ports. An internet-facing pod is open to every source
    /// on its HTTPS port by design, and egress to every address on port 53 is how DNS
    /// resolution is usually allowed; what matters there is the port. `namespaceSelector: {}`
    /// (every pod of the cluster, but no outside address) is not "everything" either.
    ///
    /// ## Why
    /// Policies are additive: one rule that admits everything opens the selected pods
    /// completely, whatever the other policies selecting them deny. Such rules are usually
    /// left over from debugging (`allow-all`), or written as `- {}` in the belief that an
    /// empty rule allows nothing: it allows everything.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   ingress:
    ///     - {}
    /// ```
    /// Use instead: the sources and ports the pods need (or `ingress: []` to deny all).
    /// ```yaml
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   ingress:
    ///     - from:
    ///         - podSelector:
    ///             matchLabels: {app: web}
    ///       ports:
    ///         - {port: 8080, protocol: TCP}
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: removing the rule cuts the traffic it admitted; which traffic is
    /// needed is for a human to write down.
    ///
    /// ## References
    /// - Kubernetes, "Network Policies", Allow all ingress traffic: <https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-ingress-traffic>
    /// - CWE-923: Improper Restriction of Communication Channel to Intended Endpoints
    pub struct NetworkPolicyAllowsAll {
        code: "KS062",
        name: "network-policy-allows-all",
        severity: Warning,
        tags: ["network", "isolation", "cwe:923", "seed:network-policy"],
        equivalents: [],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for policy in cx.objects.iter().copied().filter(|o| is_network_policy(o)) {
        let name = policy.path(&["metadata", "name"]).and_then(|n| n.as_string()).unwrap_or("");
        for dir in [Direction::Ingress, Direction::Egress] {
            if !applies_to(policy, dir) {
                continue;
            }
            for rule in rules(policy, dir) {
                for open in open_rule(rule, dir) {
                    let (span, what) = match open {
                        OpenRule::Everything(node) => (
                            node.span.clone(),
                            match dir {
                                Direction::Ingress => "from every source on every port".to_string(),
                                Direction::Egress => "to every destination on every port".to_string(),
                            },
                        ),
                        OpenRule::AnyAddress(cidr) => (
                            cidr.span.clone(),
                            format!(
                                "{} any address (`{}`) on every port",
                                if dir == Direction::Ingress { "from" } else { "to" },
                                cidr.as_str().unwrap_or("").trim()
                            ),
                        ),
                    };
                    out.push(
                        cx.finding(&INFO, span, format!("NetworkPolicy `{name}` allows {} {what}", dir.field()))
                            .with_label(format!("opens {} to all {} traffic", describe_selected(policy), dir.field()))
                            .with_help(format!(
                                "list the {} and the ports the pods need, or write `{}: []` to deny all",
                                if dir == Direction::Ingress { "sources" } else { "destinations" },
                                dir.field()
                            )),
                    );
                }
            }
        }
    }
}

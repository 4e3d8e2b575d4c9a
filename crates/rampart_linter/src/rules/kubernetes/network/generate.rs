//! NetworkPolicies written for a namespace that has no default-deny: the default-deny itself,
//! and the allow policies that keep the traffic the namespace's Services declare.
//!
//! What is allowed, and why:
//! - ingress to the pods each Service selects, on the ports it targets (`targetPort`, else
//!   `port`; named ports stay named), from any source. A Service is the manifest's statement
//!   that the port is meant to be reached, and its clients may be anywhere: other
//!   namespaces, an ingress controller, a load balancer's addresses. Every other port of the
//!   namespace's pods closes. The file says to narrow `from` by hand.
//! - egress to DNS: the cluster's DNS pods (`k8s-app: kube-dns` in namespace `kube-system`,
//!   the label CoreDNS and kube-dns carry in kubeadm, EKS, GKE, AKS and k3s clusters), UDP
//!   and TCP port 53. Without it every name lookup fails.
//! - egress from every pod of the namespace to the pods of its own Services, on their
//!   target ports: the calls between its workloads that the Services declare.
//!
//! Everything else is cut: egress to other namespaces, to the API server, to the internet.
//! Only the directions the namespace lacks a default-deny for are written.

use rampart_diagnostics::Fix;
use rampart_yaml::Node;

use super::common::{DEFAULT_NAMESPACE, Direction, Policies, namespace_of, opens, selects_all};
use crate::manifest::ProjectContext;
use crate::rules::posture::fix_pod::dns_label;

/// A file of policies to create.
struct Generated {
    path: String,
    content: String,
    /// What it allows, for the fix's message.
    summary: String,
}

/// A port a Service targets: a number or a container port's name, and its protocol.
struct TargetPort {
    port: String,
    protocol: String,
}

/// A Service of the namespace that selects pods.
struct Service<'a> {
    name: &'a str,
    selector: Vec<(&'a str, &'a str)>,
    ports: Vec<TargetPort>,
    /// The workloads among the files it selects (`Deployment `web``).
    selects: Vec<String>,
}

/// A YAML scalar for a label key or value, a name or a port: plain when it reads back as the
/// same string, else double-quoted.
fn scalar(s: &str) -> String {
    use rampart_posture::edit::{json_string, plain_safe};
    if plain_safe(s) { s.to_string() } else { json_string(s) }
}

fn services<'a>(cx: &ProjectContext<'a>, namespace: &str) -> Vec<Service<'a>> {
    let mut out = Vec::new();
    for (_, obj) in cx.objects() {
        if obj.get_str("kind") != Some("Service") || obj.get_str("apiVersion") != Some("v1") {
            continue;
        }
        if namespace_of(obj) != namespace || obj.path(&["spec", "type"]).and_then(Node::as_str) == Some("ExternalName")
        {
            continue;
        }
        let Some(name) = obj.path(&["metadata", "name"]).and_then(Node::as_string) else { continue };
        let selector: Vec<(&str, &str)> = obj
            .path(&["spec", "selector"])
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((e.key.as_str()?, e.value.as_str().unwrap_or(""))))
            .collect();
        // Without a selector the Service's endpoints are managed by hand: no pods to allow.
        if selector.is_empty() {
            continue;
        }
        let ports: Vec<TargetPort> = obj
            .path(&["spec", "ports"])
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                let target = p.get("targetPort").filter(|t| !t.is_null()).or_else(|| p.get("port"))?;
                let port = match target.as_i64_lenient() {
                    Some(n) if (1..=65535).contains(&n) => n.to_string(),
                    Some(_) => return None,
                    None => target.as_string()?.trim().to_string(),
                };
                let protocol = match p.get_str("protocol").map(str::trim) {
                    Some(proto @ ("TCP" | "UDP" | "SCTP")) => proto.to_string(),
                    _ => "TCP".to_string(),
                };
                Some(TargetPort { port, protocol })
            })
            .collect();
        if ports.is_empty() {
            continue;
        }
        let selects = cx
            .workloads()
            .filter(|(_, w)| {
                w.namespace.as_ref().map_or(super::common::DEFAULT_NAMESPACE, |n| n.value.as_str()) == namespace
            })
            .filter(|(_, w)| selector.iter().all(|(k, v)| w.labels.iter().any(|(lk, lv)| lk == k && lv.value == *v)))
            .map(|(_, w)| w.describe())
            .collect();
        out.push(Service { name, selector, ports, selects });
    }
    out
}

/// A name no policy of the namespace has yet.
fn unique(name: &str, taken: &mut Vec<String>) -> String {
    let base = dns_label(name, "policy");
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

fn header(name: &str, namespace: Option<&str>) -> String {
    let mut s = format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {}\n", scalar(name));
    if let Some(ns) = namespace {
        s.push_str(&format!("  namespace: {}\n", scalar(ns)));
    }
    s
}

fn match_labels(selector: &[(&str, &str)], indent: &str) -> String {
    let mut s = format!("{indent}matchLabels:\n");
    for (k, v) in selector {
        s.push_str(&format!("{indent}  {}: {}\n", scalar(k), scalar(v)));
    }
    s
}

fn ports(ports: &[TargetPort], indent: &str) -> String {
    let mut s = format!("{indent}ports:\n");
    for p in ports {
        s.push_str(&format!("{indent}  - port: {}\n{indent}    protocol: {}\n", scalar_port(&p.port), p.protocol));
    }
    s
}

/// A port number unquoted, a port name as a string.
fn scalar_port(port: &str) -> String {
    if port.chars().all(|c| c.is_ascii_digit()) { port.to_string() } else { scalar(port) }
}

/// The fix for a namespace without a default-deny policy: a file of policies for the
/// directions it lacks one for (KS060's fix, which KS061 shares: one file per namespace).
/// `None` when it has a default-deny both ways, or when a policy selecting every pod admits
/// everything in a missing direction (KS062): no policy added can isolate the pods then.
pub(super) fn namespace_fix(cx: &ProjectContext<'_>, policies: &Policies<'_>, ns: &str) -> Option<Fix> {
    let directions: Vec<Direction> =
        [Direction::Ingress, Direction::Egress].into_iter().filter(|d| !policies.default_deny(ns, *d)).collect();
    if directions.is_empty() {
        return None;
    }
    let opened = directions
        .iter()
        .any(|d| policies.of(ns).any(|p| selects_all(p.path(&["spec", "podSelector"])) && opens(p, *d)));
    if opened {
        return None;
    }
    let explicit = cx
        .workloads()
        .filter(|(_, w)| w.namespace.as_ref().map_or(DEFAULT_NAMESPACE, |n| n.value.as_str()) == ns)
        .all(|(_, w)| w.namespace.is_some());
    let generated = generate(cx, policies, ns, &directions, explicit);
    let denied = directions.iter().map(|d| d.field()).collect::<Vec<_>>().join(" and ");
    Some(
        Fix::unsafe_(format!("Deny {denied} by default in namespace `{ns}`; allow {}", generated.summary), Vec::new())
            .with_new_file(generated.path, generated.content),
    )
}

/// The policies for `namespace`, for the directions in `missing`. `explicit`: the
/// namespace is written on its objects (else the policies name none, and land where the
/// workloads are applied).
fn generate(
    cx: &ProjectContext<'_>,
    policies: &Policies<'_>,
    namespace: &str,
    missing: &[Direction],
    explicit: bool,
) -> Generated {
    let ns = explicit.then_some(namespace);
    let mut taken: Vec<String> = policies
        .of(namespace)
        .filter_map(|p| p.path(&["metadata", "name"]).and_then(Node::as_string).map(str::to_string))
        .collect();
    let services = services(cx, namespace);
    let ingress = missing.contains(&Direction::Ingress);
    let egress = missing.contains(&Direction::Egress);
    let types: Vec<&str> = missing.iter().map(|d| d.policy_type()).collect();
    let shown_ns = namespace;

    let mut docs: Vec<String> = Vec::new();
    let deny_name = match (ingress, egress) {
        (true, true) => "default-deny",
        (true, false) => "default-deny-ingress",
        _ => "default-deny-egress",
    };
    let mut intro = format!(
        "# NetworkPolicies for namespace `{shown_ns}`, generated by rampart (KS060).\n\
         # Review before applying: every connection not allowed here stops ({}).\n",
        types.iter().map(|t| t.to_ascii_lowercase()).collect::<Vec<_>>().join(" and ")
    );
    if ingress {
        intro.push_str(
            "# - ingress: allowed to the pods of each Service, on the ports it targets, from any source;\n\
             #   narrow `from` to the clients that need it (an ingress controller's namespace, …).\n",
        );
        let selected: Vec<&String> = services.iter().flat_map(|s| &s.selects).collect();
        let unserved: Vec<String> = cx
            .workloads()
            .filter(|(_, w)| w.kind != "PodTemplate")
            .filter(|(_, w)| {
                w.namespace.as_ref().map_or(super::common::DEFAULT_NAMESPACE, |n| n.value.as_str()) == namespace
            })
            .map(|(_, w)| w.describe())
            .filter(|d| !selected.contains(&d))
            .collect();
        for w in unserved {
            intro.push_str(&format!("#   {w}: no Service selects its pods, so nothing may connect to them.\n"));
        }
    }
    if egress {
        intro.push_str(
            "# - egress: allowed to the cluster DNS and to the namespace's own Services; add what else\n\
             #   the pods call (other namespaces, databases outside the cluster, the API server).\n",
        );
    }
    let mut deny = intro;
    deny.push_str(&header(&unique(deny_name, &mut taken), ns));
    deny.push_str("spec:\n  podSelector: {}\n  policyTypes:\n");
    for t in &types {
        deny.push_str(&format!("    - {t}\n"));
    }
    docs.push(deny);

    let mut allowed: Vec<String> = Vec::new();
    if ingress {
        for svc in &services {
            let mut d = format!(
                "# Ingress to the pods of Service `{}`{}, on the ports it targets.\n",
                svc.name,
                if svc.selects.is_empty() { String::new() } else { format!(" ({})", svc.selects.join(", ")) }
            );
            d.push_str(&header(&unique(&format!("allow-{}-ingress", svc.name), &mut taken), ns));
            d.push_str("spec:\n  podSelector:\n");
            d.push_str(&match_labels(&svc.selector, "    "));
            d.push_str("  policyTypes:\n    - Ingress\n  ingress:\n    - ");
            d.push_str(ports(&svc.ports, "      ").trim_start());
            docs.push(d);
            allowed.push(format!("ingress to `{}`", svc.name));
        }
    }
    if egress {
        let mut d = String::from("# DNS lookups, for every pod of the namespace.\n");
        d.push_str(&header(&unique("allow-dns-egress", &mut taken), ns));
        d.push_str(
            "spec:\n  podSelector: {}\n  policyTypes:\n    - Egress\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n          podSelector:\n            matchLabels:\n              k8s-app: kube-dns\n      ports:\n        - port: 53\n          protocol: UDP\n        - port: 53\n          protocol: TCP\n",
        );
        docs.push(d);
        allowed.push("DNS".to_string());
        if !services.is_empty() {
            let mut d = String::from("# Calls from the namespace's pods to its own Services.\n");
            d.push_str(&header(&unique("allow-egress-to-services", &mut taken), ns));
            d.push_str("spec:\n  podSelector: {}\n  policyTypes:\n    - Egress\n  egress:\n");
            for svc in &services {
                d.push_str(&format!("    # Service `{}`\n    - to:\n        - podSelector:\n", svc.name));
                d.push_str(&match_labels(&svc.selector, "            "));
                d.push_str(&ports(&svc.ports, "      "));
            }
            docs.push(d);
            allowed.push("calls to the namespace's Services".to_string());
        }
    }
    let summary = if allowed.is_empty() { "nothing else".to_string() } else { allowed.join(", ") };
    Generated {
        path: format!("networkpolicy-{}.yaml", dns_label(namespace, "default")),
        content: docs.join("---\n"),
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::scalar;

    #[test]
    fn scalars_read_back_as_strings() {
        assert_eq!(scalar("web"), "web");
        assert_eq!(scalar("app.kubernetes.io/name"), "app.kubernetes.io/name");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("1.0"), "\"1.0\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("a b"), "\"a b\"");
    }
}

use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A Service sets `externalIPs`.
    ///
    /// ## What it does
    /// Reports a Service whose `spec.externalIPs` lists addresses, at the first address,
    /// naming them all. An empty list is not reported.
    ///
    /// ## Why
    /// kube-proxy routes traffic for every address in `externalIPs` to the Service, on every
    /// node, without checking that the Service's owner owns the address
    /// (CVE-2020-8554). Whoever can create or update a Service in any namespace can claim
    /// an address another workload or an outside host uses, and intercept its traffic
    /// inside the cluster: a man in the middle for DNS, a database, or an external API.
    /// The Kubernetes project's fix is to forbid the field: the `DenyServiceExternalIPs`
    /// admission plugin, or a policy such as this rule's Kyverno equivalent.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///     - port: 80
    ///   externalIPs:
    ///     - 203.0.113.10
    /// ```
    /// Use instead: `type: LoadBalancer` (the cloud or MetalLB assigns and announces the
    /// address), or an Ingress or Gateway.
    ///
    /// ## Fix safety
    /// No automatic fix: removing the addresses cuts the traffic sent to them; the
    /// replacement (a load balancer, an Ingress) has to exist first.
    ///
    /// ## References
    /// - CVE-2020-8554, "Man in the middle using LoadBalancer or ExternalIPs": <https://github.com/kubernetes/kubernetes/issues/97076>
    /// - Kubernetes, "Service", External IPs: <https://kubernetes.io/docs/concepts/services-networking/service/#external-ips>
    /// - CWE-300: Channel Accessible by Non-Endpoint
    pub struct ServiceExternalIps {
        code: "KS063",
        name: "service-external-ips",
        severity: Warning,
        tags: ["network", "attack-surface", "cwe:300"],
        equivalents: ["kyverno:restrict-service-external-ips", "trivy:KSV-0108"],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for svc in cx.objects_of_kind("Service") {
        if svc.get_str("apiVersion") != Some("v1") {
            continue;
        }
        let Some(ips) = svc.path(&["spec", "externalIPs"]) else { continue };
        let items: Vec<&rampart_yaml::Node> = if ips.is_seq() {
            ips.items().iter().collect()
        } else if ips.is_null() {
            Vec::new()
        } else {
            vec![ips]
        };
        let Some(first) = items.first() else { continue };
        let addresses: Vec<String> = items.iter().map(|i| format!("`{}`", i.as_str().unwrap_or("?").trim())).collect();
        let name = svc.path(&["metadata", "name"]).and_then(|n| n.as_string()).unwrap_or("");
        out.push(
            cx.finding(
                &INFO,
                first.span.clone(),
                format!(
                    "Service `{name}` sets `externalIPs`: {}",
                    match addresses.len() {
                        n if n > 4 => format!("{} and {} more", addresses[..4].join(", "), n - 4),
                        1 => addresses[0].clone(),
                        n => format!("{} and {}", addresses[..n - 1].join(", "), addresses[n - 1]),
                    }
                ),
            )
            .with_label("every node routes traffic for these addresses to this Service, whoever owns them (CVE-2020-8554)")
            .with_help("use `type: LoadBalancer` or an Ingress, and forbid the field with the `DenyServiceExternalIPs` admission plugin"),
        );
    }
}

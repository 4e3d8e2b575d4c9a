use super::common::{DEFAULT_NAMESPACE, Direction, Policies};
use super::generate::namespace_fix;
use crate::Finding;
use crate::manifest::ProjectContext;

declare_rule! {
    /// A namespace with workloads has no default-deny NetworkPolicy.
    ///
    /// ## What it does
    /// Looks at every Kubernetes manifest given together (`rampart check DIR` reads a
    /// namespace's workloads and policies from all its files) and reports each namespace
    /// that has workloads but whose pods are not all isolated, for ingress, for egress or
    /// both (the message says which). A namespace is isolated for ingress when a
    /// NetworkPolicy of the namespace selects every pod (`podSelector: {}`) and applies to
    /// ingress (`policyTypes` lists `Ingress`, or is absent: ingress is the default), and no
    /// such policy admits everything (an ingress rule without `from` and `ports`, or from
    /// `0.0.0.0/0`); the same for egress, which a policy applies to when `policyTypes` lists
    /// `Egress` (or, absent, when it has egress rules). The classic default-deny, with
    /// `policyTypes: [Ingress, Egress]` and no rules, is the simplest such policy; a
    /// `podSelector: {}` policy that allows only traffic from the namespace's own pods
    /// isolates them too.
    ///
    /// The finding points at the Namespace object when it is among the files, else at the
    /// namespace's first workload. Objects without `metadata.namespace` are counted in
    /// `default` (where `kubectl apply` puts them without `-n`), and the message says so.
    ///
    /// Not reported: namespaces governed by policies rampart does not read (a
    /// `CiliumNetworkPolicy` or Calico/Antrea `NetworkPolicy` in the namespace; any
    /// cluster-wide `CiliumClusterwideNetworkPolicy`, `GlobalNetworkPolicy`,
    /// `AdminNetworkPolicy` or `BaselineAdminNetworkPolicy` among the files), and
    /// `PodTemplate` objects, which run nothing.
    ///
    /// ## Why
    /// Without a NetworkPolicy a pod accepts connections from every pod of the cluster and
    /// connects anywhere: one compromised pod reaches every database, every internal API and
    /// the cloud metadata endpoint. A default-deny policy makes each allowed flow a decision
    /// written down; the egress half is what stops exfiltration and lateral movement from a
    /// compromised pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// # … and no NetworkPolicy in namespace shop
    /// ```
    /// Use instead: deny by default, then allow each workload's traffic (and DNS).
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: default-deny
    ///   namespace: shop
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ```
    ///
    /// ## Fix
    /// Creates `networkpolicy-<namespace>.yaml` beside the file the finding points into
    /// (`rampart fix --diff` shows it): a default-deny policy for the directions the
    /// namespace lacks one for, and allow policies derived from the namespace's Services
    /// (among all the files given together):
    /// - ingress: to the pods each Service selects (its `selector`), on the ports it targets
    ///   (`targetPort`, else `port`; a named port stays named), from any source — a Service
    ///   is the statement that its port is meant to be reached, and its clients may be in
    ///   other namespaces or outside the cluster;
    /// - egress: DNS to the cluster's DNS pods (`k8s-app: kube-dns` in `kube-system`, UDP
    ///   and TCP 53), and from every pod of the namespace to the pods of its Services on
    ///   their target ports.
    ///
    /// The policies name the namespace when its objects do; for objects without
    /// `metadata.namespace` they name none, and land where the workloads are applied. Names
    /// already taken by a policy of the namespace get a suffix. No fix when a policy that
    /// selects every pod admits everything in the missing direction (KS062): no policy
    /// added can isolate the pods then.
    ///
    /// ## Fix safety
    /// Unsafe: a default-deny cuts every flow nobody declared — calls to other namespaces,
    /// to databases or APIs outside the cluster, to the Kubernetes API, health checks from
    /// a load balancer on another port, a DNS service with other labels. Review the file
    /// (the comments say what it allows) and add what the workloads need before applying
    /// it.
    ///
    /// ## References
    /// - Kubernetes, "Network Policies", Default policies: <https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies>
    /// - CIS Kubernetes Benchmark 5.3.2 "Ensure that all Namespaces have Network Policies defined"
    /// - NIST SP 800-190 §4.4.2; CWE-923
    pub struct NamespaceWithoutDefaultDeny {
        code: "KS060",
        name: "namespace-without-default-deny",
        severity: Warning,
        tags: ["network", "isolation", "cis-k8s:5.3.2", "nist-800-190:4.4.2", "cwe:923", "seed:network-policy"],
        equivalents: [],
        fix: Unsafe,
    }
}

pub(super) fn check(cx: &ProjectContext<'_>, out: &mut Vec<Finding>) {
    let policies = Policies::collect(cx);
    if policies.cluster_wide {
        return;
    }
    // Namespaces in the order their first workload appears.
    let mut namespaces: Vec<(&str, usize, usize)> = Vec::new();
    for (fi, f) in cx.files.iter().enumerate() {
        for (wi, w) in f.workloads.iter().enumerate() {
            if w.kind == "PodTemplate" {
                continue;
            }
            let ns = w.namespace.as_ref().map_or(DEFAULT_NAMESPACE, |n| n.value.as_str());
            if !namespaces.iter().any(|(n, _, _)| *n == ns) {
                namespaces.push((ns, fi, wi));
            }
        }
    }
    for (ns, fi, wi) in namespaces {
        if !policies.evaluated(ns) {
            continue;
        }
        let directions: Vec<Direction> =
            [Direction::Ingress, Direction::Egress].into_iter().filter(|d| !policies.default_deny(ns, *d)).collect();
        if directions.is_empty() {
            continue;
        }
        let missing = directions.iter().map(|d| d.field()).collect::<Vec<_>>().join(" or ");
        let namespace_object = cx.objects().find(|(_, o)| {
            o.get_str("kind") == Some("Namespace")
                && o.get_str("apiVersion").is_some_and(|v| v == "v1")
                && o.path(&["metadata", "name"]).and_then(|n| n.as_str()) == Some(ns)
        });
        let (file, w) = (&cx.files[fi], &cx.files[fi].workloads[wi]);
        let finding = match namespace_object {
            Some((nf, obj)) => {
                let span = obj.path(&["metadata", "name"]).map_or_else(|| obj.span.clone(), |n| n.span.clone());
                cx.finding(&INFO, nf, span, format!("namespace `{ns}` has no default-deny NetworkPolicy for {missing}"))
                    .with_label(format!("its pods ({} among them) {}", w.describe(), open_to(&missing)))
            }
            None => {
                let unset = w.namespace.is_none();
                let named = if unset {
                    format!("namespace `{ns}` ({} sets no `metadata.namespace`)", w.describe())
                } else {
                    format!("namespace `{ns}`")
                };
                cx.finding(
                    &INFO,
                    file,
                    w.anchor.clone(),
                    format!("{named} has no default-deny NetworkPolicy for {missing}"),
                )
                .with_label(format!(
                    "the pods of {} and its neighbours {}",
                    w.describe(),
                    open_to(&missing)
                ))
            }
        };
        let finding = match namespace_fix(cx, &policies, ns) {
            Some(fix) => finding.with_fix(fix),
            None => finding,
        };
        out.push(finding.with_help(format!(
            "add a NetworkPolicy with `podSelector: {{}}` and `policyTypes: [{}]` in namespace `{ns}`, then allow each workload's traffic",
            match missing.as_str() {
                "ingress" => "Ingress",
                "egress" => "Egress",
                _ => "Ingress, Egress",
            }
        )));
    }
}

fn open_to(missing: &str) -> &'static str {
    match missing {
        "ingress" => "accept connections from every pod of the cluster",
        "egress" => "can connect anywhere",
        _ => "accept connections from every pod and can connect anywhere",
    }
}

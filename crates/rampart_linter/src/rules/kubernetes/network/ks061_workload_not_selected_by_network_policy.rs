use super::common::{DEFAULT_NAMESPACE, Policies, selects};
use super::generate::namespace_fix;
use crate::Finding;
use crate::manifest::ProjectContext;

declare_rule! {
    /// A workload's pods are selected by no NetworkPolicy of its namespace.
    ///
    /// ## What it does
    /// Looks at every Kubernetes manifest given together and reports a workload whose pod
    /// labels (the pod template's `metadata.labels`, or a Pod's own) no Kubernetes
    /// NetworkPolicy of its namespace selects, at the workload's name. Selection is the API
    /// server's: every `matchLabels` pair must be on the pod, and every `matchExpressions`
    /// entry hold (`In`, `NotIn`, `Exists`, `DoesNotExist`); an empty `podSelector` selects
    /// every pod. Objects without `metadata.namespace` are counted in `default`.
    ///
    /// Not reported: workloads of a namespace with no NetworkPolicy at all (that namespace
    /// is [KS060](KS060.md)'s finding, once, rather than one per workload here), of a
    /// namespace governed by a Cilium, Calico or Antrea policy or when a cluster-wide policy
    /// of another engine is among the files (rampart does not evaluate them), and
    /// `PodTemplate` objects.
    ///
    /// ## Why
    /// A pod that no NetworkPolicy selects is not isolated: it accepts every connection and
    /// connects anywhere, whatever the policies around it say. In a namespace that uses
    /// policies this is usually a mistake: a label renamed in the Deployment but not in the
    /// policy, or a new workload nobody wrote a policy for.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    /// ---
    /// kind: Deployment
    /// metadata: {name: worker}
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app: worker}
    /// ```
    /// Use instead: a policy for `app: worker`, or a default-deny policy (`podSelector: {}`)
    /// for the whole namespace.
    ///
    /// ## Fix
    /// The fix of [KS060](KS060.md), which reports the same namespace: it creates
    /// `networkpolicy-<namespace>.yaml` beside the file, with a default-deny policy for
    /// the namespace (which selects this workload too) and allow policies derived from the
    /// namespace's Services. All the findings of a namespace share that one file. A policy
    /// for this workload alone is not written: it would isolate it while leaving its
    /// neighbours open.
    ///
    /// ## Fix safety
    /// Unsafe, as for KS060: a default-deny cuts every flow the Services do not declare
    /// (calls to other namespaces, to the API server, to databases outside the cluster);
    /// which traffic the workload needs beyond them is for a human to add before applying.
    ///
    /// ## References
    /// - Kubernetes, "Network Policies", The two sorts of pod isolation: <https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation>
    /// - CIS Kubernetes Benchmark 5.3.2
    /// - CWE-923
    pub struct WorkloadNotSelectedByNetworkPolicy {
        code: "KS061",
        name: "workload-not-selected-by-network-policy",
        severity: Note,
        tags: ["network", "isolation", "cis-k8s:5.3.2", "cwe:923", "seed:network-policy"],
        equivalents: ["kube-linter:non-isolated-pod"],
        fix: Unsafe,
    }
}

pub(super) fn check(cx: &ProjectContext<'_>, out: &mut Vec<Finding>) {
    let policies = Policies::collect(cx);
    // One fix (one file) per namespace, shared by its findings.
    let mut fixes: Vec<(&str, Option<rampart_diagnostics::Fix>)> = Vec::new();
    for (file, w) in cx.workloads() {
        if w.kind == "PodTemplate" {
            continue;
        }
        let ns = w.namespace.as_ref().map_or(DEFAULT_NAMESPACE, |n| n.value.as_str());
        if !policies.evaluated(ns) {
            continue;
        }
        let mut in_ns = policies.of(ns).peekable();
        if in_ns.peek().is_none() {
            continue;
        }
        if in_ns.any(|p| selects(p.path(&["spec", "podSelector"]), &w.labels)) {
            continue;
        }
        let labels: Vec<String> = w.labels.iter().map(|(k, v)| format!("{k}={}", v.value)).collect();
        let label = if labels.is_empty() {
            "its pods have no labels; only a `podSelector: {}` policy selects them".to_string()
        } else {
            format!("no `podSelector` matches its pod labels `{}`", labels.join(","))
        };
        let unset = if w.namespace.is_none() { " (no `metadata.namespace`: `default` assumed)" } else { "" };
        let finding = cx
            .finding(
                &INFO,
                file,
                w.anchor.clone(),
                format!(
                    "{} is selected by no NetworkPolicy of namespace `{ns}`{unset}: its pods accept any connection and connect anywhere",
                    w.describe()
                ),
            )
            .with_label(label)
            .with_help("add a NetworkPolicy whose `podSelector` matches its pods, or a default-deny policy for the namespace");
        let fix = match fixes.iter().find(|(n, _)| *n == ns) {
            Some((_, fix)) => fix.clone(),
            None => {
                let fix = namespace_fix(cx, &policies, ns);
                fixes.push((ns, fix.clone()));
                fix
            }
        };
        out.push(match fix {
            Some(fix) => finding.with_fix(fix),
            None => finding,
        });
    }
}

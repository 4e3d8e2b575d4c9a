use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{Format, Workload};
use rampart_yaml::Node;

use crate::Finding;
use crate::manifest::ManifestContext;
use crate::rules::posture::fix_pod::{FileEditor, PLACEHOLDER, node};

declare_rule! {
    /// A workload is in the `default` namespace, or names no namespace.
    ///
    /// ## What it does
    /// Reports a Kubernetes workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
    /// ReplicationController, Job, CronJob, PodTemplate) whose `metadata.namespace` is
    /// `default` — at the value — or is not set — at the workload's name: a manifest without
    /// a namespace goes to the namespace of whoever applies it, `default` unless their context
    /// says otherwise.
    ///
    /// ## Why
    /// Namespaces are where Kubernetes draws its security boundaries: RBAC roles, network
    /// policies, resource quotas, Pod Security admission levels and secrets are all scoped by
    /// namespace. Workloads piled into `default` share them all, usually with none of them
    /// configured, and an account given access to one of them has access to every other.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// ```
    /// Use instead:
    /// ```yaml
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// ```
    /// Tools that set the namespace at deploy time (`kustomize` `namespace:`, `helm install
    /// -n`) leave it out of the manifest: suppress the rule for those files, or set it there.
    ///
    /// ## Fix
    /// Shows where `metadata.namespace` goes: the name of the Namespace the file defines when
    /// it defines exactly one (other than `default`), else a `REPLACE_ME` placeholder. It is
    /// never applied.
    ///
    /// ## Fix safety
    /// Display-only: which namespace the workload belongs to is for a human to decide, and
    /// moving it changes which ConfigMaps, Secrets, ServiceAccounts, Services and policies
    /// it sees — those it uses must move with it.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.7.4 "The default namespace should not be used"
    /// - Kubernetes: <https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/>
    pub struct DefaultNamespace {
        code: "KS030",
        name: "default-namespace",
        severity: Warning,
        tags: ["isolation", "cis-k8s:5.7.4", "seed:isolation"],
        equivalents: [
            "kyverno:disallow-default-namespace",
            "trivy:KSV-0110",
            "kube-linter:use-namespace",
            "checkov:CKV_K8S_21",
        ],
        fix: DisplayOnly,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in cx.workloads.iter().filter(|w| w.format == Format::Kubernetes) {
        let (span, message, label) = match &w.namespace {
            Some(ns) if ns.value.trim() == "default" => (
                ns.span().unwrap_or_else(|| w.anchor.clone()),
                format!("{} is in the `default` namespace", w.describe()),
                "shared by everything nobody gave a namespace",
            ),
            Some(ns) if !ns.value.trim().is_empty() => continue,
            _ => (
                w.anchor.clone(),
                format!("{} names no namespace", w.describe()),
                "applied to the current context's namespace, usually `default`",
            ),
        };
        let mut finding = cx.finding(&INFO, span, message).with_label(label).with_help(
            "set `metadata.namespace` to a namespace of its own, with its RBAC, network policies and quotas",
        );
        if let Some(fix) = fix(cx, w) {
            finding = finding.with_fix(fix);
        }
        out.push(finding);
    }
}

/// The one Namespace the file defines (other than `default`), if it defines one.
fn file_namespace<'a>(cx: &ManifestContext<'a>) -> Option<&'a str> {
    let names: Vec<&str> = cx
        .objects_of_kind("Namespace")
        .filter(|n| n.get_str("apiVersion") == Some("v1"))
        .filter_map(|n| n.path(&["metadata", "name"]).and_then(Node::as_string))
        .filter(|n| n.trim() != "default" && !n.trim().is_empty())
        .collect();
    match names.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

fn fix(cx: &ManifestContext<'_>, w: &Workload) -> Option<Fix> {
    let suggested = file_namespace(cx);
    let value = Val::str(suggested.unwrap_or(PLACEHOLDER));
    let ed = FileEditor::new(cx);
    let edits = match w.namespace.as_ref().and_then(|n| n.span()) {
        Some(span) => ed.replace(node(cx, &span)?, &value)?,
        None => ed.set_path(node(cx, &w.span)?, &["metadata", "namespace"], &value)?,
    };
    let message = match suggested {
        Some(ns) => format!("Put it in namespace `{ns}`, which this file defines, with what it uses"),
        None => "Set `metadata.namespace` to the workload's own namespace".to_string(),
    };
    Some(Fix::display_only(message, edits))
}

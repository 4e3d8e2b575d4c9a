use rampart_diagnostics::Fix;
use rampart_posture::Format;
use rampart_posture::edit::Val;
use rampart_yaml::Node;

use crate::Finding;
use crate::manifest::ManifestContext;
use crate::rules::posture::fix_pod::{FileEditor, pod_spec};

declare_rule! {
    /// A pod gets a Kubernetes API token it may not need.
    ///
    /// ## What it does
    /// Reports a Kubernetes workload that does not set `automountServiceAccountToken: false`
    /// in its pod spec, unless its service account (`serviceAccountName`, `default` when
    /// unset) is defined in the same file with `automountServiceAccountToken: false` (same
    /// namespace, or namespace unset on either). An explicit
    /// `automountServiceAccountToken: true` is reported where it is written; otherwise the
    /// finding points at the workload's name.
    ///
    /// ## Why
    /// By default every pod gets a token for its service account at
    /// `/var/run/secrets/kubernetes.io/serviceaccount/token`. Most applications never call
    /// the Kubernetes API, but an attacker in the container can: to discover the cluster, and
    /// with whatever permissions the account has (for `default`, whatever was granted to it
    /// in that namespace, often more than intended) to act on it. A workload that does call
    /// the API should have its own service account with narrow RBAC rules.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/web:1.4.2
    /// ```
    /// Use instead:
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     spec:
    ///       automountServiceAccountToken: false
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/web:1.4.2
    /// ```
    ///
    /// ## Fix
    /// Sets `automountServiceAccountToken: false` in the pod spec (replacing `true`, or added
    /// after its last field). The pod spec wins over the ServiceAccount's own setting, so the
    /// fix does not depend on objects in other files.
    ///
    /// ## Fix safety
    /// Unsafe: a workload that does call the API (a client library that reads the in-cluster
    /// configuration, an operator, a sidecar that watches ConfigMaps) then fails to
    /// authenticate. Give such a workload its own service account with narrow RBAC instead.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.6 "Ensure that Service Account Tokens are only mounted
    ///   where necessary"
    /// - NIST SP 800-190 §4.3.2 (unbounded administrative access)
    /// - Kubernetes: <https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting>
    pub struct ServiceAccountTokenAutomounted {
        code: "KS029",
        name: "service-account-token-automounted",
        severity: Note,
        tags: ["least-privilege", "kubernetes-api", "cis-k8s:5.1.6", "seed:least-privilege"],
        equivalents: ["trivy:KSV-0036", "polaris:automountServiceAccountToken", "checkov:CKV_K8S_38"],
        fix: Unsafe,
    }
}

/// Whether the ServiceAccount `account`, defined in the file, turns automounting off for the
/// workload's namespace.
fn account_opts_out(cx: &ManifestContext<'_>, account: &str, namespace: Option<&str>) -> bool {
    cx.objects_of_kind("ServiceAccount").any(|sa| {
        let meta = sa.get("metadata");
        let name = meta.and_then(|m| m.get_str("name"));
        let ns = meta.and_then(|m| m.get_str("namespace"));
        name == Some(account)
            && (ns.is_none() || namespace.is_none() || ns == namespace)
            && sa.get("automountServiceAccountToken").and_then(Node::as_bool) == Some(false)
    })
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in cx.workloads.iter().filter(|w| w.format == Format::Kubernetes) {
        let account = w.service_account.as_ref().map(|s| s.value.trim()).filter(|s| !s.is_empty()).unwrap_or("default");
        let setting = &w.automount_service_account_token;
        let (span, label) = match (setting.value, setting.span()) {
            (Some(false), _) => continue,
            (Some(true), Some(span)) => (span, "the token is mounted on purpose here".to_string()),
            _ => {
                if account_opts_out(cx, account, w.namespace.as_ref().map(|n| n.value.as_str())) {
                    continue;
                }
                (w.anchor.clone(), "no `automountServiceAccountToken: false`".to_string())
            }
        };
        let mut finding = cx
            .finding(&INFO, span, format!("{} mounts the API token of service account `{account}`", w.describe()))
            .with_label(label)
            .with_help(
                "if the workload does not call the Kubernetes API, set `automountServiceAccountToken: false` in the pod spec (or on its ServiceAccount)",
            );
        if let Some(edits) = pod_spec(cx, w)
            .and_then(|spec| FileEditor::new(cx).set(spec, "automountServiceAccountToken", &Val::Bool(false)))
        {
            finding =
                finding.with_fix(Fix::unsafe_("Set `automountServiceAccountToken: false` in the pod spec", edits));
        }
        out.push(finding);
    }
}

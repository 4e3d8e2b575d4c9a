use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_yaml::Node;

use crate::Finding;
use crate::manifest::ManifestContext;
use crate::rules::posture::fix_pod::{FileEditor, node};

declare_rule! {
    /// A Namespace does not enforce a Pod Security Standards level.
    ///
    /// ## What it does
    /// Reports a Namespace whose labels do not make Pod Security admission block
    /// non-compliant pods:
    /// - no `pod-security.kubernetes.io/enforce` label (at the namespace's name; the message
    ///   says when only `warn` or `audit` is set, which report violations without blocking);
    /// - `enforce: privileged`, which admits everything (at the value);
    /// - a value that is not a level (`Restricted`, `strict`): Pod Security admission
    ///   rejects the label (at the value);
    /// - `enforce-version` pinned to a version whose definition of the level lacks controls
    ///   added later: before `v1.19` for `baseline` (no seccomp check), before `v1.23` for
    ///   `restricted` (no capabilities check before v1.22, no `runAsUser: 0` check before
    ///   v1.23), or a value that is neither `latest` nor `vMAJOR.MINOR` (at the version).
    ///   Later pins are not reported: pinning is how clusters upgrade without surprises,
    ///   and the definitions since then differ only in refinements.
    ///
    /// `baseline` counts as enforcing: it is the level that stops known privilege
    /// escalations, and `restricted` is not always possible. `kube-system` is not reported:
    /// its node agents (CNI, kube-proxy, CSI node plugins) need host access by design.
    ///
    /// ## Why
    /// Pod Security admission is the built-in control that keeps privileged, host-namespace
    /// and hostPath pods out of a namespace. It only acts where a namespace enforces a
    /// level: without the label, anyone who may create a pod (or a Deployment) in the
    /// namespace may create one that takes over its node. A cluster-wide default set in the
    /// API server's `AdmissionConfiguration` also works, but it is invisible in the
    /// manifests; the label keeps the guarantee with the namespace.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/warn: restricted
    /// ```
    /// Use instead:
    /// ```yaml
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    ///     pod-security.kubernetes.io/enforce-version: latest
    /// ```
    ///
    /// ## Fix
    /// - No `enforce` label, or `enforce: privileged`: enforces the level the namespace
    ///   already watches with its `warn` label (else its `audit` label) when that is
    ///   `baseline` or `restricted` — its owner measured the pods against it — and
    ///   `baseline` otherwise: the level that stops known privilege escalations and that
    ///   ordinary applications meet. Raise it to `restricted` once `warn: restricted` shows
    ///   no violation.
    /// - A level in the wrong case (`Restricted`) is written in lower case.
    /// - An `enforce-version` before the level's last control, or malformed, becomes
    ///   `latest`.
    ///
    /// Any other value (`strict`, empty) gets a display-only suggestion: what was meant is
    /// for a human to say. `enforce-version` is not added: without it the cluster applies
    /// its own (latest) definition.
    ///
    /// ## Fix safety
    /// Unsafe: enforcing a level (or a newer definition of it) rejects the namespace's pods
    /// that do not meet it at their next creation — a rollout or a node drain then leaves
    /// them unscheduled. Before applying, `kubectl label --dry-run=server --overwrite ns
    /// NAME pod-security.kubernetes.io/enforce=baseline` lists the pods that would be
    /// rejected.
    ///
    /// ## References
    /// - Kubernetes, "Pod Security Admission": <https://kubernetes.io/docs/concepts/security/pod-security-admission/>
    /// - Kubernetes, "Enforce Pod Security Standards with Namespace Labels": <https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/>
    /// - CIS Kubernetes Benchmark 5.2.1 "Ensure that the cluster has at least one active policy control mechanism in place"
    pub struct NamespacePssNotEnforced {
        code: "KS040",
        name: "namespace-pss-not-enforced",
        severity: Warning,
        tags: ["pss", "policy", "cis-k8s:5.2.1", "seed:policy-enforcement"],
        equivalents: [],
        fix: Varies,
    }
}

const PREFIX: &str = "pod-security.kubernetes.io/";
const LEVELS: &[&str] = &["privileged", "baseline", "restricted"];

/// The oldest `enforce-version` whose definition of `level` has every control it has today
/// on Linux.
fn complete_since(level: &str) -> Option<(u64, &'static str)> {
    match level {
        "baseline" => Some((19, "the seccomp check came in v1.19: pods that fail it are admitted")),
        "restricted" => Some((
            23,
            "the capabilities check came in v1.22, the `runAsUser: 0` check in v1.23: pods that fail them are admitted",
        )),
        _ => None,
    }
}

/// `v1.25` → 25 (the minor version; only 1.x exists).
fn minor(version: &str) -> Option<u64> {
    let rest = version.strip_prefix('v')?;
    let (major, minor) = rest.split_once('.')?;
    (major == "1" && !minor.is_empty() && minor.chars().all(|c| c.is_ascii_digit())).then(|| minor.parse().ok())?
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for ns in cx.objects_of_kind("Namespace") {
        if ns.get_str("apiVersion") != Some("v1") {
            continue;
        }
        let name_node = ns.path(&["metadata", "name"]);
        let name = name_node.and_then(Node::as_string).unwrap_or("");
        if name == "kube-system" {
            continue;
        }
        let anchor = name_node.or_else(|| ns.get("kind")).map_or_else(|| ns.span.clone(), |n| n.span.clone());
        let labels = ns.path(&["metadata", "labels"]);
        let label = |mode: &str| labels.and_then(|l| l.get(&format!("{PREFIX}{mode}"))).filter(|v| !v.is_null());
        // The level a fix enforces: what `warn` (else `audit`) already measures, else baseline.
        let target = ["warn", "audit"]
            .into_iter()
            .filter_map(|m| label(m)?.as_str())
            .map(str::trim)
            .find(|l| matches!(*l, "baseline" | "restricted"))
            .unwrap_or("baseline");
        let ed = FileEditor::new(cx);
        let set_level = |node_span: Option<&std::ops::Range<usize>>, level: &str| {
            let value = Val::str(level);
            match node_span {
                Some(span) => ed.replace(node(cx, span)?, &value),
                None => ed.set_path(ns, &["metadata", "labels", &format!("{PREFIX}enforce")], &value),
            }
        };
        let enforce_fix = |node_span: Option<&std::ops::Range<usize>>, level: &str| {
            set_level(node_span, level)
                .map(|edits| Fix::unsafe_(format!("Enforce the `{level}` Pod Security level"), edits))
        };
        let Some(enforce) = label("enforce") else {
            let watching: Vec<String> =
                ["warn", "audit"].into_iter().filter_map(|m| Some(format!("`{m}: {}`", label(m)?.as_str()?))).collect();
            let why = if watching.is_empty() {
                "pods are admitted whatever they ask for, unless the API server sets a default".to_string()
            } else {
                format!("only {}: violations are reported, not blocked", watching.join(" and "))
            };
            let finding = cx
                .finding(&INFO, anchor, format!("namespace `{name}` enforces no Pod Security level"))
                .with_label(format!("no `{PREFIX}enforce` label: {why}"))
                .with_help(format!("label it `{PREFIX}enforce: restricted` (or `baseline`)"));
            out.push(with_fix(finding, enforce_fix(None, target)));
            continue;
        };
        let level = enforce.as_str().unwrap_or("").trim();
        if level == "privileged" {
            let finding = cx
                .finding(&INFO, enforce.span.clone(), format!("namespace `{name}` enforces the `privileged` Pod Security level"))
                .with_label("`privileged` admits every pod: host namespaces, hostPath, privileged containers")
                .with_help("enforce `restricted` (or `baseline`), and move the workloads that need host access to a namespace of their own");
            out.push(with_fix(finding, enforce_fix(Some(&enforce.span), target)));
            continue;
        }
        if !LEVELS.contains(&level) {
            let lower = level.to_ascii_lowercase();
            let fix = match lower.as_str() {
                "baseline" | "restricted" if enforce.as_str().is_some() => enforce_fix(Some(&enforce.span), &lower),
                "privileged" if enforce.as_str().is_some() => enforce_fix(Some(&enforce.span), target),
                _ => set_level(Some(&enforce.span), target)
                    .map(|edits| Fix::display_only(format!("Enforce a Pod Security level, such as `{target}`"), edits)),
            };
            let finding =
                cx.finding(
                    &INFO,
                    enforce.span.clone(),
                    if enforce.as_str().is_none() {
                        format!("namespace `{name}`: the `{PREFIX}enforce` label is not a string")
                    } else if level.is_empty() {
                        format!("namespace `{name}` has an empty `{PREFIX}enforce` label")
                    } else {
                        format!("namespace `{name}`: `{level}` is not a Pod Security level")
                    },
                )
                    .with_label("Pod Security admission rejects the label: the levels are `privileged`, `baseline` and `restricted`")
                    .with_help("write `restricted` or `baseline`, in lower case");
            out.push(with_fix(finding, fix));
            continue;
        }
        let Some(version) = label("enforce-version") else { continue };
        let v = version.as_str().unwrap_or("").trim();
        if v == "latest" {
            continue;
        }
        let Some((since, what)) = complete_since(level) else { continue };
        let latest = || {
            node(cx, &version.span)
                .and_then(|n| ed.replace(n, &Val::str("latest")))
                .map(|edits| Fix::unsafe_(format!("Enforce the latest definition of `{level}`"), edits))
        };
        match minor(v) {
            Some(m) if m >= since => {}
            Some(_) => out.push(with_fix(
                cx.finding(
                    &INFO,
                    version.span.clone(),
                    format!("namespace `{name}` pins `{level}` to `{v}`, a definition that lacks later controls"),
                )
                .with_label(what)
                .with_help("pin `latest` or a version from the cluster's own minor release"),
                latest(),
            )),
            None => out.push(with_fix(
                cx.finding(
                    &INFO,
                    version.span.clone(),
                    format!("namespace `{name}`: `{v}` is not a Pod Security version"),
                )
                .with_label("Pod Security admission rejects the label: write `latest` or `v1.MINOR`")
                .with_help("pin `latest` or a version from the cluster's own minor release"),
                latest(),
            )),
        }
    }
}

fn with_fix(finding: Finding, fix: Option<Fix>) -> Finding {
    match fix {
        Some(fix) => finding.with_fix(fix),
        None => finding,
    }
}

use rampart_posture::{ContainerRole, Format, Setting};
use rampart_yaml::Node;

use super::util::pod_spec;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::oci_missing_at;

declare_rule! {
    /// A container has no CPU request, memory request or memory limit.
    ///
    /// ## What it does
    /// Reports every regular and init container that lacks one of: a CPU request, a memory
    /// request, a memory limit — and names the ones missing. A Kubernetes pod-level
    /// `resources` (the `PodLevelResources` feature) counts for each of its containers. An
    /// empty quantity (`cpu: ""`) counts as missing.
    ///
    /// A Compose service and an OCI runtime config are checked for their memory limit only
    /// (Compose `deploy.resources.limits.memory` or `mem_limit`, at the service's name; OCI
    /// `linux.resources.memory.limit`, at the `resources` key or `linux`): requests are the
    /// Kubernetes scheduler's, Docker ignores a CPU reservation outside Swarm, and a memory
    /// reservation is only a soft limit there.
    ///
    /// Not required: a CPU limit (it throttles latency-sensitive work and is often left out on
    /// purpose). Not checked: ephemeral containers, which cannot set resources.
    ///
    /// ## Why
    /// Without a memory limit one container — leaking, or driven by an attacker — can take
    /// the node's memory until the kernel kills other workloads. Without requests the
    /// scheduler places the pod blind, the pod is `BestEffort` and first to be evicted, and
    /// the namespace's quota cannot account for it.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    /// ```
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     resources:
    ///       requests: {cpu: 250m, memory: 256Mi}
    ///       limits: {memory: 256Mi}
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the right quantities depend on the application's load, and a limit
    /// set too low gets the container killed.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.10, 5.11 (memory and CPU limits); CIS Kubernetes Benchmark 5.7
    /// - NIST SP 800-190 §4.4.3 (runtime configuration)
    /// - CWE-770: Allocation of Resources Without Limits or Throttling
    /// - Kubernetes: <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/>
    pub struct MissingResourceLimits {
        code: "KS021",
        name: "missing-resource-limits",
        severity: Warning,
        tags: ["runtime", "availability", "cis-docker:5.10", "cwe:770", "seed:resource-limits"],
        equivalents: [
            "kyverno:require-pod-requests-limits",
            "trivy:KSV-0015",
            "trivy:KSV-0016",
            "trivy:KSV-0018",
            "kube-linter:unset-cpu-requirements",
            "kube-linter:unset-memory-requirements",
            "polaris:cpuRequestsMissing",
            "polaris:memoryRequestsMissing",
            "polaris:memoryLimitsMissing",
            "checkov:CKV_K8S_10",
            "checkov:CKV_K8S_12",
            "checkov:CKV_K8S_13",
        ],
        fix: None,
    }
}

/// Whether a quantity is written and not empty.
fn set(q: &Option<Setting<String>>) -> bool {
    q.as_ref().is_some_and(|q| !q.value.trim().is_empty())
}

/// Whether the pod-level `resources` sets `section.name`.
fn pod_level(resources: Option<&Node>, section: &str, name: &str) -> bool {
    resources.and_then(|r| r.path(&[section, name])).and_then(Node::as_string).is_some_and(|q| !q.trim().is_empty())
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        let pod_resources = pod_spec(cx, w).and_then(|s| s.get("resources")).filter(|r| r.is_map());
        let (cpu_request, memory_request, memory_limit) = match w.format {
            Format::Kubernetes => ("resources.requests.cpu", "resources.requests.memory", "resources.limits.memory"),
            Format::Compose => ("", "", "deploy.resources.limits.memory"),
            Format::Oci => ("", "", "linux.resources.memory.limit"),
        };
        for c in w.containers.iter().filter(|c| c.role != ContainerRole::Ephemeral) {
            let r = &c.resources;
            let mut missing: Vec<(&str, &str)> = Vec::new();
            // Requests are the scheduler's: Docker ignores a CPU reservation outside Swarm, and
            // a memory reservation is only a soft limit there. Compose and OCI need the limit.
            if w.format == Format::Kubernetes {
                if !set(&r.cpu_request) && !pod_level(pod_resources, "requests", "cpu") {
                    missing.push(("CPU request", cpu_request));
                }
                if !set(&r.memory_request) && !pod_level(pod_resources, "requests", "memory") {
                    missing.push(("memory request", memory_request));
                }
            }
            if !set(&r.memory_limit) && !pod_level(pod_resources, "limits", "memory") {
                missing.push(("memory limit", memory_limit));
            }
            if missing.is_empty() {
                continue;
            }
            let what = list(&missing.iter().map(|(w, _)| *w).collect::<Vec<_>>(), "or");
            let fields = missing.iter().map(|(_, f)| format!("`{f}`")).collect::<Vec<_>>().join(", ");
            let help = if w.format != Format::Kubernetes {
                "set a memory limit the container must not exceed"
            } else if missing.iter().any(|(w, _)| *w == "memory limit") {
                "set requests to what the container needs under normal load, and a memory limit it must not exceed"
            } else {
                "set requests to what the container needs under normal load"
            };
            // OCI: limits belong in `linux.resources`, not in `process`.
            let at = match w.format {
                Format::Oci => {
                    oci_missing_at(cx, w, &["linux", "resources", "memory"]).unwrap_or_else(|| w.span.clone())
                }
                _ => c.anchor.clone(),
            };
            out.push(
                cx.finding(&INFO, at, format!("{} has no {what}", container_label(w, c)))
                    .with_label(format!("no {fields}"))
                    .with_help(help),
            );
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
fn list(items: &[&str], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

use rampart_config::quantity::{Quantity, docker_bytes};
use rampart_diagnostics::{Edit, Fix};
use rampart_posture::edit::Val;
use rampart_posture::{ContainerPosture, ContainerRole, Format, Setting, Workload};
use rampart_yaml::Node;

use super::util::pod_spec;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_pod::{self, FileEditor, PLACEHOLDER, compose_service};
use crate::rules::posture::{oci_missing_at, oci_root};

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
    /// ## Fix
    /// Writes what is missing from the defaults of `rampart.toml`'s `[fix]` section
    /// (`cpu-request`, `memory-request`, `memory-limit`; see [Configuration](../configuration.md#fix-defaults)):
    /// - Kubernetes: `resources.requests.cpu`, `resources.requests.memory` and
    ///   `resources.limits.memory` of the container, in the container's `resources` (created
    ///   if needed). A request is never written above a limit the container already has (it
    ///   takes the limit's value, as Kubernetes itself would), nor a limit below its request.
    /// - Compose: the memory limit in Docker's units (`256m`), in
    ///   `deploy.resources.limits.memory` when the service has a `deploy` section, else as
    ///   `mem_limit`.
    /// - OCI: `linux.resources.memory.limit`, in bytes.
    ///
    /// When a missing value has no default, the fix shows where it goes with a `REPLACE_ME`
    /// placeholder (beside the defaults there are) and is not applied.
    ///
    /// ## Fix safety
    /// Unsafe with configured defaults: a memory limit below what the application needs
    /// gets it killed (OOM) under load, and requests above what a node has free leave the
    /// pod unscheduled. Display-only without a default for each missing value: the
    /// quantities depend on the application's load, which only its owner knows.
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
        fix: Varies,
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
            let mut finding = cx
                .finding(&INFO, at, format!("{} has no {what}", container_label(w, c)))
                .with_label(format!("no {fields}"))
                .with_help(help);
            let kinds: Vec<&str> = missing.iter().map(|(what, _)| *what).collect();
            if let Some(fix) = fix(cx, w, c, &kinds) {
                finding = finding.with_fix(fix);
            }
            out.push(finding);
        }
    }
}

/// The value to write for each missing setting (`None`: no default configured).
struct Values {
    cpu_request: Option<String>,
    memory_request: Option<String>,
    memory_limit: Option<String>,
}

/// The configured defaults, kept consistent with what the container already has: a request
/// not above its limit, a limit not below its request.
fn values(cx: &ManifestContext<'_>, c: &ContainerPosture) -> Values {
    let d = &cx.options.fix;
    let parse = |s: &Option<Setting<String>>| s.as_ref().and_then(|s| Quantity::parse(&s.value).ok());
    let (cpu_limit, memory_limit, memory_request) =
        (parse(&c.resources.cpu_limit), parse(&c.resources.memory_limit), parse(&c.resources.memory_request));
    let at_most = |value: &Option<String>, bound: &Option<Quantity>| -> Option<String> {
        let v = value.as_ref()?;
        match (Quantity::parse(v).ok(), bound) {
            (Some(q), Some(b)) if q > *b => Some(b.as_str().to_string()),
            _ => Some(v.clone()),
        }
    };
    let at_least = |value: &Option<String>, bound: &Option<Quantity>| -> Option<String> {
        let v = value.as_ref()?;
        match (Quantity::parse(v).ok(), bound) {
            (Some(q), Some(b)) if q < *b => Some(b.as_str().to_string()),
            _ => Some(v.clone()),
        }
    };
    Values {
        cpu_request: at_most(&d.cpu_request, &cpu_limit),
        memory_request: at_most(&d.memory_request, &memory_limit),
        memory_limit: at_least(&d.memory_limit, &memory_request),
    }
}

fn fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture, missing: &[&str]) -> Option<Fix> {
    let v = values(cx, c);
    let value_of = |what: &str| match what {
        "CPU request" => v.cpu_request.clone(),
        "memory request" => v.memory_request.clone(),
        _ => v.memory_limit.clone(),
    };
    // Every missing value, configured or a placeholder: the fix applies only when none is a
    // placeholder (a fix that leaves the finding in place would be no fix).
    let chosen: Vec<(&str, Option<String>)> = missing.iter().map(|m| (*m, value_of(m))).collect();
    let unset: Vec<&str> = chosen.iter().filter(|(_, v)| v.is_none()).map(|(m, _)| *m).collect();
    let chosen: Vec<(&str, String)> =
        chosen.into_iter().map(|(m, v)| (m, v.unwrap_or_else(|| PLACEHOLDER.to_string()))).collect();
    let ed = FileEditor::new(cx);
    let edits = match w.format {
        Format::Kubernetes => kubernetes(cx, &ed, c, &chosen)?,
        Format::Compose => compose(cx, &ed, w, &chosen)?,
        Format::Oci => oci(cx, &ed, w, &chosen)?,
    };
    let shown: Vec<String> = chosen.iter().map(|(what, value)| format!("{what} `{value}`")).collect();
    let shown = list(&shown.iter().map(String::as_str).collect::<Vec<_>>(), "and");
    Some(if unset.is_empty() {
        Fix::unsafe_(format!("Set the {shown} (from `[fix]` in rampart.toml)"), edits)
    } else {
        let keys: Vec<String> = unset
            .iter()
            .map(|m| match *m {
                "CPU request" => "`cpu-request`",
                "memory request" => "`memory-request`",
                _ => "`memory-limit`",
            })
            .map(str::to_string)
            .collect();
        Fix::display_only(
            format!(
                "Set a {} for the container's load (a default for {} in `[fix]` of rampart.toml makes this fix apply)",
                list(missing, "and"),
                list(&keys.iter().map(String::as_str).collect::<Vec<_>>(), "and")
            ),
            edits,
        )
    })
}

fn kubernetes(
    cx: &ManifestContext<'_>,
    ed: &FileEditor<'_>,
    c: &ContainerPosture,
    chosen: &[(&str, String)],
) -> Option<Vec<Edit>> {
    let node = fix_pod::container(cx, c)?;
    let get = |what: &str| chosen.iter().find(|(w, _)| *w == what).map(|(_, v)| Val::str(v.as_str()));
    let mut requests = Vec::new();
    if let Some(cpu) = get("CPU request") {
        requests.push(("cpu".to_string(), cpu));
    }
    if let Some(memory) = get("memory request") {
        requests.push(("memory".to_string(), memory));
    }
    let mut resources = Vec::new();
    if !requests.is_empty() {
        resources.push(("requests".to_string(), Val::Map(requests)));
    }
    if let Some(memory) = get("memory limit") {
        resources.push(("limits".to_string(), Val::Map(vec![("memory".to_string(), memory)])));
    }
    ed.set(node, "resources", &Val::Map(resources))
}

fn compose(
    cx: &ManifestContext<'_>,
    ed: &FileEditor<'_>,
    w: &Workload,
    chosen: &[(&str, String)],
) -> Option<Vec<Edit>> {
    let (_, value) = chosen.iter().find(|(what, _)| *what == "memory limit")?;
    let value = if value == PLACEHOLDER { value.clone() } else { docker_bytes(Quantity::parse(value).ok()?.whole()?) };
    let service = compose_service(cx, w)?;
    let deploy_limit = service.path(&["deploy", "resources", "limits", "memory"]);
    if deploy_limit.is_some()
        || (service.get("mem_limit").is_none() && service.get("deploy").is_some_and(|d| d.is_map()))
    {
        ed.set_path(service, &["deploy", "resources", "limits", "memory"], &Val::Str(value))
    } else {
        ed.set(service, "mem_limit", &Val::Str(value))
    }
}

fn oci(cx: &ManifestContext<'_>, ed: &FileEditor<'_>, w: &Workload, chosen: &[(&str, String)]) -> Option<Vec<Edit>> {
    let (_, value) = chosen.iter().find(|(what, _)| *what == "memory limit")?;
    let value = if value == PLACEHOLDER {
        Val::str(value.as_str())
    } else {
        Val::Int(i64::try_from(Quantity::parse(value).ok()?.whole()?).ok()?)
    };
    ed.set_path(oci_root(cx, w)?, &["linux", "resources", "memory", "limit"], &value)
}

/// `a`, `a or b`, `a, b or c`.
fn list(items: &[&str], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

use rampart_posture::{ContainerRole, Format};

use super::util::pod_spec;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A long-running container has no health probe.
    ///
    /// ## What it does
    /// Reports a regular container of a Kubernetes workload that has none of
    /// `livenessProbe`, `readinessProbe` and `startupProbe`. Any one of them is accepted, as
    /// the Kyverno `require-probes` policy does: which ones an application needs depends on
    /// how it fails.
    ///
    /// Not reported: containers that are meant to finish — those of Jobs and CronJobs, and of
    /// Pods with `restartPolicy: Never` or `OnFailure` — and init and ephemeral containers.
    /// Compose services are not reported either: their image's `HEALTHCHECK` applies when
    /// the file sets none, and the Compose file does not say whether it has one.
    ///
    /// ## Why
    /// Without probes Kubernetes only knows whether the process is running. A server that
    /// deadlocks or loses its database connection keeps receiving traffic and is never
    /// restarted; a rolling update replaces healthy pods with ones that are not ready yet.
    /// Availability is part of security: a hung pod is a denial of service that nobody sees.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: registry.example.com/web:1.4.2
    /// ```
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: registry.example.com/web:1.4.2
    ///     readinessProbe:
    ///       httpGet: {path: /ready, port: 8080}
    ///     livenessProbe:
    ///       httpGet: {path: /healthz, port: 8080}
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the endpoint or command that tells whether the application is
    /// healthy is the application's, and a wrong probe restarts healthy pods.
    ///
    /// ## References
    /// - NIST SP 800-190 §4.4.3 (runtime configuration)
    /// - Kubernetes: <https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/>
    pub struct MissingProbes {
        code: "KS031",
        name: "missing-probes",
        severity: Note,
        tags: ["availability", "hygiene"],
        equivalents: [
            "kyverno:require-probes",
            "kube-linter:no-liveness-probe",
            "kube-linter:no-readiness-probe",
            "polaris:livenessProbeMissing",
            "polaris:readinessProbeMissing",
            "checkov:CKV_K8S_8",
            "checkov:CKV_K8S_9",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in cx.workloads.iter().filter(|w| w.format == Format::Kubernetes) {
        if matches!(w.kind.as_str(), "Job" | "CronJob") {
            continue;
        }
        let restart = pod_spec(cx, w).and_then(|s| s.get_str("restartPolicy"));
        if matches!(restart, Some("Never" | "OnFailure")) {
            continue;
        }
        for c in w.containers.iter().filter(|c| c.role == ContainerRole::Container) {
            let p = &c.probes;
            if p.liveness.is_some() || p.readiness.is_some() || p.startup.is_some() {
                continue;
            }
            out.push(
                cx.finding(&INFO, c.anchor.clone(), format!("{} has no health probe", container_label(w, c)))
                    .with_label("no `livenessProbe`, `readinessProbe` or `startupProbe`")
                    .with_help(
                        "add a `readinessProbe` (traffic only when ready) and a `livenessProbe` (restart when stuck)",
                    ),
            );
        }
    }
}

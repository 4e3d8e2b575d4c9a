use rampart_posture::{Format, Origin};

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A pod or container sets `runAsUser: 0`.
    ///
    /// ## What it does
    /// Reports `runAsUser: 0` in a pod's `securityContext` (even when every container sets
    /// another user: the standard allows no 0 there) and in a container's (regular, init
    /// and ephemeral), at the value. A container that inherits the pod's 0 is covered by the
    /// pod's finding. For Compose services and OCI bundles: a user of `0` or `root`. An unset
    /// user is not reported here: requiring a non-root user is KS014's job.
    ///
    /// ## Why
    /// UID 0 in the container is UID 0 on the node unless the pod has a user namespace: files
    /// it reaches through a mount, a leaked host file descriptor or a kernel bug are reached
    /// as root. `runAsUser: 0` forces root even when the image was built to run as a
    /// dedicated user, and it defeats `runAsNonRoot: true` (the pod is then refused, or, when
    /// `runAsNonRoot` is not set, runs as root).
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsUser: 0
    /// ```
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsUser: 10001
    ///     runAsNonRoot: true
    /// ```
    ///
    /// ## Fix safety
    /// The fix is to give a non-zero UID (or remove `runAsUser` and let a non-root image
    /// decide). It would be unsafe: a process written to run as root (binding to port 80,
    /// writing to root-owned paths) fails as another user. rampart does not apply it yet.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: "Running as Non-root user"
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Kubernetes Benchmark 5.2.7; CIS Docker Benchmark 4.1; NIST SP 800-190 §4.4.3
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct RunAsRootUser {
        code: "KS015",
        name: "run-as-root-user",
        severity: Error,
        tags: ["pss:restricted", "pss-control:running-as-non-root-user", "user", "cis-docker:4.1", "cwe:250", "seed:non-root"],
        equivalents: [
            "pss:restricted/running-as-non-root-user",
            "kyverno:require-run-as-non-root-user",
            "trivy:KSV-0105",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        if let Some(pod) = &w.pod.run_as_user
            && pod.value == 0
            && let Some(span) = pod.span()
        {
            let overridden = !w.containers.is_empty() && w.all_containers().all(|c| c.run_as_user.is_explicit());
            out.push(
                cx.finding(&INFO, span, format!("{} sets `runAsUser: 0` at the pod level", w.describe()))
                    .with_label(if overridden {
                        "every container sets its own user, but the pod-level 0 is still not allowed"
                    } else {
                        "containers without their own `runAsUser` run as root"
                    })
                    .with_help("give a non-zero UID (`runAsUser: 10001`), or remove it and run a non-root image"),
            );
        }
        for c in w.all_containers() {
            if let (Some(0), Origin::Explicit(span)) = (c.run_as_user.value, &c.run_as_user.origin) {
                let (message, help) = match w.format {
                    Format::Kubernetes => (
                        format!("{} runs as root (`runAsUser: 0`)", container_label(w, c)),
                        "give a non-zero UID (`runAsUser: 10001`), or remove it and run a non-root image",
                    ),
                    _ => (format!("{} runs as root (UID 0)", container_label(w, c)), "give a non-zero numeric UID"),
                };
                out.push(cx.finding(&INFO, span.clone(), message).with_label("UID 0, root").with_help(help));
            } else if let Some(user) = &c.user_name
                && user.value.split(':').next() == Some("root")
                && let Origin::Explicit(span) = &user.origin
                && c.run_as_user.value.is_none()
            {
                out.push(
                    cx.finding(&INFO, span.clone(), format!("{} runs as `root`", container_label(w, c)))
                        .with_label("the root user")
                        .with_help("give a non-zero numeric UID"),
                );
            }
        }
    }
}

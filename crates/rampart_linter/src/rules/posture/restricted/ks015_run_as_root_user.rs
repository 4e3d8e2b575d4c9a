use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{ContainerPosture, Format, Origin, Workload};

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{
    DEFAULT_UID, compose_user_fix, oci_user_fix, replace_at, to_edits, user_choice, with_fix,
};

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
    /// ## Fix
    /// The 0 is replaced by a non-root UID: the image's own user when a Dockerfile in the tree
    /// builds the image and gives it a numeric non-root `USER` (for a pod-level `runAsUser`,
    /// when every container inheriting it runs such an image with the same UID), else 10001.
    /// Compose: `user: "UID:GID"` replaces `root` or `0`. OCI: `process.user.uid` becomes 10001.
    ///
    /// ## Fix safety
    /// Unsafe, even with the image's own user: someone wrote root on purpose, and a process
    /// meant to run as root (binding a port below 1024, writing to root-owned paths, changing
    /// file owners at start) fails as another user.
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
        fix: Unsafe,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        if let Some(pod) = &w.pod.run_as_user
            && pod.value == 0
            && let Some(span) = pod.span()
        {
            let overridden = !w.containers.is_empty() && w.all_containers().all(|c| c.run_as_user.is_explicit());
            let fix = pod_fix(cx, w, &span);
            out.push(with_fix(
                cx.finding(&INFO, span, format!("{} sets `runAsUser: 0` at the pod level", w.describe()))
                    .with_label(if overridden {
                        "every container sets its own user, but the pod-level 0 is still not allowed"
                    } else {
                        "containers without their own `runAsUser` run as root"
                    })
                    .with_help("give a non-zero UID (`runAsUser: 10001`), or remove it and run a non-root image"),
                fix,
            ));
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
                let fix = container_fix(cx, w, c, span);
                out.push(with_fix(
                    cx.finding(&INFO, span.clone(), message).with_label("UID 0, root").with_help(help),
                    fix,
                ));
            } else if let Some(user) = &c.user_name
                && user.value.split(':').next() == Some("root")
                && let Origin::Explicit(span) = &user.origin
                && c.run_as_user.value.is_none()
            {
                out.push(with_fix(
                    cx.finding(&INFO, span.clone(), format!("{} runs as `root`", container_label(w, c)))
                        .with_label("the root user")
                        .with_help("give a non-zero numeric UID"),
                    container_fix(cx, w, c, span),
                ));
            }
        }
    }
}

/// A pod-level 0 replaced: by the image user every inheriting container shares, else 10001.
fn pod_fix(cx: &ManifestContext<'_>, w: &Workload, span: &std::ops::Range<usize>) -> Option<Fix> {
    let choices: Vec<_> =
        w.all_containers().filter(|c| !c.run_as_user.is_explicit()).map(|c| user_choice(cx, c)).collect();
    let uid = match choices.first() {
        Some(first) if choices.iter().all(|c| c.same_as_image && c.uid == first.uid) => first.uid,
        _ => DEFAULT_UID,
    };
    let edits = replace_at(cx, span, &Val::Int(uid))?;
    Some(Fix::unsafe_(format!("Set the pod's `runAsUser` to {uid}"), to_edits(edits)))
}

/// A container's 0 replaced by its image's non-root user, else 10001.
fn container_fix(
    cx: &ManifestContext<'_>,
    w: &Workload,
    c: &ContainerPosture,
    span: &std::ops::Range<usize>,
) -> Option<Fix> {
    match w.format {
        Format::Compose => compose_user_fix(cx, w, c).map(|f| Fix::unsafe_(f.message, f.edits)),
        Format::Oci => oci_user_fix(cx, w),
        Format::Kubernetes => {
            let choice = user_choice(cx, c);
            let edits = replace_at(cx, span, &Val::Int(choice.uid))?;
            let message = match &choice.source {
                Some(source) if choice.same_as_image => {
                    format!("Set `runAsUser` to {}, the image's own user ({source})", choice.uid)
                }
                _ => format!("Set `runAsUser` to {}", choice.uid),
            };
            Some(Fix::unsafe_(message, to_edits(edits)))
        }
    }
}

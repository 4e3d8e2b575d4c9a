use rampart_posture::{ContainerPosture, Format, Origin};

use super::{list, pod_anchor};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A container is not required to run as a non-root user (`runAsNonRoot: true`).
    ///
    /// ## What it does
    /// Reports a pod whose containers (regular, init and ephemeral) are not all required to
    /// run as non-root, as the restricted Pod Security Standard defines it: `runAsNonRoot`
    /// must be `true`, either in the pod's `securityContext` or in every container's. It
    /// reports:
    /// - a container that sets `runAsNonRoot: false`, even when the pod sets `true` (the
    ///   container's value wins, which Trivy's KSV-0012 overlooks);
    /// - a pod-level `runAsNonRoot: false`, even when every container overrides it;
    /// - a pod where neither the pod nor any container sets it (at the pod's
    ///   `securityContext`, or its `spec`), or, when some containers set it, each container
    ///   that does not (at its name).
    ///
    /// For Compose services and OCI bundles, a container counts as non-root when it names a
    /// numeric non-zero user.
    ///
    /// ## Why
    /// Without `runAsNonRoot: true`, the container runs as whatever user its image says, and
    /// most images say root. Root in a container is one kernel bug, one writable host mount
    /// or one added capability away from root on the node. With it, the kubelet refuses to
    /// start a container whose user would be UID 0, whatever the image becomes later.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// ## Fix safety
    /// The fix is to write `runAsNonRoot: true` in the pod's `securityContext` (and remove
    /// container-level `false` values). It would be unsafe: the kubelet then refuses to start
    /// a container whose image runs as root or names its user by name rather than by number,
    /// unless `runAsUser` gives a non-zero UID. rampart does not apply it yet.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: "Running as Non-root"
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Kubernetes Benchmark 5.2.7; CIS Docker Benchmark 4.1; NIST SP 800-190 §4.4.3
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct RunAsNonRootNotSet {
        code: "KS014",
        name: "run-as-non-root-not-set",
        severity: Error,
        tags: ["pss:restricted", "pss-control:running-as-non-root", "user", "cis-docker:4.1", "cwe:250", "seed:non-root"],
        equivalents: [
            "pss:restricted/running-as-non-root",
            "kyverno:require-run-as-nonroot",
            "trivy:KSV-0012",
            "kube-linter:run-as-non-root",
            "polaris:runAsRootAllowed",
            "checkov:CKV_K8S_23",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        let containers: Vec<&ContainerPosture> = w.all_containers().collect();
        // The pod-level field allows only `true`: a `false` there is reported even when every
        // container overrides it.
        if let Some(pod) = &w.pod.run_as_non_root
            && !pod.value
            && let Some(span) = pod.span()
        {
            let inheriting: Vec<&str> = containers
                .iter()
                .filter(|c| matches!(c.run_as_non_root.origin, Origin::Inherited(_)))
                .map(|c| c.name.as_str())
                .collect();
            let label = match inheriting.len() {
                0 => "only `true` is allowed here, even when every container sets it".to_string(),
                1 => format!("{} inherits it and may run as root", list(&inheriting)),
                _ => format!("{} inherit it and may run as root", list(&inheriting)),
            };
            out.push(
                cx.finding(&INFO, span, format!("{} sets `runAsNonRoot: false` at the pod level", w.describe()))
                    .with_label(label)
                    .with_help("set `runAsNonRoot: true` in the pod's `securityContext`"),
            );
        }
        let mut missing = Vec::new();
        for c in &containers {
            match (&c.run_as_non_root.value, &c.run_as_non_root.origin) {
                (Some(true), _) => {}
                // Inherited from the pod: reported above.
                (Some(false), Origin::Inherited(_)) => {}
                (Some(false), Origin::Explicit(span)) => {
                    let pod_true = w.pod.run_as_non_root.as_ref().is_some_and(|p| p.value);
                    out.push(
                        cx.finding(&INFO, span.clone(), format!("{} is allowed to run as root", container_label(w, c)))
                            .with_label(match w.format {
                                Format::Kubernetes if pod_true => {
                                    "`runAsNonRoot: false` here overrides the pod's `true`"
                                }
                                Format::Kubernetes => "`runAsNonRoot: false` lets the image's user be root",
                                _ => "the user is root",
                            })
                            .with_help(match w.format {
                                Format::Kubernetes => "set `runAsNonRoot: true`, or remove it when the pod sets `true`",
                                _ => "run as a numeric non-zero UID",
                            }),
                    );
                }
                _ => missing.push(*c),
            }
        }
        if missing.is_empty() {
            continue;
        }
        if w.format == Format::Kubernetes
            && w.pod_spec.is_some()
            && w.pod.run_as_non_root.is_none()
            && missing.len() == containers.len()
        {
            out.push(
                cx.finding(
                    &INFO,
                    pod_anchor(cx, w),
                    format!("{} does not require its containers to run as non-root", w.describe()),
                )
                .with_label("no `runAsNonRoot: true` for the pod or any of its containers")
                .with_help(
                    "add `runAsNonRoot: true` to the pod's `securityContext`; the images must then run as a \
                     numeric non-zero user, or `runAsUser` must give one",
                ),
            );
            continue;
        }
        for c in missing {
            let (label, help) = match w.format {
                Format::Kubernetes => (
                    "no `runAsNonRoot: true` here or in the pod's `securityContext`",
                    "add `runAsNonRoot: true` to its `securityContext`, or to the pod's",
                ),
                Format::Compose => {
                    ("no numeric non-root `user`", "set `user` to a numeric non-zero UID (`user: \"10001\"`)")
                }
                Format::Oci => ("no non-zero `process.user.uid`", "set `process.user.uid` to a non-zero UID"),
            };
            out.push(
                cx.finding(
                    &INFO,
                    c.anchor.clone(),
                    format!("{} is not required to run as non-root", container_label(w, c)),
                )
                .with_label(label)
                .with_help(help),
            );
        }
    }
}

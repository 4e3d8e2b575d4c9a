use rampart_posture::{ContainerPosture, Format, Origin, Seccomp};

use rampart_diagnostics::Fix;
use rampart_posture::Workload;
use rampart_posture::edit::Val;

use super::pod_anchor;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{
    Change, DOCKER_SECCOMP_PROFILE, k8s_container, pod_spec, seccomp_fix, to_edits, with_fix, write,
};
use crate::rules::posture::oci_missing_at;

declare_rule! {
    /// A container does not run under a `RuntimeDefault` or `Localhost` seccomp profile.
    ///
    /// ## What it does
    /// Reports, as the restricted Pod Security Standard defines it, a pod whose containers
    /// (regular, init and ephemeral) are not all confined by a seccomp profile of type
    /// `RuntimeDefault` or `Localhost`:
    /// - a `seccompProfile.type` of `Unconfined` (or any other value) in a container, or in
    ///   the pod (even when every container overrides it), at the value;
    /// - a pod where neither the pod nor any container sets a profile (at the pod's
    ///   `securityContext`, or its `spec`), or, when some containers set one, each container
    ///   that does not (at its name): Kubernetes then runs it `Unconfined`.
    ///
    /// A pod that declares `spec.os.name: windows` is exempt, as the standard makes this
    /// control Linux-only. For Compose services and OCI bundles, the runtime's default
    /// profile counts as `RuntimeDefault`; `seccomp=unconfined` is reported.
    ///
    /// ## Why
    /// Seccomp filters the system calls a container may make. The runtime's default profile
    /// blocks some forty that containers do not need and that keep turning up in kernel
    /// exploits and escapes (`unshare`, `keyctl`, `bpf`, `userfaultfd`, `ptrace` on older
    /// kernels, …). Kubernetes runs containers `Unconfined` unless a profile is set (or the
    /// kubelet's `--seccomp-default` is on, which a manifest cannot rely on).
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
    ///     seccompProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// ## Fix
    /// - Kubernetes: `seccompProfile: {type: RuntimeDefault}` in the pod's `securityContext` for
    ///   a pod-level finding, in the container's when other containers set their own profile; a
    ///   type that does not confine is replaced by `RuntimeDefault` where it is written (and a
    ///   `localhostProfile` beside it removed: only `Localhost` may have one). An `unconfined`
    ///   seccomp annotation becomes `runtime/default`, which old clusters apply and new ones
    ///   ignore; the field is then added in the next pass.
    /// - Compose: `seccomp=unconfined` is removed from `security_opt`: Docker's default
    ///   profile applies again.
    /// - OCI: display-only. A `config.json` must spell its profile out, and rampart has none to
    ///   write: the fix points at Docker's default profile, to adapt to what the process needs.
    ///
    /// ## Fix safety
    /// Unsafe: a workload that makes a system call the default profile blocks (some debuggers,
    /// sandboxes, container-in-container tools, old `clone`-based software) fails with `EPERM`.
    /// Most applications never notice: the default profile is what Docker and most managed
    /// Kubernetes distributions already apply.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: "Seccomp"
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - <https://kubernetes.io/docs/tutorials/security/seccomp/>
    /// - CIS Kubernetes Benchmark 5.7.2; CIS Docker Benchmark 5.21; NIST SP 800-190 §4.4.3
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct SeccompProfileNotSet {
        code: "KS016",
        name: "seccomp-profile-not-set",
        severity: Error,
        tags: [
            "pss:restricted",
            "pss-control:seccomp",
            "security-profiles",
            "cis-docker:5.21",
            "cwe:250",
            "seed:security-profiles",
        ],
        equivalents: [
            "pss:restricted/seccomp",
            "kyverno:restrict-seccomp-strict",
            "trivy:KSV-0030",
            "checkov:CKV_K8S_31",
        ],
        fix: Varies,
    }
}

fn confines(s: &Seccomp) -> bool {
    matches!(s, Seccomp::RuntimeDefault | Seccomp::Localhost(_))
}

fn describe(s: &Seccomp) -> String {
    match s {
        Seccomp::RuntimeDefault => "`RuntimeDefault`".to_string(),
        Seccomp::Localhost(_) => "`Localhost`".to_string(),
        Seccomp::Unconfined => "`Unconfined`".to_string(),
        Seccomp::Other(v) => format!("`{v}`"),
    }
}

fn bad_label(s: &Seccomp) -> &'static str {
    match s {
        Seccomp::Other(_) => "not a seccomp profile type: only `RuntimeDefault` and `Localhost` are allowed",
        _ => "no system call filtering",
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in cx.workloads.iter().filter(|w| !w.is_windows()) {
        let containers: Vec<&ContainerPosture> = w.all_containers().collect();
        let help = match w.format {
            Format::Kubernetes => "set `seccompProfile: {type: RuntimeDefault}` (or a `Localhost` profile)",
            Format::Compose => "remove `seccomp=unconfined` from `security_opt`, or name a profile file",
            Format::Oci => {
                "add a `linux.seccomp` profile whose `defaultAction` denies, allowing only the system calls the process needs (Docker's default profile is a good start)"
            }
        };
        // The pod-level field allows only the two confining types, whatever the containers say.
        if let Some(pod) = &w.pod.seccomp
            && !confines(&pod.value)
            && let Some(span) = pod.span()
        {
            let overridden = !containers.is_empty() && containers.iter().all(|c| c.seccomp.is_explicit());
            let fix = seccomp_fix(cx, w, &span);
            out.push(with_fix(
                cx.finding(
                    &INFO,
                    span,
                    format!("{} sets seccomp profile {} at the pod level", w.describe(), describe(&pod.value)),
                )
                .with_label(if overridden {
                    "every container sets its own profile, but the pod's must be RuntimeDefault or Localhost too"
                } else {
                    bad_label(&pod.value)
                })
                .with_help(help),
                fix,
            ));
        }
        let mut missing = Vec::new();
        for c in &containers {
            match &c.seccomp.origin {
                _ if confines(&c.seccomp.value) => {}
                // Inherited from the pod: reported above.
                Origin::Inherited(_) => {}
                Origin::Explicit(span) => out.push(with_fix(
                    cx.finding(
                        &INFO,
                        span.clone(),
                        format!("{} runs with seccomp profile {}", container_label(w, c), describe(&c.seccomp.value)),
                    )
                    .with_label(bad_label(&c.seccomp.value))
                    .with_help(help),
                    seccomp_fix(cx, w, span),
                )),
                Origin::Runtime | Origin::Image => missing.push(*c),
            }
        }
        if missing.is_empty() {
            continue;
        }
        if w.format == Format::Kubernetes
            && w.pod_spec.is_some()
            && w.pod.seccomp.is_none()
            && missing.len() == containers.len()
        {
            out.push(with_fix(
                cx.finding(&INFO, pod_anchor(cx, w), format!("{} sets no seccomp profile", w.describe()))
                    .with_label("no `seccompProfile` for the pod or any of its containers: they run `Unconfined`")
                    .with_help("add `seccompProfile: {type: RuntimeDefault}` to the pod's `securityContext`"),
                missing_fix(cx, w, None),
            ));
            continue;
        }
        for c in missing {
            let label = match w.format {
                Format::Kubernetes => {
                    "no `seccompProfile` here or in the pod's `securityContext`: it runs `Unconfined`"
                }
                Format::Oci => "no `linux.seccomp`: runc filters no system call",
                Format::Compose => "no seccomp profile",
            };
            // OCI: the profile belongs in `linux`, not in `process`.
            let at = match w.format {
                Format::Oci => oci_missing_at(cx, w, &["linux", "seccomp"]).unwrap_or_else(|| w.anchor.clone()),
                _ => c.anchor.clone(),
            };
            out.push(with_fix(
                cx.finding(&INFO, at, format!("{} sets no seccomp profile", container_label(w, c)))
                    .with_label(label)
                    .with_help(help),
                missing_fix(cx, w, Some(c)),
            ));
        }
    }
}

/// `seccompProfile: {type: RuntimeDefault}` for the pod (`None`) or one container; for OCI, a
/// pointer to Docker's default profile.
fn missing_fix(cx: &ManifestContext<'_>, w: &Workload, c: Option<&ContainerPosture>) -> Option<Fix> {
    let path: &[&str] = &["securityContext", "seccompProfile", "type"];
    let change = [(path, Change::Set(Val::str("RuntimeDefault")))];
    let (edits, message) = match (w.format, c) {
        (Format::Oci, _) => {
            return Some(Fix::display_only(
                format!(
                    "Add a `linux.seccomp` profile that denies by default, such as Docker's ({DOCKER_SECCOMP_PROFILE})"
                ),
                Vec::new(),
            ));
        }
        (Format::Kubernetes, None) => (
            write(cx.file.text(), pod_spec(cx, w)?, &change)?,
            "Set `seccompProfile: {type: RuntimeDefault}` for the pod",
        ),
        (Format::Kubernetes, Some(c)) => {
            (write(cx.file.text(), k8s_container(cx, c)?, &change)?, "Set `seccompProfile: {type: RuntimeDefault}`")
        }
        (Format::Compose, _) => return None,
    };
    Some(Fix::unsafe_(message, to_edits(edits)))
}

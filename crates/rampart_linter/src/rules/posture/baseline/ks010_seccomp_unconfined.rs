use rampart_posture::{Format, Seccomp};

use crate::Finding;
use crate::manifest::{ManifestContext, container_label, per_format};
use crate::rules::posture::fix_security_context::{seccomp_fix, with_fix};

declare_rule! {
    /// A pod or container turns seccomp off (`seccompProfile.type: Unconfined`).
    ///
    /// ## What it does
    /// Reports `securityContext.seccompProfile.type` set to anything but `RuntimeDefault` or
    /// `Localhost` (that is, `Unconfined`) on the pod and on each container (regular, init
    /// and ephemeral) that sets its own, at the value; for Compose,
    /// `security_opt: [seccomp=unconfined]`; for an OCI runtime config, a `linux.seccomp`
    /// that filters nothing (a `defaultAction` of `SCMP_ACT_ALLOW` or `SCMP_ACT_LOG` and no
    /// rule that does otherwise), at its `defaultAction`.
    ///
    /// Leaving seccomp unset passes the baseline level (the restricted level requires it to
    /// be set, KS016): this rule reports only an explicit `Unconfined` — for OCI, a profile
    /// written out, not a missing one. A pod-level `Unconfined` is
    /// reported even when every container sets its own profile, as Pod Security admission
    /// does.
    ///
    /// ## Why
    /// The runtime's default seccomp profile blocks the system calls most kernel exploits
    /// need (`keyctl`, `unshare`, `bpf`, `ptrace` on older kernels, …). Without it, every
    /// kernel bug reachable through a system call is reachable from the container.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       seccompProfile:
    ///         type: Unconfined
    /// ```
    /// Use instead: `type: RuntimeDefault`, or a `Localhost` profile that allows the extra
    /// system calls the workload needs.
    ///
    /// ## Fix
    /// - Kubernetes: the type becomes `RuntimeDefault` where it is written, pod or container
    ///   (a `localhostProfile` beside it is removed: only `Localhost` may have one); an
    ///   `unconfined` seccomp annotation becomes `runtime/default`.
    /// - Compose: `seccomp=unconfined` is removed from `security_opt`: Docker's default profile
    ///   applies again.
    /// - OCI: display-only, pointing at Docker's default profile: rampart has no profile to
    ///   write, and one that filters nothing cannot be tightened without knowing the process.
    ///
    /// ## Fix safety
    /// Unsafe: a workload set unconfined may make a system call the default profile blocks,
    /// and would then fail at run time with `EPERM`.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "Seccomp"
    ///   <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Docker Benchmark 5.21
    /// - CWE-693: Protection Mechanism Failure
    /// - <https://kubernetes.io/docs/tutorials/security/seccomp/>
    pub struct SeccompUnconfined {
        code: "KS010",
        name: "seccomp-unconfined",
        severity: Error,
        tags: ["pss:baseline", "pss-control:seccomp", "confinement", "cis-docker:5.21", "cwe:693", "seed:security-profiles"],
        equivalents: [
            "pss:baseline/seccomp",
            "kyverno:restrict-seccomp",
            "trivy:KSV-0104",
        ],
        fix: Varies,
    }
}

const HELP: &str = "use `RuntimeDefault`, or a `Localhost` profile that allows the system calls the workload needs";

/// The profile as written and a label, for a profile type the baseline forbids.
fn forbidden(profile: &Seccomp) -> Option<(String, &'static str)> {
    match profile {
        Seccomp::RuntimeDefault | Seccomp::Localhost(_) => None,
        Seccomp::Unconfined => Some(("`Unconfined`".to_string(), "every system call reaches the kernel unfiltered")),
        Seccomp::Other(v) => Some((format!("`{v}`"), "neither `RuntimeDefault` nor `Localhost`")),
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        if let Some(pod) = &w.pod.seccomp
            && let Some((shown, label)) = forbidden(&pod.value)
            && let Some(span) = pod.span()
        {
            let fix = seccomp_fix(cx, w, &span);
            out.push(with_fix(
                cx.finding(
                    &INFO,
                    span,
                    format!("{} sets the seccomp profile {shown} for its containers", w.describe()),
                )
                .with_label(label)
                .with_help(HELP),
                fix,
            ));
        }
        for c in &w.containers {
            let setting = &c.seccomp;
            if !setting.is_explicit() {
                continue;
            }
            if let Some((shown, label)) = forbidden(&setting.value)
                && let Some(span) = setting.span()
            {
                let message = match (w.format, &setting.value) {
                    // An OCI profile is written out: one that filters nothing is what reads as
                    // `Unconfined`.
                    (Format::Oci, Seccomp::Unconfined) => {
                        format!("{} runs with a seccomp profile that allows every system call", container_label(w, c))
                    }
                    _ => format!("{} runs with the seccomp profile {shown}", container_label(w, c)),
                };
                let fix = seccomp_fix(cx, w, &span);
                out.push(with_fix(cx.finding(&INFO, span, message).with_label(label).with_help(per_format(
                    w,
                    HELP,
                    "remove `seccomp=unconfined` from `security_opt` (Docker then applies its default profile), or name a profile file",
                    "make `defaultAction` deny (`SCMP_ACT_ERRNO`) and allow only the system calls the process needs; Docker's default profile is a good start",
                )), fix));
            }
        }
    }
}

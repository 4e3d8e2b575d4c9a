use rampart_posture::{Format, SeLinux};

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A pod or container sets an SELinux type, user or role that the baseline forbids.
    ///
    /// ## What it does
    /// Reports `securityContext.seLinuxOptions` on the pod and on each container (regular,
    /// init and ephemeral) that sets its own, at the value:
    /// - a `type` other than `container_t`, `container_init_t`, `container_kvm_t` and
    ///   `container_engine_t` (empty is fine);
    /// - any non-empty `user` or `role`.
    ///
    /// `level` (the MCS categories, `s0:c123,c456`) is allowed. A Compose service with
    /// `security_opt: [label=disable]` turns SELinux separation off and is reported too;
    /// its `label=type:…`, `label=user:…` and `label=role:…` are read as the fields above.
    /// An OCI runtime config's `process.selinuxLabel` is a whole label
    /// (`system_u:system_r:container_t:s0:c1,c2`, as Docker and Podman write it): its type
    /// is checked, and its user and role only when they are not the standard `system_u` and
    /// `system_r`.
    ///
    /// ## Why
    /// On SELinux nodes the container types confine what a container's processes may touch
    /// on the host even when they are root. `spc_t` ("super privileged container") and
    /// `unconfined_t` lift that confinement; a custom user or role (`sysadm_u`, `sysadm_r`)
    /// gives the process an administrator's SELinux identity.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seLinuxOptions:
    ///       type: spc_t
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    /// Use instead: remove `type`, `user` and `role`; set only `level` if the workload needs
    /// particular MCS categories.
    ///
    /// ## Fix safety
    /// No automatic fix: a workload given `spc_t` usually needs host access that the
    /// container types deny, and removing it stops it. Unsafe; rampart does not apply it.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "SELinux"
    ///   <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Docker Benchmark 5.2
    /// - CWE-693: Protection Mechanism Failure
    pub struct SelinuxOptionsDisallowed {
        code: "KS008",
        name: "selinux-options-disallowed",
        severity: Error,
        tags: ["pss:baseline", "pss-control:selinux", "confinement", "cis-docker:5.2", "cwe:693", "seed:security-profiles"],
        equivalents: [
            "pss:baseline/selinux",
            "kyverno:disallow-selinux",
            "trivy:KSV-0025",
        ],
        fix: None,
    }
}

/// The SELinux types the baseline allows (`container_engine_t` since Kubernetes 1.31).
const ALLOWED_TYPES: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        let oci = w.format == Format::Oci;
        report(cx, out, &w.describe(), &w.pod.selinux, false, oci);
        for c in &w.containers {
            report(cx, out, &container_label(w, c), &c.selinux, true, oci);
        }
    }
}

/// The options one pod or container writes (a container's inherited values are the pod's,
/// reported there).
/// An OCI `selinuxLabel` is a whole label, `user:role:type:level`: there the standard user
/// and role of container processes (`system_u`, `system_r`) are not reported.
fn report(cx: &ManifestContext<'_>, out: &mut Vec<Finding>, who: &str, selinux: &SeLinux, container: bool, oci: bool) {
    let own = |s: &Option<rampart_posture::Setting<String>>| {
        s.as_ref().filter(|s| if container { s.is_explicit() } else { s.is_written() }).cloned()
    };
    if let Some(t) = own(&selinux.type_)
        && !ALLOWED_TYPES.contains(&t.value.as_str())
        && let Some(span) = t.span()
    {
        let label = match t.value.as_str() {
            "spc_t" => "a super-privileged container: SELinux no longer confines it",
            "unconfined_t" => "SELinux no longer confines it",
            _ => "not one of the container types the baseline allows",
        };
        out.push(
            cx.finding(
                &INFO,
                span,
                if container {
                    format!("{who} runs with the SELinux type `{}`", t.value)
                } else {
                    format!("{who} sets the SELinux type `{}` for its containers", t.value)
                },
            )
            .with_label(label)
            .with_help("remove `type`, or use `container_t`"),
        );
    }
    for (field, setting, standard) in
        [("user", own(&selinux.user), "system_u"), ("role", own(&selinux.role), "system_r")]
    {
        if let Some(s) = setting
            && !s.value.is_empty()
            && !(oci && s.value == standard)
            && let Some(span) = s.span()
        {
            out.push(
                cx.finding(&INFO, span, format!("{who} sets the SELinux {field} `{}`", s.value))
                    .with_label(format!("the baseline forbids a custom SELinux {field}"))
                    .with_help(format!("remove `{field}`")),
            );
        }
    }
    if let Some(span) = &selinux.disabled {
        out.push(
            cx.finding(&INFO, span.clone(), format!("{who} turns SELinux separation off"))
                .with_label("SELinux no longer confines it")
                .with_help("remove `label=disable`"),
        );
    }
}

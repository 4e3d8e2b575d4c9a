use rampart_diagnostics::Fix;
use rampart_posture::edit::TextEdit;
use rampart_posture::{Format, SeLinux, Workload};

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{
    Parent, editor, parent_of, remove_compose_option, remove_entry, to_edits, with_fix,
};

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
    /// ## Fix
    /// - Kubernetes: the forbidden `type`, `user` or `role` is removed from `seLinuxOptions`
    ///   (the runtime then gives the container its usual `container_t` label).
    /// - Compose: the `label=…` option is removed from `security_opt` (`label=disable` too).
    /// - OCI: in `process.selinuxLabel`, the type becomes `container_t`, the user `system_u`, the
    ///   role `system_r`.
    ///
    /// ## Fix safety
    /// Unsafe: a workload given `spc_t` or `unconfined_t` usually needs host access that the
    /// container types deny (a log collector reading the host's files, a CSI driver), and stops
    /// working without it.
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
        fix: Unsafe,
    }
}

/// The SELinux types the baseline allows (`container_engine_t` since Kubernetes 1.31).
const ALLOWED_TYPES: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        report(cx, out, w, &w.describe(), &w.pod.selinux, false);
        for c in &w.containers {
            report(cx, out, w, &container_label(w, c), &c.selinux, true);
        }
    }
}

/// The options one pod or container writes (a container's inherited values are the pod's,
/// reported there).
/// An OCI `selinuxLabel` is a whole label, `user:role:type:level`: there the standard user
/// and role of container processes (`system_u`, `system_r`) are not reported.
fn report(
    cx: &ManifestContext<'_>,
    out: &mut Vec<Finding>,
    w: &Workload,
    who: &str,
    selinux: &SeLinux,
    container: bool,
) {
    let oci = w.format == Format::Oci;
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
        let fix = fix(cx, w, &span, "type", "container_t");
        out.push(with_fix(
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
            fix,
        ));
    }
    for (field, setting, standard) in
        [("user", own(&selinux.user), "system_u"), ("role", own(&selinux.role), "system_r")]
    {
        if let Some(s) = setting
            && !s.value.is_empty()
            && !(oci && s.value == standard)
            && let Some(span) = s.span()
        {
            let fix = fix(cx, w, &span, field, standard);
            out.push(with_fix(
                cx.finding(&INFO, span, format!("{who} sets the SELinux {field} `{}`", s.value))
                    .with_label(format!("the baseline forbids a custom SELinux {field}"))
                    .with_help(format!("remove `{field}`")),
                fix,
            ));
        }
    }
    if let Some(span) = &selinux.disabled {
        out.push(with_fix(
            cx.finding(&INFO, span.clone(), format!("{who} turns SELinux separation off"))
                .with_label("SELinux no longer confines it")
                .with_help("remove `label=disable`"),
            fix(cx, w, span, "disable", ""),
        ));
    }
}

/// Removes the option or field written at `span`; in an OCI label, writes `standard` there.
fn fix(
    cx: &ManifestContext<'_>,
    w: &Workload,
    span: &std::ops::Range<usize>,
    field: &str,
    standard: &str,
) -> Option<Fix> {
    let (edits, message) = match w.format {
        Format::Kubernetes => {
            let Parent::Entry(options, key) = parent_of(cx.documents, span)? else { return None };
            let edits = remove_entry(&editor(cx), cx.file.text(), options, key)?;
            (edits, format!("Remove `{key}` from `seLinuxOptions`"))
        }
        Format::Compose => remove_compose_option(cx, w, span)?,
        Format::Oci => {
            // A part of the label string: only when it is written as read (no escapes).
            let written = cx.file.text().get(span.clone())?;
            if written.contains(['\\', '"']) || standard.is_empty() {
                return None;
            }
            (
                vec![TextEdit { span: span.clone(), text: standard.to_string() }],
                format!("Write `{standard}` as the label's {field}"),
            )
        }
    };
    Some(Fix::unsafe_(message, to_edits(edits)))
}

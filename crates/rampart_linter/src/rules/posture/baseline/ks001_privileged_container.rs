use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{ContainerPosture, Format, Workload};

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{
    Parent, compose_service, editor, inside, parent_of, remove_entry, to_edits, with_fix,
};

declare_rule! {
    /// A container runs privileged.
    ///
    /// ## What it does
    /// Reports a container with `securityContext.privileged: true` (Kubernetes: regular, init
    /// and ephemeral containers) or a Compose service with `privileged: true`, at the line
    /// that sets it.
    ///
    /// ## Why
    /// A privileged container has every capability, every device of the host, no seccomp or
    /// AppArmor confinement and a writable `/sys`: root in it is root on the node, one `mount`
    /// away. It is the first thing the Pod Security Standards forbid.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       privileged: true
    /// ```
    /// Use instead: drop `privileged` and grant only what the workload needs, such as one
    /// capability (`capabilities.add: [NET_ADMIN]`) or one device.
    ///
    /// ## Fix
    /// `privileged` is removed: from the container's `securityContext` (Kubernetes), from the
    /// service (Compose; a service that inherits it from the one it `extends` gets
    /// `privileged: false` instead).
    ///
    /// ## Fix safety
    /// Unsafe: a workload written privileged usually needs some part of it — a device, a
    /// capability, a host path, a writable `/sys` — and stops working without it. Which part it
    /// needs, and how to grant only that (`capabilities.add`, a device plugin), takes a human;
    /// the fix is for workloads made privileged by habit or by a copied example.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "Privileged Containers"
    /// - CIS Kubernetes Benchmark 5.2.2; NIST SP 800-190 §4.4.3
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct PrivilegedContainer {
        code: "KS001",
        name: "privileged-container",
        severity: Error,
        tags: ["pss:baseline", "pss-control:privileged-containers", "privileges", "cwe:250", "seed:least-privilege"],
        equivalents: [
            "pss:baseline/privileged-containers",
            "kyverno:disallow-privileged-containers",
            "trivy:KSV-0017",
            "kube-linter:privileged-container",
            "polaris:runAsPrivileged",
            "checkov:CKV_K8S_16",
        ],
        fix: Unsafe,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            if c.privileged.value
                && let Some(span) = c.privileged.span()
            {
                let fix = fix(cx, w, c, &span);
                out.push(with_fix(
                    cx.finding(&INFO, span, format!("{} runs privileged", container_label(w, c)))
                        .with_label("every capability and device of the host")
                        .with_help("remove `privileged` and grant only the capability or device the workload needs"),
                    fix,
                ));
            }
        }
    }
}

/// Removes `privileged` where it is written (overrides it in a Compose service that inherits it).
fn fix(cx: &ManifestContext<'_>, w: &Workload, _c: &ContainerPosture, span: &std::ops::Range<usize>) -> Option<Fix> {
    let ed = editor(cx);
    if w.format == Format::Compose
        && let Some(svc) = compose_service(cx, w)
        && !inside(svc, span)
    {
        let edits = ed.set(svc, "privileged", &Val::Bool(false))?;
        return Some(Fix::unsafe_("Set `privileged: false` (the service it extends sets `true`)", to_edits(edits)));
    }
    let Parent::Entry(map, key) = parent_of(cx.documents, span)? else { return None };
    let edits = remove_entry(&ed, cx.file.text(), map, key)?;
    Some(Fix::unsafe_("Remove `privileged`", to_edits(edits)))
}

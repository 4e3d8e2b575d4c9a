use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{AppArmor, Format, Workload};

use crate::Finding;
use crate::manifest::{ManifestContext, container_label, per_format};
use crate::rules::posture::fix_security_context::{
    remove_compose_option, replace_at, runtime_default_profile, to_edits, with_fix,
};

declare_rule! {
    /// A pod or container runs unconfined by AppArmor (a profile other than the default or a local one).
    ///
    /// ## What it does
    /// Reports, at the value:
    /// - a `container.apparmor.security.beta.kubernetes.io/<container>` annotation of the pod
    ///   template whose value is neither `runtime/default` nor `localhost/<profile>` (empty is
    ///   fine), `unconfined` in practice, whether or not a container has that name, as Pod
    ///   Security admission does;
    /// - `securityContext.appArmorProfile.type` other than `RuntimeDefault` and `Localhost`
    ///   (`Unconfined`) on the pod or on a container (regular, init and ephemeral);
    /// - for Compose, `security_opt: [apparmor=unconfined]`;
    /// - for an OCI runtime config, `process.apparmorProfile: "unconfined"`.
    ///
    /// Unset is fine: the runtime's default profile applies. An OCI config without
    /// `apparmorProfile` runs without one, but AppArmor exists only on some hosts (SELinux
    /// hosts confine through `selinuxLabel`), so that is not reported either.
    ///
    /// ## Why
    /// On AppArmor nodes the runtime's default profile denies a container the moves that
    /// lead out of it: mounting file systems, writing to `/proc/sys` and most of `/sys`,
    /// tracing processes. `unconfined` removes those guards, leaving capabilities and
    /// seccomp alone in the way.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     container.apparmor.security.beta.kubernetes.io/app: unconfined
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    /// Use instead: remove the annotation (or write `runtime/default`), or load a profile on
    /// the nodes that allows what the workload needs and select it with
    /// `appArmorProfile: {type: Localhost, localhostProfile: <name>}`.
    ///
    /// ## Fix
    /// - Kubernetes: the annotation's value becomes `runtime/default`; an
    ///   `appArmorProfile.type` becomes `RuntimeDefault` (a `localhostProfile` beside it is
    ///   removed: only `Localhost` may have one).
    /// - Compose: `apparmor=unconfined` is removed from `security_opt`: Docker applies its
    ///   `docker-default` profile again.
    /// - OCI: display-only, suggesting `docker-default`: runc refuses to start a process whose
    ///   profile is not loaded on the host, and only the host's owner knows which are.
    ///
    /// ## Fix safety
    /// Unsafe: a workload set unconfined may need something the default profile denies
    /// (mounting, writing to `/proc/sys`, tracing), and only a human can write the profile that
    /// allows it.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "AppArmor"
    ///   <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Docker Benchmark 5.1
    /// - CWE-693: Protection Mechanism Failure
    /// - <https://kubernetes.io/docs/tutorials/security/apparmor/>
    pub struct ApparmorProfileDisallowed {
        code: "KS009",
        name: "apparmor-profile-disallowed",
        severity: Error,
        tags: ["pss:baseline", "pss-control:apparmor", "confinement", "cis-docker:5.1", "cwe:693", "seed:security-profiles"],
        equivalents: [
            "pss:baseline/apparmor",
            "kyverno:restrict-apparmor-profiles",
        ],
        fix: Varies,
    }
}

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
const HELP_FIELD: &str = "use `RuntimeDefault`, or a `Localhost` profile that allows what the workload needs";

fn allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

/// The profile as written and a label, for a profile type the baseline forbids.
fn forbidden(profile: &AppArmor) -> Option<(String, &'static str)> {
    match profile {
        AppArmor::RuntimeDefault | AppArmor::Localhost(_) => None,
        AppArmor::Unconfined => Some(("`Unconfined`".to_string(), "no AppArmor confinement")),
        AppArmor::Other(v) => Some((format!("`{v}`"), "neither `RuntimeDefault` nor `Localhost`")),
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        let mut annotation_spans = Vec::new();
        for (key, value) in &w.annotations {
            let Some(container) = key.strip_prefix(ANNOTATION_PREFIX) else { continue };
            let Some(span) = value.span() else { continue };
            annotation_spans.push(span.clone());
            if allowed_annotation(&value.value) {
                continue;
            }
            let label = if value.value == "unconfined" {
                "no AppArmor confinement"
            } else {
                "neither `runtime/default` nor `localhost/<profile>`"
            };
            let message = match w.containers.iter().find(|c| c.name == container) {
                Some(c) => format!("{} runs with the AppArmor profile `{}`", container_label(w, c), value.value),
                None => format!(
                    "{} sets the AppArmor profile `{}` for a container `{container}` it does not have",
                    w.describe(),
                    value.value
                ),
            };
            let fix = fix(cx, w, &span);
            out.push(with_fix(
                cx.finding(&INFO, span, message)
                    .with_label(label)
                    .with_help("remove the annotation, or use `runtime/default` or `localhost/<profile>`"),
                fix,
            ));
        }
        if let Some(pod) = &w.pod.apparmor
            && let Some((shown, label)) = forbidden(&pod.value)
            && let Some(span) = pod.span()
        {
            let fix = fix(cx, w, &span);
            out.push(with_fix(
                cx.finding(
                    &INFO,
                    span,
                    format!("{} sets the AppArmor profile {shown} for its containers", w.describe()),
                )
                .with_label(label)
                .with_help(HELP_FIELD),
                fix,
            ));
        }
        for c in &w.containers {
            let setting = &c.apparmor;
            if !setting.is_explicit() {
                continue;
            }
            let Some(span) = setting.span() else { continue };
            // Annotations were reported above, with their own values.
            if annotation_spans.contains(&span) {
                continue;
            }
            if let Some((shown, label)) = forbidden(&setting.value) {
                let fix = fix(cx, w, &span);
                out.push(with_fix(
                    cx.finding(
                        &INFO,
                        span,
                        format!("{} runs with the AppArmor profile {shown}", container_label(w, c)),
                    )
                    .with_label(label)
                    .with_help(per_format(
                        w,
                        HELP_FIELD,
                        "remove `apparmor=unconfined` from `security_opt` (Docker then applies `docker-default`), or name a profile loaded on the host",
                        "name a profile loaded on the host in `process.apparmorProfile` (`docker-default` where Docker's is loaded)",
                    )),
                    fix,
                ));
            }
        }
    }
}

/// The runtime's default profile where the forbidden one is written.
fn fix(cx: &ManifestContext<'_>, w: &Workload, span: &std::ops::Range<usize>) -> Option<Fix> {
    let (edits, message) = match w.format {
        Format::Kubernetes => runtime_default_profile(cx, span, "runtime/default")?,
        Format::Compose => {
            let (edits, message) = remove_compose_option(cx, w, span)?;
            (edits, format!("{message}: Docker applies `docker-default` again"))
        }
        Format::Oci => {
            let edits = replace_at(cx, span, &Val::str("docker-default"))?;
            return Some(Fix::display_only(
                "Name a profile loaded on the host, such as `docker-default` where Docker's is loaded",
                to_edits(edits),
            ));
        }
    };
    Some(Fix::unsafe_(message, to_edits(edits)))
}

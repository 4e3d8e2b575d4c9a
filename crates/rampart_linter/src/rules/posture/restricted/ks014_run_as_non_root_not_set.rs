use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{ContainerPosture, Format, Origin, Workload};

use super::{list, pod_anchor};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{
    Change, compose_user_fix, image_user_is_numeric, k8s_container, oci_user_fix, pod_spec, replace_at, to_edits,
    user_choice, with_fix, write,
};

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
    /// ## Fix
    /// Kubernetes: `runAsNonRoot: true` where the finding is — the pod's `securityContext`
    /// (created when missing) for a pod-level finding, the container's for a container-level
    /// one; a `false` is replaced. So that the kubelet can verify it, each container it covers
    /// that has no known non-root user gets one:
    /// - nothing when it already has a non-zero `runAsUser` (its own or the pod's), or when its
    ///   image runs as a numeric non-root `USER` (a Dockerfile in the tree builds it);
    /// - `runAsUser` (and `runAsGroup` when known) set to the image's user when the image names
    ///   its user (`USER app`) and the Dockerfile creates it with a UID (`useradd -u 10001`):
    ///   the kubelet cannot check a user name;
    /// - otherwise `runAsUser: 10001` and `runAsGroup: 10001`.
    ///
    /// Windows pods get `runAsNonRoot: true` alone (`runAsUser` does not exist there).
    /// Compose: `user: "UID:GID"` (the image's user when known, else `10001:10001`), replacing a
    /// user name or a root user; a user taken from the environment (`${UID}`) is left alone. OCI:
    /// `process.user.uid` (and `gid` when missing) set to 10001.
    ///
    /// ## Fix safety
    /// Safe when every container it covers keeps the user it runs as today: a non-zero
    /// `runAsUser` is already there, or the image is known to run as that numeric non-root user
    /// (then `runAsNonRoot: true` only makes the kubelet check it). Otherwise unsafe: an image
    /// that runs as root is refused by the kubelet, or runs as UID 10001, which may not read its
    /// own files or write where it expects to.
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
        fix: Varies,
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
            let inheriting: Vec<&ContainerPosture> = containers
                .iter()
                .copied()
                .filter(|c| matches!(c.run_as_non_root.origin, Origin::Inherited(_)))
                .collect();
            let fix = pod_fix(cx, w, &inheriting);
            out.push(with_fix(
                cx.finding(&INFO, span, format!("{} sets `runAsNonRoot: false` at the pod level", w.describe()))
                    .with_label(label)
                    .with_help("set `runAsNonRoot: true` in the pod's `securityContext`"),
                fix,
            ));
        }
        let mut missing = Vec::new();
        for c in &containers {
            match (&c.run_as_non_root.value, &c.run_as_non_root.origin) {
                (Some(true), _) => {}
                // Inherited from the pod: reported above.
                (Some(false), Origin::Inherited(_)) => {}
                (Some(false), Origin::Explicit(span)) => {
                    let pod_true = w.pod.run_as_non_root.as_ref().is_some_and(|p| p.value);
                    out.push(with_fix(
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
                        container_fix(cx, w, c),
                    ));
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
            out.push(with_fix(
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
                pod_fix(cx, w, &containers),
            ));
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
            out.push(with_fix(
                cx.finding(
                    &INFO,
                    c.anchor.clone(),
                    format!("{} is not required to run as non-root", container_label(w, c)),
                )
                .with_label(label)
                .with_help(help),
                container_fix(cx, w, c),
            ));
        }
    }
}

/// A setting to write: its path under the container and the change.
type UserSetting = (&'static [&'static str], Change);

/// What a Kubernetes container needs besides `runAsNonRoot: true` for the kubelet to verify it:
/// its own `runAsUser` (and `runAsGroup`) when its user is not known to be a numeric non-root
/// one. `true` when the container keeps the user it runs as today.
fn user_changes(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> (Vec<UserSetting>, Option<i64>, bool) {
    if w.is_windows() {
        // No `runAsUser` on Windows: the kubelet checks the user name.
        return (Vec::new(), None, false);
    }
    match c.run_as_user.value {
        Some(u) => (Vec::new(), None, u != 0),
        None => {
            let choice = user_choice(cx, c);
            if choice.same_as_image && image_user_is_numeric(cx, c) {
                return (Vec::new(), None, true);
            }
            let mut changes: Vec<(&'static [&'static str], Change)> =
                vec![(&["securityContext", "runAsUser"], Change::Set(Val::Int(choice.uid)))];
            if c.run_as_group.value.is_none()
                && let Some(g) = choice.gid
            {
                changes.push((&["securityContext", "runAsGroup"], Change::Set(Val::Int(g))));
            }
            (changes, Some(choice.uid), choice.same_as_image)
        }
    }
}

/// `; run `a` as UID 10001` for the containers given a user.
fn users_note(given: &[(&str, i64)]) -> String {
    if given.is_empty() {
        return String::new();
    }
    let uids: Vec<i64> = given.iter().map(|(_, u)| *u).collect();
    if uids.iter().all(|u| *u == uids[0]) {
        let names: Vec<&str> = given.iter().map(|(n, _)| *n).collect();
        return format!("; run {} as UID {}", list(&names), uids[0]);
    }
    let each: Vec<String> = given.iter().map(|(n, u)| format!("`{n}` as UID {u}")).collect();
    format!("; run {}", each.join(", "))
}

/// `runAsNonRoot: true` at the pod level, with a user for each of `containers` that needs one.
fn pod_fix(cx: &ManifestContext<'_>, w: &Workload, containers: &[&ContainerPosture]) -> Option<Fix> {
    let mut edits = Vec::new();
    let mut safe = true;
    let mut given = Vec::new();
    for c in containers {
        let (changes, uid, keeps) = user_changes(cx, w, c);
        safe &= keeps;
        if !changes.is_empty() {
            edits.extend(write(cx.file.text(), k8s_container(cx, c)?, &changes)?);
        }
        if let Some(uid) = uid {
            given.push((c.name.as_str(), uid));
        }
    }
    // After the containers' edits: at the same offset (the end of the last container, when
    // the pod-level block goes after it), the container's lines come first.
    match &w.pod.run_as_non_root {
        Some(p) if p.is_written() => edits.extend(replace_at(cx, &p.span()?, &Val::Bool(true))?),
        _ => edits.extend(write(
            cx.file.text(),
            pod_spec(cx, w)?,
            &[(&["securityContext", "runAsNonRoot"], Change::Set(Val::Bool(true)))],
        )?),
    }
    let message = format!("Set `runAsNonRoot: true` in the pod's `securityContext`{}", users_note(&given));
    Some(if safe { Fix::safe(message, to_edits(edits)) } else { Fix::unsafe_(message, to_edits(edits)) })
}

/// `runAsNonRoot: true` for one container (Kubernetes), a numeric non-root user (Compose, OCI).
fn container_fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> Option<Fix> {
    match w.format {
        Format::Compose => compose_user_fix(cx, w, c),
        Format::Oci => oci_user_fix(cx, w),
        Format::Kubernetes => {
            let (mut changes, uid, safe) = user_changes(cx, w, c);
            changes.insert(0, (&["securityContext", "runAsNonRoot"], Change::Set(Val::Bool(true))));
            let edits = write(cx.file.text(), k8s_container(cx, c)?, &changes)?;
            let message = match uid {
                Some(u) => format!("Set `runAsNonRoot: true` and `runAsUser: {u}`"),
                None => "Set `runAsNonRoot: true`".to_string(),
            };
            Some(if safe { Fix::safe(message, to_edits(edits)) } else { Fix::unsafe_(message, to_edits(edits)) })
        }
    }
}

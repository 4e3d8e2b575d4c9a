use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{Format, Workload};

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{
    Parent, editor, json_insert, json_replace, parent_of, remove_compose_option, remove_entry, to_edits, with_fix,
};
use crate::rules::posture::{oci_missing_at, oci_root};

declare_rule! {
    /// A container mounts `/proc` without the default masks (`procMount` other than `Default`).
    ///
    /// ## What it does
    /// Reports `securityContext.procMount` set to anything but `Default` (in practice
    /// `Unmasked`) on a container (regular, init and ephemeral), at the value. Unset is
    /// fine: it means `Default`. Its equivalents: `systempaths=unconfined` in a Compose
    /// service's `security_opt`, and an empty `maskedPaths` or `readonlyPaths` in an OCI
    /// runtime config (at the list), or one without them (at `linux`: runc then masks
    /// nothing).
    ///
    /// The Pod Security Standards relax this control for pods with `hostUsers: false` only
    /// when the cluster enables the `UserNamespacesPodSecurityStandards` feature gate (off
    /// by default); rampart reports it regardless, and says so in the help.
    ///
    /// ## Why
    /// The container runtime masks and makes read-only the parts of `/proc` and `/sys` that
    /// expose the host kernel (`/proc/kcore`, `/proc/sysrq-trigger`, `/proc/acpi`, …). An
    /// unmasked `/proc` hands them back: kernel memory, node information, and triggers that
    /// act on the whole node.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: builder
    ///     image: registry.example.com/builder:3.0.0
    ///     securityContext:
    ///       procMount: Unmasked
    /// ```
    /// Use instead: remove `procMount` (or set it to `Default`).
    ///
    /// ## Fix
    /// - Kubernetes: `procMount` is removed (the default is `Default`).
    /// - Compose: `systempaths=unconfined` is removed from `security_opt`.
    /// - OCI: `linux.maskedPaths` and `linux.readonlyPaths`, where missing or empty, get the
    ///   lists Docker and containerd write (`/proc/kcore`, `/proc/keys`, `/sys/firmware`, … masked;
    ///   `/proc/sys`, `/proc/sysrq-trigger`, … read-only).
    ///
    /// ## Fix safety
    /// Unsafe: nested container builders and runtimes (rootless BuildKit, Podman in a pod) ask
    /// for an unmasked `/proc` on purpose, to mount their own, and fail without it.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "/proc Mount Type"
    ///   <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    pub struct ProcMountUnmasked {
        code: "KS007",
        name: "proc-mount-unmasked",
        severity: Error,
        tags: ["pss:baseline", "pss-control:proc-mount-type", "isolation", "cwe:200", "seed:isolation"],
        equivalents: [
            "pss:baseline/proc-mount-type",
            "kyverno:disallow-proc-mount",
            "trivy:KSV-0027",
            "kube-linter:unsafe-proc-mount",
            "polaris:procMount",
        ],
        fix: Unsafe,
    }
}

const OCI_HELP: &str =
    "list the paths runc's default config masks in `maskedPaths` and makes read-only in `readonlyPaths`";

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            let setting = &c.proc_mount;
            let Some(value) = &setting.value else { continue };
            if value == "Default" {
                continue;
            }
            // OCI: without the lists, runc masks nothing.
            if w.format == Format::Oci && !setting.is_written() {
                let linux = oci_root(cx, w).and_then(|r| r.get("linux"));
                let missing = ["maskedPaths", "readonlyPaths"]
                    .into_iter()
                    .find(|k| linux.and_then(|l| l.get(k)).is_none())
                    .unwrap_or("maskedPaths");
                out.push(with_fix(
                    cx.finding(
                        &INFO,
                        oci_missing_at(cx, w, &["linux", missing]).unwrap_or_else(|| w.anchor.clone()),
                        format!("{} mounts /proc without the default masks (no `{missing}`)", container_label(w, c)),
                    )
                    .with_label(format!("no `{missing}`: the host kernel's files in /proc are not hidden"))
                    .with_help(OCI_HELP),
                    oci_fix(cx, w),
                ));
                continue;
            }
            if !setting.is_explicit() {
                continue;
            }
            let Some(span) = setting.span() else { continue };
            let shown = if value.is_empty() { "\"\"" } else { value.as_str() };
            let (message, help) = match w.format {
                Format::Kubernetes => (
                    format!("{} mounts /proc with `procMount: {shown}`", container_label(w, c)),
                    if w.host_users.value == Some(false) {
                        "remove `procMount` (with `hostUsers: false`, only clusters that enable the \
                         UserNamespacesPodSecurityStandards feature gate admit it at the baseline level)"
                    } else {
                        "remove `procMount`, or set it to `Default`"
                    },
                ),
                Format::Compose => (
                    format!("{} mounts /proc unmasked (`systempaths=unconfined`)", container_label(w, c)),
                    "remove `systempaths=unconfined` from `security_opt`",
                ),
                Format::Oci => {
                    let list = oci_root(cx, w)
                        .and_then(|r| r.get("linux"))
                        .and_then(|l| l.entries().iter().find(|e| e.value.span == span))
                        .and_then(|e| e.key.as_str())
                        .unwrap_or("maskedPaths");
                    (
                        format!("{} mounts /proc without the default masks (an empty `{list}`)", container_label(w, c)),
                        OCI_HELP,
                    )
                }
            };
            let fix = match w.format {
                Format::Kubernetes => remove_field(cx, &span),
                Format::Compose => remove_compose_option(cx, w, &span).map(|(e, m)| Fix::unsafe_(m, to_edits(e))),
                Format::Oci => oci_fix(cx, w),
            };
            out.push(with_fix(
                cx.finding(&INFO, span, message)
                    .with_label("without the masks that hide the host kernel's files")
                    .with_help(help),
                fix,
            ));
        }
    }
}

/// What Docker and containerd mask in a container (`maskedPaths` of their default spec).
const MASKED_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// What they make read-only (`readonlyPaths`).
const READONLY_PATHS: &[&str] = &["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/// Removes `procMount`.
fn remove_field(cx: &ManifestContext<'_>, span: &std::ops::Range<usize>) -> Option<Fix> {
    let Parent::Entry(sc, key) = parent_of(cx.documents, span)? else { return None };
    let edits = remove_entry(&editor(cx), cx.file.text(), sc, key)?;
    Some(Fix::unsafe_("Remove `procMount` (the default is `Default`)", to_edits(edits)))
}

/// Docker's lists wherever `linux.maskedPaths` or `linux.readonlyPaths` is missing or empty.
fn oci_fix(cx: &ManifestContext<'_>, w: &Workload) -> Option<Fix> {
    let linux = oci_root(cx, w)?.get("linux").filter(|l| l.is_map() && !l.entries().is_empty())?;
    let mut edits = Vec::new();
    let mut written = Vec::new();
    let mut missing = Vec::new();
    for (key, paths) in [("maskedPaths", MASKED_PATHS), ("readonlyPaths", READONLY_PATHS)] {
        let value = Val::List(paths.iter().map(|p| Val::str(*p)).collect());
        match linux.get(key) {
            Some(list) if list.items().is_empty() => {
                edits.extend(json_replace(cx, linux, list, &value)?);
                written.push(key);
            }
            Some(_) => {}
            None => missing.push((key, value)),
        }
    }
    // Missing keys go in one insertion, so that they land in order.
    if !missing.is_empty() {
        let mut text = Vec::new();
        for (key, value) in &missing {
            text.extend(json_insert(cx, linux, key, value)?);
            written.push(key);
        }
        let at = text.first()?.span.clone();
        let joined: String = text.into_iter().map(|e| e.text).collect();
        edits.push(rampart_posture::edit::TextEdit { span: at, text: joined });
    }
    let what = written.iter().map(|k| format!("`linux.{k}`")).collect::<Vec<_>>().join(" and ");
    Some(Fix::unsafe_(format!("Write Docker's default {what}"), to_edits(edits)))
}

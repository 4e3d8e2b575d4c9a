use rampart_posture::{ContainerRole, Format};

use super::util::{by_format, is_windows};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::oci_missing_at;

declare_rule! {
    /// A container's root filesystem is writable.
    ///
    /// ## What it does
    /// Reports every container (regular and init; Compose services; the OCI process) whose
    /// root filesystem is not read-only: Kubernetes `securityContext.readOnlyRootFilesystem`
    /// unset or `false`, Compose `read_only` unset or `false`, OCI `root.readonly` not
    /// `true`. It points at the `false` when one is written, otherwise at the container's
    /// name (for an OCI config, at its `root` key).
    ///
    /// Not reported: ephemeral containers (interactive debugging sessions) and Windows pods
    /// (`os.name: windows` or HostProcess), where the setting does not exist.
    ///
    /// ## Why
    /// An attacker who gets code execution in a container with a writable root filesystem
    /// can download tools, replace the application's binaries or libraries, plant a web
    /// shell or a cron job, and keep it until the container is recreated. With a read-only
    /// root the image stays as built; what the application must write goes to explicit
    /// volumes (an `emptyDir` for `/tmp`, a cache directory), which can be size-limited and
    /// mounted `noexec`.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    /// ```
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       readOnlyRootFilesystem: true
    ///     volumeMounts:
    ///       - {name: tmp, mountPath: /tmp}
    /// volumes:
    ///   - {name: tmp, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
    /// ```
    ///
    /// ## Fix safety
    /// The fix would set `readOnlyRootFilesystem: true`. It is unsafe: an application that
    /// writes outside its volumes (a PID file, a cache, `/tmp`) then fails at run time, and
    /// which directories need a volume takes a human (or a run of the container). rampart
    /// does not apply it yet.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.7.3 (apply security contexts); CIS Docker Benchmark 5.12
    ///   "Ensure that the container's root filesystem is mounted as read only"
    /// - NIST SP 800-190 §4.4.3 (runtime configuration)
    /// - Kubernetes: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    pub struct WritableRootFilesystem {
        code: "KS020",
        name: "writable-root-filesystem",
        severity: Warning,
        tags: ["runtime", "hardening", "cis-docker:5.12", "nist-800-190:4.4.3", "seed:read-only-root"],
        equivalents: [
            "kyverno:require-ro-rootfs",
            "trivy:KSV-0014",
            "kube-linter:no-read-only-root-fs",
            "polaris:notReadOnlyRootFilesystem",
            "checkov:CKV_K8S_22",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        if is_windows(cx, w) {
            continue;
        }
        let field = by_format(w, "readOnlyRootFilesystem: true", "read_only: true", "root.readonly: true");
        let scratch = by_format(w, "an `emptyDir` volume", "a `tmpfs`", "a `tmpfs`");
        for c in w.containers.iter().filter(|c| c.role != ContainerRole::Ephemeral) {
            let setting = &c.read_only_root_filesystem;
            if setting.value == Some(true) {
                continue;
            }
            let (span, label) = match setting.span() {
                Some(span) if setting.value == Some(false) => (
                    span,
                    by_format(
                        w,
                        "the image's files can be changed at run time",
                        "the image's files can be changed at run time",
                        "the bundle's root filesystem can be changed at run time",
                    )
                    .to_string(),
                ),
                // OCI: `readonly` belongs in `root`, not in `process`.
                _ if w.format == Format::Oci => (
                    oci_missing_at(cx, w, &["root", "readonly"]).unwrap_or_else(|| w.span.clone()),
                    format!("no `{field}`"),
                ),
                _ => (c.anchor.clone(), format!("no `{field}`")),
            };
            out.push(
                cx.finding(&INFO, span, format!("{} has a writable root filesystem", container_label(w, c)))
                    .with_label(label)
                    .with_help(format!(
                        "set `{field}`, and mount {scratch} where the application must write (`/tmp`, caches)"
                    )),
            );
        }
    }
}

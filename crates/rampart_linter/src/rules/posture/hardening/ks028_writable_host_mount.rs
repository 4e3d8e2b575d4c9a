use rampart_posture::VolumeKind;

use super::util::{by_format, node_at, normalize_host_path};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A host path is mounted writable into a container.
    ///
    /// ## What it does
    /// Reports every mount of a `hostPath` volume (Kubernetes) or bind mount (Compose, OCI)
    /// into a container without `readOnly: true` (Compose `:ro` / `read_only: true`, OCI
    /// `ro`), in regular, init and ephemeral containers. It points at `readOnly: false` when
    /// written, otherwise at the mount path. Sockets (`*.sock`) are not reported: read-only
    /// does not stop a process from connecting to one (KS026 reports the runtimes' sockets).
    ///
    /// ## Why
    /// A writable host path lets the container change the node: plant a binary or a cron
    /// job where the host runs it, fill the node's disk, or leave a symlink that a
    /// privileged host process follows (the `/var/log` escape). It also survives the pod, so
    /// a compromise persists across restarts and leaks to the next workload scheduled there.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: agent
    ///     image: registry.example.com/agent:2.0.1
    ///     volumeMounts:
    ///       - {name: config, mountPath: /host/config}
    /// volumes:
    ///   - {name: config, hostPath: {path: /opt/agent/config}}
    /// ```
    /// Use instead:
    /// ```yaml
    ///     volumeMounts:
    ///       - {name: config, mountPath: /host/config, readOnly: true}
    /// ```
    ///
    /// ## Fix safety
    /// The fix would add `readOnly: true` to the mount. It is unsafe: a workload that writes
    /// there (a log shipper's position file, a CSI driver) then fails. rampart does not apply
    /// it yet.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.5; CIS Kubernetes Benchmark 5.7
    /// - NIST SP 800-190 §4.4.3 (runtime configuration)
    /// - CWE-668: Exposure of Resource to Wrong Sphere
    pub struct WritableHostMount {
        code: "KS028",
        name: "writable-host-mount",
        severity: Warning,
        tags: ["isolation", "cis-docker:5.5", "cwe:668", "nist-800-190:4.4.3", "seed:isolation"],
        equivalents: ["kube-linter:writable-host-mount"],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            for m in &c.mounts {
                if m.read_only.value {
                    continue;
                }
                let Some(VolumeKind::HostPath { path, .. }) = w.volume(&m.volume).map(|v| &v.kind) else { continue };
                let shown = normalize_host_path(path).unwrap_or_else(|| path.clone());
                if shown.ends_with(".sock") {
                    continue;
                }
                let (span, label) = match m.read_only.span() {
                    Some(span) => (span, "the container can change these files of the node".to_string()),
                    None => {
                        let target = node_at(cx, &m.span)
                            .and_then(|n| n.get("mountPath"))
                            .map_or_else(|| m.span.clone(), |n| n.span.clone());
                        (target, format!("no `{}`", by_format(w, "readOnly: true", ":ro", "ro")))
                    }
                };
                let at = if m.target.is_empty() { String::new() } else { format!(" at `{}`", m.target) };
                out.push(
                    cx.finding(
                        &INFO,
                        span,
                        format!("{} mounts the host's `{shown}` writable{at}", container_label(w, c)),
                    )
                    .with_label(label)
                    .with_help(by_format(
                        w,
                        "add `readOnly: true` to the volume mount; if the workload must write, give it an `emptyDir` or a PersistentVolumeClaim instead",
                        "add `:ro` to the bind mount; if the service must write, give it a named volume instead",
                        "add `ro` to the mount's options",
                    )),
                );
            }
        }
    }
}

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
                    Some(span) => (
                        span,
                        by_format(
                            w,
                            "the container can change these files of the node",
                            "the container can change these files of the host",
                            "the container can change these files of the host",
                        )
                        .to_string(),
                    ),
                    None => {
                        let written = node_at(cx, &m.span);
                        // The mount's target: Kubernetes `mountPath`, OCI `destination`, the
                        // Compose long syntax's `target` (the short syntax is one string).
                        let target = written
                            .and_then(|n| {
                                n.get("mountPath").or_else(|| n.get("destination")).or_else(|| n.get("target"))
                            })
                            .map_or_else(|| m.span.clone(), |n| n.span.clone());
                        let long = written.is_some_and(|n| n.is_map());
                        let missing =
                            by_format(w, "readOnly: true", if long { "read_only: true" } else { ":ro" }, "ro");
                        (target, format!("no `{missing}`"))
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
                        if node_at(cx, &m.span).is_some_and(|n| n.is_map()) {
                            "set `read_only: true` on the bind mount; if the service must write, give it a named volume instead"
                        } else {
                            "add `:ro` to the bind mount; if the service must write, give it a named volume instead"
                        },
                        if m.read_only.is_explicit() { "replace `rw` with `ro` in the mount's options" } else { "add `ro` to the mount's options" },
                    )),
                );
            }
        }
    }
}

use rampart_posture::{Format, VolumeKind};

use crate::Finding;
use crate::manifest::{ManifestContext, per_format};

declare_rule! {
    /// A workload mounts a directory or file of the node (a `hostPath` volume).
    ///
    /// ## What it does
    /// Reports every `hostPath` volume of a pod (Kubernetes workloads of every kind, their
    /// init and ephemeral containers included), at its `hostPath` key, whether or not a
    /// container mounts it and whatever its path: the Pod Security Standards forbid the
    /// volume type itself. Compose bind mounts and OCI `bind` mounts are host paths too;
    /// not the binds a runtime writes into the OCI configs it generates for the container's
    /// own files and volumes (its `resolv.conf`, `hostname` and `hosts`, a pod's volumes
    /// under the kubelet's directory, Docker's and Podman's named volumes).
    ///
    /// ## Why
    /// A host path gives the container the node's own files, outside its isolation: the
    /// kubelet's credentials under `/var/lib/kubelet`, the container runtime's socket, other
    /// pods' volumes, `/etc` (a cron job or an SSH key away from root on the node). Even a
    /// read-only mount leaks secrets, and a symlink written into a writable one can point
    /// anywhere on the host.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    ///       volumeMounts:
    ///         - name: data
    ///           mountPath: /data
    ///   volumes:
    ///     - name: data
    ///       hostPath:
    ///         path: /srv/data
    /// ```
    /// Use instead: an `emptyDir` for scratch space, a `configMap` or `secret` for
    /// configuration, a `persistentVolumeClaim` for data that must outlive the pod.
    ///
    /// ## Fix safety
    /// No automatic fix: replacing a host path changes where the data lives, and a node agent
    /// may need the host's files by design (it then belongs in a namespace whose Pod Security
    /// level is `privileged`). Unsafe to rewrite mechanically; rampart does not apply it.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "HostPath Volumes"
    ///   <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Kubernetes Benchmark 5.2.12; CIS Docker Benchmark 5.5
    /// - CWE-668: Exposure of Resource to Wrong Sphere
    pub struct HostPathVolume {
        code: "KS003",
        name: "host-path-volume",
        severity: Error,
        tags: ["pss:baseline", "pss-control:host-path-volumes", "isolation", "cis-docker:5.5", "cwe:668", "seed:isolation"],
        equivalents: [
            "pss:baseline/host-path-volumes",
            "kyverno:disallow-host-path",
            "trivy:KSV-0023",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for v in &w.volumes {
            let VolumeKind::HostPath { path, .. } = &v.kind else { continue };
            let what = if path.is_empty() { "a host path".to_string() } else { format!("the host path `{path}`") };
            let message = match w.format {
                Format::Kubernetes => format!("volume `{}` of {} is {what}", v.name, w.describe()),
                _ => format!("{} mounts {what}", w.describe()),
            };
            let mounted_by: Vec<&str> = w
                .containers
                .iter()
                .filter(|c| c.mounts.iter().any(|m| m.volume == v.name))
                .map(|c| c.name.as_str())
                .collect();
            let label = match (w.format, mounted_by.as_slice()) {
                (Format::Kubernetes, []) => "the node's own files (no container mounts them yet)".to_string(),
                (Format::Kubernetes, [one]) => format!("the node's own files, mounted into `{one}`"),
                (Format::Kubernetes, many) => format!("the node's own files, mounted into {} containers", many.len()),
                _ => "the host's own files, outside the container's isolation".to_string(),
            };
            out.push(cx.finding(&INFO, v.kind_span.clone(), message).with_label(label).with_help(per_format(
                w,
                "use an `emptyDir`, `configMap`, `secret` or `persistentVolumeClaim` volume instead of the node's files",
                "use a named volume (data), `configs` or `secrets` (configuration) or a `tmpfs` (scratch) instead of the host's files",
                "mount a `tmpfs`, or a volume the engine manages, instead of the host's files",
            )));
        }
    }
}

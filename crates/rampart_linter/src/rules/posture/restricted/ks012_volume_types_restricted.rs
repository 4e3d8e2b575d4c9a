use rampart_posture::{Format, VolumeKind};

use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A pod uses a volume type the restricted Pod Security Standard does not allow.
    ///
    /// ## What it does
    /// Reports each volume of a Kubernetes pod (Pod, or the pod template of a Deployment,
    /// StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate)
    /// whose type is not one of `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`,
    /// `persistentVolumeClaim`, `projected` or `secret`, at the key naming the type. That
    /// includes `hostPath` (also reported by KS003) and every in-tree storage driver (`nfs`,
    /// `iscsi`, `gcePersistentDisk`, `awsElasticBlockStore`, `gitRepo`, …). A volume with no
    /// type key is an `emptyDir`, as the API server defaults it. Compose named volumes,
    /// `tmpfs`, `image` and `cluster` mounts count as runtime-managed storage, as do OCI
    /// `tmpfs` mounts and the named volumes and files a runtime binds into the configs it
    /// writes; Compose and OCI bind mounts are left to KS003; other OCI mount types (`nfs`,
    /// `overlay`, a block device's filesystem, `debugfs`, …) are reported.
    ///
    /// ## Why
    /// In-tree volume drivers mount storage on the node on the pod's behalf, with the
    /// kubelet's privileges and the credentials or addresses written in the pod spec: an NFS
    /// export or an iSCSI target named by any pod author, a `gitRepo` cloned by the kubelet
    /// (CVE-2024-10220 ran code on the node through a crafted repository). The restricted
    /// standard keeps pods to volume types whose storage is either ephemeral, API objects, or
    /// provisioned by a cluster administrator through a PersistentVolumeClaim or a CSI driver.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: data
    ///     nfs:
    ///       server: 10.0.0.5
    ///       path: /exports/data
    /// ```
    /// Use instead: a PersistentVolumeClaim bound to a PersistentVolume the administrator
    /// defines for that export.
    /// ```yaml
    /// volumes:
    ///   - name: data
    ///     persistentVolumeClaim:
    ///       claimName: data
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: moving storage behind a PersistentVolumeClaim needs a
    /// PersistentVolume (or a storage class) that only a human can define.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: "Volume Types"
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - <https://kubernetes.io/docs/concepts/storage/volumes/>
    /// - CWE-668: Exposure of Resource to Wrong Sphere
    pub struct VolumeTypesRestricted {
        code: "KS012",
        name: "volume-types-restricted",
        severity: Error,
        tags: ["pss:restricted", "pss-control:volume-types", "isolation", "cwe:668", "seed:isolation"],
        equivalents: ["pss:restricted/volume-types", "kyverno:restrict-volume-types", "trivy:KSV-0028"],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for v in &w.volumes {
            let label = match &v.kind {
                VolumeKind::ConfigMap
                | VolumeKind::Csi
                | VolumeKind::DownwardApi
                | VolumeKind::EmptyDir
                | VolumeKind::Ephemeral
                | VolumeKind::PersistentVolumeClaim
                | VolumeKind::Projected
                | VolumeKind::Secret
                | VolumeKind::Named
                | VolumeKind::Tmpfs => continue,
                // Bind mounts of Compose services and OCI bundles: KS003 reports them.
                VolumeKind::HostPath { .. } if w.format != Format::Kubernetes => continue,
                VolumeKind::HostPath { .. } => "a directory of the node",
                // Compose `image` mounts (an image's files, read-only) and Swarm `cluster`
                // volumes are runtime-managed storage.
                VolumeKind::Other(t) if w.format == Format::Compose && matches!(t.as_str(), "image" | "cluster") => {
                    continue;
                }
                VolumeKind::Other(_) if w.format == Format::Kubernetes => "mounted by the node on the pod's behalf",
                VolumeKind::Other(_) => "a filesystem mounted from outside the container, not runtime-managed storage",
            };
            out.push(
                cx.finding(
                    &INFO,
                    v.kind_span.clone(),
                    format!(
                        "volume `{}` of {} has type `{}`, which the restricted standard does not allow",
                        v.name,
                        w.describe(),
                        v.kind.field()
                    ),
                )
                .with_label(label)
                .with_help(
                    "reach storage through a persistentVolumeClaim or a CSI driver; the allowed types are configMap, \
                     csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret",
                ),
            );
        }
    }
}

use rampart_posture::VolumeKind;

use super::util::{by_format, is_under, normalize_host_path, runtime_socket};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A sensitive directory of the host is mounted.
    ///
    /// ## What it does
    /// Reports a `hostPath` volume (Kubernetes) or bind mount (Compose, OCI) of a part of the
    /// host that gives away the node, read-only or not:
    ///
    /// - the directory itself (a narrower path below it is not reported): `/`, `/etc`,
    ///   `/usr`, `/bin`, `/sbin`, `/lib`, `/lib64`, `/usr/bin`, `/usr/sbin`, `/usr/lib`,
    ///   `/usr/local/bin`, `/var`, `/var/lib`, `/var/log`, `/home`;
    /// - the directory or anything below it: `/proc`, `/sys`, `/dev`, `/boot`, `/root`,
    ///   `/lib/modules`, `/usr/lib/modules`, `/etc/kubernetes`, `/etc/shadow`,
    ///   `/etc/gshadow`, `/etc/sudoers`, `/etc/sudoers.d`, `/etc/ssh`, `/etc/crontab`,
    ///   `/etc/cron.d`, `/etc/systemd`, `/etc/docker`, `/etc/containerd`, `/etc/crio`,
    ///   `/var/lib/kubelet`, `/var/lib/etcd`, `/var/lib/docker`, `/var/lib/containerd`,
    ///   `/var/lib/containers`.
    ///
    /// Paths are compared after resolving `.`, `..`, repeated and trailing slashes. Container
    /// runtime sockets and the directories that hold them (`/run`, `/var/run`) are KS026's.
    /// Other host paths (`/data`, `/etc/ssl/certs`, `/run/xtables.lock`) are not reported
    /// here; KS028 reports any host path mounted writable.
    ///
    /// ## Why
    /// These paths hold the node's credentials (`/etc/shadow`, SSH keys, the kubelet's and
    /// the cluster's certificates), every pod's secrets and filesystems (the kubelet's and the
    /// runtime's state), the kernel's controls (`/proc/sys`, `/sys`, devices, modules) and the
    /// programs root runs. Reading them leaks secrets of other workloads; writing them is
    /// root on the node. A monitoring agent that needs `/proc` or `/sys` should get them
    /// read-only, and be reviewed as the privileged component it is.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: host-etc
    ///     hostPath: {path: /etc}
    /// ```
    /// Use instead: mount only the file the workload needs (`/etc/ssl/certs`, read-only), or
    /// give it the data another way (a ConfigMap, the downward API).
    ///
    /// ## Fix safety
    /// No automatic fix: what the workload needs from the host is for a human to narrow down.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.5 "Ensure sensitive host system directories are not mounted
    ///   on containers"
    /// - NIST SP 800-190 §4.4.3 (runtime configuration)
    /// - CWE-668: Exposure of Resource to Wrong Sphere
    pub struct SensitiveHostPathMounted {
        code: "KS027",
        name: "sensitive-host-path-mounted",
        severity: Error,
        tags: ["isolation", "cis-docker:5.5", "cwe:668", "nist-800-190:4.4.3", "seed:isolation"],
        equivalents: ["kube-linter:sensitive-host-mounts"],
        fix: None,
    }
}

const PROGRAMS: &str = "the host's programs and libraries, which root on the node runs";

/// Sensitive only as a whole (a narrower path below is not reported).
const EXACT: &[(&str, &str)] = &[
    ("/", "the host's whole filesystem"),
    ("/etc", "the host's configuration, with `/etc/shadow`, SSH and Kubernetes credentials"),
    ("/usr", PROGRAMS),
    ("/bin", PROGRAMS),
    ("/sbin", PROGRAMS),
    ("/lib", PROGRAMS),
    ("/lib64", PROGRAMS),
    ("/usr/bin", PROGRAMS),
    ("/usr/sbin", PROGRAMS),
    ("/usr/lib", PROGRAMS),
    ("/usr/local/bin", PROGRAMS),
    ("/var", "the host's state: the kubelet's, the runtime's and every pod's data"),
    ("/var/lib", "the host's state: the kubelet's, the runtime's and every pod's data"),
    ("/var/log", "every pod's logs; writable, a symlink placed there makes `kubectl logs` read any file of the node"),
    ("/home", "the users' home directories, with their SSH keys and credentials"),
];

/// Sensitive with everything below.
const SUBTREES: &[(&str, &str)] = &[
    ("/proc", "the host's processes and kernel settings"),
    ("/sys", "the kernel's and devices' settings, and the cgroups"),
    ("/dev", "the host's devices"),
    ("/boot", "the host's kernel and boot loader"),
    ("/root", "root's home directory, with its SSH keys and credentials"),
    ("/lib/modules", "the kernel modules"),
    ("/usr/lib/modules", "the kernel modules"),
    ("/etc/kubernetes", "the node's Kubernetes credentials and static pod manifests"),
    ("/etc/shadow", "the host's password hashes"),
    ("/etc/gshadow", "the host's group password hashes"),
    ("/etc/sudoers", "who may become root on the host"),
    ("/etc/sudoers.d", "who may become root on the host"),
    ("/etc/ssh", "the host's SSH keys and daemon configuration"),
    ("/etc/crontab", "jobs root runs on the host"),
    ("/etc/cron.d", "jobs root runs on the host"),
    ("/etc/systemd", "services root runs on the host"),
    ("/etc/docker", "the container runtime's configuration"),
    ("/etc/containerd", "the container runtime's configuration"),
    ("/etc/crio", "the container runtime's configuration"),
    ("/var/lib/kubelet", "the kubelet's state: every pod's volumes and secrets"),
    ("/var/lib/etcd", "the cluster's etcd data: every Secret"),
    ("/var/lib/docker", "the runtime's state: every container's filesystem"),
    ("/var/lib/containerd", "the runtime's state: every container's filesystem"),
    ("/var/lib/containers", "the runtime's state: every container's filesystem"),
];

/// What a normalised host path exposes, if it is sensitive.
fn sensitive(path: &str) -> Option<&'static str> {
    if runtime_socket(path).is_some() {
        return None;
    }
    EXACT
        .iter()
        .find(|(p, _)| *p == path)
        .or_else(|| SUBTREES.iter().find(|(p, _)| is_under(path, p)))
        .map(|(_, what)| *what)
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for v in &w.volumes {
            let VolumeKind::HostPath { path, path_span } = &v.kind else { continue };
            let Some(normalized) = normalize_host_path(path) else { continue };
            let Some(what) = sensitive(&normalized) else { continue };
            out.push(
                cx.finding(&INFO, path_span.clone(), format!("{} mounts the host's `{normalized}`", w.describe()))
                    .with_label(what)
                    .with_help(by_format(
                        w,
                        "mount only the file or directory the workload needs, read-only, or give it the data another way (a ConfigMap, the downward API)",
                        "mount only the file or directory the service needs, read-only (`:ro`)",
                        "mount only the file or directory the process needs, read-only (`ro`)",
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sensitive;

    #[test]
    fn paths() {
        assert!(sensitive("/").is_some());
        assert!(sensitive("/etc").is_some());
        assert!(sensitive("/etc/ssl/certs").is_none());
        assert!(sensitive("/etc/kubernetes/pki").is_some());
        assert!(sensitive("/proc/sys/kernel").is_some());
        assert!(sensitive("/var/run").is_none());
        assert!(sensitive("/var/run/docker.sock").is_none());
        assert!(sensitive("/var/lib/kubelet/pods").is_some());
        assert!(sensitive("/var/lib/mysql").is_none());
        assert!(sensitive("/data").is_none());
    }
}

use rampart_posture::VolumeKind;

use super::util::{RuntimeSocket, by_format, normalize_host_path, runtime_socket};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A container runtime's socket is mounted from the host.
    ///
    /// ## What it does
    /// Reports a `hostPath` volume (Kubernetes) or bind mount (Compose, OCI) of a container
    /// runtime's API socket — `docker.sock`, `containerd.sock`, `crio.sock`,
    /// `cri-dockerd.sock`, `dockershim.sock`, `podman.sock`, wherever it is (rootless Docker
    /// keeps it under `/run/user/<uid>/`) — or of a directory that holds them: `/run`,
    /// `/var/run`, and `/run/docker`, `/run/containerd`, `/run/crio`, `/run/podman` (also
    /// under `/var/run`). Paths are compared after resolving `.`, `..`, repeated and trailing
    /// slashes. The volume is reported where its path is written, whether or not a container
    /// mounts it yet.
    ///
    /// ## Why
    /// The runtime's socket is its full API, served as root. A process that can connect to
    /// it starts a privileged container with the host's filesystem mounted, and is root on the
    /// node; it also sees every other container, their environment and their secrets.
    /// `readOnly: true` does not help: connecting to a socket is not a write to the
    /// filesystem.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: ci-runner
    ///       image: registry.example.com/runner:3.1.0
    ///       volumeMounts:
    ///         - {name: docker, mountPath: /var/run/docker.sock}
    ///   volumes:
    ///     - name: docker
    ///       hostPath: {path: /var/run/docker.sock}
    /// ```
    /// Use instead: build images without a daemon (BuildKit rootless, kaniko, buildah) and
    /// read container metadata from the Kubernetes API.
    ///
    /// ## Fix safety
    /// No automatic fix: the workload was written to talk to the runtime, and replacing that
    /// is a design change.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.31 "Ensure that the Docker socket is not mounted inside any
    ///   containers"
    /// - NIST SP 800-190 §4.4.3 (runtime configuration)
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct ContainerRuntimeSocketMounted {
        code: "KS026",
        name: "container-runtime-socket-mounted",
        severity: Error,
        tags: ["isolation", "privileges", "cis-docker:5.31", "cwe:250", "nist-800-190:4.4.3", "seed:isolation"],
        equivalents: [
            "kyverno:disallow-cri-sock-mount",
            "trivy:KSV-0006",
            "kube-linter:docker-sock",
            "checkov:CKV_K8S_27",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for v in &w.volumes {
            let VolumeKind::HostPath { path, path_span } = &v.kind else { continue };
            let Some(normalized) = normalize_host_path(path) else { continue };
            let Some(socket) = runtime_socket(&normalized) else { continue };
            let what = match socket {
                RuntimeSocket::Socket(runtime) => format!("the {runtime} socket `{normalized}`"),
                RuntimeSocket::Directory(runtimes) => {
                    format!("`{normalized}`, the directory of the {runtimes} sockets,")
                }
            };
            let mounted_by: Vec<&str> = w
                .containers
                .iter()
                .filter(|c| c.mounts.iter().any(|m| m.volume == v.name))
                .map(|c| c.name.as_str())
                .collect();
            let label = match mounted_by.as_slice() {
                [] => "the runtime's API: root on the node".to_string(),
                names => format!(
                    "the runtime's API, given to {}: root on the node",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            out.push(
                cx.finding(&INFO, path_span.clone(), format!("{} mounts {what} from the host", w.describe()))
                    .with_label(label)
                    .with_help(by_format(
                        w,
                        "remove the volume: build images without a daemon (rootless BuildKit, kaniko), and read pod metadata from the Kubernetes API",
                        "remove the mount: build images without a daemon (rootless BuildKit, kaniko), or put a socket proxy that allows only the calls needed in between",
                        "remove the mount: build images without a daemon (rootless BuildKit, kaniko), or put a socket proxy that allows only the calls needed in between",
                    )),
            );
        }
    }
}

//! Helpers shared by the hardening rules: looking up what the posture model does not carry
//! (by span, in the parsed documents), image references, host paths.

use rampart_dockerfile::ImageRef;
use rampart_posture::{ContainerPosture, Format, Setting, Workload};
use rampart_yaml::{Node, Span};

use crate::manifest::ManifestContext;

/// The node written at exactly `span` in the file's documents (the outermost one).
pub(super) fn node_at<'a>(cx: &ManifestContext<'a>, span: &Span) -> Option<&'a Node> {
    cx.documents.iter().find_map(|d| descend(&d.root, span, 0))
}

fn descend<'a>(node: &'a Node, span: &Span, depth: usize) -> Option<&'a Node> {
    if node.span.start > span.start || node.span.end < span.end || depth > 256 {
        return None;
    }
    if node.span == *span {
        return Some(node);
    }
    if let Some(found) = node.items().iter().find_map(|n| descend(n, span, depth + 1)) {
        return Some(found);
    }
    node.entries().iter().find_map(|e| descend(&e.key, span, depth + 1).or_else(|| descend(&e.value, span, depth + 1)))
}

/// The Kubernetes pod spec of a workload (`None` for the other formats).
pub(super) fn pod_spec<'a>(cx: &ManifestContext<'a>, w: &Workload) -> Option<&'a Node> {
    if w.format != Format::Kubernetes {
        return None;
    }
    node_at(cx, w.pod_spec.as_ref()?).filter(|n| n.is_map())
}

/// A Windows pod (`os.name: windows` or HostProcess): Linux-only settings such as
/// `readOnlyRootFilesystem` and capabilities do not apply to it.
pub(super) fn is_windows(cx: &ManifestContext<'_>, w: &Workload) -> bool {
    let os = pod_spec(cx, w).and_then(|s| s.path(&["os", "name"])).and_then(Node::as_string);
    os.is_some_and(|o| o.eq_ignore_ascii_case("windows"))
        || w.pod.windows_host_process.as_ref().is_some_and(|h| h.value)
        || w.containers.iter().any(|c| c.windows_host_process.value == Some(true))
}

/// The mapping of a Compose service as written in the file (its own keys, not those of the
/// services it `extends`); `None` for the other formats.
pub(super) fn compose_service<'a>(cx: &ManifestContext<'a>, w: &Workload) -> Option<&'a Node> {
    if w.format != Format::Compose {
        return None;
    }
    cx.documents.iter().find_map(|d| {
        let services = d.root.get("services")?;
        services.entries().iter().find(|e| e.key.span == w.anchor).map(|e| &e.value).filter(|s| s.is_map())
    })
}

/// The same text per format: the Kubernetes field, the Compose key, the OCI path.
pub(super) fn by_format<'s>(w: &Workload, kubernetes: &'s str, compose: &'s str, oci: &'s str) -> &'s str {
    match w.format {
        Format::Kubernetes => kubernetes,
        Format::Compose => compose,
        Format::Oci => oci,
    }
}

/// A container's image, parsed, with the setting it is written in. `None` when there is no
/// image, or it is not a literal reference (template placeholders, variables).
pub(super) fn image(c: &ContainerPosture) -> Option<(ImageRef, &Setting<String>)> {
    let setting = c.image.as_ref()?;
    let text = setting.value.trim();
    if text.contains('$') || text.contains("{{") {
        return None;
    }
    Some((ImageRef::parse(text)?, setting))
}

/// `/var//run/./docker.sock/` → `/var/run/docker.sock`; `..` is resolved lexically. `None`
/// for a path that is not absolute (a Windows path, a relative Compose source).
pub(super) fn normalize_host_path(path: &str) -> Option<String> {
    let path = path.trim();
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether `path` is `dir` or below it (both normalised).
pub(super) fn is_under(path: &str, dir: &str) -> bool {
    path == dir || dir == "/" || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// The container runtime sockets and the directories that hold them.
pub(super) enum RuntimeSocket {
    /// The socket itself: the runtime's name.
    Socket(&'static str),
    /// A directory holding the sockets of these runtimes.
    Directory(&'static str),
}

/// Socket file names, wherever they are (rootless Docker puts its socket under
/// `/run/user/<uid>/`, k3s under `/run/k3s/containerd/`).
const SOCKET_FILES: &[(&str, &str)] = &[
    ("docker.sock", "Docker"),
    ("containerd.sock", "containerd"),
    ("crio.sock", "CRI-O"),
    ("cri-dockerd.sock", "cri-dockerd"),
    ("dockershim.sock", "dockershim"),
    ("podman.sock", "Podman"),
];

/// Directories whose content is a runtime's socket (mounting them mounts the socket).
const SOCKET_DIRS: &[(&str, &str)] = &[
    ("/run", "Docker, containerd and CRI-O"),
    ("/var/run", "Docker, containerd and CRI-O"),
    ("/run/docker", "Docker"),
    ("/var/run/docker", "Docker"),
    ("/run/containerd", "containerd"),
    ("/var/run/containerd", "containerd"),
    ("/run/k3s/containerd", "containerd"),
    ("/run/crio", "CRI-O"),
    ("/var/run/crio", "CRI-O"),
    ("/run/podman", "Podman"),
    ("/var/run/podman", "Podman"),
];

/// Whether a normalised host path is a container runtime's socket or a directory holding one.
pub(super) fn runtime_socket(path: &str) -> Option<RuntimeSocket> {
    let file = path.rsplit('/').next().unwrap_or("");
    if let Some((_, runtime)) = SOCKET_FILES.iter().find(|(f, _)| *f == file) {
        return Some(RuntimeSocket::Socket(runtime));
    }
    SOCKET_DIRS.iter().find(|(d, _)| *d == path).map(|(_, r)| RuntimeSocket::Directory(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_paths() {
        assert_eq!(normalize_host_path("/var//run/./docker.sock/").as_deref(), Some("/var/run/docker.sock"));
        assert_eq!(normalize_host_path("/var/lib/../run").as_deref(), Some("/var/run"));
        assert_eq!(normalize_host_path("/..").as_deref(), Some("/"));
        assert_eq!(normalize_host_path("C:\\data"), None);
        assert!(is_under("/etc/kubernetes/pki", "/etc/kubernetes"));
        assert!(!is_under("/etc/kubernetes-backup", "/etc/kubernetes"));
        assert!(is_under("/anything", "/"));
        assert!(matches!(runtime_socket("/run/user/1000/docker.sock"), Some(RuntimeSocket::Socket("Docker"))));
        assert!(matches!(runtime_socket("/var/run"), Some(RuntimeSocket::Directory(_))));
        assert!(runtime_socket("/run/xtables.lock").is_none());
    }
}

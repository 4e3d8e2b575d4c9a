//! OCI runtime configurations (`config.json`, runtime-spec 1.x) into the posture model.
//!
//! A `config.json` is one [`Workload`] (format [`Format::Oci`], kind and name `config.json`)
//! holding one [`ContainerPosture`] with role [`ContainerRole::Process`]. Unlike Kubernetes
//! and Compose, the file is complete: the runtime (runc, crun) adds nothing, so what is
//! absent is absent — no seccomp filter, no AppArmor profile, a writable root filesystem,
//! the host's namespace for every namespace not listed. Those absences carry
//! [`Origin::Runtime`] with the value they have.
//!
//! Capabilities are absolute sets, not additions to a runtime default. The process may
//! ever hold what is in its bounding set (it limits what `execve` grants), its inheritable
//! set (kept across `execve` for root) and its ambient set (kept for any user); effective
//! and permitted capabilities outside the bounding set are lost at `execve` (runc's own
//! tests show it). So the posture reads as "drop everything, add exactly these":
//! `capabilities_drop = ["ALL"]` (written at the `bounding` list, or the `capabilities`
//! key) and `capabilities_add` = every capability of the bounding, inheritable and ambient
//! sets, each at the span of its first mention. Rules then judge a config.json as they
//! judge a Kubernetes container: "drop ALL, add only NET_BIND_SERVICE" holds exactly when
//! the sets hold nothing else, a dangerous capability is reported where it is listed,
//! `NET_RAW` counts as dropped unless it is listed. Without `process.capabilities` runc
//! starts the process with empty sets: nothing added, `ALL` dropped ([`Origin::Runtime`]).
//!
//! Mounts: kernel filesystems (`proc`, `sysfs`, `cgroup`, …) go to `kernel_mounts`; bind
//! mounts are [`VolumeKind::HostPath`] volumes, except those of files and volumes a runtime
//! keeps for the container (the `resolv.conf`, `hostname` and `hosts` Docker, containerd
//! and CRI-O write for it, a pod's volumes under the kubelet's directory, Docker's and
//! Podman's named volumes), which are [`VolumeKind::Named`]: the configs those runtimes
//! write are then judged by the volumes the user asked for, not by the runtime's plumbing.
//!
//! OCI has no `privileged` flag: `privileged` is `false`, and each part of what privileged
//! means (capabilities, seccomp, devices, masked paths, `/sys`) is read from its own field.

use std::collections::HashSet;

use rampart_yaml::{Node, Span};

use crate::model::*;
use crate::util::*;

/// The name OCI workloads and their custom seccomp profiles are known by.
pub const CONFIG_JSON: &str = "config.json";

/// Filesystem types every container has mounted; they are kernel mounts, not volumes.
const KERNEL_FILESYSTEMS: &[&str] = &["proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue"];

/// The capability sets a process keeps across `execve`.
const LASTING_SETS: &[&str] = &["bounding", "inheritable", "ambient"];

/// Whether the document is an OCI runtime configuration (an object with `ociVersion`).
pub fn is_config(root: &Node) -> bool {
    root.is_map() && root.get("ociVersion").is_some()
}

/// Reads a runtime-spec `config.json`; `None` when the document is not one.
pub fn workload(root: &Node) -> Option<Workload> {
    if !is_config(root) {
        return None;
    }
    let process_entry = root.entry("process").filter(|e| e.value.is_map());
    let process = process_entry.map(|e| &e.value);
    let linux_entry = root.entry("linux").filter(|e| e.value.is_map());
    let linux = linux_entry.map(|e| &e.value);
    let ns_entry = linux.and_then(|l| l.entry("namespaces"));

    let (capabilities_add, capabilities_drop) = capabilities(process);
    let user = process.and_then(|p| p.get("user"));
    let id = |key: &str| user.and_then(|u| u.get(key)).and_then(|n| int(n).map(|v| (v, n.span.clone())));
    let uid = id("uid");
    let (run_as_user, run_as_non_root) = match &uid {
        Some((v, span)) => (Setting::explicit(Some(*v), span.clone()), Setting::explicit(Some(*v != 0), span.clone())),
        // runc runs the process as uid 0 when none is given.
        None => (Setting::runtime(Some(0)), Setting::runtime(Some(false))),
    };
    let run_as_group = match id("gid") {
        Some((v, span)) => Setting::explicit(Some(v), span),
        None => Setting::runtime(Some(0)),
    };

    let mut mounts = MountsRead::default();
    for m in root.get("mounts").map(Node::items).unwrap_or_default().iter().filter(|m| m.is_map()) {
        mounts.read(m);
    }

    let ns_list = ns_entry.map(|e| e.value.items()).unwrap_or_default();
    let host = |ty: &str| -> Setting<bool> {
        match ns_list.iter().find(|n| n.get_str("type") == Some(ty)) {
            Some(n) => match n.get("path").filter(|p| p.as_string().is_some()) {
                // Joining PID 1's namespace is joining the host's.
                Some(p) if p.as_str().is_some_and(|s| s.starts_with("/proc/1/ns/")) => {
                    Setting::explicit(true, p.span.clone())
                }
                _ => Setting::explicit(false, n.span.clone()),
            },
            None => Setting::runtime(true),
        }
    };
    let host_users = {
        let own = host("user");
        match (own.value, linux.and_then(|l| root_mapping(l, uid.as_ref().map_or(0, |(v, _)| *v)))) {
            // A user namespace that maps the process's user to the host's root isolates nothing.
            (false, Some(span)) => Setting::explicit(Some(true), span),
            (v, _) => Setting { value: Some(v), origin: own.origin },
        }
    };

    let container = ContainerPosture {
        name: "process".to_string(),
        role: ContainerRole::Process,
        span: process.map_or(root.span.clone(), |p| p.span.clone()),
        anchor: process_entry.map_or(root.span.clone(), |e| e.key.span.clone()),
        security_context: process.map(|p| p.span.clone()),
        image: None,
        privileged: Setting::runtime(false),
        allow_privilege_escalation: match process.and_then(|p| bool_at(p, "noNewPrivileges")) {
            Some(s) => Setting { value: Some(!s.value), origin: s.origin },
            None => Setting::runtime(Some(true)),
        },
        run_as_non_root,
        run_as_user,
        run_as_group,
        user_name: None,
        read_only_root_filesystem: optional(
            root.get("root").and_then(|r| bool_at(r, "readonly")),
            Setting::runtime(Some(false)),
        ),
        capabilities_add,
        capabilities_drop,
        seccomp: seccomp(linux),
        apparmor: match process
            .and_then(|p| p.get("apparmorProfile"))
            .filter(|n| n.as_string().is_some_and(|s| !s.is_empty()))
        {
            Some(n) => Setting::explicit(
                match n.as_str().unwrap_or("") {
                    "unconfined" => AppArmor::Unconfined,
                    "docker-default" => AppArmor::RuntimeDefault,
                    name => AppArmor::Localhost(name.to_string()),
                },
                n.span.clone(),
            ),
            // runc applies no profile unless one is named.
            None => Setting::runtime(AppArmor::Unconfined),
        },
        selinux: selinux(process.and_then(|p| p.get("selinuxLabel"))),
        proc_mount: proc_mount(linux),
        windows_host_process: Setting::runtime(None),
        ports: Vec::new(),
        mounts: mounts.mounts,
        resources: resources(linux.and_then(|l| l.get("resources"))),
        probes: Probes::default(),
        env: env(process.and_then(|p| p.get("env"))),
        devices: linux
            .and_then(|l| l.get("devices"))
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.get("path").and_then(explicit_str))
            .collect(),
        kernel_mounts: mounts.kernel_mounts,
        ulimits: rlimits(process.and_then(|p| p.get("rlimits"))),
        build: None,
    };

    Some(Workload {
        format: Format::Oci,
        kind: CONFIG_JSON.to_string(),
        name: CONFIG_JSON.to_string(),
        namespace: None,
        span: root.span.clone(),
        anchor: ns_entry.or(linux_entry).map_or(root.span.clone(), |e| e.key.span.clone()),
        pod_spec: None,
        host_network: host("network"),
        host_pid: host("pid"),
        host_ipc: host("ipc"),
        host_users,
        os: None,
        host_uts: host("uts"),
        host_cgroup: host("cgroup"),
        host_mount: host("mount"),
        volumes: mounts.volumes,
        sysctls: linux
            .and_then(|l| l.get("sysctl"))
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| {
                Some((
                    Setting::explicit(e.key.as_str()?.to_string(), e.key.span.clone()),
                    Setting::explicit(e.value.as_str().unwrap_or("").to_string(), e.value.span.clone()),
                ))
            })
            .collect(),
        // An OCI bundle never gets a Kubernetes service account token.
        automount_service_account_token: Setting::runtime(Some(false)),
        service_account: None,
        host_aliases: None,
        pod: PodSecurity::default(),
        annotations: root
            .get("annotations")
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| {
                Some((
                    e.key.as_str()?.to_string(),
                    Setting::explicit(e.value.as_str().unwrap_or("").to_string(), e.value.span.clone()),
                ))
            })
            .collect(),
        labels: Vec::new(),
        containers: vec![container],
    })
}

/// "Drop ALL, add what the lasting sets hold" (see the module documentation).
fn capabilities(process: Option<&Node>) -> (Vec<Setting<String>>, Vec<Setting<String>>) {
    let Some(entry) = process.and_then(|p| p.entry("capabilities")).filter(|e| e.value.is_map()) else {
        return (Vec::new(), vec![Setting::runtime("ALL".to_string())]);
    };
    let caps = &entry.value;
    let mut add: Vec<Setting<String>> = Vec::new();
    let mut seen = HashSet::new();
    for set in LASTING_SETS {
        for item in caps.get(set).map(Node::items).unwrap_or_default() {
            let Some(name) = item.as_string() else { continue };
            let name = normalize_capability(name);
            if !name.is_empty() && seen.insert(name.clone()) {
                add.push(Setting::explicit(name, item.span.clone()));
            }
        }
    }
    let drop_span = caps.get("bounding").map_or(entry.key.span.clone(), |b| b.span.clone());
    (add, vec![Setting::explicit("ALL".to_string(), drop_span)])
}

/// The span of a `uidMappings` entry mapping `uid` to the host's root.
fn root_mapping(linux: &Node, uid: i64) -> Option<Span> {
    linux.get("uidMappings")?.items().iter().find_map(|m| {
        let container = m.get("containerID").and_then(int)?;
        let host = m.get("hostID")?;
        let size = m.get("size").and_then(int).unwrap_or(1);
        let offset = uid.checked_sub(container)?;
        (offset >= 0 && offset < size && int(host)?.checked_add(offset)? == 0).then(|| host.span.clone())
    })
}

fn seccomp(linux: Option<&Node>) -> Setting<Seccomp> {
    let Some(s) = linux.and_then(|l| l.get("seccomp")).filter(|s| s.is_map()) else {
        // No filter at all: runc installs none.
        return Setting::runtime(Seccomp::Unconfined);
    };
    let permissive = |action: Option<&str>| matches!(action, Some("SCMP_ACT_ALLOW" | "SCMP_ACT_LOG"));
    let default = s.get("defaultAction");
    let restricts =
        s.get("syscalls").map(Node::items).unwrap_or_default().iter().any(|r| !permissive(r.get_str("action")));
    let span = default.map_or(s.span.clone(), |d| d.span.clone());
    if permissive(default.and_then(Node::as_str)) && !restricts {
        Setting::explicit(Seccomp::Unconfined, span)
    } else {
        Setting::explicit(Seccomp::Localhost(CONFIG_JSON.to_string()), span)
    }
}

/// `Default` when `/proc` paths are both masked and read-only, `Unmasked` otherwise.
fn proc_mount(linux: Option<&Node>) -> Setting<Option<String>> {
    let list = |key: &str| linux.and_then(|l| l.get(key));
    let (masked, read_only) = (list("maskedPaths"), list("readonlyPaths"));
    let empty = |n: &Node| n.items().is_empty();
    let value = |v: &str| Some(v.to_string());
    match (masked, read_only) {
        (Some(m), Some(r)) if !empty(m) && !empty(r) => Setting::explicit(value("Default"), m.span.clone()),
        (Some(m), _) if empty(m) => Setting::explicit(value("Unmasked"), m.span.clone()),
        (_, Some(r)) if empty(r) => Setting::explicit(value("Unmasked"), r.span.clone()),
        _ => Setting::runtime(value("Unmasked")),
    }
}

/// `user:role:type:level` (the level may hold colons itself).
fn selinux(label: Option<&Node>) -> SeLinux {
    let Some((node, text)) = label.and_then(|n| n.as_string().map(|t| (n, t))) else { return SeLinux::default() };
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == ':' && parts.len() < 3 {
            parts.push((start, i));
            start = i + 1;
        }
    }
    parts.push((start, text.len()));
    let field = |i: usize| {
        parts
            .get(i)
            .filter(|(s, e)| e > s)
            .map(|&(s, e)| Setting::explicit(text[s..e].to_string(), sub_span(node, s, e)))
    };
    SeLinux { user: field(0), role: field(1), type_: field(2), level: field(3), disabled: None }
}

fn resources(res: Option<&Node>) -> Resources {
    let value =
        |path: &[&str]| res.and_then(|r| r.path(path)).filter(|n| int(n).is_some_and(|v| v > 0)).and_then(explicit_str);
    Resources {
        cpu_request: value(&["cpu", "shares"]),
        cpu_limit: value(&["cpu", "quota"]),
        memory_request: value(&["memory", "reservation"]),
        memory_limit: value(&["memory", "limit"]),
        pids_limit: value(&["pids", "limit"]),
    }
}

fn env(list: Option<&Node>) -> Vec<EnvVar> {
    list.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| {
            let text = item.as_string()?;
            let ((ns, ne), value) = split_assignment(text);
            Some(EnvVar {
                name: text[ns..ne].to_string(),
                name_span: sub_span(item, ns, ne),
                value: value.map(|(vs, ve)| Setting::explicit(text[vs..ve].to_string(), sub_span(item, vs, ve))),
                span: item.span.clone(),
            })
        })
        .collect()
}

fn rlimits(list: Option<&Node>) -> Vec<Ulimit> {
    list.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            let ty = r.get_str("type")?.trim().to_ascii_lowercase();
            Some(Ulimit {
                name: ty.strip_prefix("rlimit_").unwrap_or(&ty).to_string(),
                soft: r.get("soft").and_then(int),
                hard: r.get("hard").and_then(int),
                span: r.span.clone(),
            })
        })
        .collect()
}

/// Whether a bind mount's source is something a container runtime or the kubelet keeps for
/// one container or pod, as in the configs they write: the container's `resolv.conf`,
/// `hostname` and `hosts` (`…/docker/containers/<id>/…`, containerd's
/// `…/sandboxes/<id>/…`, CRI-O's and Podman's `…/overlay-containers/<id>/userdata/…`), a pod's
/// volumes and files (`…/kubelet/pods/<uid>/…`), a named volume (`…/docker/volumes/<name>/_data`,
/// `…/containers/storage/volumes/<name>/_data`). Something strictly below the object's own
/// directory, whatever the runtime's root directory; the directories themselves (a log
/// shipper mounting `/var/lib/docker/containers`) are host paths.
fn runtime_managed(src: &str) -> bool {
    let parts: Vec<&str> = src.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.contains(&"..") {
        return false;
    }
    let is_id = |s: &str| {
        (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            || (s.len() == 36 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
    };
    parts.windows(3).any(|w| match w {
        // `<root>/containers/<id>/<file>`, `<root>/sandboxes/<id>/<file>`, `<root>/pods/<uid>/<file>`,
        // `<root>/overlay-containers/<id>/userdata`
        [dir, id, _] if matches!(*dir, "containers" | "sandboxes" | "pods" | "overlay-containers") => is_id(id),
        _ => false,
    }) || parts.windows(4).any(|w| {
        matches!(w, [owner, "volumes", name, "_data"] if matches!(*owner, "docker" | "storage") && !name.is_empty())
    })
}

/// The `mounts` of a config: host paths and other filesystems as volumes with their mounts,
/// kernel filesystems apart.
#[derive(Default)]
struct MountsRead {
    volumes: Vec<Volume>,
    names: HashSet<String>,
    mounts: Vec<Mount>,
    kernel_mounts: Vec<Mount>,
}

impl MountsRead {
    fn read(&mut self, m: &Node) {
        let target = m.get_str("destination").unwrap_or("").to_string();
        let ty = m.get_str("type").unwrap_or("");
        let source = m.get("source").filter(|s| s.as_string().is_some());
        let src = source.and_then(Node::as_str).unwrap_or("");
        let options = m.get("options").map(Node::items).unwrap_or_default();
        let option = |names: &[&str]| options.iter().find(|o| o.as_str().is_some_and(|s| names.contains(&s)));
        // The last of `ro` and `rw` wins, as the runtime applies options in order.
        let read_only = options
            .iter()
            .rev()
            .find_map(|o| match o.as_str()? {
                "ro" | "rro" => Some(Setting::explicit(true, o.span.clone())),
                "rw" | "rrw" => Some(Setting::explicit(false, o.span.clone())),
                _ => None,
            })
            .unwrap_or(Setting::runtime(false));
        let bind = ty == "bind" || option(&["bind", "rbind"]).is_some();
        let dev = target == "/dev" || target.starts_with("/dev/");
        // Rootless runc binds the host's /sys in place of a sysfs mount it may not make.
        let kernel = if bind && src == "/sys" && target == "/sys" {
            Some("sysfs")
        } else if !bind && (KERNEL_FILESYSTEMS.contains(&ty) || (ty == "tmpfs" && dev)) {
            Some(ty)
        } else {
            None
        };
        if let Some(fs) = kernel {
            self.kernel_mounts.push(Mount { volume: fs.to_string(), target, read_only, span: m.span.clone() });
            return;
        }
        let type_span = m.get("type").map_or(m.span.clone(), |t| t.span.clone());
        let volume = if bind && runtime_managed(src) {
            // A file the runtime wrote for this container, or one of its named volumes.
            Volume {
                name: src.to_string(),
                kind: VolumeKind::Named,
                span: m.span.clone(),
                kind_span: source.map_or(m.span.clone(), |s| s.span.clone()),
            }
        } else if bind {
            let src_span = source.map_or(m.span.clone(), |s| s.span.clone());
            Volume {
                name: src.to_string(),
                kind: VolumeKind::HostPath { path: src.to_string(), path_span: src_span.clone() },
                span: m.span.clone(),
                kind_span: src_span,
            }
        } else if ty == "tmpfs" {
            Volume {
                name: format!("tmpfs:{target}"),
                kind: VolumeKind::Tmpfs,
                span: m.span.clone(),
                kind_span: type_span,
            }
        } else {
            Volume {
                name: if src.is_empty() { format!("{ty}:{target}") } else { src.to_string() },
                kind: VolumeKind::Other(ty.to_string()),
                span: m.span.clone(),
                kind_span: type_span,
            }
        };
        let name = volume.name.clone();
        if self.names.insert(name.clone()) {
            self.volumes.push(volume);
        }
        self.mounts.push(Mount { volume: name, target, read_only, span: m.span.clone() });
    }
}

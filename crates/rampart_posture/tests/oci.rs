use rampart_posture::oci::workload;
use rampart_posture::{AppArmor, ContainerRole, Format, Origin, Seccomp, Setting, VolumeKind, Workload};

/// `runc spec` (runc 1.1.5, runtime-spec 1.0.2-dev), byte for byte.
const RUNC_SPEC: &str = include_str!("data/runc-spec.json");
/// `runc spec --rootless`, byte for byte (generated as root: uid 0 maps to host uid 0).
const RUNC_SPEC_ROOTLESS: &str = include_str!("data/runc-spec-rootless.json");

fn load(text: &str) -> Option<Workload> {
    let docs = rampart_yaml::parse_stream(text);
    assert_eq!(docs.len(), 1);
    workload(&docs.into_iter().next().unwrap().expect("parses").root)
}

fn at<'t, T>(text: &'t str, s: &Setting<T>) -> &'t str {
    &text[s.span().expect("written")]
}

fn names(list: &[Setting<String>]) -> Vec<&str> {
    list.iter().map(|s| s.value.as_str()).collect()
}

#[test]
fn runc_default_spec() {
    let w = load(RUNC_SPEC).unwrap();
    assert_eq!(w.format, Format::Oci);
    assert_eq!((w.kind.as_str(), w.name.as_str()), ("config.json", "config.json"));
    assert_eq!(&RUNC_SPEC[w.anchor.clone()], "\"namespaces\"");
    let p = &w.containers[0];
    assert_eq!(p.role, ContainerRole::Process);
    assert_eq!(&RUNC_SPEC[p.anchor.clone()], "\"process\"");
    // uid 0: root.
    assert_eq!(p.run_as_user.value, Some(0));
    assert_eq!(p.run_as_non_root.value, Some(false));
    assert_eq!(at(RUNC_SPEC, &p.run_as_non_root), "0");
    assert!(!p.privileged.value);
    // Absolute sets: drop ALL, add exactly what the process may hold.
    assert_eq!(names(&p.capabilities_add), ["AUDIT_WRITE", "KILL", "NET_BIND_SERVICE"]);
    assert_eq!(at(RUNC_SPEC, &p.capabilities_add[0]), "\"CAP_AUDIT_WRITE\"");
    assert_eq!(names(&p.capabilities_drop), ["ALL"]);
    assert!(at(RUNC_SPEC, &p.capabilities_drop[0]).starts_with('['));
    assert_eq!(p.allow_privilege_escalation.value, Some(false));
    assert_eq!(at(RUNC_SPEC, &p.allow_privilege_escalation), "true");
    assert_eq!(p.read_only_root_filesystem.value, Some(true));
    // No seccomp and no AppArmor profile in the file: runc applies none.
    assert_eq!(p.seccomp, Setting::runtime(Seccomp::Unconfined));
    assert_eq!(p.apparmor, Setting::runtime(AppArmor::Unconfined));
    assert_eq!(p.proc_mount.value.as_deref(), Some("Default"));
    let nofile = &p.ulimits[0];
    assert_eq!((nofile.name.as_str(), nofile.soft, nofile.hard), ("nofile", Some(1024), Some(1024)));
    assert_eq!(p.env[0].name, "PATH");
    assert_eq!(p.env[1].value.as_ref().unwrap().value, "xterm");
    assert_eq!(at(RUNC_SPEC, p.env[1].value.as_ref().unwrap()), "xterm");
    // Namespaces: pid, network, ipc, uts, mount; no user, no cgroup.
    assert!(!w.host_pid.value && !w.host_network.value && !w.host_ipc.value);
    assert!(!w.host_uts.value && !w.host_mount.value);
    assert!(w.host_network.is_explicit());
    assert_eq!(w.host_users, Setting::runtime(Some(true)));
    assert_eq!(w.host_cgroup, Setting::runtime(true));
    // Kernel filesystems are not volumes.
    assert!(w.volumes.is_empty() && p.mounts.is_empty());
    let kernel: Vec<(&str, &str, bool)> =
        p.kernel_mounts.iter().map(|m| (m.volume.as_str(), m.target.as_str(), m.read_only.value)).collect();
    assert_eq!(
        kernel,
        [
            ("proc", "/proc", false),
            ("tmpfs", "/dev", false),
            ("devpts", "/dev/pts", false),
            ("tmpfs", "/dev/shm", false),
            ("mqueue", "/dev/mqueue", false),
            ("sysfs", "/sys", true),
            ("cgroup", "/sys/fs/cgroup", true),
        ]
    );
    assert!(p.image.is_none());
    assert_eq!(w.automount_service_account_token.value, Some(false));
    assert_eq!(w.describe(), "the OCI bundle");
}

#[test]
fn runc_rootless_spec() {
    let w = load(RUNC_SPEC_ROOTLESS).unwrap();
    let p = &w.containers[0];
    // No network namespace: the host's network, pointed at from the namespace list.
    assert!(w.host_network.value);
    assert_eq!(w.host_network.origin, Origin::Runtime);
    assert_eq!(&RUNC_SPEC_ROOTLESS[w.anchor.clone()], "\"namespaces\"");
    // A user namespace, but mapping uid 0 to the host's root (generated as root).
    assert_eq!(w.host_users.value, Some(true));
    assert!(w.host_users.is_explicit());
    // The bind of the host's /sys stands in for sysfs.
    assert!(w.volumes.is_empty());
    let sys = p.kernel_mounts.iter().find(|m| m.target == "/sys").unwrap();
    assert_eq!(sys.volume, "sysfs");
    assert!(sys.read_only.value);
    // A user namespace mapping to an unprivileged host user isolates.
    let text = RUNC_SPEC_ROOTLESS.replacen("\"hostID\": 0", "\"hostID\": 1000", 1);
    let w = load(&text).unwrap();
    assert_eq!(w.host_users.value, Some(false));
}

const CONFIG: &str = r#"{
  "ociVersion": "1.1.0",
  "process": {
    "user": {"uid": 1000, "gid": 1000},
    "args": ["/app"],
    "env": ["TOKEN=abc", "EMPTY="],
    "capabilities": {
      "bounding": ["CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"],
      "effective": ["CAP_NET_BIND_SERVICE", "CAP_SYS_PTRACE"],
      "permitted": ["CAP_NET_BIND_SERVICE"],
      "inheritable": ["CAP_NET_RAW"],
      "ambient": ["CAP_NET_BIND_SERVICE"]
    },
    "noNewPrivileges": false,
    "apparmorProfile": "my-profile",
    "selinuxLabel": "system_u:system_r:container_t:s0:c1,c2",
    "rlimits": [{"type": "RLIMIT_NPROC", "soft": 100, "hard": 200}]
  },
  "root": {"path": "rootfs"},
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "rw"]},
    {"destination": "/var/run/docker.sock", "type": "bind", "source": "/var/run/docker.sock", "options": ["rbind"]},
    {"destination": "/data", "source": "/srv/data", "options": ["rbind", "ro"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"},
    {"destination": "/nfs", "type": "nfs", "source": "server:/export"}
  ],
  "annotations": {"org.example/owner": "team-a"},
  "linux": {
    "namespaces": [
      {"type": "mount"},
      {"type": "network", "path": "/proc/1/ns/net"},
      {"type": "user"},
      {"type": "cgroup"}
    ],
    "seccomp": {
      "defaultAction": "SCMP_ACT_ALLOW",
      "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_LOG"}]
    },
    "maskedPaths": [],
    "resources": {
      "memory": {"limit": 536870912, "reservation": -1},
      "cpu": {"quota": 50000, "period": 100000, "shares": 512},
      "pids": {"limit": 64}
    },
    "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}],
    "sysctl": {"net.ipv4.ip_forward": "1"}
  }
}"#;

#[test]
fn every_field() {
    let w = load(CONFIG).unwrap();
    let p = &w.containers[0];
    assert_eq!((p.run_as_user.value, p.run_as_group.value), (Some(1000), Some(1000)));
    assert_eq!(p.run_as_non_root.value, Some(true));
    assert_eq!(at(CONFIG, &p.run_as_user), "1000");
    // Bounding, inheritable and ambient: effective-only SYS_PTRACE is lost at execve.
    assert_eq!(names(&p.capabilities_add), ["NET_BIND_SERVICE", "SYS_ADMIN", "NET_RAW"]);
    assert_eq!(at(CONFIG, &p.capabilities_add[1]), "\"CAP_SYS_ADMIN\"");
    assert_eq!(names(&p.capabilities_drop), ["ALL"]);
    assert_eq!(p.allow_privilege_escalation.value, Some(true));
    assert!(p.allow_privilege_escalation.is_explicit());
    assert_eq!(p.apparmor.value, AppArmor::Localhost("my-profile".into()));
    let se = &p.selinux;
    assert_eq!(se.user.as_ref().unwrap().value, "system_u");
    assert_eq!(se.role.as_ref().unwrap().value, "system_r");
    assert_eq!(se.type_.as_ref().unwrap().value, "container_t");
    assert_eq!(se.level.as_ref().unwrap().value, "s0:c1,c2");
    assert_eq!(at(CONFIG, se.type_.as_ref().unwrap()), "container_t");
    assert_eq!(p.ulimits[0].name, "nproc");
    // No `readonly`: writable.
    assert_eq!(p.read_only_root_filesystem, Setting::runtime(Some(false)));
    assert_eq!(p.env[0].value.as_ref().unwrap().value, "abc");
    assert_eq!(p.env[1].value.as_ref().unwrap().value, "");

    // Mounts.
    let sys = p.kernel_mounts.iter().find(|m| m.target == "/sys").unwrap();
    assert!(!sys.read_only.value && sys.read_only.is_explicit());
    let host_path = |name: &str| match &w.volume(name).unwrap().kind {
        VolumeKind::HostPath { path, path_span } => {
            assert_eq!(&CONFIG[path_span.clone()], format!("\"{path}\""));
            path.clone()
        }
        k => panic!("{k:?}"),
    };
    assert_eq!(host_path("/var/run/docker.sock"), "/var/run/docker.sock");
    assert_eq!(host_path("/srv/data"), "/srv/data");
    let mount = |t: &str| p.mounts.iter().find(|m| m.target == t).unwrap();
    assert!(!mount("/var/run/docker.sock").read_only.value);
    assert!(mount("/data").read_only.value);
    assert_eq!(at(CONFIG, &mount("/data").read_only), "\"ro\"");
    assert_eq!(w.volume(&mount("/tmp").volume).unwrap().kind, VolumeKind::Tmpfs);
    assert_eq!(w.volume("server:/export").unwrap().kind, VolumeKind::Other("nfs".into()));

    // Namespaces: joining PID 1's network namespace is the host's; pid, ipc, uts missing.
    assert!(w.host_network.value);
    assert_eq!(at(CONFIG, &w.host_network), "\"/proc/1/ns/net\"");
    assert!(w.host_pid.value && w.host_ipc.value && w.host_uts.value);
    assert_eq!(w.host_pid.origin, Origin::Runtime);
    assert!(!w.host_mount.value && !w.host_cgroup.value);
    assert_eq!(w.host_users.value, Some(false));

    // SCMP_ACT_ALLOW with only logging rules filters nothing.
    assert_eq!(p.seccomp.value, Seccomp::Unconfined);
    assert_eq!(at(CONFIG, &p.seccomp), "\"SCMP_ACT_ALLOW\"");
    // An empty maskedPaths unmasks /proc.
    assert_eq!(p.proc_mount.value.as_deref(), Some("Unmasked"));
    assert_eq!(at(CONFIG, &p.proc_mount), "[]");

    let r = &p.resources;
    let v = |s: &Option<Setting<String>>| s.as_ref().map(|s| s.value.clone());
    assert_eq!(v(&r.memory_limit).as_deref(), Some("536870912"));
    assert_eq!(r.memory_request, None);
    assert_eq!(v(&r.cpu_limit).as_deref(), Some("50000"));
    assert_eq!(v(&r.cpu_request).as_deref(), Some("512"));
    assert_eq!(v(&r.pids_limit).as_deref(), Some("64"));
    assert_eq!(p.devices[0].value, "/dev/fuse");
    assert_eq!(w.sysctls[0].0.value, "net.ipv4.ip_forward");
    assert_eq!(w.sysctls[0].1.value, "1");
    assert_eq!(w.annotations[0].0, "org.example/owner");
}

#[test]
fn seccomp_profiles() {
    let seccomp = |json: &str| {
        let text = format!("{{\"ociVersion\": \"1.0.0\", \"linux\": {{\"seccomp\": {json}}}}}");
        load(&text).unwrap().containers[0].seccomp.value.clone()
    };
    assert_eq!(seccomp("{\"defaultAction\": \"SCMP_ACT_ERRNO\"}"), Seccomp::Localhost("config.json".into()));
    assert_eq!(
        seccomp(
            "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"
        ),
        Seccomp::Localhost("config.json".into())
    );
    assert_eq!(seccomp("{\"defaultAction\": \"SCMP_ACT_LOG\"}"), Seccomp::Unconfined);
    assert_eq!(seccomp("null"), Seccomp::Unconfined);
}

#[test]
fn minimal_config() {
    let text = "{\"ociVersion\": \"1.0.0\"}";
    let w = load(text).unwrap();
    let p = &w.containers[0];
    // No process: runc's zero values. No linux section: every host namespace.
    assert_eq!(p.run_as_user, Setting::runtime(Some(0)));
    assert_eq!(p.run_as_non_root, Setting::runtime(Some(false)));
    assert_eq!(p.allow_privilege_escalation, Setting::runtime(Some(true)));
    assert!(p.capabilities_add.is_empty());
    assert_eq!(p.capabilities_drop, vec![Setting::runtime("ALL".to_string())]);
    assert_eq!(p.proc_mount, Setting::runtime(Some("Unmasked".to_string())));
    assert!(w.host_network.value && w.host_pid.value && w.host_ipc.value && w.host_mount.value);
    assert_eq!(w.anchor, w.span);
    assert_eq!(p.anchor, w.span);
    // Not a runtime configuration.
    assert!(load("{\"process\": {}}").is_none());
    assert!(load("- a\n- b\n").is_none());
}

#[test]
fn hostile_input_does_not_panic() {
    for text in [
        "{\"ociVersion\": null, \"process\": 3, \"linux\": []}",
        "{\"ociVersion\": \"1\", \"process\": {\"user\": 1, \"capabilities\": [], \"env\": [1, \"=\", \"é=ü\"], \"rlimits\": [{}], \"selinuxLabel\": \"::::::\"}, \"mounts\": [1, {}, {\"options\": \"ro\"}], \"linux\": {\"namespaces\": [1, {\"type\": 2}], \"uidMappings\": [{\"containerID\": 9223372036854775807, \"hostID\": -9223372036854775807, \"size\": 9223372036854775807}], \"seccomp\": {\"syscalls\": 3}, \"resources\": {\"memory\": 1}}}",
        "{\"ociVersion\": \"1\", \"process\": {\"user\": {\"uid\": -9223372036854775807}}, \"linux\": {\"uidMappings\": [{\"containerID\": 9223372036854775807, \"hostID\": 0, \"size\": 1}]}}",
    ] {
        let _ = load(text);
    }
}

#[test]
fn runtime_managed_binds_are_not_host_paths() {
    let id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let text = format!(
        r#"{{"ociVersion": "1.0.2", "mounts": [
  {{"destination": "/etc/resolv.conf", "type": "bind", "source": "/var/lib/docker/containers/{id}/resolv.conf", "options": ["rbind"]}},
  {{"destination": "/etc/hosts", "type": "bind", "source": "/data/docker/containers/{id}/hosts", "options": ["rbind"]}},
  {{"destination": "/var/run/secrets/kubernetes.io/serviceaccount", "type": "bind", "source": "/var/lib/kubelet/pods/2c7d1f0e-8a4b-4c3d-9e2f-1a2b3c4d5e6f/volumes/kubernetes.io~projected/kube-api-access-x", "options": ["rbind", "ro"]}},
  {{"destination": "/etc/hostname", "type": "bind", "source": "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/{id}/hostname", "options": ["rbind"]}},
  {{"destination": "/run/.containerenv", "type": "bind", "source": "/run/containers/storage/overlay-containers/{id}/userdata/.containerenv", "options": ["bind"]}},
  {{"destination": "/data", "type": "bind", "source": "/var/lib/docker/volumes/pgdata/_data", "options": ["rbind"]}},
  {{"destination": "/logs", "type": "bind", "source": "/var/lib/docker/containers", "options": ["rbind"]}},
  {{"destination": "/c", "type": "bind", "source": "/var/lib/docker/containers/{id}", "options": ["rbind"]}},
  {{"destination": "/up", "type": "bind", "source": "/var/lib/docker/containers/{id}/../../../../etc", "options": ["rbind"]}},
  {{"destination": "/sock", "type": "bind", "source": "/var/run/docker.sock", "options": ["rbind"]}}
]}}"#
    );
    let w = load(&text).unwrap();
    let kinds: Vec<(&str, bool)> =
        w.volumes.iter().map(|v| (v.name.as_str(), matches!(v.kind, VolumeKind::HostPath { .. }))).collect();
    let host: Vec<&str> = kinds.iter().filter(|(_, h)| *h).map(|(n, _)| *n).collect();
    assert_eq!(kinds.len(), 10);
    assert_eq!(
        host,
        [
            "/var/lib/docker/containers",
            &format!("/var/lib/docker/containers/{id}"),
            &format!("/var/lib/docker/containers/{id}/../../../../etc"),
            "/var/run/docker.sock"
        ]
    );
    assert_eq!(w.containers[0].mounts.len(), 10);
}

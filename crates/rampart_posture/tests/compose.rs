use rampart_posture::compose::{literal, workloads};
use rampart_posture::{
    AppArmor, ContainerPosture, ContainerRole, Format, Origin, Seccomp, Setting, VolumeKind, Workload,
};

fn load(text: &str) -> Vec<Workload> {
    rampart_yaml::parse_stream(text).into_iter().flat_map(|d| workloads(&d.unwrap().root)).collect()
}

fn service<'a>(ws: &'a [Workload], name: &str) -> (&'a Workload, &'a ContainerPosture) {
    let w = ws.iter().find(|w| w.name == name).unwrap_or_else(|| panic!("no service {name}"));
    (w, &w.containers[0])
}

/// The text a setting is written at.
fn at<'t, T>(text: &'t str, s: &Setting<T>) -> &'t str {
    let span = s.span().expect("written");
    &text[span]
}

const FILE: &str = r#"name: shop
x-logging: &logging
  security_opt:
    - no-new-privileges:true
services:
  web:
    image: nginx:1.27@sha256:0123
    user: "1000:2000"
    privileged: true
    read_only: true
    cap_add: [cap_net_admin, SYS_TIME]
    cap_drop:
      - ALL
    security_opt:
      - seccomp:unconfined
      - apparmor=unconfined
      - label:type:svirt_apache_t
      - label=level:s0:c100,c200
      - no-new-privileges
      - systempaths=unconfined
    network_mode: host
    pid: host
    ipc: host
    userns_mode: host
    uts: host
    cgroup: host
    ports:
      - "127.0.0.1:8080:80/tcp"
      - target: 443
        published: 8443
        mode: host
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - ./conf:/etc/nginx/conf.d:ro
      - data:/var/lib/data:rw
      - /cache
      - type: bind
        source: ~/certs
        target: /certs
        read_only: true
      - type: tmpfs
        target: /scratch
    tmpfs:
      - /run:size=64m
    devices:
      - /dev/fuse:/dev/fuse:rwm
    sysctls:
      - net.core.somaxconn=1024
    ulimits:
      nproc: 512
      nofile: {soft: 1024, hard: 2048}
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 256M, pids: 100}
        reservations: {cpus: "0.25", memory: 128M}
    environment:
      - MODE=production
      - API_TOKEN=${TOKEN}
      - PRICE=$$5
      - FROM_SHELL
    env_file: .env
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost"]
      interval: 30s
    labels:
      tier: front
    extra_hosts: ["db:10.0.0.2"]
  api:
    <<: *logging
    build: .
    user: root
    mem_limit: 512m
    mem_reservation: 256m
    cpus: 1.5
    pids_limit: -1
    security_opt:
      seccomp: /etc/docker/seccomp.json
      apparmor: docker-default
      label: disable
    sysctls:
      net.ipv4.ip_forward: 1
    environment:
      DEBUG: "false"
      SECRET: ${SECRET:-x}
      EMPTY:
    healthcheck:
      test: ["NONE"]
  worker:
    image: worker:2
    user: app
    volumes:
      - logs:/logs
    healthcheck:
      disable: true
  x-not-a-service:
    image: nope
volumes:
  data: {}
  logs:
    driver: local
    driver_opts: {type: none, o: bind, device: /srv/logs}
"#;

#[test]
fn one_workload_per_service() {
    let ws = load(FILE);
    let names: Vec<&str> = ws.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["web", "api", "worker"]);
    for w in &ws {
        assert_eq!(w.format, Format::Compose);
        assert_eq!(w.kind, "service");
        assert_eq!(w.containers.len(), 1);
        assert_eq!(w.containers[0].role, ContainerRole::Service);
        assert_eq!(&FILE[w.anchor.clone()], w.name);
        assert_eq!(w.automount_service_account_token.value, Some(false));
    }
    assert_eq!(ws[0].describe(), "service `web`");
}

#[test]
fn user_privileges_and_capabilities() {
    let ws = load(FILE);
    let (_, web) = service(&ws, "web");
    assert_eq!(web.image.as_ref().unwrap().value, "nginx:1.27@sha256:0123");
    assert_eq!(web.run_as_user.value, Some(1000));
    assert_eq!(at(FILE, &web.run_as_user), "1000");
    assert_eq!(web.run_as_group.value, Some(2000));
    assert_eq!(at(FILE, &web.run_as_group), "2000");
    assert_eq!(web.run_as_non_root.value, Some(true));
    assert_eq!(at(FILE, &web.run_as_non_root), "\"1000:2000\"");
    assert!(web.user_name.is_none());
    assert!(web.privileged.value);
    assert_eq!(at(FILE, &web.privileged), "true");
    assert_eq!(web.read_only_root_filesystem.value, Some(true));
    let add: Vec<&str> = web.capabilities_add.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(add, ["NET_ADMIN", "SYS_TIME"]);
    assert_eq!(at(FILE, &web.capabilities_add[0]), "cap_net_admin");
    assert_eq!(web.capabilities_drop[0].value, "ALL");

    let (_, api) = service(&ws, "api");
    assert_eq!(api.run_as_user.value, Some(0));
    assert_eq!(api.run_as_non_root.value, Some(false));
    assert!(api.run_as_non_root.is_explicit());
    assert_eq!(api.user_name.as_ref().unwrap().value, "root");
    assert!(api.image.is_none());
    assert!(!api.privileged.value);
    assert_eq!(api.privileged.origin, Origin::Runtime);
    assert_eq!(api.read_only_root_filesystem.value, None);

    let (_, worker) = service(&ws, "worker");
    assert_eq!(worker.user_name.as_ref().unwrap().value, "app");
    assert_eq!(worker.run_as_user.value, None);
    assert!(worker.run_as_user.is_explicit());
    assert_eq!(worker.run_as_non_root.value, None);
}

#[test]
fn unset_user_is_the_image_s() {
    let ws = load("services:\n  s:\n    image: x\n");
    let (w, c) = service(&ws, "s");
    assert_eq!(c.run_as_user.origin, Origin::Image);
    assert_eq!(c.run_as_non_root, Setting::runtime(None));
    assert!(c.user_name.is_none());
    // Docker's defaults.
    assert_eq!(c.seccomp, Setting::runtime(Seccomp::RuntimeDefault));
    assert_eq!(c.apparmor, Setting::runtime(AppArmor::RuntimeDefault));
    assert_eq!(c.allow_privilege_escalation, Setting::runtime(None));
    assert_eq!(c.proc_mount, Setting::runtime(None));
    assert!(!w.host_network.value && !w.host_pid.value && !w.host_ipc.value);
    assert_eq!(w.host_users, Setting::runtime(None));
    assert!(c.probes.liveness.is_none());
    assert!(c.mounts.is_empty() && w.volumes.is_empty());
}

#[test]
fn numeric_and_interpolated_users() {
    let ws = load(
        "services:\n  a: {image: x, user: 0}\n  b: {image: x, user: \"0:0\"}\n  c: {image: x, user: '${UID}:${GID}'}\n  d: {image: x, user: 65532}\n  e: {image: x, user: 'app:1000'}\n",
    );
    let u = |n: &str| service(&ws, n).1;
    assert_eq!((u("a").run_as_user.value, u("a").run_as_non_root.value), (Some(0), Some(false)));
    assert_eq!((u("b").run_as_user.value, u("b").run_as_group.value), (Some(0), Some(0)));
    assert_eq!(u("c").run_as_user.value, None);
    assert!(u("c").run_as_user.is_explicit());
    assert!(u("c").user_name.is_none());
    assert_eq!((u("d").run_as_user.value, u("d").run_as_non_root.value), (Some(65532), Some(true)));
    assert_eq!(u("e").user_name.as_ref().unwrap().value, "app");
    assert_eq!(u("e").run_as_group.value, Some(1000));
}

#[test]
fn security_options_list_form() {
    let ws = load(FILE);
    let (_, web) = service(&ws, "web");
    assert_eq!(web.seccomp.value, Seccomp::Unconfined);
    assert_eq!(at(FILE, &web.seccomp), "seccomp:unconfined");
    assert_eq!(web.apparmor.value, AppArmor::Unconfined);
    assert_eq!(at(FILE, &web.apparmor), "apparmor=unconfined");
    assert_eq!(web.selinux.type_.as_ref().unwrap().value, "svirt_apache_t");
    assert_eq!(web.selinux.level.as_ref().unwrap().value, "s0:c100,c200");
    assert!(web.selinux.disabled.is_none());
    assert_eq!(web.allow_privilege_escalation.value, Some(false));
    assert_eq!(at(FILE, &web.allow_privilege_escalation), "no-new-privileges");
    assert_eq!(web.proc_mount.value.as_deref(), Some("Unmasked"));
    assert_eq!(at(FILE, &web.proc_mount), "systempaths=unconfined");
    assert!(web.security_context.is_some());
}

#[test]
fn security_options_map_form_and_merge_keys() {
    let ws = load(FILE);
    let (_, api) = service(&ws, "api");
    assert_eq!(api.seccomp.value, Seccomp::Localhost("/etc/docker/seccomp.json".into()));
    assert_eq!(api.apparmor.value, AppArmor::RuntimeDefault);
    assert!(api.apparmor.is_explicit());
    let disabled = api.selinux.disabled.clone().unwrap();
    assert_eq!(&FILE[disabled], "label: disable");
    // `security_opt` written in the service wins over the merged `x-logging` one.
    assert_eq!(api.allow_privilege_escalation, Setting::runtime(None));
    // A service that only merges it gets it, pointing at the anchor's definition.
    let text = "x-sec: &sec\n  security_opt: [\"no-new-privileges=true\", \"seccomp=unconfined\"]\nservices:\n  s:\n    <<: *sec\n    image: x\n";
    let ws = load(text);
    let (_, s) = service(&ws, "s");
    assert_eq!(s.allow_privilege_escalation.value, Some(false));
    assert_eq!(at(text, &s.allow_privilege_escalation), "\"no-new-privileges=true\"");
    assert_eq!(s.seccomp.value, Seccomp::Unconfined);
    let text = "services:\n  s:\n    image: x\n    security_opt: [\"no-new-privileges:false\", \"seccomp:builtin\"]\n";
    let ws = load(text);
    let (_, s) = service(&ws, "s");
    assert_eq!(s.allow_privilege_escalation.value, Some(true));
    assert_eq!(s.seccomp.value, Seccomp::RuntimeDefault);
    assert!(s.seccomp.is_explicit());
}

#[test]
fn host_namespaces() {
    let ws = load(FILE);
    let (w, _) = service(&ws, "web");
    for (s, text) in [
        (&w.host_network, "host"),
        (&w.host_pid, "host"),
        (&w.host_ipc, "host"),
        (&w.host_uts, "host"),
        (&w.host_cgroup, "host"),
    ] {
        assert!(s.value);
        assert_eq!(at(FILE, s), text);
    }
    assert_eq!(w.host_users.value, Some(true));
    assert!(!w.host_mount.value);
    let ws = load("services:\n  s: {image: x, network_mode: \"service:db\", pid: \"container:abc\", ipc: shareable}\n");
    let (w, _) = service(&ws, "s");
    assert!(!w.host_network.value && w.host_network.is_explicit());
    assert!(!w.host_pid.value && !w.host_ipc.value);
}

#[test]
fn volumes_short_and_long() {
    let ws = load(FILE);
    let (w, web) = service(&ws, "web");
    let volume = |name: &str| w.volume(name).unwrap_or_else(|| panic!("no volume {name}"));
    let host_path = |name: &str| match &volume(name).kind {
        VolumeKind::HostPath { path, path_span } => {
            assert_eq!(&FILE[path_span.clone()], path);
            path.clone()
        }
        k => panic!("{name}: {k:?}"),
    };
    assert_eq!(host_path("/var/run/docker.sock"), "/var/run/docker.sock");
    assert_eq!(host_path("./conf"), "./conf");
    assert_eq!(host_path("~/certs"), "~/certs");
    assert_eq!(volume("data").kind, VolumeKind::Named);
    assert_eq!(volume("anonymous:/cache").kind, VolumeKind::Named);
    assert_eq!(volume("tmpfs:/scratch").kind, VolumeKind::Tmpfs);
    assert_eq!(volume("tmpfs:/run").kind, VolumeKind::Tmpfs);
    let mount = |target: &str| web.mounts.iter().find(|m| m.target == target).unwrap();
    assert_eq!(mount("/var/run/docker.sock").volume, "/var/run/docker.sock");
    assert_eq!(mount("/var/run/docker.sock").read_only, Setting::runtime(false));
    assert!(mount("/etc/nginx/conf.d").read_only.value);
    assert_eq!(at(FILE, &mount("/etc/nginx/conf.d").read_only), "ro");
    assert!(!mount("/var/lib/data").read_only.value && mount("/var/lib/data").read_only.is_explicit());
    assert!(mount("/certs").read_only.value);
    assert_eq!(mount("/run").volume, "tmpfs:/run");
    assert_eq!(web.mounts.len(), 7);

    // A named volume whose definition binds a host directory is a host path.
    let (w, worker) = service(&ws, "worker");
    assert!(matches!(&w.volume("logs").unwrap().kind, VolumeKind::HostPath { path, .. } if path == "/srv/logs"));
    assert_eq!(worker.mounts[0].volume, "logs");
}

#[test]
fn devices_sysctls_ulimits() {
    let ws = load(FILE);
    let (w, web) = service(&ws, "web");
    assert_eq!(web.devices[0].value, "/dev/fuse");
    assert_eq!(at(FILE, &web.devices[0]), "/dev/fuse");
    let (name, value) = &w.sysctls[0];
    assert_eq!((name.value.as_str(), value.value.as_str()), ("net.core.somaxconn", "1024"));
    assert_eq!(at(FILE, name), "net.core.somaxconn");
    assert_eq!(at(FILE, value), "1024");
    let nproc = web.ulimits.iter().find(|u| u.name == "nproc").unwrap();
    assert_eq!((nproc.soft, nproc.hard), (Some(512), Some(512)));
    let nofile = web.ulimits.iter().find(|u| u.name == "nofile").unwrap();
    assert_eq!((nofile.soft, nofile.hard), (Some(1024), Some(2048)));
    let (w, _) = service(&ws, "api");
    assert_eq!(w.sysctls[0].0.value, "net.ipv4.ip_forward");
    assert_eq!(w.sysctls[0].1.value, "1");
}

#[test]
fn resources_deploy_and_service_level() {
    let ws = load(FILE);
    let (_, web) = service(&ws, "web");
    let r = &web.resources;
    let v = |s: &Option<Setting<String>>| s.as_ref().map(|s| s.value.clone());
    assert_eq!(v(&r.cpu_limit).as_deref(), Some("0.5"));
    assert_eq!(v(&r.memory_limit).as_deref(), Some("256M"));
    assert_eq!(v(&r.pids_limit).as_deref(), Some("100"));
    assert_eq!(v(&r.cpu_request).as_deref(), Some("0.25"));
    assert_eq!(v(&r.memory_request).as_deref(), Some("128M"));
    let (_, api) = service(&ws, "api");
    let r = &api.resources;
    assert_eq!(v(&r.memory_limit).as_deref(), Some("512m"));
    assert_eq!(v(&r.memory_request).as_deref(), Some("256m"));
    assert_eq!(v(&r.cpu_limit).as_deref(), Some("1.5"));
    // -1: unlimited.
    assert_eq!(r.pids_limit, None);
}

#[test]
fn environment_both_forms() {
    let ws = load(FILE);
    let (_, web) = service(&ws, "web");
    let var = |c: &ContainerPosture, n: &str| c.env.iter().find(|e| e.name == n).cloned().unwrap();
    let mode = var(web, "MODE");
    assert_eq!(&FILE[mode.name_span.clone()], "MODE");
    assert_eq!(mode.value.as_ref().unwrap().value, "production");
    assert_eq!(at(FILE, mode.value.as_ref().unwrap()), "production");
    assert_eq!(var(web, "API_TOKEN").value, None);
    assert_eq!(var(web, "PRICE").value.unwrap().value, "$5");
    assert_eq!(var(web, "FROM_SHELL").value, None);
    let (_, api) = service(&ws, "api");
    assert_eq!(var(api, "DEBUG").value.unwrap().value, "false");
    assert_eq!(var(api, "SECRET").value, None);
    assert_eq!(var(api, "EMPTY").value, None);
    assert_eq!(literal("a$$b"), Some("a$b".into()));
    assert_eq!(literal("$HOME/x"), None);
    assert_eq!(literal("cost: 5$"), Some("cost: 5$".into()));
}

#[test]
fn healthcheck_ports_labels() {
    let ws = load(FILE);
    let (w, web) = service(&ws, "web");
    assert!(FILE[web.probes.liveness.clone().unwrap()].starts_with("test:"));
    assert!(service(&ws, "api").1.probes.liveness.is_none());
    assert!(service(&ws, "worker").1.probes.liveness.is_none());
    let ports: Vec<Option<i64>> = web.ports.iter().map(|p| p.container_port).collect();
    assert_eq!(ports, [Some(80), Some(443)]);
    // Published ports are not host ports of the Kubernetes kind.
    assert!(web.ports.iter().all(|p| p.host_port.is_none()));
    assert_eq!(w.labels[0].0, "tier");
    assert_eq!(w.labels[0].1.value, "front");
    assert!(w.host_aliases.is_some());
}

#[test]
fn extends_in_the_same_file() {
    let text = "services:\n  base:\n    image: app:1\n    privileged: true\n    cap_add: [SYS_ADMIN]\n    environment: {A: \"1\", B: \"2\"}\n  child:\n    extends: base\n    cap_add: [NET_ADMIN]\n    environment: {B: \"3\"}\n  other:\n    extends: {service: child}\n    privileged: false\n  remote:\n    extends: {file: common.yml, service: base}\n    image: r\n  loop1: {extends: loop2, image: a}\n  loop2: {extends: loop1}\n";
    let ws = load(text);
    let (_, child) = service(&ws, "child");
    assert!(child.privileged.value);
    assert_eq!(child.image.as_ref().unwrap().value, "app:1");
    let caps: Vec<&str> = child.capabilities_add.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(caps, ["NET_ADMIN", "SYS_ADMIN"]);
    let env: Vec<(&str, &str)> =
        child.env.iter().map(|e| (e.name.as_str(), e.value.as_ref().unwrap().value.as_str())).collect();
    assert_eq!(env, [("B", "3"), ("A", "1")]);
    let (_, other) = service(&ws, "other");
    assert!(!other.privileged.value);
    assert_eq!(other.capabilities_add.len(), 2);
    let (_, remote) = service(&ws, "remote");
    assert!(!remote.privileged.value);
    assert_eq!(service(&ws, "loop2").1.image.as_ref().unwrap().value, "a");
}

#[test]
fn hostile_input_does_not_panic() {
    for text in [
        "services:\n",
        "services: []\n",
        "services: {a: null, b: [], c: 3}\n",
        "services:\n  s:\n    user: {}\n    volumes: [{}, 3, \"::\", \":\", \"a:b:c:d:e\"]\n    security_opt: [\":\", \"=\", label]\n    ports: [{}, \"x:y\"]\n    tmpfs: {}\n    devices: [{}, \"\"]\n    ulimits: [1]\n    healthcheck: {test: []}\n",
        "services:\n  s:\n    user: \"é:ü\"\n    volumes: [\"é:/ü:ro\"]\n    environment: [\"=\", \"é=ü\"]\n    sysctls: [\"=x\"]\n",
        "services:\n  s:\n    image: x\n    volumes:\n      - \"C:\\\\data:/data:ro\"\n",
    ] {
        let _ = load(text);
    }
}

#[test]
fn quoted_booleans_and_aliased_services() {
    let text = "x-svc: &svc\n  image: x\n  privileged: \"true\"\n  read_only: 'false'\nservices:\n  a: *svc\n  b:\n    <<: *svc\n    privileged: false\n";
    let ws = load(text);
    let (a_w, a) = service(&ws, "a");
    assert!(a.privileged.value);
    assert_eq!(at(text, &a.privileged), "\"true\"");
    assert_eq!(a.read_only_root_filesystem.value, Some(false));
    // A service written as an alias is where its name is.
    assert_eq!(&text[a_w.span.clone()], "a");
    let (_, b) = service(&ws, "b");
    assert!(!b.privileged.value && b.privileged.is_explicit());
}

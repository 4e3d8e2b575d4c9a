use rampart_posture::kubernetes::workloads;
use rampart_posture::{AppArmor, ContainerRole, Origin, Seccomp, VolumeKind};

fn load(text: &str) -> Vec<rampart_posture::Workload> {
    rampart_yaml::parse_stream(text).into_iter().flat_map(|d| workloads(&d.unwrap().root)).collect()
}

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: localhost/k8s-apparmor
    spec:
      hostNetwork: true
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile:
          type: RuntimeDefault
      initContainers:
        - name: init
          image: busybox:1.36
          securityContext:
            runAsNonRoot: false
      containers:
        - name: app
          image: nginx:1.27
          ports:
            - containerPort: 80
              hostPort: 8080
          securityContext:
            capabilities:
              drop: ["ALL"]
              add: [cap_net_bind_service]
          volumeMounts:
            - name: docker
              mountPath: /var/run/docker.sock
      volumes:
        - name: docker
          hostPath:
            path: /var/run/docker.sock
"#;

#[test]
fn pod_level_settings_are_inherited_and_overridden() {
    let w = &load(DEPLOYMENT)[0];
    assert_eq!(w.kind, "Deployment");
    assert_eq!(w.name, "web");
    assert_eq!(w.namespace.as_ref().unwrap().value, "shop");
    assert!(w.host_network.value && w.host_network.is_explicit());
    let init = &w.containers[0];
    let app = &w.containers[1];
    assert_eq!(init.role, ContainerRole::Init);
    // A container-level false beats the pod-level true.
    assert_eq!(init.run_as_non_root.value, Some(false));
    assert!(init.run_as_non_root.is_explicit());
    assert_eq!(app.run_as_non_root.value, Some(true));
    assert!(matches!(app.run_as_non_root.origin, Origin::Inherited(_)));
    assert_eq!(app.run_as_user.value, Some(1000));
    assert_eq!(app.seccomp.value, Seccomp::RuntimeDefault);
    assert_eq!(app.capabilities_add[0].value, "NET_BIND_SERVICE");
    assert_eq!(app.capabilities_drop[0].value, "ALL");
    assert_eq!(app.apparmor.value, AppArmor::Localhost("k8s-apparmor".into()));
    assert_eq!(init.apparmor.value, AppArmor::RuntimeDefault);
    assert_eq!(init.apparmor.origin, Origin::Runtime);
    assert_eq!(app.ports[0].host_port.as_ref().unwrap().value, 8080);
    assert!(matches!(&w.volumes[0].kind, VolumeKind::HostPath { path, .. } if path == "/var/run/docker.sock"));
    assert_eq!(app.mounts[0].volume, "docker");
}

#[test]
fn unset_settings_carry_the_kubelet_defaults() {
    let w =
        &load("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n")[0];
    let c = &w.containers[0];
    assert_eq!(c.seccomp.value, Seccomp::Unconfined);
    assert_eq!(c.seccomp.origin, Origin::Runtime);
    assert!(!c.privileged.value);
    assert_eq!(c.run_as_user.origin, Origin::Image);
    assert_eq!(c.allow_privilege_escalation.value, None);
}

#[test]
fn every_workload_kind_and_lists() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: batch/v1\n  kind: CronJob\n  metadata: {name: cj}\n  spec:\n    jobTemplate:\n      spec:\n        template:\n          spec:\n            containers: [{name: a, image: x}]\n- apiVersion: v1\n  kind: PodTemplate\n  metadata: {name: pt}\n  template:\n    spec:\n      ephemeralContainers: [{name: debug, image: busybox}]\n      containers: [{name: b, image: y}]\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n";
    let ws = load(text);
    assert_eq!(ws.len(), 2);
    assert_eq!(ws[0].kind, "CronJob");
    assert_eq!(ws[1].containers.len(), 2);
    assert!(ws[1].containers.iter().any(|c| c.role == ContainerRole::Ephemeral));
    for kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"] {
        let text = format!(
            "apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: x}}\nspec:\n  template:\n    spec:\n      containers: [{{name: c, image: i}}]\n"
        );
        assert_eq!(load(&text)[0].containers.len(), 1, "{kind}");
    }
}

#[test]
fn the_pod_os_is_read() {
    let pod = |os: &str| {
        load(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{os}  containers: [{{name: c, image: x}}]\n"
        ))
        .remove(0)
    };
    let windows = pod("  os:\n    name: windows\n");
    assert_eq!(windows.os.as_ref().map(|o| o.value.as_str()), Some("windows"));
    assert!(windows.is_windows());
    assert!(!pod("  os: {name: linux}\n").is_windows());
    assert!(!pod("  os: {name: Windows}\n").is_windows(), "the API only knows `windows`");
    assert!(pod("").os.is_none());
}

#[test]
fn an_unconfined_seccomp_annotation_counts_others_do_not() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n    container.seccomp.security.alpha.kubernetes.io/b: runtime/default\nspec:\n  containers:\n  - {name: a, image: x}\n  - {name: b, image: x}\n";
    let w = &load(text)[0];
    assert_eq!(w.containers[0].seccomp.value, Seccomp::Unconfined);
    assert!(w.containers[0].seccomp.is_explicit());
    // `b` names a profile by annotation: ignored by current clusters, so still the default.
    assert_eq!(w.containers[1].seccomp.origin, Origin::Runtime);
}

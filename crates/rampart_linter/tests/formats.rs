//! One rule, three formats: a posture rule written once against the posture model reports
//! the same problem in a Kubernetes Deployment, a Compose service and an OCI runtime
//! `config.json`, each finding at the exact line of its file — or, for a setting the file
//! lacks, at the object that lacks it.
//!
//! Each row of [`CASES`] is one rule and, per format, the file and where its findings must
//! point (the line, and the text under the span), or why the format cannot express the
//! problem. Every rule of the table must also report nothing on the hardened examples and
//! something on the insecure ones (under `examples/`), but for the few problems those do not
//! show. Every posture rule has a row; `every_posture_rule_has_a_row` checks it.

use std::path::Path;

use rampart_linter::recognize::{self, FileKind};
use rampart_linter::{Finding, Linter, Settings};

/// What a rule reports in one format.
enum Expect {
    /// The file, and for each finding in order: its line (trimmed) and the text under its span.
    Finds(&'static str, &'static [(&'static str, &'static str)]),
    /// The format cannot express the problem: why, and a file with everything else wrong
    /// that must give no finding.
    NotApplicable(&'static str, &'static str),
}

struct Case {
    rule: &'static str,
    kubernetes: Expect,
    compose: Expect,
    oci: Expect,
}

/// A Kubernetes Deployment whose one container has `$extra` at the container's indentation.
macro_rules! deployment {
    ($extra:literal) => {
        concat!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example.com/app:1.4.2\n",
            $extra
        )
    };
}

const CASES: &[Case] = &[
    Case {
        rule: "KS001",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.4.2
          securityContext:
            privileged: true
",
            &[("privileged: true", "true")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    privileged: true
",
            &[("privileged: true", "true")],
        ),
        oci: Expect::NotApplicable(
            "an OCI config has no privileged flag: what privileged means (every capability, no \
             seccomp, every device, unmasked /proc, writable /sys) is written field by field, and \
             the rules about each field report it",
            OCI_WIDE_OPEN,
        ),
    },
    Case {
        rule: "KS002",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      hostNetwork: true
      hostPID: true
      hostIPC: true
      containers:
        - name: app
          image: registry.example.com/app:1.4.2
",
            &[("hostNetwork: true", "true"), ("hostPID: true", "true"), ("hostIPC: true", "true")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    network_mode: host
    pid: host
    ipc: \"host\"
",
            &[("network_mode: host", "host"), ("pid: host", "host"), ("ipc: \"host\"", "\"host\"")],
        ),
        // No `network`, `pid` or `ipc` namespace: the process shares the host's; the
        // namespace list lacks them.
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {"user": {"uid": 1000, "gid": 1000}, "args": ["/app"]},
  "root": {"path": "rootfs", "readonly": true},
  "linux": {
    "namespaces": [
      {"type": "mount"},
      {"type": "uts"}
    ]
  }
}"#,
            &[
                (r#""namespaces": ["#, r#""namespaces""#),
                (r#""namespaces": ["#, r#""namespaces""#),
                (r#""namespaces": ["#, r#""namespaces""#),
            ],
        ),
    },
    Case {
        rule: "KS003",
        kubernetes: Expect::Finds(
            deployment!("      volumes:\n        - name: data\n          hostPath:\n            path: /srv/data\n"),
            &[("hostPath:", "hostPath")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    volumes:
      - /srv/data:/data:ro
",
            &[("- /srv/data:/data:ro", "/srv/data")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "mounts": [
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"]}
  ]
}"#,
            &[(
                r#"{"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"]}"#,
                r#""/srv/data""#,
            )],
        ),
    },
    Case {
        rule: "KS004",
        kubernetes: Expect::Finds(
            deployment!("          ports:\n            - containerPort: 8080\n              hostPort: 8080\n"),
            &[("hostPort: 8080", "8080")],
        ),
        compose: Expect::NotApplicable(
            "publishing a port is how Compose exposes a service (there is no Service to use \
             instead): Docker forwards it through its proxy and NAT, the container keeps its own \
             network namespace",
            COMPOSE_WIDE_OPEN,
        ),
        oci: Expect::NotApplicable(
            "an OCI config has no ports: whoever creates its network namespace wires them",
            OCI_WIDE_OPEN,
        ),
    },
    Case {
        rule: "KS005",
        kubernetes: Expect::Finds(
            "apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  securityContext:
    windowsOptions:
      hostProcess: true
  hostNetwork: true
  containers:
    - name: agent
      image: registry.example.com/agent:2.0.1
",
            &[("hostProcess: true", "true")],
        ),
        compose: Expect::NotApplicable(
            "Windows HostProcess containers are a Kubernetes feature; Compose has no equivalent",
            COMPOSE_WIDE_OPEN,
        ),
        oci: Expect::NotApplicable(
            "Windows HostProcess containers are a Kubernetes feature; the OCI `windows` section \
             has no equivalent, and rampart reads Linux configs",
            OCI_WIDE_OPEN,
        ),
    },
    Case {
        rule: "KS006",
        kubernetes: Expect::Finds(
            deployment!("          securityContext:\n            capabilities:\n              add: [SYS_TIME]\n"),
            &[("add: [SYS_TIME]", "SYS_TIME")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    cap_add: [SYS_TIME]
",
            &[("cap_add: [SYS_TIME]", "SYS_TIME")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {
    "capabilities": {"bounding": ["CAP_CHOWN", "CAP_SYS_TIME"], "permitted": ["CAP_CHOWN", "CAP_SYS_TIME"]}
  }
}"#,
            &[(
                r#""capabilities": {"bounding": ["CAP_CHOWN", "CAP_SYS_TIME"], "permitted": ["CAP_CHOWN", "CAP_SYS_TIME"]}"#,
                r#""CAP_SYS_TIME""#,
            )],
        ),
    },
    Case {
        rule: "KS007",
        kubernetes: Expect::Finds(
            deployment!("          securityContext:\n            procMount: Unmasked\n"),
            &[("procMount: Unmasked", "Unmasked")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    security_opt:
      - systempaths=unconfined
",
            &[("- systempaths=unconfined", "systempaths=unconfined")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": {
    "namespaces": [{"type": "mount"}],
    "maskedPaths": [],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}"#,
            &[(r#""maskedPaths": [],"#, "[]")],
        ),
    },
    Case {
        rule: "KS008",
        kubernetes: Expect::Finds(
            deployment!("          securityContext:\n            seLinuxOptions:\n              type: spc_t\n"),
            &[("type: spc_t", "spc_t")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    security_opt:
      - label=type:spc_t
",
            &[("- label=type:spc_t", "label=type:spc_t")],
        ),
        // A whole label: Docker's standard user and role are not findings, the type is.
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {"selinuxLabel": "system_u:system_r:spc_t:s0"}
}"#,
            &[(r#""process": {"selinuxLabel": "system_u:system_r:spc_t:s0"}"#, "spc_t")],
        ),
    },
    Case {
        rule: "KS009",
        kubernetes: Expect::Finds(
            deployment!("          securityContext:\n            appArmorProfile:\n              type: Unconfined\n"),
            &[("type: Unconfined", "Unconfined")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    security_opt: [\"apparmor=unconfined\"]
",
            &[("security_opt: [\"apparmor=unconfined\"]", "\"apparmor=unconfined\"")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {"apparmorProfile": "unconfined"}
}"#,
            &[(r#""process": {"apparmorProfile": "unconfined"}"#, r#""unconfined""#)],
        ),
    },
    Case {
        rule: "KS010",
        kubernetes: Expect::Finds(
            deployment!("          securityContext:\n            seccompProfile:\n              type: Unconfined\n"),
            &[("type: Unconfined", "Unconfined")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    security_opt:
      - seccomp:unconfined
",
            &[("- seccomp:unconfined", "seccomp:unconfined")],
        ),
        // A profile written out that filters nothing.
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "linux": {
    "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}
  }
}"#,
            &[(r#""seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}"#, r#""SCMP_ACT_ALLOW""#)],
        ),
    },
    Case {
        rule: "KS011",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        sysctls:
          - name: kernel.msgmax
            value: \"65536\"
      containers:
        - name: app
          image: registry.example.com/app:1.4.2
",
            &[("- name: kernel.msgmax", "kernel.msgmax")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    sysctls:
      kernel.msgmax: 65536
      net.ipv4.ip_unprivileged_port_start: 80
",
            &[("kernel.msgmax: 65536", "kernel.msgmax")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "linux": {
    "sysctl": {"kernel.msgmax": "65536", "net/ipv4/ip_unprivileged_port_start": "80"}
  }
}"#,
            &[(
                r#""sysctl": {"kernel.msgmax": "65536", "net/ipv4/ip_unprivileged_port_start": "80"}"#,
                r#""kernel.msgmax""#,
            )],
        ),
    },
    Case {
        rule: "KS012",
        kubernetes: Expect::Finds(
            deployment!(
                "      volumes:\n        - name: data\n          nfs:\n            server: nfs.example.com\n            path: /export\n"
            ),
            &[("nfs:", "nfs")],
        ),
        compose: Expect::NotApplicable(
            "Compose storage is bind mounts (KS003 reports them) and runtime-managed named \
             volumes, tmpfs, image and cluster mounts: no inline volume type to restrict",
            COMPOSE_WIDE_OPEN,
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "mounts": [
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"},
    {"destination": "/data", "type": "nfs", "source": "nfs.example.com:/export"}
  ]
}"#,
            &[(r#"{"destination": "/data", "type": "nfs", "source": "nfs.example.com:/export"}"#, r#""nfs""#)],
        ),
    },
    Case {
        rule: "KS013",
        kubernetes: Expect::Finds(
            deployment!("          securityContext:\n            allowPrivilegeEscalation: true\n"),
            &[("allowPrivilegeEscalation: true", "true")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
",
            &[("app:", "app")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {"noNewPrivileges": false}
}"#,
            &[(r#""process": {"noNewPrivileges": false}"#, "false")],
        ),
    },
    Case {
        rule: "KS014",
        kubernetes: Expect::Finds(
            deployment!("          securityContext:\n            runAsNonRoot: false\n"),
            &[("runAsNonRoot: false", "false")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    user: root
",
            &[("user: root", "root")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {"user": {"uid": 0, "gid": 0}}
}"#,
            &[(r#""process": {"user": {"uid": 0, "gid": 0}}"#, "0")],
        ),
    },
    Case {
        rule: "KS015",
        kubernetes: Expect::Finds(
            deployment!("          securityContext:\n            runAsUser: 0\n"),
            &[("runAsUser: 0", "0")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    user: \"0:0\"
",
            &[("user: \"0:0\"", "0")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {"user": {"uid": 0, "gid": 0}}
}"#,
            &[(r#""process": {"user": {"uid": 0, "gid": 0}}"#, "0")],
        ),
    },
    Case {
        rule: "KS016",
        // Neither the pod nor its container sets a profile: at the pod's `spec`.
        kubernetes: Expect::Finds(deployment!(""), &[("spec:", "spec")]),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    security_opt: [seccomp=unconfined]
",
            &[("security_opt: [seccomp=unconfined]", "seccomp=unconfined")],
        ),
        // No filter at all: at `linux`, where `seccomp` belongs.
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {"user": {"uid": 1000, "gid": 1000}},
  "linux": {
    "namespaces": [{"type": "pid"}]
  }
}"#,
            &[(r#""linux": {"#, r#""linux""#)],
        ),
    },
    Case {
        rule: "KS017",
        kubernetes: Expect::Finds(deployment!(""), &[("- name: app", "app")]),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    cap_drop: [NET_RAW]
",
            &[("cap_drop: [NET_RAW]", "NET_RAW")],
        ),
        oci: Expect::NotApplicable(
            "OCI capability sets are absolute: nothing is kept unless listed, so everything else \
             is always dropped; KS018 reports what is listed",
            OCI_WIDE_OPEN,
        ),
    },
    Case {
        rule: "KS018",
        kubernetes: Expect::Finds(
            deployment!(
                "          securityContext:\n            capabilities:\n              drop: [ALL]\n              add: [NET_BIND_SERVICE, KILL]\n"
            ),
            &[("add: [NET_BIND_SERVICE, KILL]", "KILL")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE, KILL]
",
            &[("cap_add: [NET_BIND_SERVICE, KILL]", "KILL")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {
    "capabilities": {"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"]}
  }
}"#,
            &[(r#""capabilities": {"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"]}"#, r#""CAP_KILL""#)],
        ),
    },
    Case {
        rule: "KS019",
        kubernetes: Expect::NotApplicable(
            "a pod spec has no field for host devices: device plugins allocate them outside it, \
             and a privileged container (KS001) gets them all",
            KUBERNETES_WIDE_OPEN,
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    devices:
      - /dev/kvm:/dev/kvm
      - /dev/null:/dev/null
",
            &[("- /dev/kvm:/dev/kvm", "/dev/kvm")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "linux": {
    "devices": [
      {"path": "/dev/null", "type": "c", "major": 1, "minor": 3},
      {"path": "/dev/kvm", "type": "c", "major": 10, "minor": 232}
    ]
  }
}"#,
            &[(r#"{"path": "/dev/kvm", "type": "c", "major": 10, "minor": 232}"#, r#""/dev/kvm""#)],
        ),
    },
    Case {
        rule: "KS020",
        kubernetes: Expect::Finds(deployment!(""), &[("- name: app", "app")]),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    read_only: false
",
            &[("read_only: false", "false")],
        ),
        // No `readonly`: at `root`, where it belongs.
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "root": {"path": "rootfs"}
}"#,
            &[(r#""root": {"path": "rootfs"}"#, r#""root""#)],
        ),
    },
    Case {
        rule: "KS021",
        kubernetes: Expect::Finds(
            deployment!("          resources:\n            limits: {memory: 256Mi}\n"),
            &[("- name: app", "app")],
        ),
        // Only the memory limit: reservations are the Kubernetes scheduler's business.
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    deploy:
      resources:
        reservations: {cpus: \"0.5\", memory: 128M}
",
            &[("app:", "app")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "linux": {
    "resources": {"pids": {"limit": 100}}
  }
}"#,
            &[(r#""resources": {"pids": {"limit": 100}}"#, r#""resources""#)],
        ),
    },
    Case {
        rule: "KS022",
        kubernetes: Expect::NotApplicable(
            "a pod spec cannot set a PID limit: the kubelet applies one to every pod \
             (`podPidsLimit`)",
            KUBERNETES_WIDE_OPEN,
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    pids_limit: -1
",
            &[("pids_limit: -1", "-1")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "linux": {
    "resources": {"memory": {"limit": 268435456}}
  }
}"#,
            &[(r#""resources": {"memory": {"limit": 268435456}}"#, r#""resources""#)],
        ),
    },
    Case {
        rule: "KS023",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/app:latest
",
            &[("image: registry.example.com/app:latest", "registry.example.com/app:latest")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app
",
            &[("image: registry.example.com/app", "registry.example.com/app")],
        ),
        oci: Expect::NotApplicable(IMAGELESS, OCI_WIDE_OPEN),
    },
    Case {
        rule: "KS024",
        kubernetes: Expect::Finds(
            deployment!(""),
            &[("image: registry.example.com/app:1.4.2", "registry.example.com/app:1.4.2")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
",
            &[("image: registry.example.com/app:1.4.2", "registry.example.com/app:1.4.2")],
        ),
        oci: Expect::NotApplicable(IMAGELESS, OCI_WIDE_OPEN),
    },
    Case {
        rule: "KS025",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: quay.io/example/app:1.4.2
",
            &[("image: quay.io/example/app:1.4.2", "quay.io/example/app:1.4.2")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: quay.io/example/app:1.4.2
",
            &[("image: quay.io/example/app:1.4.2", "quay.io/example/app:1.4.2")],
        ),
        oci: Expect::NotApplicable(IMAGELESS, OCI_WIDE_OPEN),
    },
    Case {
        rule: "KS026",
        kubernetes: Expect::Finds(
            deployment!(
                "      volumes:\n        - name: docker\n          hostPath:\n            path: /var/run/docker.sock\n"
            ),
            &[("path: /var/run/docker.sock", "/var/run/docker.sock")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
",
            &[("- /var/run/docker.sock:/var/run/docker.sock:ro", "/var/run/docker.sock")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "mounts": [
    {"destination": "/var/run/docker.sock", "type": "bind", "source": "/var/run/docker.sock", "options": ["rbind"]}
  ]
}"#,
            &[(
                r#"{"destination": "/var/run/docker.sock", "type": "bind", "source": "/var/run/docker.sock", "options": ["rbind"]}"#,
                r#""/var/run/docker.sock""#,
            )],
        ),
    },
    Case {
        rule: "KS027",
        kubernetes: Expect::Finds(
            deployment!("      volumes:\n        - name: etc\n          hostPath:\n            path: /etc\n"),
            &[("path: /etc", "/etc")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    volumes:
      - /etc:/host/etc:ro
",
            &[("- /etc:/host/etc:ro", "/etc")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "mounts": [
    {"destination": "/host/etc", "type": "bind", "source": "/etc", "options": ["rbind", "ro"]}
  ]
}"#,
            &[(
                r#"{"destination": "/host/etc", "type": "bind", "source": "/etc", "options": ["rbind", "ro"]}"#,
                r#""/etc""#,
            )],
        ),
    },
    Case {
        rule: "KS028",
        kubernetes: Expect::Finds(
            deployment!(
                "          volumeMounts:\n            - name: data\n              mountPath: /data\n      volumes:\n        - name: data\n          hostPath:\n            path: /srv/data\n"
            ),
            &[("mountPath: /data", "/data")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    volumes:
      - /srv/data:/data
",
            &[("- /srv/data:/data", "/srv/data:/data")],
        ),
        // No `ro`: at the mount's destination.
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "mounts": [
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind"]}
  ]
}"#,
            &[(
                r#"{"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind"]}"#,
                r#""/data""#,
            )],
        ),
    },
    Case {
        rule: "KS029",
        kubernetes: Expect::Finds(deployment!(""), &[("name: web", "web")]),
        compose: Expect::NotApplicable(NO_KUBERNETES_API, COMPOSE_WIDE_OPEN),
        oci: Expect::NotApplicable(NO_KUBERNETES_API, OCI_WIDE_OPEN),
    },
    Case {
        rule: "KS030",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.4.2
",
            &[("namespace: default", "default")],
        ),
        compose: Expect::NotApplicable("Compose has no namespaces: a project is its own", COMPOSE_WIDE_OPEN),
        oci: Expect::NotApplicable("an OCI bundle belongs to no namespace", OCI_WIDE_OPEN),
    },
    Case {
        rule: "KS031",
        kubernetes: Expect::Finds(deployment!(""), &[("- name: app", "app")]),
        compose: Expect::NotApplicable(
            "without a `healthcheck` the image's `HEALTHCHECK` applies, which the Compose file \
             does not show",
            COMPOSE_WIDE_OPEN,
        ),
        oci: Expect::NotApplicable(
            "an OCI runtime has no probes: health checking is the engine's, above it",
            OCI_WIDE_OPEN,
        ),
    },
    Case {
        rule: "KS032",
        kubernetes: Expect::Finds(
            deployment!("          env:\n            - name: DB_PASSWORD\n              value: hunter2-but-longer\n"),
            &[("value: hunter2-but-longer", "hunter2-but-longer")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    environment:
      DB_PASSWORD: hunter2-but-longer
",
            &[("DB_PASSWORD: hunter2-but-longer", "hunter2-but-longer")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {"env": ["PATH=/usr/bin", "DB_PASSWORD=hunter2-but-longer"]}
}"#,
            &[(r#""process": {"env": ["PATH=/usr/bin", "DB_PASSWORD=hunter2-but-longer"]}"#, "hunter2-but-longer")],
        ),
    },
    Case {
        rule: "KS033",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      hostAliases:
        - ip: 10.0.12.7
          hostnames: [api.example.com]
      containers:
        - name: app
          image: registry.example.com/app:1.4.2
",
            &[("- ip: 10.0.12.7", "10.0.12.7")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    extra_hosts:
      - \"api.example.com:10.0.12.7\"
",
            &[("- \"api.example.com:10.0.12.7\"", "\"api.example.com:10.0.12.7\"")],
        ),
        oci: Expect::NotApplicable(
            "an OCI config has no host aliases: its `/etc/hosts` is a file the runtime binds in",
            OCI_WIDE_OPEN,
        ),
    },
    Case {
        rule: "KS034",
        kubernetes: Expect::Finds(
            deployment!("          securityContext:\n            capabilities:\n              add: [SYS_ADMIN]\n"),
            &[("add: [SYS_ADMIN]", "SYS_ADMIN")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    cap_add:
      - CAP_SYS_ADMIN
",
            &[("- CAP_SYS_ADMIN", "CAP_SYS_ADMIN")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {
    "capabilities": {"bounding": ["CAP_SYS_ADMIN"], "effective": ["CAP_SYS_ADMIN"]}
  }
}"#,
            &[(
                r#""capabilities": {"bounding": ["CAP_SYS_ADMIN"], "effective": ["CAP_SYS_ADMIN"]}"#,
                r#""CAP_SYS_ADMIN""#,
            )],
        ),
    },
    Case {
        rule: "KS035",
        kubernetes: Expect::Finds(deployment!(""), &[("- name: app", "app")]),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    cap_drop: [CHOWN]
",
            &[("app:", "app")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {
    "capabilities": {"bounding": ["CAP_CHOWN", "CAP_NET_RAW"]}
  }
}"#,
            &[(r#""capabilities": {"bounding": ["CAP_CHOWN", "CAP_NET_RAW"]}"#, r#""CAP_NET_RAW""#)],
        ),
    },
    Case {
        rule: "KS036",
        kubernetes: Expect::NotApplicable(
            "a `Localhost` seccomp profile is a file on the node, which rampart does not read",
            KUBERNETES_WIDE_OPEN,
        ),
        compose: Expect::NotApplicable(
            "`security_opt: seccomp=<file>` names a file, which rampart does not read",
            COMPOSE_WIDE_OPEN,
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "linux": {
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO",
      "syscalls": [
        {"names": ["read", "write", "mount", "ptrace"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}
      ]
    }
  }
}"#,
            &[(r#"{"names": ["read", "write", "mount", "ptrace"], "action": "SCMP_ACT_ALLOW"},"#, r#""mount""#)],
        ),
    },
    Case {
        rule: "KS037",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: tiller-deploy
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: tiller
          image: gcr.io/kubernetes-helm/tiller:v2.16.12
",
            &[("image: gcr.io/kubernetes-helm/tiller:v2.16.12", "gcr.io/kubernetes-helm/tiller:v2.16.12")],
        ),
        compose: Expect::Finds(
            "services:
  tiller:
    image: gcr.io/kubernetes-helm/tiller:v2.16.12
",
            &[("image: gcr.io/kubernetes-helm/tiller:v2.16.12", "gcr.io/kubernetes-helm/tiller:v2.16.12")],
        ),
        oci: Expect::NotApplicable(IMAGELESS, OCI_WIDE_OPEN),
    },
    Case {
        rule: "KS038",
        kubernetes: Expect::NotApplicable(
            "a pod spec cannot share the host's mount, UTS or cgroup namespace (the host's UTS \
             namespace comes with `hostNetwork`, which KS002 reports)",
            KUBERNETES_WIDE_OPEN,
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    uts: host
    cgroup: host
",
            &[("uts: host", "host"), ("cgroup: host", "host")],
        ),
        // The mount namespace first.
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "user"}]
  }
}"#,
            &[
                (
                    r#""namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "user"}]"#,
                    r#""namespaces""#,
                ),
                (
                    r#""namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "user"}]"#,
                    r#""namespaces""#,
                ),
                (
                    r#""namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "user"}]"#,
                    r#""namespaces""#,
                ),
            ],
        ),
    },
    Case {
        rule: "KS039",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      hostUsers: true
      containers:
        - name: app
          image: registry.example.com/app:1.4.2
",
            &[("hostUsers: true", "true")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    userns_mode: host
",
            &[("userns_mode: host", "host")],
        ),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "mount"}]
  }
}"#,
            &[(r#""namespaces": [{"type": "pid"}, {"type": "mount"}]"#, r#""namespaces""#)],
        ),
    },
    Case {
        rule: "KS042",
        kubernetes: Expect::NotApplicable(KERNEL_FILESYSTEMS_BY_RUNTIME, KUBERNETES_WIDE_OPEN),
        compose: Expect::NotApplicable(KERNEL_FILESYSTEMS_BY_RUNTIME, COMPOSE_WIDE_OPEN),
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "rw"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "ro"]}
  ],
  "linux": {
    "namespaces": [{"type": "mount"}],
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger"]
  }
}"#,
            &[
                (
                    r#"{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "rw"]},"#,
                    r#""rw""#,
                ),
                (
                    r#""readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger"]"#,
                    r#""readonlyPaths""#,
                ),
            ],
        ),
    },
];

/// Why the image rules do not apply to OCI.
const IMAGELESS: &str = "an OCI bundle holds its root filesystem, not an image reference";

/// Why the service account rule does not apply outside Kubernetes.
const NO_KUBERNETES_API: &str = "only Kubernetes mounts an API token into containers";

/// Why KS042 applies to OCI only.
const KERNEL_FILESYSTEMS_BY_RUNTIME: &str = "the runtime mounts /sys and the cgroups read-only and keeps /proc/sys \
     read-only unless the container is privileged (KS001) or its /proc unmasked (KS007)";

/// Everything Kubernetes can get wrong, for the rules whose problem a pod spec cannot express.
const KUBERNETES_WIDE_OPEN: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
spec:
  template:
    spec:
      hostNetwork: true
      hostPID: true
      hostIPC: true
      hostUsers: true
      containers:
        - name: agent
          image: agent
          securityContext:
            privileged: true
            procMount: Unmasked
            capabilities:
              add: [ALL]
            seccompProfile:
              type: Localhost
              localhostProfile: profiles/allow-all.json
          volumeMounts:
            - name: root
              mountPath: /host
            - name: dev
              mountPath: /dev
      volumes:
        - name: root
          hostPath:
            path: /
        - name: dev
          hostPath:
            path: /dev
";

/// Everything Compose can get wrong, for the rules whose problem Compose cannot express.
const COMPOSE_WIDE_OPEN: &str = "services:
  agent:
    image: agent
    privileged: true
    network_mode: host
    pid: host
    ipc: host
    uts: host
    userns_mode: host
    user: root
    cap_add: [ALL]
    security_opt:
      - seccomp=./allow-all.json
      - systempaths=unconfined
      - apparmor=unconfined
    devices:
      - /dev/sda
    ports:
      - \"2375:2375\"
    volumes:
      - /:/host
      - /var/run/docker.sock:/var/run/docker.sock
      - data:/data
      - type: tmpfs
        target: /tmp
    environment:
      API_TOKEN: ghp_0123456789abcdefghijABCDEFGHIJ0123456789
volumes:
  data:
    driver_opts: {type: nfs, o: \"addr=10.0.0.1\", device: \":/export\"}
";

/// Everything OCI can get wrong, for the rules whose problem OCI cannot express.
const OCI_WIDE_OPEN: &str = r#"{
  "ociVersion": "1.0.2",
  "process": {
    "user": {"uid": 0, "gid": 0},
    "args": ["sh"],
    "capabilities": {"bounding": ["CAP_SYS_ADMIN", "CAP_NET_RAW"], "effective": ["CAP_SYS_ADMIN"]},
    "noNewPrivileges": false
  },
  "root": {"path": "rootfs"},
  "mounts": [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind"]}],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "mount"}],
    "resources": {"devices": [{"allow": true, "access": "rwm"}]},
    "maskedPaths": []
  }
}"#;

const FORMATS: [(&str, &str, FileKind); 3] = [
    ("Kubernetes", "deployment.yaml", FileKind::Kubernetes),
    ("Compose", "compose.yaml", FileKind::Compose),
    ("OCI", "config.json", FileKind::OciRuntime),
];

const EXAMPLES: [(&str, &str); 3] = [
    ("kubernetes/insecure-deployment.yaml", "kubernetes/hardened-deployment.yaml"),
    ("compose/insecure/compose.yaml", "compose/hardened/compose.yaml"),
    ("oci/insecure/config.json", "oci/hardened/config.json"),
];

/// The trusted registries KS025 runs with (it reports nothing without them).
const TRUSTED: &[&str] = &["registry.example.com", "docker.io/library"];

/// Runs one rule on a file named `name`, recognised as `kind` by name or content.
fn run(rule: &str, name: &str, text: &str, kind: FileKind) -> Vec<Finding> {
    assert_eq!(recognize::recognize(Some(Path::new(name)), text), Some(kind), "{name} is recognised");
    let mut settings = Settings { select: vec![rule.to_string()], ..Settings::default() };
    if rule == "KS025" {
        settings.options.trusted_registries = Some(TRUSTED.iter().map(|r| r.to_string()).collect());
    }
    let file = rampart_diagnostics::SourceFile::new(name, text.to_string());
    Linter::new(&settings).check(&file, kind).findings
}

fn line_of(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    text[start..end].trim()
}

fn example(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn one_rule_three_formats() {
    let mut failures = Vec::new();
    for case in CASES {
        for ((format, name, kind), expect) in FORMATS.iter().zip([&case.kubernetes, &case.compose, &case.oci]) {
            let (text, wanted): (&str, &[(&str, &str)]) = match expect {
                Expect::Finds(text, wanted) => (text, wanted),
                Expect::NotApplicable(why, text) => {
                    assert!(!why.is_empty(), "{} {format}: say why", case.rule);
                    (text, &[])
                }
            };
            let findings = run(case.rule, name, text, *kind);
            let got: Vec<(&str, &str)> = findings
                .iter()
                .filter(|f| f.rule.code == case.rule)
                .map(|f| (line_of(text, f.span.start), &text[f.span.start..f.span.end]))
                .collect();
            if got != wanted {
                failures.push(format!("{} in {format}: expected {wanted:?}, got {got:?}", case.rule));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_posture_rule_has_a_row() {
    let mut codes: Vec<&str> = rampart_linter::registry::all()
        .iter()
        .map(|r| r.info())
        .filter(|i| i.code.starts_with("KS") && i.code != "KS000")
        .filter(|i| i.tags.iter().any(|t| matches!(*t, "pss:baseline" | "pss:restricted")) || hardening(i.code))
        .map(|i| i.code)
        .collect();
    codes.sort_unstable();
    let rows: Vec<&str> = CASES.iter().map(|c| c.rule).collect();
    assert_eq!(rows, codes, "one row per posture rule, in code order");
}

/// The hardening rules of `rules/posture/hardening` (KS019–KS042; the rules about other
/// Kubernetes objects start at KS040 but are not posture rules).
fn hardening(code: &str) -> bool {
    code.get(2..).and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| (19..=39).contains(&n) || n == 42)
}

#[test]
fn the_same_message_names_the_workload_in_its_own_words() {
    let Expect::Finds(deployment, _) = CASES[0].kubernetes else { unreachable!() };
    let Expect::Finds(compose, _) = CASES[0].compose else { unreachable!() };
    let k = run("KS001", "deployment.yaml", deployment, FileKind::Kubernetes);
    let c = run("KS001", "compose.yaml", compose, FileKind::Compose);
    assert_eq!(k[0].message, "container `app` of Deployment `web` runs privileged");
    assert_eq!(c[0].message, "service `app` runs privileged");
    let Expect::Finds(config, _) = CASES[1].oci else { unreachable!() };
    let o = run("KS002", "config.json", config, FileKind::OciRuntime);
    assert_eq!(o[0].message, "the OCI bundle shares the host's network namespace");
}

#[test]
fn hardened_examples_are_clean_and_insecure_ones_are_not() {
    let mut failures = Vec::new();
    for case in CASES {
        for (((format, _, kind), (insecure, hardened)), expect) in
            FORMATS.iter().zip(EXAMPLES).zip([&case.kubernetes, &case.compose, &case.oci])
        {
            let clean = run(case.rule, hardened, &example(hardened), *kind);
            if !clean.is_empty() {
                failures.push(format!("{} reports the hardened {format} example: {:?}", case.rule, messages(&clean)));
            }
            let found = run(case.rule, insecure, &example(insecure), *kind);
            let not_shown = NOT_IN_INSECURE_EXAMPLES.contains(&(case.rule, *format));
            match expect {
                Expect::Finds(..) if found.is_empty() && !not_shown => {
                    failures.push(format!("{} reports nothing on the insecure {format} example", case.rule))
                }
                Expect::Finds(..) if !found.is_empty() && not_shown => failures.push(format!(
                    "{} reports {:?} on the insecure {format} example: take it out of NOT_IN_INSECURE_EXAMPLES",
                    case.rule,
                    messages(&found)
                )),
                Expect::NotApplicable(..) if !found.is_empty() => failures.push(format!(
                    "{} is not applicable to {format} but reports {:?}",
                    case.rule,
                    messages(&found)
                )),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The problems the insecure examples do not show (each is a realistic setup, not a
/// catalogue): Windows HostProcess, SELinux types, image rules the other images cover
/// (`latest` rather than a tag without digest), Tiller, and the rules whose problem needs a
/// file written for it (a seccomp profile, a device, a shared UTS namespace, `hostUsers`).
const NOT_IN_INSECURE_EXAMPLES: &[(&str, &str)] = &[
    ("KS005", "Kubernetes"),
    ("KS007", "Kubernetes"),
    ("KS007", "Compose"),
    ("KS008", "Kubernetes"),
    ("KS008", "Compose"),
    ("KS008", "OCI"),
    ("KS010", "OCI"),
    ("KS011", "Kubernetes"),
    ("KS011", "Compose"),
    ("KS012", "OCI"),
    ("KS019", "Compose"),
    ("KS024", "Kubernetes"),
    ("KS024", "Compose"),
    ("KS032", "OCI"),
    ("KS033", "Compose"),
    ("KS036", "OCI"),
    ("KS037", "Kubernetes"),
    ("KS037", "Compose"),
    ("KS038", "Compose"),
    ("KS039", "Kubernetes"),
    ("KS039", "Compose"),
];

fn messages(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| format!("{}: {}", f.rule.code, f.message)).collect()
}

#[test]
fn compose_files_keep_yaml_suppressions() {
    let text =
        "services:\n  app:\n    image: x\n    # rampart:ignore KS001 a device plugin needs it\n    privileged: true\n";
    assert!(run("KS001", "compose.yaml", text, FileKind::Compose).is_empty());
}

#[test]
fn per_format_picks_the_workload_s_words() {
    use rampart_linter::manifest::per_format;
    let doc = |t: &str| rampart_yaml::parse_stream(t).remove(0).unwrap();
    let compose = rampart_posture::compose::workloads(&doc("services:\n  a: {image: x}\n").root);
    let oci = rampart_posture::oci::workload(&doc("{\"ociVersion\": \"1.0.0\"}").root).unwrap();
    assert_eq!(per_format(&compose[0], "hostNetwork", "network_mode", "linux.namespaces"), "network_mode");
    assert_eq!(per_format(&oci, "hostNetwork", "network_mode", "linux.namespaces"), "linux.namespaces");
}

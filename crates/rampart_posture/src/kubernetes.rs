//! Kubernetes objects into the posture model.
//!
//! Workload kinds: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job, CronJob and PodTemplate; `List` kinds are unwrapped. Each
//! container (regular, init, ephemeral) gets the pod-level `securityContext` values it
//! inherits, overridden by its own (a container-level `runAsNonRoot: false` beats a
//! pod-level `true`), AppArmor from the `appArmorProfile` field or the
//! `container.apparmor.security.beta.kubernetes.io/<name>` annotation, and the kubelet's
//! defaults for what is unset (seccomp `Unconfined`, AppArmor the runtime default).

use rampart_yaml::{Node, Span};

use crate::model::*;

/// Kinds that carry a pod template, and where it is.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
];

/// The objects of a document: the document itself, or the items of a `List` kind.
pub fn objects(root: &Node) -> Vec<&Node> {
    let kind = root.get_str("kind").unwrap_or("");
    if root.get_str("apiVersion").is_some() && (kind == "List" || kind.ends_with("List")) {
        return root.get("items").map(|i| i.items().iter().filter(|n| n.is_map()).collect()).unwrap_or_default();
    }
    if root.is_map() { vec![root] } else { Vec::new() }
}

/// Whether the node looks like a Kubernetes object (`apiVersion` and `kind`).
pub fn is_object(node: &Node) -> bool {
    node.get_str("apiVersion").is_some() && node.get_str("kind").is_some()
}

/// The pod metadata and spec of a workload object.
fn pod_template(obj: &Node) -> Option<(Option<&Node>, &Node)> {
    let kind = obj.get_str("kind")?;
    match kind {
        "Pod" => Some((obj.get("metadata"), obj.get("spec")?)),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Job" => {
            let t = obj.path(&["spec", "template"])?;
            Some((t.get("metadata"), t.get("spec")?))
        }
        "CronJob" => {
            let t = obj.path(&["spec", "jobTemplate", "spec", "template"])?;
            Some((t.get("metadata"), t.get("spec")?))
        }
        "PodTemplate" => {
            let t = obj.get("template")?;
            Some((t.get("metadata"), t.get("spec")?))
        }
        _ => None,
    }
}

fn explicit_str(node: &Node) -> Option<Setting<String>> {
    node.as_string().map(|s| Setting::explicit(s.to_string(), node.span.clone()))
}

fn bool_setting(parent: Option<&Node>, key: &str) -> Option<Setting<bool>> {
    let n = parent?.get(key)?;
    n.as_bool().map(|b| Setting::explicit(b, n.span.clone()))
}

fn int_setting(parent: Option<&Node>, key: &str) -> Option<Setting<i64>> {
    let n = parent?.get(key)?;
    n.as_i64().map(|v| Setting::explicit(v, n.span.clone()))
}

fn seccomp(sc: Option<&Node>) -> Option<Setting<Seccomp>> {
    let profile = sc?.get("seccompProfile")?;
    let t = profile.get("type")?;
    let value = match t.as_string()? {
        "RuntimeDefault" => Seccomp::RuntimeDefault,
        "Localhost" => Seccomp::Localhost(profile.get_str("localhostProfile").unwrap_or("").to_string()),
        "Unconfined" => Seccomp::Unconfined,
        other => Seccomp::Other(other.to_string()),
    };
    Some(Setting::explicit(value, t.span.clone()))
}

fn apparmor_field(sc: Option<&Node>) -> Option<Setting<AppArmor>> {
    let profile = sc?.get("appArmorProfile")?;
    let t = profile.get("type")?;
    let value = match t.as_string()? {
        "RuntimeDefault" => AppArmor::RuntimeDefault,
        "Localhost" => AppArmor::Localhost(profile.get_str("localhostProfile").unwrap_or("").to_string()),
        "Unconfined" => AppArmor::Unconfined,
        other => AppArmor::Other(other.to_string()),
    };
    Some(Setting::explicit(value, t.span.clone()))
}

/// The seccomp annotations Kubernetes honoured before 1.27
/// (`container.seccomp.security.alpha.kubernetes.io/<name>`, then
/// `seccomp.security.alpha.kubernetes.io/pod`), read only when they ask for `unconfined`:
/// an old cluster applies that, while a profile they name is ignored by current clusters and
/// so does not count as set.
fn unconfined_by_annotation(annotations: &[(String, Setting<String>)], container: &str) -> Option<Setting<Seccomp>> {
    let own = format!("container.seccomp.security.alpha.kubernetes.io/{container}");
    let value = annotations
        .iter()
        .find(|(k, _)| *k == own)
        .or_else(|| annotations.iter().find(|(k, _)| k == "seccomp.security.alpha.kubernetes.io/pod"))?;
    (value.1.value == "unconfined").then(|| Setting { value: Seccomp::Unconfined, origin: value.1.origin.clone() })
}

/// The value of a `container.apparmor.security.beta.kubernetes.io/<name>` annotation.
pub fn apparmor_annotation(value: &str) -> AppArmor {
    match value {
        "runtime/default" => AppArmor::RuntimeDefault,
        "unconfined" => AppArmor::Unconfined,
        v => match v.strip_prefix("localhost/") {
            Some(p) => AppArmor::Localhost(p.to_string()),
            None => AppArmor::Other(v.to_string()),
        },
    }
}

fn selinux(sc: Option<&Node>) -> SeLinux {
    let Some(opts) = sc.and_then(|s| s.get("seLinuxOptions")) else { return SeLinux::default() };
    SeLinux {
        type_: opts.get("type").and_then(explicit_str),
        user: opts.get("user").and_then(explicit_str),
        role: opts.get("role").and_then(explicit_str),
        level: opts.get("level").and_then(explicit_str),
        disabled: None,
    }
}

fn inherit<T: Clone>(own: Option<Setting<T>>, pod: &Option<Setting<T>>) -> Option<Setting<T>> {
    own.or_else(|| pod.as_ref().map(Setting::inherited))
}

fn volume_kind(v: &Node) -> (VolumeKind, Span) {
    for e in v.entries() {
        let Some(key) = e.key.as_str() else { continue };
        // `hostPath: ~` is no volume source at all (Kubernetes then defaults to `emptyDir`).
        if key == "name" || e.value.is_null() {
            continue;
        }
        let kind = match key {
            "hostPath" => {
                let path = e.value.get("path");
                VolumeKind::HostPath {
                    path: path.and_then(Node::as_string).unwrap_or("").to_string(),
                    path_span: path.map_or(e.value.span.clone(), |p| p.span.clone()),
                }
            }
            "emptyDir" => VolumeKind::EmptyDir,
            "configMap" => VolumeKind::ConfigMap,
            "secret" => VolumeKind::Secret,
            "persistentVolumeClaim" => VolumeKind::PersistentVolumeClaim,
            "projected" => VolumeKind::Projected,
            "downwardAPI" => VolumeKind::DownwardApi,
            "csi" => VolumeKind::Csi,
            "ephemeral" => VolumeKind::Ephemeral,
            other => VolumeKind::Other(other.to_string()),
        };
        return (kind, e.key.span.clone());
    }
    (VolumeKind::EmptyDir, v.span.clone())
}

fn resources(c: &Node) -> Resources {
    let r = c.get("resources");
    let q = |section: &str, name: &str| r.and_then(|r| r.path(&[section, name])).and_then(explicit_str);
    Resources {
        cpu_request: q("requests", "cpu"),
        cpu_limit: q("limits", "cpu"),
        memory_request: q("requests", "memory"),
        memory_limit: q("limits", "memory"),
        pids_limit: None,
    }
}

struct PodContext<'a> {
    pod: &'a PodSecurity,
    annotations: &'a [(String, Setting<String>)],
}

fn container(c: &Node, role: ContainerRole, pcx: &PodContext<'_>) -> ContainerPosture {
    let name = c.get_str("name").unwrap_or("").to_string();
    let anchor = c.get("name").map_or(c.span.clone(), |n| n.span.clone());
    let sc = c.get("securityContext").filter(|s| s.is_map());
    let pod = pcx.pod;
    let caps = sc.and_then(|s| s.get("capabilities"));
    let cap_list = |key: &str| -> Vec<Setting<String>> {
        caps.and_then(|c| c.get(key))
            .map(|l| {
                l.items()
                    .iter()
                    .filter_map(|i| i.as_string().map(|s| Setting::explicit(normalize_capability(s), i.span.clone())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let annotation_key = format!("container.apparmor.security.beta.kubernetes.io/{name}");
    let apparmor_annotation = pcx
        .annotations
        .iter()
        .find(|(k, _)| *k == annotation_key)
        .map(|(_, v)| Setting { value: apparmor_annotation(&v.value), origin: v.origin.clone() });
    let apparmor = apparmor_field(sc)
        .or(apparmor_annotation)
        .or_else(|| pod.apparmor.as_ref().map(Setting::inherited))
        .unwrap_or(Setting::runtime(AppArmor::RuntimeDefault));
    let own_selinux = selinux(sc);
    let selinux = SeLinux {
        type_: inherit(own_selinux.type_, &pod.selinux.type_),
        user: inherit(own_selinux.user, &pod.selinux.user),
        role: inherit(own_selinux.role, &pod.selinux.role),
        level: inherit(own_selinux.level, &pod.selinux.level),
        disabled: None,
    };
    let to_opt = |s: Option<Setting<bool>>| match s {
        Some(s) => Setting { value: Some(s.value), origin: s.origin },
        None => Setting::runtime(None),
    };
    let to_opt_i = |s: Option<Setting<i64>>, image: bool| match s {
        Some(s) => Setting { value: Some(s.value), origin: s.origin },
        None if image => Setting::image(None),
        None => Setting::runtime(None),
    };
    let probe = |key: &str| c.get(key).filter(|p| p.is_map()).map(|p| p.span.clone());
    let seccomp_setting = inherit(seccomp(sc), &pod.seccomp)
        .or_else(|| unconfined_by_annotation(pcx.annotations, &name))
        .unwrap_or(Setting::runtime(Seccomp::Unconfined));
    ContainerPosture {
        name,
        role,
        span: c.span.clone(),
        anchor,
        security_context: sc.map(|s| s.span.clone()),
        image: c.get("image").and_then(explicit_str),
        privileged: bool_setting(sc, "privileged").unwrap_or(Setting::runtime(false)),
        allow_privilege_escalation: to_opt(bool_setting(sc, "allowPrivilegeEscalation")),
        run_as_non_root: to_opt(inherit(bool_setting(sc, "runAsNonRoot"), &pod.run_as_non_root)),
        run_as_user: to_opt_i(inherit(int_setting(sc, "runAsUser"), &pod.run_as_user), true),
        run_as_group: to_opt_i(inherit(int_setting(sc, "runAsGroup"), &pod.run_as_group), true),
        user_name: None,
        read_only_root_filesystem: to_opt(bool_setting(sc, "readOnlyRootFilesystem")),
        capabilities_add: cap_list("add"),
        capabilities_drop: cap_list("drop"),
        seccomp: seccomp_setting,
        apparmor,
        selinux,
        proc_mount: match sc.and_then(|s| s.get("procMount")) {
            Some(n) => Setting { value: n.as_string().map(str::to_string), origin: Origin::Explicit(n.span.clone()) },
            None => Setting::runtime(None),
        },
        windows_host_process: to_opt(inherit(
            sc.and_then(|s| s.get("windowsOptions")).and_then(|w| bool_setting(Some(w), "hostProcess")),
            &pod.windows_host_process,
        )),
        ports: c
            .get("ports")
            .map(|p| {
                p.items()
                    .iter()
                    .map(|port| Port {
                        container_port: port.get("containerPort").and_then(Node::as_i64_lenient),
                        host_port: port
                            .get("hostPort")
                            .and_then(|h| h.as_i64_lenient().map(|v| Setting::explicit(v, h.span.clone()))),
                        span: port.span.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        mounts: c
            .get("volumeMounts")
            .map(|m| {
                m.items()
                    .iter()
                    .map(|vm| Mount {
                        volume: vm.get_str("name").unwrap_or("").to_string(),
                        target: vm.get_str("mountPath").unwrap_or("").to_string(),
                        read_only: bool_setting(Some(vm), "readOnly").unwrap_or(Setting::runtime(false)),
                        span: vm.span.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        resources: resources(c),
        probes: Probes {
            liveness: probe("livenessProbe"),
            readiness: probe("readinessProbe"),
            startup: probe("startupProbe"),
        },
        env: c
            .get("env")
            .map(|e| {
                e.items()
                    .iter()
                    .filter_map(|var| {
                        let name = var.get("name")?;
                        Some(EnvVar {
                            name: name.as_string()?.to_string(),
                            name_span: name.span.clone(),
                            value: var.get("value").and_then(explicit_str),
                            span: var.span.clone(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        devices: Vec::new(),
        kernel_mounts: Vec::new(),
        ulimits: Vec::new(),
        build: None,
    }
}

/// Annotations or labels: a null value (`key: ~`, `key:`) reads as the empty string, as
/// Kubernetes decodes it.
fn string_map(node: Option<&Node>) -> Vec<(String, Setting<String>)> {
    node.map(|m| {
        m.entries()
            .iter()
            .filter_map(|e| {
                Some((
                    e.key.as_str()?.to_string(),
                    Setting::explicit(e.value.as_string().unwrap_or("").to_string(), e.value.span.clone()),
                ))
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Reads a workload object; `None` for other kinds or a workload without a pod spec.
pub fn workload(obj: &Node) -> Option<Workload> {
    let kind = obj.get_str("kind")?.to_string();
    let (template_meta, spec) = pod_template(obj)?;
    let meta = obj.get("metadata");
    let name = meta.and_then(|m| m.get_str("name")).unwrap_or("").to_string();
    let anchor =
        meta.and_then(|m| m.get("name")).or_else(|| obj.get("kind")).map_or(obj.span.clone(), |n| n.span.clone());
    let psc = spec.get("securityContext").filter(|s| s.is_map());
    let pod = PodSecurity {
        span: psc.map(|s| s.span.clone()),
        run_as_non_root: bool_setting(psc, "runAsNonRoot"),
        run_as_user: int_setting(psc, "runAsUser"),
        run_as_group: int_setting(psc, "runAsGroup"),
        seccomp: seccomp(psc),
        apparmor: apparmor_field(psc),
        selinux: selinux(psc),
        windows_host_process: psc
            .and_then(|s| s.get("windowsOptions"))
            .and_then(|w| bool_setting(Some(w), "hostProcess")),
        sysctls: psc.and_then(|s| s.get("sysctls")).map(|s| s.span.clone()),
    };
    let annotations = string_map(template_meta.and_then(|m| m.get("annotations")));
    let labels = string_map(template_meta.and_then(|m| m.get("labels")));
    let pcx = PodContext { pod: &pod, annotations: &annotations };
    let mut containers = Vec::new();
    for (field, role) in [
        ("initContainers", ContainerRole::Init),
        ("containers", ContainerRole::Container),
        ("ephemeralContainers", ContainerRole::Ephemeral),
    ] {
        if let Some(list) = spec.get(field) {
            containers.extend(list.items().iter().filter(|c| c.is_map()).map(|c| container(c, role, &pcx)));
        }
    }
    let volumes = spec
        .get("volumes")
        .map(|v| {
            v.items()
                .iter()
                .filter(|v| v.is_map())
                .map(|v| {
                    let (kind, kind_span) = volume_kind(v);
                    Volume { name: v.get_str("name").unwrap_or("").to_string(), kind, span: v.span.clone(), kind_span }
                })
                .collect()
        })
        .unwrap_or_default();
    let sysctls = psc
        .and_then(|s| s.get("sysctls"))
        .map(|l| {
            l.items()
                .iter()
                .filter_map(|s| {
                    let n = s.get("name")?;
                    let v = s.get("value");
                    Some((
                        Setting::explicit(n.as_string()?.to_string(), n.span.clone()),
                        Setting::explicit(
                            v.and_then(Node::as_str).unwrap_or("").to_string(),
                            v.map_or(s.span.clone(), |v| v.span.clone()),
                        ),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let flag = |key: &str| bool_setting(Some(spec), key).unwrap_or(Setting::runtime(false));
    Some(Workload {
        format: Format::Kubernetes,
        kind,
        name,
        namespace: meta.and_then(|m| m.get("namespace")).and_then(explicit_str),
        span: obj.span.clone(),
        anchor,
        pod_spec: Some(spec.span.clone()),
        host_network: flag("hostNetwork"),
        host_pid: flag("hostPID"),
        host_ipc: flag("hostIPC"),
        host_users: match bool_setting(Some(spec), "hostUsers") {
            Some(s) => Setting { value: Some(s.value), origin: s.origin },
            None => Setting::runtime(None),
        },
        host_uts: Setting::runtime(false),
        host_cgroup: Setting::runtime(false),
        host_mount: Setting::runtime(false),
        volumes,
        sysctls,
        automount_service_account_token: match bool_setting(Some(spec), "automountServiceAccountToken") {
            Some(s) => Setting { value: Some(s.value), origin: s.origin },
            None => Setting::runtime(None),
        },
        service_account: spec.get("serviceAccountName").or_else(|| spec.get("serviceAccount")).and_then(explicit_str),
        host_aliases: spec.get("hostAliases").map(|h| h.span.clone()),
        os: spec.path(&["os", "name"]).and_then(explicit_str),
        pod,
        annotations,
        labels,
        containers,
    })
}

/// Every workload of a parsed document (`List` kinds unwrapped).
pub fn workloads(root: &Node) -> Vec<Workload> {
    objects(root).into_iter().filter_map(workload).collect()
}

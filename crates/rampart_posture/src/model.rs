use rampart_yaml::Span;

/// Where a setting's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written here (the span of the value, or of the item in a list).
    Explicit(Span),
    /// Inherited from an enclosing level (a pod-level `securityContext`): the span where it
    /// is written there.
    Inherited(Span),
    /// Not written: the image decides (its `USER`, its `HEALTHCHECK`).
    Image,
    /// Not written: the runtime's default applies (the value of the setting says which).
    Runtime,
}

/// A value and its origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    pub fn explicit(value: T, span: Span) -> Self {
        Setting { value, origin: Origin::Explicit(span) }
    }

    pub fn runtime(value: T) -> Self {
        Setting { value, origin: Origin::Runtime }
    }

    pub fn image(value: T) -> Self {
        Setting { value, origin: Origin::Image }
    }

    /// The span where the value is written, here or at an enclosing level.
    pub fn span(&self) -> Option<Span> {
        match &self.origin {
            Origin::Explicit(s) | Origin::Inherited(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// Written on this container (not inherited, not defaulted).
    pub fn is_explicit(&self) -> bool {
        matches!(self.origin, Origin::Explicit(_))
    }

    /// Written somewhere (here or inherited).
    pub fn is_written(&self) -> bool {
        matches!(self.origin, Origin::Explicit(_) | Origin::Inherited(_))
    }

    /// The same setting seen from a container that inherits it.
    pub fn inherited(&self) -> Self
    where
        T: Clone,
    {
        let origin = match &self.origin {
            Origin::Explicit(s) => Origin::Inherited(s.clone()),
            o => o.clone(),
        };
        Setting { value: self.value.clone(), origin }
    }
}

/// Which file format a workload was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Kubernetes,
    Compose,
    Oci,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Kubernetes => "Kubernetes",
            Format::Compose => "Compose",
            Format::Oci => "OCI runtime config",
        }
    }
}

/// What a container is to its workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerRole {
    Container,
    Init,
    Ephemeral,
    /// A Compose service.
    Service,
    /// The process of an OCI bundle.
    Process,
}

impl ContainerRole {
    /// The field the container is listed under, for messages.
    pub fn field(self) -> &'static str {
        match self {
            ContainerRole::Container => "containers",
            ContainerRole::Init => "initContainers",
            ContainerRole::Ephemeral => "ephemeralContainers",
            ContainerRole::Service => "services",
            ContainerRole::Process => "process",
        }
    }
}

/// A seccomp profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seccomp {
    /// The container runtime's default profile.
    RuntimeDefault,
    /// A profile file on the node (Kubernetes `Localhost`), or a custom profile.
    Localhost(String),
    /// No filtering.
    Unconfined,
    /// A value the format does not define (reported as written).
    Other(String),
}

/// An AppArmor profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppArmor {
    RuntimeDefault,
    Localhost(String),
    Unconfined,
    Other(String),
}

/// SELinux options, each as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeLinux {
    pub type_: Option<Setting<String>>,
    pub user: Option<Setting<String>>,
    pub role: Option<Setting<String>>,
    pub level: Option<Setting<String>>,
    /// SELinux separation turned off (`label=disable` in Compose).
    pub disabled: Option<Span>,
}

/// A volume of a workload (Kubernetes volumes; Compose and OCI mounts are mounts of
/// synthesised volumes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volume {
    pub name: String,
    pub kind: VolumeKind,
    /// The whole volume entry.
    pub span: Span,
    /// The span of the field naming the kind (`hostPath:`), or of the source path.
    pub kind_span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VolumeKind {
    /// A path on the host, with the span of the path.
    HostPath {
        path: String,
        path_span: Span,
    },
    EmptyDir,
    ConfigMap,
    Secret,
    PersistentVolumeClaim,
    Projected,
    DownwardApi,
    Csi,
    Ephemeral,
    /// A named volume managed by the runtime (Compose named volumes).
    Named,
    /// An in-memory filesystem (Compose `tmpfs`, OCI `tmpfs` mounts).
    Tmpfs,
    /// Any other Kubernetes volume type, by its field name (`nfs`, `gcePersistentDisk`, …).
    Other(String),
}

impl VolumeKind {
    /// The Kubernetes field name of the volume type.
    pub fn field(&self) -> &str {
        match self {
            VolumeKind::HostPath { .. } => "hostPath",
            VolumeKind::EmptyDir => "emptyDir",
            VolumeKind::ConfigMap => "configMap",
            VolumeKind::Secret => "secret",
            VolumeKind::PersistentVolumeClaim => "persistentVolumeClaim",
            VolumeKind::Projected => "projected",
            VolumeKind::DownwardApi => "downwardAPI",
            VolumeKind::Csi => "csi",
            VolumeKind::Ephemeral => "ephemeral",
            VolumeKind::Named => "volume",
            VolumeKind::Tmpfs => "tmpfs",
            VolumeKind::Other(f) => f,
        }
    }
}

/// A volume mounted into a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// The volume's name (for Compose and OCI, the synthesised volume's name).
    pub volume: String,
    pub target: String,
    pub read_only: Setting<bool>,
    pub span: Span,
}

/// A resource limit of the process (Compose `ulimits`, OCI `process.rlimits`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ulimit {
    /// Lower-case, without the `RLIMIT_` prefix: `nofile`, `nproc`, `core`.
    pub name: String,
    pub soft: Option<i64>,
    pub hard: Option<i64>,
    /// The entry that sets it.
    pub span: Span,
}

/// A port a container declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub container_port: Option<i64>,
    /// A port opened on the node itself (Kubernetes `hostPort`).
    pub host_port: Option<Setting<i64>>,
    pub span: Span,
}

/// An environment variable with a literal value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub name_span: Span,
    /// `None` when the value comes from a reference (`valueFrom`, Compose `${VAR}` without
    /// a literal, a variable without a value).
    pub value: Option<Setting<String>>,
    pub span: Span,
}

/// Requests and limits, as written (quantities are kept as text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    pub cpu_request: Option<Setting<String>>,
    pub cpu_limit: Option<Setting<String>>,
    pub memory_request: Option<Setting<String>>,
    pub memory_limit: Option<Setting<String>>,
    pub pids_limit: Option<Setting<String>>,
}

/// Health probes (Compose `healthcheck` counts as liveness).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probes {
    pub liveness: Option<Span>,
    pub readiness: Option<Span>,
    pub startup: Option<Span>,
}

/// One container's runtime posture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerPosture {
    pub name: String,
    pub role: ContainerRole,
    /// The container's whole entry.
    pub span: Span,
    /// Where to point for a setting the container lacks: its name (Kubernetes, Compose), the
    /// `process` key (OCI).
    pub anchor: Span,
    /// The span of its `securityContext` (or equivalent), if written.
    pub security_context: Option<Span>,
    pub image: Option<Setting<String>>,
    pub privileged: Setting<bool>,
    /// `Some(false)` when escalation is prevented (`allowPrivilegeEscalation: false`,
    /// `no-new-privileges`, `noNewPrivileges: true`).
    pub allow_privilege_escalation: Setting<Option<bool>>,
    /// `Some(true)` when the container is known to run as a non-root user: Kubernetes
    /// `runAsNonRoot: true`; for Compose and OCI a non-zero numeric user.
    pub run_as_non_root: Setting<Option<bool>>,
    pub run_as_user: Setting<Option<i64>>,
    pub run_as_group: Setting<Option<i64>>,
    /// A user given by name (Compose `user: app`).
    pub user_name: Option<Setting<String>>,
    pub read_only_root_filesystem: Setting<Option<bool>>,
    /// Capability names upper-cased without the `CAP_` prefix (`ALL` kept as is).
    pub capabilities_add: Vec<Setting<String>>,
    pub capabilities_drop: Vec<Setting<String>>,
    pub seccomp: Setting<Seccomp>,
    pub apparmor: Setting<AppArmor>,
    pub selinux: SeLinux,
    /// `Default`, `Unmasked`, … (`None` when unset).
    pub proc_mount: Setting<Option<String>>,
    pub windows_host_process: Setting<Option<bool>>,
    pub ports: Vec<Port>,
    pub mounts: Vec<Mount>,
    pub resources: Resources,
    pub probes: Probes,
    pub env: Vec<EnvVar>,
    /// Host devices given to the container (the host path, or the device name as written).
    pub devices: Vec<Setting<String>>,
    /// Kernel filesystems mounted into the container by its own configuration (OCI `proc`,
    /// `sysfs`, `cgroup`, `devpts`, `mqueue` mounts and the `tmpfs` on `/dev`): `volume` is
    /// the filesystem type, `read_only` its `ro` option. Kubernetes and Compose leave this
    /// empty (the runtime mounts them, `/sys` read-only unless privileged).
    pub kernel_mounts: Vec<Mount>,
    /// Resource limits of the process (`nofile`, `nproc`, …).
    pub ulimits: Vec<Ulimit>,
    /// Where the image is built, when the file says (Compose `build:` or `build.context`,
    /// with `build.dockerfile` when given): `(context, dockerfile)`.
    pub build: Option<(String, Option<String>)>,
}

/// A workload: a Kubernetes object with a pod, a Compose service's project, or an OCI bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    pub format: Format,
    /// `Deployment`, `Pod`, … for Kubernetes; `service` for Compose; `config.json` for OCI.
    pub kind: String,
    pub name: String,
    pub namespace: Option<Setting<String>>,
    /// The whole object.
    pub span: Span,
    /// Where to point for a setting the workload lacks: its name, or its kind (Kubernetes);
    /// the service's name (Compose); for an OCI config, the `linux.namespaces` key (what a
    /// shared host namespace is missing from), else `linux`, else the whole object.
    pub anchor: Span,
    /// The pod spec (Kubernetes), where pod-level settings go.
    pub pod_spec: Option<Span>,
    pub host_network: Setting<bool>,
    pub host_pid: Setting<bool>,
    pub host_ipc: Setting<bool>,
    /// `Some(true)`: the host's user namespace (no user namespace); `Some(false)`: a user
    /// namespace of its own (Kubernetes `hostUsers: false`, an OCI `user` namespace).
    pub host_users: Setting<Option<bool>>,
    /// The host's UTS namespace (hostname): Compose `uts: host`, OCI without `uts`.
    pub host_uts: Setting<bool>,
    /// The host's cgroup namespace: Compose `cgroup: host`, OCI without `cgroup`.
    pub host_cgroup: Setting<bool>,
    /// The host's mount namespace: OCI without `mount` (the host's mount table).
    pub host_mount: Setting<bool>,
    pub volumes: Vec<Volume>,
    /// Pod-level sysctls (Compose and OCI: per container, reported here too).
    pub sysctls: Vec<(Setting<String>, Setting<String>)>,
    pub automount_service_account_token: Setting<Option<bool>>,
    pub service_account: Option<Setting<String>>,
    pub host_aliases: Option<Span>,
    /// The operating system the workload declares it runs on (Kubernetes `spec.os.name`:
    /// `linux`, `windows`), when written. Some Linux-only controls do not apply to Windows.
    pub os: Option<Setting<String>>,
    /// Pod-level security settings, as written (containers inherit them).
    pub pod: PodSecurity,
    pub annotations: Vec<(String, Setting<String>)>,
    pub labels: Vec<(String, Setting<String>)>,
    pub containers: Vec<ContainerPosture>,
}

/// The pod-level `securityContext` and its relatives, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodSecurity {
    pub span: Option<Span>,
    pub run_as_non_root: Option<Setting<bool>>,
    pub run_as_user: Option<Setting<i64>>,
    pub run_as_group: Option<Setting<i64>>,
    pub seccomp: Option<Setting<Seccomp>>,
    pub apparmor: Option<Setting<AppArmor>>,
    pub selinux: SeLinux,
    pub windows_host_process: Option<Setting<bool>>,
    pub sysctls: Option<Span>,
}

impl Workload {
    /// Every container: regular, init and ephemeral.
    pub fn all_containers(&self) -> impl Iterator<Item = &ContainerPosture> {
        self.containers.iter()
    }

    pub fn volume(&self, name: &str) -> Option<&Volume> {
        self.volumes.iter().find(|v| v.name == name)
    }

    /// The workload declares it runs on Windows (`spec.os.name: windows`): the Pod Security
    /// Standards exempt it from their Linux-only controls (privilege escalation, seccomp,
    /// capabilities).
    pub fn is_windows(&self) -> bool {
        self.os.as_ref().is_some_and(|os| os.value == "windows")
    }

    /// `Deployment/web` or `service web`, for messages.
    pub fn describe(&self) -> String {
        match self.format {
            Format::Kubernetes => format!("{} `{}`", self.kind, self.name),
            Format::Compose => format!("service `{}`", self.name),
            Format::Oci => "the OCI bundle".to_string(),
        }
    }
}

/// Upper-case without `CAP_`: `cap_net_raw` → `NET_RAW`.
pub fn normalize_capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").map(str::to_string).unwrap_or(upper)
}

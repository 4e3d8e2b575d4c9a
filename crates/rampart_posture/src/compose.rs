//! Compose services into the posture model.
//!
//! Each service of a Compose file (the Compose specification) becomes a [`Workload`] of kind
//! `service` holding one [`ContainerPosture`] with role [`ContainerRole::Service`]. Settings
//! Compose leaves unset carry Docker's defaults: the seccomp and AppArmor profiles are
//! Docker's default ones (`RuntimeDefault`, [`Origin::Runtime`]); `no-new-privileges`, the
//! read-only root filesystem and the user namespace are unknown (`None`: the daemon's
//! configuration decides); the user is the image's.
//!
//! - `user`: a numeric `uid[:gid]` gives `run_as_user`/`run_as_group` and `run_as_non_root =
//!   Some(uid != 0)`, written at the `user` value; `root` is uid 0; any other name is kept in
//!   `user_name` (the image's `/etc/passwd` decides its uid: `run_as_user` is `None`, written).
//! - `security_opt` (list, or mapping): `seccomp`, `apparmor`, `label`, `no-new-privileges`
//!   and `systempaths=unconfined` (unmasked `/proc`, `proc_mount = "Unmasked"`), with `:` or
//!   `=` after the option name.
//! - `volumes` (short `src:dst[:mode]` and long forms): a source starting with `/`, `./`,
//!   `../` or `~` is a bind mount, a synthesised [`VolumeKind::HostPath`] volume named by the
//!   path as written; a named volume whose top-level definition binds a host directory
//!   (`driver_opts: {o: bind, device: /srv}`) is one too; other named volumes are
//!   [`VolumeKind::Named`], anonymous ones `anonymous:<target>`; `tmpfs` entries and
//!   `type: tmpfs` volumes are [`VolumeKind::Tmpfs`] volumes named `tmpfs:<target>`.
//! - Published `ports` are not Kubernetes host ports (Docker forwards them through its
//!   proxy and NAT, the container stays in its own network namespace): `host_port` stays
//!   `None`.
//! - `environment` values that interpolate a variable (`${VAR}`, `$VAR`) are references
//!   (value `None`); `$$` is a literal `$`. `env_file` is not read (no I/O).
//! - `extends` within the same file is followed: the service's own value wins, sequences
//!   and mappings (capabilities, security options, volumes, environment, …) are merged, as
//!   Compose does; values taken from the base keep the base's spans. `extends` of another
//!   file is not followed.
//! - Extension fields (`x-…`) and YAML merge keys are resolved by the YAML reader; services
//!   named `x-…` are extensions, not services.

use std::collections::{HashMap, HashSet};

use rampart_yaml::{Node, Span};

use crate::model::*;
use crate::util::*;

/// How many `extends` hops are followed.
const MAX_EXTENDS: usize = 8;

/// Every service of a Compose file, in file order.
pub fn workloads(root: &Node) -> Vec<Workload> {
    let Some(services) = root.get("services").filter(|s| s.is_map()) else { return Vec::new() };
    let top_volumes = root.get("volumes").filter(|v| v.is_map());
    // By name, the last definition winning as in any mapping.
    let index: HashMap<&str, &Node> =
        services.entries().iter().filter_map(|e| Some((e.key.as_str()?, &e.value))).collect();
    services
        .entries()
        .iter()
        .filter_map(|e| {
            let name = e.key.as_str()?;
            if name.starts_with("x-") || !e.value.is_map() {
                return None;
            }
            Some(service(name, &e.key, &e.value, &Service::new(&index, &e.value), top_volumes))
        })
        .collect()
}

/// A service and the same-file services it `extends`, nearest first.
struct Service<'a> {
    chain: Vec<&'a Node>,
}

impl<'a> Service<'a> {
    fn new(services: &HashMap<&str, &'a Node>, node: &'a Node) -> Self {
        let mut chain = vec![node];
        let mut current = node;
        while chain.len() <= MAX_EXTENDS {
            let Some(ext) = current.get("extends") else { break };
            let base_name = match ext.as_string() {
                Some(name) => Some(name),
                None if ext.get("file").is_none() => ext.get_str("service"),
                None => None,
            };
            let Some(base) = base_name.and_then(|b| services.get(b).copied()).filter(|b| b.is_map()) else { break };
            if chain.iter().any(|n| std::ptr::eq(*n, base)) {
                break;
            }
            chain.push(base);
            current = base;
        }
        Service { chain }
    }

    /// The value of `key`: the service's own, else the nearest base's.
    fn get(&self, key: &str) -> Option<&'a Node> {
        self.chain.iter().find_map(|n| n.get(key).filter(|v| !v.is_null()))
    }

    fn path(&self, keys: &[&str]) -> Option<&'a Node> {
        self.chain.iter().find_map(|n| n.path(keys).filter(|v| !v.is_null()))
    }

    /// Every value of `key` along the chain, the service's own first.
    fn all(&self, key: &str) -> Vec<&'a Node> {
        self.chain.iter().filter_map(|n| n.get(key)).collect()
    }
}

/// A `NAME=value` list item or a `NAME: value` mapping entry.
struct Pair {
    name: String,
    name_span: Span,
    /// `None`: no value (`NAME` alone, `NAME:` null, a nested node).
    value: Option<String>,
    value_span: Span,
    span: Span,
}

/// The pairs of a list of `NAME=value` strings or of a mapping (labels, environment, sysctls).
fn pairs(node: &Node) -> Vec<Pair> {
    if node.is_map() {
        return node
            .entries()
            .iter()
            .filter_map(|e| {
                Some(Pair {
                    name: e.key.as_str()?.to_string(),
                    name_span: e.key.span.clone(),
                    value: e.value.as_string().map(str::to_string),
                    value_span: e.value.span.clone(),
                    span: entry_span(&e.key, &e.value),
                })
            })
            .collect();
    }
    node.items()
        .iter()
        .filter_map(|item| {
            let text = item.as_string()?;
            let ((ns, ne), value) = split_assignment(text);
            Some(Pair {
                name: text[ns..ne].to_string(),
                name_span: sub_span(item, ns, ne),
                value: value.map(|(vs, ve)| text[vs..ve].to_string()),
                value_span: value.map_or(item.span.clone(), |(vs, ve)| sub_span(item, vs, ve)),
                span: item.span.clone(),
            })
        })
        .collect()
}

/// Pairs of every node along the chain, the first of each name winning (Compose merges
/// mappings, the extending service's values overriding).
fn merged_pairs(nodes: &[&Node]) -> Vec<Pair> {
    let mut seen = HashSet::new();
    let mut out: Vec<Pair> = Vec::new();
    for n in nodes {
        for p in pairs(n) {
            if seen.insert(p.name.clone()) {
                out.push(p);
            }
        }
    }
    out
}

/// A scalar or every scalar item of a sequence.
fn strings(node: &Node) -> Vec<&Node> {
    if node.is_seq() { node.items().iter().filter(|i| i.as_string().is_some()).collect() } else { vec![node] }
}

/// The literal text of a Compose value, `None` when it interpolates a variable (`${VAR}`,
/// `$VAR`); `$$` is an escaped `$`.
pub fn literal(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('$') => {
                chars.next();
                out.push('$');
            }
            Some(n) if *n == '{' || *n == '_' || n.is_ascii_alphabetic() => return None,
            _ => out.push('$'),
        }
    }
    Some(out)
}

/// A bind-mount source: a path (absolute, relative, home, Windows) rather than a volume name.
fn is_host_path(src: &str) -> bool {
    let b = src.as_bytes();
    src.starts_with(['/', '.', '~', '\\'])
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
        || (src.starts_with('$') && src.contains('/'))
}

fn positive(setting: Option<Setting<String>>) -> Option<Setting<String>> {
    setting.filter(|s| s.value.trim().parse::<f64>().map_or(true, |v| v > 0.0))
}

#[derive(Default)]
struct SecurityOpts {
    seccomp: Option<Setting<Seccomp>>,
    apparmor: Option<Setting<AppArmor>>,
    selinux: SeLinux,
    no_new_privileges: Option<Setting<bool>>,
    unmasked_paths: Option<Span>,
}

fn truthy(value: &str) -> Option<bool> {
    match value.trim() {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn security_opts(nodes: &[&Node]) -> SecurityOpts {
    let mut out = SecurityOpts::default();
    for node in nodes {
        // (option, value, span of the whole option)
        let mut opts: Vec<(String, Option<String>, Span)> = Vec::new();
        if node.is_map() {
            for e in node.entries() {
                let Some(k) = e.key.as_str() else { continue };
                let span = if e.value.is_null() { e.key.span.clone() } else { entry_span(&e.key, &e.value) };
                opts.push((k.to_string(), e.value.as_string().map(str::to_string), span));
            }
        } else {
            for item in node.items() {
                let Some(text) = item.as_string() else { continue };
                let (k, v) = match text.find([':', '=']) {
                    Some(i) => (&text[..i], Some(text[i + 1..].to_string())),
                    None => (text, None),
                };
                opts.push((k.to_string(), v, item.span.clone()));
            }
        }
        for (key, value, span) in opts {
            let value = value.map(|v| v.trim().to_string());
            match (key.trim().to_ascii_lowercase().as_str(), value.as_deref()) {
                ("seccomp", Some(v)) if !v.is_empty() && out.seccomp.is_none() => {
                    let profile = match v {
                        "unconfined" => Seccomp::Unconfined,
                        "builtin" | "default" => Seccomp::RuntimeDefault,
                        path => Seccomp::Localhost(path.to_string()),
                    };
                    out.seccomp = Some(Setting::explicit(profile, span));
                }
                ("apparmor", Some(v)) if !v.is_empty() && out.apparmor.is_none() => {
                    let profile = match v {
                        "unconfined" => AppArmor::Unconfined,
                        "docker-default" => AppArmor::RuntimeDefault,
                        name => AppArmor::Localhost(name.to_string()),
                    };
                    out.apparmor = Some(Setting::explicit(profile, span));
                }
                ("label", Some(v)) => {
                    let (field, label) = v.split_once(':').unwrap_or((v, ""));
                    let setting = || Some(Setting::explicit(label.to_string(), span.clone()));
                    let s = &mut out.selinux;
                    match field {
                        "disable" if s.disabled.is_none() => s.disabled = Some(span.clone()),
                        "user" if s.user.is_none() => s.user = setting(),
                        "role" if s.role.is_none() => s.role = setting(),
                        "type" if s.type_.is_none() => s.type_ = setting(),
                        "level" if s.level.is_none() => s.level = setting(),
                        _ => {}
                    }
                }
                ("no-new-privileges", v) if out.no_new_privileges.is_none() => {
                    let on = match v {
                        None | Some("") => Some(true),
                        Some(v) => truthy(v),
                    };
                    out.no_new_privileges = on.map(|on| Setting::explicit(on, span));
                }
                ("systempaths", Some("unconfined")) if out.unmasked_paths.is_none() => out.unmasked_paths = Some(span),
                _ => {}
            }
        }
    }
    out
}

/// The parts of `text` between `:`, as byte ranges (a Windows drive `C:\` stays whole).
fn colon_parts(text: &str) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == ':' {
            parts.push((start, i));
            start = i + 1;
        }
    }
    parts.push((start, text.len()));
    if parts.len() >= 2 && parts[0].1 - parts[0].0 == 1 && text[parts[1].0..].starts_with('\\') {
        let drive = parts.remove(0);
        parts[0].0 = drive.0;
    }
    parts
}

struct Mounts<'a> {
    top_volumes: Option<&'a Node>,
    volumes: Vec<Volume>,
    mounts: Vec<Mount>,
    volume_names: HashSet<String>,
    targets: HashSet<String>,
}

impl Mounts<'_> {
    fn add(&mut self, volume: Volume, target: String, read_only: Setting<bool>, span: Span) {
        let name = volume.name.clone();
        if self.volume_names.insert(name.clone()) {
            self.volumes.push(volume);
        }
        // The first mount at a target wins (the service's own over its base's).
        if self.targets.insert(target.clone()) {
            self.mounts.push(Mount { volume: name, target, read_only, span });
        }
    }

    /// A named volume: a host directory when its top-level definition binds one.
    fn named(&self, name: &str) -> Option<VolumeKind> {
        let opts = self.top_volumes?.get(name)?.get("driver_opts")?;
        let bind = opts.get_str("o")?.split(',').any(|o| matches!(o.trim(), "bind" | "rbind"));
        let device = opts.get("device")?;
        bind.then(|| VolumeKind::HostPath {
            path: device.as_string().unwrap_or("").to_string(),
            path_span: device.span.clone(),
        })
    }

    fn anonymous(item: &Node, target: &str) -> Volume {
        Volume {
            name: format!("anonymous:{target}"),
            kind: VolumeKind::Named,
            span: item.span.clone(),
            kind_span: item.span.clone(),
        }
    }

    fn bind(item: &Node, src: &str, src_span: Span) -> Volume {
        Volume {
            name: src.to_string(),
            kind: VolumeKind::HostPath { path: src.to_string(), path_span: src_span.clone() },
            span: item.span.clone(),
            kind_span: src_span,
        }
    }

    fn named_volume(&self, item: &Node, src: &str, src_span: Span) -> Volume {
        Volume {
            name: src.to_string(),
            kind: self.named(src).unwrap_or(VolumeKind::Named),
            span: item.span.clone(),
            kind_span: src_span,
        }
    }

    fn short(&mut self, item: &Node) {
        let Some(text) = item.as_string() else { return };
        let parts = colon_parts(text);
        let part = |(s, e): (usize, usize)| &text[s..e];
        // `dst`, `dst:mode`, `src:dst`, `src:dst:mode`.
        let (src, dst, mode) = match parts.as_slice() {
            [d] => (None, *d, None),
            [a, b] if !part(*b).starts_with('/') && !part(*b).starts_with('\\') && !part(*b).contains('/') => {
                (None, *a, Some(*b))
            }
            [a, b] => (Some(*a), *b, None),
            [a, b, m, ..] => (Some(*a), *b, Some((m.0, text.len()))),
            [] => return,
        };
        let target = part(dst).to_string();
        let read_only = match mode {
            Some(m) => {
                let opts: Vec<&str> = part(m).split(',').map(str::trim).collect();
                let span = sub_span(item, m.0, m.1);
                if opts.contains(&"ro") || opts.contains(&"readonly") {
                    Setting::explicit(true, span)
                } else if opts.contains(&"rw") {
                    Setting::explicit(false, span)
                } else {
                    Setting::runtime(false)
                }
            }
            None => Setting::runtime(false),
        };
        let volume = match src {
            Some(s) if is_host_path(part(s)) => Self::bind(item, part(s), sub_span(item, s.0, s.1)),
            Some(s) => self.named_volume(item, part(s), sub_span(item, s.0, s.1)),
            None => Self::anonymous(item, &target),
        };
        self.add(volume, target, read_only, item.span.clone());
    }

    fn long(&mut self, item: &Node) {
        let source = item.get("source").filter(|s| s.as_string().is_some());
        let src = source.and_then(Node::as_string).unwrap_or("");
        let src_span = source.map_or(item.span.clone(), |s| s.span.clone());
        let target = item.get_str("target").unwrap_or("").to_string();
        let ty = item.get_str("type").unwrap_or(if is_host_path(src) { "bind" } else { "volume" });
        let volume = match ty {
            // A Windows named pipe (`\\.\pipe\docker_engine`) is a host resource like a socket.
            "bind" | "npipe" => Self::bind(item, src, src_span),
            "volume" if src.is_empty() => Self::anonymous(item, &target),
            "volume" => self.named_volume(item, src, src_span),
            "tmpfs" => Volume {
                name: format!("tmpfs:{target}"),
                kind: VolumeKind::Tmpfs,
                span: item.span.clone(),
                kind_span: item.get("type").map_or(item.span.clone(), |t| t.span.clone()),
            },
            other => Volume {
                name: if src.is_empty() { format!("{other}:{target}") } else { src.to_string() },
                kind: VolumeKind::Other(other.to_string()),
                span: item.span.clone(),
                kind_span: item.get("type").map_or(item.span.clone(), |t| t.span.clone()),
            },
        };
        let read_only = bool_at(item, "read_only").unwrap_or(Setting::runtime(false));
        self.add(volume, target, read_only, item.span.clone());
    }

    fn tmpfs(&mut self, item: &Node) {
        let Some(text) = item.as_string() else { return };
        let target = text.split(':').next().unwrap_or("").trim().to_string();
        let volume = Volume {
            name: format!("tmpfs:{target}"),
            kind: VolumeKind::Tmpfs,
            span: item.span.clone(),
            kind_span: item.span.clone(),
        };
        self.add(volume, target, Setting::runtime(false), item.span.clone());
    }
}

/// The `user` of a service, read into the posture's user settings.
struct User {
    run_as_user: Setting<Option<i64>>,
    run_as_group: Setting<Option<i64>>,
    run_as_non_root: Setting<Option<bool>>,
    name: Option<Setting<String>>,
}

fn user(node: Option<&Node>) -> User {
    let Some((node, text)) = node.and_then(|n| n.as_string().map(|t| (n, t))) else {
        // Unset: the image's `USER` decides.
        return User {
            run_as_user: Setting::image(None),
            run_as_group: Setting::image(None),
            run_as_non_root: Setting::runtime(None),
            name: None,
        };
    };
    let span = node.span.clone();
    if literal(text).is_none() {
        // `${UID}:${GID}`: written, but unknown here.
        return User {
            run_as_user: Setting::explicit(None, span.clone()),
            run_as_group: Setting::explicit(None, span.clone()),
            run_as_non_root: Setting::explicit(None, span),
            name: None,
        };
    }
    let (u, g) = match text.find(':') {
        Some(i) => ((0, i), Some((i + 1, text.len()))),
        None => ((0, text.len()), None),
    };
    let id = |(s, e): (usize, usize)| -> Option<i64> {
        let t = text[s..e].trim();
        if t == "root" { Some(0) } else { t.parse().ok() }
    };
    let uid = id(u);
    let name = text[u.0..u.1].trim();
    User {
        run_as_user: Setting::explicit(uid, sub_span(node, u.0, u.1)),
        run_as_group: match g {
            Some(g) => Setting::explicit(id(g), sub_span(node, g.0, g.1)),
            None => Setting::image(None),
        },
        run_as_non_root: Setting::explicit(uid.map(|u| u != 0), span),
        name: (uid.is_none() || name == "root").then(|| Setting::explicit(name.to_string(), sub_span(node, u.0, u.1))),
    }
}

fn host_mode(svc: &Service<'_>, key: &str) -> Setting<bool> {
    match svc.get(key) {
        Some(n) => Setting::explicit(n.as_str().is_some_and(|v| v.trim() == "host"), n.span.clone()),
        None => Setting::runtime(false),
    }
}

fn healthcheck(svc: &Service<'_>) -> Option<Span> {
    let h = svc.get("healthcheck").filter(|h| h.is_map())?;
    if h.get("disable").and_then(bool_setting).is_some_and(|d| d.value) {
        return None;
    }
    let none = |n: &Node| n.as_str().is_some_and(|t| t.trim() == "NONE");
    if let Some(test) = h.get("test")
        && (none(test) || test.items().first().is_some_and(none))
    {
        return None;
    }
    Some(h.span.clone())
}

fn ulimits(node: Option<&Node>) -> Vec<Ulimit> {
    let Some(node) = node else { return Vec::new() };
    node.entries()
        .iter()
        .filter_map(|e| {
            let name = e.key.as_str()?.trim().to_ascii_lowercase();
            let (soft, hard) = if e.value.is_map() {
                (e.value.get("soft").and_then(int), e.value.get("hard").and_then(int))
            } else {
                let v = int(&e.value);
                (v, v)
            };
            Some(Ulimit { name, soft, hard, span: entry_span(&e.key, &e.value) })
        })
        .collect()
}

fn port(item: &Node) -> Port {
    let container_port = if item.is_map() {
        item.get("target").and_then(int)
    } else {
        item.as_str().and_then(|s| {
            let last = s.rsplit(':').next()?;
            let last = last.split('/').next()?;
            last.split('-').next()?.trim().parse().ok()
        })
    };
    Port { container_port, host_port: None, span: item.span.clone() }
}

fn device(item: &Node) -> Option<Setting<String>> {
    if item.is_map() {
        let src = item.get("source")?;
        return Some(Setting::explicit(src.as_string()?.to_string(), src.span.clone()));
    }
    let text = item.as_string()?;
    let end = if text.starts_with('/') { text.find(':').unwrap_or(text.len()) } else { text.len() };
    Some(Setting::explicit(text[..end].to_string(), sub_span(item, 0, end)))
}

fn service(name: &str, key: &Node, node: &Node, svc: &Service<'_>, top_volumes: Option<&Node>) -> Workload {
    // A service written as an alias (`web: *base`) is where its key is.
    let span = if node.borrowed { key.span.clone() } else { entry_span(key, node) };
    let anchor = key.span.clone();

    let mut add: Vec<Setting<String>> = Vec::new();
    let mut drop: Vec<Setting<String>> = Vec::new();
    for (field, list) in [("cap_add", &mut add), ("cap_drop", &mut drop)] {
        let mut seen = HashSet::new();
        for n in svc.all(field) {
            for item in strings(n) {
                let Some(text) = item.as_string() else { continue };
                let cap = normalize_capability(text);
                if !cap.is_empty() && seen.insert(cap.clone()) {
                    list.push(Setting::explicit(cap, item.span.clone()));
                }
            }
        }
    }

    let security_opt_nodes = svc.all("security_opt");
    let opts = security_opts(&security_opt_nodes);
    let user = user(svc.get("user"));

    let mut mounts = Mounts {
        top_volumes,
        volumes: Vec::new(),
        mounts: Vec::new(),
        volume_names: HashSet::new(),
        targets: HashSet::new(),
    };
    for n in svc.all("volumes") {
        for item in n.items() {
            if item.is_map() {
                mounts.long(item);
            } else {
                mounts.short(item);
            }
        }
    }
    for n in svc.all("tmpfs") {
        for item in strings(n) {
            mounts.tmpfs(item);
        }
    }

    let env = merged_pairs(&svc.all("environment"))
        .into_iter()
        .map(|p| EnvVar {
            name: p.name,
            name_span: p.name_span,
            value: p.value.and_then(|v| literal(&v)).map(|v| Setting::explicit(v, p.value_span)),
            span: p.span,
        })
        .collect();

    let limits = svc.path(&["deploy", "resources", "limits"]);
    let reservations = svc.path(&["deploy", "resources", "reservations"]);
    let at = |parent: Option<&Node>, key: &str| parent.and_then(|p| p.get(key)).and_then(explicit_str);
    let own = |key: &str| svc.get(key).and_then(explicit_str);
    let resources = Resources {
        cpu_request: positive(at(reservations, "cpus")),
        cpu_limit: positive(at(limits, "cpus").or_else(|| own("cpus"))),
        memory_request: positive(at(reservations, "memory").or_else(|| own("mem_reservation"))),
        memory_limit: positive(at(limits, "memory").or_else(|| own("mem_limit"))),
        pids_limit: positive(at(limits, "pids").or_else(|| own("pids_limit"))),
    };

    let sysctls = merged_pairs(&svc.all("sysctls"))
        .into_iter()
        .map(|p| (Setting::explicit(p.name, p.name_span), Setting::explicit(p.value.unwrap_or_default(), p.value_span)))
        .collect();
    let string_pairs = |key: &str| -> Vec<(String, Setting<String>)> {
        merged_pairs(&svc.all(key))
            .into_iter()
            .map(|p| (p.name, Setting::explicit(p.value.unwrap_or_default(), p.value_span)))
            .collect()
    };

    let container = ContainerPosture {
        name: name.to_string(),
        role: ContainerRole::Service,
        span: span.clone(),
        anchor: anchor.clone(),
        security_context: security_opt_nodes.first().map(|n| n.span.clone()),
        image: svc.get("image").and_then(explicit_str),
        privileged: svc.get("privileged").and_then(bool_setting).unwrap_or(Setting::runtime(false)),
        allow_privilege_escalation: optional(
            opts.no_new_privileges.map(|s| Setting { value: !s.value, origin: s.origin }),
            Setting::runtime(None),
        ),
        run_as_non_root: user.run_as_non_root,
        run_as_user: user.run_as_user,
        run_as_group: user.run_as_group,
        user_name: user.name,
        read_only_root_filesystem: optional(svc.get("read_only").and_then(bool_setting), Setting::runtime(None)),
        capabilities_add: add,
        capabilities_drop: drop,
        seccomp: opts.seccomp.unwrap_or(Setting::runtime(Seccomp::RuntimeDefault)),
        apparmor: opts.apparmor.unwrap_or(Setting::runtime(AppArmor::RuntimeDefault)),
        selinux: opts.selinux,
        proc_mount: match opts.unmasked_paths {
            Some(span) => Setting::explicit(Some("Unmasked".to_string()), span),
            None => Setting::runtime(None),
        },
        windows_host_process: Setting::runtime(None),
        ports: svc.all("ports").into_iter().flat_map(|n| n.items().iter().map(port)).collect(),
        mounts: mounts.mounts,
        resources,
        probes: Probes { liveness: healthcheck(svc), readiness: None, startup: None },
        env,
        devices: svc.all("devices").into_iter().flat_map(|n| n.items().iter().filter_map(device)).collect(),
        kernel_mounts: Vec::new(),
        ulimits: ulimits(svc.get("ulimits")),
        build: svc.get("build").map(|b| match b.as_string() {
            Some(context) => (context.to_string(), None),
            None => (b.get_str("context").unwrap_or(".").to_string(), b.get_str("dockerfile").map(str::to_string)),
        }),
    };

    Workload {
        format: Format::Compose,
        kind: "service".to_string(),
        name: name.to_string(),
        namespace: None,
        span,
        anchor,
        pod_spec: None,
        host_network: host_mode(svc, "network_mode"),
        host_pid: host_mode(svc, "pid"),
        host_ipc: host_mode(svc, "ipc"),
        host_users: match svc.get("userns_mode") {
            Some(n) => Setting::explicit(Some(n.as_str().is_some_and(|v| v.trim() == "host")), n.span.clone()),
            None => Setting::runtime(None),
        },
        os: None,
        host_uts: host_mode(svc, "uts"),
        host_cgroup: host_mode(svc, "cgroup"),
        host_mount: Setting::runtime(false),
        volumes: mounts.volumes,
        sysctls,
        // Compose never mounts a Kubernetes service account token.
        automount_service_account_token: Setting::runtime(Some(false)),
        service_account: None,
        host_aliases: svc.get("extra_hosts").map(|h| h.span.clone()),
        pod: PodSecurity::default(),
        annotations: string_pairs("annotations"),
        labels: string_pairs("labels"),
        containers: vec![container],
    }
}

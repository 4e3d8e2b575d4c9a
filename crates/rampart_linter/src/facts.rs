//! What is known about the images workloads run, so fixes can be safe instead of merely
//! hopeful: an image built by a Dockerfile in the same tree (a Compose service's `build:`
//! context, or a Dockerfile whose directory has the image's name), or one the user names
//! with `--image NAME=DOCKERFILE`. Its user, exposed ports and volumes decide, for example,
//! whether `runAsNonRoot: true` can break the workload (a numeric non-root `USER` means it
//! cannot) and whether `NET_BIND_SERVICE` must stay (a port below 1024).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use rampart_dockerfile::Body;

/// Facts about one image, read from the Dockerfile that builds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageFacts {
    /// The Dockerfile the facts come from, as shown to users.
    pub source: String,
    /// The final image's last `USER`, expanded (`None`: no `USER`, the base image decides).
    pub user: Option<String>,
    /// The numeric UID of that user: written as a number, or given by `useradd -u` /
    /// `adduser -u` in the same Dockerfile.
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// `EXPOSE`d ports.
    pub ports: Vec<u16>,
    /// `VOLUME` paths: the image expects them to be writable mounts.
    pub volumes: Vec<String>,
    /// The final `WORKDIR`.
    pub workdir: Option<String>,
}

impl ImageFacts {
    /// Reads the facts of the image a Dockerfile builds (its final stage and the stages it
    /// is built `FROM`). Never fails: unknown stays `None`.
    pub fn from_dockerfile(source: &str, text: &str) -> ImageFacts {
        let df = rampart_dockerfile::parse(text);
        let stages = df.stages();
        let scopes = df.scopes(&stages);
        let mut facts = ImageFacts { source: source.to_string(), ..ImageFacts::default() };
        let Some(last) = stages.last() else { return facts };
        // The chain of stages the final image is built FROM, root first.
        let mut chain = vec![last.index];
        while let Some(rampart_dockerfile::StageRef::Stage(p)) = chain.last().map(|&i| &stages[i].base) {
            if chain.contains(p) {
                break;
            }
            chain.push(*p);
        }
        chain.reverse();
        let mut uids: HashMap<String, (u32, Option<u32>)> = HashMap::new();
        for &s in &chain {
            for i in stages[s].body() {
                let instr = &df.instructions[i];
                let scope = scopes.at(i);
                match &instr.body {
                    Body::User(w) => {
                        let e = scope.expand(&w.raw, df.escape);
                        facts.user = e.is_complete().then_some(e.value);
                    }
                    Body::Expose(ports) => {
                        for p in ports {
                            let v = scope.expand(&p.raw, df.escape).value;
                            let number = v.split('/').next().unwrap_or("");
                            let number = number.split('-').next().unwrap_or("");
                            if let Ok(port) = number.parse::<u16>() {
                                facts.ports.push(port);
                            }
                        }
                    }
                    Body::Volume(paths) => facts.volumes.extend(paths.iter().map(|p| p.value.clone())),
                    Body::Workdir(w) => {
                        let e = scope.expand(&w.raw, df.escape);
                        if e.is_complete() {
                            facts.workdir = Some(e.value);
                        }
                    }
                    Body::Run(_) => {
                        for script in instr.shell_scripts() {
                            for cmd in rampart_shell::parse(script.as_str()).commands {
                                let argv = rampart_shell::effective_argv(&cmd.words);
                                record_user_creation(argv, &mut uids);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(user) = &facts.user {
            let (name, group) = match user.split_once(':') {
                Some((u, g)) => (u, Some(g)),
                None => (user.as_str(), None),
            };
            facts.uid = name.parse().ok().or_else(|| uids.get(name).map(|(u, _)| *u));
            facts.gid = group
                .and_then(|g| g.parse().ok())
                .or_else(|| uids.get(name).and_then(|(_, g)| *g))
                .or(facts.uid.filter(|_| group.is_none()));
        }
        facts
    }

    /// The image is known to run as a non-root UID.
    pub fn runs_as_non_root(&self) -> bool {
        self.uid.is_some_and(|u| u != 0)
    }

    /// The image listens on a port below 1024 (and so needs `NET_BIND_SERVICE` as non-root).
    pub fn needs_low_port(&self) -> bool {
        self.ports.iter().any(|p| *p < 1024)
    }
}

/// `useradd -u 10001 app`, `adduser -D -u 10001 app`: the UID (and GID) of a named user.
fn record_user_creation(argv: &[rampart_shell::Word], uids: &mut HashMap<String, (u32, Option<u32>)>) {
    let Some(program) = argv.first().map(|w| w.basename()) else { return };
    if program != "useradd" && program != "adduser" {
        return;
    }
    let mut uid = None;
    let mut gid = None;
    let mut name = None;
    let mut i = 1;
    while i < argv.len() {
        let v = argv[i].value.as_str();
        let next = argv.get(i + 1).map(|w| w.value.as_str());
        match v {
            "-u" | "--uid" => {
                uid = next.and_then(|n| n.parse().ok());
                i += 2;
                continue;
            }
            "-g" | "--gid" => {
                gid = next.and_then(|n| n.parse().ok());
                i += 2;
                continue;
            }
            _ if v.starts_with("--uid=") => uid = v[6..].parse().ok(),
            _ if v.starts_with("-u") && v.len() > 2 && v[2..].chars().all(|c| c.is_ascii_digit()) => {
                uid = v[2..].parse().ok()
            }
            // Options of useradd/adduser that take a value.
            "-d" | "-s" | "-c" | "-G" | "-k" | "-e" | "-f" | "-h" | "--home" | "--shell" | "--gecos" | "--ingroup"
            | "--home-dir" | "--groups" => {
                i += 2;
                continue;
            }
            _ if v.starts_with('-') => {}
            _ => name = Some(v.to_string()),
        }
        i += 1;
    }
    if let (Some(name), Some(uid)) = (name, uid) {
        uids.insert(name, (uid, gid));
    }
}

/// Lexically normalised path (no `.`, `..` resolved where possible), for matching.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// Facts about the images of a run.
#[derive(Clone, Debug, Default)]
pub struct ImageCatalog {
    /// By image reference as the user gave it (`--image`): exact reference, then repository.
    named: HashMap<String, ImageFacts>,
    /// By the directory holding the Dockerfile (normalised, as paths are shown).
    by_dir: HashMap<PathBuf, ImageFacts>,
    /// By directory name, for directories whose name no other Dockerfile directory shares.
    by_dir_name: HashMap<String, Option<ImageFacts>>,
}

impl ImageCatalog {
    pub fn is_empty(&self) -> bool {
        self.named.is_empty() && self.by_dir.is_empty()
    }

    /// An image the user named (`--image NAME=DOCKERFILE`).
    pub fn insert_named(&mut self, name: &str, facts: ImageFacts) {
        self.named.insert(name.to_string(), facts);
    }

    /// A Dockerfile found in the tree, by its path as shown.
    pub fn insert_dockerfile(&mut self, path: &Path, facts: ImageFacts) {
        let dir = normalize(path.parent().unwrap_or(Path::new("")));
        // The same Dockerfile may come twice (found in the tree, and as a Compose build
        // context): only another directory of the same name makes the name ambiguous.
        let known = self.by_dir.contains_key(&dir);
        if let Some(name) = dir.file_name().and_then(|n| n.to_str()) {
            match self.by_dir_name.get_mut(name) {
                Some(entry) if known => {
                    if entry.is_some() {
                        *entry = Some(facts.clone());
                    }
                }
                Some(entry) => *entry = None,
                None => {
                    self.by_dir_name.insert(name.to_string(), Some(facts.clone()));
                }
            }
        }
        self.by_dir.insert(dir, facts);
    }

    /// The facts of a Compose build context (`manifest` is the Compose file's path as
    /// shown, `context` its `build` value).
    pub fn for_build_context(&self, manifest: &str, context: &str) -> Option<&ImageFacts> {
        let base = Path::new(manifest).parent().unwrap_or(Path::new(""));
        self.by_dir.get(&normalize(&base.join(context)))
    }

    /// The facts of an image reference: one named with `--image` (exact, then without tag
    /// or digest), or the Dockerfile whose directory is called like the image's last path
    /// component (when only one directory has that name).
    pub fn for_image(&self, image: &str) -> Option<&ImageFacts> {
        if let Some(f) = self.named.get(image) {
            return Some(f);
        }
        let r = rampart_dockerfile::ImageRef::parse(image)?;
        let bare = match &r.registry {
            Some(reg) => format!("{reg}/{}", r.repository),
            None => r.repository.clone(),
        };
        if let Some(f) = self.named.get(&bare).or_else(|| self.named.get(&r.canonical_repository())) {
            return Some(f);
        }
        self.by_dir_name.get(r.short_name()).and_then(|f| f.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_from_a_dockerfile() {
        let f = ImageFacts::from_dockerfile(
            "api/Dockerfile",
            "FROM golang:1.23 AS build\nUSER root\nFROM debian:12-slim AS base\nRUN useradd -u 10001 -g 10001 app\nUSER app\nFROM base\nEXPOSE 80/tcp 8080\nVOLUME /data\nWORKDIR /srv\n",
        );
        assert_eq!(f.user.as_deref(), Some("app"));
        assert_eq!((f.uid, f.gid), (Some(10001), Some(10001)));
        assert_eq!(f.ports, [80, 8080]);
        assert!(f.runs_as_non_root() && f.needs_low_port());
        assert_eq!(f.volumes, ["/data"]);
        assert_eq!(f.workdir.as_deref(), Some("/srv"));
        let root = ImageFacts::from_dockerfile("x", "FROM debian:12\nUSER 0\n");
        assert!(!root.runs_as_non_root());
    }

    #[test]
    fn catalog_lookups() {
        let mut c = ImageCatalog::default();
        let f = ImageFacts { uid: Some(1000), ..ImageFacts::default() };
        c.insert_dockerfile(Path::new("./services/api/Dockerfile"), f.clone());
        c.insert_dockerfile(Path::new("services/web/Dockerfile"), f.clone());
        c.insert_dockerfile(Path::new("legacy/web/Dockerfile"), f.clone());
        assert!(c.for_image("registry.example.com/shop/api:1.2").is_some());
        // Two directories are called `web`: no guess.
        assert!(c.for_image("web:1").is_none());
        // The same directory twice (found in the tree, then as a build context) is no second one.
        c.insert_dockerfile(Path::new("services/api/Dockerfile"), f.clone());
        assert!(c.for_image("registry.example.com/shop/api:1.2").is_some());
        assert!(c.for_build_context("services/compose.yaml", "./api").is_some());
        assert!(c.for_build_context("compose.yaml", "services/web").is_some());
        c.insert_named("ghcr.io/acme/worker", f);
        assert!(c.for_image("ghcr.io/acme/worker:2.0").is_some());
    }
}

//! Image fixtures: `tests/fixtures/IMNNN.txt` cases describe an image in text; the harness
//! writes it as a real OCI image layout (uncompressed tar layers written with the `tar`
//! crate, config, manifest and `index.json` with sha256 digests) in a temporary directory
//! and scans it with `rampart_image::scan_reference`, so fixtures go through the real layer
//! walker (whiteouts, capabilities, link resolution, secret scanning, catalogers).
//!
//! ```text
//! ### fail: what the case shows
//! #! [images.allow]                      <- optional rampart.toml lines, as in every fixture
//! #! shells = ["sh"]
//! reference: registry.example/app:1.0    <- the reference the user gave (default: the case name)
//! tag: 1.0                               <- the layout's tag (default `1.0`; `tag:` alone: none)
//! config: {"config": {"User": "0"}}      <- merged into {"architecture","os","config":{}}
//! history: ENV A=b                       <- a history entry that made no layer
//! layer: RUN apt-get install -y curl     <- starts a layer; the text is its `created_by`
//! dir /app 0755 0:0
//! file /usr/bin/bash 0755 0:0 size=1200  <- zero-filled content of that size
//! file /usr/bin/ping 0755 0:0 caps=cap_net_raw+ep
//! file /app/.env 0644 10001:10001 <<END  <- content up to a line `END`
//! DB_PASSWORD=hunter2
//! END
//! symlink /bin/sh dash                   <- target as written (relative or absolute)
//! hardlink /usr/bin/b /usr/bin/a         <- a hard link to an earlier path
//! whiteout /root/.aws/credentials        <- `.wh.credentials`: deleted from lower layers
//! opaque /app                            <- `.wh..wh..opq`: lower contents of /app hidden
//! ```
//!
//! Mode is octal (`4755` for setuid), owner `uid:gid`. `config:` may continue on the
//! following lines until a line `end`.

use std::path::Path;

use rampart_image::Digest;
use serde_json::{Value, json};

#[derive(Debug, Default)]
struct Layer {
    entries: Vec<Entry>,
}

#[derive(Debug)]
enum Entry {
    File { path: String, mode: u32, uid: u64, gid: u64, content: Vec<u8>, caps: Option<Vec<u8>> },
    Dir { path: String, mode: u32, uid: u64, gid: u64 },
    Symlink { path: String, target: String },
    Hardlink { path: String, target: String },
    Whiteout(String),
    Opaque(String),
}

/// A parsed image fixture.
#[derive(Debug)]
pub struct ImageFixture {
    pub reference: Option<String>,
    pub tag: Option<String>,
    config: Value,
    /// `(created_by, makes a layer)` in order.
    history: Vec<(String, bool)>,
    layers: Vec<Layer>,
}

fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, p) => *b = p,
    }
}

fn owner(text: &str, line: &str) -> (u64, u64) {
    let (u, g) = text.split_once(':').unwrap_or_else(|| panic!("bad owner in `{line}`"));
    (
        u.parse().unwrap_or_else(|_| panic!("bad uid in `{line}`")),
        g.parse().unwrap_or_else(|_| panic!("bad gid in `{line}`")),
    )
}

/// `cap_net_raw,cap_sys_admin+ep` as `vfs_cap_data` revision 2.
fn encode_caps(text: &str) -> Vec<u8> {
    let (names, flags) = text.split_once(['+', '=']).unwrap_or((text, "ep"));
    let mut permitted = [0u32; 2];
    let mut inheritable = [0u32; 2];
    for name in names.split(',') {
        let n = rampart_image::fs::CAPABILITY_NAMES
            .iter()
            .position(|c| *c == name)
            .unwrap_or_else(|| panic!("unknown capability {name}"));
        if flags.contains('p') {
            permitted[n / 32] |= 1 << (n % 32);
        }
        if flags.contains('i') {
            inheritable[n / 32] |= 1 << (n % 32);
        }
    }
    let magic: u32 = 0x0200_0000 | u32::from(flags.contains('e'));
    let mut out = Vec::new();
    for word in [magic, permitted[0], inheritable[0], permitted[1], inheritable[1]] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    out
}

impl ImageFixture {
    pub fn parse(source: &str) -> ImageFixture {
        let mut fx = ImageFixture {
            reference: None,
            tag: Some("1.0".into()),
            config: json!({"architecture": "amd64", "os": "linux", "config": {}}),
            history: Vec::new(),
            layers: Vec::new(),
        };
        let mut lines = source.lines();
        while let Some(line) = lines.next() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with("//") {
                continue;
            }
            if let Some(r) = trimmed.strip_prefix("reference:") {
                fx.reference = Some(r.trim().to_string());
            } else if let Some(t) = trimmed.strip_prefix("tag:") {
                fx.tag = Some(t.trim().to_string()).filter(|t| !t.is_empty());
            } else if let Some(c) = trimmed.strip_prefix("config:") {
                let mut text = c.to_string();
                if serde_json::from_str::<Value>(&text).is_err() {
                    for more in lines.by_ref() {
                        if more.trim() == "end" {
                            break;
                        }
                        text.push('\n');
                        text.push_str(more);
                    }
                }
                let patch: Value =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad config JSON: {e}\n{text}"));
                merge(&mut fx.config, patch);
            } else if let Some(h) = trimmed.strip_prefix("history:") {
                fx.history.push((h.trim().to_string(), false));
            } else if let Some(l) = trimmed.strip_prefix("layer:") {
                fx.history.push((l.trim().to_string(), true));
                fx.layers.push(Layer { entries: Vec::new() });
            } else {
                let layer = fx.layers.last_mut().unwrap_or_else(|| panic!("`{line}` before any `layer:`"));
                let words: Vec<&str> = trimmed.split_whitespace().collect();
                let entry = match words.as_slice() {
                    ["file", path, mode, own, rest @ ..] => {
                        let (uid, gid) = owner(own, line);
                        let mut content = Vec::new();
                        let mut caps = None;
                        for word in rest {
                            if let Some(size) = word.strip_prefix("size=") {
                                content = vec![0u8; size.parse().expect("size")];
                            } else if let Some(c) = word.strip_prefix("caps=") {
                                caps = Some(encode_caps(c));
                            } else if let Some(end) = word.strip_prefix("<<") {
                                let mut text = String::new();
                                for more in lines.by_ref() {
                                    if more == end {
                                        break;
                                    }
                                    text.push_str(more);
                                    text.push('\n');
                                }
                                content = text.into_bytes();
                            } else {
                                panic!("unknown file attribute `{word}` in `{line}`");
                            }
                        }
                        let mode = u32::from_str_radix(mode, 8).expect("octal mode");
                        Entry::File { path: path.to_string(), mode, uid, gid, content, caps }
                    }
                    ["dir", path, mode, own] => {
                        let (uid, gid) = owner(own, line);
                        Entry::Dir {
                            path: path.to_string(),
                            mode: u32::from_str_radix(mode, 8).expect("octal"),
                            uid,
                            gid,
                        }
                    }
                    ["symlink", path, target] => Entry::Symlink { path: path.to_string(), target: target.to_string() },
                    ["hardlink", path, target] => {
                        Entry::Hardlink { path: path.to_string(), target: target.to_string() }
                    }
                    ["whiteout", path] => Entry::Whiteout(path.to_string()),
                    ["opaque", path] => Entry::Opaque(path.to_string()),
                    _ => panic!("cannot read image fixture line `{line}`"),
                };
                layer.entries.push(entry);
            }
        }
        fx
    }

    /// Writes the OCI layout into `dir`.
    pub fn write_layout(&self, dir: &Path) {
        let blobs = dir.join("blobs/sha256");
        std::fs::create_dir_all(&blobs).unwrap();
        let put = |bytes: &[u8]| -> (String, usize) {
            let digest = Digest::sha256_of(bytes);
            std::fs::write(blobs.join(digest.hex()), bytes).unwrap();
            (format!("sha256:{}", digest.hex()), bytes.len())
        };
        let mut layer_descs = Vec::new();
        let mut diff_ids = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for layer in &self.layers {
            let tar = layer_tar(layer, &mut seen);
            let (digest, size) = put(&tar);
            diff_ids.push(Value::String(digest.clone()));
            layer_descs
                .push(json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": size}));
        }
        let mut config = self.config.clone();
        config["rootfs"] = json!({"type": "layers", "diff_ids": diff_ids});
        if config.get("history").is_none() {
            let history: Vec<Value> = self
                .history
                .iter()
                .map(|(created_by, layer)| {
                    let mut h = json!({"created": "2025-05-20T00:00:00Z", "created_by": created_by});
                    if !layer {
                        h["empty_layer"] = Value::Bool(true);
                    }
                    h
                })
                .collect();
            config["history"] = Value::Array(history);
        }
        let (config_digest, config_size) = put(&serde_json::to_vec(&config).unwrap());
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
            "layers": layer_descs,
        });
        let (manifest_digest, manifest_size) = put(&serde_json::to_vec(&manifest).unwrap());
        let mut descriptor = json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest_size});
        if let Some(tag) = &self.tag {
            descriptor["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
        }
        let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [descriptor]});
        std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
        std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    }

    /// Writes the layout in a temporary directory, scans it, and names it as the fixture says.
    pub fn scan(&self, default_reference: &str) -> rampart_image::ImageScan {
        let dir = tempfile::tempdir().unwrap();
        self.write_layout(dir.path());
        let mut image = rampart_image::scan_reference(
            dir.path().to_str().unwrap(),
            &rampart_image::ScanOptions::default(),
            &rampart_image::NoProgress,
        )
        .unwrap_or_else(|e| panic!("{default_reference}: the fixture image does not scan: {e}"));
        image.reference = self.reference.clone().unwrap_or_else(|| default_reference.to_string());
        image
    }
}

fn relative(path: &str) -> &str {
    path.trim_start_matches('/')
}

fn header(kind: tar::EntryType, mode: u32, uid: u64, gid: u64, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(uid);
    h.set_gid(gid);
    h.set_size(size);
    h.set_mtime(1_747_699_200);
    h
}

impl Entry {
    fn path(&self) -> &str {
        match self {
            Entry::File { path, .. }
            | Entry::Dir { path, .. }
            | Entry::Symlink { path, .. }
            | Entry::Hardlink { path, .. }
            | Entry::Whiteout(path)
            | Entry::Opaque(path) => path,
        }
    }
}

/// Writes a layer. Parent directories no layer wrote yet are added (`0755 0:0`) as image
/// builders do; `seen` carries the paths written by earlier layers.
fn layer_tar(layer: &Layer, seen: &mut std::collections::HashSet<String>) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for entry in &layer.entries {
        let path = relative(entry.path());
        let mut parents: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
        if matches!(entry, Entry::Opaque(_)) {
            parents.push(path);
        }
        for parent in parents {
            let declared = layer.entries.iter().any(|e| relative(e.path()) == parent);
            if !declared && seen.insert(parent.to_string()) {
                let mut h = header(tar::EntryType::Directory, 0o755, 0, 0, 0);
                b.append_data(&mut h, format!("{parent}/"), std::io::empty()).unwrap();
            }
        }
        seen.insert(path.to_string());
        match entry {
            Entry::File { path, mode, uid, gid, content, caps } => {
                if let Some(caps) = caps {
                    b.append_pax_extensions([("SCHILY.xattr.security.capability", caps.as_slice())]).unwrap();
                }
                let mut h = header(tar::EntryType::Regular, *mode, *uid, *gid, content.len() as u64);
                b.append_data(&mut h, relative(path), content.as_slice()).unwrap();
            }
            Entry::Dir { path, mode, uid, gid } => {
                let mut h = header(tar::EntryType::Directory, *mode, *uid, *gid, 0);
                b.append_data(&mut h, format!("{}/", relative(path)), std::io::empty()).unwrap();
            }
            Entry::Symlink { path, target } => {
                let mut h = header(tar::EntryType::Symlink, 0o777, 0, 0, 0);
                b.append_link(&mut h, relative(path), target).unwrap();
            }
            Entry::Hardlink { path, target } => {
                let mut h = header(tar::EntryType::Link, 0o644, 0, 0, 0);
                b.append_link(&mut h, relative(path), relative(target)).unwrap();
            }
            Entry::Whiteout(path) => {
                let (parent, name) = relative(path).rsplit_once('/').unwrap_or(("", relative(path)));
                let marker = if parent.is_empty() { format!(".wh.{name}") } else { format!("{parent}/.wh.{name}") };
                let mut h = header(tar::EntryType::Regular, 0o644, 0, 0, 0);
                b.append_data(&mut h, marker, std::io::empty()).unwrap();
            }
            Entry::Opaque(path) => {
                let mut h = header(tar::EntryType::Regular, 0o644, 0, 0, 0);
                b.append_data(&mut h, format!("{}/.wh..wh..opq", relative(path)), std::io::empty()).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

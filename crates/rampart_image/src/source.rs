//! Where an image comes from: an OCI image layout directory, an OCI archive (a tar of a
//! layout), a `docker save` archive, or a registry. Each resolves to the same thing: a
//! manifest, a configuration and an ordered list of layer blobs to stream.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};

use crate::config::ImageConfig;
use crate::digest::{Digest, VerifyingReader};
use crate::path::{normalise, normalise_under};

/// Manifests, indexes and configurations are small; anything larger is hostile.
pub const MAX_JSON_BYTES: u64 = 8 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    OciLayout,
    OciArchive,
    DockerArchive,
    Registry,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::OciLayout => "oci-dir",
            SourceKind::OciArchive => "oci-archive",
            SourceKind::DockerArchive => "docker-archive",
            SourceKind::Registry => "registry",
        }
    }
}

/// One layer as the manifest describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerDesc {
    /// Digest of the blob as stored (compressed), when the source knows it.
    pub digest: Option<Digest>,
    /// Digest of the uncompressed tar, from the configuration.
    pub diff_id: Option<Digest>,
    /// Size of the blob as stored.
    pub size: Option<u64>,
    pub media_type: Option<String>,
}

/// An image ready to be walked.
#[derive(Debug)]
pub struct Resolved {
    /// What the user asked for, for messages and reports.
    pub reference: String,
    pub kind: SourceKind,
    pub manifest_digest: Option<Digest>,
    pub config_digest: Option<Digest>,
    pub config_bytes: Vec<u8>,
    pub config: ImageConfig,
    pub layers: Vec<LayerDesc>,
    /// Tags the source records (`RepoTags` of a docker archive, `ref.name` of a layout).
    pub tags: Vec<String>,
    pub blobs: Box<dyn Blobs>,
}

/// Opens layer blobs. Blobs are verified against their digest as they stream.
pub trait Blobs: Send + Sync + std::fmt::Debug {
    fn open_layer(&self, index: usize, layer: &LayerDesc) -> io::Result<Box<dyn Read + Send + '_>>;
}

/// Which platform to take from a multi-platform index (`linux/amd64`, `linux/arm64/v8`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    pub fn parse(text: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => {
                Ok(Platform { os: os.to_string(), architecture: arch.to_string(), variant: None })
            }
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Platform { os: os.to_string(), architecture: arch.to_string(), variant: Some(variant.to_string()) })
            }
            _ => Err(format!("`{text}` is not a platform: expected OS/ARCH[/VARIANT], e.g. linux/amd64")),
        }
    }

    /// The platform of this machine, which is what `docker pull` picks.
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Platform { os: "linux".into(), architecture: architecture.into(), variant: None }
    }

    fn matches(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        self.os == os
            && self.architecture == architecture
            && (self.variant.is_none() || self.variant.as_deref() == variant)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// A read-only tree of files: a directory, or the members of a tar archive.
pub(crate) trait Store: Send + Sync + std::fmt::Debug {
    /// Opens the file at `path` (relative, `/`-separated); returns it and its size.
    fn open(&self, path: &str) -> io::Result<(Box<dyn Read + Send + '_>, u64)>;
    fn exists(&self, path: &str) -> bool;

    fn read_small(&self, path: &str) -> io::Result<Vec<u8>> {
        let (mut reader, size) = self.open(path)?;
        if size > MAX_JSON_BYTES {
            return Err(invalid(format!(
                "{path} is {size} bytes; metadata files over {MAX_JSON_BYTES} bytes are refused"
            )));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        reader.by_ref().take(MAX_JSON_BYTES + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

#[derive(Debug)]
pub(crate) struct DirStore {
    root: PathBuf,
}

impl Store for DirStore {
    fn open(&self, path: &str) -> io::Result<(Box<dyn Read + Send + '_>, u64)> {
        let clean = normalise(path.as_bytes()).ok_or_else(|| invalid(format!("bad path {path}")))?;
        let full = self.root.join(clean.path.trim_start_matches('/'));
        // Blobs are regular files: a symlink in a layout could make rampart read anything.
        let meta = std::fs::symlink_metadata(&full)?;
        if !meta.is_file() {
            return Err(invalid(format!("{} is not a regular file", full.display())));
        }
        Ok((Box::new(File::open(&full)?), meta.len()))
    }

    fn exists(&self, path: &str) -> bool {
        self.root.join(path).exists()
    }
}

/// A tar archive indexed once (headers only, seeking over the data), then read member by
/// member with independent file handles so layers can stream in parallel.
#[derive(Debug)]
pub(crate) struct TarStore {
    file: PathBuf,
    members: std::collections::HashMap<String, Member>,
}

#[derive(Debug, Clone)]
struct Member {
    offset: u64,
    size: u64,
    symlink: Option<String>,
}

const MAX_ARCHIVE_MEMBERS: usize = 1_000_000;

impl TarStore {
    pub(crate) fn open(file: &Path) -> io::Result<TarStore> {
        let handle = File::open(file)?;
        let mut archive = tar::Archive::new(handle);
        let mut members = std::collections::HashMap::new();
        for entry in archive.entries_with_seek()? {
            let entry = entry?;
            if members.len() >= MAX_ARCHIVE_MEMBERS {
                return Err(invalid(format!("more than {MAX_ARCHIVE_MEMBERS} members")));
            }
            let Some(name) = normalise(&entry.path_bytes()) else { continue };
            let kind = entry.header().entry_type();
            let symlink = match kind {
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    entry.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned())
                }
                _ => None,
            };
            if kind.is_file() || symlink.is_some() {
                let symlink = match (kind, symlink) {
                    // A hard link names a member by its archive path.
                    (tar::EntryType::Link, Some(target)) => Some(format!("/{}", target.trim_start_matches("./"))),
                    (_, s) => s,
                };
                members.insert(name.path, Member { offset: entry.raw_file_position(), size: entry.size(), symlink });
            }
        }
        Ok(TarStore { file: file.to_path_buf(), members })
    }

    fn member(&self, path: &str) -> io::Result<&Member> {
        let mut current = normalise(path.as_bytes()).ok_or_else(|| invalid(format!("bad path {path}")))?.path;
        for _ in 0..16 {
            let member = self
                .members
                .get(&current)
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no member {path} in the archive")))?;
            match &member.symlink {
                None => return Ok(member),
                Some(target) => current = normalise_under(crate::path::parent(&current), target).path,
            }
        }
        Err(invalid(format!("{path}: too many levels of links in the archive")))
    }
}

impl Store for TarStore {
    fn open(&self, path: &str) -> io::Result<(Box<dyn Read + Send + '_>, u64)> {
        let member = self.member(path)?.clone();
        let mut handle = File::open(&self.file)?;
        handle.seek(SeekFrom::Start(member.offset))?;
        Ok((Box::new(handle.take(member.size)), member.size))
    }

    fn exists(&self, path: &str) -> bool {
        self.member(path).is_ok()
    }
}

/// Blobs addressed by digest in an OCI layout (directory or archive).
#[derive(Debug)]
struct LayoutBlobs {
    store: Box<dyn Store>,
}

fn blob_path(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm_name(), digest.hex())
}

impl Blobs for LayoutBlobs {
    fn open_layer(&self, index: usize, layer: &LayerDesc) -> io::Result<Box<dyn Read + Send + '_>> {
        let digest = layer.digest.as_ref().ok_or_else(|| invalid(format!("layer {index} has no digest")))?;
        let (reader, size) = self.store.open(&blob_path(digest))?;
        if let Some(expected) = layer.size
            && expected != size
        {
            return Err(invalid(format!("blob {digest} is {size} bytes, the manifest says {expected}")));
        }
        Ok(Box::new(VerifyingReader::new(reader, digest.clone())))
    }
}

/// Members of a `docker save` archive, checked against the digest in their name when they
/// are named by one (`<hex>.tar`, `blobs/sha256/<hex>`).
#[derive(Debug)]
struct DockerBlobs {
    store: TarStore,
    paths: Vec<String>,
}

impl Blobs for DockerBlobs {
    fn open_layer(&self, index: usize, _: &LayerDesc) -> io::Result<Box<dyn Read + Send + '_>> {
        let path = self.paths.get(index).ok_or_else(|| invalid(format!("no layer {index}")))?;
        let (reader, _) = self.store.open(path)?;
        match digest_in_name(path) {
            Some(digest) => Ok(Box::new(VerifyingReader::new(reader, digest))),
            None => Ok(reader),
        }
    }
}

fn digest_in_name(path: &str) -> Option<Digest> {
    let name = crate::path::file_name(path);
    let hex = name.strip_suffix(".tar").or_else(|| name.strip_suffix(".json")).unwrap_or(name);
    if let Some(rest) = path.strip_prefix("blobs/").or_else(|| path.strip_prefix("/blobs/")) {
        let algorithm = rest.split('/').next()?;
        return Digest::parse(&format!("{algorithm}:{hex}")).ok();
    }
    Digest::parse(&format!("sha256:{hex}")).ok()
}

/// Opens a local image: `oci-dir:PATH[:TAG]`, `oci-archive:PATH[:TAG]`, `docker-archive:PATH`,
/// or a bare path (a directory is an OCI layout; a tar is a docker or OCI archive, told apart
/// by its contents). Returns `None` when `reference` is not a local path at all.
pub fn open_local(reference: &str, platform: &Platform) -> Option<io::Result<Resolved>> {
    let (scheme, rest) = match reference.split_once(':') {
        Some((s @ ("oci-dir" | "oci" | "oci-archive" | "docker-archive"), rest)) => (Some(s), rest),
        _ => (None, reference),
    };
    let (path, tag) = split_path_tag(rest);
    if scheme.is_none() && !path.exists() {
        return None;
    }
    Some(open_path(reference, scheme, &path, tag.as_deref(), platform))
}

/// `dir:tag` when `dir` exists and `dir:tag` does not.
fn split_path_tag(text: &str) -> (PathBuf, Option<String>) {
    let whole = PathBuf::from(text);
    if whole.exists() {
        return (whole, None);
    }
    match text.rsplit_once(':') {
        Some((path, tag)) if !tag.contains('/') && Path::new(path).exists() => {
            (PathBuf::from(path), Some(tag.to_string()))
        }
        _ => (whole, None),
    }
}

fn open_path(
    reference: &str,
    scheme: Option<&str>,
    path: &Path,
    tag: Option<&str>,
    platform: &Platform,
) -> io::Result<Resolved> {
    let context = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    let meta = std::fs::metadata(path).map_err(context)?;
    if meta.is_dir() {
        if matches!(scheme, Some("docker-archive" | "oci-archive")) {
            return Err(invalid(format!("{} is a directory, not an archive", path.display())));
        }
        let store = DirStore { root: path.to_path_buf() };
        return open_layout(reference, Box::new(store), SourceKind::OciLayout, tag, platform).map_err(context);
    }
    let store = TarStore::open(path).map_err(context)?;
    let is_layout = store.exists("oci-layout") && store.exists("index.json");
    let wants_docker =
        scheme == Some("docker-archive") || (scheme.is_none() && store.exists("manifest.json") && !is_layout);
    if wants_docker {
        return open_docker_archive(reference, store, tag).map_err(context);
    }
    if !is_layout {
        return Err(context(invalid(
            "neither a docker archive (no manifest.json) nor an OCI archive (no oci-layout, index.json)",
        )));
    }
    open_layout(reference, Box::new(store), SourceKind::OciArchive, tag, platform).map_err(context)
}

fn parse_json<T: serde::de::DeserializeOwned>(what: &str, bytes: &[u8]) -> io::Result<T> {
    serde_json::from_slice(bytes)
        .map_err(|e| invalid(format!("{what}: invalid JSON at line {}, column {}: {e}", e.line(), e.column())))
}

/// The layers a manifest lists, each with its diff ID from the config (by position).
pub(crate) fn layer_descs(manifest: &ImageManifest, config: &ImageConfig) -> Result<Vec<LayerDesc>, String> {
    let diff_ids = config.diff_ids();
    manifest
        .layers()
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Ok(LayerDesc {
                digest: Some(Digest::parse(d.digest().as_ref()).map_err(|e| format!("layer {i}: {e}"))?),
                diff_id: diff_ids.get(i).and_then(|s| Digest::parse(s).ok()),
                size: Some(d.size()),
                media_type: Some(d.media_type().to_string()),
            })
        })
        .collect()
}

fn oci_digest(descriptor: &Descriptor) -> io::Result<Digest> {
    Digest::parse(descriptor.digest().as_ref()).map_err(invalid)
}

const INDEX_TYPES: &[&str] =
    &["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];

fn open_layout(
    reference: &str,
    store: Box<dyn Store>,
    kind: SourceKind,
    tag: Option<&str>,
    platform: &Platform,
) -> io::Result<Resolved> {
    let index: ImageIndex = parse_json("index.json", &store.read_small("index.json")?)?;
    let tag_of = |d: &Descriptor| -> Option<String> {
        d.annotations().as_ref().and_then(|a| a.get("org.opencontainers.image.ref.name")).cloned()
    };
    let candidates: Vec<&Descriptor> = match tag {
        Some(tag) => index.manifests().iter().filter(|d| tag_of(d).as_deref() == Some(tag)).collect(),
        None => index.manifests().iter().collect(),
    };
    let chosen = match candidates.as_slice() {
        [one] => *one,
        [] => {
            let tags: Vec<String> = index.manifests().iter().filter_map(tag_of).collect();
            return Err(invalid(format!("no image tagged `{}` (tags: {})", tag.unwrap_or(""), tags.join(", "))));
        }
        many => {
            let tags: Vec<String> = many.iter().filter_map(|d| tag_of(d)).collect();
            return Err(invalid(format!(
                "holds {} images; name one with PATH:TAG (tags: {})",
                many.len(),
                tags.join(", ")
            )));
        }
    };
    let tags = tag_of(chosen).into_iter().collect();
    let read_blob = |digest: &Digest| -> io::Result<Vec<u8>> {
        let bytes = store.read_small(&blob_path(digest))?;
        let actual = Digest::sha256_of(&bytes);
        if digest.algorithm() == crate::digest::Algorithm::Sha256 && actual != *digest {
            return Err(invalid(format!("blob {digest} does not match its digest (got {actual})")));
        }
        Ok(bytes)
    };
    let mut descriptor = chosen.clone();
    for _ in 0..4 {
        let media_type = descriptor.media_type().to_string();
        if !INDEX_TYPES.contains(&media_type.as_str()) {
            break;
        }
        let nested: ImageIndex = parse_json("image index", &read_blob(&oci_digest(&descriptor)?)?)?;
        descriptor = select_platform(nested.manifests(), platform)?.clone();
    }
    let manifest_digest = oci_digest(&descriptor)?;
    let manifest_bytes = read_blob(&manifest_digest)?;
    let manifest: ImageManifest = parse_json("image manifest", &manifest_bytes)?;
    let config_digest = oci_digest(manifest.config())?;
    let config_bytes = read_blob(&config_digest)?;
    let config: ImageConfig = parse_json("image config", &config_bytes)?;
    let layers = layer_descs(&manifest, &config).map_err(invalid)?;
    Ok(Resolved {
        reference: reference.to_string(),
        kind,
        manifest_digest: Some(manifest_digest),
        config_digest: Some(config_digest),
        config_bytes,
        config,
        layers,
        tags,
        blobs: Box::new(LayoutBlobs { store }),
    })
}

pub(crate) fn select_platform<'a>(manifests: &'a [Descriptor], platform: &Platform) -> io::Result<&'a Descriptor> {
    let mut available = Vec::new();
    for descriptor in manifests {
        let Some(p) = descriptor.platform() else { continue };
        let (os, arch) = (p.os().to_string(), p.architecture().to_string());
        if os == "unknown" {
            // Attestation manifests (BuildKit provenance) are listed as unknown/unknown.
            continue;
        }
        if platform.matches(&os, &arch, p.variant().as_deref()) {
            return Ok(descriptor);
        }
        available.push(match p.variant() {
            Some(v) => format!("{os}/{arch}/{v}"),
            None => format!("{os}/{arch}"),
        });
    }
    Err(invalid(format!(
        "no image for platform {platform} (available: {}); choose one with --platform",
        available.join(", ")
    )))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

fn open_docker_archive(reference: &str, store: TarStore, tag: Option<&str>) -> io::Result<Resolved> {
    let entries: Vec<DockerManifestEntry> = parse_json("manifest.json", &store.read_small("manifest.json")?)?;
    let entry = match tag {
        Some(tag) => entries
            .into_iter()
            .find(|e| e.repo_tags.iter().flatten().any(|t| t == tag || t.ends_with(&format!(":{tag}"))))
            .ok_or_else(|| invalid(format!("no image tagged `{tag}` in manifest.json")))?,
        None => {
            let count = entries.len();
            let mut entries = entries.into_iter();
            match (entries.next(), count) {
                (Some(only), 1) => only,
                (None, _) => return Err(invalid("manifest.json lists no image")),
                _ => return Err(invalid(format!("manifest.json lists {count} images; name one with PATH:TAG"))),
            }
        }
    };
    let config_bytes = store.read_small(&entry.config)?;
    let config_digest = Digest::sha256_of(&config_bytes);
    if let Some(named) = digest_in_name(&entry.config)
        && named != config_digest
    {
        return Err(invalid(format!("{} does not match its digest (got {config_digest})", entry.config)));
    }
    let config: ImageConfig = parse_json(&entry.config, &config_bytes)?;
    if config.diff_ids().len() != entry.layers.len() {
        return Err(invalid(format!(
            "manifest.json lists {} layers, the image config {}",
            entry.layers.len(),
            config.diff_ids().len()
        )));
    }
    let layers = entry
        .layers
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let size = store.member(path).map(|m| m.size).ok();
            LayerDesc {
                digest: None,
                diff_id: config.diff_ids().get(i).and_then(|s| Digest::parse(s).ok()),
                size,
                media_type: None,
            }
        })
        .collect();
    Ok(Resolved {
        reference: reference.to_string(),
        kind: SourceKind::DockerArchive,
        manifest_digest: None,
        config_digest: Some(config_digest),
        config_bytes,
        config,
        layers,
        tags: entry.repo_tags.unwrap_or_default(),
        blobs: Box::new(DockerBlobs { paths: entry.layers, store }),
    })
}

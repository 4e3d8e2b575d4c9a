//! Reads container images without unpacking them: resolves an image from an OCI layout, an
//! OCI or `docker save` archive, or a registry; streams every layer once, in parallel,
//! decompressing on the fly; builds the final filesystem index (whiteouts and opaque
//! directories applied); and on the way reads just the files that the package catalogers, the
//! secret scanner and the image rules need.
//!
//! ```no_run
//! use rampart_image::{ScanOptions, NoProgress, scan_reference};
//! let image = scan_reference("/tmp/images/oci/debian-min", &ScanOptions::default(), &NoProgress).unwrap();
//! println!("{} files, {} packages", image.fs.len(), image.inventory.packages.len());
//! ```

#[cfg(feature = "registry")]
pub mod auth;
pub mod config;
pub mod digest;
pub mod fs;
pub mod path;
#[cfg(feature = "registry")]
pub mod registry;
pub mod secrets;
pub mod source;
pub mod walk;

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::PathBuf;

use rampart_catalog::{Cataloger, Inventory, Location};
use rayon::prelude::*;

pub use config::ImageConfig;
pub use digest::Digest;
pub use fs::{FileEntry, FileKind, FileSystem};
pub use secrets::FileSecret;
pub use source::{LayerDesc, Platform, Resolved, SourceKind};
pub use walk::Limits;

/// Something odd about the image that did not stop the scan (a hostile tar header, a file
/// too large to catalogue, a package database that did not parse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub layer: Option<usize>,
    pub path: Option<String>,
    pub message: String,
}

impl Warning {
    pub fn layer(layer: usize, path: Option<String>, message: String) -> Warning {
        Warning { layer: Some(layer), path, message }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(layer) = self.layer {
            write!(f, "layer {layer}: ")?;
        }
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Reports progress of the layer walk (for a progress bar).
pub trait Progress: Sync {
    /// Called once, before any layer is read, with each layer's compressed size when known.
    fn start(&self, _layers: &[LayerDesc]) {}
    /// `bytes` more compressed bytes of `layer` were read.
    fn bytes(&self, _layer: usize, _bytes: u64) {}
    fn layer_done(&self, _layer: usize) {}
    fn finish(&self) {}
}

/// No progress reporting.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Why an image could not be read.
#[derive(Debug)]
pub struct ImageError {
    pub message: String,
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ImageError {}

/// A user name and password (or identity token) for a registry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials").field("username", &self.username).field("password", &"<redacted>").finish()
    }
}

/// How to reach a registry (used when a reference is not a local path).
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// PEM files of CA certificates to trust besides the built-in roots (`--ca-cert`).
    pub ca_certs: Vec<PathBuf>,
    /// Talk plain HTTP to the image's registry (`--insecure`, for a loopback registry).
    pub insecure: bool,
    /// Use these instead of looking credentials up in the Docker and podman files.
    pub credentials: Option<Credentials>,
    /// Read credentials from this file only (`--authfile`; Docker `config.json` or podman
    /// `auth.json` format) instead of the usual places.
    pub auth_file: Option<PathBuf>,
}

/// What to collect.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Which image of a multi-platform index to take (`--platform`).
    pub platform: Platform,
    /// Registry access, when the reference is not a local path.
    pub registry: RegistryOptions,
    pub limits: Limits,
    /// Read files for secrets.
    pub secrets: bool,
    /// Run the package catalogers.
    pub packages: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            platform: Platform::host(),
            registry: RegistryOptions::default(),
            limits: Limits::default(),
            secrets: true,
            packages: true,
        }
    }
}

/// Per-layer facts for reports.
#[derive(Debug, Clone)]
pub struct LayerInfo {
    pub desc: LayerDesc,
    /// The history entry that created the layer (`RUN ...`), when the history lines up.
    pub created_by: Option<String>,
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
}

/// A walked image.
#[derive(Debug)]
pub struct ImageScan {
    pub reference: String,
    pub kind: SourceKind,
    pub manifest_digest: Option<Digest>,
    pub config_digest: Option<Digest>,
    pub config: ImageConfig,
    pub config_bytes: Vec<u8>,
    pub tags: Vec<String>,
    pub layers: Vec<LayerInfo>,
    pub fs: FileSystem,
    pub inventory: Inventory,
    /// Secrets in files, including files a later layer deleted (`visible == false`).
    pub secrets: Vec<FileSecret>,
    /// Contents of [`walk::RETAINED`] files as the final filesystem has them.
    pub retained: HashMap<String, Vec<u8>>,
    pub warnings: Vec<Warning>,
}

impl ImageScan {
    /// A retained file's contents (following symlinks, e.g. `/etc/os-release`).
    pub fn retained_file(&self, path: &str) -> Option<&[u8]> {
        let resolved = self.fs.resolve_path(path).ok()?;
        self.retained.get(&resolved).map(Vec::as_slice)
    }
}

/// Resolves `reference` and scans it: a local path first (`oci-dir:`, `oci-archive:`,
/// `docker-archive:`, or a bare path), else an image in a registry
/// (`registry.example/app:1.2`, `localhost:5000/ns/app@sha256:…`, `app`).
pub fn scan_reference(
    reference: &str,
    options: &ScanOptions,
    progress: &dyn Progress,
) -> Result<ImageScan, ImageError> {
    let resolved = resolve_reference(reference, options)?;
    scan_resolved(resolved, options, progress)
}

/// Finds the image `reference` names (local first, then registry) without walking its layers.
pub fn resolve_reference(reference: &str, options: &ScanOptions) -> Result<Resolved, ImageError> {
    if let Some(result) = source::open_local(reference, &options.platform) {
        return result.map_err(|e| ImageError { message: e.to_string() });
    }
    let looks_like_path = reference.starts_with('/') || reference.starts_with('.') || reference.contains('\\');
    if looks_like_path {
        return Err(ImageError { message: format!("{reference}: no such file or directory") });
    }
    resolve_remote(reference, options)
}

#[cfg(feature = "registry")]
fn resolve_remote(reference: &str, options: &ScanOptions) -> Result<Resolved, ImageError> {
    if let Err(e) = registry::parse_reference(reference) {
        return Err(ImageError { message: format!("{reference}: no such file or directory, and {e}") });
    }
    registry::resolve(reference, &options.platform, &options.registry)
}

#[cfg(not(feature = "registry"))]
fn resolve_remote(reference: &str, _: &ScanOptions) -> Result<Resolved, ImageError> {
    Err(ImageError {
        message: format!("{reference}: no such file or directory (this build cannot pull from registries)"),
    })
}

/// Streams every layer of a resolved image (in parallel) and assembles the result.
pub fn scan_resolved(
    resolved: Resolved,
    options: &ScanOptions,
    progress: &dyn Progress,
) -> Result<ImageScan, ImageError> {
    let catalogers: Vec<Box<dyn Cataloger>> = if options.packages { rampart_catalog::catalogers() } else { Vec::new() };
    let budget = walk::Budget::new(options.limits.memory_budget);
    let plan =
        walk::Plan { catalogers: &catalogers, secrets: options.secrets, limits: &options.limits, budget: &budget };
    progress.start(&resolved.layers);
    let blobs = &resolved.blobs;
    let reference = &resolved.reference;
    let scans: Vec<Result<walk::LayerScan, ImageError>> = resolved
        .layers
        .par_iter()
        .enumerate()
        .map(|(index, desc)| {
            let describe = |e: io::Error| {
                let name = desc.digest.as_ref().or(desc.diff_id.as_ref()).map(Digest::short).unwrap_or_default();
                ImageError { message: format!("{reference}: layer {index} ({name}): {e}") }
            };
            let blob = blobs.open_layer(index, desc).map_err(describe)?;
            let result = walk::scan_layer(index, blob, desc.size, &plan, progress).map_err(describe);
            progress.layer_done(index);
            result
        })
        .collect();
    progress.finish();
    let mut layer_scans = Vec::with_capacity(scans.len());
    for scan in scans {
        layer_scans.push(scan?);
    }
    Ok(assemble(resolved, layer_scans))
}

fn assemble(resolved: Resolved, layer_scans: Vec<walk::LayerScan>) -> ImageScan {
    let history = resolved.config.layer_history();
    let mut layers = Vec::with_capacity(layer_scans.len());
    let mut found = Vec::new();
    let mut secrets = Vec::new();
    let mut retained_all = Vec::new();
    let mut warnings = Vec::new();
    let mut changes = Vec::with_capacity(layer_scans.len());
    for (index, scan) in layer_scans.into_iter().enumerate() {
        let created_by = history
            .get(index)
            .copied()
            .flatten()
            .and_then(|h| resolved.config.history().get(h))
            .and_then(|h| h.created_by.clone());
        layers.push(LayerInfo {
            desc: resolved.layers[index].clone(),
            created_by,
            compressed_bytes: scan.compressed_bytes,
            uncompressed_bytes: scan.uncompressed_bytes,
        });
        found.extend(scan.found);
        secrets.extend(scan.secrets);
        retained_all.extend(scan.retained.into_iter().map(|(path, bytes)| (Location { path, layer: index }, bytes)));
        warnings.extend(scan.warnings);
        changes.push(scan.changes);
    }
    let (fs, fs_warnings) = FileSystem::from_layers_reporting(changes);
    warnings.extend(fs_warnings);
    let visible = |location: &Location| fs.get(&location.path).is_some_and(|e| e.layer == location.layer);
    found.retain(|(location, _)| visible(location));
    for secret in &mut secrets {
        secret.visible = visible(&secret.location);
    }
    let retained = retained_all
        .into_iter()
        .filter(|(location, _)| visible(location))
        .map(|(location, bytes)| (location.path, bytes))
        .collect();
    let inventory = rampart_catalog::finish(found);
    ImageScan {
        reference: resolved.reference,
        kind: resolved.kind,
        manifest_digest: resolved.manifest_digest,
        config_digest: resolved.config_digest,
        config: resolved.config,
        config_bytes: resolved.config_bytes,
        tags: resolved.tags,
        layers,
        fs,
        inventory,
        secrets,
        retained,
        warnings,
    }
}

//! Streams one layer: decompress, read tar headers, index every entry, and read the contents
//! of only the files that a cataloger, the secret scanner or a rule needs. Nothing touches
//! the disk.
//!
//! Hostile layers are bounded three ways. The decompressed stream may not grow beyond
//! [`Limits::max_expansion`] times the compressed size (decompression bombs). Between two
//! entries, tar may read at most [`Limits::max_header_bytes`] of headers (a GNU long name or
//! PAX header is read into memory whole by the `tar` crate, so without this a 4 GiB "name"
//! would be allocated). And file contents are read only up to per-purpose limits, within a
//! byte [`Budget`] shared by every layer walked at once.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use rampart_catalog::{Cataloger, FileMeta, Found, Location, Want};

use crate::fs::{FileCapabilities, FileEntry, FileKind, LayerChanges};
use crate::path::{self, normalise};
use crate::secrets::{self, FileSecret};
use crate::{Progress, Warning};

/// Bounds on what a layer may make rampart do.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A layer may decompress to at most this many times its compressed size (plus 64 MiB).
    pub max_expansion: u64,
    /// Header bytes (GNU long names, PAX records) allowed before one entry.
    pub max_header_bytes: u64,
    /// Entries in the whole image.
    pub max_entries: usize,
    /// Largest file read for secrets.
    pub max_secret_file: u64,
    /// Bytes of file contents held in memory at once across all layers.
    pub memory_budget: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_expansion: 250,
            max_header_bytes: 1 << 20,
            max_entries: 4_000_000,
            max_secret_file: 1 << 20,
            memory_budget: 128 << 20,
        }
    }
}

/// Files read whole and kept after the walk for the rules (accounts, OS identity).
pub const RETAINED: &[&str] = &["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/os-release", "/usr/lib/os-release"];
const RETAINED_LIMIT: u64 = 4 << 20;

/// A semaphore counted in bytes: whoever reads a file's contents into memory holds that many
/// bytes of the budget until done with them.
#[derive(Debug)]
pub struct Budget {
    available: Mutex<u64>,
    freed: Condvar,
    total: u64,
}

impl Budget {
    pub fn new(total: u64) -> Budget {
        Budget { available: Mutex::new(total), freed: Condvar::new(), total }
    }

    /// Blocks until `bytes` (at most the whole budget) are available.
    fn acquire(&self, bytes: u64) -> Permit<'_> {
        let bytes = bytes.min(self.total);
        let mut available = self.available.lock().unwrap_or_else(|e| e.into_inner());
        while *available < bytes {
            available = self.freed.wait(available).unwrap_or_else(|e| e.into_inner());
        }
        *available -= bytes;
        Permit { budget: self, bytes }
    }
}

struct Permit<'a> {
    budget: &'a Budget,
    bytes: u64,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut available = self.budget.available.lock().unwrap_or_else(|e| e.into_inner());
        *available += self.bytes;
        self.budget.freed.notify_all();
    }
}

/// What the walk is asked to collect.
#[derive(Debug)]
pub struct Plan<'a> {
    pub catalogers: &'a [Box<dyn Cataloger>],
    pub secrets: bool,
    pub limits: &'a Limits,
    pub budget: &'a Budget,
}

/// Everything one layer contributed.
#[derive(Debug, Default)]
pub struct LayerScan {
    pub changes: LayerChanges,
    pub found: Vec<(Location, Found)>,
    pub secrets: Vec<FileSecret>,
    pub retained: Vec<(String, Vec<u8>)>,
    pub warnings: Vec<Warning>,
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
}

/// The compression of a layer, from its first bytes (media types lie, or are absent in
/// `docker save` archives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// Counts compressed bytes for progress.
struct Counting<'p, R> {
    inner: R,
    layer: usize,
    progress: &'p dyn Progress,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        self.progress.bytes(self.layer, n as u64);
        Ok(n)
    }
}

/// Enforces the decompression and header limits on the decompressed tar stream.
struct Guard {
    /// Bytes read so far.
    read: AtomicU64,
    /// Reading beyond this offset fails: it is moved forward each time the walk sees an entry.
    allowed_until: AtomicU64,
    max_total: u64,
    /// For messages: the layer's compressed size and the expansion limit.
    compressed_size: Option<u64>,
    max_expansion: u64,
}

struct Guarded<R> {
    inner: R,
    guard: Arc<Guard>,
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.guard.read.load(Ordering::Relaxed);
        let allowed = self.guard.allowed_until.load(Ordering::Relaxed).min(self.guard.max_total);
        if read >= allowed {
            let message = if read >= self.guard.max_total {
                let from = match self.guard.compressed_size {
                    Some(size) => format!(
                        " from {size} bytes compressed (a ratio over {}:1), over the limit of {} times the compressed size plus 64 MiB",
                        self.guard.max_total / size.max(1),
                        self.guard.max_expansion
                    ),
                    None => " (the limit for a layer of unknown size)".to_string(),
                };
                format!(
                    "decompresses to more than {}{from}: a decompression bomb? Reading stopped there",
                    human_bytes(self.guard.max_total)
                )
            } else {
                "a tar extension header (long name or PAX record) is larger than the limit".to_string()
            };
            return Err(io::Error::new(io::ErrorKind::InvalidData, LimitExceeded(message)));
        }
        let room = usize::try_from(allowed - read).unwrap_or(usize::MAX);
        let len = buf.len().min(room);
        let n = self.inner.read(&mut buf[..len])?;
        self.guard.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[derive(Debug)]
struct LimitExceeded(String);

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitExceeded {}

pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// Walks one layer blob. `compressed_size` is the blob's size when known (it sets the
/// decompression bound; unknown sizes get a fixed bound of 64 GiB).
pub fn scan_layer(
    layer: usize,
    blob: Box<dyn Read + Send + '_>,
    compressed_size: Option<u64>,
    plan: &Plan<'_>,
    progress: &dyn Progress,
) -> io::Result<LayerScan> {
    let compressed = Arc::new(AtomicU64::new(0));
    let counting = Counting { inner: blob, layer, progress, count: compressed.clone() };
    let mut buffered = BufReader::with_capacity(256 * 1024, counting);
    let compression = Compression::sniff(buffered.fill_buf()?);
    let decoded: Box<dyn Read + '_> = match compression {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(buffered)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
        Compression::None => Box::new(buffered),
    };
    let max_total = match compressed_size {
        Some(size) => size.saturating_mul(plan.limits.max_expansion).saturating_add(64 << 20),
        None => 64 << 30,
    };
    let guard = Arc::new(Guard {
        read: AtomicU64::new(0),
        allowed_until: AtomicU64::new(plan.limits.max_header_bytes),
        max_total,
        compressed_size,
        max_expansion: plan.limits.max_expansion,
    });
    let guarded = Guarded { inner: decoded, guard: guard.clone() };
    let mut archive = tar::Archive::new(BufReader::with_capacity(256 * 1024, guarded));
    let mut scan = LayerScan::default();
    let mut entries: Vec<FileEntry> = Vec::new();
    let mut pending_hardlinks: Vec<FileEntry> = Vec::new();
    let mut index = 0usize;
    // The entry whose data the next header follows, for messages when the layer is cut short.
    let mut previous: Option<Previous> = None;
    let iter = archive.entries()?;
    for item in iter {
        let mut entry = item.map_err(|e| with_position(e, index, previous.as_ref(), &guard))?;
        index += 1;
        if index > plan.limits.max_entries {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                LimitExceeded(format!("has more than {} entries", plan.limits.max_entries)),
            ));
        }
        // The next header may start after this entry's data as stored (padded to 512; a GNU
        // sparse file stores its data without the holes, after its sparse map headers) plus
        // extension headers within the limit.
        let gnu_sparse = entry.header().entry_type() == tar::EntryType::GNUSparse;
        let (stored, map_headers) = if gnu_sparse {
            (entry.header().entry_size().unwrap_or(0), plan.limits.max_header_bytes)
        } else {
            (entry.size(), 0)
        };
        let data_end = entry.raw_file_position().saturating_add(stored.div_ceil(512) * 512).saturating_add(map_headers);
        guard
            .allowed_until
            .store(data_end.saturating_add(512).saturating_add(plan.limits.max_header_bytes), Ordering::Relaxed);

        let mut capabilities = None;
        let mut sparse_real_size = None;
        let mut sparse_name = None;
        if let Ok(Some(extensions)) = entry.pax_extensions() {
            for extension in extensions.flatten() {
                match extension.key_bytes() {
                    b"SCHILY.xattr.security.capability" => {
                        capabilities = FileCapabilities::decode(extension.value_bytes()).map(Box::new);
                    }
                    b"GNU.sparse.realsize" | b"GNU.sparse.size" => {
                        sparse_real_size = extension.value().ok().and_then(|v| v.parse::<u64>().ok());
                    }
                    // PAX sparse files (GNU tar 1.15 on) keep their real name here, and a
                    // made-up `GNUSparseFile.N/NAME` in the header.
                    b"GNU.sparse.name" => sparse_name = Some(extension.value_bytes().to_vec()),
                    _ => {}
                }
            }
        }
        let raw_path = match sparse_name {
            Some(name) => name,
            None => entry.path_bytes().into_owned(),
        };
        let display_raw = String::from_utf8_lossy(&raw_path).into_owned();
        previous = Some(Previous { index, path: display_raw.clone(), stored, data_end });
        let Some(normalised) = normalise(&raw_path) else {
            scan.warnings.push(Warning::layer(
                layer,
                None,
                format!("entry {index}: unusable path (NUL byte or longer than 4096 bytes); skipped"),
            ));
            continue;
        };
        if normalised.climbed_out {
            scan.warnings.push(Warning::layer(
                layer,
                Some(normalised.path.clone()),
                format!("entry `{display_raw}` climbs out of the image root with `..`; read as `{}`, as a container runtime would", normalised.path),
            ));
        }
        if raw_path.starts_with(b"/") {
            scan.warnings.push(Warning::layer(
                layer,
                Some(normalised.path.clone()),
                format!(
                    "entry `{display_raw}` has an absolute name; read as `{}` inside the image root, as a container runtime would",
                    normalised.path
                ),
            ));
        }
        if std::str::from_utf8(&raw_path).is_err() {
            scan.warnings.push(Warning::layer(
                layer,
                Some(normalised.path.clone()),
                format!("entry name is not UTF-8; read as `{}` (invalid bytes replaced by U+FFFD)", normalised.path),
            ));
        }
        let file_path = normalised.path;
        let name = path::file_name(&file_path);
        if let Some(hidden) = name.strip_prefix(".wh.") {
            let dir = path::parent(&file_path).to_string();
            if hidden == ".wh..opq" {
                scan.changes.opaque.push(dir);
            } else if hidden.starts_with(".wh.") {
                // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not part of the image.
            } else if !hidden.is_empty() && hidden != "." && hidden != ".." {
                scan.changes.whiteouts.push(path::normalise_under(&dir, hidden).path);
            }
            continue;
        }
        if file_path == "/" {
            continue;
        }
        let header = entry.header();
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => FileKind::Regular,
            tar::EntryType::Directory => FileKind::Directory,
            tar::EntryType::Symlink => FileKind::Symlink,
            tar::EntryType::Link => FileKind::HardLink,
            tar::EntryType::Char => FileKind::CharDevice,
            tar::EntryType::Block => FileKind::BlockDevice,
            tar::EntryType::Fifo => FileKind::Fifo,
            other => {
                scan.warnings.push(Warning::layer(
                    layer,
                    Some(file_path.clone()),
                    format!("entry of unknown tar type {:?}; skipped", other.as_byte() as char),
                ));
                continue;
            }
        };
        let mode = header.mode().unwrap_or(0) & 0o7777;
        let uid = header.uid().unwrap_or(0);
        let gid = header.gid().unwrap_or(0);
        let link = match kind {
            FileKind::Symlink => {
                entry.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned().into_boxed_str())
            }
            FileKind::HardLink => entry.link_name_bytes().and_then(|l| {
                let target = normalise(&l)?;
                if target.climbed_out {
                    scan.warnings.push(Warning::layer(
                        layer,
                        Some(file_path.clone()),
                        format!(
                            "hard link target `{}` climbs out of the image root with `..`; read as `{}`",
                            String::from_utf8_lossy(&l),
                            target.path
                        ),
                    ));
                }
                Some(target.path.into_boxed_str())
            }),
            _ => None,
        };
        let size = if kind == FileKind::Regular { entry.size() } else { 0 };
        let sparse = kind == FileKind::Regular && (gnu_sparse || sparse_real_size.is_some());
        let record = FileEntry {
            path: file_path.clone().into_boxed_str(),
            kind,
            mode,
            uid,
            gid,
            size: sparse_real_size.unwrap_or(size),
            link,
            layer,
            capabilities,
        };
        if kind == FileKind::HardLink {
            pending_hardlinks.push(record);
            continue;
        }
        if sparse {
            scan.warnings.push(Warning::layer(
                layer,
                Some(file_path.clone()),
                format!(
                    "sparse file of {} ({} stored); contents not read",
                    human_bytes(record.size),
                    human_bytes(stored)
                ),
            ));
        }
        if kind == FileKind::Regular && !sparse {
            read_wanted(&mut entry, &record, plan, &mut scan, layer)?;
        }
        entries.push(record);
    }
    // The walk may have stopped before the end of the compressed stream (tar's end marker);
    // drain it so the blob digest is checked and progress reaches 100%.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink())?;
    scan.uncompressed_bytes = guard.read.load(Ordering::Relaxed);

    // One entry per path: the last one in the archive wins, as on extraction.
    entries.extend(pending_hardlinks_resolved(pending_hardlinks, &entries, layer, &mut scan.warnings));
    stable_dedup_last(&mut entries);
    scan.changes.entries = entries;
    scan.changes.whiteouts.sort();
    scan.changes.whiteouts.dedup();
    scan.changes.opaque.sort();
    scan.changes.opaque.dedup();
    scan.compressed_bytes = compressed.load(Ordering::Relaxed);
    Ok(scan)
}

/// Hard links copy their target's metadata (tar headers of hard links carry no size, and
/// tools disagree on the mode). A link whose target is not in this layer may point into a
/// lower one; that is resolved when the layers are merged.
fn pending_hardlinks_resolved(
    links: Vec<FileEntry>,
    entries: &[FileEntry],
    layer: usize,
    warnings: &mut Vec<Warning>,
) -> Vec<FileEntry> {
    if links.is_empty() {
        return Vec::new();
    }
    let mut by_path: std::collections::HashMap<&str, &FileEntry> =
        std::collections::HashMap::with_capacity(entries.len());
    for entry in entries {
        by_path.insert(&entry.path, entry);
    }
    links
        .into_iter()
        .filter_map(|mut link| {
            let Some(target) = link.link.as_deref() else {
                warnings.push(Warning::layer(
                    layer,
                    Some(link.path.to_string()),
                    "hard link without a target; skipped".into(),
                ));
                return None;
            };
            if *target == *link.path {
                warnings.push(Warning::layer(
                    layer,
                    Some(link.path.to_string()),
                    "hard link to itself; skipped".into(),
                ));
                return None;
            }
            if let Some(original) = by_path.get(target) {
                link.mode = original.mode;
                link.uid = original.uid;
                link.gid = original.gid;
                link.size = original.size;
                link.capabilities.clone_from(&original.capabilities);
            }
            Some(link)
        })
        .collect()
}

fn stable_dedup_last(entries: &mut Vec<FileEntry>) {
    // A stable sort keeps archive order among equal paths; then the last of each run is
    // kept (swapped into the slot `dedup_by` keeps). In place: a layer of a million files
    // must not need a second copy of its index.
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries.dedup_by(|later, kept| {
        if later.path == kept.path {
            std::mem::swap(later, kept);
            true
        } else {
            false
        }
    });
}

fn read_wanted<R: Read>(
    entry: &mut R,
    record: &FileEntry,
    plan: &Plan<'_>,
    scan: &mut LayerScan,
    layer: usize,
) -> io::Result<()> {
    let meta = FileMeta { path: &record.path, size: record.size, mode: record.mode };
    let mut limit = 0u64;
    let mut wanted_by: Vec<&dyn Cataloger> = Vec::new();
    let mut too_big: Vec<&'static str> = Vec::new();
    for cataloger in plan.catalogers {
        if let Want::Content { limit: cataloger_limit } = cataloger.wants(&meta) {
            if record.size <= cataloger_limit {
                wanted_by.push(cataloger.as_ref());
                limit = limit.max(record.size);
            } else {
                too_big.push(cataloger.name());
            }
        }
    }
    let retain = RETAINED.contains(&&*record.path) && record.size <= RETAINED_LIMIT;
    let secrets = plan.secrets && secrets::wants(&record.path, record.size, plan.limits.max_secret_file);
    if !too_big.is_empty() {
        scan.warnings.push(Warning::layer(
            layer,
            Some(record.path.to_string()),
            format!("not catalogued by {}: {} is over the size limit", too_big.join(", "), human_bytes(record.size)),
        ));
    }
    if wanted_by.is_empty() && !retain && !secrets {
        return Ok(());
    }
    let _permit = plan.budget.acquire(record.size);
    let mut content = Vec::with_capacity(usize::try_from(record.size.min(16 << 20)).unwrap_or(0));
    entry.take(record.size).read_to_end(&mut content)?;
    let location = Location { path: record.path.to_string(), layer };
    let mut found = Vec::new();
    for cataloger in wanted_by {
        if let Err(error) = cataloger.catalog(&location, &content, &mut found) {
            scan.warnings.push(Warning::layer(
                layer,
                Some(location.path.clone()),
                format!("{}: {error}", cataloger.name()),
            ));
        }
    }
    scan.found.extend(found.into_iter().map(|f| (location.clone(), f)));
    if secrets {
        secrets::scan(&location, &content, &mut scan.secrets);
    }
    if retain {
        scan.retained.push((location.path, content));
    }
    Ok(())
}

/// The entry read last: the next header follows its data.
struct Previous {
    index: usize,
    path: String,
    stored: u64,
    data_end: u64,
}

fn with_position(error: io::Error, index: usize, previous: Option<&Previous>, guard: &Guard) -> io::Error {
    if error.get_ref().is_some_and(|inner| inner.is::<LimitExceeded>()) {
        return error;
    }
    // The stream stopped inside the previous entry's data: say which entry was cut short.
    if let Some(previous) = previous
        && guard.read.load(Ordering::Relaxed) < previous.data_end
    {
        return io::Error::new(
            error.kind(),
            format!(
                "tar entry {} (`{}`, {}) is cut short: the layer ends inside its data ({error})",
                previous.index,
                previous.path,
                human_bytes(previous.stored)
            ),
        );
    }
    io::Error::new(error.kind(), format!("tar entry {}: {error}", index + 1))
}

/// Whether an error came from a limit (so the message is already complete).
pub fn is_limit(error: &io::Error) -> bool {
    error.get_ref().is_some_and(|inner| inner.is::<LimitExceeded>())
}

//! `update`: download OSV.dev's per-ecosystem `all.zip` exports and rebuild the database.
//!
//! * Conditional: `If-None-Match` / `If-Modified-Since` from the last download; `304` keeps the
//!   cached zip.
//! * Resumable: the body streams into `<db>.download/<eco>.zip.part`; a later run asks for the
//!   rest with `Range:` + `If-Range:` (the partial's ETag), so a changed object restarts cleanly.
//! * Checked: the size against `Content-Length` / `Content-Range`, the whole file against the
//!   `x-goog-hash` `crc32c` and `md5` values Google Cloud Storage sends, every zip entry's CRC-32
//!   when importing. Sizes are bounded.
//! * Atomic: the database is rebuilt from the cached zips into a temp file and renamed over the
//!   old one; any failure before that leaves the old database as it was.
//!
//! Uses reqwest's blocking client (rustls with ring); call it from a plain thread, not from
//! inside an async runtime.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;

use base64::Engine as _;
use md5::Digest as _;
use serde::{Deserialize, Serialize};

use crate::error::DbError;
use crate::import::{ImportOptions, ImportReport, Origin, import};

/// Where OSV.dev publishes its exports.
pub const DEFAULT_MIRROR: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// Environment variable overriding the mirror (tests point it at a local server).
pub const MIRROR_ENV: &str = "RAMPART_OSV_MIRROR";
/// Ecosystems fetched when neither the options nor an existing database name any.
pub const DEFAULT_ECOSYSTEMS: &[&str] =
    &["Debian", "Alpine", "PyPI", "npm", "Go", "crates.io", "Maven", "RubyGems", "Packagist"];

/// How to update.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Ecosystems to fetch (`PyPI`, `Debian`, …). Empty: those already in the database, else
    /// [`DEFAULT_ECOSYSTEMS`].
    pub ecosystems: Vec<String>,
    /// Base URL; `None`: `$RAMPART_OSV_MIRROR`, else [`DEFAULT_MIRROR`].
    pub mirror: Option<String>,
    /// One download larger than this is refused (default 4 GiB).
    pub max_download_bytes: u64,
    /// Connect / read timeout (default 60 s).
    pub timeout: Duration,
    /// Rebuild even when nothing changed.
    pub force_rebuild: bool,
    /// Options for the rebuild.
    pub import: ImportOptions,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            ecosystems: Vec::new(),
            mirror: None,
            max_download_bytes: 4 << 30,
            timeout: Duration::from_secs(60),
            force_rebuild: false,
            import: ImportOptions::default(),
        }
    }
}

/// What happened to one ecosystem's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// Downloaded in full (`200`).
    Downloaded { bytes: u64 },
    /// Completed a partial download (`206`), starting at `from`.
    Resumed { from: u64, bytes: u64 },
    /// Unchanged since the last download (`304`).
    NotModified,
}

/// What [`update`] did.
#[derive(Debug, Clone)]
pub struct UpdateReport {
    /// Per ecosystem, in the order fetched.
    pub fetched: Vec<(String, Fetched)>,
    /// The rebuild, or `None` when every export was unchanged and the database is fine.
    pub rebuilt: Option<ImportReport>,
}

/// Metadata kept beside each cached zip (and each partial download).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Meta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// The download cache of a database: `<db>.download/`.
pub fn download_dir(db_path: &Path) -> PathBuf {
    let mut name = db_path.file_name().map_or_else(|| "osv.db".into(), |n| n.to_os_string());
    name.push(".download");
    db_path.with_file_name(name)
}

/// Downloads the exports for the requested ecosystems and rebuilds the database at `db_path`.
pub fn update(db_path: &Path, options: &UpdateOptions) -> Result<UpdateReport, DbError> {
    let mirror = options
        .mirror
        .clone()
        .or_else(|| std::env::var(MIRROR_ENV).ok().filter(|m| !m.is_empty()))
        .unwrap_or_else(|| DEFAULT_MIRROR.to_owned());
    let mirror = mirror.trim_end_matches('/').to_owned();
    let existing = crate::Db::open(db_path).ok();
    let ecosystems: Vec<String> = if !options.ecosystems.is_empty() {
        options.ecosystems.clone()
    } else if let Some(db) = &existing {
        let mut bases: Vec<String> = db.ecosystems().iter().map(|e| crate::base_ecosystem(e).to_owned()).collect();
        bases.dedup();
        if bases.is_empty() { DEFAULT_ECOSYSTEMS.iter().map(|s| s.to_string()).collect() } else { bases }
    } else {
        DEFAULT_ECOSYSTEMS.iter().map(|s| s.to_string()).collect()
    };
    let dir = download_dir(db_path);
    std::fs::create_dir_all(&dir).map_err(|e| DbError::io(&dir, e))?;
    let client = client(options)?;

    let mut fetched = Vec::new();
    for eco in &ecosystems {
        if eco.is_empty() || eco.contains(['/', '\\']) || eco.starts_with('.') {
            return Err(DbError::Download { url: mirror.clone(), message: format!("bad ecosystem name {eco:?}") });
        }
        let url = format!("{mirror}/{}/all.zip", eco.replace(' ', "%20"));
        fetched.push((eco.clone(), fetch(&client, &url, &dir, eco, options)?));
    }

    let changed = fetched.iter().any(|(_, f)| *f != Fetched::NotModified);
    if !changed && existing.is_some() && !options.force_rebuild {
        return Ok(UpdateReport { fetched, rebuilt: None });
    }
    drop(existing);
    // Rebuild from every cached export (those fetched now and those kept from earlier updates).
    let mut zips = Vec::new();
    let mut import_options = options.import.clone();
    for entry in std::fs::read_dir(&dir).map_err(|e| DbError::io(&dir, e))? {
        let path = entry.map_err(|e| DbError::io(&dir, e))?.path();
        if path.extension().is_some_and(|e| e == "zip") {
            if let Some(meta) = read_meta(&meta_path(&path)) {
                import_options
                    .origins
                    .insert(path.clone(), Origin { url: meta.url, etag: meta.etag, last_modified: meta.last_modified });
            }
            zips.push(path);
        }
    }
    zips.sort();
    let report = import(&zips, db_path, &import_options)?;
    Ok(UpdateReport { fetched, rebuilt: Some(report) })
}

fn client(options: &UpdateOptions) -> Result<reqwest::blocking::Client, DbError> {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err: another provider is installed already, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::blocking::Client::builder()
        .user_agent(concat!("rampart/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(options.timeout)
        .timeout(options.timeout)
        // Compressed transfer would defeat Content-Length, Range and x-goog-hash checks.
        .build()
        .map_err(|e| DbError::Download { url: String::new(), message: format!("HTTP client: {e}") })
}

fn meta_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".meta.json");
    file.with_file_name(name)
}

fn read_meta(path: &Path) -> Option<Meta> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_meta(path: &Path, meta: &Meta) -> Result<(), DbError> {
    std::fs::write(path, serde_json::to_vec(meta).unwrap_or_default()).map_err(|e| DbError::io(path, e))
}

fn header(response: &reqwest::blocking::Response, name: &str) -> Option<String> {
    response.headers().get(name)?.to_str().ok().map(str::to_owned)
}

fn fetch(
    client: &reqwest::blocking::Client,
    url: &str,
    dir: &Path,
    eco: &str,
    options: &UpdateOptions,
) -> Result<Fetched, DbError> {
    let fail = |message: String| DbError::Download { url: url.to_owned(), message };
    let zip = dir.join(format!("{eco}.zip"));
    let part = dir.join(format!("{eco}.zip.part"));
    let (zip_meta, part_meta) = (meta_path(&zip), meta_path(&part));

    let mut request = client.get(url).header("Accept-Encoding", "identity");
    if zip.is_file()
        && let Some(meta) = read_meta(&zip_meta).filter(|m| m.url == url)
    {
        if let Some(etag) = &meta.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(lm) = &meta.last_modified {
            request = request.header("If-Modified-Since", lm);
        }
    }
    let have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let mut resume_from = 0;
    if have > 0
        && let Some(meta) = read_meta(&part_meta).filter(|m| m.url == url)
        && let Some(validator) = meta.etag.clone().or(meta.last_modified.clone())
    {
        request = request.header("Range", format!("bytes={have}-")).header("If-Range", validator);
        resume_from = have;
    }

    let mut response = request.send().map_err(|e| fail(e.to_string()))?;
    let status = response.status().as_u16();
    let etag = header(&response, "etag");
    let last_modified = header(&response, "last-modified");
    let (append, total) = match status {
        304 => {
            if zip.is_file() {
                return Ok(Fetched::NotModified);
            }
            return Err(fail("304 Not Modified but no cached copy; delete the download cache and retry".into()));
        }
        200 => (false, response.content_length()),
        206 if resume_from > 0 => {
            let range = header(&response, "content-range").unwrap_or_default();
            let (start, total) =
                parse_content_range(&range).ok_or_else(|| fail(format!("206 with a bad Content-Range {range:?}")))?;
            if start != resume_from {
                return Err(fail(format!("asked to resume at byte {resume_from}, the server sent from {start}")));
            }
            (true, total)
        }
        _ => return Err(fail(format!("HTTP {status}"))),
    };
    if let Some(total) = total
        && total > options.max_download_bytes
    {
        return Err(DbError::TooLarge {
            path: PathBuf::from(url),
            entry: None,
            size: total,
            limit: options.max_download_bytes,
        });
    }
    let goog_hash: Vec<String> = response
        .headers()
        .get_all("x-goog-hash")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_owned())
        .collect();

    // Record what this partial is a part of before writing a byte, so a drop can resume.
    write_meta(&part_meta, &Meta { url: url.to_owned(), etag: etag.clone(), last_modified: last_modified.clone() })?;
    let mut out = if append { OpenOptions::new().append(true).open(&part) } else { File::create(&part) }
        .map_err(|e| DbError::io(&part, e))?;
    let start = if append { resume_from } else { 0 };
    let mut written = start;
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let n = match response.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = out.sync_all();
                return Err(fail(format!(
                    "connection lost after {written} bytes ({e}); run the update again to resume"
                )));
            }
        };
        written += n as u64;
        if written > options.max_download_bytes {
            drop(out);
            let _ = std::fs::remove_file(&part);
            return Err(DbError::TooLarge {
                path: PathBuf::from(url),
                entry: None,
                size: written,
                limit: options.max_download_bytes,
            });
        }
        out.write_all(&buf[..n]).map_err(|e| DbError::io(&part, e))?;
    }
    out.sync_all().map_err(|e| DbError::io(&part, e))?;
    drop(out);

    let discard = |message: String| {
        let _ = std::fs::remove_file(&part);
        let _ = std::fs::remove_file(&part_meta);
        DbError::Checksum { url: url.to_owned(), message }
    };
    if let Some(total) = total
        && written != total
    {
        if written < total {
            return Err(fail(format!(
                "connection closed after {written} of {total} bytes; run the update again to resume"
            )));
        }
        return Err(discard(format!("received {written} bytes, the server announced {total}")));
    }
    verify_goog_hash(&part, &goog_hash).map_err(discard)?;

    std::fs::rename(&part, &zip).map_err(|e| DbError::io(&zip, e))?;
    write_meta(&zip_meta, &Meta { url: url.to_owned(), etag, last_modified })?;
    let _ = std::fs::remove_file(&part_meta);
    Ok(if append { Fetched::Resumed { from: start, bytes: written } } else { Fetched::Downloaded { bytes: written } })
}

/// `bytes START-END/TOTAL` → (START, TOTAL if known).
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    let total = if total == "*" { None } else { Some(total.parse().ok()?) };
    Some((start.parse().ok()?, total))
}

/// Checks the file against `crc32c=…` / `md5=…` (base64 of the big-endian CRC / the digest).
fn verify_goog_hash(path: &Path, hashes: &[String]) -> Result<(), String> {
    let mut want: HashMap<&str, Vec<u8>> = HashMap::new();
    for h in hashes {
        if let Some((kind, value)) = h.split_once('=') {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .map_err(|_| format!("bad x-goog-hash value {h:?}"))?;
            want.insert(kind.trim(), bytes);
        }
    }
    let (want_crc, want_md5) = (want.get("crc32c"), want.get("md5"));
    if want_crc.is_none() && want_md5.is_none() {
        return Ok(());
    }
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let mut crc = 0u32;
    let mut md5 = md5::Md5::new();
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let n = file.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        crc = crc32c_update(crc, &buf[..n]);
        md5.update(&buf[..n]);
    }
    if let Some(w) = want_crc
        && w.as_slice() != crc.to_be_bytes()
    {
        return Err(format!("crc32c mismatch (x-goog-hash says {w:02x?}, the file is {:08x})", crc));
    }
    if let Some(w) = want_md5 {
        let got = md5.finalize();
        if w.as_slice() != got.as_slice() {
            return Err("md5 mismatch with x-goog-hash".into());
        }
    }
    Ok(())
}

/// CRC-32C (Castagnoli), as GCS reports it.
pub(crate) fn crc32c_update(crc: u32, data: &[u8]) -> u32 {
    const fn table() -> [u32; 256] {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 { (c >> 1) ^ 0x82F6_3B78 } else { c >> 1 };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    }
    static TABLE: [u32; 256] = table();
    let mut c = !crc;
    for &b in data {
        c = TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_known_value() {
        assert_eq!(crc32c_update(0, b"123456789"), 0xE306_9283);
        let (a, b) = b"123456789".split_at(4);
        assert_eq!(crc32c_update(crc32c_update(0, a), b), 0xE306_9283);
    }

    #[test]
    fn content_range() {
        assert_eq!(parse_content_range("bytes 100-199/200"), Some((100, Some(200))));
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }

    #[test]
    fn cache_dir_name() {
        assert_eq!(download_dir(Path::new("/x/osv.db")), Path::new("/x/osv.db.download"));
    }
}

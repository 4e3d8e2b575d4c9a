//! Building a database from OSV files: parse in parallel (rayon), insert on one thread in one
//! transaction into a NEW temp file beside the target, fsync, rename over the target. A failure
//! anywhere leaves the old database untouched.
//!
//! Where the time goes (200 000 synthetic records, two cores, `RAMPART_TIMINGS=1`): inflating
//! the zip entries (libdeflate) and JSON parsing on the parser threads; SQLite on the single
//! writer, which is the critical path. So the writer does nothing a parser can do: parsers hand
//! it validated text and ready blobs, it looks each ecosystem up once per entry, and the one
//! index is maintained as rows arrive (building it at the end was 0.5 s of serial time; kept
//! up to date it costs the writer less than that while the parsers run). The fsync of the new
//! file runs in the background during the build.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use rusqlite::{Connection, params};

use crate::borrowed::{RecordRef, SeverityRef, Str};
use crate::error::DbError;
use crate::model::{base_ecosystem, normalize_name};
use crate::store;

/// Where a source came from, when it was downloaded (kept in the `sources` table so that the
/// next update can ask conditionally).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// One record (a `.json` file or zip entry) larger than this is an error (default 32 MiB).
    pub max_record_bytes: u64,
    /// Skip invalid records (reported in [`ImportReport::skipped`]) instead of failing.
    pub skip_invalid: bool,
    /// Download provenance per input path (set by `update`).
    pub origins: HashMap<PathBuf, Origin>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions { max_record_bytes: 32 << 20, skip_invalid: false, origins: HashMap::new() }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Distinct advisories stored.
    pub records: u64,
    /// Records seen more than once (same id in several inputs; the newest `modified` wins).
    pub duplicates: u64,
    /// Withdrawn advisories (stored, flagged).
    pub withdrawn: u64,
    /// Invalid records skipped (only with [`ImportOptions::skip_invalid`]), as messages.
    pub skipped: Vec<String>,
    /// Advisories per full ecosystem (`Debian:12`, `PyPI`, …).
    pub ecosystems: Vec<(String, u64)>,
    /// Bytes of input files (zips as compressed).
    pub input_bytes: u64,
    /// Size of the database written.
    pub db_bytes: u64,
    pub elapsed: Duration,
}

/// Imports OSV data from `paths` (OSV `all.zip` exports, directories searched recursively for
/// `*.json` and `*.zip`, single `.json` records) into a new database at `db_path`, replacing any
/// database there atomically.
pub fn import(paths: &[PathBuf], db_path: &Path, options: &ImportOptions) -> Result<ImportReport, DbError> {
    let start = Instant::now();
    let mut inputs = Vec::new();
    for (source, path) in paths.iter().enumerate() {
        collect(path, source, &mut inputs)?;
    }
    let input_bytes = inputs.iter().map(|i| i.bytes).sum();
    let units = plan(&inputs)?;
    timing(format_args!(
        "{} inputs planned as {} units in {:.2} s",
        inputs.len(),
        units.len(),
        start.elapsed().as_secs_f64()
    ));

    let dir = match db_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| DbError::io(&dir, e))?;
    let file_name = db_path.file_name().map_or("osv.db".into(), |n| n.to_string_lossy().into_owned());
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| DbError::io(&dir, e))?;
    let temp_path = temp.path().to_owned();

    // The database is written with `synchronous = OFF` and fsynced once before the rename; a
    // helper starts that writeback while the import still runs, so that the final fsync finds
    // little left to do (it took 0.4 s of a 4 s import when left to the end).
    let flushing = temp.as_file().try_clone().map_err(|e| DbError::io(&temp_path, e))?;
    let (stop_flushing, flush_until) = std::sync::mpsc::channel::<()>();
    let built = std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = flush_until.recv_timeout(FLUSH_EVERY) {
                // Best effort: the fsync that counts comes after the build.
                let _ = flushing.sync_data();
            }
        });
        let built = (|| {
            let mut conn = Connection::open(&temp_path).map_err(|e| DbError::sqlite(&temp_path, e))?;
            let report = build(&mut conn, &temp_path, paths, units, options)?;
            conn.close().map_err(|(_, e)| DbError::sqlite(&temp_path, e))?;
            Ok::<_, DbError>(report)
        })();
        drop(stop_flushing);
        built
    });
    let mut report = built?;
    report.input_bytes = input_bytes;
    if report.records == 0 {
        return Err(DbError::NoRecords { inputs: paths.to_vec() });
    }
    let synced = Instant::now();
    temp.as_file().sync_all().map_err(|e| DbError::io(&temp_path, e))?;
    timing(format_args!("final fsync {:.2} s", synced.elapsed().as_secs_f64()));
    report.db_bytes = temp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    temp.persist(db_path).map_err(|e| DbError::io(db_path, e.error))?;
    report.elapsed = start.elapsed();
    Ok(report)
}

/// How often the import's database is flushed to disk in the background.
const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// With `RAMPART_TIMINGS` set, prints how long a phase took (the import's own profile).
fn timing(what: std::fmt::Arguments<'_>) {
    if std::env::var_os("RAMPART_TIMINGS").is_some() {
        eprintln!("rampart: timings: {what}");
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs

enum Kind {
    Json,
    Zip,
}

struct Input {
    path: PathBuf,
    source: usize,
    kind: Kind,
    bytes: u64,
}

fn collect(path: &Path, source: usize, out: &mut Vec<Input>) -> Result<(), DbError> {
    let meta = std::fs::metadata(path).map_err(|e| DbError::io(path, e))?;
    if meta.is_dir() {
        let mut stack = vec![path.to_owned()];
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).map_err(|e| DbError::io(&dir, e))? {
                let entry = entry.map_err(|e| DbError::io(&dir, e))?;
                let p = entry.path();
                // Not following symlinked directories: no loops.
                let ft = entry.file_type().map_err(|e| DbError::io(&p, e))?;
                if ft.is_dir() {
                    stack.push(p);
                } else if let Some(kind) = kind_of(&p) {
                    let bytes = std::fs::metadata(&p).map_err(|e| DbError::io(&p, e))?.len();
                    found.push(Input { path: p, source, kind, bytes });
                }
            }
        }
        found.sort_by(|a, b| a.path.cmp(&b.path));
        out.extend(found);
    } else {
        // An explicit file: a zip by its name or its magic number, else JSON.
        let kind = match kind_of(path) {
            Some(k) => k,
            None => {
                let mut magic = [0u8; 4];
                let zip =
                    File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok_and(|()| magic == *b"PK\x03\x04");
                if zip { Kind::Zip } else { Kind::Json }
            }
        };
        out.push(Input { path: path.to_owned(), source, kind, bytes: meta.len() });
    }
    Ok(())
}

fn kind_of(path: &Path) -> Option<Kind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "json" => Some(Kind::Json),
        "zip" => Some(Kind::Zip),
        _ => None,
    }
}

/// A file shared by several readers, each with its own position (positional reads), so one
/// parsed zip directory serves every rayon worker without loading the archive into memory.
#[derive(Clone)]
struct SharedFile {
    file: Arc<File>,
    pos: u64,
    len: u64,
}

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(&*self.file, buf, self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(&*self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before start"))?;
        Ok(self.pos)
    }
}

/// One piece of parsing work.
enum Unit {
    Files {
        source: usize,
        order: usize,
        paths: Vec<PathBuf>,
    },
    Zip {
        source: usize,
        order: usize,
        path: Arc<Path>,
        archive: Arc<Archive>,
        file: Arc<File>,
        len: u64,
        entries: std::ops::Range<usize>,
    },
}

const FILES_PER_UNIT: usize = 64;
const ENTRIES_PER_UNIT: usize = 1024;

type Archive = zip::ZipArchive<io::BufReader<SharedFile>>;

/// Opens a zip and reads its central directory.
fn open_zip(path: &Path) -> Result<(Arc<File>, u64, Arc<Archive>), DbError> {
    let file = File::open(path).map_err(|e| DbError::io(path, e))?;
    let len = file.metadata().map_err(|e| DbError::io(path, e))?.len();
    let file = Arc::new(file);
    let shared = SharedFile { file: file.clone(), pos: 0, len };
    let archive = zip::ZipArchive::new(io::BufReader::with_capacity(64 << 10, shared)).map_err(|e| DbError::Zip {
        path: path.to_owned(),
        entry: None,
        message: e.to_string(),
    })?;
    Ok((file, len, Arc::new(archive)))
}

fn plan(inputs: &[Input]) -> Result<Vec<Unit>, DbError> {
    // Central directories are read in parallel: 200 000 entries are a tenth of a second.
    let mut zips: Vec<Option<Result<_, DbError>>> =
        inputs.par_iter().map(|input| matches!(input.kind, Kind::Zip).then(|| open_zip(&input.path))).collect();
    let mut units = Vec::new();
    let mut pending: Vec<PathBuf> = Vec::new();
    let mut pending_source = 0;
    for (input, zip) in inputs.iter().zip(zips.iter_mut()) {
        match input.kind {
            Kind::Json => {
                if pending.len() >= FILES_PER_UNIT || (pending_source != input.source && !pending.is_empty()) {
                    let order = units.len();
                    units.push(Unit::Files { source: pending_source, order, paths: std::mem::take(&mut pending) });
                }
                pending_source = input.source;
                pending.push(input.path.clone());
            }
            Kind::Zip => {
                let Some(opened) = zip.take() else { continue };
                let (file, len, archive) = opened?;
                let path: Arc<Path> = Arc::from(input.path.as_path());
                let n = archive.len();
                let mut at = 0;
                while at < n {
                    let end = (at + ENTRIES_PER_UNIT).min(n);
                    let order = units.len();
                    units.push(Unit::Zip {
                        source: input.source,
                        order,
                        path: path.clone(),
                        archive: archive.clone(),
                        file: file.clone(),
                        len,
                        entries: at..end,
                    });
                    at = end;
                }
            }
        }
    }
    if !pending.is_empty() {
        let order = units.len();
        units.push(Unit::Files { source: pending_source, order, paths: pending });
    }
    Ok(units)
}

// ---------------------------------------------------------------------------------------------
// Parsing (parallel)

/// Records turned into column values, ready to bind: every string of a batch in one `String`
/// and every blob in one buffer, so that a batch costs a handful of allocations, not dozens per
/// record, and the writer binds text without validating it again.
#[derive(Default)]
struct Batch {
    text: String,
    blobs: Vec<u8>,
    records: Vec<Prepared>,
    affected: Vec<PreparedAffected>,
    /// Invalid records skipped (with [`ImportOptions::skip_invalid`]).
    skipped: Vec<String>,
    /// Input bytes parsed into this batch.
    input: usize,
}

struct Prepared {
    id: Text,
    modified: Text,
    published: Text,
    withdrawn: Text,
    summary: Text,
    severity: Blob,
    rating: Text,
    aliases: Text,
    related: Text,
    upstream: Text,
    refs: Blob,
    /// Indexes into [`Batch::affected`].
    affected: std::ops::Range<usize>,
    source: usize,
    /// Input order, for a deterministic winner among duplicates with equal `modified`.
    order: (usize, usize),
}

struct PreparedAffected {
    ecosystem: Text,
    name: Text,
    display_name: Text,
    ranges: Blob,
    versions: Blob,
    severity: Blob,
}

/// Where a string lies in [`Batch::text`] (`None`: NULL). A batch stays far below 4 GiB
/// (records are bounded, batches flushed at [`BATCH_BYTES`]).
#[derive(Clone, Copy)]
struct Text(Option<(u32, u32)>);

/// Where a blob lies in [`Batch::blobs`] (`None`: NULL).
#[derive(Clone, Copy)]
struct Blob(Option<(u32, u32)>);

impl Batch {
    fn put_str(&mut self, s: Option<&str>) -> Text {
        let Some(s) = s else { return Text(None) };
        let start = self.text.len() as u32;
        self.text.push_str(s);
        Text(Some((start, self.text.len() as u32)))
    }

    /// Compact JSON of `value`, as text.
    fn put_json_text<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Text {
        // Serialising our own plain structs cannot fail.
        self.put_str(serde_json::to_string(value).ok().as_deref())
    }

    /// Compact JSON of `value`, zstd-compressed when that pays.
    fn put_json_blob<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Blob {
        let start = self.blobs.len();
        // Serialising our own plain structs into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.blobs, value);
        if let Some(z) = store::compress(&self.blobs[start..]) {
            self.blobs.truncate(start);
            self.blobs.extend_from_slice(&z);
        }
        Blob(Some((start as u32, self.blobs.len() as u32)))
    }

    fn bytes(&self, span: Blob) -> Option<&[u8]> {
        span.0.map(|(a, b)| &self.blobs[a as usize..b as usize])
    }

    fn text(&self, span: Text) -> Option<&str> {
        span.0.map(|(a, b)| &self.text[a as usize..b as usize])
    }
}

/// Batches the writer is done with, handed back to the parsers: their buffers keep their
/// capacity, and the writer never frees memory another thread allocated (glibc makes that dear).
#[derive(Default)]
struct BatchPool(std::sync::Mutex<Vec<Batch>>);

impl BatchPool {
    /// Batches waiting in the channel plus those being filled never exceed this many.
    const KEEP: usize = 16;

    fn take(&self) -> Batch {
        self.0.lock().ok().and_then(|mut pool| pool.pop()).unwrap_or_default()
    }

    fn give(&self, mut batch: Batch) {
        batch.text.clear();
        batch.blobs.clear();
        batch.records.clear();
        batch.affected.clear();
        batch.skipped.clear();
        batch.input = 0;
        if let Ok(mut pool) = self.0.lock()
            && pool.len() < Self::KEEP
        {
            pool.push(batch);
        }
    }
}

/// A batch is sent to the writer once its records' raw JSON adds up to this.
const BATCH_BYTES: usize = 4 << 20;

fn json_error(path: &Path, entry: Option<&str>, e: &serde_json::Error) -> DbError {
    DbError::Json {
        path: path.to_owned(),
        entry: entry.map(str::to_owned),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    }
}

fn read_bounded(reader: impl Read, limit: u64, path: &Path, entry: Option<&str>) -> Result<Vec<u8>, DbError> {
    let mut buf = Vec::new();
    let res = reader.take(limit + 1).read_to_end(&mut buf);
    if let Err(e) = res {
        return Err(match entry {
            Some(entry) => {
                DbError::Zip { path: path.to_owned(), entry: Some(entry.to_owned()), message: e.to_string() }
            }
            None => DbError::io(path, e),
        });
    }
    if buf.len() as u64 > limit {
        return Err(DbError::TooLarge {
            path: path.to_owned(),
            entry: entry.map(str::to_owned),
            size: buf.len() as u64,
            limit,
        });
    }
    Ok(buf)
}

fn parse_into(
    bytes: &[u8],
    path: &Path,
    entry: Option<&str>,
    source: usize,
    order: (usize, usize),
    options: &ImportOptions,
    batch: &mut Batch,
) -> Result<(), DbError> {
    batch.input += bytes.len();
    // One UTF-8 check over the whole record is several times cheaper than serde_json's check of
    // every string it meets.
    let result = std::str::from_utf8(bytes)
        .map_err(|e| {
            let before = &bytes[..e.valid_up_to()];
            let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            DbError::Json {
                path: path.to_owned(),
                entry: entry.map(str::to_owned),
                line: before.iter().filter(|&&b| b == b'\n').count() + 1,
                column: before.len() - line_start + 1,
                message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            }
        })
        .and_then(|text| serde_json::from_str::<RecordRef>(text).map_err(|e| json_error(path, entry, &e)))
        .and_then(|record| {
            if record.id.as_str().trim().is_empty() {
                Err(DbError::Json {
                    path: path.to_owned(),
                    entry: entry.map(str::to_owned),
                    line: 1,
                    column: 1,
                    message: "the record has no `id`".into(),
                })
            } else {
                Ok(record)
            }
        });
    match result {
        Ok(record) => prepare(&record, source, order, batch),
        Err(e) if options.skip_invalid => batch.skipped.push(e.to_string()),
        Err(e) => return Err(e),
    }
    Ok(())
}

fn severity_blob(sev: &[SeverityRef], batch: &mut Batch) -> Blob {
    if sev.is_empty() {
        return Blob(None);
    }
    let pairs: Vec<[&str; 2]> = sev.iter().map(|s| [s.kind.as_str(), s.score.as_str()]).collect();
    batch.put_json_blob(&pairs)
}

fn id_list(ids: &[Str], batch: &mut Batch) -> Text {
    if ids.is_empty() { Text(None) } else { batch.put_json_text(ids) }
}

fn prepare(record: &RecordRef<'_>, source: usize, order: (usize, usize), batch: &mut Batch) {
    let first_affected = batch.affected.len();
    for a in &record.affected {
        let Some(package) = &a.package else { continue };
        let (ecosystem, published_name) = (package.ecosystem.as_str(), package.name.as_str());
        if ecosystem.is_empty() || published_name.is_empty() {
            continue;
        }
        let ecosystem = batch.put_str(Some(ecosystem));
        let name = normalize_name(package.ecosystem.as_str(), published_name);
        let display_name = batch.put_str((name != published_name).then_some(published_name));
        let name = batch.put_str(Some(&name));
        let ranges: Vec<_> = a.ranges.iter().filter(|r| !r.kind.as_str().eq_ignore_ascii_case("GIT")).collect();
        let ranges = if ranges.is_empty() { Blob(None) } else { batch.put_json_blob(&ranges) };
        let versions = if a.versions.is_empty() { Blob(None) } else { batch.put_json_blob(&a.versions) };
        let severity = severity_blob(&a.severity, batch);
        batch.affected.push(PreparedAffected { ecosystem, name, display_name, ranges, versions, severity });
    }
    let refs = if record.references.is_empty() {
        Blob(None)
    } else {
        let pairs: Vec<[&str; 2]> = record.references.iter().map(|r| [r.kind.as_str(), r.url.as_str()]).collect();
        batch.put_json_blob(&pairs)
    };
    let prepared = Prepared {
        id: batch.put_str(Some(record.id.as_str())),
        modified: batch.put_str(record.modified.as_ref().map(Str::as_str)),
        published: batch.put_str(record.published.as_ref().map(Str::as_str)),
        withdrawn: batch.put_str(record.withdrawn.as_ref().map(Str::as_str)),
        summary: batch.put_str(record.summary.as_ref().map(Str::as_str).filter(|s| !s.is_empty())),
        severity: severity_blob(&record.severity, batch),
        rating: batch.put_str(record.database_specific.severity.as_ref().map(Str::as_str)),
        aliases: id_list(&record.aliases, batch),
        related: id_list(&record.related, batch),
        upstream: id_list(&record.upstream, batch),
        refs,
        affected: first_affected..batch.affected.len(),
        source,
        order,
    };
    batch.records.push(prepared);
}

/// Parses one unit, handing batches to `send` as they fill.
fn parse_unit(
    unit: Unit,
    options: &ImportOptions,
    pool: &BatchPool,
    send: &mut dyn FnMut(Batch) -> bool,
) -> Result<(), DbError> {
    let mut batch = pool.take();
    let mut flush = |batch: &mut Batch| -> bool {
        if batch.input >= BATCH_BYTES {
            return send(std::mem::replace(batch, pool.take()));
        }
        true
    };
    match unit {
        Unit::Files { source, order, paths } => {
            for (i, path) in paths.iter().enumerate() {
                let file = File::open(path).map_err(|e| DbError::io(path, e))?;
                let bytes = read_bounded(file, options.max_record_bytes, path, None)?;
                parse_into(&bytes, path, None, source, (order, i), options, &mut batch)?;
                if !flush(&mut batch) {
                    return Ok(());
                }
            }
        }
        Unit::Zip { source, order, path, archive, file, len, entries } => {
            let mut reader = ZipReader::new(&path, &file, len, options.max_record_bytes);
            let metas: Vec<_> = entries
                .clone()
                .map(|i| archive.by_index_data(i).map_err(|e| reader.error(Some(format!("#{i}")), e.to_string())))
                .collect::<Result<_, _>>()?;
            reader.prefetch(&metas)?;
            for (i, meta) in entries.zip(&metas) {
                if meta.is_dir() {
                    continue;
                }
                let name = String::from_utf8_lossy(meta.name_raw());
                if !name.to_ascii_lowercase().ends_with(".json") {
                    continue;
                }
                let bytes = reader.read(meta, &name)?;
                parse_into(bytes, &path, Some(&name), source, (order, i), options, &mut batch)?;
                if !flush(&mut batch) {
                    return Ok(());
                }
            }
        }
    }
    if !batch.records.is_empty() || !batch.skipped.is_empty() {
        send(batch);
    } else {
        pool.give(batch);
    }
    Ok(())
}

/// Bytes of a local file header before its name and extra field.
const LOCAL_HEADER: u64 = 30;
/// Room for a local extra field read along with its entry (they are usually empty or tiny).
const LOCAL_SLACK: u64 = 256;
/// A unit's entries are read in one go when they lie together within this many bytes.
const CHUNK_MAX: u64 = 16 << 20;

fn read_exact_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, pos)
    }
    #[cfg(windows)]
    {
        let (mut buf, mut pos) = (buf, pos);
        while !buf.is_empty() {
            match std::os::windows::fs::FileExt::seek_read(file, buf, pos) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    buf = &mut buf[n..];
                    pos += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Where an entry's data lies in `buf` (which holds the file from `buf_start`): `Ok(None)` when
/// `buf` does not hold all of it.
fn locate(buf: &[u8], buf_start: u64, header: u64, compressed: u64) -> Result<Option<std::ops::Range<usize>>, String> {
    let Some(at) = header.checked_sub(buf_start).and_then(|a| usize::try_from(a).ok()) else { return Ok(None) };
    let Some(fixed) = buf.get(at..).and_then(|b| b.get(..LOCAL_HEADER as usize)) else { return Ok(None) };
    if fixed[..4] != *b"PK\x03\x04" {
        return Err(format!("no local file header at offset {header}"));
    }
    let name_len = u64::from(u16::from_le_bytes([fixed[26], fixed[27]]));
    let extra_len = u64::from(u16::from_le_bytes([fixed[28], fixed[29]]));
    let start = at as u64 + LOCAL_HEADER + name_len + extra_len;
    let end = start.saturating_add(compressed);
    if end > buf.len() as u64 {
        return Ok(None);
    }
    Ok(Some(start as usize..end as usize))
}

/// Reads a zip's entries raw (positional reads: one per unit when its entries lie together) and
/// inflates them with one reused inflater, checking the declared size, the record bound and the
/// CRC-32 itself.
struct ZipReader<'a> {
    path: &'a Path,
    file: &'a File,
    len: u64,
    limit: u64,
    inflater: libdeflater::Decompressor,
    chunk: Vec<u8>,
    chunk_start: u64,
    scratch: Vec<u8>,
    out: Vec<u8>,
}

impl<'a> ZipReader<'a> {
    fn new(path: &'a Path, file: &'a File, len: u64, limit: u64) -> Self {
        ZipReader {
            path,
            file,
            len,
            limit,
            inflater: libdeflater::Decompressor::new(),
            chunk: Vec::new(),
            chunk_start: 0,
            scratch: Vec::new(),
            out: Vec::new(),
        }
    }

    fn error(&self, entry: Option<String>, message: String) -> DbError {
        DbError::Zip { path: self.path.to_owned(), entry, message }
    }

    /// Reads the span holding `entries` at once, when it is compact.
    fn prefetch(&mut self, entries: &[zip::read::ZipFileEntry<'_>]) -> Result<(), DbError> {
        let (mut lo, mut hi, mut total) = (u64::MAX, 0u64, 0u64);
        for e in entries {
            let span = (LOCAL_HEADER + LOCAL_SLACK + e.name_raw().len() as u64).saturating_add(e.compressed_size());
            lo = lo.min(e.header_start());
            hi = hi.max(e.header_start().saturating_add(span));
            total = total.saturating_add(span);
        }
        let hi = hi.min(self.len);
        if lo >= hi || hi - lo > CHUNK_MAX || hi - lo > total.saturating_mul(2) {
            return Ok(());
        }
        self.chunk.clear();
        self.chunk.resize((hi - lo) as usize, 0);
        read_exact_at(self.file, &mut self.chunk, lo).map_err(|e| DbError::io(self.path, e))?;
        self.chunk_start = lo;
        Ok(())
    }

    /// The entry's content, checked.
    fn read(&mut self, meta: &zip::read::ZipFileEntry<'_>, name: &str) -> Result<&[u8], DbError> {
        let fail = |this: &Self, message: String| this.error(Some(name.to_owned()), message);
        let size = meta.size();
        if size > self.limit {
            return Err(DbError::TooLarge {
                path: self.path.to_owned(),
                entry: Some(name.to_owned()),
                size,
                limit: self.limit,
            });
        }
        if meta.encrypted() {
            return Err(fail(self, "encrypted entries are not supported".into()));
        }
        let method = meta.compression();
        let compressed = meta.compressed_size();
        // Deflate adds at most a few bytes per 16 KiB block to incompressible data.
        let plausible = match method {
            zip::CompressionMethod::Stored => compressed == size,
            _ => compressed <= size + size / 1024 + 1024,
        };
        if !plausible {
            return Err(fail(self, format!("compressed size {compressed} does not fit the size {size}")));
        }
        let header = meta.header_start();
        let from_chunk = locate(&self.chunk, self.chunk_start, header, compressed).map_err(|m| fail(self, m))?;
        let data = match from_chunk {
            Some(range) => &self.chunk[range],
            None => {
                let mut want = LOCAL_HEADER + LOCAL_SLACK + meta.name_raw().len() as u64 + compressed;
                let mut found = None;
                for _ in 0..2 {
                    let n = want.min(self.len.saturating_sub(header));
                    self.scratch.clear();
                    self.scratch.resize(n as usize, 0);
                    read_exact_at(self.file, &mut self.scratch, header).map_err(|e| fail(self, e.to_string()))?;
                    match locate(&self.scratch, header, header, compressed).map_err(|m| fail(self, m))? {
                        Some(range) => {
                            found = Some(range);
                            break;
                        }
                        None if self.scratch.len() >= LOCAL_HEADER as usize => {
                            // A larger local extra field than expected: read exactly.
                            let s = &self.scratch;
                            let extra = u64::from(u16::from_le_bytes([s[26], s[27]]))
                                + u64::from(u16::from_le_bytes([s[28], s[29]]));
                            want = LOCAL_HEADER + extra + compressed;
                        }
                        None => break,
                    }
                }
                match found {
                    Some(range) => &self.scratch[range],
                    None => return Err(fail(self, "the entry's data runs past the end of the file".into())),
                }
            }
        };
        let out = &mut self.out;
        out.clear();
        match method {
            zip::CompressionMethod::Stored => out.extend_from_slice(data),
            zip::CompressionMethod::Deflated => {
                // The directory declares the size: inflate into exactly that much (libdeflate's
                // whole-buffer inflate, about twice zlib's speed on records this small); a
                // stream that wants more room is an error, so a bomb never allocates past it.
                out.resize(size as usize, 0);
                let written = self.inflater.deflate_decompress(data, out).map_err(|e| {
                    let message = match e {
                        libdeflater::DecompressionError::InsufficientSpace => {
                            format!("the entry inflates to more than its declared size {size}")
                        }
                        libdeflater::DecompressionError::BadData => "corrupt or truncated deflate stream".to_owned(),
                    };
                    DbError::Zip { path: self.path.to_owned(), entry: Some(name.to_owned()), message }
                })?;
                out.truncate(written);
            }
            other => return Err(fail(self, format!("unsupported compression method {other}"))),
        }
        let out = &self.out;
        if out.len() as u64 != size {
            let what = if out.len() as u64 > size { "more than" } else { "only" };
            return Err(fail(self, format!("the entry inflates to {what} its declared size {size}")));
        }
        let crc = crc32fast::hash(out);
        if crc != meta.crc32() {
            return Err(fail(self, format!("CRC-32 mismatch: data {crc:08x}, directory {:08x}", meta.crc32())));
        }
        Ok(&self.out)
    }
}

// ---------------------------------------------------------------------------------------------
// Writing (one thread)

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

struct Seen {
    rowid: i64,
    modified: Option<String>,
    order: (usize, usize),
    affected: std::ops::Range<i64>,
    source: usize,
    /// The distinct ecosystems of its affected entries, for the per-ecosystem counts.
    ecosystems: Vec<i64>,
    withdrawn: bool,
}

fn build(
    conn: &mut Connection,
    db_path: &Path,
    paths: &[PathBuf],
    units: Vec<Unit>,
    options: &ImportOptions,
) -> Result<ImportReport, DbError> {
    let sql = |e| DbError::sqlite(db_path, e);
    conn.execute_batch(
        "PRAGMA page_size = 8192; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;",
    )
    .map_err(sql)?;
    conn.execute_batch(store::CREATE).map_err(sql)?;
    let tx = conn.transaction().map_err(sql)?;

    let mut report = ImportReport::default();
    // foldhash (randomly seeded) instead of SipHash: these maps are on the single writing
    // thread, hit once or more per record.
    let mut seen: HashMap<String, Seen, foldhash::fast::RandomState> = HashMap::default();
    let mut ecosystems: HashMap<String, i64, foldhash::fast::RandomState> = HashMap::default();
    // Advisories per ecosystem, counted while inserting rather than by a query over every row.
    let mut counts: HashMap<i64, u64> = HashMap::new();
    // Ecosystem ids per input, named at the end.
    let mut source_ecosystems: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); paths.len()];
    let mut eco_ids: Vec<i64> = Vec::new();
    let mut source_records: Vec<u64> = vec![0; paths.len()];

    let (tx_batches, rx_batches) = sync_channel::<Result<Batch, DbError>>(rayon::current_num_threads() * 2);
    let pool = BatchPool::default();
    let written: Result<(), DbError> = std::thread::scope(|scope| {
        let parsers_pool = &pool;
        scope.spawn(move || {
            let result = units.into_par_iter().try_for_each_with(tx_batches.clone(), |tx, unit| {
                let mut alive = true;
                parse_unit(unit, options, parsers_pool, &mut |batch| {
                    alive = tx.send(Ok(batch)).is_ok();
                    alive
                })?;
                if alive { Ok(()) } else { Err(None) }
            });
            if let Err(Some(e)) = result.map_err(|e: Option<DbError>| e) {
                let _ = tx_batches.send(Err(e));
            }
        });

        let mut write_adv = tx
            .prepare(
                "INSERT OR REPLACE INTO advisories (id, osv_id, modified, published, withdrawn, summary, severity, rating,
                 aliases, related, upstream, refs) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .map_err(sql)?;
        let mut delete_aff = tx.prepare("DELETE FROM affected WHERE rowid >= ?1 AND rowid < ?2").map_err(sql)?;
        let mut insert_aff = tx
            .prepare(
                "INSERT INTO affected (rowid, advisory, ecosystem, name, display_name, ranges, versions, severity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(sql)?;
        let mut insert_eco = tx.prepare("INSERT INTO ecosystems (id, name, base) VALUES (?1, ?2, ?3)").map_err(sql)?;
        let mut next_adv: i64 = 1;
        let mut next_aff: i64 = 1;

        let mut waited = Duration::ZERO;
        loop {
            let wait = Instant::now();
            let Ok(batch) = rx_batches.recv() else { break };
            waited += wait.elapsed();
            let batch = batch?;
            for message in batch.skipped.iter() {
                if report.skipped.len() < 1000 {
                    report.skipped.push(message.clone());
                }
            }
            let (text, bytes) = (|s| batch.text(s), |s| batch.bytes(s));
            for p in &batch.records {
                let affected = &batch.affected[p.affected.clone()];
                source_records[p.source] += 1;
                // One lookup per affected entry: its ecosystem's id, by position.
                eco_ids.clear();
                for a in affected {
                    let eco = text(a.ecosystem).unwrap_or_default();
                    let id = match ecosystems.get(eco) {
                        Some(id) => *id,
                        None => {
                            let id = ecosystems.len() as i64 + 1;
                            insert_eco.execute(params![id, eco, base_ecosystem(eco)]).map_err(sql)?;
                            ecosystems.insert(eco.to_owned(), id);
                            id
                        }
                    };
                    eco_ids.push(id);
                }
                let mut record_ecosystems = eco_ids.clone();
                record_ecosystems.sort_unstable();
                record_ecosystems.dedup();
                source_ecosystems[p.source].extend(&record_ecosystems);
                let id = text(p.id).unwrap_or_default();
                let modified = text(p.modified);
                let rowid = match seen.get_mut(id) {
                    Some(prev) => {
                        report.duplicates += 1;
                        // The newest `modified` wins; on a tie, the later input.
                        if (modified, p.order) <= (prev.modified.as_deref(), prev.order) {
                            continue;
                        }
                        delete_aff.execute(params![prev.affected.start, prev.affected.end]).map_err(sql)?;
                        prev.modified = modified.map(str::to_owned);
                        prev.order = p.order;
                        prev.source = p.source;
                        prev.affected = next_aff..next_aff + affected.len() as i64;
                        for eco in &prev.ecosystems {
                            if let Some(n) = counts.get_mut(eco) {
                                *n = n.saturating_sub(1);
                            }
                        }
                        for eco in &record_ecosystems {
                            *counts.entry(*eco).or_default() += 1;
                        }
                        prev.ecosystems = record_ecosystems;
                        prev.withdrawn = p.withdrawn.0.is_some();
                        prev.rowid
                    }
                    None => {
                        let rowid = next_adv;
                        next_adv += 1;
                        seen.insert(
                            id.to_owned(),
                            Seen {
                                rowid,
                                modified: modified.map(str::to_owned),
                                order: p.order,
                                affected: next_aff..next_aff + affected.len() as i64,
                                source: p.source,
                                ecosystems: record_ecosystems.clone(),
                                withdrawn: p.withdrawn.0.is_some(),
                            },
                        );
                        for eco in &record_ecosystems {
                            *counts.entry(*eco).or_default() += 1;
                        }
                        rowid
                    }
                };
                // A newer duplicate replaces the advisory row in place (same rowid).
                write_adv
                    .execute(params![
                        rowid,
                        id,
                        modified,
                        text(p.published),
                        text(p.withdrawn),
                        text(p.summary),
                        bytes(p.severity),
                        text(p.rating),
                        text(p.aliases),
                        text(p.related),
                        text(p.upstream),
                        bytes(p.refs)
                    ])
                    .map_err(sql)?;
                for (a, eco) in affected.iter().zip(&eco_ids) {
                    insert_aff
                        .execute(params![
                            next_aff,
                            rowid,
                            eco,
                            text(a.name),
                            text(a.display_name),
                            bytes(a.ranges),
                            bytes(a.versions),
                            bytes(a.severity)
                        ])
                        .map_err(sql)?;
                    next_aff += 1;
                }
            }
            pool.give(batch);
        }
        timing(format_args!("the writer waited {:.2} s for parsed records", waited.as_secs_f64()));
        Ok(())
    });
    written?;
    // After parsing and inserting: how long the single-threaded finishing steps take.
    let phase = Instant::now();
    let now = now_secs();
    {
        let mut set_count = tx.prepare("UPDATE ecosystems SET records = ?2 WHERE id = ?1").map_err(sql)?;
        for (eco, count) in &counts {
            set_count.execute(params![eco, *count as i64]).map_err(sql)?;
        }
    }
    let names: HashMap<i64, &str> = ecosystems.iter().map(|(name, id)| (*id, name.as_str())).collect();
    for (i, path) in paths.iter().enumerate() {
        let origin = options.origins.get(path);
        let location = origin.map_or_else(|| path.display().to_string(), |o| o.url.clone());
        let mut ecos: Vec<&str> = source_ecosystems[i].iter().filter_map(|id| names.get(id).copied()).collect();
        ecos.sort_unstable();
        tx.execute(
            "INSERT INTO sources (location, ecosystems, etag, last_modified, records, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                location,
                ecos.join(","),
                origin.and_then(|o| o.etag.clone()),
                origin.and_then(|o| o.last_modified.clone()),
                source_records[i] as i64,
                now
            ],
        )
        .map_err(sql)?;
    }
    tx.execute_batch(&format!(
        "INSERT INTO meta (key, value) VALUES ('format', '{}'), ('built_at', '{now}'), ('generator', 'rampart {}');
         PRAGMA user_version = {};",
        store::FORMAT,
        env!("CARGO_PKG_VERSION"),
        store::SCHEMA_VERSION
    ))
    .map_err(sql)?;
    report.records = seen.len() as u64;
    report.withdrawn = seen.values().filter(|s| s.withdrawn).count() as u64;
    {
        let mut stmt = tx.prepare("SELECT name, records FROM ecosystems ORDER BY name").map_err(sql)?;
        report.ecosystems = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))
            .map_err(sql)?
            .collect::<Result<_, _>>()
            .map_err(sql)?;
    }
    timing(format_args!("counts and metadata {:.2} s", phase.elapsed().as_secs_f64()));
    // No ANALYZE: the one index is the only plan for the one query.
    tx.commit().map_err(sql)?;
    timing(format_args!("commit {:.2} s", phase.elapsed().as_secs_f64()));
    Ok(report)
}

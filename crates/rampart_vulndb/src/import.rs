//! Building a database from OSV files: parse in parallel (rayon), insert on one thread in one
//! transaction into a NEW temp file beside the target, build the indexes last, rename over the
//! target. A failure anywhere leaves the old database untouched.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::sync_channel;
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

    let mut report = {
        let mut conn = Connection::open(&temp_path).map_err(|e| DbError::sqlite(&temp_path, e))?;
        let mut report = build(&mut conn, &temp_path, paths, units, options)?;
        conn.close().map_err(|(_, e)| DbError::sqlite(&temp_path, e))?;
        report.input_bytes = input_bytes;
        report
    };
    if report.records == 0 {
        return Err(DbError::NoRecords { inputs: paths.to_vec() });
    }
    temp.as_file().sync_all().map_err(|e| DbError::io(&temp_path, e))?;
    report.db_bytes = temp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    temp.persist(db_path).map_err(|e| DbError::io(db_path, e.error))?;
    report.elapsed = start.elapsed();
    Ok(report)
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
        archive: Arc<zip::ZipArchive<io::BufReader<SharedFile>>>,
        file: Arc<File>,
        len: u64,
        entries: std::ops::Range<usize>,
    },
}

const FILES_PER_UNIT: usize = 64;
const ENTRIES_PER_UNIT: usize = 1024;

fn plan(inputs: &[Input]) -> Result<Vec<Unit>, DbError> {
    let mut units = Vec::new();
    let mut pending: Vec<PathBuf> = Vec::new();
    let mut pending_source = 0;
    for input in inputs {
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
                let file = File::open(&input.path).map_err(|e| DbError::io(&input.path, e))?;
                let len = file.metadata().map_err(|e| DbError::io(&input.path, e))?.len();
                let file = Arc::new(file);
                let shared = SharedFile { file: file.clone(), pos: 0, len };
                let archive = zip::ZipArchive::new(io::BufReader::with_capacity(64 << 10, shared))
                    .map_err(|e| DbError::Zip { path: input.path.clone(), entry: None, message: e.to_string() })?;
                let path: Arc<Path> = Arc::from(input.path.as_path());
                let archive = Arc::new(archive);
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

/// Where a value lies in [`Batch::buf`] (`None`: NULL).
type Span = Option<(u32, u32)>;

/// Records turned into column values, ready to bind: every string and blob of a batch in one
/// buffer, so that a batch costs a handful of allocations, not dozens per record.
#[derive(Default)]
struct Batch {
    buf: Vec<u8>,
    records: Vec<Prepared>,
    affected: Vec<PreparedAffected>,
    /// Invalid records skipped (with [`ImportOptions::skip_invalid`]).
    skipped: Vec<String>,
    /// Input bytes parsed into this batch.
    input: usize,
}

struct Prepared {
    id: Span,
    modified: Span,
    published: Span,
    withdrawn: Span,
    summary: Span,
    severity: Span,
    rating: Span,
    aliases: Span,
    related: Span,
    upstream: Span,
    refs: Span,
    /// Indexes into [`Batch::affected`].
    affected: std::ops::Range<usize>,
    source: usize,
    /// Input order, for a deterministic winner among duplicates with equal `modified`.
    order: (usize, usize),
}

struct PreparedAffected {
    ecosystem: Span,
    name: Span,
    display_name: Span,
    ranges: Span,
    versions: Span,
    severity: Span,
}

impl Batch {
    fn span(&self, start: usize) -> Span {
        // A batch stays far below 4 GiB (records are bounded, batches flushed at BATCH_BYTES).
        Some((start as u32, self.buf.len() as u32))
    }

    fn put_str(&mut self, s: Option<&str>) -> Span {
        let s = s?;
        let start = self.buf.len();
        self.buf.extend_from_slice(s.as_bytes());
        self.span(start)
    }

    /// Compact JSON of `value`; zstd-compressed when `compress` and that pays.
    fn put_json<T: serde::Serialize + ?Sized>(&mut self, value: &T, compress: bool) -> Span {
        let start = self.buf.len();
        // Serialising our own plain structs into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.buf, value);
        if compress && let Some(z) = store::compress(&self.buf[start..]) {
            self.buf.truncate(start);
            self.buf.extend_from_slice(&z);
        }
        self.span(start)
    }

    fn bytes(&self, span: Span) -> Option<&[u8]> {
        span.map(|(a, b)| &self.buf[a as usize..b as usize])
    }

    fn text(&self, span: Span) -> Option<&str> {
        // Only ever `put_str`'d or JSON text: valid UTF-8.
        self.bytes(span).and_then(|b| std::str::from_utf8(b).ok())
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
    let result =
        serde_json::from_slice::<RecordRef>(bytes).map_err(|e| json_error(path, entry, &e)).and_then(|record| {
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

fn severity_blob(sev: &[SeverityRef], batch: &mut Batch) -> Span {
    if sev.is_empty() {
        return None;
    }
    let pairs: Vec<[&str; 2]> = sev.iter().map(|s| [s.kind.as_str(), s.score.as_str()]).collect();
    batch.put_json(&pairs, true)
}

fn id_list(ids: &[Str], batch: &mut Batch) -> Span {
    if ids.is_empty() { None } else { batch.put_json(ids, false) }
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
        let ranges = if ranges.is_empty() { None } else { batch.put_json(&ranges, true) };
        let versions = if a.versions.is_empty() { None } else { batch.put_json(&a.versions, true) };
        let severity = severity_blob(&a.severity, batch);
        batch.affected.push(PreparedAffected { ecosystem, name, display_name, ranges, versions, severity });
    }
    let refs = if record.references.is_empty() {
        None
    } else {
        let pairs: Vec<[&str; 2]> = record.references.iter().map(|r| [r.kind.as_str(), r.url.as_str()]).collect();
        batch.put_json(&pairs, true)
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
fn parse_unit(unit: Unit, options: &ImportOptions, send: &mut dyn FnMut(Batch) -> bool) -> Result<(), DbError> {
    let mut batch = Batch::default();
    let mut flush = |batch: &mut Batch| -> bool {
        if batch.input >= BATCH_BYTES {
            return send(std::mem::take(batch));
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
    inflater: flate2::Decompress,
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
            inflater: flate2::Decompress::new(false),
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
                let inflater = &mut self.inflater;
                inflater.reset(false);
                out.reserve(size as usize + 1);
                loop {
                    let (consumed, produced) = (inflater.total_in() as usize, out.len());
                    let status = inflater
                        .decompress_vec(&data[consumed..], out, flate2::FlushDecompress::Finish)
                        .map_err(|e| DbError::Zip {
                            path: self.path.to_owned(),
                            entry: Some(name.to_owned()),
                            message: format!("corrupt deflate stream: {e}"),
                        })?;
                    if out.len() as u64 > size {
                        break;
                    }
                    if status == flate2::Status::StreamEnd {
                        break;
                    }
                    if inflater.total_in() as usize == consumed && out.len() == produced {
                        return Err(DbError::Zip {
                            path: self.path.to_owned(),
                            entry: Some(name.to_owned()),
                            message: "truncated deflate stream".into(),
                        });
                    }
                }
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
    let mut seen: HashMap<String, Seen> = HashMap::new();
    let mut ecosystems: HashMap<String, i64> = HashMap::new();
    // Advisories per ecosystem, counted while inserting rather than by a query over every row.
    let mut counts: HashMap<i64, u64> = HashMap::new();
    let mut source_ecosystems: Vec<BTreeSet<String>> = vec![BTreeSet::new(); paths.len()];
    let mut source_records: Vec<u64> = vec![0; paths.len()];

    let (tx_batches, rx_batches) = sync_channel::<Result<Batch, DbError>>(rayon::current_num_threads() * 2);
    let written: Result<(), DbError> = std::thread::scope(|scope| {
        scope.spawn(move || {
            let result = units.into_par_iter().try_for_each_with(tx_batches.clone(), |tx, unit| {
                let mut alive = true;
                parse_unit(unit, options, &mut |batch| {
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

        for batch in rx_batches {
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
                for a in affected {
                    let eco = text(a.ecosystem).unwrap_or_default();
                    if !ecosystems.contains_key(eco) {
                        let id = ecosystems.len() as i64 + 1;
                        insert_eco.execute(params![id, eco, base_ecosystem(eco)]).map_err(sql)?;
                        ecosystems.insert(eco.to_owned(), id);
                    }
                    if !source_ecosystems[p.source].contains(eco) {
                        source_ecosystems[p.source].insert(eco.to_owned());
                    }
                }
                let mut record_ecosystems: Vec<i64> =
                    affected.iter().map(|a| ecosystems[text(a.ecosystem).unwrap_or_default()]).collect();
                record_ecosystems.sort_unstable();
                record_ecosystems.dedup();
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
                for a in affected {
                    insert_aff
                        .execute(params![
                            next_aff,
                            rowid,
                            ecosystems[text(a.ecosystem).unwrap_or_default()],
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
        }
        Ok(())
    });
    written?;
    let timings = std::env::var_os("RAMPART_TIMINGS").is_some();
    // After parsing and inserting: how long the single-threaded finishing steps take.
    let phase = std::time::Instant::now();

    let now = now_secs();
    tx.execute_batch(store::INDEXES).map_err(sql)?;
    if timings {
        eprintln!("rampart: timings: indexes {:.2} s", phase.elapsed().as_secs_f64());
    }
    {
        let mut set_count = tx.prepare("UPDATE ecosystems SET records = ?2 WHERE id = ?1").map_err(sql)?;
        for (eco, count) in &counts {
            set_count.execute(params![eco, *count as i64]).map_err(sql)?;
        }
    }
    for (i, path) in paths.iter().enumerate() {
        let origin = options.origins.get(path);
        let location = origin.map_or_else(|| path.display().to_string(), |o| o.url.clone());
        let ecos: Vec<&str> = source_ecosystems[i].iter().map(String::as_str).collect();
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
    report.withdrawn = tx
        .query_row("SELECT COUNT(*) FROM advisories WHERE withdrawn IS NOT NULL", [], |r| r.get::<_, i64>(0))
        .map_err(sql)? as u64;
    {
        let mut stmt = tx.prepare("SELECT name, records FROM ecosystems ORDER BY name").map_err(sql)?;
        report.ecosystems = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))
            .map_err(sql)?
            .collect::<Result<_, _>>()
            .map_err(sql)?;
    }
    if timings {
        eprintln!("rampart: timings: counts and metadata {:.2} s", phase.elapsed().as_secs_f64());
    }
    tx.commit().map_err(sql)?;
    conn.execute_batch("PRAGMA analysis_limit = 1000; ANALYZE;").map_err(sql)?;
    if timings {
        eprintln!("rampart: timings: commit and analyze {:.2} s", phase.elapsed().as_secs_f64());
    }
    Ok(report)
}

//! `update` against a local HTTP server serving zips in OSV's `<Ecosystem>/all.zip` layout, with
//! ETag / 304, Range / 206 / If-Range, a mode that drops the connection midway and one that
//! sends a wrong checksum. No internet needed.
#![cfg(feature = "update")]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use md5::Digest as _;
use rampart_vulndb::{Db, DbError, Fetched, UpdateOptions, update};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Normal,
    /// Announce the full length, send this many body bytes, close.
    DropAfter(usize),
    /// Send an x-goog-hash that does not match.
    WrongChecksum,
}

#[derive(Default)]
struct State {
    files: HashMap<String, Vec<u8>>,
    mode: HashMap<String, Mode>,
    /// (path, request headers lowercased) of every request.
    log: Vec<(String, HashMap<String, String>)>,
}

struct Server {
    base: String,
    state: Arc<Mutex<State>>,
}

fn crc32c(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0x82F6_3B78 } else { c >> 1 };
        }
    }
    !c
}

fn etag(data: &[u8]) -> String {
    format!("\"{:08x}-{}\"", crc32c(data), data.len())
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = handle(stream, &state);
                });
            }
        });
        Server { base, state }
    }

    fn put(&self, path: &str, bytes: Vec<u8>) {
        self.state.lock().unwrap().files.insert(path.to_owned(), bytes);
    }

    fn mode(&self, path: &str, mode: Mode) {
        self.state.lock().unwrap().mode.insert(path.to_owned(), mode);
    }

    fn requests(&self) -> Vec<(String, HashMap<String, String>)> {
        std::mem::take(&mut self.state.lock().unwrap().log)
    }
}

fn handle(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let (file, mode) = {
        let mut s = state.lock().unwrap();
        s.log.push((path.clone(), headers.clone()));
        (s.files.get(&path).cloned(), s.mode.get(&path).copied().unwrap_or(Mode::Normal))
    };
    let mut out = stream;
    let Some(file) = file else {
        write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")?;
        return Ok(());
    };
    let tag = etag(&file);
    let last_modified = "Wed, 01 Jan 2025 00:00:00 GMT";
    if headers.get("if-none-match") == Some(&tag) {
        write!(out, "HTTP/1.1 304 Not Modified\r\nETag: {tag}\r\nConnection: close\r\n\r\n")?;
        return Ok(());
    }
    let mut crc = crc32c(&file);
    if mode == Mode::WrongChecksum {
        crc ^= 1;
    }
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let hash = format!("crc32c={}, md5={}", b64(&crc.to_be_bytes()), b64(&md5::Md5::digest(&file)));
    let mut start = 0;
    let range_ok = headers.get("if-range").is_none_or(|v| *v == tag);
    if let Some(r) = headers.get("range").and_then(|r| r.strip_prefix("bytes="))
        && range_ok
        && let Some(from) = r.strip_suffix('-').and_then(|f| f.parse::<usize>().ok())
        && from < file.len()
    {
        start = from;
    }
    let body = &file[start..];
    if start > 0 {
        write!(
            out,
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{}/{}\r\n",
            file.len() - 1,
            file.len()
        )?;
    } else {
        write!(out, "HTTP/1.1 200 OK\r\n")?;
    }
    write!(
        out,
        "Content-Length: {}\r\nETag: {tag}\r\nLast-Modified: {last_modified}\r\nx-goog-hash: {hash}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    match mode {
        Mode::DropAfter(n) => {
            out.write_all(&body[..n.min(body.len())])?;
            out.flush()?;
            // Dropped without the rest: the client sees a short body.
        }
        _ => out.write_all(body)?,
    }
    Ok(())
}

/// A server holding the test data as `<Ecosystem>/all.zip`.
fn serve_test_data(tmp: &Path) -> Server {
    let server = Server::start();
    for zip in common::pack_all_zips(&tmp.join("served")) {
        let eco = zip.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
        server.put(&format!("/{eco}/all.zip"), std::fs::read(&zip).unwrap());
    }
    server
}

fn options(server: &Server, ecosystems: &[&str]) -> UpdateOptions {
    UpdateOptions {
        ecosystems: ecosystems.iter().map(|s| s.to_string()).collect(),
        mirror: Some(server.base.clone()),
        ..Default::default()
    }
}

/// PyPI's zip with one more record, so it is bigger and has a new ETag.
fn pypi_v2(tmp: &Path) -> Vec<u8> {
    let mut entries: Vec<(String, Vec<u8>)> = std::fs::read_dir(common::data_dir().join("PyPI"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    // Padding that does not compress, so a drop midway lands well inside the file.
    let noise: String = (0..20_000u32).map(|i| format!("{:x}", i.wrapping_mul(2_654_435_761))).collect();
    entries.push((
        "PYSEC-TEST-1.json".into(),
        format!(
            r#"{{"id":"PYSEC-TEST-1","details":"{noise}","affected":[{{"package":{{"ecosystem":"PyPI","name":"requests"}},"versions":["2.19.0"]}}]}}"#
        )
        .into_bytes(),
    ));
    entries.sort();
    let path = tmp.join("v2/PyPI/all.zip");
    common::write_zip(&path, &entries);
    std::fs::read(path).unwrap()
}

#[test]
fn download_then_not_modified() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve_test_data(tmp.path());
    let db_path = tmp.path().join("cache/osv.db");

    let report = update(&db_path, &options(&server, &["Debian", "PyPI", "npm"])).unwrap();
    assert!(report.fetched.iter().all(|(_, f)| matches!(f, Fetched::Downloaded { .. })), "{report:?}");
    assert_eq!(report.rebuilt.as_ref().unwrap().records, 40);
    let db = Db::open(&db_path).unwrap();
    assert_eq!(db.candidates("PyPI", "urllib3").unwrap().len(), 9);
    let status = db.status().unwrap();
    let pypi = status.sources.iter().find(|s| s.location.ends_with("/PyPI/all.zip")).unwrap();
    assert!(pypi.location.starts_with("http://127.0.0.1:"));
    assert!(pypi.etag.is_some() && pypi.last_modified.is_some());
    drop(db);
    server.requests();

    // Second run: the ecosystems come from the database; every export answers 304.
    let before = std::fs::read(&db_path).unwrap();
    let report = update(&db_path, &options(&server, &[])).unwrap();
    assert_eq!(report.fetched.len(), 3, "{report:?}");
    assert!(report.fetched.iter().all(|(_, f)| *f == Fetched::NotModified), "{report:?}");
    assert!(report.rebuilt.is_none());
    assert_eq!(std::fs::read(&db_path).unwrap(), before);
    let log = server.requests();
    assert!(log.iter().all(|(_, h)| h.contains_key("if-none-match") && h.contains_key("if-modified-since")), "{log:?}");

    // A missing export is an error naming the URL; the database stays.
    let err = update(&db_path, &options(&server, &["Go"])).unwrap_err();
    assert!(err.to_string().contains("/Go/all.zip") && err.to_string().contains("404"), "{err}");
    assert_eq!(std::fs::read(&db_path).unwrap(), before);
}

#[test]
fn interrupted_download_resumes_and_old_database_survives() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve_test_data(tmp.path());
    let db_path = tmp.path().join("osv.db");
    update(&db_path, &options(&server, &["PyPI"])).unwrap();
    let before = std::fs::read(&db_path).unwrap();

    // A new export, and the connection drops halfway through it.
    let v2 = pypi_v2(tmp.path());
    let half = v2.len() / 2;
    server.put("/PyPI/all.zip", v2.clone());
    server.mode("/PyPI/all.zip", Mode::DropAfter(half));
    let err = update(&db_path, &options(&server, &["PyPI"])).unwrap_err();
    assert!(matches!(err, DbError::Download { .. }), "{err}");
    assert!(err.to_string().contains("resume"), "{err}");
    assert_eq!(std::fs::read(&db_path).unwrap(), before, "old database intact");
    Db::open(&db_path).unwrap();
    let part = rampart_vulndb::download_dir(&db_path).join("PyPI.zip.part");
    assert_eq!(std::fs::metadata(&part).unwrap().len(), half as u64);

    // Next run asks for the rest only, guarded by If-Range.
    server.mode("/PyPI/all.zip", Mode::Normal);
    server.requests();
    let report = update(&db_path, &options(&server, &["PyPI"])).unwrap();
    assert_eq!(report.fetched[0].1, Fetched::Resumed { from: half as u64, bytes: v2.len() as u64 });
    let log = server.requests();
    assert_eq!(log[0].1.get("range"), Some(&format!("bytes={half}-")));
    assert!(log[0].1.contains_key("if-range"));
    let db = Db::open(&db_path).unwrap();
    assert!(db.candidates("PyPI", "requests").unwrap().iter().any(|c| c.id == "PYSEC-TEST-1"));
    assert!(!part.exists());
}

#[test]
fn resume_restarts_when_the_export_changed_meanwhile() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve_test_data(tmp.path());
    let db_path = tmp.path().join("osv.db");
    let v2 = pypi_v2(tmp.path());
    server.put("/PyPI/all.zip", v2.clone());
    server.mode("/PyPI/all.zip", Mode::DropAfter(1000));
    assert!(update(&db_path, &options(&server, &["PyPI"])).is_err());
    assert!(!db_path.exists());

    // The export is replaced: If-Range no longer matches, the server sends all of it.
    let original = std::fs::read(tmp.path().join("served/PyPI/all.zip")).unwrap();
    server.put("/PyPI/all.zip", original.clone());
    server.mode("/PyPI/all.zip", Mode::Normal);
    let report = update(&db_path, &options(&server, &["PyPI"])).unwrap();
    assert_eq!(report.fetched[0].1, Fetched::Downloaded { bytes: original.len() as u64 });
    assert_eq!(report.rebuilt.unwrap().records, 23);
}

#[test]
fn checksum_mismatch_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve_test_data(tmp.path());
    let db_path = tmp.path().join("osv.db");
    update(&db_path, &options(&server, &["npm"])).unwrap();
    let before = std::fs::read(&db_path).unwrap();

    server.put("/npm/all.zip", pypi_v2(tmp.path()));
    server.mode("/npm/all.zip", Mode::WrongChecksum);
    let err = update(&db_path, &options(&server, &["npm"])).unwrap_err();
    assert!(matches!(err, DbError::Checksum { .. }), "{err}");
    assert!(err.to_string().contains("crc32c mismatch"), "{err}");
    assert_eq!(std::fs::read(&db_path).unwrap(), before);
    assert!(!rampart_vulndb::download_dir(&db_path).join("npm.zip.part").exists(), "bad download discarded");
}

#[test]
fn oversized_download_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve_test_data(tmp.path());
    let db_path = tmp.path().join("osv.db");
    let options = UpdateOptions { max_download_bytes: 100, ..options(&server, &["PyPI"]) };
    let err = update(&db_path, &options).unwrap_err();
    assert!(matches!(err, DbError::TooLarge { .. }), "{err}");
    assert!(!db_path.exists());
}

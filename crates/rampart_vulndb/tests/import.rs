mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rampart_vulndb::{Db, DbError, Event, ImportOptions, import};

fn ids(cands: &[rampart_vulndb::Candidate]) -> Vec<&str> {
    cands.iter().map(|c| c.id.as_str()).collect()
}

fn fixed(c: &rampart_vulndb::Candidate) -> Vec<&str> {
    c.ranges
        .iter()
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            Event::Fixed(v) => Some(v.as_str()),
            _ => None,
        })
        .collect()
}

fn built(dir: &Path) -> PathBuf {
    let zips = common::pack_all_zips(&dir.join("osv"));
    let db = dir.join("osv.db");
    let report = import(&zips, &db, &ImportOptions::default()).unwrap();
    assert_eq!(report.records, 40, "{report:?}");
    assert_eq!(report.withdrawn, 1);
    db
}

#[test]
fn import_all_zips_and_query() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = built(dir.path());
    let db = Db::open(&db_path).unwrap();

    // PyPI names normalised (PEP 503) at import and at query.
    let jinja = db.candidates("PyPI", "Jinja2").unwrap();
    assert_eq!(
        ids(&jinja),
        [
            "GHSA-462w-v97r-4m45",
            "GHSA-cpwx-vrp4-4pq7",
            "GHSA-g3rq-g295-4j3m",
            "GHSA-gmj6-6f8f-6699",
            "GHSA-h5c8-rqwp-cp95",
            "GHSA-h75v-3vvj-5mfj",
            "GHSA-hj2j-77xm-mc5v",
            "GHSA-q2x7-8rv6-6q7h"
        ]
    );
    // The published spelling is kept for display; the lookup is by the normalised name.
    assert_eq!(jinja[0].package, "Jinja2");
    let requests = db.candidates("PyPI", "Requests").unwrap();
    assert_eq!(requests.len(), 6);
    let r = requests.iter().find(|c| c.id == "GHSA-x84v-xcm2-53pg").unwrap();
    assert_eq!(r.aliases, ["CVE-2018-18074"]);
    assert_eq!(fixed(r), ["2.20.0"]);
    assert_eq!(r.database_rating.as_deref(), Some("HIGH"));
    assert_eq!(r.severity[0].kind, "CVSS_V3");
    assert_eq!(r.severity[0].score, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N");
    assert!(r.references.iter().any(|u| u.url == "https://nvd.nist.gov/vuln/detail/CVE-2018-18074"));
    let pysec = requests.iter().find(|c| c.id == "PYSEC-2018-28").unwrap();
    assert_eq!(pysec.aliases, ["CVE-2018-18074", "GHSA-x84v-xcm2-53pg"]);

    // Two ranges kept in OSV shape.
    let minimist = db.candidates("npm", "minimist").unwrap();
    // GitHub exports one affected entry per vulnerable range: one candidate each, same id.
    let m: Vec<_> = minimist.iter().filter(|c| c.id == "GHSA-xvch-5gv4-984h").collect();
    assert_eq!(m.len(), 2);
    let mut events: Vec<_> = m.iter().map(|c| c.ranges[0].events.clone()).collect();
    events.sort_by_key(|e| format!("{e:?}"));
    assert_eq!(m[0].ranges[0].kind, "SEMVER");
    assert_eq!(events[1], [Event::Introduced("1.0.0".into()), Event::Fixed("1.2.6".into())]);
    assert_eq!(events[0], [Event::Introduced("0".into()), Event::Fixed("0.2.4".into())]);

    // Debian: by source package, full ecosystem or base.
    let glibc = db.candidates("Debian:12", "glibc").unwrap();
    assert_eq!(ids(&glibc), ["DSA-5514-1", "DSA-5611-1"]);
    assert_eq!(glibc[0].upstream, ["CVE-2023-4911", "DEBIAN-CVE-2023-4911"]);
    assert_eq!(glibc[0].ecosystem, "Debian:12");
    assert!(db.candidates("Debian:11", "glibc").unwrap().is_empty());
    assert_eq!(db.candidates("Debian", "glibc").unwrap().len(), 2);
    let tar = db.candidates("Debian:12", "tar").unwrap();
    assert_eq!(ids(&tar), ["DEBIAN-CVE-2005-2541", "DEBIAN-CVE-2023-39804"]);
    assert_eq!(tar[0].upstream, ["CVE-2005-2541"]);
    assert!(fixed(&tar[0]).is_empty());
    let gnupg = db.candidates("Debian:12", "gnupg2").unwrap();
    assert!(gnupg[0].is_withdrawn());
    assert!(db.candidates("npm", "left-pad").unwrap().is_empty());
    assert!(db.candidates("NoSuchEcosystem", "x").unwrap().is_empty());

    let status = db.status().unwrap();
    assert_eq!(status.advisories, 40);
    assert_eq!(status.withdrawn, 1);
    assert_eq!(status.counts, [("Debian:12".to_owned(), 9), ("PyPI".to_owned(), 23), ("npm".to_owned(), 8)]);
    assert_eq!(status.sources.len(), 3);
    assert_eq!(status.sources[0].ecosystems, ["Debian:12"]);
    assert_eq!(status.sources[0].records, 9);
    assert!(status.age < Duration::from_secs(60));
    assert!(!db.is_stale(Duration::from_secs(3600)));
    assert!(db.is_stale(Duration::ZERO) || status.age.is_zero());
}

#[test]
fn import_directory_and_single_json_same_content() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("a.db");
    // A directory (recursive) plus one file named twice: duplicates collapse to one record.
    let one = common::data_dir().join("npm/GHSA-35jh-r3h4-6jhm.json");
    let report = import(&[common::data_dir(), one], &db_path, &ImportOptions::default()).unwrap();
    assert_eq!(report.records, 40);
    assert_eq!(report.duplicates, 1);
    let db = Db::open(&db_path).unwrap();
    assert_eq!(db.candidates("npm", "lodash").unwrap().len(), 6);
    assert_eq!(db.ecosystems(), ["Debian:12", "PyPI", "npm"]);
}

#[test]
fn newest_modified_wins_among_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let rec = |modified: &str, fixed: &str| {
        format!(
            r#"{{"id":"GHSA-dup","modified":"{modified}","summary":"{modified}","affected":[{{"package":{{"ecosystem":"npm","name":"x"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
        )
    };
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    std::fs::write(&a, rec("2024-02-01T00:00:00Z", "2.0.0")).unwrap();
    std::fs::write(&b, rec("2024-01-01T00:00:00Z", "1.0.0")).unwrap();
    let db_path = dir.path().join("d.db");
    import(&[a, b], &db_path, &ImportOptions::default()).unwrap();
    let db = Db::open(&db_path).unwrap();
    let c = db.candidates("npm", "x").unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(fixed(&c[0]), ["2.0.0"]);
}

#[test]
fn malformed_json_names_file_entry_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("PyPI/all.zip");
    common::write_zip(
        &zip,
        &[
            ("GOOD-1.json".into(), br#"{"id":"GOOD-1","affected":[]}"#.to_vec()),
            ("BAD-1.json".into(), b"{\n  \"id\": \"BAD-1\",\n  \"aliases\": [1, }\n".to_vec()),
        ],
    );
    let db_path = dir.path().join("osv.db");
    let err = import(std::slice::from_ref(&zip), &db_path, &ImportOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DbError::Json { line: 3, .. }), "{msg}");
    assert!(msg.contains("all.zip") && msg.contains("zip entry BAD-1.json") && msg.contains("line 3, column"), "{msg}");
    assert!(!db_path.exists(), "nothing half-written");

    // A lone file: named, with position.
    let json = dir.path().join("bad.json");
    std::fs::write(&json, "{\"id\": \"X\", \"affected\": {}}").unwrap();
    let msg = import(std::slice::from_ref(&json), &db_path, &ImportOptions::default()).unwrap_err().to_string();
    assert!(msg.contains("bad.json: line 1, column"), "{msg}");

    // skip_invalid keeps the good record and reports the bad one.
    let options = ImportOptions { skip_invalid: true, ..Default::default() };
    let report = import(&[zip], &db_path, &options).unwrap();
    assert_eq!(report.records, 1);
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].contains("BAD-1.json"));
}

#[test]
fn corrupt_zip_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let zips = common::pack_all_zips(&dir.path().join("osv"));
    // Not a zip at all.
    let junk = dir.path().join("junk.zip");
    std::fs::write(&junk, b"PK\x03\x04 this is not really a zip").unwrap();
    let db_path = dir.path().join("osv.db");
    let msg = import(&[junk], &db_path, &ImportOptions::default()).unwrap_err().to_string();
    assert!(msg.contains("junk.zip: unreadable zip archive"), "{msg}");

    // A flipped byte inside a compressed entry: CRC (or inflate) error naming the entry.
    let mut bytes = std::fs::read(&zips[1]).unwrap();
    let at = 200;
    bytes[at] ^= 0x55;
    let damaged = dir.path().join("damaged.zip");
    std::fs::write(&damaged, &bytes).unwrap();
    let err = import(&[damaged], &db_path, &ImportOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("damaged.zip"), "{msg}");
    assert!(matches!(err, DbError::Zip { .. } | DbError::Json { .. }), "{msg}");

    // Truncated.
    let bytes = std::fs::read(&zips[1]).unwrap();
    let cut = dir.path().join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let msg = import(&[cut], &db_path, &ImportOptions::default()).unwrap_err().to_string();
    assert!(msg.contains("cut.zip: unreadable zip archive"), "{msg}");
    assert!(!db_path.exists());
}

#[test]
fn huge_record_is_rejected_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    // 64 MiB of a JSON string, which deflate squeezes to ~64 KiB: a zip bomb in miniature.
    let mut big = b"{\"id\":\"HUGE-1\",\"details\":\"".to_vec();
    big.resize(big.len() + (64 << 20), b'a');
    big.extend_from_slice(b"\"}");
    let zip = dir.path().join("all.zip");
    common::write_zip(&zip, &[("HUGE-1.json".into(), big)]);
    let db_path = dir.path().join("osv.db");
    let options = ImportOptions { max_record_bytes: 1 << 20, ..Default::default() };
    let err = import(&[zip], &db_path, &options).unwrap_err();
    assert!(matches!(err, DbError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("zip entry HUGE-1.json"), "{err}");

    let json = dir.path().join("huge.json");
    std::fs::write(&json, vec![b' '; (1 << 20) + 10]).unwrap();
    let err = import(&[json], &db_path, &options).unwrap_err();
    assert!(matches!(err, DbError::TooLarge { .. }), "{err}");
}

#[test]
fn empty_or_missing_input() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let db_path = dir.path().join("osv.db");
    let err = import(&[empty], &db_path, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, DbError::NoRecords { .. }), "{err}");
    let err = import(&[dir.path().join("nope.zip")], &db_path, &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("nope.zip"), "{err}");
    assert!(!db_path.exists());
}

#[test]
fn failed_import_leaves_the_old_database_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = built(dir.path());
    let before = std::fs::read(&db_path).unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{").unwrap();
    assert!(import(&[common::data_dir(), bad], &db_path, &ImportOptions::default()).is_err());
    assert_eq!(std::fs::read(&db_path).unwrap(), before);
    Db::open(&db_path).unwrap();
    // No temp file left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn open_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("osv.db");
    let msg = Db::open(&missing).unwrap_err().to_string();
    assert!(
        msg.contains("no vulnerability database at")
            && msg.contains("rampart db import PATH")
            && msg.contains("rampart db update"),
        "{msg}"
    );

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x42; 8192]).unwrap();
    let err = Db::open(&junk).unwrap_err();
    assert!(matches!(err, DbError::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("junk.db is not a usable rampart vulnerability database"), "{err}");

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(Db::open(&empty).unwrap_err(), DbError::NotADatabase { .. }));

    // Some other SQLite database.
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
    let msg = Db::open(&other).unwrap_err().to_string();
    assert!(msg.contains("not a usable rampart vulnerability database"), "{msg}");

    // A newer schema.
    let db_path = built(dir.path());
    rusqlite::Connection::open(&db_path).unwrap().execute_batch("PRAGMA user_version = 99;").unwrap();
    let err = Db::open(&db_path).unwrap_err();
    assert!(matches!(err, DbError::Schema { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("newer rampart"), "{err}");

    // Truncated file: open may succeed or fail, but never panics, and queries fail cleanly.
    let db_path = built(&dir.path().join("t"));
    let bytes = std::fs::read(&db_path).unwrap();
    std::fs::write(&db_path, &bytes[..bytes.len() / 3]).unwrap();
    if let Ok(db) = Db::open(&db_path) {
        let _ = db.candidates("PyPI", "requests");
        let _ = db.status();
    }
}

#[test]
fn stale_database() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = built(dir.path());
    let ten_days_ago = std::time::SystemTime::now() - Duration::from_secs(10 * 86400);
    let secs = ten_days_ago.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    rusqlite::Connection::open(&db_path)
        .unwrap()
        .execute("UPDATE meta SET value = ?1 WHERE key = 'built_at'", [secs.to_string()])
        .unwrap();
    let db = Db::open(&db_path).unwrap();
    assert!(db.is_stale(rampart_vulndb::DEFAULT_MAX_AGE));
    let status = db.status().unwrap();
    assert!(status.age >= Duration::from_secs(10 * 86400 - 5));
    assert_eq!(status.built_at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(), secs);
}

#[test]
fn default_path_is_under_the_cache_dir() {
    if cfg!(unix) {
        let p = rampart_vulndb::default_db_path().unwrap();
        assert!(p.ends_with("rampart/osv.db"), "{}", p.display());
    }
}

#[test]
fn entry_crc_mismatch_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("PyPI/all.zip");
    common::write_zip(
        &zip,
        &[
            ("GOOD-1.json".into(), br#"{"id":"GOOD-1","affected":[]}"#.to_vec()),
            ("GOOD-2.json".into(), br#"{"id":"GOOD-2","affected":[]}"#.to_vec()),
        ],
    );
    // Damage the CRC-32 the central directory records for the second entry: the data inflates
    // fine, only the checksum can tell.
    let mut bytes = std::fs::read(&zip).unwrap();
    let central: Vec<usize> =
        bytes.windows(4).enumerate().filter(|(_, w)| *w == b"PK\x01\x02").map(|(i, _)| i).collect();
    assert_eq!(central.len(), 2);
    bytes[central[1] + 16] ^= 0xff;
    std::fs::write(&zip, &bytes).unwrap();
    let db_path = dir.path().join("osv.db");
    let err = import(std::slice::from_ref(&zip), &db_path, &ImportOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DbError::Zip { .. }), "{msg}");
    assert!(msg.contains("all.zip") && msg.contains("GOOD-2.json") && msg.contains("CRC-32"), "{msg}");
    assert!(!db_path.exists());
}

#[test]
fn stored_entries_and_odd_records_import() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("npm/all.zip");
    std::fs::create_dir_all(zip.parent().unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("S-1.json", stored).unwrap();
    std::io::Write::write_all(
        &mut w,
        br#"{"id":"S-1","summary":"esc\u0041ped \"q\"","related":["CVE-2020-0001"],"database_specific":"odd","affected":[{"package":
        {"ecosystem":"npm","name":"left-pad"},"ecosystem_specific":{"a":[1]},"ranges":[{"type":"SEMVER",
        "events":[{"introduced":"0"},{"fixed":"1.0.1"},{"weird":1}]},{"type":"GIT","events":[{"introduced":"abc"}]}]}]}"#,
    )
    .unwrap();
    w.finish().unwrap();
    let db_path = dir.path().join("osv.db");
    let report = import(std::slice::from_ref(&zip), &db_path, &ImportOptions::default()).unwrap();
    assert_eq!(report.records, 1);
    let db = rampart_vulndb::Db::open(&db_path).unwrap();
    let c = db.candidates("npm", "left-pad").unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].summary.as_deref(), Some("escAped \"q\""));
    assert_eq!(c[0].database_rating, None);
    assert_eq!(c[0].related, ["CVE-2020-0001"]);
    assert_eq!(c[0].ranges.len(), 1, "GIT ranges dropped");
    assert_eq!(c[0].ranges[0].events.len(), 3);
    assert!(matches!(c[0].ranges[0].events[2], rampart_vulndb::Event::Unknown(_)));
}

#[test]
fn entry_inflating_past_its_declared_size_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("PyPI/all.zip");
    let mut record = br#"{"id":"BIG-1","details":""#.to_vec();
    record.resize(record.len() + 100_000, b'x');
    record.extend_from_slice(br#""}"#);
    common::write_zip(&zip, &[("BIG-1.json".into(), record)]);
    // The central directory claims 1 000 bytes uncompressed (the local header keeps the truth):
    // the inflater must stop at the claim, never allocate for what the stream wants.
    let mut bytes = std::fs::read(&zip).unwrap();
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&1000u32.to_le_bytes());
    std::fs::write(&zip, &bytes).unwrap();
    let db_path = dir.path().join("osv.db");
    let err = import(std::slice::from_ref(&zip), &db_path, &ImportOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DbError::Zip { .. }), "{msg}");
    assert!(msg.contains("BIG-1.json"), "{msg}");
    assert!(msg.contains("compressed size") || msg.contains("more than its declared size"), "{msg}");
    assert!(!db_path.exists());
}

#[test]
fn invalid_utf8_names_entry_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("PyPI/all.zip");
    common::write_zip(&zip, &[("U-1.json".into(), b"{\n  \"id\": \"U-1\",\n  \"summary\": \"caf\xe9\"\n}".to_vec())]);
    let db_path = dir.path().join("osv.db");
    let err = import(std::slice::from_ref(&zip), &db_path, &ImportOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DbError::Json { line: 3, column: 18, .. }), "{msg}");
    assert!(msg.contains("U-1.json") && msg.contains("invalid UTF-8"), "{msg}");
}

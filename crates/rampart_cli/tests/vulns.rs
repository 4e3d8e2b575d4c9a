//! Vulnerabilities end to end: `rampart db import|status`, `scan image` and `scan fs` against a
//! database built from the hand-written OSV records of real advisories in
//! `crates/rampart_vulndb/tests/data/osv` (their README lists the expected matches). The
//! image tests need the reference images (see `tests/images.rs`); `scan fs` uses
//! `examples/scan-fs`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::{image, show};

fn rampart() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rampart"));
    c.env_remove("NO_COLOR").env("RAMPART_TODAY", "2026-11-28").env("XDG_CACHE_HOME", "/nonexistent-rampart-cache");
    c
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A database of the test advisories, in `dir`.
fn database(dir: &Path) -> PathBuf {
    let db = dir.join("osv.db");
    let data = root().join("crates/rampart_vulndb/tests/data/osv");
    let o = rampart().args(["db", "import"]).arg(&data).arg("--db").arg(&db).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    db
}

/// (package, id, fixed-in help) of every VN finding of a JSON report.
fn vulnerabilities(o: &Output) -> BTreeSet<(String, String, String)> {
    let report: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}\n{}", show(o)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().is_some_and(|c| c.starts_with("VN")))
        .map(|f| {
            let message = f["message"].as_str().unwrap();
            let package = message.split(' ').next().unwrap().to_string();
            let id = message.split(" is affected by ").nth(1).unwrap().split(' ').next().unwrap().to_string();
            let help = f["help"].as_str().unwrap_or("");
            let fixed = help.strip_prefix("fixed in ").map_or("", |h| h.split(':').next().unwrap()).to_string();
            (package, id, fixed)
        })
        .collect()
}

fn scan(args: &[&str]) -> Output {
    rampart().args(args).args(["--no-config", "--format", "json"]).output().unwrap()
}

#[test]
fn db_import_and_status() {
    let tmp = tempfile::tempdir().unwrap();
    let db = database(tmp.path());
    let o = rampart().args(["db", "status", "--db"]).arg(&db).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for line in ["advisories: 40 (1 withdrawn)", "Debian:12", "PyPI", "npm"] {
        assert!(out.contains(line), "{line} missing:\n{out}");
    }
}

#[test]
fn a_missing_or_corrupt_database_is_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("none.db");
    let o = rampart().args(["db", "status", "--db"]).arg(&missing).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("rampart db"), "{}", show(&o));
    let corrupt = tmp.path().join("corrupt.db");
    std::fs::write(&corrupt, b"SQLite format 3\0 but not really").unwrap();
    let o = rampart().args(["db", "status", "--db"]).arg(&corrupt).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("corrupt.db"), "{}", show(&o));
    // A failed import leaves what was there: here, nothing.
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, b"{\"id\": ").unwrap();
    let target = tmp.path().join("new.db");
    let o = rampart().args(["db", "import"]).arg(&bad).arg("--db").arg(&target).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.json"), "{}", show(&o));
    assert!(!target.exists());
}

#[test]
fn py_app_reports_exactly_the_expected_advisories_with_their_fixed_versions() {
    let Some(dir) = image("py-app") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let db = database(tmp.path());
    let o = scan(&["scan", "image", "-q", dir.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let found = vulnerabilities(&o);
    let language: BTreeSet<(&str, &str, &str)> = found
        .iter()
        .filter(|(p, _, _)| {
            ["requests", "urllib3", "jinja2", "pyyaml", "idna", "lodash", "minimist"].contains(&p.as_str())
        })
        .map(|(p, i, f)| (p.as_str(), i.as_str(), f.as_str()))
        .collect();
    let expected: BTreeSet<(&str, &str, &str)> = [
        ("requests", "CVE-2018-18074", "2.20.0"),
        ("requests", "CVE-2023-32681", "2.31.0"),
        ("requests", "CVE-2024-35195", "2.32.0"),
        ("requests", "CVE-2024-47081", "2.32.4"),
        ("urllib3", "CVE-2019-11324", "1.24.2"),
        ("urllib3", "CVE-2019-11236", "1.24.3"),
        ("urllib3", "CVE-2020-26137", "1.25.9"),
        ("urllib3", "CVE-2023-43804", "1.26.17"),
        ("urllib3", "CVE-2023-45803", "1.26.18"),
        ("urllib3", "CVE-2024-37891", "1.26.19"),
        ("jinja2", "CVE-2019-10906", "2.10.1"),
        ("jinja2", "CVE-2020-28493", "2.11.3"),
        ("jinja2", "CVE-2024-22195", "3.1.3"),
        ("jinja2", "CVE-2024-34064", "3.1.4"),
        ("jinja2", "CVE-2024-56326", "3.1.5"),
        ("jinja2", "CVE-2025-27516", "3.1.6"),
        ("pyyaml", "CVE-2020-1747", "5.3.1"),
        ("pyyaml", "CVE-2020-14343", "5.4"),
        ("idna", "CVE-2024-3651", "3.7"),
        ("lodash", "CVE-2018-3721", "4.17.5"),
        ("lodash", "CVE-2018-16487", "4.17.11"),
        ("lodash", "CVE-2019-10744", "4.17.12"),
        ("lodash", "CVE-2020-8203", "4.17.19"),
        ("lodash", "CVE-2021-23337", "4.17.21"),
        ("lodash", "CVE-2020-28500", "4.17.21"),
        ("minimist", "CVE-2020-7598", "1.2.3"),
        ("minimist", "CVE-2021-44906", "1.2.6"),
    ]
    .into_iter()
    .collect();
    assert_eq!(language, expected);
}

#[test]
fn debian_min_matches_through_source_packages() {
    let Some(dir) = image("debian-min") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let db = database(tmp.path());
    let o = scan(&["scan", "image", "-q", dir.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    let found = vulnerabilities(&o);
    let ids: BTreeSet<&str> = found.iter().map(|(_, id, _)| id.as_str()).collect();
    // The unfixed ones, reported through their source packages (apt, coreutils, tar, util-linux).
    assert_eq!(ids, BTreeSet::from(["CVE-2005-2541", "CVE-2011-3374", "CVE-2016-2781", "CVE-2022-0563"]), "{found:?}");
    // Every binary package of util-linux, through its source.
    let util_linux: BTreeSet<&str> =
        found.iter().filter(|(_, id, _)| id == "CVE-2022-0563").map(|(p, _, _)| p.as_str()).collect();
    assert!(util_linux.contains("mount") && util_linux.contains("libblkid1"), "{util_linux:?}");
    // No fixed version is known for them.
    assert!(found.iter().all(|(_, _, fixed)| fixed.is_empty()), "{found:?}");
}

#[test]
fn scan_fs_reads_lockfiles_and_vex_and_exceptions_remove_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let db = database(tmp.path());
    let tree = root().join("examples/scan-fs");
    let o = scan(&["scan", "fs", tree.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let found = vulnerabilities(&o);
    assert!(found.contains(&("requests".into(), "CVE-2018-18074".into(), "2.20.0".into())), "{found:?}");
    assert!(found.contains(&("minimist".into(), "CVE-2021-44906".into(), "1.2.6".into())), "{found:?}");

    // OpenVEX: not_affected removes that one finding, nothing else.
    let vex = tmp.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "t", "timestamp": "2026-11-01T00:00:00Z",
            "version": 1, "statements": [{"vulnerability": {"name": "GHSA-x84v-xcm2-53pg"},
            "products": [{"@id": "pkg:pypi/requests@2.19.0"}], "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    let o = scan(&["scan", "fs", tree.to_str().unwrap(), "--db", db.to_str().unwrap(), "--vex", vex.to_str().unwrap()]);
    let with_vex = vulnerabilities(&o);
    assert!(!with_vex.iter().any(|(_, id, _)| id == "CVE-2018-18074"), "{with_vex:?}");
    assert_eq!(with_vex.len() + 1, found.len());

    // An exception naming a vulnerability id, with a reason.
    let config = tmp.path().join("rampart.toml");
    std::fs::write(&config, "[[exceptions]]\nvulnerabilities = [\"CVE-2021-44906\"]\nreason = \"test\"\n").unwrap();
    let o = rampart()
        .args(["scan", "fs", tree.to_str().unwrap(), "--db", db.to_str().unwrap(), "--format", "json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let excepted = vulnerabilities(&o);
    assert!(!excepted.iter().any(|(_, id, _)| id == "CVE-2021-44906"), "{excepted:?}");
    assert_eq!(excepted.len() + 1, found.len());
}

#[test]
fn without_a_database_scans_warn_and_report_the_rest() {
    let tree = root().join("examples/scan-fs");
    let o = scan(&["scan", "fs", tree.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no vulnerability database") && err.contains("rampart db update"), "{err}");
}

#[test]
fn the_sbom_can_carry_the_vulnerabilities() {
    let Some(dir) = image("py-app") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let db = database(tmp.path());
    let sbom = tmp.path().join("bom.cdx.json");
    let o = rampart()
        .args(["scan", "image", dir.to_str().unwrap(), "--no-config", "-q", "--format", "concise", "--db"])
        .arg(&db)
        .arg("--sbom")
        .arg(&sbom)
        .arg("--sbom-vulnerabilities")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let bom: Value = serde_json::from_slice(&std::fs::read(&sbom).unwrap()).unwrap();
    let ids: BTreeSet<&str> =
        bom["vulnerabilities"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert!(ids.contains("CVE-2021-44906") && ids.contains("CVE-2018-18074"), "{ids:?}");
    if let Some(validator) = std::env::var_os("RAMPART_SBOM_VALIDATOR") {
        let o = Command::new(validator).arg(&sbom).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    }
}

/// The OSV test data as `<Ecosystem>/all.zip`, shared with `rampart_vulndb`'s tests.
#[path = "../../rampart_vulndb/tests/common/mod.rs"]
mod osv_data;

/// A real HTTP server — Python's `http.server`, which answers `If-Modified-Since` with 304 —
/// serving `dir` on loopback; killed when dropped.
struct HttpServer {
    child: std::process::Child,
    base: String,
}

impl HttpServer {
    fn start(dir: &Path) -> Option<HttpServer> {
        use std::io::BufRead;
        let spawned = Command::new("python3")
            .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"])
            .current_dir(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                assert!(std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(), "python3: {e}");
                eprintln!("skipped: python3: {e}");
                return None;
            }
        };
        // "Serving HTTP on 127.0.0.1 port 43117 (http://127.0.0.1:43117/) ..."
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.split(" port ").nth(1).and_then(|rest| rest.split(' ').next()).expect(&line).to_owned();
        Some(HttpServer { child, base: format!("http://127.0.0.1:{port}") })
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn advisories_in(db: &Path) -> String {
    let o = rampart().args(["db", "status", "--db"]).arg(db).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    out.lines().find(|l| l.starts_with("advisories:")).unwrap_or_else(|| panic!("{out}")).to_owned()
}

#[test]
fn db_update_from_a_mirror_then_unchanged_then_offline_keeps_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let served = tmp.path().join("served");
    osv_data::pack_all_zips(&served);
    let Some(server) = HttpServer::start(&served) else { return };
    let db = tmp.path().join("cache/osv.db");
    let update = || {
        rampart()
            .args(["db", "update", "--ecosystem", "Debian,PyPI,npm", "--mirror", &server.base, "--db"])
            .arg(&db)
            .output()
            .unwrap()
    };

    let o = update();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("downloaded").count(), 3, "{err}");
    assert!(err.contains("with 40 advisories"), "{err}");
    assert_eq!(advisories_in(&db), "advisories: 40 (1 withdrawn)");
    let o = rampart().args(["db", "status", "--db"]).arg(&db).output().unwrap();
    let status = String::from_utf8_lossy(&o.stdout);
    assert!(status.contains(&format!("{}/PyPI/all.zip", server.base)), "{status}");

    // Nothing changed on the server: conditional requests, no rebuild.
    let o = update();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("unchanged").count(), 3, "{err}");
    assert!(err.contains("is up to date"), "{err}");

    // Offline, asking for an export it does not have yet: a clear error naming the URL, and
    // the database as it was.
    drop(server);
    let o = rampart()
        .args(["db", "update", "--ecosystem", "crates.io", "--mirror", "http://127.0.0.1:9", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("http://127.0.0.1:9/crates.io/all.zip"), "{}", show(&o));
    assert_eq!(advisories_in(&db), "advisories: 40 (1 withdrawn)");
}

#[test]
fn a_stale_database_is_a_warning_with_its_age_not_a_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let db = database(tmp.path());
    let tree = root().join("examples/scan-fs");
    let run = || {
        rampart()
            .args(["scan", "fs", tree.to_str().unwrap(), "--no-config", "--format", "concise", "--db"])
            .arg(&db)
            .output()
            .unwrap()
    };
    let fresh = run();
    assert!(!String::from_utf8_lossy(&fresh.stderr).contains("old"), "{}", show(&fresh));

    let ten_days_ago =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() - 10 * 86_400;
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE meta SET value = ?1 WHERE key = 'built_at'", [ten_days_ago.to_string()]).unwrap();
    drop(conn);
    let stale = run();
    assert_eq!(stale.status.code(), fresh.status.code(), "{}", show(&stale));
    assert_eq!(stale.stdout, fresh.stdout, "the same findings");
    let err = String::from_utf8_lossy(&stale.stderr);
    assert!(err.contains("warning") && err.contains("is 10 days old") && err.contains("rampart db update"), "{err}");
}

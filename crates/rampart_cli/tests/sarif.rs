//! SARIF output validates with Microsoft's SARIF multitool with zero errors, for findings of
//! every rule (each fixture case of the linter is checked as a Dockerfile).
//!
//! The multitool comes from npm (`@microsoft/sarif-multitool`); `.ci/run` installs it and
//! sets `SARIF_MULTITOOL` to its executable and `RAMPART_REQUIRE_EXTERNAL=1`, which turns a
//! missing tool into a failure instead of a skip.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn multitool() -> Option<PathBuf> {
    let path = std::env::var_os("SARIF_MULTITOOL").map(PathBuf::from);
    match path {
        Some(p) if p.exists() => Some(p),
        _ => {
            assert!(
                std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(),
                "RAMPART_REQUIRE_EXTERNAL is set but SARIF_MULTITOOL does not point at the SARIF multitool"
            );
            eprintln!("skipping: set SARIF_MULTITOOL to the sarif-multitool executable to run this test");
            None
        }
    }
}

#[test]
fn sarif_validates_with_zero_errors() {
    let Some(tool) = multitool() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cases = common::materialise_fixtures(dir.path());
    assert!(cases > 10);
    // Also a space and a non-ASCII character in a path, which must be URI-encoded.
    std::fs::create_dir_all(dir.path().join("odd dir/ü")).unwrap();
    std::fs::write(dir.path().join("odd dir/ü/Dockerfile"), "FROM debian:latest\nADD a /a\n").unwrap();
    let sarif = dir.path().join("out.sarif");
    let status = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .current_dir(dir.path())
        .args(["check", ".", "--format", "sarif", "--output"])
        .arg(&sarif)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap().len();
    assert!(results > cases, "expected findings from every failing case, got {results}");

    let validation = dir.path().join("validation.sarif");
    let out = Command::new(&tool).arg("validate").arg(&sarif).arg("--output").arg(&validation).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&validation).unwrap()).unwrap();
    let errors: Vec<_> = report["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["results"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["level"] == "error")
        .map(|r| r["message"]["text"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        errors.is_empty() && !stdout.contains(": error "),
        "SARIF multitool errors:\n{}\n{stdout}",
        errors.join("\n")
    );
}

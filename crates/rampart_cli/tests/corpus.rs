//! Several hundred real-world-style Dockerfiles (from `bench/gen_dockerfiles.py`, the
//! benchmark's generator) are checked without a crash, a tool failure or a syntax error:
//! the generator writes valid Dockerfiles, so any DF000 is a parser bug.

use std::path::Path;
use std::process::Command;

#[test]
fn generated_corpus_checks_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let generated = Command::new("python3")
        .arg(root.join("bench/gen_dockerfiles.py"))
        .arg(dir.path())
        .args(["--count", "400"])
        .status();
    match generated {
        Ok(s) if s.success() => {}
        _ => {
            assert!(
                std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(),
                "python3 is required to generate the corpus"
            );
            eprintln!("skipping: python3 is not available");
            return;
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["check", "--no-config", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "status {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["files"], 400);
    let syntax: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "DF000")
        .map(|f| format!("{}:{}: {}", f["path"], f["line"], f["message"]))
        .collect();
    assert!(syntax.is_empty(), "syntax errors in generated Dockerfiles:\n{}", syntax.join("\n"));
}

fn check_json(path: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["check", "--no-config", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "status {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn syntax_findings(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().is_some_and(|c| c.ends_with("000")))
        .map(|f| format!("{}:{}: {}", f["path"], f["line"], f["message"]))
        .collect()
}

/// The real-world manifests of the kubernetes/examples project (`../shared/corpora`): every
/// object loads, nothing crashes, and no document is reported as unreadable.
#[test]
fn shared_kubernetes_corpus_loads_cleanly() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/k8s-examples");
    if !corpus.is_dir() {
        assert!(
            std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(),
            "the shared corpus is not at {}",
            corpus.display()
        );
        eprintln!("skipping: no shared corpus at {}", corpus.display());
        return;
    }
    let doc = check_json(&corpus);
    assert!(doc["summary"]["files"].as_u64().unwrap() >= 200, "{}", doc["summary"]);
    let syntax = syntax_findings(&doc);
    assert!(syntax.is_empty(), "spurious parse findings:\n{}", syntax.join("\n"));
}

/// The benchmark's generated manifests (multi-document files of every workload kind).
#[test]
fn generated_manifests_check_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let ok = Command::new("python3")
        .arg(root.join("bench/gen_manifests.py"))
        .arg(dir.path())
        .args(["--files", "100"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(), "python3 is required to generate the corpus");
        return;
    }
    let doc = check_json(dir.path());
    assert_eq!(doc["summary"]["files"], 100);
    let syntax = syntax_findings(&doc);
    assert!(syntax.is_empty(), "parse findings in generated manifests:\n{}", syntax.join("\n"));
}

fn comment_lines(text: &str) -> Vec<String> {
    text.lines().filter(|l| l.trim_start().starts_with('#')).map(|l| l.trim().to_string()).collect()
}

fn snapshot(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// `rampart fix --unsafe-fixes` on the real-world manifests: nothing is corrupted (every file
/// still parses), every comment line is kept, and a second run changes nothing.
#[test]
fn fixing_the_shared_corpus_is_safe_and_idempotent() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/k8s-examples");
    if !corpus.is_dir() {
        assert!(
            std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(),
            "the shared corpus is not at {}",
            corpus.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("k8s");
    let status = Command::new("cp").arg("-r").arg(&corpus).arg(&copy).status().unwrap();
    assert!(status.success());
    // The copy is read-only like its source: make it writable.
    Command::new("chmod").args(["-R", "u+w"]).arg(&copy).status().unwrap();
    let before = snapshot(&copy);
    let fix = |dir: &Path| {
        Command::new(env!("CARGO_BIN_EXE_rampart"))
            .args(["fix", "--no-config", "--unsafe-fixes", "--format", "json"])
            .arg(dir)
            .output()
            .unwrap()
    };
    let first = fix(&copy);
    assert!(matches!(first.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&first.stderr));
    let after = snapshot(&copy);
    for (path, original) in &before {
        let Some(fixed) = after.get(path) else { panic!("{} disappeared", path.display()) };
        let (Ok(original), Ok(fixed)) = (std::str::from_utf8(original), std::str::from_utf8(fixed)) else { continue };
        for c in comment_lines(original) {
            assert!(comment_lines(fixed).contains(&c), "{}: the fix lost `{c}`", path.display());
        }
    }
    let doc: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    let syntax = syntax_findings(&doc);
    assert!(syntax.is_empty(), "fixed files no longer parse:\n{}", syntax.join("\n"));
    let second = fix(&copy);
    assert!(matches!(second.status.code(), Some(0 | 1)));
    assert_eq!(snapshot(&copy), after, "a second `rampart fix` changed files again");
}

//! The command-line contract: exit statuses, formats, configuration, suppressions.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use std::io::Write;

fn rampart() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rampart"));
    c.env_remove("NO_COLOR").env("RAMPART_TODAY", "2026-11-28");
    c
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    rampart().current_dir(dir).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const ROOT_IMAGE: &str = "FROM debian:12\nRUN echo hi\nCMD [\"app\"]\n";
const GOOD_IMAGE: &str = "FROM debian:12\nUSER 10001:10001\nHEALTHCHECK CMD [\"/app\", \"health\"]\nCMD [\"/app\"]\n";

#[test]
fn exit_status_follows_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", ROOT_IMAGE);
    let o = run_in(dir.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("DF001"));
    // Only notes and warnings left: passes at the default level.
    let o = run_in(dir.path(), &["check", ".", "--ignore", "DF001"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // A warning fails only with --fail-on warning (or note).
    write(dir.path(), "Dockerfile", "FROM debian:12\nUSER 10001\nADD a.txt /a\nCMD [\"a\"]\n");
    let o = run_in(dir.path(), &["check", ".", "--select", "DF030"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run_in(dir.path(), &["check", ".", "--select", "DF030", "--fail-on", "warning"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

#[test]
fn tool_failures_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["check", "does-not-exist"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does-not-exist"));
    let o = run_in(dir.path(), &["check", "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run_in(dir.path(), &["check", "--select", "NOPE999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("names no rule"));
}

#[test]
fn a_syntax_error_is_a_finding_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM debian:12\nRUNN x\nUSER 1000\n");
    let o = run_in(dir.path(), &["check", "--format", "concise", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("Dockerfile:2:1: error[DF000] unknown instruction `RUNN`"), "{}", stdout(&o));
}

#[test]
fn json_output_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM debian:12\nADD app.py /app/\nUSER 1000\n");
    let o = run_in(dir.path(), &["check", "--format", "json", "Dockerfile"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "DF030").unwrap().clone();
    for key in [
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "help",
        "fix",
        "equivalents",
        "tags",
        "url",
    ] {
        assert!(f.get(key).is_some(), "missing {key}");
    }
    assert_eq!(f["path"], "Dockerfile");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64(), f["end_column"].as_u64()), (Some(2), Some(1), Some(4)));
    assert_eq!(f["fix"]["applicability"], "safe");
    assert_eq!(f["fix"]["edits"][0]["content"], "COPY");
    assert!(f["equivalents"].as_array().unwrap().iter().any(|e| e == "hadolint:DL3020"));
    assert!(v["summary"]["findings"].as_u64().unwrap() >= 1);
}

#[test]
fn output_file_is_written_and_colour_only_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", ROOT_IMAGE);
    let o = run_in(dir.path(), &["check", ".", "--output", "report.txt"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    let report = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(report.contains("DF001") && !report.contains('\u{1b}'));
    let o = run_in(dir.path(), &["check", ".", "--color", "always"]);
    assert!(stdout(&o).contains('\u{1b}'));
}

#[test]
fn stdin_is_read_and_recognised_by_content() {
    let mut child = rampart()
        .args(["check", "--format", "concise", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(ROOT_IMAGE.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("-:1:1: error[DF001]"), "{}", stdout(&o));

    let mut child = rampart().args(["check", "-"]).stdin(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"just some text\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn directories_are_walked_respecting_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "svc/a/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "svc/b/app.Dockerfile", ROOT_IMAGE);
    write(dir.path(), ".devcontainer/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "vendor/Dockerfile", ROOT_IMAGE);
    write(dir.path(), ".gitignore", "vendor/\n");
    write(dir.path(), "README.md", "FROM not a dockerfile\n");
    // No extension: recognised by content.
    write(dir.path(), "docker/prod", ROOT_IMAGE);
    write(dir.path(), "scripts/build", "#!/bin/sh\necho hi\n");
    std::fs::write(dir.path().join("scripts/blob"), [0xffu8, 0xfe, 0x00, 0x46]).unwrap();
    let o = run_in(dir.path(), &["check", "--format", "concise", "--select", "DF001", "."]);
    let out = stdout(&o);
    assert!(
        out.contains("svc/a/Dockerfile")
            && out.contains("svc/b/app.Dockerfile")
            && out.contains(".devcontainer/Dockerfile"),
        "{out}"
    );
    assert!(!out.contains("vendor/"), "{out}");
    assert!(out.contains("docker/prod:1:1"), "{out}");
    assert!(out.contains("in 4 files"), "{out}");
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn config_is_found_upward_and_bad_values_are_reported_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rampart.toml", "[check]\nfail-on = \"warning\"\n\n[rules]\nDF001 = \"loud\"\n");
    write(dir.path(), "svc/Dockerfile", ROOT_IMAGE);
    let o = run_in(&dir.path().join("svc"), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("rampart.toml:5:9"), "{err}");
    assert!(err.contains("not a level"), "{err}");

    write(dir.path(), "rampart.toml", "[rules]\nDF001 = \"warning\"\n");
    let o = run_in(&dir.path().join("svc"), &["check", "--format", "concise", "."]);
    assert!(stdout(&o).contains("warning[DF001]"), "{}", stdout(&o));
    assert_eq!(o.status.code(), Some(0));
    // --no-config ignores it.
    let o = run_in(&dir.path().join("svc"), &["check", "--no-config", "--format", "concise", "."]);
    assert!(stdout(&o).contains("error[DF001]"));
    // Tag levels.
    write(dir.path(), "rampart.toml", "[tags]\nuser = \"off\"\n");
    let o = run_in(dir.path(), &["check", "--format", "concise", "."]);
    assert!(!stdout(&o).contains("DF001"), "{}", stdout(&o));
}

#[test]
fn exceptions_need_a_reason_expire_and_are_reported_when_unused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "legacy/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "new/Dockerfile", GOOD_IMAGE);
    write(
        dir.path(),
        "rampart.toml",
        "[[exceptions]]\nrules = [\"DF001\"]\npaths = [\"legacy/**\"]\nreason = \"migrates in Q1\"\nowner = \"platform\"\nexpires = 2027-03-31\n\n[[exceptions]]\nrules = [\"DF030\"]\nreason = \"nothing uses ADD any more\"\n",
    );
    let o = run_in(dir.path(), &["check", "--format", "concise", "."]);
    let out = stdout(&o);
    assert!(!out.contains("error[DF001]"), "{out}");
    assert!(out.contains("rampart.toml:8:1: warning[RP002]"), "{out}");
    assert!(out.contains("suppressed") || o.status.code() == Some(0), "{out}");

    // After the expiry date the finding is back, with the reason it came back.
    let o = rampart()
        .current_dir(dir.path())
        .env("RAMPART_TODAY", "2027-04-01")
        .args(["check", "--format", "concise", "."])
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(out.contains("legacy/Dockerfile:1:1: error[DF001]"), "{out}");
    assert!(out.contains("warning[RP003] exception expired on 2027-03-31 (owner: platform)"), "{out}");
    assert_eq!(o.status.code(), Some(1));

    // No reason: invalid configuration.
    write(dir.path(), "rampart.toml", "[[exceptions]]\nrules = [\"DF001\"]\n");
    let o = run_in(dir.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no `reason`"), "{}", stderr(&o));
}

#[test]
fn inline_and_hadolint_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM debian:12\n# hadolint ignore=DL3020\nADD a.txt /a\n# rampart:ignore add-instead-of-copy vendored layout\nADD b.txt /b\n# rampart:ignore DF032 nothing to see\nRUN true\nADD c.txt /c\nUSER 1000\n",
    );
    let o = run_in(dir.path(), &["check", "--format", "concise", "."]);
    let out = stdout(&o);
    assert!(!out.contains(":3:1: warning[DF030]") && !out.contains(":5:1: warning[DF030]"), "{out}");
    assert!(out.contains(":8:1: warning[DF030]"), "{out}");
    assert!(out.contains(":6:18: warning[RP004] `DF032` suppresses nothing here"), "{out}");
}

#[test]
fn rules_rule_init_completions_version() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["rules"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("DF001  final-stage-runs-as-root"));
    let o = run_in(dir.path(), &["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().len() > 5);
    let o = run_in(dir.path(), &["rule", "DF001"]);
    assert!(o.status.success() && stdout(&o).contains("## Fix safety"));
    let o = run_in(dir.path(), &["rule", "final-stage-runs-as-root"]);
    assert!(stdout(&o).starts_with("# DF001"));
    assert_eq!(run_in(dir.path(), &["rule", "XX999"]).status.code(), Some(2));
    let o = run_in(dir.path(), &["init"]);
    assert!(o.status.success());
    let text = std::fs::read_to_string(dir.path().join("rampart.toml")).unwrap();
    assert!(text.starts_with("# rampart.toml"));
    assert_eq!(run_in(dir.path(), &["init"]).status.code(), Some(2));
    assert!(run_in(dir.path(), &["init", "--force"]).status.success());
    let o = run_in(dir.path(), &["completions", "bash"]);
    assert!(stdout(&o).contains("rampart"));
    let o = run_in(dir.path(), &["--version"]);
    assert_eq!(stdout(&o).trim(), format!("rampart {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn hostile_files_are_findings_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), b"FROM debian:12\nRUN echo \xff\xfe\n").unwrap();
    let o = run_in(dir.path(), &["check", "--format", "concise", "."]);
    assert!(stdout(&o).contains("Dockerfile:2:10: error[RP007] byte 24 is not valid UTF-8"), "{}", stdout(&o));
    let big = "FROM a\n".to_string() + &"# padding\n".repeat(900_000);
    std::fs::write(dir.path().join("Dockerfile"), big).unwrap();
    let o = run_in(dir.path(), &["check", "--format", "concise", "."]);
    assert!(stdout(&o).contains("error[RP006]"), "{}", stdout(&o));
    #[cfg(unix)]
    {
        std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("Dockerfile")).unwrap();
        let o = run_in(dir.path(), &["check", "--format", "concise", "."]);
        assert!(o.status.success(), "a symlink out of the tree is not followed: {}", stdout(&o));
    }
}

#[test]
fn image_facts_make_security_context_fixes_safe_and_keep_what_the_image_needs() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "api/Dockerfile",
        "FROM debian:12\nRUN useradd -u 10001 app\nUSER 10001:10001\nEXPOSE 80\nVOLUME /data\nCMD [\"/app\"]\n",
    );
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api # the API\n          image: registry.example.com/shop/api:1.2\n";
    write(dir.path(), "deploy.yaml", deployment);
    write(dir.path(), "compose.yaml", "services:\n  api:\n    build: ./api\n    ports: [\"8080:80\"]\n");
    // Safe fixes only: the image runs as UID 10001 already, so saying so changes nothing.
    let o = run_in(dir.path(), &["fix", "--diff", "--select", "KS014,KS017,KS020", "."]);
    let out = stdout(&o);
    assert!(out.contains("+      securityContext:\n+        runAsNonRoot: true\n"), "{out}");
    assert!(out.contains("+    user: \"10001:10001\"\n"), "{out}");
    assert!(!out.contains("drop: [ALL]") && !out.contains("readOnlyRootFilesystem"), "{out}");
    // With unsafe fixes: the port below 1024 keeps NET_BIND_SERVICE, the image's VOLUME stays
    // writable in Kubernetes (Docker mounts a volume there itself).
    let o = run_in(dir.path(), &["fix", "--unsafe-fixes", "--select", "KS014,KS017,KS020", "."]);
    assert!(stderr(&o).contains("Fixed 6 findings"), "{}", stderr(&o));
    let fixed = std::fs::read_to_string(dir.path().join("deploy.yaml")).unwrap();
    assert!(fixed.contains("add: [NET_BIND_SERVICE]") && fixed.contains("{name: data, mountPath: /data}"), "{fixed}");
    assert!(fixed.contains("# the API"), "{fixed}");
    let compose = std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap();
    assert!(compose.contains("cap_add: [NET_BIND_SERVICE]") && compose.contains("tmpfs: [/tmp]"), "{compose}");
    assert!(!compose.contains("/data"), "{compose}");
    // Nothing left to do.
    let o = run_in(dir.path(), &["check", "--select", "KS014,KS017,KS020", "."]);
    assert!(o.status.success(), "{}", stdout(&o));
}

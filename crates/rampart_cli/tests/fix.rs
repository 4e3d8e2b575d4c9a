//! `rampart fix` and `rampart check --fix` end to end: what is written (only changed files,
//! atomically, keeping their permissions), `--diff`, `--unsafe-fixes` and the summary, exit
//! statuses on what is left, stdin, mixed directories, and files that cannot be written.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

fn rampart() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rampart"));
    c.env_remove("NO_COLOR").env("RAMPART_TODAY", "2026-11-28");
    c
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    rampart().current_dir(dir).args(args).output().unwrap()
}

fn run_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = rampart()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn show(o: &Output) -> String {
    format!("status {:?}\n--- stdout\n{}\n--- stderr\n{}", o.status.code(), stdout(o), stderr(o))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// Every file under `dir` (relative path → bytes).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Identity of a file on disk: inode and modification time.
#[cfg(unix)]
fn identity(path: &Path) -> (u64, SystemTime) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).unwrap();
    (m.ino(), m.modified().unwrap())
}

/// Sets the file's modification time an hour back, so a rewrite cannot keep it by chance.
#[cfg(unix)]
fn age(path: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options().write(true).open(path).unwrap().set_modified(old).unwrap();
}

fn comment_lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| l.starts_with('#')).map(str::to_string).collect()
}

/// One safe fix (ADD → COPY); only notes are left after it.
const SAFE_ONLY: &str =
    "FROM debian:12\n# the application\nADD app.sh /app/app.sh\nUSER 10001:10001\nCMD [\"/app/app.sh\"]\n";
const SAFE_ONLY_FIXED: &str =
    "FROM debian:12\n# the application\nCOPY app.sh /app/app.sh\nUSER 10001:10001\nCMD [\"/app/app.sh\"]\n";
/// A safe fix (DF030) and an unsafe one (DF001, an error); only notes are left after both.
const SAFE_AND_UNSAFE: &str = "FROM debian:12\nADD app.sh /app/app.sh\nCMD [\"/app/app.sh\"]\n";
/// Nothing to fix.
const CLEAN: &str = "FROM debian:12\nUSER 10001:10001\nHEALTHCHECK CMD [\"/app\", \"health\"]\nCMD [\"/app\"]\n";

#[test]
#[cfg(unix)]
fn fix_writes_only_changed_files_atomically_keeping_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fixable = write(dir.path(), "Dockerfile", SAFE_ONLY);
    std::fs::set_permissions(&fixable, std::fs::Permissions::from_mode(0o640)).unwrap();
    let clean = write(dir.path(), "ok/Dockerfile", CLEAN);
    let other = write(dir.path(), "notes.txt", "not checked\n");
    for p in [&clean, &other] {
        age(p);
    }
    let before = (identity(&clean), identity(&other));
    let names_before: Vec<PathBuf> = snapshot(dir.path()).into_keys().collect();

    let replaced = identity(&fixable).0;
    let o = run_in(dir.path(), &["fix", "--no-config", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(read(&fixable), SAFE_ONLY_FIXED);
    // Written to a temporary file renamed over the original: a new inode, never a half-written file.
    assert_ne!(identity(&fixable).0, replaced);
    assert_eq!(std::fs::metadata(&fixable).unwrap().permissions().mode() & 0o777, 0o640);
    // Unchanged files are not rewritten; no temporary file is left behind.
    assert_eq!((identity(&clean), identity(&other)), before);
    let names_after: Vec<PathBuf> = snapshot(dir.path()).into_keys().collect();
    assert_eq!(names_after, names_before);
    assert!(stderr(&o).contains("Fixed 1 finding in 1 file."), "{}", show(&o));
    // What is reported is what is left: the fixed finding is gone.
    assert!(!stdout(&o).contains("DF030"), "{}", show(&o));

    // A second run changes nothing and writes nothing.
    let fixed_identity = identity(&fixable);
    std::thread::sleep(Duration::from_millis(20));
    let o = run_in(dir.path(), &["fix", "--no-config", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(identity(&fixable), fixed_identity);
    assert!(stderr(&o).contains("Fixed 0 findings in 0 files."), "{}", show(&o));
}

#[test]
#[cfg(unix)]
fn diff_prints_a_unified_diff_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Dockerfile", SAFE_AND_UNSAFE);
    age(&path);
    let before = identity(&path);
    for command in
        [&["fix", "--no-config", "--diff", "."][..], &["check", "--no-config", "--diff", "--unsafe-fixes", "."]]
    {
        let o = run_in(dir.path(), command);
        let out = stdout(&o);
        assert!(out.starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,3 +1,"), "{command:?}\n{}", show(&o));
        assert!(out.contains("\n-ADD app.sh /app/app.sh\n+COPY "), "{}", show(&o));
        // The unsafe fix is in the diff only with --unsafe-fixes.
        assert_eq!(out.contains("+USER 10001:10001"), command.contains(&"--unsafe-fixes"), "{}", show(&o));
        // The report goes to stderr; nothing is written; the status is that of the file as it is.
        assert!(stderr(&o).contains("DF001"), "{}", show(&o));
        assert!(stderr(&o).contains("Would fix"), "{}", show(&o));
        assert_eq!(o.status.code(), Some(1), "{}", show(&o));
        assert_eq!(read(&path), SAFE_AND_UNSAFE);
        assert_eq!(identity(&path), before);
    }
    // Nothing to fix: an empty diff.
    write(dir.path(), "Dockerfile", CLEAN);
    let o = run_in(dir.path(), &["fix", "--no-config", "--diff", "."]);
    assert_eq!(stdout(&o), "", "{}", show(&o));
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
}

#[test]
fn unsafe_fixes_need_the_flag_and_the_summary_says_how_many_remain() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Dockerfile", SAFE_AND_UNSAFE);
    let o = run_in(dir.path(), &["fix", "--no-config", "."]);
    // Only the safe fix is applied; the root user (an error) is left: status 1.
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let text = read(&path);
    assert!(text.contains("COPY app.sh") && !text.contains("USER"), "{text}");
    assert!(
        stderr(&o).contains(
            "Fixed 1 finding in 1 file. Remaining: 1 with an unsafe fix (rerun with `--unsafe-fixes` to apply)."
        ),
        "{}",
        show(&o)
    );
    assert!(stdout(&o).contains("DF001"), "{}", show(&o));

    let o = run_in(dir.path(), &["fix", "--no-config", "--unsafe-fixes", "."]);
    // The user is created (Debian) and switched to; only notes are left: status 0.
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let text = read(&path);
    assert!(text.contains("useradd --uid 10001"), "{text}");
    assert!(text.contains("COPY --chown=10001:10001 app.sh /app/app.sh"), "{text}");
    assert!(text.trim_end().ends_with("USER 10001:10001\nCMD [\"/app/app.sh\"]"), "{text}");
    assert!(stderr(&o).contains("Fixed 1 finding in 1 file."), "{}", show(&o));
    assert!(!stderr(&o).contains("--unsafe-fixes"), "{}", show(&o));
    assert!(!stdout(&o).contains("DF001"), "{}", show(&o));
}

#[test]
fn exit_status_follows_check_on_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    // Warnings left after fixing fail only at --fail-on warning.
    let warning_left = "FROM debian:12\nADD app.sh /app/\nUSER 10001\nWORKDIR ${DIR}/x\nCMD [\"app\"]\n";
    write(dir.path(), "a/Dockerfile", warning_left);
    write(dir.path(), "b/Dockerfile", warning_left);
    let o = run_in(dir.path(), &["fix", "--no-config", "--select", "DF030,DF081,DF078", "a"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let o = run_in(dir.path(), &["fix", "--no-config", "--select", "DF030,DF081,DF078", "--fail-on", "warning", "b"]);
    assert_eq!(read(&dir.path().join("b/Dockerfile")), read(&dir.path().join("a/Dockerfile")));
    let left = stdout(&o);
    assert_eq!(o.status.code(), Some(if left.contains("warning[") { 1 } else { 0 }), "{}", show(&o));
    // Fixed completely: 0 even at --fail-on note.
    write(dir.path(), "c/Dockerfile", SAFE_ONLY);
    let o = run_in(dir.path(), &["fix", "--no-config", "--select", "DF030", "--fail-on", "note", "c"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    // A path that cannot be read is a failure of the run: 2, and nothing is written.
    write(dir.path(), "d/Dockerfile", SAFE_ONLY);
    let o = run_in(dir.path(), &["fix", "--no-config", "does-not-exist", "d"]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(stderr(&o).contains("does-not-exist"), "{}", show(&o));
    assert_eq!(read(&dir.path().join("d/Dockerfile")), SAFE_ONLY);
    #[cfg(unix)]
    {
        // A file that cannot be read (not for root, who reads anything).
        use std::os::unix::fs::PermissionsExt;
        let secret = write(dir.path(), "e/Dockerfile", SAFE_ONLY);
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&secret).is_err() {
            let o = run_in(dir.path(), &["fix", "--no-config", "e"]);
            assert_eq!(o.status.code(), Some(2), "{}", show(&o));
        }
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(read(&secret), SAFE_ONLY);
    }
}

#[test]
fn check_fix_behaves_like_fix() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["one", "two"] {
        write(dir.path(), &format!("{sub}/Dockerfile"), SAFE_AND_UNSAFE);
    }
    let a = run_in(&dir.path().join("one"), &["fix", "--no-config", "--format", "concise", "."]);
    let b = run_in(&dir.path().join("two"), &["check", "--fix", "--no-config", "--format", "concise", "."]);
    assert_eq!(read(&dir.path().join("one/Dockerfile")), read(&dir.path().join("two/Dockerfile")));
    assert_ne!(read(&dir.path().join("one/Dockerfile")), SAFE_AND_UNSAFE);
    assert_eq!((a.status.code(), stdout(&a), stderr(&a)), (b.status.code(), stdout(&b), stderr(&b)));
    let a = run_in(&dir.path().join("one"), &["fix", "--no-config", "--unsafe-fixes", "."]);
    let b = run_in(&dir.path().join("two"), &["check", "--no-config", "--unsafe-fixes", "."]);
    assert_eq!(read(&dir.path().join("one/Dockerfile")), read(&dir.path().join("two/Dockerfile")));
    assert!(read(&dir.path().join("two/Dockerfile")).contains("USER 10001:10001"));
    assert_eq!(a.status.code(), b.status.code(), "{}\n{}", show(&a), show(&b));
}

#[test]
fn stdin_prints_the_fixed_text() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_stdin(dir.path(), &["fix", "--no-config", "-"], SAFE_ONLY);
    assert_eq!(stdout(&o), SAFE_ONLY_FIXED, "{}", show(&o));
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    // The report goes to stderr, in one line per finding.
    assert!(stderr(&o).contains("-:1:6: note[DF012]"), "{}", show(&o));
    // Nothing to fix: the text as it came; what is left decides the status.
    let o = run_stdin(dir.path(), &["fix", "--no-config", "-"], SAFE_AND_UNSAFE.replace("ADD", "COPY").as_str());
    assert_eq!(stdout(&o), SAFE_AND_UNSAFE.replace("ADD", "COPY"), "{}", show(&o));
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    // --diff on stdin: the diff, named after --stdin-filename.
    let o = run_stdin(
        dir.path(),
        &["check", "--no-config", "--diff", "--stdin-filename", "build/Dockerfile", "-"],
        SAFE_ONLY,
    );
    assert!(stdout(&o).starts_with("--- a/build/Dockerfile\n+++ b/build/Dockerfile\n"), "{}", show(&o));
    assert!(stdout(&o).contains("+COPY app.sh"), "{}", show(&o));
    // A Kubernetes manifest on stdin is fixed as one (and not lost when nothing applies).
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p # the pod\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n";
    let o =
        run_stdin(dir.path(), &["fix", "--no-config", "--unsafe-fixes", "--stdin-filename", "pod.yaml", "-"], manifest);
    assert!(stdout(&o).contains("name: p # the pod"), "{}", show(&o));
    assert!(o.status.code() == Some(0) || o.status.code() == Some(1), "{}", show(&o));
}

#[test]
fn a_directory_of_mixed_files_is_fixed_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "api/Dockerfile",
        "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nMAINTAINER ops@example.com\n# system packages\nRUN apt-get update && \\\n    apt-get install curl\nWORKDIR app\nADD requirements.txt .\nRUN pip install -r requirements.txt\nADD src/ /app/src/\nEXPOSE 8000\nCMD python -m app\n",
    );
    write(
        dir.path(),
        "deploy/api.yaml",
        "# the API\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api # main container\n          image: registry.example.com/shop/api:1.0\n          ports:\n            - containerPort: 8000\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector: {app: api}\n  ports:\n    - port: 80\n      targetPort: 8000\n",
    );
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  api:\n    # built from ./api\n    build: ./api\n    ports:\n      - \"8000:8000\"\n",
    );
    write(dir.path(), "README.md", "# shop\n");
    let before = snapshot(dir.path());
    let o = run_in(dir.path(), &["fix", "--no-config", "--unsafe-fixes", "--format", "json", "."]);
    assert_ne!(o.status.code(), Some(2), "{}", show(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(report["summary"]["fixed"].as_u64().unwrap() >= 8, "{}", show(&o));
    let after = snapshot(dir.path());

    let dockerfile = String::from_utf8(after[Path::new("api/Dockerfile")].clone()).unwrap();
    for expected in [
        "LABEL org.opencontainers.image.authors=\"ops@example.com\"",
        "apt-get install --no-install-recommends -y curl",
        "rm -rf /var/lib/apt/lists/*",
        "WORKDIR /app",
        "COPY requirements.txt .",
        "pip install --no-cache-dir -r requirements.txt",
        "COPY --chown=10001:10001 src/ /app/src/",
        "useradd --uid 10001",
        "USER 10001:10001",
        "CMD [\"python\", \"-m\", \"app\"]",
    ] {
        assert!(dockerfile.contains(expected), "`{expected}` missing:\n{dockerfile}");
    }
    // Every file is still what it was (the same objects, parseable), keeps its comments, and
    // files nobody fixes are untouched.
    assert_eq!(after[Path::new("README.md")], before[Path::new("README.md")]);
    for (path, original) in &before {
        let Some(fixed) = after.get(path) else { panic!("{} disappeared", path.display()) };
        let (original, fixed) = (String::from_utf8_lossy(original), String::from_utf8_lossy(fixed));
        for c in comment_lines(&original) {
            assert!(comment_lines(&fixed).contains(&c), "{}: lost `{c}`:\n{fixed}", path.display());
        }
    }
    let o = run_in(dir.path(), &["check", "--no-config", "--format", "json", "."]);
    let left: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let syntax: Vec<&serde_json::Value> = left["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().is_some_and(|c| c.ends_with("000")))
        .collect();
    assert!(syntax.is_empty(), "fixed files no longer parse: {syntax:?}");
    // Files created by fixes (policies, secrets) are part of the second run's input too.
    let o = run_in(dir.path(), &["fix", "--no-config", "--unsafe-fixes", "."]);
    assert_ne!(o.status.code(), Some(2), "{}", show(&o));
    assert_eq!(snapshot(dir.path()), after, "a second `rampart fix` changed files again");
}

#[test]
#[cfg(unix)]
fn a_read_only_file_is_an_error_and_loses_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = write(dir.path(), "locked/Dockerfile", SAFE_ONLY);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
    age(&locked);
    let before = identity(&locked);
    let open = write(dir.path(), "open/Dockerfile", SAFE_ONLY);
    let names_before: Vec<PathBuf> = snapshot(dir.path()).into_keys().collect();
    let o = run_in(dir.path(), &["fix", "--no-config", "--format", "concise", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(stderr(&o).contains("cannot write locked/Dockerfile: the file is read-only"), "{}", show(&o));
    assert_eq!(read(&locked), SAFE_ONLY);
    assert_eq!(identity(&locked), before);
    assert_eq!(std::fs::metadata(&locked).unwrap().permissions().mode() & 0o777, 0o444);
    // The report still shows what the unwritten file has; the other file is fixed.
    assert!(stdout(&o).contains("locked/Dockerfile:3:1: warning[DF030]"), "{}", show(&o));
    assert_eq!(read(&open), SAFE_ONLY_FIXED);
    assert!(stderr(&o).contains("Fixed 1 finding in 1 file."), "{}", show(&o));
    let names_after: Vec<PathBuf> = snapshot(dir.path()).into_keys().collect();
    assert_eq!(names_after, names_before, "a temporary file was left behind");
}

#[test]
#[cfg(unix)]
fn a_symbolic_link_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let target = write(dir.path(), "real/Dockerfile", SAFE_ONLY);
    let link = dir.path().join("app.Dockerfile");
    std::os::unix::fs::symlink("real/Dockerfile", &link).unwrap();
    let o = run_in(dir.path(), &["fix", "--no-config", "app.Dockerfile"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(read(&target), SAFE_ONLY_FIXED);
}

/// Every `DF` fixture case as `<dir>/<CODE>-<n>/Dockerfile`.
fn dockerfile_fixtures(dir: &Path) -> usize {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rampart_linter/tests/fixtures");
    let mut n = 0;
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let path = entry.unwrap().path();
        let code = path.file_stem().unwrap().to_string_lossy().into_owned();
        if !code.starts_with("DF") {
            continue;
        }
        for (i, case) in read(&path).split("### ").skip(1).enumerate() {
            let body: String =
                case.lines().skip(1).filter(|l| !l.starts_with("#!")).map(|l| format!("{l}\n")).collect();
            write(dir, &format!("{code}-{i}/Dockerfile"), &body);
            n += 1;
        }
    }
    n
}

/// Syntax errors (`DF000`) per file, from a JSON report.
fn syntax_errors(report: &serde_json::Value) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        if f["code"] == "DF000" {
            *out.entry(f["path"].as_str().unwrap_or("").to_string()).or_default() += 1;
        }
    }
    out
}

/// All rules' fixes together, on every Dockerfile fixture case: the fixes of different rules
/// combine, settle, are never rejected, keep every comment and add no syntax error, and a
/// second run changes nothing.
#[test]
fn every_dockerfile_fixture_fixed_with_all_rules_settles() {
    let dir = tempfile::tempdir().unwrap();
    assert!(dockerfile_fixtures(dir.path()) > 300);
    let before = snapshot(dir.path());
    let check = |dir: &Path| {
        let o = run_in(dir, &["check", "--no-config", "--format", "json", "."]);
        syntax_errors(&serde_json::from_str(&stdout(&o)).unwrap())
    };
    let errors_before = check(dir.path());
    assert!(!errors_before.is_empty(), "the DF000 fixtures have syntax errors");
    let o = run_in(dir.path(), &["fix", "--no-config", "--unsafe-fixes", "--format", "json", "."]);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    let problems: Vec<&str> =
        err.lines().filter(|l| l.contains("did not settle") || l.contains("not applied")).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let after = snapshot(dir.path());
    assert_ne!(after, before);
    for (path, original) in &before {
        let (original, fixed) = (String::from_utf8_lossy(original), String::from_utf8_lossy(&after[path]));
        for c in comment_lines(&original) {
            assert!(comment_lines(&fixed).contains(&c), "{}: lost `{c}`:\n{fixed}", path.display());
        }
    }
    for (file, n) in check(dir.path()) {
        let was = errors_before.get(&file).copied().unwrap_or(0);
        assert!(n <= was, "{file}: {n} syntax errors after fixing, {was} before:\n{}", read(&dir.path().join(&file)));
    }
    let o = run_in(dir.path(), &["fix", "--no-config", "--unsafe-fixes", "--format", "concise", "."]);
    assert!(stderr(&o).contains("Fixed 0 findings in 0 files."), "{}", stderr(&o));
    assert_eq!(snapshot(dir.path()), after, "a second `rampart fix` changed files again");
}

#[test]
fn a_file_named_twice_is_checked_and_fixed_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Dockerfile", SAFE_ONLY);
    let o = run_in(dir.path(), &["fix", "--no-config", "--format", "concise", "Dockerfile", "./Dockerfile", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(stderr(&o).contains("Fixed 1 finding in 1 file."), "{}", show(&o));
    assert_eq!(stdout(&o).matches("note[DF012]").count(), 1, "{}", show(&o));
    assert_eq!(read(&path), SAFE_ONLY_FIXED);
}

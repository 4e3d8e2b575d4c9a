//! Helpers shared by the CLI tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// Writes every fixture case of every rule as `<dir>/<CODE>-<n>/Dockerfile`.
pub fn materialise_fixtures(dir: &Path) -> usize {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rampart_linter/tests/fixtures");
    let mut n = 0;
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let path = entry.unwrap().path();
        let code = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, case) in text.split("### ").skip(1).enumerate() {
            let body: String =
                case.lines().skip(1).filter(|l| !l.starts_with("#!")).map(|l| format!("{l}\n")).collect();
            let case_dir = dir.join(format!("{code}-{i}"));
            std::fs::create_dir_all(&case_dir).unwrap();
            std::fs::write(case_dir.join("Dockerfile"), body).unwrap();
            n += 1;
        }
    }
    n
}

/// A run's status and output, for an assertion message.
pub fn show(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The OCI layout of a reference image (`$RAMPART_REFERENCE_IMAGES`, else `/tmp/images`), or
/// `None` with a note when it was not built; with `RAMPART_REQUIRE_EXTERNAL` set (CI) a missing
/// image fails the test.
pub fn image(name: &str) -> Option<PathBuf> {
    let root =
        std::env::var_os("RAMPART_REFERENCE_IMAGES").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp/images"));
    let dir = root.join("oci").join(name);
    if dir.join("index.json").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(),
        "RAMPART_REQUIRE_EXTERNAL is set but the reference image {} is missing (run ../shared/tools/build-images.sh)",
        dir.display()
    );
    eprintln!("skipped: {} is missing (build it with ../shared/tools/build-images.sh)", dir.display());
    None
}

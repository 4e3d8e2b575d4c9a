//! Helpers shared by the CLI tests.

use std::path::Path;

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

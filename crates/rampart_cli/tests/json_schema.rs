//! The JSON output validates against `docs/schema/findings-v1.schema.json` (with Python's
//! `jsonschema`, a reference validator), for findings of every rule.
//!
//! `.ci/run` installs `jsonschema` and sets `RAMPART_REQUIRE_EXTERNAL=1`, which turns a
//! missing validator into a failure instead of a skip.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn json_output_matches_the_published_schema() {
    let has_validator =
        Command::new("python3").args(["-c", "import jsonschema"]).status().map(|s| s.success()).unwrap_or(false);
    if !has_validator {
        assert!(
            std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(),
            "RAMPART_REQUIRE_EXTERNAL is set but python3 -m jsonschema is not available"
        );
        eprintln!("skipping: `pip install jsonschema` to run this test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    common::materialise_fixtures(dir.path());
    let out = dir.path().join("out.json");
    let status = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .current_dir(dir.path())
        .args(["check", ".", "--format", "json", "--output"])
        .arg(&out)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema/findings-v1.schema.json");
    let script = "import json, sys, jsonschema\n\
schema = json.load(open(sys.argv[1]))\n\
doc = json.load(open(sys.argv[2]))\n\
jsonschema.Draft202012Validator.check_schema(schema)\n\
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))\n\
for e in errors[:20]:\n    print(list(e.absolute_path), e.message)\n\
assert len(doc['findings']) > 20, len(doc['findings'])\n\
sys.exit(1 if errors else 0)\n";
    let result = Command::new("python3").arg("-c").arg(script).arg(&schema).arg(&out).output().unwrap();
    assert!(
        result.status.success(),
        "schema validation failed:\n{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

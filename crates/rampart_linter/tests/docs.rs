//! `docs/rules/` is generated from the rules' doc comments. This test fails when it is
//! stale; `RAMPART_BLESS=1 cargo test -p rampart_linter --test docs` regenerates it.

use std::path::PathBuf;

use rampart_linter::{docs, registry};

#[test]
fn rule_reference_is_up_to_date() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let bless = std::env::var_os("RAMPART_BLESS").is_some();
    let mut expected: Vec<(PathBuf, String)> = registry::all()
        .iter()
        .map(|r| (dir.join(format!("{}.md", r.info().code)), docs::rule_page(r.info())))
        .collect();
    expected.push((dir.join("README.md"), docs::index_page(registry::all())));
    let mut stale = Vec::new();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for (path, content) in &expected {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current != *content {
            if bless {
                std::fs::write(path, content).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    // Pages of rules that no longer exist.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if !expected.iter().any(|(p, _)| *p == path) {
                if bless {
                    std::fs::remove_file(&path).unwrap();
                } else {
                    stale.push(format!("{} (no such rule)", path.display()));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "the rule reference is stale; regenerate it with `RAMPART_BLESS=1 cargo test -p rampart_linter --test docs`:\n{}",
        stale.join("\n")
    );
}

//! Invariants every rule must keep: stable, well-formed codes and names, complete docs,
//! equivalents naming known tools.

use rampart_linter::registry;

const TOOLS: &[&str] = &[
    "hadolint",
    "trivy",
    "checkov",
    "kube-linter",
    "polaris",
    "kyverno",
    "cis-docker",
    "cis-k8s",
    "pss",
    "kubescape",
    "dockle",
];

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    for r in registry::all() {
        let i = r.info();
        assert!(codes.insert(i.code), "duplicate code {}", i.code);
        assert!(names.insert(i.name), "duplicate name {}", i.name);
        assert!(
            i.code.len() == 5
                && i.code[..2].chars().all(|c| c.is_ascii_uppercase())
                && i.code[2..].chars().all(|c| c.is_ascii_digit()),
            "bad code {}",
            i.code
        );
        assert!(
            i.name.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
            "name {} is not kebab-case",
            i.name
        );
        for e in i.equivalents {
            let (tool, id) = e.split_once(':').unwrap_or_else(|| panic!("{}: equivalent `{e}` is not tool:ID", i.code));
            assert!(TOOLS.contains(&tool) && !id.is_empty(), "{}: unknown tool in `{e}`", i.code);
        }
        assert!(!i.tags.is_empty(), "{}: no tags", i.code);
    }
}

#[test]
fn docs_have_every_section() {
    for r in registry::all() {
        let i = r.info();
        let docs = i.documentation();
        assert!(!i.summary().is_empty(), "{}: no summary line", i.code);
        assert!(i.summary().ends_with('.'), "{}: the summary line should be a sentence", i.code);
        let mut required = vec!["## What it does", "## Fix safety"];
        if (i.code.starts_with("DF") || i.code.starts_with("KS") || i.code.starts_with("IM"))
            && !i.code.ends_with("000")
        {
            required.extend(["## Why", "## Example", "## References"]);
        }
        for section in required {
            assert!(docs.contains(section), "{}: docs lack `{section}`", i.code);
        }
    }
}

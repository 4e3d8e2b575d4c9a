//! The Pod Security Standards conformance suite in `../shared/conformance/pss/` (921
//! Kubernetes objects from the kyverno/policies test resources, each with the verdict a PSS
//! policy must reach): rampart must agree on every one. Its README says how to score: for
//! each line, whether rampart reports the control named by `policy`; findings of other
//! controls on the same object do not count either way.
//!
//! The suite is not copied into the project; CI has `../shared` beside the checkout.
//! `RAMPART_REQUIRE_EXTERNAL=1` (set by `.ci/run`) turns a missing suite into a failure.

use std::collections::BTreeMap;

use rampart_diagnostics::SourceFile;
use rampart_linter::{FileKind, Linter, Settings};

#[path = "support/pss.rs"]
mod pss;
use pss::{control, field, suite};

#[test]
fn pod_security_standards_conformance_is_complete() {
    let Some(dir) = suite() else { return };
    let settings = Settings { select: vec!["KS".into()], ..Settings::default() };
    let linter = Linter::new(&settings);
    let expected = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap();
    let mut score: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut total = 0;
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let (file, policy, expect, level) =
            (field(line, "file"), field(line, "policy"), field(line, "expect"), field(line, "level"));
        let codes = control(policy, field(line, "name"));
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let source = SourceFile::new(file, text);
        let findings = linter.check(&source, FileKind::Kubernetes).findings;
        assert!(
            !findings.iter().any(|f| f.rule.code == "KS000"),
            "{file}: the object does not parse: {:?}",
            findings.iter().find(|f| f.rule.code == "KS000").map(|f| &f.message)
        );
        let reported = findings.iter().any(|f| codes.contains(&f.rule.code));
        let ok = reported == (expect == "fail");
        let entry = score.entry(format!("{level}/{policy}")).or_default();
        entry.1 += 1;
        total += 1;
        if ok {
            entry.0 += 1;
        } else {
            failures.push(format!(
                "{file}: expected {expect}, rampart {} ({})",
                if reported { "reports it" } else { "is silent" },
                codes.join(",")
            ));
        }
    }
    let passed: usize = score.values().map(|(p, _)| p).sum();
    let table: Vec<String> = score.iter().map(|(k, (p, t))| format!("{p:>4}/{t:<4} {k}")).collect();
    eprintln!("PSS conformance: {passed}/{total}\n{}", table.join("\n"));
    assert!(total > 900, "expected the whole suite, read {total} cases");
    assert!(failures.is_empty(), "{} of {total} cases disagree:\n{}", failures.len(), failures.join("\n"));
}

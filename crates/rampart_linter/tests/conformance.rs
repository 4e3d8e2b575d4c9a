//! The Pod Security Standards conformance suite in `../shared/conformance/pss/` (921
//! Kubernetes objects from the kyverno/policies test resources, each with the verdict a PSS
//! policy must reach): rampart must agree on every one. Its README says how to score: for
//! each line, whether rampart reports the control named by `policy`; findings of other
//! controls on the same object do not count either way.
//!
//! The suite is not copied into the project; CI has `../shared` beside the checkout.
//! `RAMPART_REQUIRE_EXTERNAL=1` (set by `.ci/run`) turns a missing suite into a failure.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rampart_diagnostics::SourceFile;
use rampart_linter::{FileKind, Linter, Settings};

/// PSS policy (as named in the suite) → the rampart rules that implement its control.
const CONTROLS: &[(&str, &[&str])] = &[
    ("disallow-privileged-containers", &["KS001"]),
    ("disallow-host-namespaces", &["KS002"]),
    ("disallow-host-path", &["KS003"]),
    ("disallow-host-ports", &["KS004"]),
    ("disallow-host-process", &["KS005"]),
    ("disallow-capabilities", &["KS006"]),
    ("disallow-proc-mount", &["KS007"]),
    ("disallow-selinux", &["KS008"]),
    ("restrict-apparmor-profiles", &["KS009"]),
    ("restrict-seccomp", &["KS010"]),
    ("restrict-sysctls", &["KS011"]),
    ("restrict-volume-types", &["KS012"]),
    ("disallow-privilege-escalation", &["KS013"]),
    ("require-run-as-nonroot", &["KS014"]),
    ("require-run-as-non-root-user", &["KS015"]),
    ("restrict-seccomp-strict", &["KS016"]),
    ("disallow-capabilities-strict", &["KS017", "KS018"]),
    ("require-drop-all", &["KS017"]),
    ("require-drop-cap-net-raw", &["KS035"]),
    ("disallow-latest-tag", &["KS023"]),
    ("require-ro-rootfs", &["KS020"]),
    ("require-pod-requests-limits", &["KS021"]),
    ("disallow-cri-sock-mount", &["KS026"]),
    ("disallow-default-namespace", &["KS030"]),
    ("disallow-helm-tiller", &["KS037"]),
    ("require-probes", &["KS031"]),
    ("restrict-service-external-ips", &["KS063"]),
];

/// The "add only NET_BIND_SERVICE" half of the restricted capabilities control.
const ADD_ONLY_NET_BIND_SERVICE: &[&str] = &["KS018"];

fn suite() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/pss");
    if dir.join("expected.jsonl").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(),
        "RAMPART_REQUIRE_EXTERNAL is set but the PSS conformance suite is not at {}",
        dir.display()
    );
    eprintln!("skipping: the PSS conformance suite is not at {}", dir.display());
    None
}

/// `"key": "value"` from one JSON line of expected.jsonl (flat, string values only).
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let pattern = format!("\"{key}\": \"");
    let start = line.find(&pattern).map(|i| i + pattern.len()).unwrap_or_else(|| panic!("no {key} in {line}"));
    let end = line[start..].find('"').map(|i| start + i).unwrap();
    &line[start..end]
}

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
        let codes = if policy == "disallow-capabilities-strict" && field(line, "name").starts_with("addcap-") {
            // The suite flattens Kyverno's two-rule policy into one verdict per file, but
            // Kyverno's own kyverno-test.yaml scores the `addcap-*` resources against its
            // `adding-capabilities-strict` rule only: `addcap-goodpod01` is `badpod01` renamed,
            // with the opposite verdict, because it drops nothing yet adds nothing forbidden.
            // So those cases test the "add only NET_BIND_SERVICE" half of the control.
            ADD_ONLY_NET_BIND_SERVICE
        } else {
            CONTROLS
                .iter()
                .find(|(p, _)| *p == policy)
                .map(|(_, c)| *c)
                .unwrap_or_else(|| panic!("no rampart rule is mapped to the PSS policy `{policy}`"))
        };
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

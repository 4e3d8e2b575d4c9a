//! `rampart fix --unsafe-fixes` on every `expect: fail` case of the Pod Security Standards
//! conformance suite (`../shared/conformance/pss/`), then a check again: the only findings
//! left for the case's control are those whose fix needs a human by nature (a host path to
//! replace with another volume, a host port to route through a Service, …), and every fixed
//! object still deserialises as its typed Kubernetes object (k8s-openapi) — the fixes write
//! valid Kubernetes, not just valid YAML.

use std::path::PathBuf;

use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
use rampart_diagnostics::{Applicability, SourceFile};
use rampart_linter::fix::{FixMode, fix_text};
use rampart_linter::{FileKind, Linter, Settings};
use rampart_yaml::{Node, ScalarStyle, Value};

/// Controls whose fix is a human decision: they may stay reported after `fix --unsafe-fixes`.
const HUMAN_DECISION: &[(&str, &str)] = &[
    ("KS003", "a hostPath volume must be replaced by another kind of storage, which only its owner can choose"),
    ("KS012", "a volume of a restricted type must be replaced by another kind of storage"),
    ("KS026", "a container-runtime socket mount is what the workload is for, or must be redesigned"),
];

fn suite() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/pss");
    if dir.join("expected.jsonl").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(),
        "the PSS conformance suite is not at {}",
        dir.display()
    );
    None
}

fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let pattern = format!("\"{key}\": \"");
    let start = line.find(&pattern).map(|i| i + pattern.len()).unwrap();
    let end = line[start..].find('"').map(|i| start + i).unwrap();
    &line[start..end]
}

/// A YAML node as JSON, typed the way Kubernetes reads YAML.
fn to_json(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Scalar(s, ScalarStyle::Plain) => {
            if node.is_null() {
                serde_json::Value::Null
            } else if let Some(b) = node.as_bool() {
                serde_json::Value::Bool(b)
            } else if let Some(i) = node.as_i64() {
                serde_json::Value::from(i)
            } else if let Ok(f) = s.parse::<f64>() {
                serde_json::Value::from(f)
            } else {
                serde_json::Value::String(s.clone())
            }
        }
        Value::Scalar(s, _) => serde_json::Value::String(s.clone()),
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => serde_json::Value::Object(
            entries.iter().map(|e| (e.key.as_str().unwrap_or("").to_string(), to_json(&e.value))).collect(),
        ),
    }
}

fn deserialise(kind: &str, v: serde_json::Value) -> Result<(), String> {
    let r = match kind {
        "Pod" => serde_json::from_value::<core::Pod>(v).map(|_| ()),
        "Deployment" => serde_json::from_value::<apps::Deployment>(v).map(|_| ()),
        "StatefulSet" => serde_json::from_value::<apps::StatefulSet>(v).map(|_| ()),
        "DaemonSet" => serde_json::from_value::<apps::DaemonSet>(v).map(|_| ()),
        "ReplicaSet" => serde_json::from_value::<apps::ReplicaSet>(v).map(|_| ()),
        "Job" => serde_json::from_value::<batch::Job>(v).map(|_| ()),
        "CronJob" => serde_json::from_value::<batch::CronJob>(v).map(|_| ()),
        "ReplicationController" => serde_json::from_value::<core::ReplicationController>(v).map(|_| ()),
        "Service" => serde_json::from_value::<core::Service>(v).map(|_| ()),
        "Namespace" => serde_json::from_value::<core::Namespace>(v).map(|_| ()),
        _ => Ok(()),
    };
    r.map_err(|e| e.to_string())
}

#[test]
fn fixing_the_failing_conformance_cases_leaves_only_human_decisions() {
    let Some(dir) = suite() else { return };
    let linter = Linter::new(&Settings { select: vec!["KS".into()], ..Settings::default() });
    let expected = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap();
    let mut problems = Vec::new();
    let mut fixed_cases = 0;
    let mut cases = 0;
    for line in expected.lines().filter(|l| field(l, "expect") == "fail") {
        cases += 1;
        let file = field(line, "file");
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let outcome = fix_text(&linter, file, &text, FileKind::Kubernetes, FixMode::Unsafe);
        if outcome.changed(&text) {
            fixed_cases += 1;
        }
        if !outcome.converged || !outcome.rejected.is_empty() {
            problems.push(format!("{file}: converged {}, rejected {:?}", outcome.converged, outcome.rejected));
        }
        let report = linter.check(&SourceFile::new(file, outcome.text.clone()), FileKind::Kubernetes);
        for f in &report.findings {
            let has_fix = f.fix.as_ref().is_some_and(|x| x.applicability != Applicability::DisplayOnly);
            if has_fix {
                problems
                    .push(format!("{file}: {} still has an applicable fix after fixing: {}", f.rule.code, f.message));
            }
        }
        for doc in rampart_yaml::parse_stream(&outcome.text) {
            let doc = match doc {
                Ok(d) => d,
                Err(e) => {
                    problems.push(format!("{file}: the fixed file does not parse: {e}"));
                    continue;
                }
            };
            let kind = doc.root.get_str("kind").unwrap_or("").to_string();
            if let Err(e) = deserialise(&kind, to_json(&doc.root)) {
                problems
                    .push(format!("{file}: the fixed {kind} is not a valid Kubernetes object: {e}\n{}", outcome.text));
            }
        }
        // What the case's control still reports must be a human decision.
        let policy = field(line, "policy");
        for f in &report.findings {
            let human = HUMAN_DECISION.iter().any(|(c, _)| *c == f.rule.code);
            let fixable_rule = !matches!(f.rule.fix, rampart_diagnostics::FixAvailability::None);
            if !human && fixable_rule && f.fix.is_none() {
                problems.push(format!("{file} ({policy}): {} remains without a fix: {}", f.rule.code, f.message));
            }
        }
    }
    eprintln!("fixed {fixed_cases} of {cases} failing cases");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

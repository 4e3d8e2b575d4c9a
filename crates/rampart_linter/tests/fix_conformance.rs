//! `rampart fix --unsafe-fixes` on every `expect: fail` case of the Pod Security Standards
//! conformance suite (`../shared/conformance/pss/`), then a check again: the case's own control
//! (the policy mapped to rule codes as `tests/conformance.rs` does) must no longer be reported,
//! unless its fix needs a human by nature (a host path to replace with another volume, an image
//! tag to choose, …: [`HUMAN_DECISION`]). Every fix must apply, settle and leave nothing
//! applicable behind, and every fixed object must still deserialise as its typed Kubernetes
//! object (k8s-openapi) — the fixes write valid Kubernetes, not just valid YAML.

use std::collections::BTreeMap;

use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
use rampart_diagnostics::{Applicability, SourceFile};
use rampart_linter::fix::{FixMode, fix_text};
use rampart_linter::{FileKind, Linter, Settings};
use rampart_yaml::{Node, ScalarStyle, Value};

#[path = "support/pss.rs"]
mod pss;
use pss::{control, field, suite};

/// Controls whose fix is a human decision: they may stay reported after `fix --unsafe-fixes`.
const HUMAN_DECISION: &[(&str, &str)] = &[
    ("KS003", "a hostPath volume must be replaced by another kind of storage, which only its owner can choose"),
    ("KS012", "a volume of a restricted type must be replaced by another kind of storage"),
    (
        "KS021",
        "requests and limits are the workload's own numbers; without `[fix]` defaults in rampart.toml the fix only shows where they go",
    ),
    ("KS023", "pinning an image needs the tag or digest its owner has tested; rampart cannot pick one"),
    ("KS026", "a container-runtime socket mount is what the workload is for, or must be redesigned"),
    (
        "KS031",
        "a probe needs the endpoint or command that tells the application is healthy, which only its owner knows",
    ),
    ("KS030", "moving a workload to another namespace moves what it depends on; its owner names the namespace"),
    ("KS037", "Helm v2's tiller is removed by migrating the releases to Helm 3, not by editing the manifest"),
    (
        "KS063",
        "a Service's external IPs are how clients reach it; replacing them (a LoadBalancer, an Ingress) is a design choice",
    ),
];

/// The security-context rules: each has a fix that applies to Kubernetes (none is display-only
/// there), so after fixing none of them may be reported in any case, whatever its control.
const SECURITY_CONTEXT: &[&str] = &[
    "KS001", "KS006", "KS007", "KS008", "KS009", "KS010", "KS013", "KS014", "KS015", "KS016", "KS017", "KS018",
    "KS020", "KS034", "KS035",
];

fn may_remain(code: &str) -> bool {
    HUMAN_DECISION.iter().any(|(c, _)| *c == code)
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
    let mut changed = 0;
    let mut resolved = 0;
    let mut cases = 0;
    let mut most_passes = 0;
    // Control code → cases where it is still reported after fixing.
    let mut remaining: BTreeMap<&str, usize> = BTreeMap::new();
    for line in expected.lines().filter(|l| field(l, "expect") == "fail") {
        cases += 1;
        let file = field(line, "file");
        let policy = field(line, "policy");
        let codes = control(policy, field(line, "name"));
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let outcome = fix_text(&linter, file, &text, FileKind::Kubernetes, FixMode::Unsafe);
        most_passes = most_passes.max(outcome.passes);
        if outcome.changed(&text) {
            changed += 1;
        }
        if !outcome.converged || !outcome.rejected.is_empty() {
            problems.push(format!("{file}: converged {}, rejected {:?}", outcome.converged, outcome.rejected));
        }
        let report = linter.check(&SourceFile::new(file, outcome.text.clone()), FileKind::Kubernetes);
        for f in &report.findings {
            if SECURITY_CONTEXT.contains(&f.rule.code) {
                problems.push(format!("{file}: {} is still reported after fixing: {}", f.rule.code, f.message));
            }
            let has_fix = f.fix.as_ref().is_some_and(|x| x.applicability != Applicability::DisplayOnly);
            if has_fix {
                problems
                    .push(format!("{file}: {} still has an applicable fix after fixing: {}", f.rule.code, f.message));
            }
            // A rule that has fixes leaves a finding without one only when a human must decide.
            let fixable_rule = !matches!(f.rule.fix, rampart_diagnostics::FixAvailability::None);
            if fixable_rule && f.fix.is_none() && !may_remain(f.rule.code) {
                problems.push(format!("{file} ({policy}): {} remains without a fix: {}", f.rule.code, f.message));
            }
        }
        // The case's own control is gone, unless a human must decide it.
        let left: Vec<_> = report.findings.iter().filter(|f| codes.contains(&f.rule.code)).collect();
        if left.is_empty() {
            resolved += 1;
        }
        for f in left {
            *remaining.entry(f.rule.code).or_default() += 1;
            if !may_remain(f.rule.code) {
                problems.push(format!(
                    "{file} ({policy}): its control is still reported after fixing: {} {}\n{}",
                    f.rule.code, f.message, outcome.text
                ));
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
    }
    let left: Vec<String> = remaining
        .iter()
        .map(|(code, n)| {
            let why = HUMAN_DECISION.iter().find(|(c, _)| c == code).map(|(_, why)| *why).unwrap_or("NOT ALLOWED");
            format!("  {code}: {n} ({why})")
        })
        .collect();
    eprintln!(
        "fix: {changed} of {cases} failing cases changed, {resolved} no longer report their control (at most {most_passes} passes); still reported:\n{}",
        left.join("\n")
    );
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

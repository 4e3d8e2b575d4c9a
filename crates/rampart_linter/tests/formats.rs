//! One rule, three formats: a posture rule written once against the posture model reports
//! the same problem in a Kubernetes Deployment, a Compose service and an OCI runtime
//! `config.json`, each finding at the exact line of its file — or, for a setting the file
//! lacks, at the object that lacks it.
//!
//! Each row of [`CASES`] is one rule and, per format, the file and where its findings must
//! point (the line, and the text under the span), or why the format cannot express the
//! problem. Every rule of the table must also report nothing on the hardened examples and
//! something on the insecure ones (under `examples/`). Add a row per posture rule.

use std::path::Path;

use rampart_linter::recognize::{self, FileKind};
use rampart_linter::{Finding, Linter, Settings};

/// What a rule reports in one format.
enum Expect {
    /// The file, and for each finding in order: its line (trimmed) and the text under its span.
    Finds(&'static str, &'static [(&'static str, &'static str)]),
    /// The format cannot express the problem: why, and a file with everything else wrong
    /// that must give no finding.
    NotApplicable(&'static str, &'static str),
}

struct Case {
    rule: &'static str,
    kubernetes: Expect,
    compose: Expect,
    oci: Expect,
}

const CASES: &[Case] = &[
    Case {
        rule: "KS001",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.4.2
          securityContext:
            privileged: true
",
            &[("privileged: true", "true")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    privileged: true
",
            &[("privileged: true", "true")],
        ),
        oci: Expect::NotApplicable(
            "an OCI config has no privileged flag: what privileged means (every capability, no \
             seccomp, every device, unmasked /proc, writable /sys) is written field by field, and \
             the rules about each field report it",
            OCI_WIDE_OPEN,
        ),
    },
    Case {
        rule: "KS002",
        kubernetes: Expect::Finds(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      hostNetwork: true
      hostPID: true
      hostIPC: true
      containers:
        - name: app
          image: registry.example.com/app:1.4.2
",
            &[("hostNetwork: true", "true"), ("hostPID: true", "true"), ("hostIPC: true", "true")],
        ),
        compose: Expect::Finds(
            "services:
  app:
    image: registry.example.com/app:1.4.2
    network_mode: host
    pid: host
    ipc: \"host\"
",
            &[("network_mode: host", "host"), ("pid: host", "host"), ("ipc: \"host\"", "\"host\"")],
        ),
        // No `network`, `pid` or `ipc` namespace: the process shares the host's; the
        // namespace list lacks them.
        oci: Expect::Finds(
            r#"{
  "ociVersion": "1.0.2",
  "process": {"user": {"uid": 1000, "gid": 1000}, "args": ["/app"]},
  "root": {"path": "rootfs", "readonly": true},
  "linux": {
    "namespaces": [
      {"type": "mount"},
      {"type": "uts"}
    ]
  }
}"#,
            &[
                (r#""namespaces": ["#, r#""namespaces""#),
                (r#""namespaces": ["#, r#""namespaces""#),
                (r#""namespaces": ["#, r#""namespaces""#),
            ],
        ),
    },
];

/// Everything OCI can get wrong, for the rules whose problem OCI cannot express.
const OCI_WIDE_OPEN: &str = r#"{
  "ociVersion": "1.0.2",
  "process": {
    "user": {"uid": 0, "gid": 0},
    "args": ["sh"],
    "capabilities": {"bounding": ["CAP_SYS_ADMIN", "CAP_NET_RAW"], "effective": ["CAP_SYS_ADMIN"]},
    "noNewPrivileges": false
  },
  "root": {"path": "rootfs"},
  "mounts": [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind"]}],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "mount"}],
    "resources": {"devices": [{"allow": true, "access": "rwm"}]},
    "maskedPaths": []
  }
}"#;

const FORMATS: [(&str, &str, FileKind); 3] = [
    ("Kubernetes", "deployment.yaml", FileKind::Kubernetes),
    ("Compose", "compose.yaml", FileKind::Compose),
    ("OCI", "config.json", FileKind::OciRuntime),
];

const EXAMPLES: [(&str, &str); 3] = [
    ("kubernetes/insecure-deployment.yaml", "kubernetes/hardened-deployment.yaml"),
    ("compose/insecure/compose.yaml", "compose/hardened/compose.yaml"),
    ("oci/insecure/config.json", "oci/hardened/config.json"),
];

/// Runs one rule on a file named `name`, recognised as `kind` by name or content.
fn run(rule: &str, name: &str, text: &str, kind: FileKind) -> Vec<Finding> {
    assert_eq!(recognize::recognize(Some(Path::new(name)), text), Some(kind), "{name} is recognised");
    let settings = Settings { select: vec![rule.to_string()], ..Settings::default() };
    let file = rampart_diagnostics::SourceFile::new(name, text.to_string());
    Linter::new(&settings).check(&file, kind).findings
}

fn line_of(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    text[start..end].trim()
}

fn example(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn one_rule_three_formats() {
    let mut failures = Vec::new();
    for case in CASES {
        for ((format, name, kind), expect) in FORMATS.iter().zip([&case.kubernetes, &case.compose, &case.oci]) {
            let (text, wanted): (&str, &[(&str, &str)]) = match expect {
                Expect::Finds(text, wanted) => (text, wanted),
                Expect::NotApplicable(why, text) => {
                    assert!(!why.is_empty(), "{} {format}: say why", case.rule);
                    (text, &[])
                }
            };
            let findings = run(case.rule, name, text, *kind);
            let got: Vec<(&str, &str)> = findings
                .iter()
                .filter(|f| f.rule.code == case.rule)
                .map(|f| (line_of(text, f.span.start), &text[f.span.start..f.span.end]))
                .collect();
            if got != wanted {
                failures.push(format!("{} in {format}: expected {wanted:?}, got {got:?}", case.rule));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_same_message_names_the_workload_in_its_own_words() {
    let Expect::Finds(deployment, _) = CASES[0].kubernetes else { unreachable!() };
    let Expect::Finds(compose, _) = CASES[0].compose else { unreachable!() };
    let k = run("KS001", "deployment.yaml", deployment, FileKind::Kubernetes);
    let c = run("KS001", "compose.yaml", compose, FileKind::Compose);
    assert_eq!(k[0].message, "container `app` of Deployment `web` runs privileged");
    assert_eq!(c[0].message, "service `app` runs privileged");
    let Expect::Finds(config, _) = CASES[1].oci else { unreachable!() };
    let o = run("KS002", "config.json", config, FileKind::OciRuntime);
    assert_eq!(o[0].message, "the OCI bundle shares the host's network namespace");
}

#[test]
fn hardened_examples_are_clean_and_insecure_ones_are_not() {
    let mut failures = Vec::new();
    for case in CASES {
        for (((format, _, kind), (insecure, hardened)), expect) in
            FORMATS.iter().zip(EXAMPLES).zip([&case.kubernetes, &case.compose, &case.oci])
        {
            let clean = run(case.rule, hardened, &example(hardened), *kind);
            if !clean.is_empty() {
                failures.push(format!("{} reports the hardened {format} example: {:?}", case.rule, messages(&clean)));
            }
            let found = run(case.rule, insecure, &example(insecure), *kind);
            match expect {
                Expect::Finds(..) if found.is_empty() => {
                    failures.push(format!("{} reports nothing on the insecure {format} example", case.rule))
                }
                Expect::NotApplicable(..) if !found.is_empty() => failures.push(format!(
                    "{} is not applicable to {format} but reports {:?}",
                    case.rule,
                    messages(&found)
                )),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn messages(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| format!("{}: {}", f.rule.code, f.message)).collect()
}

#[test]
fn compose_files_keep_yaml_suppressions() {
    let text =
        "services:\n  app:\n    image: x\n    # rampart:ignore KS001 a device plugin needs it\n    privileged: true\n";
    assert!(run("KS001", "compose.yaml", text, FileKind::Compose).is_empty());
}

#[test]
fn per_format_picks_the_workload_s_words() {
    use rampart_linter::manifest::per_format;
    let doc = |t: &str| rampart_yaml::parse_stream(t).remove(0).unwrap();
    let compose = rampart_posture::compose::workloads(&doc("services:\n  a: {image: x}\n").root);
    let oci = rampart_posture::oci::workload(&doc("{\"ociVersion\": \"1.0.0\"}").root).unwrap();
    assert_eq!(per_format(&compose[0], "hostNetwork", "network_mode", "linux.namespaces"), "network_mode");
    assert_eq!(per_format(&oci, "hostNetwork", "network_mode", "linux.namespaces"), "linux.namespaces");
}

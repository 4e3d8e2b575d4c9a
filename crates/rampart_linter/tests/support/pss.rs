//! The PSS conformance suite in `../shared/conformance/pss` (kyverno/policies test cases):
//! where it is, how its policies map to rampart rules, and how its expected.jsonl reads.

#![allow(dead_code)]

use std::path::PathBuf;

/// PSS policy (as named in the suite) → the rampart rules that implement its control.
pub const CONTROLS: &[(&str, &[&str])] = &[
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

/// The rule codes of a case's control. The suite flattens Kyverno's two-rule
/// `disallow-capabilities-strict` policy into one verdict per file, but Kyverno's own
/// kyverno-test.yaml scores the `addcap-*` resources against its `adding-capabilities-strict`
/// rule only (`addcap-goodpod01` is `badpod01` renamed, with the opposite verdict, because it
/// drops nothing yet adds nothing forbidden): those cases test the "add only
/// NET_BIND_SERVICE" half of the control, KS018.
pub fn control(policy: &str, name: &str) -> &'static [&'static str] {
    if policy == "disallow-capabilities-strict" && name.starts_with("addcap-") {
        return &["KS018"];
    }
    CONTROLS
        .iter()
        .find(|(p, _)| *p == policy)
        .map(|(_, c)| *c)
        .unwrap_or_else(|| panic!("no rampart rule is mapped to the PSS policy `{policy}`"))
}

/// The suite's directory, or `None` (with a note) when it is not there and
/// `RAMPART_REQUIRE_EXTERNAL` is not set.
pub fn suite() -> Option<PathBuf> {
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
pub fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let pattern = format!("\"{key}\": \"");
    let start = line.find(&pattern).map(|i| i + pattern.len()).unwrap_or_else(|| panic!("no {key} in {line}"));
    let end = line[start..].find('"').map(|i| start + i).unwrap();
    &line[start..end]
}

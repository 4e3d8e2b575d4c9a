//! The Pod Security Standards, restricted level: the current pod hardening best practices,
//! on top of the baseline. Each rule is one control (or, for capabilities, one half of one)
//! of <https://kubernetes.io/docs/concepts/security/pod-security-standards/>.
//!
//! The restricted controls *require* settings, so most findings are about something
//! missing: they point at the container's name, or at the pod when one pod-level setting
//! would satisfy every container. Privilege escalation, seccomp and capabilities are
//! Linux-only controls: a pod that declares `spec.os.name: windows` is exempt from them, as
//! the standard says.

pub mod ks012_volume_types_restricted;
pub mod ks013_privilege_escalation_allowed;
pub mod ks014_run_as_non_root_not_set;
pub mod ks015_run_as_root_user;
pub mod ks016_seccomp_profile_not_set;
pub mod ks017_capabilities_drop_all_missing;
pub mod ks018_capabilities_add_beyond_net_bind_service;

use std::ops::Range;

use rampart_posture::{Format, Setting, Workload};

use crate::manifest::ManifestContext;
use crate::rules::manifest_rules;

manifest_rules!(
    ks012_volume_types_restricted::VolumeTypesRestricted,
    ks013_privilege_escalation_allowed::PrivilegeEscalationAllowed,
    ks014_run_as_non_root_not_set::RunAsNonRootNotSet,
    ks015_run_as_root_user::RunAsRootUser,
    ks016_seccomp_profile_not_set::SeccompProfileNotSet,
    ks017_capabilities_drop_all_missing::CapabilitiesDropAllMissing,
    ks018_capabilities_add_beyond_net_bind_service::CapabilitiesAddBeyondNetBindService,
);

/// Where to point when a pod-level setting is missing: the key of the pod's
/// `securityContext` when it has one, else the key of the pod spec (`spec:`), else the
/// workload's name.
fn pod_anchor(cx: &ManifestContext<'_>, w: &Workload) -> Range<usize> {
    let text = cx.file.text();
    w.pod
        .span
        .as_ref()
        .and_then(|s| key_before(text, s))
        .or_else(|| w.pod_spec.as_ref().and_then(|s| key_before(text, s)))
        .unwrap_or_else(|| w.anchor.clone())
}

/// The key written before a mapping value (`securityContext` in `securityContext:\n  a: 1`
/// or `securityContext: {a: 1}`), found by reading back from the value over whitespace to
/// the `:`. `None` when something else is in between (a comment, an anchor, a tag).
fn key_before(text: &str, value: &Range<usize>) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut i = value.start.min(bytes.len());
    while i > 0 && bytes[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    if i == 0 || bytes[i - 1] != b':' {
        return None;
    }
    i -= 1;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    let end = i;
    // Stops only after an ASCII byte, so both ends are on char boundaries.
    while i > 0 && !matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'{' | b',' | b'[') {
        i -= 1;
    }
    (i < end).then_some(i..end)
}

/// A scalar as written at `span`, without its quotes; `None` when it holds escapes (or the
/// span is not on the text). Pod Security Admission compares capability names exactly as
/// written, where the posture model keeps them normalised.
fn written<'t>(text: &'t str, span: &Range<usize>) -> Option<&'t str> {
    let raw = text.get(span.clone())?;
    let unquoted = ['"', '\''].iter().find_map(|q| raw.strip_prefix(*q)?.strip_suffix(*q)).unwrap_or(raw);
    (!unquoted.contains(['\\', '"', '\''])).then_some(unquoted)
}

/// Whether a capability is written exactly as `canonical`. Kubernetes: as Pod Security
/// Admission compares it, character for character (`all` and `CAP_ALL` are not `ALL`);
/// Compose and OCI runtimes read names case-insensitively with or without `CAP_`.
fn spelt_exactly(cx: &ManifestContext<'_>, w: &Workload, cap: &Setting<String>, canonical: &str) -> bool {
    if w.format != Format::Kubernetes {
        return cap.value == canonical;
    }
    cap.span().and_then(|s| written(cx.file.text(), &s)).is_some_and(|raw| raw == canonical)
}

/// `a`, `a and b`, `a, b and c`, each in backticks.
fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_before_finds_block_and_flow_keys() {
        let text = "spec:\n  securityContext:\n    runAsUser: 1\n";
        let value = text.find("runAsUser").unwrap()..text.len();
        assert_eq!(&text[key_before(text, &value).unwrap()], "securityContext");
        let text = "spec: {securityContext: {runAsUser: 1}}";
        let value = text.find("{runAsUser").unwrap()..text.len();
        assert_eq!(&text[key_before(text, &value).unwrap()], "securityContext");
        let text = "{\"spec\": {\"containers\": []}}";
        let value = text.find("{\"containers").unwrap()..text.len();
        assert_eq!(&text[key_before(text, &value).unwrap()], "\"spec\"");
    }

    #[test]
    fn key_before_gives_up_on_anything_else() {
        for (text, at) in [("spec: # pod\n  a: 1", "a:"), ("spec: &x\n  a: 1", "a:"), ("a: 1", "a:"), ("é: 1", "1")] {
            let value = text.find(at).unwrap()..text.len();
            let found = key_before(text, &value);
            if let Some(r) = found {
                assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                assert_eq!(&text[r], "é");
            }
        }
        assert_eq!(key_before("", &(5..9)), None);
    }

    #[test]
    fn written_strips_quotes_and_refuses_escapes() {
        let text = r#"[ALL, "all", 'CAP_X', "A\u0041", 'it''s', é]"#;
        let at = |s: &str| text.find(s).map(|i| i..i + s.len()).unwrap();
        assert_eq!(written(text, &at("ALL")), Some("ALL"));
        assert_eq!(written(text, &at("\"all\"")), Some("all"));
        assert_eq!(written(text, &at("'CAP_X'")), Some("CAP_X"));
        assert_eq!(written(text, &at("\"A\\u0041\"")), None);
        assert_eq!(written(text, &at("'it''s'")), None);
        let e = text.find('é').unwrap();
        assert_eq!(written(text, &(e + 1..e + 2)), None);
        assert_eq!(written(text, &(5..500)), None);
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(list(&["A"]), "`A`");
        assert_eq!(list(&["A", "B"]), "`A` and `B`");
        assert_eq!(list(&["A", "B", "C"]), "`A`, `B` and `C`");
    }
}

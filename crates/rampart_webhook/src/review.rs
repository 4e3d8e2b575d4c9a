//! One admission review, decided: the object is checked with the CLI's linter (the same rules,
//! levels and exceptions as `rampart check` under the same `rampart.toml`); findings at level
//! error deny the request, warnings travel back to the client as admission warnings
//! ([`review`]). As a mutating webhook ([`mutate`]) rampart applies its fixes — by default
//! the *safe* ones, that cannot break a working workload, as `rampart fix` without
//! `--unsafe-fixes` — and returns them as a JSON Patch. No I/O.

use std::sync::Arc;

use base64::Engine as _;
use kube_core::DynamicObject;
use kube_core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation};
use rampart_diagnostics::{Finding, Severity, SourceFile};
use rampart_linter::Linter;
use rampart_linter::fix::FixMode;

use crate::signatures::Gate;
use rampart_linter::recognize::FileKind;
use serde::Serialize;

/// Findings named in a denial message; the rest are counted.
const MAX_REASONS: usize = 10;
/// Warnings returned to the client (the API server truncates long lists anyway).
const MAX_WARNINGS: usize = 20;
/// A warning longer than this is cut (Kubernetes truncates at 256 characters).
const MAX_WARNING_CHARS: usize = 250;

/// What the webhook did with one request, for the audit log.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct AuditRecord {
    pub uid: String,
    pub operation: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub user: Option<String>,
    pub dry_run: bool,
    pub allowed: bool,
    /// Rule codes of the findings that denied it.
    pub denied_by: Vec<String>,
    /// Rule codes of the warnings returned.
    pub warned_by: Vec<String>,
    /// Rule codes of the fixes applied (mutation).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixed_by: Vec<String>,
    /// Images refused by the signature gate, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsigned: Vec<String>,
    /// Why the request could not be read, if it could not.
    pub invalid: Option<String>,
}

/// The response to send and the record to log.
#[derive(Debug)]
pub struct Decision {
    pub review: AdmissionReview<DynamicObject>,
    pub audit: AuditRecord,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        self.audit.allowed
    }

    /// The response body. The patch goes out as base64, as Kubernetes' `[]byte` and its
    /// documentation have it (kube-core serialises the bytes as a list of numbers).
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut value = serde_json::to_value(&self.review)?;
        if let Some(patch) = value.pointer_mut("/response/patch")
            && let Some(numbers) = patch.as_array()
        {
            let bytes: Vec<u8> = numbers.iter().filter_map(|n| n.as_u64()).map(|n| n as u8).collect();
            *patch = base64::engine::general_purpose::STANDARD.encode(bytes).into();
        }
        serde_json::to_vec(&value)
    }
}

/// The request of an `AdmissionReview` body and the audit record it starts, or the invalid
/// decision.
fn parse(body: &[u8]) -> Result<(AdmissionRequest<DynamicObject>, AuditRecord), Box<Decision>> {
    let parsed: Result<AdmissionReview<DynamicObject>, String> =
        serde_json::from_slice(body).map_err(|e| format!("not an AdmissionReview: {e}"));
    let request: Result<AdmissionRequest<DynamicObject>, String> =
        parsed.and_then(|r| r.try_into().map_err(|_| "the AdmissionReview has no request".to_string()));
    let request = match request {
        Ok(r) => r,
        Err(reason) => {
            let audit = AuditRecord { invalid: Some(reason.clone()), ..AuditRecord::default() };
            return Err(Box::new(Decision { review: AdmissionResponse::invalid(reason).into_review(), audit }));
        }
    };
    let audit = AuditRecord {
        uid: request.uid.clone(),
        operation: format!("{:?}", request.operation).to_ascii_uppercase(),
        kind: request.kind.kind.clone(),
        namespace: request.namespace.clone(),
        name: Some(request.name.clone()).filter(|n| !n.is_empty()),
        user: request.user_info.username.clone(),
        dry_run: request.dry_run,
        allowed: true,
        ..AuditRecord::default()
    };
    Ok((request, audit))
}

/// A request with an object to judge: the object as JSON and the name findings point at.
struct Judged {
    request: AdmissionRequest<DynamicObject>,
    audit: AuditRecord,
    response: AdmissionResponse,
    name: String,
    value: serde_json::Value,
}

/// Reads a review; a body that is not one, and a request without an object to judge
/// (deletions, connections), are decided here.
fn judged(body: &[u8]) -> Result<Judged, Box<Decision>> {
    let (request, audit) = parse(body)?;
    let response = AdmissionResponse::from(&request);
    let object = match (&request.operation, &request.object) {
        (Operation::Create | Operation::Update, Some(object)) => object,
        _ => return Err(Box::new(Decision { review: response.into_review(), audit })),
    };
    let (name, value) = object_json(&request, object);
    Ok(Judged { request, audit, response, name, value })
}

/// Applies rampart's fixes to the object of one `AdmissionReview`, as a JSON Patch: the safe
/// ones, or with [`FixMode::Unsafe`] also those that can break a workload that needs what they
/// take away (the operator's choice, `rampart serve --unsafe-fixes`). Never denies:
/// validation is [`review`]'s (the API server runs mutating webhooks first).
pub fn mutate(linter: &Linter, body: &[u8], mode: FixMode) -> Decision {
    let Judged { mut audit, response, name, value, .. } = match judged(body) {
        Ok(j) => j,
        Err(done) => return *done,
    };
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    let outcome = rampart_linter::fix::fix_text(linter, &name, &text, FileKind::Kubernetes, mode);
    if !outcome.changed(&text) {
        return Decision { review: response.into_review(), audit };
    }
    // The fixes were checked to keep the object valid YAML/JSON of the same identity; a result
    // that does not read back as JSON is not sent.
    let Ok(fixed) = serde_json::from_str::<serde_json::Value>(&outcome.text) else {
        return Decision { review: response.into_review(), audit };
    };
    let patch = json_patch::diff(&value, &fixed);
    if patch.0.is_empty() {
        return Decision { review: response.into_review(), audit };
    }
    let mut codes: Vec<String> = outcome.applied.iter().map(|a| a.code.to_string()).collect();
    codes.sort();
    codes.dedup();
    audit.fixed_by = codes;
    match response.clone().with_patch(patch) {
        Ok(patched) => Decision { review: patched.into_review(), audit },
        Err(_) => Decision { review: response.into_review(), audit },
    }
}

/// Decides one `AdmissionReview` (the request body the API server sends): the linter's
/// errors deny, and so does an image the signature `gate` requires signed and finds not.
pub fn review(linter: &Linter, gate: Option<&Gate>, body: &[u8]) -> Decision {
    let Judged { request, mut audit, response, name, value } = match judged(body) {
        Ok(j) => j,
        Err(done) => return *done,
    };
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    let file: Arc<SourceFile> = SourceFile::new(name, text);
    let findings = linter.check(&file, FileKind::Kubernetes).findings;
    let (errors, warnings): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().filter(|f| f.severity >= Severity::Warning).partition(|f| f.severity == Severity::Error);
    audit.denied_by = codes(&errors);
    audit.warned_by = codes(&warnings);
    let mut response = response;
    if !warnings.is_empty() {
        response.warnings = Some(
            warnings
                .iter()
                .take(MAX_WARNINGS)
                .map(|f| {
                    let text = format!("rampart {}: {}", f.rule.code, f.message);
                    text.chars().take(MAX_WARNING_CHARS).collect()
                })
                .collect(),
        );
    }
    let unsigned = match gate {
        Some(gate) => gate.unsigned(&value),
        None => Vec::new(),
    };
    audit.unsigned = unsigned.clone();
    if errors.is_empty() && unsigned.is_empty() {
        return Decision { review: response.into_review(), audit };
    }
    audit.allowed = false;
    let mut reasons: Vec<String> = unsigned;
    reasons.extend(errors.iter().map(|f| format!("{} {} ({})", f.rule.code, f.message, f.rule.name)));
    let mut message = format!("rampart denied this {}: ", request.kind.kind);
    message.push_str(&reasons.iter().take(MAX_REASONS).cloned().collect::<Vec<_>>().join("; "));
    if reasons.len() > MAX_REASONS {
        message.push_str(&format!("; and {} more", reasons.len() - MAX_REASONS));
    }
    if !errors.is_empty() {
        message.push_str(". `rampart fix` rewrites the manifest; `rampart rule CODE` explains each rule.");
    }
    Decision { review: response.deny(message).into_review(), audit }
}

fn codes(findings: &[&Finding]) -> Vec<String> {
    let mut codes: Vec<String> = findings.iter().map(|f| f.rule.code.to_string()).collect();
    codes.dedup();
    codes
}

/// The object as the manifest `rampart check` would read (its kind filled in from the request
/// when absent), and the name findings point at.
fn object_json(request: &AdmissionRequest<DynamicObject>, object: &DynamicObject) -> (String, serde_json::Value) {
    let mut value = serde_json::to_value(object).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        let kind = &request.kind;
        let api_version =
            if kind.group.is_empty() { kind.version.clone() } else { format!("{}/{}", kind.group, kind.version) };
        map.entry("apiVersion").or_insert(api_version.into());
        map.entry("kind").or_insert(kind.kind.clone().into());
    }
    let name = format!(
        "admission:{}/{}/{}",
        request.kind.kind,
        request.namespace.as_deref().unwrap_or("-"),
        if request.name.is_empty() { "(generated)" } else { &request.name }
    );
    (name, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_linter::Settings;

    fn body(object: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": "u", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "name": "p", "namespace": "ns", "operation": "CREATE",
                "userInfo": {}, "object": object, "dryRun": true
            }
        }))
        .unwrap()
    }

    #[test]
    fn safe_mutation_leaves_what_only_a_human_may_decide() {
        let linter = Linter::new(&Settings::default());
        let privileged = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "busybox", "securityContext": {"privileged": true}}]}});
        let safe = mutate(&linter, &body(privileged.clone()), FixMode::Safe);
        assert!(safe.allowed() && safe.audit.fixed_by.is_empty(), "{:?}", safe.audit);
        assert!(safe.review.response.as_ref().unwrap().patch.is_none());
        let unsafe_ = mutate(&linter, &body(privileged), FixMode::Unsafe);
        let fixed = &unsafe_.audit.fixed_by;
        assert!(unsafe_.allowed() && fixed.contains(&"KS016".into()) && fixed.contains(&"KS017".into()), "{fixed:?}");
        // Whether the container needs to be privileged is a human decision even then.
        assert!(!fixed.contains(&"KS001".into()), "{fixed:?}");
        assert!(unsafe_.audit.dry_run);
        let json: serde_json::Value = serde_json::from_slice(&unsafe_.to_json().unwrap()).unwrap();
        assert!(json["response"]["patch"].is_string(), "base64, as Kubernetes reads it: {json}");
    }
}

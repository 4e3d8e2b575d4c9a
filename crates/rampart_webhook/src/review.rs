//! One admission review, decided: the object is checked with the CLI's linter (the same rules,
//! levels and exceptions as `rampart check` under the same `rampart.toml`); findings at level
//! error deny the request, warnings travel back to the client as admission warnings. No I/O.

use std::sync::Arc;

use kube_core::DynamicObject;
use kube_core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation};
use rampart_diagnostics::{Finding, Severity, SourceFile};
use rampart_linter::Linter;
use rampart_linter::recognize::FileKind;
use serde::Serialize;

/// Findings named in a denial message; the rest are counted.
const MAX_REASONS: usize = 10;
/// Warnings returned to the client (the API server truncates long lists anyway).
const MAX_WARNINGS: usize = 20;
/// A warning longer than this is cut (Kubernetes truncates at 256 characters).
const MAX_WARNING_CHARS: usize = 250;

/// What the webhook did with one request, for the audit log.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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
}

/// Decides one `AdmissionReview` (the request body the API server sends).
pub fn review(linter: &Linter, body: &[u8]) -> Decision {
    let parsed: Result<AdmissionReview<DynamicObject>, String> =
        serde_json::from_slice(body).map_err(|e| format!("not an AdmissionReview: {e}"));
    let request: Result<AdmissionRequest<DynamicObject>, String> =
        parsed.and_then(|r| r.try_into().map_err(|_| "the AdmissionReview has no request".to_string()));
    let request = match request {
        Ok(r) => r,
        Err(reason) => {
            let audit = AuditRecord {
                uid: String::new(),
                operation: String::new(),
                kind: String::new(),
                namespace: None,
                name: None,
                user: None,
                dry_run: false,
                allowed: false,
                denied_by: Vec::new(),
                warned_by: Vec::new(),
                invalid: Some(reason.clone()),
            };
            return Decision { review: AdmissionResponse::invalid(reason).into_review(), audit };
        }
    };
    let mut audit = AuditRecord {
        uid: request.uid.clone(),
        operation: format!("{:?}", request.operation).to_ascii_uppercase(),
        kind: request.kind.kind.clone(),
        namespace: request.namespace.clone(),
        name: Some(request.name.clone()).filter(|n| !n.is_empty()),
        user: request.user_info.username.clone(),
        dry_run: request.dry_run,
        allowed: true,
        denied_by: Vec::new(),
        warned_by: Vec::new(),
        invalid: None,
    };
    let response = AdmissionResponse::from(&request);
    // Deletions and connections carry no object to judge.
    let object = match (&request.operation, &request.object) {
        (Operation::Create | Operation::Update, Some(object)) => object,
        _ => return Decision { review: response.into_review(), audit },
    };
    let findings = check_object(linter, &request, object);
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
    if errors.is_empty() {
        return Decision { review: response.into_review(), audit };
    }
    audit.allowed = false;
    let mut message = format!("rampart denied this {}: ", request.kind.kind);
    let reasons: Vec<String> =
        errors.iter().take(MAX_REASONS).map(|f| format!("{} {} ({})", f.rule.code, f.message, f.rule.name)).collect();
    message.push_str(&reasons.join("; "));
    if errors.len() > MAX_REASONS {
        message.push_str(&format!("; and {} more", errors.len() - MAX_REASONS));
    }
    message.push_str(". `rampart fix` rewrites the manifest; `rampart rule CODE` explains each rule.");
    Decision { review: response.deny(message).into_review(), audit }
}

fn codes(findings: &[&Finding]) -> Vec<String> {
    let mut codes: Vec<String> = findings.iter().map(|f| f.rule.code.to_string()).collect();
    codes.dedup();
    codes
}

/// Checks the object as the manifest `rampart check` would read: its JSON, named after it.
fn check_object(linter: &Linter, request: &AdmissionRequest<DynamicObject>, object: &DynamicObject) -> Vec<Finding> {
    let mut value = match serde_json::to_value(object) {
        Ok(v) => v,
        Err(_) => return Vec::new(),
    };
    // The API server sends the object with its kind; fill it from the request if not.
    if let Some(map) = value.as_object_mut() {
        let kind = &request.kind;
        let api_version =
            if kind.group.is_empty() { kind.version.clone() } else { format!("{}/{}", kind.group, kind.version) };
        map.entry("apiVersion").or_insert(api_version.into());
        map.entry("kind").or_insert(kind.kind.clone().into());
    }
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    let name = format!(
        "admission:{}/{}/{}",
        request.kind.kind,
        request.namespace.as_deref().unwrap_or("-"),
        if request.name.is_empty() { "(generated)" } else { &request.name }
    );
    let file: Arc<SourceFile> = SourceFile::new(name, text);
    linter.check(&file, FileKind::Kubernetes).findings
}

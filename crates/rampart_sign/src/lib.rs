//! Image signatures that cosign and containers/image (podman, skopeo, CRI-O) read and write:
//! ECDSA P-256 keys in cosign's formats ([`key`]), the "simple signing" payload naming the
//! image's manifest digest, and signatures stored in the registry beside the image under the
//! tag `sha256-<digest>.sig` — an OCI manifest whose layers are payloads, each annotated with
//! its base64 DER signature (`dev.cosignproject.cosign/signature`).
//!
//! No I/O here: the registry side lives in `rampart_image::registry::Attachments`; this crate
//! builds what is pushed and judges what is pulled, and says exactly why a signature does not
//! verify. No transparency log is consulted (key-based, offline verification, as `cosign
//! verify --key … --insecure-ignore-tlog`). This is cosign's "legacy" layout, which cosign 2
//! writes and cosign 3 writes with `--new-bundle-format=false` and reads in every version;
//! cosign 3's default Sigstore bundles (OCI referrers) are not read yet ([`NO_SIGNATURE_HINT`]).
//!
//! ```
//! use rampart_sign::{key, payload, signature_manifest, verify, Outcome};
//! let signing = key::generate().unwrap();
//! let digest = "sha256:3f5a5a4e1c3b1e4b6c4e2f0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b";
//! let body = payload("registry.example/app", digest);
//! let signature = rampart_sign::sign(&signing, &body);
//! let (manifest, config) = signature_manifest(None, &body, &signature).unwrap();
//! let blobs = |wanted: &str| {
//!     if wanted == rampart_sign::sha256(&body) { Ok(body.clone()) } else { Ok(config.clone()) }
//! };
//! let report = verify(digest, Some(&manifest), &blobs, &[*signing.verifying_key()]);
//! assert!(matches!(report.signatures[0].outcome, Outcome::Verified));
//! ```

pub mod key;

/// The public key type signatures are checked with (ECDSA P-256).
pub use p256::ecdsa::VerifyingKey;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// The media type of a simple-signing payload layer.
pub const PAYLOAD_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The layer annotation holding the base64 DER signature of the payload.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// `critical.type` of a cosign payload.
pub const COSIGN_TYPE: &str = "cosign container image signature";
/// `critical.type` of containers/image's own simple signing (GPG era), accepted as well.
const ATOMIC_TYPE: &str = "atomic container signature";
/// What to add when an image has no `.sig` signatures: cosign 3 signs in the Sigstore bundle
/// format by default, attached as an OCI 1.1 referrer, which rampart does not read yet.
pub const NO_SIGNATURE_HINT: &str = "signatures made with cosign 3's default Sigstore bundle format (OCI referrers) are not read yet: sign with `rampart sign` or `cosign sign --new-bundle-format=false`";

/// A payload is a few hundred bytes; one larger than this is not read.
pub const MAX_PAYLOAD: u64 = 64 * 1024;
/// Signatures considered per image (cosign appends one layer per signing).
const MAX_SIGNATURES: usize = 256;

#[derive(Debug)]
pub enum SignError {
    Key(String),
    Manifest(String),
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Callers name the key file; the message says what is wrong with it.
            SignError::Key(m) => f.write_str(m),
            SignError::Manifest(m) => write!(f, "signature manifest: {m}"),
        }
    }
}

impl std::error::Error for SignError {}

/// `sha256:<hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    let hash = sha2::Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The tag a signature of `digest` is stored under: `sha256:abc…` → `sha256-abc….sig`.
pub fn signature_tag(digest: &str) -> String {
    format!("{}.sig", digest.replacen(':', "-", 1))
}

#[derive(Serialize, Deserialize)]
struct SimpleSigning {
    critical: Critical,
    optional: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Serialize, Deserialize)]
struct Critical {
    identity: Identity,
    image: Image,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Serialize, Deserialize)]
struct Identity {
    #[serde(rename = "docker-reference")]
    docker_reference: String,
}

#[derive(Serialize, Deserialize)]
struct Image {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: String,
}

/// The payload cosign signs for `repository` (`registry.example/team/app`, no tag) at
/// `digest`, byte for byte as cosign writes it.
pub fn payload(repository: &str, digest: &str) -> Vec<u8> {
    let document = SimpleSigning {
        critical: Critical {
            identity: Identity { docker_reference: repository.to_owned() },
            image: Image { docker_manifest_digest: digest.to_owned() },
            kind: COSIGN_TYPE.to_owned(),
        },
        optional: None,
    };
    serde_json::to_vec(&document).unwrap_or_default()
}

/// The base64 DER ECDSA-SHA256 signature of `payload`, as the annotation carries it.
pub fn sign(key: &SigningKey, payload: &[u8]) -> String {
    let signature: Signature = key.sign(payload);
    B64.encode(signature.to_der().as_bytes())
}

#[derive(Serialize, Deserialize, Clone)]
struct Descriptor {
    #[serde(rename = "mediaType")]
    media_type: String,
    size: u64,
    digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    annotations: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    #[serde(rename = "mediaType", default, skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    config: Descriptor,
    layers: Vec<Descriptor>,
}

/// The signature manifest and its configuration blob after adding (`payload`, `signature`) to
/// `existing` (the `.sig` manifest already in the registry, if any): cosign keeps every
/// signature of an image as one layer each. Returns `(manifest, config)`; the payload blob is
/// the caller's to push too.
pub fn signature_manifest(
    existing: Option<&[u8]>,
    payload: &[u8],
    signature: &str,
) -> Result<(Vec<u8>, Vec<u8>), SignError> {
    let mut layers = match existing {
        Some(bytes) => {
            let manifest: Manifest = serde_json::from_slice(bytes)
                .map_err(|e| SignError::Manifest(format!("the existing signatures cannot be read: {e}")))?;
            manifest.layers
        }
        None => Vec::new(),
    };
    let digest = sha256(payload);
    let already = layers.iter().any(|l| {
        l.digest == digest
            && l.annotations.as_ref().and_then(|a| a.get(SIGNATURE_ANNOTATION)) == Some(&signature.into())
    });
    if !already {
        let annotations = std::iter::once((SIGNATURE_ANNOTATION.to_owned(), signature.to_owned())).collect();
        layers.push(Descriptor {
            media_type: PAYLOAD_MEDIA_TYPE.into(),
            size: payload.len() as u64,
            digest,
            annotations: Some(annotations),
        });
    }
    let diff_ids: Vec<&str> = layers.iter().map(|l| l.digest.as_str()).collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "",
        "created": "0001-01-01T00:00:00Z",
        "history": [{"created": "0001-01-01T00:00:00Z"}],
        "os": "",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "config": {},
    }))
    .map_err(|e| SignError::Manifest(e.to_string()))?;
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some("application/vnd.oci.image.manifest.v1+json".into()),
        config: Descriptor {
            media_type: "application/vnd.oci.image.config.v1+json".into(),
            size: config.len() as u64,
            digest: sha256(&config),
            annotations: None,
        },
        layers,
    };
    let manifest = serde_json::to_vec(&manifest).map_err(|e| SignError::Manifest(e.to_string()))?;
    Ok((manifest, config))
}

/// What became of one signature (one layer of the `.sig` manifest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Made by one of the keys, for this very digest.
    Verified,
    /// The layer is not a simple-signing payload (another kind of attachment).
    NotAPayload(String),
    /// The layer has no signature annotation, or one that is not base64 DER.
    NoSignature(String),
    /// The payload could not be fetched, does not match its digest, or is too large.
    Unreadable(String),
    /// A well-formed signature that none of the keys made.
    WrongKey,
    /// Made by a key, over a payload that is not a signing payload rampart understands.
    BadPayload(String),
    /// Made by a key, but for another image: the payload names this digest.
    OtherImage(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Verified => write!(f, "verified"),
            Outcome::NotAPayload(t) => write!(f, "not a signature: a layer of type {t}"),
            Outcome::NoSignature(why) => write!(f, "no usable signature: {why}"),
            Outcome::Unreadable(why) => write!(f, "the signed payload is unreadable: {why}"),
            Outcome::WrongKey => write!(f, "not made by the given key(s)"),
            Outcome::BadPayload(why) => write!(f, "signed by the key, but the payload is not a signing payload: {why}"),
            Outcome::OtherImage(digest) => {
                write!(f, "signed by the key, but for another image ({digest}): a signature copied from elsewhere")
            }
        }
    }
}

/// One signature found for the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The payload's digest (the layer's).
    pub layer_digest: String,
    /// `critical.identity.docker-reference` of the payload, once read.
    pub identity: Option<String>,
    pub outcome: Outcome,
}

/// Every signature found for an image and what became of each.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// The digest that was checked.
    pub digest: String,
    /// `false`: the registry has no `.sig` manifest for the digest at all.
    pub signatures_found: bool,
    pub signatures: Vec<SignatureCheck>,
    /// Why the `.sig` manifest itself could not be read, if it could not.
    pub manifest_error: Option<String>,
}

impl Report {
    /// At least one signature verified.
    pub fn verified(&self) -> bool {
        self.signatures.iter().any(|s| s.outcome == Outcome::Verified)
    }
}

/// Checks the signatures of the image at `digest`: `signatures` is its `.sig` manifest
/// (`None`: the registry has none), `blob` fetches a layer by digest, `keys` are the trusted
/// public keys. Every layer is judged and explained; the image is verified when one is.
pub fn verify(
    digest: &str,
    signatures: Option<&[u8]>,
    blob: &dyn Fn(&str) -> Result<Vec<u8>, String>,
    keys: &[VerifyingKey],
) -> Report {
    let mut report = Report { digest: digest.to_owned(), ..Report::default() };
    let Some(bytes) = signatures else { return report };
    report.signatures_found = true;
    let manifest: Manifest = match serde_json::from_slice(bytes) {
        Ok(m) => m,
        Err(e) => {
            report.manifest_error = Some(format!("not an image manifest: {e}"));
            return report;
        }
    };
    for layer in manifest.layers.iter().take(MAX_SIGNATURES) {
        let (identity, outcome) = check_layer(digest, layer, blob, keys);
        report.signatures.push(SignatureCheck { layer_digest: layer.digest.clone(), identity, outcome });
    }
    report
}

fn check_layer(
    digest: &str,
    layer: &Descriptor,
    blob: &dyn Fn(&str) -> Result<Vec<u8>, String>,
    keys: &[VerifyingKey],
) -> (Option<String>, Outcome) {
    if layer.media_type != PAYLOAD_MEDIA_TYPE {
        return (None, Outcome::NotAPayload(layer.media_type.clone()));
    }
    let Some(encoded) = layer.annotations.as_ref().and_then(|a| a.get(SIGNATURE_ANNOTATION)) else {
        return (None, Outcome::NoSignature(format!("the layer has no `{SIGNATURE_ANNOTATION}` annotation")));
    };
    let signature = match B64.decode(encoded.trim().as_bytes()) {
        Ok(der) => match Signature::from_der(&der) {
            Ok(s) => s,
            Err(_) => return (None, Outcome::NoSignature("the annotation is not a DER ECDSA signature".into())),
        },
        Err(_) => return (None, Outcome::NoSignature("the annotation is not base64".into())),
    };
    if layer.size > MAX_PAYLOAD {
        return (None, Outcome::Unreadable(format!("{} bytes, over the {MAX_PAYLOAD}-byte limit", layer.size)));
    }
    let payload = match blob(&layer.digest) {
        Ok(bytes) => bytes,
        Err(e) => return (None, Outcome::Unreadable(e)),
    };
    if payload.len() as u64 > MAX_PAYLOAD || sha256(&payload) != layer.digest {
        return (None, Outcome::Unreadable(format!("the blob does not match its digest {}", layer.digest)));
    }
    if !keys.iter().any(|k| k.verify(&payload, &signature).is_ok()) {
        return (None, Outcome::WrongKey);
    }
    let document: SimpleSigning = match serde_json::from_slice(&payload) {
        Ok(d) => d,
        Err(e) => return (None, Outcome::BadPayload(e.to_string())),
    };
    let identity = Some(document.critical.identity.docker_reference.clone());
    let kind = document.critical.kind.as_str();
    if kind != COSIGN_TYPE && kind != ATOMIC_TYPE {
        return (identity, Outcome::BadPayload(format!("type `{kind}`")));
    }
    let signed = &document.critical.image.docker_manifest_digest;
    if signed != digest {
        return (identity, Outcome::OtherImage(signed.clone()));
    }
    (identity, Outcome::Verified)
}

#[cfg(test)]
mod tests;

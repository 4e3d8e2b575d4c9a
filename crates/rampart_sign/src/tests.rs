use std::collections::HashMap;

use super::*;

const DIGEST: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const OTHER: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

/// A registry's blobs, by digest.
struct Blobs(HashMap<String, Vec<u8>>);

impl Blobs {
    fn new(items: &[&[u8]]) -> Blobs {
        Blobs(items.iter().map(|b| (sha256(b), b.to_vec())).collect())
    }

    fn get(&self, digest: &str) -> Result<Vec<u8>, String> {
        self.0.get(digest).cloned().ok_or_else(|| format!("blob {digest} unknown"))
    }
}

#[test]
fn the_payload_is_cosigns_byte_for_byte() {
    assert_eq!(
        String::from_utf8(payload("localhost:5000/app", DIGEST)).unwrap(),
        format!(
            r#"{{"critical":{{"identity":{{"docker-reference":"localhost:5000/app"}},"image":{{"docker-manifest-digest":"{DIGEST}"}},"type":"cosign container image signature"}},"optional":null}}"#
        )
    );
    assert_eq!(signature_tag(DIGEST), format!("sha256-{}.sig", &DIGEST[7..]));
}

#[test]
fn signing_appends_and_every_signature_is_judged() {
    let ours = key::generate().unwrap();
    let theirs = key::generate().unwrap();
    let good = payload("r/app", DIGEST);
    let (first, config1) = signature_manifest(None, &good, &sign(&ours, &good)).unwrap();
    // Signing the same payload again with the same key adds nothing (ECDSA here is
    // deterministic, RFC 6979).
    let (again, _) = signature_manifest(Some(&first), &good, &sign(&ours, &good)).unwrap();
    assert_eq!(again, first);
    // A stranger's signature, and our key's signature of another image copied here.
    let copied = payload("r/app", OTHER);
    let (second, _) = signature_manifest(Some(&first), &good, &sign(&theirs, &good)).unwrap();
    let (third, config3) = signature_manifest(Some(&second), &copied, &sign(&ours, &copied)).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&third).unwrap();
    assert_eq!(value["layers"].as_array().unwrap().len(), 3);
    assert_eq!(value["config"]["digest"], sha256(&config3));
    assert_ne!(config1, config3, "the configuration lists every payload");

    let blobs = Blobs::new(&[&good, &copied]);
    let report = verify(DIGEST, Some(&third), &|d| blobs.get(d), &[*ours.verifying_key()]);
    let outcomes: Vec<&Outcome> = report.signatures.iter().map(|s| &s.outcome).collect();
    assert_eq!(outcomes, [&Outcome::Verified, &Outcome::WrongKey, &Outcome::OtherImage(OTHER.into())]);
    assert!(report.verified());
    assert_eq!(report.signatures[0].identity.as_deref(), Some("r/app"));

    // Only the stranger's key: nothing verifies, and each reason says why.
    let report = verify(DIGEST, Some(&third), &|d| blobs.get(d), &[*theirs.verifying_key()]);
    let outcomes: Vec<&Outcome> = report.signatures.iter().map(|s| &s.outcome).collect();
    assert_eq!(outcomes, [&Outcome::WrongKey, &Outcome::Verified, &Outcome::WrongKey]);
}

#[test]
fn unsigned_tampered_and_malformed_are_each_explained() {
    let ours = key::generate().unwrap();
    let keys = [*ours.verifying_key()];
    let good = payload("r/app", DIGEST);
    let signature = sign(&ours, &good);
    let (manifest, _) = signature_manifest(None, &good, &signature).unwrap();

    let none = verify(DIGEST, None, &|_| Err("unused".into()), &keys);
    assert!(!none.signatures_found && !none.verified());

    // The registry swaps the payload for another that claims the same digest.
    let forged = payload("r/app", OTHER);
    let report = verify(DIGEST, Some(&manifest), &|_| Ok(forged.clone()), &keys);
    assert!(matches!(&report.signatures[0].outcome, Outcome::Unreadable(m) if m.contains("does not match its digest")));

    // A payload whose bytes verify but which is not a signing payload.
    let junk = br#"{"critical": 1}"#.to_vec();
    let (junk_manifest, _) = signature_manifest(None, &junk, &sign(&ours, &junk)).unwrap();
    let blobs = Blobs::new(&[&junk]);
    let report = verify(DIGEST, Some(&junk_manifest), &|d| blobs.get(d), &keys);
    assert!(matches!(report.signatures[0].outcome, Outcome::BadPayload(_)), "{report:?}");

    // Annotation damage and foreign layers.
    let text = String::from_utf8(manifest.clone()).unwrap();
    let damaged = text.replace(&signature, "bm90IGEgc2lnbmF0dXJl");
    let blobs = Blobs::new(&[&good]);
    let report = verify(DIGEST, Some(damaged.as_bytes()), &|d| blobs.get(d), &keys);
    assert!(matches!(report.signatures[0].outcome, Outcome::NoSignature(_)), "{report:?}");
    let foreign = text.replace(PAYLOAD_MEDIA_TYPE, "application/vnd.in-toto+json");
    let report = verify(DIGEST, Some(foreign.as_bytes()), &|d| blobs.get(d), &keys);
    assert!(matches!(report.signatures[0].outcome, Outcome::NotAPayload(_)));
    let report = verify(DIGEST, Some(b"{not json"), &|d| blobs.get(d), &keys);
    assert!(report.signatures_found && report.manifest_error.is_some() && !report.verified());
    // Every outcome reads as a sentence.
    assert!(Outcome::OtherImage(OTHER.into()).to_string().contains("another image"));
}

#[test]
fn hostile_signature_manifests_are_bounded() {
    let ours = key::generate().unwrap();
    let keys = [*ours.verifying_key()];
    // Thousands of layers: at most MAX_SIGNATURES are fetched and judged.
    let signature = sign(&ours, b"something else");
    let layer = format!(
        r#"{{"mediaType":"{PAYLOAD_MEDIA_TYPE}","size":10,"digest":"sha256:{}","annotations":{{"{SIGNATURE_ANNOTATION}":"{signature}"}}}}"#,
        "0".repeat(64)
    );
    let manifest = format!(
        r#"{{"schemaVersion":2,"config":{{"mediaType":"x","size":1,"digest":"sha256:{}"}},"layers":[{}]}}"#,
        "1".repeat(64),
        vec![layer; 5000].join(",")
    );
    let fetched = std::sync::atomic::AtomicUsize::new(0);
    let report = verify(
        DIGEST,
        Some(manifest.as_bytes()),
        &|_| {
            fetched.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Err("unused".into())
        },
        &keys,
    );
    assert_eq!(report.signatures.len(), MAX_SIGNATURES);
    assert_eq!(fetched.load(std::sync::atomic::Ordering::Relaxed), MAX_SIGNATURES);
    assert!(!report.verified());
    // A payload announced larger than the limit is not fetched at all.
    let big = manifest.replace(r#""size":10,"#, r#""size":100000000,"#);
    let report = verify(DIGEST, Some(big.as_bytes()), &|_| panic!("must not fetch"), &keys);
    assert!(matches!(&report.signatures[0].outcome, Outcome::Unreadable(m) if m.contains("limit")), "{report:?}");
    // Arbitrary bytes never panic.
    for junk in [&b""[..], b"null", b"[]", b"{\"layers\": 5}", b"\xff\xfe", b"{\"schemaVersion\":2}"] {
        let report = verify(DIGEST, Some(junk), &|_| Err("x".into()), &keys);
        assert!(!report.verified());
    }
}

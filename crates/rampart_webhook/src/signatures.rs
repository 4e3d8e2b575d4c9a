//! The signature gate: images whose repository matches a `[[signatures]]` policy are admitted
//! only with a signature by one of its keys (cosign's format, checked by `rampart_sign`).
//!
//! The registry is asked once per image and the answer kept ([`CACHE_FOR`] when verified,
//! [`RETRY_AFTER`] when not), so that the requests that follow — every replica of a rollout,
//! every restart — are decided from memory. The trust root is the pinned public keys; nothing
//! else is fetched.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rampart_sign::VerifyingKey;
use serde_json::Value;

/// How long a verified image stays verified.
pub const CACHE_FOR: Duration = Duration::from_secs(600);
/// How soon a failed verification is tried again (a signature pushed just after the image).
pub const RETRY_AFTER: Duration = Duration::from_secs(30);

/// Images matching `patterns` must be signed by one of `keys`.
#[derive(Debug, Clone)]
pub struct ImagePolicy {
    /// Globs on `registry/repository` (`registry.example/team/*`, `registry.example/**`).
    pub patterns: Vec<String>,
    pub keys: Vec<VerifyingKey>,
}

/// Where signatures come from: the registry in production, a table in tests.
pub trait SignatureSource: Send + Sync {
    /// The repository (`registry/repository`) an image reference names, or why it cannot be
    /// read.
    fn repository(&self, image: &str) -> Result<String, String>;
    /// The verification report of `image` against `keys`.
    fn verify(&self, image: &str, keys: &[VerifyingKey]) -> Result<rampart_sign::Report, String>;
}

/// What was decided for (image, policy index), and when.
type Decided = HashMap<(String, usize), (Instant, Result<(), String>)>;

/// The policies, a source, and what was already decided.
pub struct Gate {
    policies: Vec<ImagePolicy>,
    source: Box<dyn SignatureSource>,
    cache: Mutex<Decided>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").field("policies", &self.policies.len()).finish()
    }
}

impl Gate {
    pub fn new(policies: Vec<ImagePolicy>, source: Box<dyn SignatureSource>) -> Gate {
        Gate { policies, source, cache: Mutex::new(HashMap::new()) }
    }

    /// Why each image of `object` that must be signed is not, in the order they appear.
    pub fn unsigned(&self, object: &Value) -> Vec<String> {
        let mut reasons = Vec::new();
        let mut seen = Vec::new();
        for image in images_of(object) {
            if seen.contains(&image) {
                continue;
            }
            seen.push(image.clone());
            if let Err(reason) = self.check(&image) {
                reasons.push(format!("image `{image}` {reason}"));
            }
        }
        reasons
    }

    fn check(&self, image: &str) -> Result<(), String> {
        let repository = match self.source.repository(image) {
            Ok(r) => r,
            // An image no policy could name is not ours to stop; one that does not parse is.
            Err(e) => return if self.policies.is_empty() { Ok(()) } else { Err(format!("cannot be read: {e}")) },
        };
        for (index, policy) in self.policies.iter().enumerate() {
            if !policy.patterns.iter().any(|p| glob(p, &repository)) {
                continue;
            }
            let key = (image.to_owned(), index);
            if let Ok(cache) = self.cache.lock()
                && let Some((at, result)) = cache.get(&key)
            {
                let ttl = if result.is_ok() { CACHE_FOR } else { RETRY_AFTER };
                if at.elapsed() < ttl {
                    result.clone()?;
                    continue;
                }
            }
            let result = match self.source.verify(image, &policy.keys) {
                Ok(report) if report.verified() => Ok(()),
                Ok(report) => Err(explain(&report)),
                Err(e) => Err(format!("could not be checked for signatures: {e}")),
            };
            if let Ok(mut cache) = self.cache.lock() {
                cache.insert(key, (Instant::now(), result.clone()));
            }
            result?;
        }
        Ok(())
    }
}

fn explain(report: &rampart_sign::Report) -> String {
    if !report.signatures_found {
        return format!("({}) is not signed; {}", report.digest, rampart_sign::NO_SIGNATURE_HINT);
    }
    if let Some(error) = &report.manifest_error {
        return format!("({}) has an unreadable signature manifest: {error}", report.digest);
    }
    let reasons: Vec<String> = report.signatures.iter().map(|s| s.outcome.to_string()).collect();
    format!("({}) has no signature by a trusted key: {}", report.digest, reasons.join("; "))
}

/// `*` matches within a path segment, `**` across segments, anything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    fn inner(p: &[u8], t: &[u8]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => (0..=t.len()).any(|i| inner(&p[2..], &t[i..])),
            Some(b'*') => (0..=t.len()).take_while(|&i| i == 0 || t[i - 1] != b'/').any(|i| inner(&p[1..], &t[i..])),
            Some(c) => t.first() == Some(c) && inner(&p[1..], &t[1..]),
        }
    }
    inner(pattern.as_bytes(), text.as_bytes())
}

/// The container images of a Pod, of a workload's pod template, or of a CronJob's job template.
pub fn images_of(object: &Value) -> Vec<String> {
    let spec = &object["spec"];
    let pod_specs = [spec, &spec["template"]["spec"], &spec["jobTemplate"]["spec"]["template"]["spec"]];
    let mut images = Vec::new();
    for pod in pod_specs {
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            for container in pod[list].as_array().into_iter().flatten() {
                if let Some(image) = container["image"].as_str() {
                    images.push(image.to_owned());
                }
            }
        }
    }
    images
}

/// Signatures from the registries (cosign's `.sig` tags), reached as `rampart verify` does.
#[cfg(feature = "registry")]
#[derive(Debug)]
pub struct RegistrySignatures {
    pub options: rampart_image::RegistryOptions,
}

#[cfg(feature = "registry")]
impl SignatureSource for RegistrySignatures {
    fn repository(&self, image: &str) -> Result<String, String> {
        let reference = rampart_image::registry::parse_reference(image)?;
        Ok(format!("{}/{}", reference.registry(), reference.repository()))
    }

    fn verify(&self, image: &str, keys: &[VerifyingKey]) -> Result<rampart_sign::Report, String> {
        // The registry client runs its own runtime, which must not nest in the server's: a
        // plain thread, joined.
        let (image, keys, options) = (image.to_owned(), keys.to_vec(), self.options.clone());
        std::thread::spawn(move || {
            rampart_image::registry::verify_signatures(&image, &options, &keys)
                .map(|(_, report)| report)
                .map_err(|e| e.to_string())
        })
        .join()
        .map_err(|_| "the signature check failed".to_string())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Signed images by name; counts registry round trips.
    struct Table {
        signed: Vec<&'static str>,
        calls: Arc<AtomicUsize>,
    }

    impl SignatureSource for Table {
        fn repository(&self, image: &str) -> Result<String, String> {
            Ok(image.split([':', '@']).next().unwrap_or(image).to_owned())
        }

        fn verify(&self, image: &str, _keys: &[VerifyingKey]) -> Result<rampart_sign::Report, String> {
            self.calls.fetch_add(1, Ordering::Relaxed);
            let mut report = rampart_sign::Report { digest: "sha256:ab".into(), ..Default::default() };
            if self.signed.contains(&image) {
                report.signatures_found = true;
                report.signatures.push(rampart_sign::SignatureCheck {
                    layer_digest: "sha256:cd".into(),
                    identity: None,
                    outcome: rampart_sign::Outcome::Verified,
                });
            }
            Ok(report)
        }
    }

    #[test]
    fn globs_stay_in_their_segment_unless_doubled() {
        assert!(glob("registry.example/team/*", "registry.example/team/app"));
        assert!(!glob("registry.example/team/*", "registry.example/team/sub/app"));
        assert!(glob("registry.example/**", "registry.example/team/sub/app"));
        assert!(!glob("registry.example/team/*", "registry.example/other/app"));
    }

    #[test]
    fn only_matching_images_are_checked_and_answers_are_kept() {
        let key = *rampart_sign::key::generate().unwrap().verifying_key();
        let calls = Arc::new(AtomicUsize::new(0));
        let table = Table { signed: vec!["reg/team/api:1"], calls: calls.clone() };
        let gate =
            Gate::new(vec![ImagePolicy { patterns: vec!["reg/team/*".into()], keys: vec![key] }], Box::new(table));
        let deployment = serde_json::json!({"kind": "Deployment", "spec": {"template": {"spec": {
            "initContainers": [{"image": "reg/team/migrate:1"}],
            "containers": [{"image": "reg/team/api:1"}, {"image": "docker.io/library/redis:7"}, {"image": "reg/team/api:1"}]
        }}}});
        let reasons = gate.unsigned(&deployment);
        assert_eq!(reasons.len(), 1);
        assert!(reasons[0].starts_with("image `reg/team/migrate:1` (sha256:ab) is not signed"), "{reasons:?}");
        // The same object again: decided from memory.
        assert_eq!(gate.unsigned(&deployment), reasons);
        // Two distinct matching images, one registry round trip each.
        assert_eq!(calls.load(Ordering::Relaxed), 2);
        let cronjob = serde_json::json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"image": "reg/team/report:2"}]}}}}}});
        assert_eq!(images_of(&cronjob), ["reg/team/report:2"]);
    }
}

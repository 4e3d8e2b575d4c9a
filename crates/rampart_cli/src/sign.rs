//! `rampart key generate`, `rampart sign`, `rampart verify`: cosign-compatible key-based
//! signatures stored beside the image in its registry (`rampart_sign` judges, the registry
//! side is `rampart_image::registry::Attachments`).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{SignArgs, VerifyArgs, VerifyFormat};
use crate::fail;

/// The environment variable cosign reads a key's password from (empty: no password).
const PASSWORD_ENV: &str = "COSIGN_PASSWORD";
/// Key files are small; a larger file is not a key.
const MAX_KEY_FILE: u64 = 64 * 1024;

fn password() -> Result<Vec<u8>, String> {
    match std::env::var_os(PASSWORD_ENV) {
        Some(p) => Ok(p.into_encoded_bytes()),
        None => Err(format!("set {PASSWORD_ENV} to the key's password (an empty value for none)")),
    }
}

fn read_key_file(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE + 1).read_to_end(&mut bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(format!("{}: larger than {MAX_KEY_FILE} bytes, not a key", path.display()));
    }
    Ok(bytes)
}

fn with_extension(prefix: &Path, extension: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

pub fn generate(prefix: &Path, force: bool) -> ExitCode {
    let (private, public) = (with_extension(prefix, "key"), with_extension(prefix, "pub"));
    if !force && let Some(existing) = [&private, &public].into_iter().find(|p| p.exists()) {
        return fail(&format!("{} exists; pass --force to replace the pair", existing.display()));
    }
    let made = (|| {
        let password = password()?;
        let made = |e: rampart_sign::SignError| format!("making the key pair: {e}");
        let key = rampart_sign::key::generate().map_err(made)?;
        let sealed = rampart_sign::key::encrypt_private_key(&key, &password).map_err(made)?;
        let public_pem = rampart_sign::key::public_key_pem(key.verifying_key()).map_err(made)?;
        write_private(&private, sealed.as_bytes()).map_err(|e| format!("{}: {e}", private.display()))?;
        crate::write_atomically(&public, public_pem.as_bytes()).map_err(|e| format!("{}: {e}", public.display()))?;
        // A public key is for everyone to read.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o644))
                .map_err(|e| format!("{}: {e}", public.display()))?;
        }
        Ok::<_, String>(())
    })();
    match made {
        Ok(()) => {
            eprintln!("Wrote {} (private, sealed) and {} (public).", private.display(), public.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// Writes a private key readable by its owner only, atomically (never briefly readable by
/// others: the temporary file is created 0600).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(feature = "registry")]
pub fn sign(args: &SignArgs) -> ExitCode {
    let signed = (|| {
        let pem = read_key_file(&args.key)?;
        let key = rampart_sign::key::decrypt_private_key(&pem, &password()?)
            .map_err(|e| format!("{}: {e}", args.key.display()))?;
        let options = crate::image::registry_options(&args.registry)?;
        let registry = rampart_image::registry::attachments(&args.image, &options).map_err(|e| e.to_string())?;
        let digest = registry.digest().map_err(|e| e.to_string())?;
        let payload = rampart_sign::payload(&registry.repository(), &digest);
        let signature = rampart_sign::sign(&key, &payload);
        let tag = rampart_sign::signature_tag(&digest);
        let existing = registry.manifest(&tag).map_err(|e| e.to_string())?;
        let (manifest, config) = rampart_sign::signature_manifest(existing.as_deref(), &payload, &signature)
            .map_err(|e| format!("{}:{tag}: {e}", registry.repository()))?;
        registry.push(&tag, &manifest, &[&payload, &config]).map_err(|e| e.to_string())?;
        Ok::<_, String>((registry.repository(), digest, tag))
    })();
    match signed {
        Ok((repository, digest, tag)) => {
            eprintln!("Signed {repository}@{digest}; the signature is {repository}:{tag}.");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

#[cfg(feature = "registry")]
pub fn verify(args: &VerifyArgs) -> ExitCode {
    let checked = (|| {
        let mut keys = Vec::new();
        for path in &args.key {
            let pem = read_key_file(path)?;
            keys.push(rampart_sign::key::parse_public_key(&pem).map_err(|e| format!("{}: {e}", path.display()))?);
        }
        let options = crate::image::registry_options(&args.registry)?;
        rampart_image::registry::verify_signatures(&args.image, &options, &keys).map_err(|e| e.to_string())
    })();
    let (repository, report) = match checked {
        Ok(done) => done,
        Err(e) => return fail(&e),
    };
    match args.format {
        VerifyFormat::Human => print_human(&repository, &report),
        VerifyFormat::Json => println!("{}", json(&args.image, &repository, &report)),
    }
    if report.verified() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

#[cfg(not(feature = "registry"))]
pub fn sign(_args: &SignArgs) -> ExitCode {
    fail("this rampart was built without registry support (cargo feature `registry`)")
}

#[cfg(not(feature = "registry"))]
pub fn verify(_args: &VerifyArgs) -> ExitCode {
    fail("this rampart was built without registry support (cargo feature `registry`)")
}

fn outcome_code(outcome: &rampart_sign::Outcome) -> &'static str {
    use rampart_sign::Outcome::*;
    match outcome {
        Verified => "verified",
        NotAPayload(_) => "not-a-signature",
        NoSignature(_) => "no-signature",
        Unreadable(_) => "unreadable",
        WrongKey => "wrong-key",
        BadPayload(_) => "bad-payload",
        OtherImage(_) => "other-image",
    }
}

#[cfg_attr(not(feature = "registry"), allow(dead_code))]
fn print_human(repository: &str, report: &rampart_sign::Report) {
    let subject = format!("{repository}@{}", report.digest);
    let tag = rampart_sign::signature_tag(&report.digest);
    if !report.signatures_found {
        println!("{subject}: NOT verified: no signatures (the registry has no {repository}:{tag})");
        println!("  note: {}", rampart_sign::NO_SIGNATURE_HINT);
        return;
    }
    if let Some(error) = &report.manifest_error {
        println!("{subject}: NOT verified: {repository}:{tag} is unreadable: {error}");
        return;
    }
    let verdict = if report.verified() { "verified" } else { "NOT verified" };
    println!("{subject}: {verdict} ({} signature(s) in {repository}:{tag})", report.signatures.len());
    for (i, check) in report.signatures.iter().enumerate() {
        // The outcome as a sentence; its short code is in `--format json`.
        let identity = check.identity.as_deref().map(|id| format!(", signed for {id}")).unwrap_or_default();
        println!("  {}. {} (payload {}{identity})", i + 1, check.outcome, check.layer_digest);
    }
}

#[cfg_attr(not(feature = "registry"), allow(dead_code))]
fn json(image: &str, repository: &str, report: &rampart_sign::Report) -> String {
    let signatures: Vec<serde_json::Value> = report
        .signatures
        .iter()
        .map(|s| {
            serde_json::json!({
                "payload": s.layer_digest,
                "identity": s.identity,
                "outcome": outcome_code(&s.outcome),
                "reason": s.outcome.to_string(),
            })
        })
        .collect();
    serde_json::json!({
        "image": image,
        "repository": repository,
        "digest": report.digest,
        "verified": report.verified(),
        "signature_tag": rampart_sign::signature_tag(&report.digest),
        "signatures_found": report.signatures_found,
        "manifest_error": report.manifest_error,
        "signatures": signatures,
    })
    .to_string()
}

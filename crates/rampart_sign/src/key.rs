//! Keys in cosign's formats, so that a key made by `cosign generate-key-pair` (or by skopeo's
//! `generate-sigstore-key`) signs and verifies with rampart and the other way round.
//!
//! * Private: PEM `ENCRYPTED SIGSTORE PRIVATE KEY` (older cosign: `ENCRYPTED COSIGN PRIVATE
//!   KEY`) around JSON `{"kdf": {"name": "scrypt", "params": {"N", "r", "p"}, "salt"},
//!   "cipher": {"name": "nacl/secretbox", "nonce"}, "ciphertext"}`: the PKCS#8 DER of an ECDSA
//!   P-256 key sealed with NaCl secretbox under an scrypt key (N = 32768, r = 8, p = 1 as cosign
//!   writes them). Byte fields are standard base64, as Go's JSON encodes `[]byte`.
//! * Public: PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
//!
//! A key file is hostile input like any other: the scrypt cost is bounded before any work is
//! done (a file asking for N = 2^30 would otherwise want a terabyte).

use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Nonce, XSalsa20Poly1305};
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::der::pem;
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use serde::{Deserialize, Serialize};

use crate::SignError;

/// The PEM label cosign writes today.
pub const PRIVATE_KEY_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The label of keys made by cosign before 2.0, still read.
pub const LEGACY_PRIVATE_KEY_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

/// cosign's scrypt parameters: N = 2^15, r = 8, p = 1.
const LOG_N: u8 = 15;
const R: u32 = 8;
const P: u32 = 1;
/// The costliest parameters a key file may ask for: 2^16 × 128 × r bytes of memory (64 MiB at
/// r = 8), a second or so of work.
const MAX_LOG_N: u8 = 16;
const MAX_R: u32 = 16;
const MAX_P: u32 = 4;
/// A private key file is a few hundred bytes; anything far larger is not one.
const MAX_KEY_FILE: usize = 64 * 1024;

#[derive(Serialize, Deserialize)]
struct Envelope {
    kdf: Kdf,
    cipher: Cipher,
    #[serde(with = "b64")]
    ciphertext: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: ScryptParams,
    #[serde(with = "b64")]
    salt: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    #[serde(with = "b64")]
    nonce: Vec<u8>,
}

mod b64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text.as_bytes()).map_err(serde::de::Error::custom)
    }
}

fn random<const N: usize>() -> Result<[u8; N], SignError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| SignError::Key(format!("no randomness from the system: {e}")))?;
    Ok(bytes)
}

/// A new ECDSA P-256 key from the system's random source.
pub fn generate() -> Result<SigningKey, SignError> {
    // A uniformly random 32-byte string is a valid scalar with overwhelming probability; the
    // loop only guards the 2^-32 case of zero or one above the group order.
    for _ in 0..16 {
        if let Ok(key) = SigningKey::from_bytes(&random::<32>()?.into()) {
            return Ok(key);
        }
    }
    Err(SignError::Key("the system's random source keeps giving invalid keys".into()))
}

fn scrypt_key(password: &[u8], salt: &[u8], log_n: u8, r: u32, p: u32) -> Result<[u8; 32], SignError> {
    let params = scrypt::Params::new(log_n, r, p).map_err(|e| SignError::Key(format!("scrypt parameters: {e}")))?;
    let mut key = [0u8; 32];
    scrypt::scrypt(password, salt, &params, &mut key).map_err(|e| SignError::Key(format!("scrypt: {e}")))?;
    Ok(key)
}

/// The private key sealed with `password`, as cosign writes it.
pub fn encrypt_private_key(key: &SigningKey, password: &[u8]) -> Result<String, SignError> {
    let der = key.to_pkcs8_der().map_err(|e| SignError::Key(format!("PKCS#8: {e}")))?;
    let salt = random::<32>()?;
    let nonce = random::<24>()?;
    let sealing = scrypt_key(password, &salt, LOG_N, R, P)?;
    let cipher = XSalsa20Poly1305::new(&sealing.into());
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), der.as_bytes())
        .map_err(|_| SignError::Key("sealing the key failed".into()))?;
    let envelope = Envelope {
        kdf: Kdf { name: "scrypt".into(), params: ScryptParams { n: 1 << LOG_N, r: R, p: P }, salt: salt.to_vec() },
        cipher: Cipher { name: "nacl/secretbox".into(), nonce: nonce.to_vec() },
        ciphertext,
    };
    let json = serde_json::to_vec(&envelope).map_err(|e| SignError::Key(e.to_string()))?;
    pem_encode(PRIVATE_KEY_LABEL, &json)
}

/// Opens a cosign private key file with `password`.
pub fn decrypt_private_key(pem: &[u8], password: &[u8]) -> Result<SigningKey, SignError> {
    if pem.len() > MAX_KEY_FILE {
        return Err(SignError::Key(format!("{} bytes is too large for a private key file", pem.len())));
    }
    let (label, body) = pem_decode(pem)?;
    if label != PRIVATE_KEY_LABEL && label != LEGACY_PRIVATE_KEY_LABEL {
        return Err(SignError::Key(format!("a `{label}` PEM block, not a cosign private key (`{PRIVATE_KEY_LABEL}`)")));
    }
    let envelope: Envelope =
        serde_json::from_slice(&body).map_err(|e| SignError::Key(format!("the key's JSON envelope: {e}")))?;
    if envelope.kdf.name != "scrypt" {
        return Err(SignError::Key(format!("key derivation `{}` is not supported (scrypt is)", envelope.kdf.name)));
    }
    if envelope.cipher.name != "nacl/secretbox" {
        return Err(SignError::Key(format!("cipher `{}` is not supported (nacl/secretbox is)", envelope.cipher.name)));
    }
    let ScryptParams { n, r, p } = envelope.kdf.params;
    if !n.is_power_of_two() || n < 2 {
        return Err(SignError::Key(format!("scrypt N = {n} is not a power of two")));
    }
    let log_n = n.trailing_zeros() as u8;
    if log_n > MAX_LOG_N || r > MAX_R || p > MAX_P || r == 0 || p == 0 {
        return Err(SignError::Key(format!(
            "scrypt parameters N = {n}, r = {r}, p = {p} exceed what rampart accepts (N ≤ 2^{MAX_LOG_N}, r ≤ {MAX_R}, p ≤ {MAX_P})"
        )));
    }
    if envelope.cipher.nonce.len() != 24 {
        return Err(SignError::Key(format!("a {}-byte nonce; secretbox takes 24", envelope.cipher.nonce.len())));
    }
    let sealing = scrypt_key(password, &envelope.kdf.salt, log_n, r, p)?;
    let cipher = XSalsa20Poly1305::new(&sealing.into());
    let der = cipher
        .decrypt(Nonce::from_slice(&envelope.cipher.nonce), envelope.ciphertext.as_slice())
        .map_err(|_| SignError::Key("wrong password, or the key file is damaged".into()))?;
    SigningKey::from_pkcs8_der(&der).map_err(|e| SignError::Key(format!("not an ECDSA P-256 PKCS#8 key: {e}")))
}

/// The public key as PEM `PUBLIC KEY`.
pub fn public_key_pem(key: &VerifyingKey) -> Result<String, SignError> {
    key.to_public_key_pem(LineEnding::LF).map_err(|e| SignError::Key(format!("public key: {e}")))
}

/// Reads a PEM `PUBLIC KEY` holding an ECDSA P-256 key.
pub fn parse_public_key(pem: &[u8]) -> Result<VerifyingKey, SignError> {
    if pem.len() > MAX_KEY_FILE {
        return Err(SignError::Key(format!("{} bytes is too large for a public key file", pem.len())));
    }
    let text = std::str::from_utf8(pem).map_err(|_| SignError::Key("the public key file is not text".into()))?;
    VerifyingKey::from_public_key_pem(text.trim())
        .map_err(|e| SignError::Key(format!("not an ECDSA P-256 public key (PEM `PUBLIC KEY`): {e}")))
}

fn pem_encode(label: &str, body: &[u8]) -> Result<String, SignError> {
    pem::encode_string(label, LineEnding::LF, body).map_err(|e| SignError::Key(format!("PEM: {e}")))
}

/// The label and bytes of the PEM block. Text before it and blanks after it are skipped, as
/// Go's `pem.Decode` (which cosign uses) skips them.
fn pem_decode(text: &[u8]) -> Result<(String, Vec<u8>), SignError> {
    let start = text
        .windows(11)
        .position(|w| w == b"-----BEGIN ")
        .ok_or_else(|| SignError::Key("no PEM block in the key file".into()))?;
    let (label, bytes) = pem::decode_vec(text[start..].trim_ascii_end())
        .map_err(|e| SignError::Key(format!("a damaged PEM block: {e}")))?;
    Ok((label.to_owned(), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;

    #[test]
    fn a_sealed_key_opens_with_its_password_only() {
        let key = generate().unwrap();
        let pem = encrypt_private_key(&key, b"correct horse").unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        let opened = decrypt_private_key(pem.as_bytes(), b"correct horse").unwrap();
        assert_eq!(opened.to_bytes(), key.to_bytes());
        let wrong = decrypt_private_key(pem.as_bytes(), b"battery staple").unwrap_err().to_string();
        assert!(wrong.contains("wrong password"), "{wrong}");
        // The envelope says what cosign's does.
        let (_, json) = pem_decode(pem.as_bytes()).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(value["kdf"]["params"], serde_json::json!({"N": 32768, "r": 8, "p": 1}));
        assert_eq!(value["cipher"]["name"], "nacl/secretbox");
    }

    #[test]
    fn hostile_key_files_are_refused_before_any_work() {
        let envelope = |n: u64, r: u32| {
            let json = format!(
                r#"{{"kdf":{{"name":"scrypt","params":{{"N":{n},"r":{r},"p":1}},"salt":"AAAA"}},"cipher":{{"name":"nacl/secretbox","nonce":"{}"}},"ciphertext":"AAAA"}}"#,
                B64.encode([0u8; 24])
            );
            pem_encode(PRIVATE_KEY_LABEL, json.as_bytes()).unwrap()
        };
        let huge = decrypt_private_key(envelope(1 << 30, 8).as_bytes(), b"x").unwrap_err().to_string();
        assert!(huge.contains("exceed"), "{huge}");
        let odd = decrypt_private_key(envelope(1000, 8).as_bytes(), b"x").unwrap_err().to_string();
        assert!(odd.contains("power of two"), "{odd}");
        let other = decrypt_private_key(pem_encode("RSA PRIVATE KEY", b"x").unwrap().as_bytes(), b"x").unwrap_err();
        assert!(other.to_string().contains("not a cosign private key"), "{other}");
        assert!(decrypt_private_key(b"not pem at all", b"x").is_err());
        assert!(decrypt_private_key(&vec![b'A'; MAX_KEY_FILE + 1], b"x").is_err());
    }

    #[test]
    fn public_keys_round_trip_and_other_pem_is_refused() {
        let key = generate().unwrap();
        let pem = public_key_pem(key.verifying_key()).unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert_eq!(&parse_public_key(pem.as_bytes()).unwrap(), key.verifying_key());
        assert!(parse_public_key(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").is_err());
    }
}

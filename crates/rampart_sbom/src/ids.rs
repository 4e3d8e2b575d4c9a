//! Identifiers and times shared by both formats: UUIDs, short stable hashes, SPDX-safe names,
//! timestamps and the image's package URL.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::Subject;

/// SHA-1 of the parts, each followed by a NUL so that `("ab", "c")` and `("a", "bc")` differ.
fn sha1(parts: &[&str]) -> [u8; 20] {
    let mut hasher = sha1_smol::Sha1::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(&[0]);
    }
    hasher.digest().bytes()
}

/// A short stable hash (16 hex digits), for telling apart things that share a name. Not a
/// security boundary: collisions only cost a disambiguating suffix.
pub(crate) fn short_hash(parts: &[&str]) -> String {
    hex(&sha1(parts)[..8])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn format_uuid(mut bytes: [u8; 16], version: u8) -> String {
    bytes[6] = (bytes[6] & 0x0f) | (version << 4);
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex(&bytes);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// RFC 4122 name-based UUID (version 5, SHA-1) in the URL namespace.
pub(crate) fn uuid_v5(name: &str) -> String {
    const URL_NAMESPACE: [u8; 16] =
        [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];
    let mut hasher = sha1_smol::Sha1::new();
    hasher.update(&URL_NAMESPACE);
    hasher.update(name.as_bytes());
    let digest = hasher.digest().bytes();
    let mut bytes = [0; 16];
    bytes.copy_from_slice(&digest[..16]);
    format_uuid(bytes, 5)
}

/// RFC 4122 random UUID (version 4). If the operating system has no randomness to give, the
/// bits come from hashing the document with the time and process, which is still unique enough
/// for a serial number.
pub(crate) fn uuid_v4(fallback_content: &str) -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let digest = sha1(&[fallback_content, &nanos.to_string(), &std::process::id().to_string()]);
        bytes.copy_from_slice(&digest[..16]);
    }
    format_uuid(bytes, 4)
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`, the one form both SPDX (which
/// requires UTC with `Z`) and CycloneDX accept. Years past 9999 are clamped.
pub(crate) fn timestamp(seconds: Option<u64>) -> String {
    let seconds = seconds
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0))
        .min(253_402_300_799); // 9999-12-31T23:59:59Z
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest / 60 % 60, rest % 60)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Text made into an SPDX `idstring` (`[A-Za-z0-9.-]`): each run of other characters becomes
/// one `-`, dashes at either end go, and the length is capped so that hostile names make
/// bounded identifiers. May be empty.
pub(crate) fn idstring(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max));
    for c in text.chars() {
        if out.len() >= max {
            break;
        }
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Percent-encodes everything but unreserved characters and those listed in `keep`.
fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'~') || keep.contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether a digest looks like `algorithm:hex`, which is all a purl version or an SPDX checksum
/// may be built from.
pub(crate) fn sha256_hex(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

/// The image's package URL, `pkg:oci/NAME@sha256%3A...?arch=...&repository_url=...&tag=...`
/// (<https://github.com/package-url/purl-spec/blob/main/types-doc/oci-definition.md>), when the
/// manifest digest is known: an oci purl without a digest identifies nothing.
pub(crate) fn image_purl(subject: &Subject) -> Option<String> {
    let digest = subject.digest.as_deref().filter(|d| sha256_hex(d).is_some())?;
    let name = image_purl_name(subject);
    let mut out =
        format!("pkg:oci/{}@{}", percent_encode(&name, &[]), percent_encode(&digest.to_ascii_lowercase(), &[]));
    let mut qualifiers = Vec::new();
    if let Some(arch) = subject.architecture.as_deref().filter(|a| !a.is_empty()) {
        qualifiers.push(("arch", arch));
    }
    if let Some(repository) = subject.repository.as_deref().filter(|r| !r.is_empty()) {
        qualifiers.push(("repository_url", repository));
    }
    if let Some(tag) = subject.tag.as_deref().filter(|t| !t.is_empty()) {
        qualifiers.push(("tag", tag));
    }
    for (index, (key, value)) in qualifiers.iter().enumerate() {
        out.push(if index == 0 { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        // The purl spec writes `repository_url=docker.io/library/debian` and registry ports
        // unencoded; both are unambiguous in a qualifier value.
        out.push_str(&percent_encode(value, b"/:"));
    }
    Some(out)
}

/// The last fragment of the repository name, lower-cased, as the oci purl type requires; for a
/// local source, the last path component of what the user named, without a tag.
fn image_purl_name(subject: &Subject) -> String {
    let from = subject.repository.as_deref().filter(|r| !r.is_empty()).unwrap_or(&subject.name);
    let from = from.split_once('@').map_or(from, |(before, _)| before);
    let last = from.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    let last = last.split_once(':').map_or(last, |(before, _)| before);
    let name = last.to_lowercase();
    if name.is_empty() { "image".to_string() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_rfc_4122() {
        // The values of Python's uuid.uuid5(uuid.NAMESPACE_URL, name).
        assert_eq!(uuid_v5("http://python.org/"), "4c565f0d-3f5a-5890-b41b-20cf47701c5e");
        assert_eq!(uuid_v5("https://rampart.dev"), "3eed4a00-f725-5777-8a57-e0557baa9e57");
        let random = uuid_v4("");
        assert_ne!(random, uuid_v4(""));
        assert_eq!(random.len(), 36);
        assert_eq!(&random[14..15], "4");
        assert!(matches!(&random[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(Some(0)), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(Some(1_747_699_200)), "2025-05-20T00:00:00Z");
        assert_eq!(timestamp(Some(951_827_696)), "2000-02-29T12:34:56Z");
        assert_eq!(timestamp(Some(u64::MAX)), "9999-12-31T23:59:59Z");
        assert_eq!(timestamp(None).len(), 20);
    }

    #[test]
    fn image_purls() {
        let digest = format!("sha256:{}", "ab".repeat(32));
        let mut subject = Subject { name: "/tmp/images/oci/Py-App".into(), digest: Some(digest), ..Default::default() };
        assert_eq!(image_purl(&subject).unwrap(), format!("pkg:oci/py-app@sha256%3A{}", "ab".repeat(32)));
        subject.repository = Some("localhost:5000/team/app".into());
        subject.tag = Some("1.2".into());
        subject.architecture = Some("amd64".into());
        assert_eq!(
            image_purl(&subject).unwrap(),
            format!(
                "pkg:oci/app@sha256%3A{}?arch=amd64&repository_url=localhost:5000/team/app&tag=1.2",
                "ab".repeat(32)
            )
        );
        subject.digest = Some("sha256:short".into());
        assert_eq!(image_purl(&subject), None);
        let named = |name: &str| image_purl_name(&Subject { name: name.into(), ..Default::default() });
        assert_eq!(named("registry.example/app:1.2"), "app");
        assert_eq!(named("app@sha256:00"), "app");
        assert_eq!(named(""), "image");
    }

    #[test]
    fn idstrings_are_bounded() {
        assert_eq!(idstring("@scope/pkg+1", 64), "scope-pkg-1");
        assert_eq!(idstring("a--b", 64), "a-b");
        assert_eq!(idstring(&"é".repeat(1000), 10), "");
        assert_eq!(idstring(&"ab".repeat(1000), 10), "ababababab");
    }
}

//! Credentials in file contents: known token formats and private keys anywhere in a text file,
//! and `name = value` settings with a literal password or token in configuration-like files
//! (`.env`, `*.ini`, `*.properties`, `credentials`, `*.conf`, ...).
//!
//! Which files are read: regular files up to a size limit, outside the trees where packages
//! install their own files (`/usr/share`, `/usr/lib`, `site-packages`, `node_modules`, ...),
//! whose test fixtures and documentation are full of example keys that are nobody's secret:
//! that is where Trivy's secret scanner reports most of its false alarms on real images.

use std::ops::Range;

use rampart_catalog::Location;
use rampart_secrets::SecretKind;

use crate::path;

/// A credential in a file of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSecret {
    pub location: Location,
    pub kind: &'static SecretKind,
    /// 1-based line of the secret.
    pub line: usize,
    /// The line, with the secret redacted and long lines cut, for display.
    pub excerpt: String,
    /// Where the (redacted) secret is in `excerpt`.
    pub span: Range<usize>,
    /// Whether the file is still visible in the final filesystem; `false` when a later layer
    /// deleted it, which does not remove it from the image.
    pub visible: bool,
}

/// Directories whose contents come from packages, not from whoever built the image.
const PACKAGE_TREES: &[&str] = &[
    "/usr/share",
    "/usr/lib",
    "/usr/lib64",
    "/usr/libexec",
    "/usr/include",
    "/usr/src",
    "/lib",
    "/lib64",
    "/var/lib/dpkg",
    "/var/lib/apt",
    "/var/lib/rpm",
    "/var/cache",
    "/proc",
    "/sys",
    "/etc/ssl/certs",
    "/usr/local/lib/python",
    "/usr/local/share",
];
const PACKAGE_DIR_NAMES: &[&str] =
    &["site-packages", "dist-packages", "node_modules", "vendor", "__pycache__", ".git", "gems", "go/pkg/mod"];
const SKIPPED_EXTENSIONS: &[&str] = &[
    ".so", ".a", ".o", ".pyc", ".pyo", ".class", ".jar", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".svg", ".woff",
    ".woff2", ".ttf", ".gz", ".xz", ".zst", ".bz2", ".zip", ".mo", ".map", ".min.js", ".whl", ".deb", ".rpm",
];

/// Whether a file is worth reading for secrets, from its path and size alone.
pub fn wants(file_path: &str, size: u64, limit: u64) -> bool {
    if size == 0 || size > limit {
        return false;
    }
    if PACKAGE_TREES.iter().any(|tree| path::is_within(file_path, tree)) {
        // Private keys a package generated at install time (ssh host keys, snakeoil certs)
        // are under /etc, not here; but a key someone copied to /usr/lib/app still counts.
        return file_path.contains("/.ssh/") || credential_file_name(path::file_name(file_path));
    }
    if file_path.split('/').any(|part| PACKAGE_DIR_NAMES.contains(&part)) {
        return false;
    }
    let name = path::file_name(file_path).to_ascii_lowercase();
    !SKIPPED_EXTENSIONS.iter().any(|ext| name.ends_with(ext))
}

/// Names of files that exist to hold credentials.
pub fn credential_file_name(name: &str) -> bool {
    matches!(
        name,
        ".env"
            | "credentials"
            | ".git-credentials"
            | ".netrc"
            | ".pgpass"
            | ".npmrc"
            | ".pypirc"
            | ".dockercfg"
            | "id_rsa"
            | "id_dsa"
            | "id_ecdsa"
            | "id_ed25519"
            | ".htpasswd"
    ) || name.starts_with(".env.")
}

/// Whether `name = value` lines in this file are settings worth judging.
fn is_config_like(file_path: &str) -> bool {
    let name = path::file_name(file_path).to_ascii_lowercase();
    credential_file_name(&name)
        || [".env", ".ini", ".cfg", ".conf", ".properties", ".toml", ".yaml", ".yml", ".json", ".sh"]
            .iter()
            .any(|ext| name.ends_with(ext))
        || path::parent(file_path).ends_with("/.aws")
}

const MAX_EXCERPT: usize = 160;

/// Scans one file's bytes.
pub fn scan(location: &Location, content: &[u8], out: &mut Vec<FileSecret>) {
    let head = &content[..content.len().min(8192)];
    if head.contains(&0) {
        return;
    }
    let text = String::from_utf8_lossy(content);
    let config_like = is_config_like(&location.path);
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let line = line.trim_end_matches(['\n', '\r']);
        let mut hits: Vec<(&'static SecretKind, Range<usize>)> =
            rampart_secrets::scan_text(line).into_iter().map(|m| (m.kind, m.span)).collect();
        if hits.is_empty()
            && config_like
            && let Some((name, value, value_start)) = setting(line, allows_colon(&location.path))
            && let Some(assessment) = rampart_secrets::assess_setting(name, value)
        {
            hits.push((assessment.kind, value_start + assessment.span.start..value_start + assessment.span.end));
        }
        for (kind, span) in hits {
            out.push(excerpt(location, kind, index + 1, line, span));
        }
    }
}

/// Whether `name: value` is a setting in this file. Only in YAML and JSON: elsewhere (say
/// `/etc/nsswitch.conf`'s `passwd: files`) a colon separates other things.
fn allows_colon(file_path: &str) -> bool {
    let name = path::file_name(file_path).to_ascii_lowercase();
    [".yaml", ".yml", ".json"].iter().any(|ext| name.ends_with(ext))
}

/// `NAME=value`, `name = value`, `export NAME="value"`, and `name: value` when `colon`.
fn setting(line: &str, colon: bool) -> Option<(&str, &str, usize)> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') || trimmed.starts_with(';') || trimmed.starts_with("//") {
        return None;
    }
    let split = if colon { line.find(['=', ':'])? } else { line.find('=')? };
    let name = line[..split].trim().trim_start_matches("export ").trim().trim_matches('"');
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
        return None;
    }
    let raw = &line[split + 1..];
    let leading = raw.len() - raw.trim_start().len();
    let mut value = raw.trim();
    let mut start = split + 1 + leading;
    for quote in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            value = &value[1..value.len() - 1];
            start += 1;
        }
    }
    let value = value.trim_end_matches(',');
    Some((name, value, start))
}

fn excerpt(
    location: &Location,
    kind: &'static SecretKind,
    line_number: usize,
    line: &str,
    span: Range<usize>,
) -> FileSecret {
    let secret = line.get(span.clone()).unwrap_or("");
    // A PEM header is not the secret (the key is on the lines below it, never shown).
    let redacted = if kind.id == "private-key" { secret.to_string() } else { rampart_secrets::redact(secret) };
    let before = line.get(..span.start).unwrap_or("");
    let after = line.get(span.end..).unwrap_or("");
    let before = tail_chars(before, MAX_EXCERPT / 2);
    let after = head_chars(after, MAX_EXCERPT / 2);
    let mut text = String::with_capacity(before.len() + redacted.len() + after.len());
    text.push_str(before);
    let start = text.len();
    text.push_str(&redacted);
    let end = text.len();
    text.push_str(after);
    FileSecret { location: location.clone(), kind, line: line_number, excerpt: text, span: start..end, visible: true }
}

fn tail_chars(text: &str, max: usize) -> &str {
    let count = text.chars().count();
    if count <= max {
        return text;
    }
    let skip = text.char_indices().nth(count - max).map_or(0, |(i, _)| i);
    &text[skip..]
}

fn head_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str) -> Location {
        Location { path: path.into(), layer: 2 }
    }

    #[test]
    fn env_file_and_private_key() {
        let mut out = Vec::new();
        scan(
            &at("/app/config/.env"),
            b"AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\nDB_PASSWORD=hunter2\nDEBUG=1\n",
            &mut out,
        );
        let kinds: Vec<_> = out.iter().map(|s| (s.kind.id, s.line)).collect();
        assert_eq!(kinds, [("aws-access-key-id", 1), ("password", 2)]);
        assert!(!out[0].excerpt.contains("AKIAABCDEFGHIJKLMNOP"), "{}", out[0].excerpt);
        assert_eq!(&out[1].excerpt[out[1].span.clone()], "*******");

        out.clear();
        scan(
            &at("/root/.ssh/id_ed25519"),
            b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n",
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind.id, "private-key");
    }

    #[test]
    fn plain_text_settings_are_only_judged_in_config_files() {
        let mut out = Vec::new();
        scan(&at("/app/README.md"), b"password: hunter2\n", &mut out);
        assert!(out.is_empty());
        scan(&at("/app/config/settings.ini"), b"[db]\npassword=hunter2\n", &mut out);
        assert_eq!(out.len(), 1);
        out.clear();
        scan(&at("/etc/nsswitch.conf"), b"passwd:         files\n", &mut out);
        assert!(out.is_empty());
        scan(&at("/app/config.yaml"), b"db:\n  password: hunter2\n", &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn package_trees_and_binaries_are_skipped() {
        assert!(!wants("/usr/lib/python3/dist-packages/x/test_keys.py", 100, 1 << 20));
        assert!(!wants("/app/node_modules/x/test/key.pem", 100, 1 << 20));
        assert!(wants("/app/config/.env", 100, 1 << 20));
        assert!(wants("/root/.aws/credentials", 100, 1 << 20));
        assert!(!wants("/root/.aws/credentials", 2 << 20, 1 << 20));
        let mut out = Vec::new();
        scan(&at("/app/bin"), b"\x7fELF\0\0AKIAABCDEFGHIJKLMNOP", &mut out);
        assert!(out.is_empty());
    }
}

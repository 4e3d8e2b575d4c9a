//! Finds credentials in text and in `NAME=value` settings, with as few false alarms as the
//! field allows: values that are references (`$VAR`, `/run/secrets/…`) or placeholders
//! (`<token>`, `xxx`), booleans and durations are not secrets, and public key material
//! (GPG key fingerprints in `GPG_KEY`, `*_GPG_KEYS`, `*_PUBLIC_KEY`) is never reported — the
//! mistake Trivy makes on official images such as `python`, whose Dockerfile sets `GPG_KEY`.
//! A weak literal such as `changeme` in a password setting *is* reported: it is a password.
//!
//! ```
//! use rampart_secrets::{scan_text, assess_setting};
//! let found = scan_text("aws_access_key_id=AKIAIOSFODNN7EXAMPLE");
//! assert_eq!(found[0].kind.id, "aws-access-key-id");
//! assert!(assess_setting("DB_PASSWORD", "s3cr3t-Pa55").is_some());
//! assert!(assess_setting("GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D").is_none());
//! assert!(assess_setting("DB_PASSWORD", "${DB_PASSWORD}").is_none());
//! ```

use std::ops::Range;
use std::sync::LazyLock;

use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// A kind of credential.
#[derive(Debug, PartialEq, Eq)]
pub struct SecretKind {
    pub id: &'static str,
    pub description: &'static str,
}

/// A credential found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    pub kind: &'static SecretKind,
    /// Byte range of the secret in the scanned text.
    pub span: Range<usize>,
}

macro_rules! kinds {
    ($( $name:ident = $id:literal, $desc:literal, $re:literal; )*) => {
        $( pub static $name: SecretKind = SecretKind { id: $id, description: $desc }; )*
        static PATTERNS: &[(&SecretKind, &str)] = &[ $( (&$name, $re), )* ];
    };
}

kinds! {
    PRIVATE_KEY = "private-key", "a private key", r"-----BEGIN[ A-Z0-9]{0,30} PRIVATE KEY(?: BLOCK)?-----";
    AWS_ACCESS_KEY_ID = "aws-access-key-id", "an AWS access key ID", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b";
    GITHUB_TOKEN = "github-token", "a GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b";
    GITLAB_TOKEN = "gitlab-token", "a GitLab token", r"\bgl(?:pat|ptt|dt|rt|cbt|imt|agent|oas|ft)-[A-Za-z0-9_\-]{20,}";
    SLACK_TOKEN = "slack-token", "a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}";
    SLACK_WEBHOOK = "slack-webhook", "a Slack webhook URL", r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/]{20,}";
    STRIPE_KEY = "stripe-key", "a Stripe secret key", r"\b(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{24,}\b";
    GOOGLE_API_KEY = "google-api-key", "a Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b";
    GCP_SERVICE_ACCOUNT = "gcp-service-account", "a GCP service account key", r#""type"\s*:\s*"service_account""#;
    NPM_TOKEN = "npm-token", "an npm access token", r"\bnpm_[A-Za-z0-9]{36}\b";
    NPM_AUTH = "npmrc-auth", "an npm registry credential", r"_(?:authToken|auth|password)\s*=\s*[^\s$]{8,}";
    PYPI_TOKEN = "pypi-token", "a PyPI upload token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}";
    DOCKER_HUB_TOKEN = "dockerhub-token", "a Docker Hub access token", r"\bdckr_pat_[A-Za-z0-9_\-]{27,}";
    SENDGRID_KEY = "sendgrid-key", "a SendGrid API key", r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b";
    TWILIO_KEY = "twilio-key", "a Twilio API key", r"\bSK[0-9a-f]{32}\b";
    OPENAI_KEY = "openai-key", "an OpenAI API key", r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}";
    ANTHROPIC_KEY = "anthropic-key", "an Anthropic API key", r"\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_\-]{80,}";
    HUGGINGFACE_TOKEN = "huggingface-token", "a Hugging Face token", r"\bhf_[A-Za-z]{34}\b";
    AZURE_STORAGE_KEY = "azure-storage-key", "an Azure storage account key", r"AccountKey=[A-Za-z0-9+/]{86}==";
    JWT = "jwt", "a JSON Web Token", r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}";
    URL_CREDENTIALS = "url-credentials", "a password in a URL", r"\b[a-z][a-z0-9+.\-]{1,20}://[^/\s:@$]{1,64}:[^/\s@]{3,128}@[^\s/]";
}

/// A password, token or key given as a literal in a `NAME=value` setting.
pub static ASSIGNED_PASSWORD: SecretKind = SecretKind { id: "password", description: "a password" };
pub static ASSIGNED_SECRET: SecretKind = SecretKind { id: "secret-value", description: "a secret token or key" };

// Every pattern is ASCII: byte regexes without Unicode classes compile several times faster
// (this runs once per process, so it is start-up time on every invocation).
static SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSetBuilder::new(PATTERNS.iter().map(|(_, re)| *re))
        .unicode(false)
        .build()
        .unwrap_or_else(|_| RegexSet::empty())
});
static REGEXES: LazyLock<Vec<Option<Regex>>> =
    LazyLock::new(|| PATTERNS.iter().map(|(_, re)| RegexBuilder::new(re).unicode(false).build().ok()).collect());

/// Every credential pattern found in `text`, in order of position.
pub fn scan_text(text: &str) -> Vec<SecretMatch> {
    let mut out = Vec::new();
    for i in SET.matches(text.as_bytes()).iter() {
        let Some(Some(re)) = REGEXES.get(i) else { continue };
        let kind = PATTERNS[i].0;
        for m in re.find_iter(text.as_bytes()) {
            // A byte pattern may stop inside a multi-byte character: widen to whole characters.
            let mut start = m.start();
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = m.end();
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let found = &text[start..end];
            if kind == &URL_CREDENTIALS && !url_password_is_literal(found) {
                continue;
            }
            if kind == &NPM_AUTH && found.contains("${") {
                continue;
            }
            out.push(SecretMatch { kind, span: start..end });
        }
    }
    out.sort_by_key(|m| (m.span.start, m.span.end));
    out.dedup_by(|a, b| a.span.start < b.span.end && b.span.start < a.span.end);
    out
}

fn url_password_is_literal(m: &str) -> bool {
    let Some(rest) = m.split_once("://").map(|(_, r)| r) else { return false };
    let Some((_, password)) = rest.split_once(':') else { return false };
    let password = password.split('@').next().unwrap_or("");
    !is_reference(password) && !is_placeholder(password)
}

/// Why a `NAME=value` setting holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub kind: &'static SecretKind,
    /// Byte range of the secret within `value`.
    pub span: Range<usize>,
}

const PUBLIC_MARKERS: &[&str] =
    &["GPG", "PGP", "PUBLIC", "PUBKEY", "FINGERPRINT", "KEYRING", "KEYSERVER", "KEY_ID", "KEYID"];
const NOT_A_VALUE_SUFFIXES: &[&str] = &[
    "_FILE",
    "_PATH",
    "_DIR",
    "_FILENAME",
    "_LOCATION",
    "_LENGTH",
    "_LEN",
    "_SIZE",
    "_TTL",
    "_TIMEOUT",
    "_EXPIRY",
    "_EXPIRE",
    "_EXPIRES",
    "_EXPIRATION",
    "_AGE",
    "_ENABLED",
    "_DISABLED",
    "_REQUIRED",
    "_POLICY",
    "_TYPE",
    "_MODE",
    "_URL_PATH",
    "_ENDPOINT",
    "_HEADER",
    "_NAME",
    "_VAR",
    "_ENV",
    "_FORMAT",
    "_ALGORITHM",
    "_ALG",
    "_ROTATION",
    "_COST",
    "_ROUNDS",
    "_HASH_ALGORITHM",
    "_MIN",
    "_MAX",
    "_RESET_URL",
    "_COMMAND",
    "_CMD",
    "_SCRIPT",
    "_HOST",
    "_PORT",
    "_USER",
    "_USERNAME",
    "_ID",
    "_REGION",
];

fn name_tokens(name: &str) -> Vec<String> {
    // Split on separators and camelCase boundaries: `dbPassword` → [DB, PASSWORD].
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

enum NameClass {
    Password,
    Secret,
}

fn classify_name(name: &str) -> Option<NameClass> {
    let upper = name.to_ascii_uppercase();
    if PUBLIC_MARKERS.iter().any(|m| upper.contains(m)) {
        return None;
    }
    let normalized = name_tokens(name).join("_");
    if NOT_A_VALUE_SUFFIXES.iter().any(|s| normalized.ends_with(s)) {
        return None;
    }
    let tokens = name_tokens(name);
    let has = |t: &str| tokens.iter().any(|x| x == t);
    if has("PASSWORD") || has("PASSWD") || has("PASS") || has("PWD") || has("PASSPHRASE") {
        // `PWD` alone is the working directory.
        if normalized == "PWD" || normalized == "OLDPWD" {
            return None;
        }
        return Some(NameClass::Password);
    }
    let joined = tokens.join("");
    let secretish = has("SECRET")
        || has("TOKEN")
        || has("CREDENTIAL")
        || has("CREDENTIALS")
        || has("APIKEY")
        || has("AUTHTOKEN")
        || joined.contains("APIKEY")
        || joined.contains("ACCESSKEY")
        || joined.contains("PRIVATEKEY")
        || joined.contains("SECRETKEY")
        || joined.contains("CLIENTSECRET")
        || joined.contains("ENCRYPTIONKEY")
        || joined.contains("SIGNINGKEY")
        || joined.contains("MASTERKEY")
        || joined.contains("LICENSEKEY")
        || joined.contains("AUTHKEY")
        || joined.contains("SESSIONKEY");
    secretish.then_some(NameClass::Secret)
}

/// `$VAR`, `${VAR}`, `$(cmd)`, `/run/secrets/x`, `@/path`, `file:…`, `vault:…`: the value
/// points at a secret rather than being one.
fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.starts_with('$')
        || v.contains("${")
        || v.contains("$(")
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || v.starts_with('@')
        || v.starts_with("file:")
        || v.starts_with("vault:")
        || v.starts_with("secret:")
        || v.starts_with("env:")
        || v.starts_with("{{")
        || v.starts_with("arn:aws:secretsmanager")
        || v.starts_with("projects/") && v.contains("/secrets/")
}

fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('[') && v.ends_with(']'))
        || (v.starts_with("%(") || v.starts_with('%') && v.ends_with('%'))
        || v.chars().all(|c| c == '*' || c == 'x' || c == 'X' || c == '.' || c == '-' || c == '_' || c == '#')
        || matches!(
            lower.as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "none"
                | "null"
                | "nil"
                | "empty"
                | "unset"
                | "disabled"
                | "enabled"
                | "required"
                | "optional"
                | "redacted"
                | "dummy"
                | "fake"
                | "placeholder"
                | "secret"
                | "password"
                | "token"
        )
        || lower.starts_with("your")
        || lower.starts_with("insert")
        || lower.starts_with("replace")
        || lower.starts_with("example")
        || lower.ends_with("_here")
        || lower.ends_with("-here")
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

fn looks_generated(value: &str) -> bool {
    value.len() >= 16 && entropy(value) >= 3.2 && !value.contains(' ')
        // Durations, sizes and version strings are not tokens.
        && !value.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == ':')
}

/// Whether the setting `name=value` (an `ENV`, `ARG` default, environment variable or
/// config entry) holds a literal credential. Known token formats are reported whatever the
/// name; password-like names report any literal value; token- and key-like names report
/// values that look generated (long, high entropy).
pub fn assess_setting(name: &str, value: &str) -> Option<Assessment> {
    let trimmed_start = value.len() - value.trim_start().len();
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Some(m) = scan_text(v).into_iter().next() {
        let span = m.span.start + trimmed_start..m.span.end + trimmed_start;
        if !classify_public(name) {
            return Some(Assessment { kind: m.kind, span });
        }
    }
    if is_reference(v) || is_placeholder(v) {
        return None;
    }
    let span = trimmed_start..trimmed_start + v.len();
    match classify_name(name)? {
        NameClass::Password if v.chars().count() >= 3 => Some(Assessment { kind: &ASSIGNED_PASSWORD, span }),
        NameClass::Secret if looks_generated(v) => Some(Assessment { kind: &ASSIGNED_SECRET, span }),
        _ => None,
    }
}

/// Whether the name says the value is public key material, so even a value shaped like a
/// token is not a secret. Narrower than [`PUBLIC_MARKERS`]: `AWS_ACCESS_KEY_ID` holds an
/// access key ID, which is a credential, although its name ends in `KEY_ID`.
fn classify_public(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["GPG", "PGP", "PUBLIC", "PUBKEY", "FINGERPRINT"].iter().any(|m| upper.contains(m))
}

/// Whether a variable name suggests it carries a credential (for build arguments that are
/// declared without a value and used by `RUN`).
pub fn is_secret_name(name: &str) -> bool {
    classify_name(name).is_some()
}

/// `AKIA…MPLE`: enough to recognise a secret in a message without repeating it.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len().max(3));
    }
    let head: String = chars[..4].iter().collect();
    format!("{head}…({} chars)", chars.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_formats() {
        let cases = [
            ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "github-token"),
            ("glpat-abcdefghij0123456789", "gitlab-token"),
            ("xoxb-1234567890-abcdefghij", "slack-token"),
            ("sk_live_0123456789abcdefghijklmn", "stripe-key"),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "private-key"),
            ("-----BEGIN RSA PRIVATE KEY-----", "private-key"),
            ("AIzaSyA1234567890abcdefghijklmnopqrstuv", "google-api-key"),
            ("npm_0123456789abcdefghijABCDEFGHIJ012345", "npm-token"),
            ("//registry.npmjs.org/:_authToken=abcdef0123456789", "npmrc-auth"),
            ("https://user:hunter22@example.com/repo.git", "url-credentials"),
            ("dckr_pat_abcdefghijklmnopqrstuvwxyz0", "dockerhub-token"),
        ];
        for (text, id) in cases {
            let found = scan_text(text);
            assert_eq!(found.first().map(|m| m.kind.id), Some(id), "{text}");
        }
    }

    #[test]
    fn references_and_placeholders_are_not_secrets() {
        assert!(scan_text("https://user:${TOKEN}@example.com").is_empty());
        assert!(scan_text("https://example.com:8443/path").is_empty());
        assert!(scan_text("//registry.npmjs.org/:_authToken=${NPM_TOKEN}").is_empty());
        assert!(scan_text("postgresql://dummy:dummy@127.0.0.1/app").is_empty());
        for v in ["$SECRET", "${API_TOKEN}", "/run/secrets/db", "<your-token>", "xxxxxxxx", "true", "", "dummy"] {
            assert!(assess_setting("API_TOKEN", v).is_none(), "{v}");
            assert!(assess_setting("DB_PASSWORD", v).is_none(), "{v}");
        }
    }

    #[test]
    fn names_decide_for_generic_values() {
        assert!(assess_setting("DB_PASSWORD", "hunter2").is_some());
        assert!(assess_setting("dbPassword", "hunter2").is_some());
        assert!(assess_setting("POSTGRES_PASSWORD_FILE", "/run/secrets/pg").is_none());
        assert!(assess_setting("PASSWORD_MIN_LENGTH", "12").is_none());
        assert!(assess_setting("TOKEN_TTL", "3600").is_none());
        assert!(assess_setting("API_TOKEN", "short").is_none());
        assert!(assess_setting("API_TOKEN", "q8Zr2LxV0pKf7TgW3nYb").is_some());
        assert!(assess_setting("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").is_some());
        assert!(assess_setting("PWD", "/app").is_none());
        assert!(assess_setting("PATH", "/usr/local/sbin:/usr/local/bin").is_none());
    }

    #[test]
    fn access_key_ids_are_secrets_whatever_the_name() {
        assert!(assess_setting("AWS_ACCESS_KEY_ID", "AKIA2FMLJHQOG7SA57YL").is_some());
        assert!(assess_setting("GPG_KEY_ID", "A035C8C19219BA82").is_none());
    }

    #[test]
    fn public_keys_are_not_secrets() {
        for name in ["GPG_KEY", "GPG_KEYS", "NODE_GPG_KEYS", "PYTHON_GPG_KEY", "RUBY_PUBLIC_KEY", "KEY_FINGERPRINT"] {
            assert!(assess_setting(name, "A035C8C19219BA821ECEA86B64E628F8D684696D").is_none(), "{name}");
        }
    }

    #[test]
    fn matches_end_on_character_boundaries() {
        for m in scan_text("https://user:pässwörd@example.com/x and xoxb-123456789é-abc") {
            assert!(m.span.end <= 60);
        }
        let text = "//registry.npmjs.org/:_authToken=abcdéfgh0123456789";
        for m in scan_text(text) {
            assert!(text.is_char_boundary(m.span.start) && text.is_char_boundary(m.span.end));
        }
    }

    #[test]
    fn redaction_hides_the_value() {
        assert_eq!(redact("AKIAIOSFODNN7EXAMPLE"), "AKIA…(20 chars)");
        assert_eq!(redact("abc"), "***");
    }
}

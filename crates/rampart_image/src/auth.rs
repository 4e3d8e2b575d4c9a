//! Registry credentials, found where `docker` and `podman` keep them: an explicit override,
//! podman's `auth.json` (`$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`), the
//! Docker `config.json` (`$DOCKER_CONFIG/config.json`, `~/.docker/config.json`) with its inline
//! `auths`, `credHelpers` and `credsStore`.
//!
//! Parsing is pure ([`lookup_in_config`], [`parse_helper_output`]); only [`find`] reads files,
//! the environment and runs credential helpers.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;

pub use crate::Credentials;

/// The key Docker files Docker Hub credentials under.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// Config files and helper answers are small; anything larger is refused.
const MAX_AUTH_FILE_BYTES: u64 = 4 << 20;
const MAX_HELPER_OUTPUT: u64 = 64 << 10;
const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// Credentials and where they came from (for messages: "unauthorized with credentials from …").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// `None`: anonymous.
    pub credentials: Option<Credentials>,
    /// Human description of the source, or of the places searched when anonymous.
    pub source: String,
}

/// What a config file says for a registry: inline credentials, or a helper to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Inline(Credentials),
    Helper(String),
}

#[derive(serde::Deserialize, Default)]
struct ConfigFile {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: HashMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default, rename = "identitytoken")]
    identity_token: Option<String>,
}

/// The key a registry host is filed under as Docker normalises it: scheme and path dropped
/// (`https://host:5000/v1/` → `host:5000`); every Docker Hub spelling becomes `docker.io`.
pub fn normalise_host(key: &str) -> String {
    let rest = key.strip_prefix("https://").or_else(|| key.strip_prefix("http://")).unwrap_or(key);
    let host = rest.split('/').next().unwrap_or(rest).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" | "docker.io" => "docker.io".into(),
        _ => host,
    }
}

/// What the server name is, as credential helpers expect it on stdin.
pub fn helper_server_url(host: &str) -> String {
    if normalise_host(host) == "docker.io" { DOCKER_HUB_KEY.to_string() } else { host.to_string() }
}

/// Looks `host` up in a Docker `config.json` or podman `auth.json`. `Ok(None)` when the file
/// says nothing about it.
pub fn lookup_in_config(json: &[u8], host: &str) -> Result<Option<Entry>, String> {
    let config: ConfigFile = serde_json::from_slice(json)
        .map_err(|e| format!("invalid JSON at line {}, column {}: {e}", e.line(), e.column()))?;
    let wanted = normalise_host(host);
    let matches = |key: &String| normalise_host(key) == wanted;
    if let Some((_, helper)) = config.cred_helpers.iter().find(|(k, _)| matches(k)) {
        return Ok(Some(Entry::Helper(helper.clone())));
    }
    // An exact key wins over a normalised one (`host` and `https://host/v1/` both present).
    let entry = config.auths.get(host).or_else(|| {
        let mut keys: Vec<&String> = config.auths.keys().filter(|k| matches(k)).collect();
        keys.sort();
        keys.first().and_then(|k| config.auths.get(*k))
    });
    if let Some(entry) = entry
        && let Some(credentials) = inline_credentials(entry)?
    {
        return Ok(Some(Entry::Inline(credentials)));
    }
    Ok(config.creds_store.filter(|s| !s.is_empty()).map(Entry::Helper))
}

fn inline_credentials(entry: &AuthEntry) -> Result<Option<Credentials>, String> {
    let non_empty = |s: &Option<String>| s.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(auth) = non_empty(&entry.auth) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|e| format!("`auth` is not base64: {e}"))?;
        let text = String::from_utf8(decoded).map_err(|_| "`auth` is not UTF-8 once decoded".to_string())?;
        let (username, password) =
            text.split_once(':').ok_or_else(|| "`auth` does not decode to USER:PASSWORD".to_string())?;
        return Ok(Some(Credentials { username: username.into(), password: password.into() }));
    }
    if let Some(token) = non_empty(&entry.identity_token) {
        // An identity token stands in for the password (as Azure and Docker use it).
        let username = non_empty(&entry.username).unwrap_or_else(|| "<token>".into());
        return Ok(Some(Credentials { username, password: token }));
    }
    match (non_empty(&entry.username), non_empty(&entry.password)) {
        (Some(username), Some(password)) => Ok(Some(Credentials { username, password })),
        _ => Ok(None),
    }
}

#[derive(serde::Deserialize)]
struct HelperOutput {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

/// Parses what `docker-credential-NAME get` prints: `{"ServerURL":…,"Username":…,"Secret":…}`.
pub fn parse_helper_output(bytes: &[u8]) -> Result<Credentials, String> {
    let out: HelperOutput = serde_json::from_slice(bytes).map_err(|e| format!("unexpected output: {e}"))?;
    if out.secret.is_empty() {
        return Err("returned no secret".into());
    }
    Ok(Credentials { username: out.username, password: out.secret })
}

/// Where credentials are looked for, in order (podman first, as podman and skopeo do).
pub fn config_files() -> Vec<(PathBuf, &'static str)> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let mut files = Vec::new();
    if let Some(file) = env("REGISTRY_AUTH_FILE") {
        files.push((file, "$REGISTRY_AUTH_FILE"));
    } else if let Some(dir) = env("XDG_RUNTIME_DIR") {
        files.push((dir.join("containers/auth.json"), "podman auth.json"));
    }
    if let Some(dir) = env("DOCKER_CONFIG") {
        files.push((dir.join("config.json"), "$DOCKER_CONFIG/config.json"));
    } else if let Some(home) = env("HOME") {
        files.push((home.join(".docker/config.json"), "~/.docker/config.json"));
    }
    files
}

/// Finds credentials for `host` (`registry.example`, `localhost:5000`, `docker.io`) in
/// `auth_file` when given, else in [`config_files`]. A file that exists but does not parse is
/// an error: silently going anonymous would hide it.
pub fn find(host: &str, auth_file: Option<&Path>) -> Result<Found, String> {
    let files = match auth_file {
        Some(file) => vec![(file.to_path_buf(), "--authfile")],
        None => config_files(),
    };
    for (file, _) in &files {
        let Some(bytes) = read_small(file)? else {
            if auth_file.is_some() {
                return Err(format!("{}: no such file", file.display()));
            }
            continue;
        };
        let entry = lookup_in_config(&bytes, host).map_err(|e| format!("{}: {e}", file.display()))?;
        match entry {
            None => continue,
            Some(Entry::Inline(credentials)) => {
                return Ok(Found { credentials: Some(credentials), source: format!("{}", file.display()) });
            }
            Some(Entry::Helper(name)) => {
                let source = format!("docker-credential-{name} (named in {})", file.display());
                match run_helper(&name, &helper_server_url(host)) {
                    Ok(Some(credentials)) => return Ok(Found { credentials: Some(credentials), source }),
                    Ok(None) => continue,
                    Err(e) => return Err(format!("{source}: {e}")),
                }
            }
        }
    }
    let searched: Vec<String> = files.iter().map(|(f, _)| f.display().to_string()).collect();
    let source = if searched.is_empty() {
        "anonymous (no credential files: HOME, DOCKER_CONFIG and XDG_RUNTIME_DIR are unset)".to_string()
    } else {
        format!("anonymous (no credentials for {host} in {})", searched.join(", "))
    };
    Ok(Found { credentials: None, source })
}

fn read_small(file: &Path) -> Result<Option<Vec<u8>>, String> {
    let handle = match std::fs::File::open(file) {
        Ok(h) => h,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", file.display())),
    };
    let mut bytes = Vec::new();
    handle.take(MAX_AUTH_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    if bytes.len() as u64 > MAX_AUTH_FILE_BYTES {
        return Err(format!("{}: larger than {MAX_AUTH_FILE_BYTES} bytes", file.display()));
    }
    Ok(Some(bytes))
}

/// Runs `docker-credential-NAME get` with the server on stdin. `Ok(None)` when the helper
/// knows no credentials for it.
fn run_helper(name: &str, server: &str) -> Result<Option<Credentials>, String> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
        return Err(format!("`{name}` is not a credential helper name"));
    }
    let program = format!("docker-credential-{name}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading makes this fail; its exit status says more.
        let _ = stdin.write_all(server.as_bytes());
    }
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(stdout) = stdout {
            let _ = stdout.take(MAX_HELPER_OUTPUT + 1).read_to_end(&mut out);
        }
        out
    });
    let deadline = Instant::now() + HELPER_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{program} did not answer within {} s", HELPER_TIMEOUT.as_secs()));
            }
            Err(e) => return Err(format!("{program}: {e}")),
        }
    };
    let out = reader.join().unwrap_or_default();
    if out.len() as u64 > MAX_HELPER_OUTPUT {
        return Err(format!("{program} printed more than {MAX_HELPER_OUTPUT} bytes"));
    }
    if !status.success() {
        let text = String::from_utf8_lossy(&out);
        if text.contains("credentials not found") {
            return Ok(None);
        }
        return Err(format!("{program} get failed ({status}): {}", text.trim()));
    }
    parse_helper_output(&out).map(Some).map_err(|e| format!("{program}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(u: &str, p: &str) -> Option<Entry> {
        Some(Entry::Inline(Credentials { username: u.into(), password: p.into() }))
    }

    #[test]
    fn normalises_hosts_as_docker_does() {
        assert_eq!(normalise_host("https://index.docker.io/v1/"), "docker.io");
        assert_eq!(normalise_host("registry-1.docker.io"), "docker.io");
        assert_eq!(normalise_host("http://LocalHost:5000/v2/"), "localhost:5000");
        assert_eq!(normalise_host("ghcr.io"), "ghcr.io");
        assert_eq!(helper_server_url("index.docker.io"), DOCKER_HUB_KEY);
        assert_eq!(helper_server_url("127.0.0.1:5000"), "127.0.0.1:5000");
    }

    #[test]
    fn inline_auth_username_password_and_identity_token() {
        // "alice:s3cr:et" — the password may hold a colon.
        let json = br#"{"auths": {
            "https://index.docker.io/v1/": {"auth": "YWxpY2U6czNjcjpldA=="},
            "127.0.0.1:5000": {"username": "bob", "password": "pw"},
            "myregistry.azurecr.io": {"auth": "", "identitytoken": "refresh"},
            "empty.example": {}
        }}"#;
        assert_eq!(lookup_in_config(json, "docker.io").unwrap(), creds("alice", "s3cr:et"));
        assert_eq!(lookup_in_config(json, "index.docker.io").unwrap(), creds("alice", "s3cr:et"));
        assert_eq!(lookup_in_config(json, "127.0.0.1:5000").unwrap(), creds("bob", "pw"));
        assert_eq!(lookup_in_config(json, "myregistry.azurecr.io").unwrap(), creds("<token>", "refresh"));
        assert_eq!(lookup_in_config(json, "empty.example").unwrap(), None);
        // Port matters: 127.0.0.1:5001 is another registry.
        assert_eq!(lookup_in_config(json, "127.0.0.1:5001").unwrap(), None);
    }

    #[test]
    fn helpers_per_registry_then_inline_then_store() {
        let json = br#"{"auths": {"a.example": {"auth": "dTpw"}, "gcr.io": {}},
            "credHelpers": {"gcr.io": "gcloud"}, "credsStore": "desktop"}"#;
        assert_eq!(lookup_in_config(json, "gcr.io").unwrap(), Some(Entry::Helper("gcloud".into())));
        assert_eq!(lookup_in_config(json, "a.example").unwrap(), creds("u", "p"));
        assert_eq!(lookup_in_config(json, "b.example").unwrap(), Some(Entry::Helper("desktop".into())));
    }

    #[test]
    fn hostile_files_are_errors_not_panics() {
        assert!(lookup_in_config(b"{", "x").unwrap_err().contains("line 1"));
        assert!(lookup_in_config(br#"{"auths": {"x": {"auth": "!!"}}}"#, "x").unwrap_err().contains("base64"));
        // "nocolon"
        assert!(lookup_in_config(br#"{"auths": {"x": {"auth": "bm9jb2xvbg=="}}}"#, "x").is_err());
        assert!(lookup_in_config(br#"{"auths": []}"#, "x").is_err());
        assert_eq!(lookup_in_config(b"{}", "x").unwrap(), None);
    }

    #[test]
    fn helper_output() {
        let out = br#"{"ServerURL":"https://index.docker.io/v1/","Username":"alice","Secret":"tok"}"#;
        assert_eq!(parse_helper_output(out).unwrap(), Credentials { username: "alice".into(), password: "tok".into() });
        assert!(parse_helper_output(br#"{"Username":"a","Secret":""}"#).is_err());
        assert!(parse_helper_output(b"credentials not found in native keychain").is_err());
        assert!(run_helper("../evil", "x").is_err());
    }

    #[test]
    fn credentials_debug_redacts_the_password() {
        let text = format!("{:?}", Credentials { username: "u".into(), password: "hunter2".into() });
        assert!(!text.contains("hunter2"), "{text}");
    }
}

//! Which kind of file a path or a text is.

use std::path::Path;

/// The artifacts rampart checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Dockerfile,
    /// YAML or JSON holding Kubernetes objects (`apiVersion` and `kind`), one or many.
    Kubernetes,
    /// A Compose file: a top-level `services:` mapping.
    Compose,
    /// An OCI runtime configuration (`config.json` of a bundle): a JSON object with
    /// `ociVersion`.
    OciRuntime,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "Dockerfile",
            FileKind::Kubernetes => "Kubernetes manifest",
            FileKind::Compose => "Compose file",
            FileKind::OciRuntime => "OCI runtime config",
        }
    }

    /// Read as YAML (or JSON) into the posture model, checked by the manifest rules.
    pub fn is_manifest(self) -> bool {
        matches!(self, FileKind::Kubernetes | FileKind::Compose | FileKind::OciRuntime)
    }
}

/// Extensions that mark a `Dockerfile.*` name as something else (docs, scripts, backups).
const NOT_DOCKERFILE_EXTENSIONS: &[&str] = &[
    "md",
    "txt",
    "rst",
    "adoc",
    "json",
    "yaml",
    "yml",
    "toml",
    "sh",
    "bash",
    "py",
    "ps1",
    "dockerignore",
    "orig",
    "bak",
    "rej",
    "swp",
    "patch",
    "diff",
    "html",
    "lock",
    "sum",
    "go",
    "rs",
    "js",
    "ts",
];

/// Recognises a file by its name alone (used when walking directories).
pub fn by_name(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let extension = lower.rsplit_once('.').map(|(_, e)| e);
    let dockerfile_name = lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || ((lower.starts_with("dockerfile.") || lower.starts_with("containerfile."))
            && !extension.is_some_and(|e| NOT_DOCKERFILE_EXTENSIONS.contains(&e)))
        || ((lower.starts_with("dockerfile-") || lower.starts_with("dockerfile_")) && !lower.contains('.'));
    if dockerfile_name {
        return Some(FileKind::Dockerfile);
    }
    // The names `docker compose` looks for, and the `-f` files named after them.
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    let compose_name = yaml && (lower.starts_with("compose.") || lower.starts_with("docker-compose."));
    compose_name.then_some(FileKind::Compose)
}

/// Whether a file not recognised by name should be read to find out what it is: a walk
/// reads YAML and JSON files, and files without an extension (`docker/prod`).
pub fn worth_sniffing(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    if name.starts_with('.') {
        return false;
    }
    match name.rsplit_once('.') {
        None => true,
        Some((_, ext)) => matches!(ext.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"),
    }
}

/// A YAML or JSON text with a top-level `apiVersion` and `kind` (in any of its documents).
fn looks_like_kubernetes(text: &str) -> bool {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return trimmed.contains("\"apiVersion\"") && trimmed.contains("\"kind\"");
    }
    let (mut api, mut kind) = (false, false);
    for line in text.lines() {
        if line.starts_with("---") {
            if api && kind {
                return true;
            }
            (api, kind) = (false, false);
        }
        api |= line.starts_with("apiVersion:");
        kind |= line.starts_with("kind:");
    }
    api && kind
}

/// A JSON object with `ociVersion` and one of the sections of a runtime configuration (the
/// runtime's `state` output has `ociVersion` too, but none of those).
fn looks_like_oci(text: &str) -> bool {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    trimmed.starts_with('{')
        && trimmed.contains("\"ociVersion\"")
        && ["\"process\"", "\"root\"", "\"linux\"", "\"mounts\""].iter().any(|k| trimmed.contains(k))
}

/// A top-level `services:` mapping (not a list: GitLab CI and Travis have a `services:` list
/// of images) and a service-level `image:` or `build:`, which every Compose service has
/// (directly or through an `x-` anchor).
fn looks_like_compose(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        return trimmed.contains("\"services\"") && (trimmed.contains("\"image\"") || trimmed.contains("\"build\""));
    }
    let lines: Vec<&str> = text.lines().collect();
    let content = |l: &&&str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let header = lines.iter().enumerate().any(|(i, line)| {
        let Some(rest) = line.strip_prefix("services:") else { return false };
        let rest = rest.trim();
        if rest.starts_with('{') {
            return true;
        }
        if !(rest.is_empty() || rest.starts_with('#')) {
            return false;
        }
        lines[i + 1..]
            .iter()
            .find(content)
            .is_some_and(|next| next.starts_with([' ', '\t']) && !next.trim_start().starts_with('-'))
    });
    let service_key = |l: &&str| {
        let t = l.trim_start();
        let key = |t: &str| t.starts_with("image:") || t.starts_with("build:");
        (t.len() < l.len() && key(t)) || (t.contains('{') && (t.contains("image:") || t.contains("build:")))
    };
    header && lines.iter().any(service_key)
}

/// Recognises a text by its content: a Dockerfile's first instruction is `FROM`, or `ARG`s
/// followed by `FROM`; Kubernetes objects have `apiVersion` and `kind`; an OCI runtime
/// configuration is a JSON object with `ociVersion`; a Compose file has a top-level
/// `services:` mapping.
pub fn by_content(text: &str) -> Option<FileKind> {
    if looks_like_kubernetes(text) {
        return Some(FileKind::Kubernetes);
    }
    if looks_like_oci(text) {
        return Some(FileKind::OciRuntime);
    }
    // Before Compose: a Dockerfile may write a Compose file in a heredoc.
    if looks_like_dockerfile(text) {
        return Some(FileKind::Dockerfile);
    }
    looks_like_compose(text).then_some(FileKind::Compose)
}

/// The first instruction is `FROM`, or `ARG`s followed by `FROM`.
fn looks_like_dockerfile(text: &str) -> bool {
    let mut saw_arg = false;
    for line in text.lines().take(200) {
        let t = line.trim_start_matches('\u{feff}').trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let word = t.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        match word.as_str() {
            "FROM" => return true,
            "ARG" => saw_arg = true,
            _ if saw_arg && line.starts_with([' ', '\t']) => {}
            _ => return false,
        }
    }
    false
}

/// By name first, then by content.
pub fn recognize(path: Option<&Path>, text: &str) -> Option<FileKind> {
    path.and_then(by_name).or_else(|| by_content(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "app.Dockerfile",
            "Dockerfile.prod",
            "Dockerfile-dev",
            "x.containerfile",
        ] {
            assert_eq!(by_name(Path::new(n)), Some(FileKind::Dockerfile), "{n}");
        }
        for n in ["Dockerfile.md", "Dockerfile.dockerignore", "README", "dockerfile.sh", "Dockerfile-dev.yaml"] {
            assert_eq!(by_name(Path::new(n)), None, "{n}");
        }
    }

    #[test]
    fn content() {
        assert_eq!(by_content("# c\n\nFROM x\n"), Some(FileKind::Dockerfile));
        assert_eq!(by_content("ARG A=1\nARG B\nfrom x\n"), Some(FileKind::Dockerfile));
        assert_eq!(by_content("apiVersion: v1\n"), None);
        assert_eq!(by_content("apiVersion: v1\nkind: Pod\n"), Some(FileKind::Kubernetes));
        assert_eq!(by_content("# c\n---\napiVersion: apps/v1\nkind: Deployment\n"), Some(FileKind::Kubernetes));
        assert_eq!(by_content("{\"apiVersion\": \"v1\", \"kind\": \"List\"}"), Some(FileKind::Kubernetes));
        assert_eq!(by_content("name: ci\non: push\n"), None);
        assert_eq!(by_content(""), None);
    }

    #[test]
    fn compose_names() {
        for n in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.yaml",
            "docker-compose.override.yml",
            "docker-compose.prod.yaml",
            "compose.dev.yaml",
            "Docker-Compose.YML",
        ] {
            assert_eq!(by_name(Path::new(n)), Some(FileKind::Compose), "{n}");
        }
        for n in
            ["compose.json", "my-compose.yml", "docker-compose.yml.bak", "compose.txt", "composer.yaml", "config.json"]
        {
            assert_eq!(by_name(Path::new(n)), None, "{n}");
        }
    }

    #[test]
    fn compose_content() {
        let compose = "# app\nname: shop\nservices:\n  web:\n    image: nginx:1.27\n";
        assert_eq!(by_content(compose), Some(FileKind::Compose));
        assert_eq!(by_content("\u{feff}services:\n  api:\n    build: .\n"), Some(FileKind::Compose));
        assert_eq!(by_content("services: {web: {image: nginx}}\n"), Some(FileKind::Compose));
        assert_eq!(
            by_content("x-base: &base\n  image: app:1\nservices:\n  # the web\n  web:\n    <<: *base\n"),
            Some(FileKind::Compose)
        );
        assert_eq!(by_content("{\"services\": {\"web\": {\"image\": \"nginx\"}}}"), Some(FileKind::Compose));
        // GitLab CI and Travis: a top-level list of service images.
        assert_eq!(by_content("image: ruby:3\nservices:\n  - postgres:16\ntest:\n  script: rake\n"), None);
        assert_eq!(by_content("language: go\nservices: [docker]\n"), None);
        // A nested `services:` is not a Compose file, nor one without an image or build.
        assert_eq!(by_content("app:\n  services:\n    web:\n      image: x\n"), None);
        assert_eq!(by_content("services:\n  api:\n    url: https://example.com\n"), None);
        // A Dockerfile writing a Compose file is a Dockerfile.
        assert_eq!(
            by_content("FROM alpine\nRUN cat > /compose.yaml <<EOF\nservices:\n  web:\n    image: x\nEOF\n"),
            Some(FileKind::Dockerfile)
        );
        // Kubernetes wins: a manifest is never read as Compose.
        assert_eq!(
            by_content("apiVersion: v1\nkind: ConfigMap\ndata:\n  x: y\nservices:\n  web:\n    image: x\n"),
            Some(FileKind::Kubernetes)
        );
    }

    #[test]
    fn oci_content() {
        let config = "{\n\t\"ociVersion\": \"1.0.2-dev\",\n\t\"process\": {\"user\": {\"uid\": 0, \"gid\": 0}}\n}";
        assert_eq!(by_content(config), Some(FileKind::OciRuntime));
        assert_eq!(
            by_content("{\"ociVersion\": \"1.1.0\", \"root\": {\"path\": \"rootfs\"}}"),
            Some(FileKind::OciRuntime)
        );
        // The runtime's `state` output, and any other JSON, are not configurations.
        assert_eq!(
            by_content("{\"ociVersion\": \"1.0.2\", \"id\": \"c1\", \"status\": \"running\", \"pid\": 4}"),
            None
        );
        assert_eq!(by_content("{\"name\": \"config\", \"process\": {}}"), None);
        // The name alone is not enough.
        assert_eq!(recognize(Some(Path::new("config.json")), "{\"debug\": true}"), None);
        assert!(FileKind::OciRuntime.is_manifest() && FileKind::Compose.is_manifest());
        assert!(!FileKind::Dockerfile.is_manifest());
    }
}

//! Which kind of file a path or a text is.

use std::path::Path;

/// The artifacts rampart checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Dockerfile,
    /// YAML or JSON holding Kubernetes objects (`apiVersion` and `kind`), one or many.
    Kubernetes,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "Dockerfile",
            FileKind::Kubernetes => "Kubernetes manifest",
        }
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
    dockerfile_name.then_some(FileKind::Dockerfile)
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

/// Recognises a text by its content: a Dockerfile's first instruction is `FROM`, or `ARG`s
/// followed by `FROM`; Kubernetes objects have `apiVersion` and `kind`.
pub fn by_content(text: &str) -> Option<FileKind> {
    if looks_like_kubernetes(text) {
        return Some(FileKind::Kubernetes);
    }
    let mut saw_arg = false;
    for line in text.lines().take(200) {
        let t = line.trim_start_matches('\u{feff}').trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let word = t.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        match word.as_str() {
            "FROM" => return Some(FileKind::Dockerfile),
            "ARG" => saw_arg = true,
            _ if saw_arg && line.starts_with([' ', '\t']) => {}
            _ => return None,
        }
    }
    None
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
}

//! Container image references: `[registry[:port]/]path[:tag][@digest]`.

use std::fmt;

/// A parsed image reference, as written (no defaults filled in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry host (with port) when the reference names one.
    pub registry: Option<String>,
    /// The repository path, as written: `debian`, `library/debian`, `org/app`.
    pub repository: String,
    pub tag: Option<String>,
    /// `algorithm:hex`.
    pub digest: Option<String>,
}

pub const DEFAULT_REGISTRY: &str = "docker.io";

impl ImageRef {
    /// Parses a reference; `None` when it is not one (empty, spaces, bad characters).
    ///
    /// ```
    /// use rampart_dockerfile::ImageRef;
    /// let r = ImageRef::parse("localhost:5000/team/app:1.2@sha256:abc").unwrap();
    /// assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
    /// assert_eq!(r.repository, "team/app");
    /// assert_eq!(r.tag.as_deref(), Some("1.2"));
    /// assert_eq!(ImageRef::parse("debian").unwrap().canonical_repository(), "docker.io/library/debian");
    /// ```
    pub fn parse(s: &str) -> Option<ImageRef> {
        if s.is_empty() || s.len() > 4096 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                let (alg, hex) = d.split_once(':')?;
                if alg.is_empty() || hex.is_empty() || !hex.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return None;
                }
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        let last_slash = rest.rfind('/');
        let (name, tag) = match rest.rfind(':') {
            Some(colon) if last_slash.is_none_or(|sl| colon > sl) => {
                (&rest[..colon], Some(rest[colon + 1..].to_string()))
            }
            _ => (rest, None),
        };
        if let Some(t) = &tag
            && (t.is_empty()
                || t.len() > 128
                || !t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        {
            return None;
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path)) if first.contains('.') || first.contains(':') || first == "localhost" => {
                (Some(first.to_string()), path.to_string())
            }
            _ => (None, name.to_string()),
        };
        if repository.is_empty()
            || repository.split('/').any(|c| c.is_empty())
            || !repository.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
        {
            return None;
        }
        Some(ImageRef { registry, repository, tag, digest })
    }

    /// The registry, `docker.io` when none is written.
    pub fn registry_or_default(&self) -> &str {
        self.registry.as_deref().unwrap_or(DEFAULT_REGISTRY)
    }

    /// `docker.io/library/debian` for `debian`.
    pub fn canonical_repository(&self) -> String {
        let registry = self.registry_or_default();
        let registry = if registry == "index.docker.io" || registry == "registry-1.docker.io" {
            DEFAULT_REGISTRY
        } else {
            registry
        };
        if registry == DEFAULT_REGISTRY && !self.repository.contains('/') {
            format!("{registry}/library/{}", self.repository)
        } else {
            format!("{registry}/{}", self.repository)
        }
    }

    /// The last path component: `debian` for `docker.io/library/debian`.
    pub fn short_name(&self) -> &str {
        self.repository.rsplit('/').next().unwrap_or(&self.repository)
    }

    pub fn is_scratch(&self) -> bool {
        self.registry.is_none() && self.repository == "scratch"
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = &self.registry {
            write!(f, "{r}/")?;
        }
        f.write_str(&self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let r = ImageRef::parse("gcr.io/distroless/static-debian12:nonroot").unwrap();
        assert_eq!(r.registry.as_deref(), Some("gcr.io"));
        assert_eq!(r.short_name(), "static-debian12");
        let r = ImageRef::parse("python:3.12-slim@sha256:0123abcd").unwrap();
        assert_eq!(r.tag.as_deref(), Some("3.12-slim"));
        assert_eq!(r.digest.as_deref(), Some("sha256:0123abcd"));
        assert_eq!(r.to_string(), "python:3.12-slim@sha256:0123abcd");
        let r = ImageRef::parse("localhost:5000/app").unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.canonical_repository(), "localhost:5000/app");
        assert!(ImageRef::parse("a b").is_none());
        assert!(ImageRef::parse("app:").is_none());
        assert!(ImageRef::parse("app@sha256").is_none());
        assert!(ImageRef::parse("").is_none());
        assert!(ImageRef::parse("scratch").unwrap().is_scratch());
    }
}

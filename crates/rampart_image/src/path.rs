//! Paths inside an image. Tar headers are untrusted: a name may be absolute, climb out with
//! `..`, repeat separators or carry bytes that are not UTF-8. Every path is normalised the
//! way containerd applies a layer (joined onto `/` and cleaned, so `..` stops at the root),
//! which means nothing can name a place outside the image, and the caller learns when a
//! header tried.

/// A normalised absolute path (`/`, `/etc/passwd`), and whether the raw name tried to climb
/// above the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalised {
    pub path: String,
    pub climbed_out: bool,
}

/// Paths longer than this are refused (Linux's PATH_MAX is 4096).
pub const MAX_PATH_BYTES: usize = 4096;

pub fn normalise(raw: &[u8]) -> Option<Normalised> {
    if raw.len() > MAX_PATH_BYTES || raw.contains(&0) {
        return None;
    }
    let text = String::from_utf8_lossy(raw);
    Some(normalise_under("/", &text))
}

/// Joins `relative` onto `base` (itself normalised) and cleans the result.
pub fn normalise_under(base: &str, relative: &str) -> Normalised {
    let mut parts: Vec<&str> = if relative.starts_with('/') { Vec::new() } else { split(base).collect() };
    let mut climbed_out = false;
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    climbed_out = true;
                }
            }
            other => parts.push(other),
        }
    }
    let mut path = String::with_capacity(relative.len() + 1);
    for part in &parts {
        path.push('/');
        path.push_str(part);
    }
    if path.is_empty() {
        path.push('/');
    }
    Normalised { path, climbed_out }
}

pub fn split(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|p| !p.is_empty())
}

/// `/a/b` → `/a`; `/a` → `/`.
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether `path` is `ancestor` or lies under it.
pub fn is_within(path: &str, ancestor: &str) -> bool {
    ancestor == "/"
        || path == ancestor
        || (path.len() > ancestor.len() && path.starts_with(ancestor) && path.as_bytes()[ancestor.len()] == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_like_containerd() {
        let n = |s: &str| normalise(s.as_bytes()).unwrap();
        assert_eq!(n("./etc/passwd").path, "/etc/passwd");
        assert_eq!(n("/etc//./passwd").path, "/etc/passwd");
        assert_eq!(n("etc/../../../etc/shadow"), Normalised { path: "/etc/shadow".into(), climbed_out: true });
        assert_eq!(n("./").path, "/");
        assert_eq!(n("usr/bin/").path, "/usr/bin");
        assert!(normalise(b"a\0b").is_none());
        assert_eq!(normalise_under("/usr/bin", "../lib/x").path, "/usr/lib/x");
        assert_eq!(normalise_under("/usr/bin", "/etc/x").path, "/etc/x");
    }

    #[test]
    fn within_and_parent() {
        assert!(is_within("/a/b", "/a"));
        assert!(!is_within("/ab", "/a"));
        assert!(is_within("/a", "/a"));
        assert!(is_within("/x", "/"));
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
        assert_eq!(file_name("/a/b.txt"), "b.txt");
    }
}

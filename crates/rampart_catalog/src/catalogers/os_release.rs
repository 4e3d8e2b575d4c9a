//! `os-release(5)`: the image's distribution and version, which decide how OS package
//! versions compare and which advisories apply.

use crate::{CatalogError, Cataloger, FileMeta, Found, Location, OsRelease, Want};

#[derive(Debug)]
pub struct OsReleaseCataloger;

impl Cataloger for OsReleaseCataloger {
    fn name(&self) -> &'static str {
        "os-release"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        match file.path {
            "/etc/os-release" | "/usr/lib/os-release" => Want::Content { limit: 64 * 1024 },
            _ => Want::No,
        }
    }

    fn catalog(&self, _: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = String::from_utf8_lossy(content);
        let os = parse(&text);
        if os.id.is_empty() {
            return Err(CatalogError { message: "no ID= line".into() });
        }
        found.push(Found::Os(os));
        Ok(())
    }
}

/// Parses `KEY=value` lines; values may be quoted with `"` or `'` and use backslash escapes.
pub fn parse(text: &str) -> OsRelease {
    let mut os = OsRelease::default();
    for line in text.lines() {
        let line = line.trim();
        let Some((key, raw)) = line.split_once('=') else { continue };
        if key.starts_with('#') {
            continue;
        }
        let value = unquote(raw.trim());
        match key.trim() {
            "ID" => os.id = value.to_ascii_lowercase(),
            "ID_LIKE" => os.id_like = value.split_whitespace().map(str::to_ascii_lowercase).collect(),
            "VERSION_ID" => os.version_id = Some(value),
            "VERSION_CODENAME" => os.version_codename = Some(value),
            "PRETTY_NAME" => os.pretty_name = Some(value),
            _ => {}
        }
    }
    os
}

fn unquote(raw: &str) -> String {
    let inner = match raw.as_bytes() {
        [b'"', .., b'"'] | [b'\'', .., b'\''] if raw.len() >= 2 => &raw[1..raw.len() - 1],
        _ => raw,
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_bookworm() {
        let os = parse(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n\
             VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n",
        );
        assert_eq!(os.id, "debian");
        assert_eq!(os.version_id.as_deref(), Some("12"));
        assert_eq!(os.version_codename.as_deref(), Some("bookworm"));
        assert_eq!(os.pretty_name.as_deref(), Some("Debian GNU/Linux 12 (bookworm)"));
    }

    #[test]
    fn quoting_and_id_like() {
        let os = parse("ID='rocky'\nID_LIKE=\"rhel centos fedora\"\n# comment=x\nVERSION_ID=\"9.\\\"3\"");
        assert_eq!(os.id, "rocky");
        assert_eq!(os.id_like, ["rhel", "centos", "fedora"]);
        assert_eq!(os.version_id.as_deref(), Some("9.\"3"));
    }
}

//! One module per kind of package metadata.

pub mod apk;
pub mod dpkg;
pub mod elf;
pub mod go_binary;
pub mod java;
pub mod lock;
pub mod node;
pub mod os_release;
pub mod php;
pub mod python;
pub mod rpm;
pub mod ruby;
pub mod rust_binary;

use crate::CatalogError;

/// The largest executable the binary catalogers read: Go and Rust binaries beyond this are
/// rare, and reading them whole is what these catalogers cost.
pub const MAX_BINARY: u64 = 64 * 1024 * 1024;

fn error(message: impl Into<String>) -> CatalogError {
    CatalogError { message: message.into() }
}

/// The file name of an absolute path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The directory part of an absolute path, without the trailing `/`.
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// RFC 822-style `Key: value` paragraphs (dpkg status, Python METADATA, apk `K:v` has its own
/// parser): continuation lines start with a space or a tab and are joined with `\n`.
fn rfc822_fields(paragraph: &str) -> Vec<(&str, String)> {
    let mut fields: Vec<(&str, String)> = Vec::new();
    for line in paragraph.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            fields.push((key.trim(), value.trim().to_string()));
        }
    }
    fields
}

/// Splits text into paragraphs separated by blank lines.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let (head, tail) = match find_blank_line(rest) {
                Some((start, end)) => (&rest[..start], &rest[end..]),
                None => (rest, ""),
            };
            rest = tail;
            if !head.trim().is_empty() {
                return Some(head);
            }
        }
    })
}

/// The byte range of the first run of blank lines (`\n` followed by whitespace-only lines).
fn find_blank_line(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut index = 0;
    while let Some(offset) = memchr::memchr(b'\n', &bytes[index..]) {
        let newline = index + offset;
        let mut end = newline + 1;
        let mut blank = false;
        loop {
            let line_end = memchr::memchr(b'\n', &bytes[end..]).map(|o| end + o);
            let line = &bytes[end..line_end.unwrap_or(bytes.len())];
            if line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                match line_end {
                    Some(next) => {
                        blank = true;
                        end = next + 1;
                    }
                    None => return Some((newline, bytes.len())),
                }
            } else {
                break;
            }
        }
        if blank {
            return Some((newline, end));
        }
        index = newline + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let text = "a: 1\nb: 2\n\n \n\nc: 3\n  more\n\n";
        let found: Vec<&str> = paragraphs(text).collect();
        assert_eq!(found, ["a: 1\nb: 2", "c: 3\n  more"]);
        let fields = rfc822_fields(found[1]);
        assert_eq!(fields, [("c", "3\nmore".to_string())]);
        assert_eq!(paragraphs("").count(), 0);
        assert_eq!(paragraphs("\n\n").count(), 0);
        assert_eq!(paragraphs("x: y").collect::<Vec<_>>(), ["x: y"]);
    }

    #[test]
    fn paths() {
        assert_eq!(file_name("/a/b/c.json"), "c.json");
        assert_eq!(parent("/a/b/c.json"), "/a/b");
    }
}

//! Credentials in the strings of an image configuration: `NAME=value` environment entries,
//! and free text such as a history entry's `created_by` (`ENV A=b`, `RUN |1 TOKEN=x sh -c …`).

use std::ops::Range;

use rampart_secrets::SecretKind;

/// A credential in a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextSecret {
    pub kind: &'static SecretKind,
    /// Byte range of the secret in the string.
    pub span: Range<usize>,
    /// The variable it is assigned to, when it is.
    pub name: Option<String>,
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
}

/// The credential in an environment entry `NAME=value`, if any.
pub fn in_assignment(entry: &str) -> Vec<TextSecret> {
    let Some((name, value)) = entry.split_once('=') else {
        return in_text(entry);
    };
    let offset = name.len() + 1;
    match rampart_secrets::assess_setting(name, value) {
        Some(a) => vec![TextSecret {
            kind: a.kind,
            span: a.span.start + offset..a.span.end + offset,
            name: Some(name.to_string()),
        }],
        None => Vec::new(),
    }
}

/// Known token formats anywhere in `text`, and `NAME=value` words whose value is a
/// credential by its name (`DB_PASSWORD=hunter2`). Sorted, not overlapping.
pub fn in_text(text: &str) -> Vec<TextSecret> {
    let mut out: Vec<TextSecret> = rampart_secrets::scan_text(text)
        .into_iter()
        .map(|m| TextSecret { kind: m.kind, span: m.span, name: None })
        .collect();
    let mut offset = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        let start = offset;
        offset += word.len();
        let word = word.trim_end();
        let Some((name, value)) = word.split_once('=') else { continue };
        if !is_name(name) {
            continue;
        }
        let value_start = start + name.len() + 1;
        let (value, value_start) = match value.strip_prefix(['"', '\'']) {
            Some(inner) => (inner.trim_end_matches(['"', '\'']), value_start + 1),
            None => (value, value_start),
        };
        let Some(a) = rampart_secrets::assess_setting(name, value) else { continue };
        let span = value_start + a.span.start..value_start + a.span.end;
        match out.iter_mut().find(|s| s.span.start < span.end && span.start < s.span.end) {
            Some(known) => known.name = Some(name.to_string()),
            None => out.push(TextSecret { kind: a.kind, span, name: Some(name.to_string()) }),
        }
    }
    out.sort_by_key(|s| (s.span.start, s.span.end));
    out.retain(|s| text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
    out.dedup_by(|a, b| a.span.start < b.span.end);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_entries() {
        let text = "/bin/sh -c #(nop) ENV AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP DB_PASSWORD=hunter2 PATH=/bin";
        let found = in_text(text);
        let names: Vec<_> = found.iter().map(|s| (s.name.as_deref(), &text[s.span.clone()])).collect();
        assert_eq!(names, [(Some("AWS_ACCESS_KEY_ID"), "AKIAABCDEFGHIJKLMNOP"), (Some("DB_PASSWORD"), "hunter2")]);
        assert!(in_text("RUN |1 TOKEN=${TOKEN} sh -c make").is_empty());
        assert!(in_text("é=ü ☃").is_empty());
    }

    #[test]
    fn env_entries() {
        assert_eq!(in_assignment("DB_PASSWORD=hunter2")[0].span, 12..19);
        assert!(in_assignment("PATH=/usr/bin").is_empty());
        assert!(in_assignment("PASSWORD_FILE=/run/secrets/db").is_empty());
    }
}

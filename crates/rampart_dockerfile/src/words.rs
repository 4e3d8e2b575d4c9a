//! Word splitting, JSON arrays, flags and `key=value` lists, all span-preserving.

use crate::text::MappedText;
use crate::{Flag, KeyValue, Word};

/// A word as written (`raw`) and where it sits in the logical text.
#[derive(Clone, Debug)]
pub(crate) struct RawWord {
    pub raw: String,
    pub start: usize,
    pub end: usize,
}

/// Splits on unquoted whitespace. Quotes and escapes stay in `raw`.
pub(crate) fn split_raw(text: &str, escape: char) -> Vec<RawWord> {
    let mut words = Vec::new();
    let mut current_start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                if c == escape && q == '"' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c.is_whitespace() {
                    if let Some(s) = current_start.take() {
                        words.push(RawWord { raw: text[s..i].to_string(), start: s, end: i });
                    }
                    continue;
                }
                if current_start.is_none() {
                    current_start = Some(i);
                }
                if c == escape {
                    chars.next();
                } else if c == '"' || c == '\'' {
                    quote = Some(c);
                }
            }
        }
    }
    if let Some(s) = current_start {
        words.push(RawWord { raw: text[s..].to_string(), start: s, end: text.len() });
    }
    words
}

/// Removes quotes and applies escapes, as the builder does (without variable expansion).
/// `$` stays as written.
pub(crate) fn unquote(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut quote: Option<char> = None;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    out.push(c);
                }
            }
            Some(_) => {
                if c == '"' {
                    quote = None;
                } else if c == escape {
                    match chars.peek() {
                        Some(&n) if n == '"' || n == escape || n == '$' => {
                            out.push(n);
                            chars.next();
                        }
                        _ => out.push(c),
                    }
                } else {
                    out.push(c);
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == escape {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

pub(crate) fn to_word(text: &MappedText, w: &RawWord, escape: char) -> Word {
    Word { value: unquote(&w.raw, escape), raw: w.raw.clone(), span: text.source_span(w.start..w.end) }
}

/// Words of `text`, quotes removed.
pub(crate) fn split_words(text: &MappedText, escape: char) -> Vec<Word> {
    split_raw(text.as_str(), escape).iter().map(|w| to_word(text, w, escape)).collect()
}

/// Leading `--flag[=value]` words, and the logical offset where the arguments start.
pub(crate) fn take_flags(text: &MappedText, escape: char) -> (Vec<Flag>, usize) {
    let mut flags = Vec::new();
    let mut rest = 0;
    for w in split_raw(text.as_str(), escape) {
        if !w.raw.starts_with("--") || w.raw == "--" {
            rest = w.start;
            return (flags, rest);
        }
        let body = &w.raw[2..];
        let (name, value, value_start) = match body.find('=') {
            Some(eq) => (&body[..eq], Some(unquote(&body[eq + 1..], escape)), Some(w.start + 2 + eq + 1)),
            None => (body, None, None),
        };
        flags.push(Flag {
            name: name.to_ascii_lowercase(),
            value,
            span: text.source_span(w.start..w.end),
            value_span: value_start.map(|s| text.source_span(s..w.end)),
        });
        rest = w.end;
    }
    (flags, text.len().max(rest).min(text.len()))
}

/// Parses a JSON array of strings, as `CMD ["a", "b"]`. `None` when the text is not one,
/// in which case the builder treats the line as shell form.
pub(crate) fn parse_json_array(text: &MappedText) -> Option<Vec<Word>> {
    let s = text.as_str();
    let bytes = s.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && matches!(bytes[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut out = Vec::new();
    skip_ws(&mut i);
    if bytes.get(i) == Some(&b']') {
        i += 1;
        skip_ws(&mut i);
        return (i == bytes.len()).then_some(out);
    }
    loop {
        skip_ws(&mut i);
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let start = i;
        i += 1;
        let mut value = String::new();
        loop {
            let c = s.get(i..)?.chars().next()?;
            match c {
                '"' => {
                    i += 1;
                    break;
                }
                '\\' => {
                    let e = *bytes.get(i + 1)?;
                    i += 2;
                    match e {
                        b'"' => value.push('"'),
                        b'\\' => value.push('\\'),
                        b'/' => value.push('/'),
                        b'b' => value.push('\u{8}'),
                        b'f' => value.push('\u{c}'),
                        b'n' => value.push('\n'),
                        b'r' => value.push('\r'),
                        b't' => value.push('\t'),
                        b'u' => {
                            let hex = s.get(i..i + 4)?;
                            let code = u32::from_str_radix(hex, 16).ok()?;
                            i += 4;
                            let ch = if (0xD800..0xDC00).contains(&code) {
                                // A surrogate pair: the low half must follow.
                                let low = s.get(i..i + 6)?.strip_prefix("\\u")?;
                                let low = u32::from_str_radix(low, 16).ok()?;
                                i += 6;
                                char::from_u32(0x10000 + ((code - 0xD800) << 10) + (low.checked_sub(0xDC00)?))
                            } else {
                                char::from_u32(code)
                            };
                            value.push(ch.unwrap_or('\u{FFFD}'));
                        }
                        _ => return None,
                    }
                }
                c if (c as u32) < 0x20 => return None,
                c => {
                    value.push(c);
                    i += c.len_utf8();
                }
            }
        }
        out.push(Word { raw: value.clone(), value, span: text.source_span(start..i) });
        skip_ws(&mut i);
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b']') => {
                i += 1;
                skip_ws(&mut i);
                return (i == bytes.len()).then_some(out);
            }
            _ => return None,
        }
    }
}

/// `key=value` pairs of `ENV`, `LABEL`; with `legacy_allowed`, `ENV key value words`.
pub(crate) fn parse_key_values(text: &MappedText, escape: char) -> Result<Vec<KeyValue>, (String, usize, usize)> {
    let raw = split_raw(text.as_str(), escape);
    let Some(first) = raw.first() else { return Ok(Vec::new()) };
    if !first.raw.contains('=') || first.raw.starts_with('=') {
        // Legacy form: the first word is the key, the rest of the line the value.
        if raw.len() < 2 {
            return Err((format!("`{}` has no value: write `{}=value`", first.raw, first.raw), first.start, first.end));
        }
        let key = to_word(text, first, escape);
        let value_start = raw[1].start;
        let value_text = &text.as_str()[value_start..];
        let value = Word {
            value: unquote(value_text.trim_end(), escape),
            raw: value_text.trim_end().to_string(),
            span: text.source_span(value_start..text.len()),
        };
        let span = key.span.start..value.span.end;
        return Ok(vec![KeyValue { key, value, span }]);
    }
    let mut out = Vec::new();
    for w in &raw {
        let Some(eq) = find_unquoted_eq(&w.raw, escape) else {
            return Err((format!("`{}` is not of the form name=value", w.raw), w.start, w.end));
        };
        let key_raw = &w.raw[..eq];
        let key = Word {
            value: unquote(key_raw, escape),
            raw: key_raw.to_string(),
            span: text.source_span(w.start..w.start + eq),
        };
        let value = Word {
            value: unquote(&w.raw[eq + 1..], escape),
            raw: w.raw[eq + 1..].to_string(),
            span: text.source_span(w.start + eq + 1..w.end),
        };
        out.push(KeyValue { key, value, span: text.source_span(w.start..w.end) });
    }
    Ok(out)
}

fn find_unquoted_eq(raw: &str, escape: char) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut skip = false;
    for (i, c) in raw.char_indices() {
        if skip {
            skip = false;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == escape => skip = true,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '=' => return Some(i),
            None => {}
        }
    }
    None
}

/// Splits a flag value on commas outside quotes.
pub(crate) fn split_csv(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in value.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == ',' => out.push(std::mem::take(&mut current)),
            None => current.push(c),
        }
    }
    if !current.is_empty() || !out.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(s: &str) -> MappedText {
        let mut t = MappedText::new();
        t.push_verbatim(s, 100);
        t
    }

    #[test]
    fn splits_and_unquotes() {
        let words = split_words(&mapped(r#"a "b c" 'd e' f\ g"#), '\\');
        let values: Vec<_> = words.iter().map(|w| w.value.as_str()).collect();
        assert_eq!(values, ["a", "b c", "d e", "f g"]);
        assert_eq!(words[1].span, 102..107);
    }

    #[test]
    fn json_arrays() {
        let w = parse_json_array(&mapped(r#"["/bin/sh", "-c", "echo \"hi\" \u00e9"]"#)).unwrap();
        assert_eq!(w[2].value, "echo \"hi\" é");
        assert_eq!(w[0].span, 101..110);
        assert!(parse_json_array(&mapped("[\"a\", ]")).is_none());
        assert!(parse_json_array(&mapped("[a]")).is_none());
        assert!(parse_json_array(&mapped("[\"a\"] x")).is_none());
        assert_eq!(parse_json_array(&mapped("[]")).unwrap().len(), 0);
    }

    #[test]
    fn flags_and_rest() {
        let t = mapped("--mount=type=secret,id=npm --network=none  npm ci");
        let (flags, rest) = take_flags(&t, '\\');
        assert_eq!(flags.len(), 2);
        assert_eq!(flags[0].option("type").as_deref(), Some("secret"));
        assert_eq!(&t.as_str()[rest..], "npm ci");
    }

    #[test]
    fn key_values() {
        let kv = parse_key_values(&mapped(r#"A=1 B="two words" C=x\ y"#), '\\').unwrap();
        assert_eq!(kv[1].value.value, "two words");
        assert_eq!(kv[2].value.value, "x y");
        let legacy = parse_key_values(&mapped("PATH /usr/bin:/bin  extra"), '\\').unwrap();
        assert_eq!(legacy[0].key.value, "PATH");
        assert_eq!(legacy[0].value.value, "/usr/bin:/bin  extra");
        assert!(parse_key_values(&mapped("A=1 B"), '\\').is_err());
    }
}

//! The image configuration, pretty-printed as JSON with the byte span of every key and
//! value recorded, and every credential in a string redacted before it is written: the
//! synthesised `<reference> (config)` document image findings point into.

use std::collections::HashMap;
use std::fmt::Write;

use rampart_diagnostics::Span;
use serde_json::Value;

use super::text_secrets;

/// One step of a path into the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where a value was written.
#[derive(Clone, Debug, Default)]
pub struct Placed {
    /// The key (with its quotes), or the value itself for an array element.
    pub key: Span,
    /// The value; for an object or array only its opening bracket.
    pub value: Span,
    /// Redacted credentials inside a string value.
    pub secrets: Vec<Span>,
}

/// The printed configuration.
#[derive(Debug, Default)]
pub struct Printed {
    pub text: String,
    pub places: HashMap<Vec<Seg>, Placed>,
}

/// Prints `value` (objects with sorted keys, two-space indent, empty containers inline).
pub fn print(value: &Value) -> Printed {
    let mut out = Printed::default();
    let mut path = Vec::new();
    let start = out.text.len();
    write_value(&mut out, &mut path, value, 0);
    out.places.insert(
        Vec::new(),
        Placed { key: Span::new(start, start + 1), value: Span::new(start, start + 1), secrets: Vec::new() },
    );
    out.text.push('\n');
    out
}

/// Nesting deeper than this is printed as `…`: a hostile config cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

fn indent(text: &mut String, depth: usize) {
    for _ in 0..depth {
        text.push_str("  ");
    }
}

fn escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or("").to_string()
}

/// Writes a string value, redacting credentials; returns the spans of the redactions.
fn write_string(text: &mut String, path: &[Seg], s: &str) -> Vec<Span> {
    let found = if is_env_entry(path) { text_secrets::in_assignment(s) } else { text_secrets::in_text(s) };
    let mut spans = Vec::new();
    text.push('"');
    let mut at = 0;
    for secret in found {
        let (Some(before), Some(hidden)) = (s.get(at..secret.span.start), s.get(secret.span.clone())) else {
            continue;
        };
        text.push_str(&escaped(before));
        let start = text.len();
        text.push_str(&escaped(&rampart_secrets::redact(hidden)));
        spans.push(Span::new(start, text.len()));
        at = secret.span.end;
    }
    text.push_str(&escaped(s.get(at..).unwrap_or("")));
    text.push('"');
    spans
}

/// `config.Env[i]` (and Docker's legacy `container_config.Env[i]`).
pub fn is_env_entry(path: &[Seg]) -> bool {
    matches!(path, [.., Seg::Key(env), Seg::Index(_)] if env == "Env")
}

fn write_value(out: &mut Printed, path: &mut Vec<Seg>, value: &Value, depth: usize) -> (Span, Vec<Span>) {
    let start = out.text.len();
    if depth > MAX_DEPTH {
        out.text.push('…');
        return (Span::new(start, out.text.len()), Vec::new());
    }
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.text.push_str("{\n");
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (n, key) in keys.iter().enumerate() {
                indent(&mut out.text, depth + 1);
                let key_start = out.text.len();
                let _ = write!(out.text, "\"{}\"", escaped(key));
                let key_span = Span::new(key_start, out.text.len());
                out.text.push_str(": ");
                path.push(Seg::Key((*key).clone()));
                let (value_span, secrets) = write_value(out, path, &map[*key], depth + 1);
                out.places.insert(path.clone(), Placed { key: key_span, value: value_span, secrets });
                path.pop();
                out.text.push_str(if n + 1 < keys.len() { ",\n" } else { "\n" });
            }
            indent(&mut out.text, depth);
            out.text.push('}');
            (Span::new(start, start + 1), Vec::new())
        }
        Value::Array(items) if !items.is_empty() => {
            out.text.push_str("[\n");
            for (n, item) in items.iter().enumerate() {
                indent(&mut out.text, depth + 1);
                path.push(Seg::Index(n));
                let (value_span, secrets) = write_value(out, path, item, depth + 1);
                out.places.insert(path.clone(), Placed { key: value_span, value: value_span, secrets });
                path.pop();
                out.text.push_str(if n + 1 < items.len() { ",\n" } else { "\n" });
            }
            indent(&mut out.text, depth);
            out.text.push(']');
            (Span::new(start, start + 1), Vec::new())
        }
        Value::String(s) => {
            let secrets = write_string(&mut out.text, path, s);
            (Span::new(start, out.text.len()), secrets)
        }
        other => {
            out.text.push_str(&other.to_string());
            (Span::new(start, out.text.len()), Vec::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_redaction() {
        let v: Value = serde_json::from_str(
            r#"{"config":{"User":"","Env":["PATH=/bin","GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345"],"ExposedPorts":{"22/tcp":{}}}}"#,
        )
        .unwrap();
        let p = print(&v);
        assert!(!p.text.contains("ghp_0123456789"), "{}", p.text);
        let key = |path: &[&str]| path.iter().map(|k| Seg::Key(k.to_string())).collect::<Vec<_>>();
        let user = &p.places[&key(&["config", "User"])];
        assert_eq!(&p.text[user.key.start..user.value.end], "\"User\": \"\"");
        let port = &p.places[&key(&["config", "ExposedPorts", "22/tcp"])];
        assert_eq!(&p.text[port.key.start..port.key.end], "\"22/tcp\"");
        let mut env = key(&["config", "Env"]);
        env.push(Seg::Index(1));
        let entry = &p.places[&env];
        assert_eq!(&p.text[entry.secrets[0].start..entry.secrets[0].end], "ghp_…(40 chars)");
    }
}

//! Writing a wanted change back into a YAML or JSON file as minimal text edits.
//!
//! The other half of an adapter: rules and fixes say "set `allowPrivilegeEscalation: false`
//! in this container's `securityContext`" and the [`Editor`] produces the byte-range edits
//! that do it in the file's own style — block or flow YAML, JSON — with the indentation the
//! surrounding lines use, leaving comments, key order, quoting and blank lines alone.
//! Nodes reached through an alias or a merge key are never edited (the edit would land at
//! their definition and change every user of it): the operations return `None`.

use rampart_yaml::{Node, Span, Value};

/// Replace the bytes at `span` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub span: Span,
    pub text: String,
}

/// A value to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Val>),
    Map(Vec<(String, Val)>),
}

impl Val {
    pub fn str(s: impl Into<String>) -> Val {
        Val::Str(s.into())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    Yaml,
    Json,
}

/// Edits one file's text.
#[derive(Clone, Copy, Debug)]
pub struct Editor<'a> {
    text: &'a str,
    syntax: Syntax,
}

/// Whether `s` can be written as a plain YAML scalar and read back as the same string (not a
/// boolean, null, number or hex/octal integer to a YAML 1.1 or 1.2 reader).
pub fn plain_safe(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !s.starts_with(['-', '.'])
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
        )
        && s.parse::<f64>().is_err()
        && !s.starts_with("0x")
        && !s.starts_with("0o")
}

/// A JSON string literal, which is also a double-quoted YAML scalar.
pub fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value written on one line: JSON when `json`, else YAML flow style with plain scalars
/// where [`plain_safe`] allows them.
pub fn inline(v: &Val, json: bool) -> String {
    match v {
        Val::Bool(b) => b.to_string(),
        Val::Int(i) => i.to_string(),
        Val::Str(s) if !json && plain_safe(s) => s.clone(),
        Val::Str(s) => json_string(s),
        Val::List(items) => format!("[{}]", items.iter().map(|i| inline(i, json)).collect::<Vec<_>>().join(", ")),
        Val::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", inline_key(k, json), inline(v, json)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A mapping key: quoted in JSON; plain in YAML when it reads back as the same string key.
pub fn inline_key(k: &str, json: bool) -> String {
    if !json && (plain_safe(k) || k.chars().all(|c| c.is_ascii_alphanumeric())) {
        k.to_string()
    } else {
        json_string(k)
    }
}

impl<'a> Editor<'a> {
    pub fn new(text: &'a str) -> Self {
        let first = text.trim_start_matches('\u{feff}').trim_start().chars().next();
        let syntax = if matches!(first, Some('{' | '[')) { Syntax::Json } else { Syntax::Yaml };
        Editor { text, syntax }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    /// Whether a mapping or list is written in flow style (`{…}`, `[…]`) or JSON.
    pub fn is_flow(&self, node: &Node) -> bool {
        if self.syntax == Syntax::Json {
            return true;
        }
        match (&node.value, self.byte(node.span.start)) {
            // The reader starts a block sequence written without indentation (`key:` then
            // `- {a: 1}` in the key's column) at its first item: a flow item is no flow list.
            (Value::Seq(items), Some(b'[')) => items.first().is_none_or(|first| first.span != node.span),
            (Value::Seq(_), _) => false,
            (_, b) => matches!(b, Some(b'{' | b'[')),
        }
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at.min(self.text.len())].rfind('\n').map_or(0, |i| i + 1)
    }

    /// End of the line holding `at` (before its newline), trailing comment included.
    fn line_end(&self, at: usize) -> usize {
        let at = at.min(self.text.len());
        self.text.as_bytes()[at..].iter().position(|b| *b == b'\n').map_or(self.text.len(), |i| at + i)
    }

    /// End of the last line of a node written from `start` to `end` (before its newline,
    /// trailing comment included). A block scalar's span runs into the indentation of the line
    /// after it: that line is not the node's.
    fn last_line_end(&self, start: usize, end: usize) -> usize {
        let end = end.min(self.text.len());
        let start = start.min(end);
        let content = self.text.get(start..end).map_or(0, |t| t.trim_end_matches([' ', '\t', '\r', '\n']).len());
        self.line_end((start + content).saturating_sub(1).max(start))
    }

    fn indent_at(&self, at: usize) -> &'a str {
        let start = self.line_start(at);
        let line = &self.text[start..];
        let n = line.len() - line.trim_start_matches([' ', '\t']).len();
        &line[..n]
    }

    /// The whitespace before `at` on its line when only whitespace (or `- `) precedes it.
    fn column_indent(&self, at: usize) -> String {
        let start = self.line_start(at);
        self.text[start..at].chars().map(|c| if c == '\t' { '\t' } else { ' ' }).collect()
    }

    /// One level of indentation, as the file writes it.
    fn unit(&self) -> String {
        if self.syntax == Syntax::Json && self.text.contains("\n\t") {
            return "\t".to_string();
        }
        " ".repeat(indent_step(self.text))
    }

    fn scalar(&self, v: &Val) -> String {
        inline(v, self.syntax == Syntax::Json)
    }

    fn key(&self, k: &str) -> String {
        inline_key(k, self.syntax == Syntax::Json)
    }

    /// `key: value` for a block mapping at `indent`, as lines (nested maps indented).
    fn block_entry(&self, key: &str, value: &Val, indent: &str, unit: &str) -> String {
        match value {
            Val::Map(entries) if self.syntax == Syntax::Yaml && !entries.is_empty() => {
                let inner = format!("{indent}{unit}");
                let mut s = format!("{}:", self.key(key));
                for (k, v) in entries {
                    s.push('\n');
                    s.push_str(&inner);
                    s.push_str(&self.block_entry(k, v, &inner, unit));
                }
                s
            }
            Val::Map(entries) if self.syntax == Syntax::Json && !entries.is_empty() => {
                let inner = format!("{indent}{unit}");
                let body: Vec<String> =
                    entries.iter().map(|(k, v)| format!("{inner}{}", self.block_entry(k, v, &inner, unit))).collect();
                format!("{}: {{\n{}\n{indent}}}", self.key(key), body.join(",\n"))
            }
            v => format!("{}: {}", self.key(key), self.scalar(v)),
        }
    }

    /// The last entry written in this mapping (not merged in from elsewhere).
    fn last_own_entry(map: &Node) -> Option<&rampart_yaml::Entry> {
        map.entries().iter().filter(|e| !e.key.borrowed).max_by_key(|e| e.value.span.end.max(e.key.span.end))
    }

    /// Adds `key: value` to a mapping that lacks the key.
    fn insert_entry(&self, map: &Node, key: &str, value: &Val) -> Option<Vec<TextEdit>> {
        if map.borrowed || !map.is_map() {
            return None;
        }
        let unit = self.unit();
        let last = Self::last_own_entry(map);
        if self.is_flow(map) {
            let open = map.span.start;
            let (at, text) = match last {
                Some(e) => {
                    let end = e.value.span.end.max(e.key.span.end);
                    if self.syntax == Syntax::Json && self.text[open..end].contains('\n') {
                        let indent = self.indent_at(e.key.span.start).to_string();
                        (end, format!(",\n{indent}{}", self.block_entry(key, value, &indent, &unit)))
                    } else {
                        (end, format!(", {}: {}", self.key(key), self.scalar(value)))
                    }
                }
                None => (open + 1, format!("{}: {}", self.key(key), self.scalar(value))),
            };
            return Some(vec![TextEdit { span: at..at, text }]);
        }
        let last = last?;
        let indent = self.column_indent(map.entries().iter().find(|e| !e.key.borrowed)?.key.span.start);
        let end = self.last_line_end(last.key.span.start, last.value.span.end.max(last.key.span.end));
        Some(vec![TextEdit {
            span: end..end,
            text: format!("\n{indent}{}", self.block_entry(key, value, &indent, &unit)),
        }])
    }

    /// Sets `key` in a mapping: replaces its value, or adds the entry.
    pub fn set(&self, map: &Node, key: &str, value: &Val) -> Option<Vec<TextEdit>> {
        match map.entry(key) {
            Some(e) if e.value.borrowed || e.key.borrowed => None,
            Some(e) if e.value.is_null() && !e.value.span.is_empty() => {
                Some(vec![TextEdit { span: e.value.span.clone(), text: self.scalar(value) }])
            }
            Some(e) if e.value.is_null() => {
                // `key:` with nothing after it: write the value after the colon.
                let after_key = self.text[e.key.span.end..].find(':').map(|i| e.key.span.end + i + 1)?;
                match value {
                    Val::Map(entries) if self.syntax == Syntax::Yaml && !entries.is_empty() => {
                        let indent = format!("{}{}", self.column_indent(e.key.span.start), self.unit());
                        let unit = self.unit();
                        let body: String = entries
                            .iter()
                            .map(|(k, v)| format!("\n{indent}{}", self.block_entry(k, v, &indent, &unit)))
                            .collect();
                        Some(vec![TextEdit { span: after_key..after_key, text: body }])
                    }
                    v => Some(vec![TextEdit { span: after_key..after_key, text: format!(" {}", self.scalar(v)) }]),
                }
            }
            Some(e) => match (&e.value.value, value) {
                (Value::Map(_), Val::Map(entries)) => {
                    let mut edits = Vec::new();
                    for (k, v) in entries {
                        edits.extend(self.set(&e.value, k, v)?);
                    }
                    Some(edits)
                }
                _ => Some(vec![TextEdit { span: e.value.span.clone(), text: self.scalar(value) }]),
            },
            None => self.insert_entry(map, key, value),
        }
    }

    /// Sets the value at `path` under `map`, creating the mappings on the way.
    pub fn set_path(&self, map: &Node, path: &[&str], value: &Val) -> Option<Vec<TextEdit>> {
        let (first, rest) = path.split_first()?;
        if rest.is_empty() {
            return self.set(map, first, value);
        }
        match map.get(first) {
            Some(child) if child.is_map() => self.set_path(child, rest, value),
            Some(child) if child.is_null() => self.set(map, first, &nest(rest, value)),
            Some(_) => None,
            None => self.insert_entry(map, first, &nest(rest, value)),
        }
    }

    /// Appends `item` to the list at `path` under `map` (creating it) unless it is there.
    pub fn add_to_list(&self, map: &Node, path: &[&str], item: &Val) -> Option<Vec<TextEdit>> {
        let (parent, key) = match path.split_last() {
            Some((key, [])) => (map, *key),
            Some((key, parents)) => match map.path(parents) {
                Some(p) if p.is_map() => (p, *key),
                Some(_) => return None,
                None => return self.set_path(map, path, &Val::List(vec![item.clone()])),
            },
            None => return None,
        };
        let Some(list) = parent.get(key) else {
            return self.set(parent, key, &Val::List(vec![item.clone()]));
        };
        if list.is_null() {
            return self.set(parent, key, &Val::List(vec![item.clone()]));
        }
        if list.borrowed || !list.is_seq() {
            return None;
        }
        let wanted = match item {
            Val::Str(s) => Some(s.as_str()),
            _ => None,
        };
        if wanted.is_some() && list.items().iter().any(|i| i.as_str() == wanted) {
            return Some(Vec::new());
        }
        let last = list.items().iter().rfind(|i| !i.borrowed);
        if self.is_flow(list) {
            let text = self.scalar(item);
            return Some(vec![match last {
                Some(l) => TextEdit { span: l.span.end..l.span.end, text: format!(", {text}") },
                None => TextEdit { span: list.span.start + 1..list.span.start + 1, text },
            }]);
        }
        let last = last?;
        // `- item` at the column of the existing dashes.
        let dash = self.text[..last.span.start].rfind('-')?;
        let indent = self.column_indent(dash);
        let end = self.last_line_end(last.span.start, last.span.end);
        Some(vec![TextEdit { span: end..end, text: format!("\n{indent}- {}", self.scalar(item)) }])
    }

    /// Replaces a node's text with `value`.
    pub fn replace(&self, node: &Node, value: &Val) -> Option<Vec<TextEdit>> {
        if node.borrowed {
            return None;
        }
        Some(vec![TextEdit { span: node.span.clone(), text: self.scalar(value) }])
    }

    /// Removes `key` and its value from a mapping.
    pub fn remove(&self, map: &Node, key: &str) -> Option<Vec<TextEdit>> {
        let entries = map.entries();
        let index = entries.iter().rposition(|e| e.key.as_str() == Some(key))?;
        let e = &entries[index];
        if e.key.borrowed || e.value.borrowed {
            return None;
        }
        let end = e.value.span.end.max(e.key.span.end);
        if self.is_flow(map) {
            // Take the separator on one side with it.
            let own: Vec<_> = entries.iter().filter(|x| !x.key.borrowed).collect();
            let pos = own.iter().position(|x| x.key.span == e.key.span)?;
            let span = if pos + 1 < own.len() {
                e.key.span.start..own[pos + 1].key.span.start
            } else if pos > 0 {
                let prev = own[pos - 1];
                prev.value.span.end.max(prev.key.span.end)..end
            } else {
                e.key.span.start..end
            };
            return Some(vec![TextEdit { span, text: String::new() }]);
        }
        let start = self.line_start(e.key.span.start);
        // The entry owns its lines only when nothing else precedes it on the first one (a
        // `- ` item marker does: then only the entry text goes).
        if !self.text[start..e.key.span.start].trim().is_empty() {
            let next = entries.get(index + 1).filter(|n| !n.key.borrowed);
            // `- name: app` loses `name: app`; the next entry moves up behind the dash.
            return next.map(|n| vec![TextEdit { span: e.key.span.start..n.key.span.start, text: String::new() }]);
        }
        let last_line_end = self.last_line_end(e.key.span.start, end);
        let stop = (last_line_end + 1).min(self.text.len());
        Some(vec![TextEdit { span: start..stop, text: String::new() }])
    }

    /// Removes one item of a sequence.
    pub fn remove_item(&self, seq: &Node, index: usize) -> Option<Vec<TextEdit>> {
        let item = seq.items().get(index)?;
        if item.borrowed || seq.borrowed {
            return None;
        }
        if self.is_flow(seq) {
            let items = seq.items();
            let span = if index + 1 < items.len() {
                item.span.start..items[index + 1].span.start
            } else if index > 0 {
                items[index - 1].span.end..item.span.end
            } else {
                item.span.clone()
            };
            return Some(vec![TextEdit { span, text: String::new() }]);
        }
        let dash = self.text[..item.span.start].rfind('-')?;
        let start = self.line_start(dash);
        if !self.text[start..dash].trim().is_empty() {
            return None;
        }
        let stop = (self.last_line_end(item.span.start, item.span.end) + 1).min(self.text.len());
        Some(vec![TextEdit { span: start..stop, text: String::new() }])
    }
}

/// `["a", "b"]`, `v` → `{a: {b: v}}`.
fn nest(path: &[&str], value: &Val) -> Val {
    path.iter().rev().fold(value.clone(), |inner, key| Val::Map(vec![(key.to_string(), inner)]))
}

/// Applies edits (non-overlapping) to a text; used by tests and by callers that chain edits.
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for e in sorted {
        if e.span.start < cursor || e.span.end > text.len() {
            continue;
        }
        out.push_str(&text[cursor..e.span.start]);
        out.push_str(&e.text);
        cursor = e.span.end;
    }
    out.push_str(&text[cursor..]);
    out
}

/// The node whose span is exactly `span` (the deepest such node, first found), in any of
/// the documents. The deepest: a block sequence written without indentation under its key
/// (`containers:` then `- name: app` at the same column) starts where its first item does,
/// so a one-item sequence and its item have the same span; the item is the one meant.
pub fn node_at<'n>(docs: &'n [rampart_yaml::Document], span: &Span) -> Option<&'n Node> {
    fn walk<'n>(n: &'n Node, span: &Span) -> Option<&'n Node> {
        if n.span.end < span.start || n.span.start > span.end {
            return None;
        }
        let deeper = match &n.value {
            Value::Scalar(..) => None,
            Value::Seq(items) => items.iter().find_map(|i| walk(i, span)),
            Value::Map(entries) => entries.iter().find_map(|e| walk(&e.value, span)),
        };
        deeper.or_else(|| (n.span == *span && !n.borrowed).then_some(n))
    }
    docs.iter().find_map(|d| walk(&d.root, span))
}

/// The step a text indents a block by: how much deeper than a line opening a block (`key:`,
/// `- key:`, a JSON `{` or `[`) the next line starts, the most common such step (the smaller
/// on a tie; 2 when no line opens a block). Lines inside block scalars (a script's own
/// indentation) and comments do not count.
pub fn indent_step(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).collect();
    let mut counts = [0usize; 9];
    for pair in lines.windows(2) {
        let (open, next) = (pair[0].trim_end(), pair[1]);
        if !open.ends_with([':', '{', '[']) || open.contains(" #") {
            continue;
        }
        // The column of the key: past the indentation and any `- ` item markers.
        let mut rest = open.trim_start_matches(' ');
        while let Some(r) = rest.strip_prefix('-').filter(|r| r.starts_with(' ')) {
            rest = r.trim_start_matches(' ');
        }
        let key = open.len() - rest.len();
        let below = next.len() - next.trim_start_matches(' ').len();
        if below > key && below - key <= 8 {
            counts[below - key] += 1;
        }
    }
    let best = counts.iter().enumerate().skip(1).max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)));
    match best {
        Some((step, n)) if *n > 0 => step,
        _ => 2,
    }
}

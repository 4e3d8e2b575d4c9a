//! Helpers for the fixes of pod-level posture rules and of Kubernetes objects: finding the
//! node a setting is written in, and turning the posture editor's edits into a finding's
//! edits — removals keep the comments of the lines they delete, list items are appended in
//! the list's own layout (one per line in a multi-line JSON list).

use std::ops::Range;

use rampart_diagnostics::{Edit, Span};
use rampart_posture::edit::{Editor, TextEdit, Val};
use rampart_posture::{ContainerPosture, Format, Workload};
use rampart_yaml::Node;

use crate::manifest::ManifestContext;

/// What a display-only fix writes where a value only a human knows belongs. Invalid as a
/// quantity, a namespace or a Secret value, so that it fails loudly if copied unchanged.
pub(crate) const PLACEHOLDER: &str = "REPLACE_ME";

/// The node written at exactly `span` (not through an alias).
pub(crate) fn node<'a>(cx: &ManifestContext<'a>, span: &Range<usize>) -> Option<&'a Node> {
    rampart_posture::edit::node_at(cx.documents, span)
}

/// The Kubernetes pod spec of a workload.
pub(crate) fn pod_spec<'a>(cx: &ManifestContext<'a>, w: &Workload) -> Option<&'a Node> {
    (w.format == Format::Kubernetes).then_some(())?;
    node(cx, w.pod_spec.as_ref()?).filter(|n| n.is_map())
}

/// A Kubernetes container's mapping.
pub(crate) fn container<'a>(cx: &ManifestContext<'a>, c: &ContainerPosture) -> Option<&'a Node> {
    node(cx, &c.span).filter(|n| n.is_map())
}

/// The mapping of a Compose service as written (its own keys, not those it `extends`).
pub(crate) fn compose_service<'a>(cx: &ManifestContext<'a>, w: &Workload) -> Option<&'a Node> {
    (w.format == Format::Compose).then_some(())?;
    cx.documents.iter().find_map(|d| {
        let services = d.root.get("services")?;
        services
            .entries()
            .iter()
            .find(|e| e.key.span == w.anchor)
            .map(|e| &e.value)
            .filter(|s| s.is_map() && !s.borrowed)
    })
}

/// Whether `inner` lies within `outer`.
pub(crate) fn within(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The mapping entry whose value is written at `span`, in `map`.
pub(crate) fn entry_with_value<'a>(map: &'a Node, span: &Range<usize>) -> Option<&'a rampart_yaml::Entry> {
    map.entries().iter().find(|e| e.value.span == *span && !e.key.borrowed && !e.value.borrowed)
}

/// Edits in one file, in its own style.
pub(crate) struct FileEditor<'a> {
    text: &'a str,
    editor: Editor<'a>,
    json: bool,
}

impl<'a> FileEditor<'a> {
    pub(crate) fn new(cx: &ManifestContext<'a>) -> Self {
        let text = cx.file.text();
        let first = text.trim_start_matches('\u{feff}').trim_start().chars().next();
        FileEditor { text, editor: Editor::new(text), json: matches!(first, Some('{' | '[')) }
    }

    fn convert(&self, edits: Vec<TextEdit>) -> Option<Vec<Edit>> {
        edits
            .into_iter()
            .map(|e| {
                let text = if e.text.is_empty() && !self.json { self.kept_comments(&e.span)? } else { e.text };
                Some(Edit::replace(Span::new(e.span.start, e.span.end), text))
            })
            .collect()
    }

    /// What a deletion of `span` must leave: the comments of the lines it removes, each on
    /// its own line at the indentation of the line it was on. `None` when the deletion cuts
    /// through a line that holds a comment (the comment would be lost or misplaced).
    fn kept_comments(&self, span: &Range<usize>) -> Option<String> {
        let removed = self.text.get(span.clone())?;
        let whole_lines = (span.start == 0 || self.text.as_bytes().get(span.start - 1) == Some(&b'\n'))
            && (span.end == self.text.len() || removed.ends_with('\n'));
        let mut kept = String::new();
        for line in removed.split_inclusive('\n') {
            let Some(at) = comment_start(line) else { continue };
            if !whole_lines {
                return None;
            }
            let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
            kept.push_str(indent);
            kept.push_str(line[at..].trim_end_matches(['\n', '\r']));
            kept.push('\n');
        }
        if !removed.ends_with('\n') && kept.ends_with('\n') {
            kept.pop();
        }
        Some(kept)
    }

    pub(crate) fn set(&self, map: &Node, key: &str, value: &Val) -> Option<Vec<Edit>> {
        self.convert(self.editor.set(map, key, value)?)
    }

    pub(crate) fn set_path(&self, map: &Node, path: &[&str], value: &Val) -> Option<Vec<Edit>> {
        self.convert(self.editor.set_path(map, path, value)?)
    }

    pub(crate) fn replace(&self, node: &Node, value: &Val) -> Option<Vec<Edit>> {
        self.convert(self.editor.replace(node, value)?)
    }

    /// Removes `key` from a mapping, keeping the comments of its lines.
    pub(crate) fn remove(&self, map: &Node, key: &str) -> Option<Vec<Edit>> {
        if map.borrowed {
            return None;
        }
        self.convert(self.editor.remove(map, key)?)
    }

    /// Removes one item of a sequence, keeping the comments of its lines.
    pub(crate) fn remove_item(&self, seq: &Node, index: usize) -> Option<Vec<Edit>> {
        self.convert(self.editor.remove_item(seq, index)?)
    }

    /// Appends `item` to the list at `path` under `map` (creating it). In a JSON list written
    /// one item per line, the item goes on a line of its own.
    pub(crate) fn append(&self, map: &Node, path: &[&str], item: &Val) -> Option<Vec<Edit>> {
        if self.json
            && let Some(list) = map.path(path).filter(|l| l.is_seq() && !l.borrowed)
            && let Some(last) = list.items().last().filter(|l| !l.borrowed)
        {
            let before = list.items().len().checked_sub(2).map_or(list.span.start, |i| list.items()[i].span.end);
            if self.text.get(before..last.span.start).is_some_and(|t| t.contains('\n')) {
                let line_start = self.text[..last.span.start].rfind('\n').map_or(0, |i| i + 1);
                let indent = &self.text[line_start..last.span.start];
                if indent.trim().is_empty() {
                    let text = format!(",\n{indent}{}", json_value(item));
                    return Some(vec![Edit::insert(last.span.end, text)]);
                }
            }
        }
        self.convert(self.editor.add_to_list(map, path, item)?)
    }
}

/// One level of indentation as a YAML file writes it (the smallest step between the
/// indentations of its lines; two spaces when it has none).
pub(crate) fn indent_unit(text: &str) -> String {
    let mut levels: Vec<usize> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .collect();
    levels.sort_unstable();
    levels.dedup();
    let step = levels.windows(2).map(|w| w[1] - w[0]).filter(|d| *d > 0).min().unwrap_or(2);
    " ".repeat(step.clamp(1, 8))
}

/// The column of `at` on its line, as spaces.
pub(crate) fn column(text: &str, at: usize) -> String {
    let start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    text[start..at.min(text.len())].chars().map(|c| if c == '\t' { '\t' } else { ' ' }).collect()
}

/// A value written as compact JSON (`{"type": "network"}`).
pub(crate) fn json_value(v: &Val) -> String {
    rampart_posture::edit::inline(v, true)
}

/// Where a YAML comment starts on a line: a `#` at the start or after a blank, outside
/// quotes.
fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let after_blank = i == 0 || matches!(b[i - 1], b' ' | b'\t');
        match quote {
            Some(b'"') if c == b'\\' => i += 1,
            Some(b'\'') if c == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'#' && after_blank => return Some(i),
            None if (c == b'"' || c == b'\'')
                && (after_blank || matches!(b[i - 1], b'[' | b'{' | b',' | b':' | b'-')) =>
            {
                quote = Some(c)
            }
            None => {}
        }
        i += 1;
    }
    None
}

/// A name Kubernetes accepts for an object (RFC 1123 subdomain, kept to a label here):
/// lower case, `-` for anything else, at most 63 characters; `fallback` when nothing is left.
pub(crate) fn dns_label(name: &str, fallback: &str) -> String {
    let mut out: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let mut out = out.trim_matches('-').to_string();
    out.truncate(63);
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { fallback.to_string() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_found_outside_quotes() {
        assert_eq!(comment_start("  hostPID: true # debugging"), Some(16));
        assert_eq!(comment_start("# whole line"), Some(0));
        assert_eq!(comment_start("  a: \"x # y\""), None);
        assert_eq!(comment_start("  a: 'it''s # not' # but this"), Some(19));
        assert_eq!(comment_start("  url: http://x/#frag"), None);
    }

    #[test]
    fn labels() {
        assert_eq!(dns_label("My_App.v2", "x"), "my-app-v2");
        assert_eq!(dns_label("__", "app"), "app");
    }
}

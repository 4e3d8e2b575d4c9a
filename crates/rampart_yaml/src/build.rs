use std::collections::HashMap;

use granit_parser::{Event, Options, Parser, ScalarStyle as GScalarStyle, ScanError, StructureStyle};

use crate::Span;
use crate::node::{Document, Entry, Node, ScalarStyle, Value};

/// Resource limits for hostile input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nodes that aliases and merge keys may add to one document, in total. Real manifests
    /// reuse a few small blocks; a "billion laughs" document asks for billions.
    pub max_alias_nodes: usize,
    /// Nesting of block and flow collections.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_alias_nodes: 100_000, max_depth: 128 }
    }
}

/// A document that could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub span: Span,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Parses every document of a stream with the default [`Limits`].
pub fn parse_stream(text: &str) -> Vec<Result<Document, Error>> {
    parse_stream_with(text, Limits::default())
}

/// Parses every document of a stream. Each document is read on its own: an error ends only
/// that document.
pub fn parse_stream_with(text: &str, limits: Limits) -> Vec<Result<Document, Error>> {
    let mut out = Vec::new();
    for (start, end) in chunks(text) {
        let chunk = &text[start..end];
        if is_blank_document(chunk) {
            continue;
        }
        parse_chunk(chunk, start, limits, &mut out);
    }
    out
}

/// Splits the stream at `---` and after `...` lines (document markers are only valid at the
/// start of a line, and end any scalar, so this cannot cut a document in two).
fn chunks(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let marker = |m: &str| {
            line.strip_prefix(m).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
        };
        if marker("---") && offset > start {
            out.push((start, offset));
            start = offset;
        } else if marker("...") {
            out.push((start, offset + line.len()));
            start = offset + line.len();
        }
        offset += line.len();
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// Only markers, comments, directives and blank lines.
fn is_blank_document(chunk: &str) -> bool {
    chunk.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..." || t.starts_with('%')
    })
}

fn style(s: GScalarStyle) -> ScalarStyle {
    match s {
        GScalarStyle::Plain => ScalarStyle::Plain,
        GScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        GScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        GScalarStyle::Literal => ScalarStyle::Literal,
        GScalarStyle::Folded => ScalarStyle::Folded,
    }
}

enum Frame {
    Seq { items: Vec<Node>, start: usize, anchor: usize, flow: bool },
    Map { entries: Vec<Entry>, key: Option<Node>, merges: Vec<Node>, start: usize, anchor: usize, flow: bool },
}

struct Builder<'a> {
    base: usize,
    chunk: &'a str,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_budget: usize,
    root: Option<Node>,
    doc_start: Option<usize>,
}

impl Builder<'_> {
    fn offset(&self, m: &granit_parser::Marker) -> usize {
        let local = m
            .byte_offset()
            .unwrap_or_else(|| self.chunk.char_indices().nth(m.index()).map_or(self.chunk.len(), |(i, _)| i));
        self.base + local.min(self.chunk.len())
    }

    fn error(&self, message: impl Into<String>, at: usize) -> Error {
        Error { message: message.into(), span: at..(at + 1).min(self.base + self.chunk.len()).max(at) }
    }

    fn push(&mut self, node: Node) -> Result<(), Error> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, merges, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if matches!(k.scalar(), Some(("<<", ScalarStyle::Plain))) {
                        merges.push(node);
                    } else {
                        entries.push(Entry { key: k, value: node });
                    }
                }
            },
        }
        Ok(())
    }

    /// Charges `count` nodes of alias or merge expansion to the budget.
    fn charge(&mut self, count: usize, at: usize) -> Result<(), Error> {
        if count > self.alias_budget {
            return Err(self.error(
                format!(
                    "aliases expand this document beyond {} nodes; rejected as an alias bomb (\"billion laughs\")",
                    self.limits.max_alias_nodes
                ),
                at,
            ));
        }
        self.alias_budget -= count;
        Ok(())
    }

    fn finish_map(&mut self, mut entries: Vec<Entry>, merges: Vec<Node>, at: usize) -> Result<Vec<Entry>, Error> {
        let mut merged = Vec::new();
        for m in merges {
            let sources: Vec<Node> = match m.value {
                Value::Map(_) => vec![m],
                Value::Seq(items) => items,
                Value::Scalar(..) => {
                    return Err(self.error("a `<<` merge key needs a mapping or a list of mappings", m.span.start));
                }
            };
            for source in sources {
                for e in source.entries() {
                    let key = e.key.as_str();
                    let present =
                        entries.iter().chain(merged.iter()).any(|x: &Entry| x.key.as_str() == key && key.is_some());
                    if !present {
                        let cost = e.key.count() + e.value.count();
                        self.charge(cost, at)?;
                        let mut e = e.clone();
                        e.key.borrowed = true;
                        e.value.borrowed = true;
                        merged.push(e);
                    }
                }
            }
        }
        entries.extend(merged);
        Ok(entries)
    }

    fn event(&mut self, event: Event<'_>, span: granit_parser::Span) -> Result<(), Error> {
        let start = self.offset(&span.start);
        let end = self.offset(&span.end).max(start);
        match event {
            Event::DocumentStart(..) => {
                self.doc_start.get_or_insert(end);
            }
            Event::Scalar(value, s, anchor, _) => {
                self.doc_start.get_or_insert(start);
                let node =
                    Node { value: Value::Scalar(value.into_owned(), style(s)), span: start..end, borrowed: false };
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                self.push(node)?;
            }
            Event::SequenceStart(st, anchor, _) | Event::MappingStart(st, anchor, _)
                if self.stack.len() >= self.limits.max_depth =>
            {
                let _ = (st, anchor);
                return Err(self.error(format!("nesting deeper than {} levels", self.limits.max_depth), start));
            }
            Event::SequenceStart(st, anchor, _) => {
                self.doc_start.get_or_insert(start);
                self.stack.push(Frame::Seq { items: Vec::new(), start, anchor, flow: st == StructureStyle::Flow });
            }
            Event::MappingStart(st, anchor, _) => {
                self.doc_start.get_or_insert(start);
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                    start,
                    anchor,
                    flow: st == StructureStyle::Flow,
                });
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq { items, start: s, anchor, flow }) = self.stack.pop() else {
                    return Err(self.error("unbalanced sequence", start));
                };
                let last = items.iter().filter(|n| !n.borrowed).map(|n| n.span.end).max();
                let e = if flow { end } else { last.unwrap_or(end).max(s) };
                self.complete(Node { value: Value::Seq(items), span: s..e, borrowed: false }, anchor)?;
            }
            Event::MappingEnd => {
                let Some(Frame::Map { entries, merges, start: s, anchor, flow, key }) = self.stack.pop() else {
                    return Err(self.error("unbalanced mapping", start));
                };
                let last = entries
                    .iter()
                    .filter(|e| !e.value.borrowed)
                    .map(|e| e.value.span.end.max(e.key.span.end))
                    .chain(merges.iter().map(|m| m.span.end))
                    .chain(key.iter().map(|k| k.span.end))
                    .max();
                let e = if flow { end } else { last.unwrap_or(end).max(s) };
                let entries = self.finish_map(entries, merges, s)?;
                self.complete(Node { value: Value::Map(entries), span: s..e, borrowed: false }, anchor)?;
            }
            Event::Alias(id) => {
                let Some((node, count)) = self.anchors.get(&id).map(|(n, c)| (n.clone(), *c)) else {
                    return Err(self.error("alias to an unknown anchor", start));
                };
                self.charge(count, start)?;
                let mut node = node;
                node.borrowed = true;
                self.push(node)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), Error> {
        if anchor > 0 {
            let count = node.count();
            self.anchors.insert(anchor, (node.clone(), count));
        }
        self.push(node)
    }
}

fn scan_error(e: &ScanError, base: usize, chunk: &str) -> Error {
    let m = e.marker();
    let local = m.byte_offset().unwrap_or_else(|| chunk.char_indices().nth(m.index()).map_or(chunk.len(), |(i, _)| i));
    let at = base + local.min(chunk.len());
    let end = (at + 1).min(base + chunk.len()).max(at);
    Error { message: e.info(), span: at..end }
}

fn parse_chunk(chunk: &str, base: usize, limits: Limits, out: &mut Vec<Result<Document, Error>>) {
    let mut options = Options::default();
    options.emit_comments = false;
    options.flow_nesting_limit = limits.max_depth;
    options.block_nesting_limit = limits.max_depth;
    let mut b = Builder {
        base,
        chunk,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: limits.max_alias_nodes,
        root: None,
        doc_start: None,
    };
    for next in Parser::new_from_str_with_options(chunk, options) {
        let (event, span) = match next {
            Ok(x) => x,
            Err(e) => {
                out.push(Err(scan_error(&e, base, chunk)));
                return;
            }
        };
        let ends_document = matches!(event, Event::DocumentEnd);
        if let Err(e) = b.event(event, span) {
            out.push(Err(e));
            return;
        }
        if ends_document {
            if let Some(root) = b.root.take() {
                let start = b.doc_start.unwrap_or(root.span.start).min(root.span.start);
                let span = start..root.span.end;
                out.push(Ok(Document { root, span }));
            }
            b.doc_start = None;
            b.anchors.clear();
            b.alias_budget = limits.max_alias_nodes;
        }
    }
}

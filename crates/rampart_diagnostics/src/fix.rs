use std::fmt;

use serde::{Deserialize, Serialize};

use crate::source::Span;

/// How confident a fix is that it cannot break a correctly working workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Posture improves and a correctly working workload cannot break: applied by `rampart fix`.
    Safe,
    /// Posture improves but the workload might break: applied only with `--unsafe-fixes`.
    Unsafe,
    /// A suggestion a human must complete or choose: shown, never applied.
    DisplayOnly,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Replace the bytes at `span` with `content` (an insertion when the span is empty).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit { span, content: content.into() }
    }

    pub fn insert(offset: usize, content: impl Into<String>) -> Edit {
        Edit { span: Span::empty(offset), content: content.into() }
    }

    pub fn delete(span: Span) -> Edit {
        Edit { span, content: String::new() }
    }
}

/// A file a fix creates beside the finding's file (a Secret manifest, a NetworkPolicy).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NewFile {
    /// Relative to the directory of the finding's file.
    pub path: String,
    pub content: String,
}

/// A set of edits to the finding's file that together resolve it, and the files it creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// Imperative, shown to users: "Replace `ADD` with `COPY`".
    pub message: String,
    pub edits: Vec<Edit>,
    /// Files the fix writes (never over an existing file).
    pub new_files: Vec<NewFile>,
}

impl Fix {
    pub fn new(applicability: Applicability, message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        let mut edits = edits;
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        Fix { applicability, message: message.into(), edits, new_files: Vec::new() }
    }

    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Safe, message, edits)
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Unsafe, message, edits)
    }

    pub fn display_only(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::DisplayOnly, message, edits)
    }

    /// Adds a file the fix creates.
    pub fn with_new_file(mut self, path: impl Into<String>, content: impl Into<String>) -> Fix {
        self.new_files.push(NewFile { path: path.into(), content: content.into() });
        self
    }

    /// The span touched by all edits together.
    pub fn span(&self) -> Option<Span> {
        self.edits.iter().map(|e| e.span).reduce(Span::cover)
    }
}

/// Why a set of edits could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    OutOfBounds(Span),
    NotCharBoundary(Span),
    Overlap(Span, Span),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::OutOfBounds(s) => write!(f, "edit {s} lies outside the text"),
            EditError::NotCharBoundary(s) => write!(f, "edit {s} splits a character"),
            EditError::Overlap(a, b) => write!(f, "edits {a} and {b} overlap"),
        }
    }
}

impl std::error::Error for EditError {}

/// Applies non-overlapping edits to `text`. Two insertions at the same offset are applied in
/// the order given.
pub fn apply_edits(text: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + sorted.iter().map(|e| e.content.len()).sum::<usize>());
    let mut cursor = 0;
    let mut previous: Option<Span> = None;
    for edit in sorted {
        let span = edit.span;
        if span.end > text.len() {
            return Err(EditError::OutOfBounds(span));
        }
        if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
            return Err(EditError::NotCharBoundary(span));
        }
        if let Some(prev) = previous
            && (span.start < prev.end || (span.start == prev.start && !prev.is_empty()))
        {
            return Err(EditError::Overlap(prev, span));
        }
        out.push_str(&text[cursor..span.start]);
        out.push_str(&edit.content);
        cursor = span.end;
        previous = Some(span);
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_replacements_and_insertions() {
        let text = "ADD a b\nMAINTAINER x\n";
        let edits = [Edit::replace(Span::new(0, 3), "COPY"), Edit::insert(8, "# moved\n")];
        assert_eq!(apply_edits(text, &edits).unwrap(), "COPY a b\n# moved\nMAINTAINER x\n");
    }

    #[test]
    fn rejects_overlaps_and_bad_offsets() {
        let text = "abcdef";
        assert!(matches!(
            apply_edits(text, &[Edit::replace(Span::new(0, 3), "x"), Edit::replace(Span::new(2, 4), "y")]),
            Err(EditError::Overlap(..))
        ));
        assert!(matches!(apply_edits(text, &[Edit::delete(Span::new(3, 9))]), Err(EditError::OutOfBounds(_))));
        assert!(matches!(apply_edits("é", &[Edit::delete(Span::new(1, 2))]), Err(EditError::NotCharBoundary(_))));
    }

    #[test]
    fn insertion_before_replacement_at_same_offset_is_fine() {
        let text = "abc";
        let out = apply_edits(text, &[Edit::insert(0, ">"), Edit::replace(Span::new(0, 1), "A")]).unwrap();
        assert_eq!(out, ">Abc");
    }
}

use std::fmt;
use std::sync::Arc;

/// A half-open byte range `start..end` into a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        if start <= end { Span { start, end } } else { Span { start: end, end: start } }
    }

    /// An empty span at `offset`, for insertions and for "missing" things.
    pub const fn empty(offset: usize) -> Self {
        Span { start: offset, end: offset }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub const fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// Moves the span right by `delta` bytes (for spans relative to an embedded text).
    pub const fn shift(self, delta: usize) -> Span {
        Span { start: self.start + delta, end: self.end + delta }
    }

    pub const fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The text of one input (a file on disk, stdin, or a synthesised document) and its line index.
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile").field("name", &self.name).field("len", &self.text.len()).finish()
    }
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Arc::new(SourceFile { name: name.into(), text, line_starts })
    }

    /// The name shown to users: a path relative to where rampart ran, `-` for stdin, or a
    /// synthetic name such as `image config`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Clamps `offset` to the text and moves it back to a character boundary, so a span
    /// produced by a buggy rule can never make a renderer panic.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    pub fn clamp_span(&self, span: Span) -> Span {
        Span::new(self.clamp(span.start), self.clamp(span.end))
    }

    /// 0-based index of the line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = self.clamp(offset);
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        Position { line: line + 1, column: self.text[start..offset].chars().count() + 1 }
    }

    /// Byte range of the 0-based line `index`, without its line terminator.
    pub fn line_span(&self, index: usize) -> Span {
        let Some(&start) = self.line_starts.get(index) else {
            return Span::empty(self.text.len());
        };
        let mut end = self.line_starts.get(index + 1).copied().unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// The byte offset of a 1-based line and column, if it exists.
    pub fn offset_of(&self, position: Position) -> Option<usize> {
        let line = self.line_span(position.line.checked_sub(1)?);
        if position.line > self.line_count() {
            return None;
        }
        let text = &self.text[line.range()];
        let column = position.column.checked_sub(1)?;
        if column == text.chars().count() {
            return Some(line.end);
        }
        text.char_indices().nth(column).map(|(i, _)| line.start + i)
    }

    pub fn slice(&self, span: Span) -> &str {
        let span = self.clamp_span(span);
        &self.text[span.range()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let file = SourceFile::new("f", "ab\nçé x\n");
        assert_eq!(file.position(0), Position { line: 1, column: 1 });
        assert_eq!(file.position(3), Position { line: 2, column: 1 });
        // "çé " is 5 bytes; 'x' is the 4th character of line 2.
        assert_eq!(file.position(8), Position { line: 2, column: 4 });
        assert_eq!(file.offset_of(Position { line: 2, column: 4 }), Some(8));
        assert_eq!(file.position(999), Position { line: 3, column: 1 });
    }

    #[test]
    fn offsets_inside_a_character_are_clamped() {
        let file = SourceFile::new("f", "é");
        assert_eq!(file.clamp(1), 0);
        assert_eq!(file.slice(Span::new(1, 7)), "é");
    }

    #[test]
    fn line_span_strips_crlf() {
        let file = SourceFile::new("f", "a\r\nb");
        assert_eq!(file.slice(file.line_span(0)), "a");
        assert_eq!(file.slice(file.line_span(1)), "b");
        assert_eq!(file.line_span(7), Span::empty(4));
    }
}

//! Text assembled from pieces of the source (continuation lines joined, comment lines
//! dropped) that can still map every byte back to where it came from.

use std::ops::Range;

/// A byte range in the original Dockerfile.
pub type Span = Range<usize>;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Segment {
    logical: usize,
    source: usize,
    len: usize,
    /// The piece is not a verbatim copy (an escape was processed): every offset inside maps
    /// to the whole source range.
    pinned_len: Option<usize>,
}

/// A string and the source offset of each of its bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MappedText {
    text: String,
    segments: Vec<Segment>,
}

impl MappedText {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `piece`, a verbatim copy of the source at `source_start`.
    pub fn push_verbatim(&mut self, piece: &str, source_start: usize) {
        if piece.is_empty() {
            return;
        }
        self.segments.push(Segment {
            logical: self.text.len(),
            source: source_start,
            len: piece.len(),
            pinned_len: None,
        });
        self.text.push_str(piece);
    }

    /// Appends `piece`, which stands for `source` but is not a verbatim copy of it.
    pub fn push_pinned(&mut self, piece: &str, source: Span) {
        if piece.is_empty() {
            return;
        }
        self.segments.push(Segment {
            logical: self.text.len(),
            source: source.start,
            len: piece.len(),
            pinned_len: Some(source.end.saturating_sub(source.start)),
        });
        self.text.push_str(piece);
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn segment_at(&self, offset: usize) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.logical <= offset);
        i.checked_sub(1).map(|i| &self.segments[i])
    }

    /// Source offset of the logical byte at `offset` (a start position).
    pub fn source_offset(&self, offset: usize) -> usize {
        match self.segment_at(offset) {
            Some(seg) if seg.pinned_len.is_some() => seg.source,
            Some(seg) => seg.source + (offset - seg.logical).min(seg.len),
            None => self.segments.first().map_or(0, |s| s.source),
        }
    }

    /// Source offset just after the logical byte before `offset` (an end position).
    pub fn source_end(&self, offset: usize) -> usize {
        if offset == 0 {
            return self.source_offset(0);
        }
        match self.segment_at(offset - 1) {
            Some(seg) => match seg.pinned_len {
                Some(len) => seg.source + len,
                None => seg.source + (offset - seg.logical).min(seg.len),
            },
            None => 0,
        }
    }

    /// Maps a logical range to the source.
    pub fn source_span(&self, logical: Span) -> Span {
        if logical.start >= logical.end {
            let at = self.source_offset(logical.start);
            return at..at;
        }
        // Pinned pieces may map backwards (a heredoc terminator pinned to its marker).
        let start = self.source_offset(logical.start);
        start..self.source_end(logical.end).max(start)
    }

    /// A new mapped text for `range` of this one (clamped to character boundaries).
    pub fn slice(&self, range: Span) -> MappedText {
        let start = floor_char(&self.text, range.start.min(self.text.len()));
        let end = floor_char(&self.text, range.end.min(self.text.len())).max(start);
        let mut out = MappedText::new();
        for seg in &self.segments {
            let seg_end = seg.logical + seg.len;
            let s = seg.logical.max(start);
            let e = seg_end.min(end);
            if s >= e {
                continue;
            }
            let piece = &self.text[s..e];
            match seg.pinned_len {
                Some(len) => out.push_pinned(piece, seg.source..seg.source + len),
                None => out.push_verbatim(piece, seg.source + (s - seg.logical)),
            }
        }
        out
    }

    /// Appends another mapped text, keeping its mapping.
    pub fn append(&mut self, other: &MappedText) {
        let shift = self.text.len();
        for seg in &other.segments {
            self.segments.push(Segment { logical: seg.logical + shift, ..seg.clone() });
        }
        self.text.push_str(&other.text);
    }

    /// The logical text with surrounding whitespace trimmed, mapped.
    pub fn trim(&self) -> MappedText {
        let start = self.text.len() - self.text.trim_start().len();
        let end = self.text.trim_end().len().max(start);
        self.slice(start..end)
    }
}

pub(crate) fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One physical line: `start..end` without its terminator, `next` is where the next line starts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

pub(crate) fn split_lines(src: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = src.as_bytes();
    while start < bytes.len() {
        let nl = memchr_newline(&bytes[start..]).map(|i| start + i);
        let (end, next) = match nl {
            Some(i) => (i, i + 1),
            None => (bytes.len(), bytes.len()),
        };
        let end = if end > start && bytes[end - 1] == b'\r' { end - 1 } else { end };
        lines.push(Line { start, end, next });
        start = next;
    }
    lines
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_across_joined_pieces() {
        // "RUN a \\\n  b" → logical "a   b"
        let mut t = MappedText::new();
        t.push_verbatim("a ", 4);
        t.push_verbatim("  b", 8);
        assert_eq!(t.as_str(), "a   b");
        assert_eq!(t.source_span(0..1), 4..5);
        assert_eq!(t.source_span(4..5), 10..11);
        assert_eq!(t.source_span(0..5), 4..11);
        // A range ending exactly at a segment boundary ends in the first segment.
        assert_eq!(t.source_span(0..2), 4..6);
        let s = t.slice(1..5).trim();
        assert_eq!(s.as_str(), "b");
        assert_eq!(s.source_span(0..1), 10..11);
    }

    #[test]
    fn pinned_pieces_map_to_their_whole_source() {
        let mut t = MappedText::new();
        t.push_pinned("a\"b", 10..15);
        assert_eq!(t.source_span(1..2), 10..15);
    }
}

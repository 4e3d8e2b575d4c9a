use crate::Span;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A key and its value in a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar: its text after escape processing, and how it was written.
    Scalar(String, ScalarStyle),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A YAML node and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// The node came from a `<<` merge or an alias: its span is where it was defined, not
    /// where it takes effect.
    pub borrowed: bool,
}

/// One document of a stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub root: Node,
    /// The document's text, from its first to its last byte (without `---`).
    pub span: Span,
}

const EMPTY: &[Node] = &[];

impl Node {
    pub fn scalar(&self) -> Option<(&str, ScalarStyle)> {
        match &self.value {
            Value::Scalar(s, style) => Some((s, *style)),
            _ => None,
        }
    }

    /// A scalar's text, whatever its style (`null` included: use [`Node::is_null`]).
    pub fn as_str(&self) -> Option<&str> {
        self.scalar().map(|(s, _)| s)
    }

    /// A plain `~`, `null` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(self.scalar(), Some(("" | "~" | "null" | "Null" | "NULL", ScalarStyle::Plain)))
    }

    /// A string value: any non-null scalar.
    pub fn as_string(&self) -> Option<&str> {
        if self.is_null() { None } else { self.as_str() }
    }

    /// A boolean as Kubernetes reads one (YAML 1.1 spellings accepted, unquoted only).
    pub fn as_bool(&self) -> Option<bool> {
        match self.scalar()? {
            (s, ScalarStyle::Plain) => match s {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// An integer (decimal, `0x`, `0o`, with `_` separators), unquoted only.
    pub fn as_i64(&self) -> Option<i64> {
        let (s, ScalarStyle::Plain) = self.scalar()? else { return None };
        let s = s.replace('_', "");
        let (neg, digits) = match s.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, s.strip_prefix('+').unwrap_or(&s)),
        };
        let v = if let Some(h) = digits.strip_prefix("0x") {
            i64::from_str_radix(h, 16).ok()?
        } else if let Some(o) = digits.strip_prefix("0o") {
            i64::from_str_radix(o, 8).ok()?
        } else {
            digits.parse::<i64>().ok()?
        };
        Some(if neg { -v } else { v })
    }

    /// Either an integer or a string holding one (`"8080"`), as port fields are written.
    pub fn as_i64_lenient(&self) -> Option<i64> {
        self.as_i64().or_else(|| self.as_str()?.trim().parse().ok())
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    /// A mapping's entries (empty for other nodes).
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(e) => e,
            _ => &[],
        }
    }

    /// A sequence's items (empty for other nodes).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(i) => i,
            _ => EMPTY,
        }
    }

    /// The entry whose key is the scalar `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().rev().find(|e| e.key.as_str() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A mapping's value as a string (`None` when absent, null or not a scalar).
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_string)
    }

    pub fn get_bool(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Node::as_bool)
    }

    /// How many nodes this tree holds (itself included).
    pub fn count(&self) -> usize {
        1 + match &self.value {
            Value::Scalar(..) => 0,
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(entries) => entries.iter().map(|e| e.key.count() + e.value.count()).sum(),
        }
    }
}

//! Small readers shared by the Compose and OCI adapters.

use rampart_yaml::{Node, ScalarStyle, Span};

use crate::model::Setting;

/// The span of bytes `start..end` of a scalar's text, when the scalar is written so that its
/// text maps onto the file byte for byte (plain, or quoted without escapes); otherwise the
/// whole scalar. Never outside the scalar's own span.
pub(crate) fn sub_span(node: &Node, start: usize, end: usize) -> Span {
    let whole = node.span.clone();
    let Some((text, style)) = node.scalar() else { return whole };
    if start > end || end > text.len() {
        return whole;
    }
    let written = whole.end.saturating_sub(whole.start);
    let offset = match style {
        ScalarStyle::Plain if written == text.len() => 0,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if written == text.len() + 2 => 1,
        _ => return whole,
    };
    whole.start + offset + start..whole.start + offset + end
}

/// A non-null scalar as an explicit setting at its span.
pub(crate) fn explicit_str(node: &Node) -> Option<Setting<String>> {
    node.as_string().map(|s| Setting::explicit(s.to_string(), node.span.clone()))
}

/// A boolean written at `parent.key`: unquoted, or the quoted string `"true"`/`"false"`
/// (Compose's loader takes those too).
pub(crate) fn bool_at(parent: &Node, key: &str) -> Option<Setting<bool>> {
    bool_setting(parent.get(key)?)
}

/// A boolean as [`bool_at`] reads it.
pub(crate) fn bool_setting(n: &Node) -> Option<Setting<bool>> {
    let value = n.as_bool().or_else(|| match n.as_str()?.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    })?;
    Some(Setting::explicit(value, n.span.clone()))
}

/// An integer, written as a number or as a string holding one.
pub(crate) fn int(node: &Node) -> Option<i64> {
    node.as_i64_lenient()
}

/// `Setting<Option<T>>` from an optional explicit setting, or `fallback` when unset.
pub(crate) fn optional<T>(setting: Option<Setting<T>>, fallback: Setting<Option<T>>) -> Setting<Option<T>> {
    match setting {
        Some(s) => Setting { value: Some(s.value), origin: s.origin },
        None => fallback,
    }
}

/// `KEY=VALUE` (or `KEY` alone) split at the first `=`, with the byte offsets of each part.
pub(crate) fn split_assignment(text: &str) -> ((usize, usize), Option<(usize, usize)>) {
    match text.find('=') {
        Some(i) => ((0, i), Some((i + 1, text.len()))),
        None => ((0, text.len()), None),
    }
}

/// The span from the start of a mapping entry's key to the end of its value.
pub(crate) fn entry_span(key: &Node, value: &Node) -> Span {
    key.span.start.min(value.span.start)..key.span.end.max(value.span.end)
}

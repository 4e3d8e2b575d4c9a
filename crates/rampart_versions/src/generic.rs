//! Version ordering for the generic scheme.

use std::cmp::Ordering;

/// Compares two versions; `None` when either does not parse.
pub(crate) fn compare(_a: &str, _b: &str) -> Option<Ordering> {
    None
}

//! Numbers of any length, compared as digit strings: versions from hostile input may carry
//! numbers far beyond `u64`, and parsing them would either overflow or need a guess.

use std::cmp::Ordering;

/// Compares two runs of ASCII digits numerically (leading zeros ignored).
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Whether `s` is a non-empty run of ASCII digits.
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` is zero (one or more `0` digits).
pub(crate) fn is_zero(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b == b'0')
}

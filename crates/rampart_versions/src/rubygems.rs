//! RubyGems ordering, after `Gem::Version` (rubygems/version.rb): the version pattern,
//! `-` read as `.pre.`, segments of digits or letters, trailing zeros of the release and
//! pre-release parts dropped (`canonical_segments`), a letter segment sorting before any
//! number (so any letter makes a pre-release).

use std::cmp::Ordering;

use crate::num::cmp_digits;

#[derive(Debug, PartialEq, Eq)]
enum Seg {
    Num(String),
    Str(String),
}

fn valid(v: &str) -> bool {
    let alnum = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    let pre_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let (main, pre) = match v.split_once('-') {
        Some((m, p)) => (m, Some(p)),
        None => (v, None),
    };
    let mut parts = main.split('.');
    let first_ok = parts.next().is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    first_ok && parts.all(alnum) && pre.is_none_or(|p| p.split('.').all(pre_ok))
}

fn canonical(v: &str) -> Option<Vec<Seg>> {
    let v = v.trim();
    if !valid(v) {
        return None;
    }
    let v = v.replace('-', ".pre.");
    let mut segs = Vec::new();
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            segs.push(Seg::Num(v[start..i].trim_start_matches('0').to_string()));
        } else if b[i].is_ascii_alphabetic() {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            segs.push(Seg::Str(v[start..i].to_string()));
        } else {
            i += 1;
        }
    }
    let split = segs.iter().position(|s| matches!(s, Seg::Str(_))).unwrap_or(segs.len());
    let mut string_part = segs.split_off(split);
    let zero = |s: &Seg| matches!(s, Seg::Num(n) if n.is_empty());
    while segs.last().is_some_and(zero) {
        segs.pop();
    }
    while string_part.last().is_some_and(zero) {
        string_part.pop();
    }
    segs.extend(string_part);
    Some(segs)
}

/// Compares two gem versions; `None` when either does not match Gem::Version's pattern
/// (the empty string, which RubyGems reads as "0", is refused as metadata damage).
pub(crate) fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (canonical(a)?, canonical(b)?);
    let zero = Seg::Num(String::new());
    for i in 0..a.len().max(b.len()) {
        let l = a.get(i).unwrap_or(&zero);
        let r = b.get(i).unwrap_or(&zero);
        let ord = match (l, r) {
            (Seg::Num(x), Seg::Num(y)) => cmp_digits(x, y),
            (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
            (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            (Seg::Str(x), Seg::Str(y)) => x.cmp(y),
        };
        if ord != Ordering::Equal {
            return Some(ord);
        }
    }
    Some(Ordering::Equal)
}

//! RPM ordering: `[epoch:]version[-release]`, each part compared with rpm's `rpmvercmp`
//! (rpmio/rpmvercmp.c): alphanumeric segments, separators ignored, numeric segments newer
//! than alphabetic ones, `~` before everything (pre-releases), `^` after the bare version
//! but before any further segment (post-release snapshots).

use std::cmp::Ordering;

use crate::num::cmp_digits;

struct Evr<'a> {
    epoch: &'a str,
    version: &'a str,
    release: &'a str,
}

fn part_ok(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._+~^".contains(&b))
}

fn parse(v: &str) -> Option<Evr<'_>> {
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => (e, r),
        Some(_) => return None,
        None => ("0", v),
    };
    let (version, release) = match rest.rsplit_once('-') {
        Some((v, r)) => {
            if !part_ok(r) {
                return None;
            }
            (v, r)
        }
        None => (rest, ""),
    };
    if !part_ok(version) {
        return None;
    }
    Some(Evr { epoch, version, release })
}

/// `rpmvercmp`, transcribed.
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    while i < a.len() || j < b.len() {
        while i < a.len() && sep(a[i]) {
            i += 1;
        }
        while j < b.len() && sep(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            break;
        };
        let isnum = ca.is_ascii_digit();
        let class = |c: u8| {
            if isnum { c.is_ascii_digit() } else { c.is_ascii_alphabetic() }
        };
        let (si, sj) = (i, j);
        while i < a.len() && class(a[i]) {
            i += 1;
        }
        while j < b.len() && class(b[j]) {
            j += 1;
        }
        // `si == i` cannot happen: a[si] is alphanumeric and of its own class.
        if sj == j {
            return if isnum { Ordering::Greater } else { Ordering::Less };
        }
        let sa = std::str::from_utf8(&a[si..i]).unwrap_or("");
        let sb = std::str::from_utf8(&b[sj..j]).unwrap_or("");
        let ord = if isnum { cmp_digits(sa, sb) } else { sa.cmp(sb) };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

/// Compares two RPM EVRs; `None` when either does not parse. A missing release sorts
/// before any release (keeps the order total).
pub(crate) fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (parse(a)?, parse(b)?);
    Some(
        cmp_digits(a.epoch, b.epoch)
            .then_with(|| rpmvercmp(a.version, b.version))
            .then_with(|| rpmvercmp(a.release, b.release)),
    )
}

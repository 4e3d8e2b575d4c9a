//! dpkg version ordering (`[epoch:]upstream[-revision]`), after dpkg's `verrevcmp` in
//! lib/dpkg/version.c: non-digit runs compare character by character with `~` before
//! everything (even the end), letters before other characters; digit runs numerically.

use std::cmp::Ordering;

use crate::num::cmp_digits;

struct Version<'a> {
    epoch: &'a str,
    upstream: &'a str,
    revision: &'a str,
}

fn parse(v: &str) -> Option<Version<'_>> {
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) => {
            if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (e, r)
        }
        None => ("0", v),
    };
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((u, r)) => {
            if r.is_empty() {
                return None;
            }
            (u, r)
        }
        None => (rest, ""),
    };
    let upstream_ok = |b: u8| b.is_ascii_alphanumeric() || b".+~-:".contains(&b);
    let revision_ok = |b: u8| b.is_ascii_alphanumeric() || b".+~".contains(&b);
    if upstream.is_empty() || !upstream.bytes().all(upstream_ok) || !revision.bytes().all(revision_ok) {
        return None;
    }
    Some(Version { epoch, upstream, revision })
}

/// dpkg's `order()`: `~` lowest, then the end of the string and digits, then letters, then
/// everything else.
fn order(c: Option<u8>) -> i32 {
    match c {
        Some(b'~') => -1,
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit prefix, character by character.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = a.get(i).copied().filter(|c| !c.is_ascii_digit());
            let bc = b.get(j).copied().filter(|c| !c.is_ascii_digit());
            let (oa, ob) = (order(ac), order(bc));
            if oa != ob {
                return oa.cmp(&ob);
            }
            if ac.is_some() {
                i += 1;
            }
            if bc.is_some() {
                j += 1;
            }
        }
        let si = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let sj = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let da = std::str::from_utf8(&a[si..i]).unwrap_or("");
        let db = std::str::from_utf8(&b[sj..j]).unwrap_or("");
        let ord = cmp_digits(da, db);
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Compares two dpkg versions; `None` when either is not a valid Debian version.
pub(crate) fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (parse(a)?, parse(b)?);
    Some(
        cmp_digits(a.epoch, b.epoch)
            .then_with(|| verrevcmp(a.upstream, b.upstream))
            .then_with(|| verrevcmp(a.revision, b.revision)),
    )
}

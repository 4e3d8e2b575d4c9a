//! SemVer 2.0 precedence (<https://semver.org/#spec-item-11>), tolerant of a leading `v` and
//! of NuGet's one-to-four-part cores (missing parts are zero), build metadata ignored.

use std::cmp::Ordering;

use crate::num::{cmp_digits, is_digits};

pub(crate) struct Version<'a> {
    core: Vec<&'a str>,
    pre: Vec<&'a str>,
}

fn ident_ok(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Parses a SemVer version; `strict` requires exactly three core parts.
pub(crate) fn parse(v: &str, strict: bool) -> Option<Version<'_>> {
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let (v, build) = match v.split_once('+') {
        Some((v, b)) => (v, Some(b)),
        None => (v, None),
    };
    if let Some(build) = build
        && !build.split('.').all(ident_ok)
    {
        return None;
    }
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    let core: Vec<&str> = core.split('.').collect();
    let parts_ok = if strict { core.len() == 3 } else { (1..=4).contains(&core.len()) };
    if !parts_ok || !core.iter().all(|p| is_digits(p)) {
        return None;
    }
    let pre: Vec<&str> = match pre {
        Some(p) => p.split('.').collect(),
        None => Vec::new(),
    };
    if !pre.iter().all(|p| ident_ok(p)) {
        return None;
    }
    Some(Version { core, pre })
}

pub(crate) fn cmp_versions(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    let n = a.core.len().max(b.core.len());
    for i in 0..n {
        let x = a.core.get(i).copied().unwrap_or("0");
        let y = b.core.get(i).copied().unwrap_or("0");
        let ord = cmp_digits(x, y);
        if ord != Ordering::Equal {
            return ord;
        }
    }
    match (a.pre.is_empty(), b.pre.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    for (x, y) in a.pre.iter().zip(&b.pre) {
        let ord = match (is_digits(x), is_digits(y)) {
            (true, true) => cmp_digits(x, y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => x.cmp(y),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    a.pre.len().cmp(&b.pre.len())
}

/// Compares two SemVer versions; `None` when either does not parse.
pub(crate) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(cmp_versions(&parse(a, false)?, &parse(b, false)?))
}

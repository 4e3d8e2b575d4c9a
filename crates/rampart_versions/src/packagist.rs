//! Composer (Packagist) ordering: versions are normalised as Composer's
//! `VersionParser::normalize` does (`v` prefix and build metadata dropped, four numeric
//! parts, stability suffix expanded: `a`→alpha, `b`→beta, `rc`→RC, `p`/`pl`→patch, `-dev`),
//! then compared with PHP's `version_compare`, which orders
//! dev < alpha < beta < RC < (release) < patch. Branch versions (`dev-main`) have no order.

use std::cmp::Ordering;

use crate::num::cmp_digits;

fn normalize(v: &str) -> Option<String> {
    let v = v.trim();
    let v = match v.split_once('+') {
        Some((v, build)) if !build.is_empty() && !build.contains(char::is_whitespace) => v,
        Some(_) => return None,
        None => v,
    };
    let lower = v.to_ascii_lowercase();
    let s = lower.strip_prefix('v').unwrap_or(&lower);
    if s.starts_with("dev-") {
        return None;
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut nums: Vec<&str> = Vec::new();
    loop {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return None;
        }
        nums.push(&s[start..i]);
        if nums.len() < 4 && i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
            i += 1;
            continue;
        }
        break;
    }
    let mut out = nums.join(".");
    for _ in nums.len()..4 {
        out.push_str(".0");
    }
    let mut rest = &s[i..];
    // Stability modifier: [._-]?(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?
    let after_sep = rest.strip_prefix(['.', '_', '-']).unwrap_or(rest);
    const MODS: [(&str, &str); 9] = [
        ("stable", ""),
        ("beta", "beta"),
        ("b", "beta"),
        ("rc", "RC"),
        ("alpha", "alpha"),
        ("a", "alpha"),
        ("patch", "patch"),
        ("pl", "patch"),
        ("p", "patch"),
    ];
    if let Some((word, expanded)) = MODS.iter().find(|(w, _)| after_sep.starts_with(w)) {
        let mut tail = &after_sep[word.len()..];
        let mut digits = String::new();
        loop {
            let t = tail.strip_prefix(['.', '-']).unwrap_or(tail);
            let n = t.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                break;
            }
            digits.push_str(&t[..n]);
            digits.push('.');
            tail = &t[n..];
        }
        if !expanded.is_empty() {
            out.push('-');
            out.push_str(expanded);
            out.push_str(digits.trim_end_matches('.'));
        }
        rest = tail;
    }
    if let Some(r) = rest.strip_suffix("dev").filter(|r| r.is_empty() || *r == "." || *r == "-") {
        let _ = r;
        out.push_str("-dev");
        rest = "";
    }
    rest.is_empty().then_some(out)
}

/// PHP's `compare_special_version_forms` order; strings not in the list sort first.
fn special(form: &str) -> i32 {
    const FORMS: [(&str, i32); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS.iter().find(|(name, _)| form.starts_with(name)).map_or(-6, |f| f.1)
}

/// PHP's `php_canonicalize_version`: `-_+` and other non-alphanumerics become `.`, and a
/// `.` is inserted at every digit/non-digit boundary.
fn canonicalize(v: &str) -> Vec<String> {
    let mut out = String::new();
    let mut last: Option<char> = None;
    for c in v.chars() {
        let boundary = last.is_some_and(|l| l != '.' && c != '.' && (l.is_ascii_digit() != c.is_ascii_digit()));
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('.') {
                out.push('.');
            }
        } else {
            if boundary && !out.ends_with('.') {
                out.push('.');
            }
            out.push(c);
        }
        last = Some(c);
    }
    out.split('.').filter(|p| !p.is_empty()).map(str::to_string).collect()
}

fn is_num(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// PHP's `version_compare`.
fn version_compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (canonicalize(a), canonicalize(b));
    for (x, y) in a.iter().zip(&b) {
        let ord = match (is_num(x), is_num(y)) {
            (true, true) => cmp_digits(x, y),
            (false, false) => special(x).cmp(&special(y)),
            (true, false) => special("#").cmp(&special(y)),
            (false, true) => special(x).cmp(&special("#")),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    match a.len().cmp(&b.len()) {
        Ordering::Equal => Ordering::Equal,
        Ordering::Greater => {
            let x = &a[b.len()];
            if is_num(x) { Ordering::Greater } else { special(x).cmp(&special("#")) }
        }
        Ordering::Less => {
            let y = &b[a.len()];
            if is_num(y) { Ordering::Less } else { special("#").cmp(&special(y)) }
        }
    }
}

/// Compares two Composer versions; `None` when either does not normalise (branches too).
pub(crate) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(version_compare(&normalize(a)?, &normalize(b)?))
}

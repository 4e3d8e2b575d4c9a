//! Unknown ecosystems: without the ecosystem's rules any ordering beyond plain dotted
//! numbers would be a guess, so other versions only compare equal to themselves.

use std::cmp::Ordering;

use crate::num::{cmp_digits, is_digits};

/// Compares dotted numbers (`1.2.10`, missing parts zero); identical strings are equal;
/// anything else is `None`.
pub(crate) fn compare(a: &str, b: &str) -> Option<Ordering> {
    let numeric = |v: &str| !v.is_empty() && v.split('.').all(is_digits);
    if numeric(a) && numeric(b) {
        let (x, y): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
        for i in 0..x.len().max(y.len()) {
            let o = cmp_digits(x.get(i).unwrap_or(&"0"), y.get(i).unwrap_or(&"0"));
            if o != Ordering::Equal {
                return Some(o);
            }
        }
        return Some(Ordering::Equal);
    }
    (a == b && !a.is_empty() && !numeric(a)).then_some(Ordering::Equal)
}

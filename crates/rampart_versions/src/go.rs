//! Go module versions: SemVer with a `v` prefix (golang.org/x/mod/semver). Pseudo-versions
//! (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.2019…`, `v1.2.3-pre.0.2019…`) are designed
//! to order correctly under SemVer precedence, and `+incompatible` is build metadata. The
//! toolchain's own `go1.21.5` / `go1.21rc2` spellings (standard-library findings) are
//! mapped to `1.21.5` / `1.21.0-rc.2`, as OSV's `stdlib` records use.

use std::cmp::Ordering;

use crate::semver;

/// Rewrites a `go1.N[.P][(rc|beta)K]` toolchain version as SemVer.
fn toolchain(v: &str) -> Option<String> {
    let rest = v.strip_prefix("go")?;
    let split = rest.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(rest.len());
    let (nums, pre) = rest.split_at(split);
    let parts: Vec<&str> = nums.split('.').collect();
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| crate::num::is_digits(p)) {
        return None;
    }
    let patch = parts.get(2).copied().unwrap_or("0");
    let mut out = format!("{}.{}.{}", parts[0], parts[1], patch);
    if !pre.is_empty() {
        let kind = ["rc", "beta", "alpha"].into_iter().find(|k| pre.starts_with(k))?;
        let n = &pre[kind.len()..];
        if !crate::num::is_digits(n) {
            return None;
        }
        out.push_str(&format!("-{kind}.{n}"));
    }
    Some(out)
}

fn cmp(a: &str, b: &str) -> Option<Ordering> {
    let a = semver::parse(a, true)?;
    let b = semver::parse(b, true)?;
    Some(semver::cmp_versions(&a, &b))
}

/// Compares two Go module (or toolchain) versions; `None` when either does not parse.
pub(crate) fn compare(a: &str, b: &str) -> Option<Ordering> {
    let ta = toolchain(a);
    let tb = toolchain(b);
    cmp(ta.as_deref().unwrap_or(a), tb.as_deref().unwrap_or(b))
}

//! Version ordering per package ecosystem, OSV range evaluation and CVSS scoring.
//!
//! Vulnerability matching is only as good as the version comparison under it: a wrong order
//! either reports a fixed package or, worse, hides a vulnerable one. Every scheme here follows
//! its ecosystem's own reference algorithm (dpkg, apk-tools, rpmvercmp, PEP 440, SemVer 2.0,
//! Go modules, Maven's `ComparableVersion`, `Gem::Version`, Composer) and refuses to guess:
//! a version that does not parse in its scheme compares as `None` and never matches a range.
//!
//! Versions come from hostile images and databases, so nothing in this crate panics, whatever
//! the input, and numbers of any length are compared as digit strings (no overflow).

mod alpine;
pub mod cvss;
mod debian;
mod generic;
mod go;
mod maven;
mod num;
mod packagist;
mod pep440;
mod rpm;
mod rubygems;
mod semver;

use std::cmp::Ordering;

/// The version-ordering rules of a package ecosystem.
///
/// Several OSV ecosystems share one ordering (npm, crates.io, NuGet, Hex and Pub all use
/// SemVer; every RPM distribution uses rpmvercmp), so matching works on schemes, not on
/// ecosystem names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// dpkg ordering (Debian, Ubuntu and derivatives): epoch, upstream, revision, `~` first.
    Debian,
    /// apk-tools ordering (Alpine, Wolfi-like): suffixes `_alpha`…`_p`, `-rN` revisions.
    Alpine,
    /// rpmvercmp with epochs (Red Hat, SUSE and the other RPM distributions), `~` and `^`.
    Rpm,
    /// PEP 440 (PyPI): epochs, pre/post/dev releases, local versions, normalisation.
    Pep440,
    /// SemVer 2.0 (npm, crates.io, NuGet, Hex, Pub): pre-releases, build metadata ignored.
    Semver,
    /// Go modules: SemVer with a `v` prefix, pseudo-versions, `+incompatible`, `go1.N` toolchains.
    Go,
    /// Maven's `ComparableVersion`: padding, qualifiers alpha < beta < milestone < rc < snapshot < ga < sp.
    Maven,
    /// RubyGems' `Gem::Version`: numeric segments, letters make pre-releases.
    RubyGems,
    /// Composer (Packagist): normalised versions, dev < alpha < beta < RC < stable < patch.
    Packagist,
    /// Unknown ecosystems: only plain dotted numbers are ordered, anything else only by equality.
    Generic,
}

impl Scheme {
    /// Maps an OSV `affected[].package.ecosystem` string to its ordering, because OSV records
    /// name ecosystems (with optional `:release` suffixes) rather than ordering rules.
    ///
    /// "Debian", "Debian:12", "Ubuntu:22.04" → Debian; "Alpine", "Alpine:v3.19" → Alpine;
    /// "Red Hat", "AlmaLinux", "Rocky Linux", "openSUSE", "SUSE", "Mageia", "openEuler" → Rpm;
    /// "PyPI" → Pep440; "npm", "crates.io", "NuGet", "Hex", "Pub" → Semver; "Go" → Go;
    /// "Maven" → Maven; "RubyGems" → RubyGems; "Packagist" → Packagist; anything else → Generic.
    pub fn for_osv_ecosystem(ecosystem: &str) -> Scheme {
        let base = ecosystem.split(':').next().unwrap_or("").trim();
        match base {
            "Debian" | "Ubuntu" => Scheme::Debian,
            "Alpine" | "Alpaquita" | "BellSoft Hardened Containers" | "Wolfi" | "Chainguard" => Scheme::Alpine,
            "Red Hat" | "AlmaLinux" | "Rocky Linux" | "openSUSE" | "SUSE" | "Mageia" | "openEuler" | "Photon OS"
            | "Azure Linux" => Scheme::Rpm,
            "PyPI" => Scheme::Pep440,
            "npm" | "crates.io" | "NuGet" | "Hex" | "Pub" => Scheme::Semver,
            "Go" => Scheme::Go,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::RubyGems,
            "Packagist" => Scheme::Packagist,
            _ => Scheme::Generic,
        }
    }
}

/// Orders two versions in `scheme`, so ranges can be evaluated; `None` when either side does
/// not parse in that scheme (the caller must then not match rather than guess).
///
/// Within a scheme this is a total order on the versions that parse: reflexive, antisymmetric
/// (`compare(a, b)` is the reverse of `compare(b, a)`) and transitive. Different spellings of
/// one version compare `Equal` (`1.0` and `1.0.0` in PEP 440, `1.0` and `1.0-0` in dpkg).
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
    match scheme {
        Scheme::Debian => debian::compare(a, b),
        Scheme::Alpine => alpine::compare(a, b),
        Scheme::Rpm => rpm::compare(a, b),
        Scheme::Pep440 => pep440::compare(a, b),
        Scheme::Semver => semver::compare(a, b),
        Scheme::Go => go::compare(a, b),
        Scheme::Maven => maven::compare(a, b),
        Scheme::RubyGems => rubygems::compare(a, b),
        Scheme::Packagist => packagist::compare(a, b),
        Scheme::Generic => generic::compare(a, b),
    }
}

/// Whether `version` parses in `scheme`, so callers can tell "not affected" from "cannot tell".
pub fn is_valid(scheme: Scheme, version: &str) -> bool {
    compare(scheme, version, version).is_some()
}

/// The OSV `ranges[].type`, which decides how the events' versions are ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeKind {
    /// Versions ordered by the ecosystem's own scheme.
    Ecosystem,
    /// Versions ordered as SemVer 2.0, whatever the ecosystem.
    Semver,
    /// Commit hashes: cannot be evaluated against an installed version, so ignored.
    Git,
}

/// One OSV range event; the version strings are kept as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// From this version on the package is affected; "0" means from the very first version.
    Introduced(String),
    /// From this version on the package is no longer affected (exclusive bound).
    Fixed(String),
    /// The last affected version (inclusive bound), used when no fix exists yet.
    LastAffected(String),
    /// Versions at or above this are outside the range ("*" means no limit).
    Limit(String),
}

impl Event {
    fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// One OSV `ranges[]` entry: a kind and its events, in any order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// How the events' versions are ordered.
    pub kind: RangeKind,
    /// The events as published; evaluation sorts them.
    pub events: Vec<Event>,
}

/// Whether `version` is affected, following the OSV evaluation rules exactly
/// (<https://ossf.github.io/osv-schema/#evaluation>), because a finding must be neither missed
/// nor invented.
///
/// Affected if listed in `versions` (compared for equality in the scheme, and as exact
/// strings) or inside any ECOSYSTEM/SEMVER range (SEMVER ranges compare as SemVer 2.0 whatever
/// the scheme); GIT ranges are ignored. "0" as introduced means the lowest version. Several
/// introduced/fixed pairs in one range; last_affected inclusive; fixed exclusive; limit bounds.
/// A version that does not parse is affected only through an exact `versions` entry; use
/// [`evaluate`] to tell "not affected" from "cannot tell".
pub fn is_affected(scheme: Scheme, version: &str, ranges: &[Range], versions: &[String]) -> bool {
    evaluate(scheme, version, ranges, versions) == Some(true)
}

/// Like [`is_affected`], but `None` when the answer depends on a version that does not parse
/// (the installed one, or an event of a range that could apply), so the caller can report
/// "could not evaluate" instead of silently passing the package.
pub fn evaluate(scheme: Scheme, version: &str, ranges: &[Range], versions: &[String]) -> Option<bool> {
    if versions.iter().any(|listed| listed == version) {
        return Some(true);
    }
    let valid = is_valid(scheme, version);
    let mut unknown = !valid && !versions.is_empty();
    if valid && versions.iter().any(|listed| compare(scheme, version, listed) == Some(Ordering::Equal)) {
        return Some(true);
    }
    for range in ranges {
        match range_affects(scheme, version, range) {
            Some(true) => return Some(true),
            Some(false) => {}
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

/// The ordering a range's events use; `None` for GIT ranges, which cannot be evaluated.
fn range_scheme(scheme: Scheme, kind: &RangeKind) -> Option<Scheme> {
    match kind {
        RangeKind::Ecosystem => Some(scheme),
        RangeKind::Semver => Some(Scheme::Semver),
        RangeKind::Git => None,
    }
}

/// Orders two event versions, "0" as introduced being below everything.
fn cmp_events(scheme: Scheme, a: &Event, b: &Event) -> Ordering {
    let zero = |e: &Event| matches!(e, Event::Introduced(v) if v == "0");
    match (zero(a), zero(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => compare(scheme, a.version(), b.version()).unwrap_or(Ordering::Equal),
    }
}

/// Stable insertion sort: event lists are short, and unlike `slice::sort_by` it cannot panic
/// whatever the comparator returns.
fn sort_events(scheme: Scheme, events: &mut [&Event]) {
    for i in 1..events.len() {
        let mut j = i;
        while j > 0 && cmp_events(scheme, events[j - 1], events[j]) == Ordering::Greater {
            events.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// A range's events sorted as the OSV reference sorts them, and its limits (`None` = "*");
/// `None` when an event does not parse in the range's scheme.
fn prepared(scheme: Scheme, range: &Range) -> Option<(Vec<&Event>, Vec<Option<&str>>)> {
    let mut limits = Vec::new();
    let mut events = Vec::new();
    for event in &range.events {
        match event {
            Event::Limit(v) if v == "*" => limits.push(None),
            Event::Limit(v) if is_valid(scheme, v) => limits.push(Some(v.as_str())),
            Event::Introduced(v) if v == "0" => events.push(event),
            other if is_valid(scheme, other.version()) => events.push(other),
            _ => return None,
        }
    }
    // The insertion sort is stable: equal versions keep the record's order, as the
    // reference's Python `sorted` does.
    sort_events(scheme, &mut events);
    Some((events, limits))
}

/// One range per the OSV reference algorithm: sort the events, walk them, apply limits.
/// `None` when the version or an event does not parse; GIT ranges never affect.
fn range_affects(scheme: Scheme, version: &str, range: &Range) -> Option<bool> {
    let Some(scheme) = range_scheme(scheme, &range.kind) else {
        return Some(false);
    };
    if !is_valid(scheme, version) {
        return None;
    }
    let (events, limits) = prepared(scheme, range)?;
    let before_limits = limits.is_empty()
        || limits.iter().any(|limit| match limit {
            None => true,
            Some(l) => compare(scheme, version, l) == Some(Ordering::Less),
        });
    if !before_limits {
        return Some(false);
    }
    let mut affected = false;
    for event in events {
        let ord = match event {
            Event::Introduced(v) if v == "0" => Ordering::Greater,
            e => compare(scheme, version, e.version())?,
        };
        match event {
            Event::Introduced(_) if ord != Ordering::Less => affected = true,
            Event::Fixed(_) if ord != Ordering::Less => affected = false,
            Event::LastAffected(_) if ord == Ordering::Greater => affected = false,
            _ => {}
        }
    }
    Some(affected)
}

/// The `fixed` versions of the ranges that affect `version`, so the user is told what to
/// upgrade to: per affecting range, the fix that closes the introduced/fixed pair holding the
/// version (none when the pair ends in `last_affected`), in range order, deduplicated.
pub fn fixed_in(scheme: Scheme, version: &str, ranges: &[Range]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for range in ranges {
        if range_affects(scheme, version, range) != Some(true) {
            continue;
        }
        let Some(s) = range_scheme(scheme, &range.kind) else {
            continue;
        };
        let Some((events, _)) = prepared(s, range) else {
            continue;
        };
        // The pair holding the version is closed by the first fixed or last_affected event
        // above it; only a `fixed` one names an upgrade.
        let closing = events.iter().find(|e| match e {
            Event::Fixed(v) => compare(s, version, v) == Some(Ordering::Less),
            Event::LastAffected(v) => compare(s, version, v) != Some(Ordering::Greater),
            _ => false,
        });
        if let Some(Event::Fixed(f)) = closing
            && !out.contains(f)
        {
            out.push(f.clone());
        }
    }
    out
}

/// The package name as the ecosystem compares names, so a package found in an image matches
/// the advisory's spelling of it.
///
/// PyPI per PEP 503 (lowercase, runs of `-_.` → `-`); Packagist lowercase; others unchanged
/// (Go module paths, npm scopes, Maven group:artifact are case-sensitive).
pub fn normalize_name(scheme: Scheme, name: &str) -> String {
    match scheme {
        Scheme::Pep440 => {
            let mut out = String::with_capacity(name.len());
            let mut in_sep = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !in_sep {
                        out.push('-');
                    }
                    in_sep = true;
                } else {
                    out.extend(c.to_lowercase());
                    in_sep = false;
                }
            }
            out
        }
        Scheme::Packagist => name.to_lowercase(),
        _ => name.to_string(),
    }
}

//! OSV range evaluation (https://ossf.github.io/osv-schema/#evaluation) and CVSS scoring.

use rampart_versions::cvss::{Rating, parse_rating, rating_of, score};
use rampart_versions::{Event, Range, RangeKind, Scheme, evaluate, fixed_in, is_affected};

fn intro(v: &str) -> Event {
    Event::Introduced(v.into())
}
fn fixed(v: &str) -> Event {
    Event::Fixed(v.into())
}
fn last(v: &str) -> Event {
    Event::LastAffected(v.into())
}
fn limit(v: &str) -> Event {
    Event::Limit(v.into())
}
fn eco(events: Vec<Event>) -> Range {
    Range { kind: RangeKind::Ecosystem, events }
}

#[test]
fn introduced_zero_and_fixed() {
    // GHSA-x84v-xcm2-53pg (requests < 2.20.0) shape.
    let r = [eco(vec![intro("0"), fixed("2.20.0")])];
    assert!(is_affected(Scheme::Pep440, "2.19.0", &r, &[]));
    assert!(is_affected(Scheme::Pep440, "0.0.1", &r, &[]));
    assert!(!is_affected(Scheme::Pep440, "2.20.0", &r, &[]), "fixed is exclusive");
    assert!(!is_affected(Scheme::Pep440, "2.20", &r, &[]), "equal after normalisation");
    assert!(!is_affected(Scheme::Pep440, "2.31.0", &r, &[]));
    assert!(is_affected(Scheme::Pep440, "2.20.0rc1", &r, &[]));
    assert_eq!(fixed_in(Scheme::Pep440, "2.19.0", &r), vec!["2.20.0"]);
    assert!(fixed_in(Scheme::Pep440, "2.20.0", &r).is_empty());
}

#[test]
fn several_pairs_and_unsorted_events() {
    let events = vec![fixed("1.5.0"), intro("2.0.0"), intro("1.0.0"), fixed("2.5.0")];
    let r = [Range { kind: RangeKind::Semver, events }];
    for (v, want) in [
        ("0.9.0", false),
        ("1.0.0", true),
        ("1.4.9", true),
        ("1.5.0", false),
        ("1.9.9", false),
        ("2.0.0", true),
        ("2.4.0", true),
        ("2.5.0", false),
        ("3.0.0", false),
    ] {
        assert_eq!(is_affected(Scheme::Semver, v, &r, &[]), want, "{v}");
    }
    assert_eq!(fixed_in(Scheme::Semver, "1.2.0", &r), vec!["1.5.0"]);
    assert_eq!(fixed_in(Scheme::Semver, "2.1.0", &r), vec!["2.5.0"]);
}

#[test]
fn last_affected_is_inclusive() {
    let r = [eco(vec![intro("1.0"), last("1.2")])];
    assert!(is_affected(Scheme::Debian, "1.2", &r, &[]));
    assert!(is_affected(Scheme::Debian, "1.2-0", &r, &[]));
    assert!(!is_affected(Scheme::Debian, "1.2-1", &r, &[]));
    assert!(!is_affected(Scheme::Debian, "0.9", &r, &[]));
    assert!(fixed_in(Scheme::Debian, "1.1", &r).is_empty(), "no fix published");
}

#[test]
fn limit_bounds_the_range() {
    let r = [eco(vec![intro("0"), limit("2.0.0")])];
    assert!(is_affected(Scheme::Semver, "1.9.9", &r, &[]));
    assert!(!is_affected(Scheme::Semver, "2.0.0", &r, &[]));
    let star = [eco(vec![intro("1.0.0"), limit("*")])];
    assert!(is_affected(Scheme::Semver, "9.0.0", &star, &[]));
}

#[test]
fn versions_list() {
    let versions = vec!["1.0.0".to_string(), "1.0.2".to_string(), "weird-tag".to_string()];
    assert!(is_affected(Scheme::Pep440, "1.0.2", &[], &versions));
    assert!(is_affected(Scheme::Pep440, "1.0.2.0", &[], &versions), "equal in the scheme");
    assert!(is_affected(Scheme::Pep440, "weird-tag", &[], &versions), "exact string");
    assert!(!is_affected(Scheme::Pep440, "1.0.1", &[], &versions));
}

#[test]
fn semver_range_in_another_ecosystem_and_git_ignored() {
    // Go records use SEMVER ranges without the "v"; installed Go versions carry it.
    let r = [
        Range { kind: RangeKind::Git, events: vec![intro("0"), fixed("abcdef0123")] },
        Range { kind: RangeKind::Semver, events: vec![intro("0"), fixed("0.17.0")] },
    ];
    assert!(is_affected(Scheme::Go, "v0.16.0", &r, &[]));
    assert!(is_affected(Scheme::Go, "v0.0.0-20220722155217-630584e8d5aa", &r, &[]));
    assert!(!is_affected(Scheme::Go, "v0.17.0", &r, &[]));
    let git_only = [Range { kind: RangeKind::Git, events: vec![intro("0")] }];
    assert_eq!(evaluate(Scheme::Go, "v1.0.0", &git_only, &[]), Some(false));
}

#[test]
fn debian_and_alpine_records() {
    // DSA-style Debian record: fixed in 7.88.1-10+deb12u5.
    let r = [eco(vec![intro("0"), fixed("7.88.1-10+deb12u5")])];
    assert!(is_affected(Scheme::Debian, "7.88.1-10+deb12u4", &r, &[]));
    assert!(!is_affected(Scheme::Debian, "7.88.1-10+deb12u12", &r, &[]));
    let a = [eco(vec![intro("0"), fixed("3.1.4-r5")])];
    assert!(is_affected(Scheme::Alpine, "3.1.4-r4", &a, &[]));
    assert!(!is_affected(Scheme::Alpine, "3.1.4-r5", &a, &[]));
}

#[test]
fn unparsable_is_not_affected_and_reported_unknown() {
    let r = [eco(vec![intro("0"), fixed("2.0.0")])];
    assert!(!is_affected(Scheme::Semver, "not a version", &r, &[]));
    assert_eq!(evaluate(Scheme::Semver, "not a version", &r, &[]), None);
    let bad_event = [eco(vec![intro("0"), fixed("two")])];
    assert!(!is_affected(Scheme::Semver, "1.0.0", &bad_event, &[]));
    assert_eq!(evaluate(Scheme::Semver, "1.0.0", &bad_event, &[]), None);
    // A good range still answers even when another one cannot be evaluated.
    let both = [bad_event[0].clone(), r[0].clone()];
    assert_eq!(evaluate(Scheme::Semver, "1.0.0", &both, &[]), Some(true));
    assert_eq!(evaluate(Scheme::Semver, "3.0.0", &r, &[]), Some(false));
    // Empty events and hostile strings never panic.
    for v in ["", "\0", "v", "-", "1.0.0-", "999999999999999999999999999.0.0"] {
        let _ = is_affected(Scheme::Semver, v, &[eco(vec![])], &[v.to_string()]);
        let _ = fixed_in(Scheme::Semver, v, &r);
    }
}

#[test]
fn cvss_v3_known_scores() {
    // NVD: CVE-2021-44228 (Log4Shell) 10.0; CVE-2014-0160 (Heartbleed) v3.1 7.5;
    // FIRST CVSS v3.1 specification examples (CVE-2013-1937 6.1, CVE-2013-0375 6.4).
    let cases = [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, Rating::Critical),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, Rating::High),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, Rating::Medium),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, Rating::Medium),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, Rating::Critical),
        ("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0, Rating::None),
        ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6, Rating::Low),
    ];
    for (v, s, r) in cases {
        assert_eq!(score(v), Some((s, r)), "{v}");
    }
}

#[test]
fn cvss_v4_known_scores() {
    // FIRST CVSS v4.0 calculator / specification examples.
    let cases = [
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, Rating::Critical),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0, Rating::Critical),
        ("CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0, Rating::None),
    ];
    for (v, s, r) in cases {
        assert_eq!(score(v), Some((s, r)), "{v}");
    }
}

#[test]
fn cvss_malformed_and_ratings() {
    for v in [
        "",
        "CVSS:3.1",
        "CVSS:3.1/AV:N",
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "CVSS:4.0/AV:N",
        "CVSS:9.9/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    ] {
        assert_eq!(score(v), None, "{v}");
    }
    assert_eq!(rating_of(0.0), Rating::None);
    assert_eq!(rating_of(0.1), Rating::Low);
    assert_eq!(rating_of(3.9), Rating::Low);
    assert_eq!(rating_of(4.0), Rating::Medium);
    assert_eq!(rating_of(6.9), Rating::Medium);
    assert_eq!(rating_of(7.0), Rating::High);
    assert_eq!(rating_of(8.9), Rating::High);
    assert_eq!(rating_of(9.0), Rating::Critical);
    assert_eq!(rating_of(f64::NAN), Rating::None);
    assert_eq!(parse_rating("CRITICAL"), Some(Rating::Critical));
    assert_eq!(parse_rating("MODERATE"), Some(Rating::Medium));
    assert_eq!(parse_rating("medium"), Some(Rating::Medium));
    assert_eq!(parse_rating(" high "), Some(Rating::High));
    assert_eq!(parse_rating("Important"), Some(Rating::High));
    assert_eq!(parse_rating("low"), Some(Rating::Low));
    assert_eq!(parse_rating("unknown"), None);
    assert!(Rating::Critical > Rating::High && Rating::Low > Rating::None);
}

#[test]
fn scheme_for_ecosystem_and_names() {
    use rampart_versions::normalize_name;
    for (e, s) in [
        ("Debian", Scheme::Debian),
        ("Debian:12", Scheme::Debian),
        ("Ubuntu:22.04", Scheme::Debian),
        ("Alpine:v3.19", Scheme::Alpine),
        ("Red Hat", Scheme::Rpm),
        ("Rocky Linux:9", Scheme::Rpm),
        ("openSUSE", Scheme::Rpm),
        ("PyPI", Scheme::Pep440),
        ("npm", Scheme::Semver),
        ("crates.io", Scheme::Semver),
        ("NuGet", Scheme::Semver),
        ("Go", Scheme::Go),
        ("Maven", Scheme::Maven),
        ("RubyGems", Scheme::RubyGems),
        ("Packagist", Scheme::Packagist),
        ("Hackage", Scheme::Generic),
        ("", Scheme::Generic),
    ] {
        assert_eq!(Scheme::for_osv_ecosystem(e), s, "{e}");
    }
    assert_eq!(normalize_name(Scheme::Pep440, "Jinja2"), "jinja2");
    assert_eq!(normalize_name(Scheme::Pep440, "PyYAML"), "pyyaml");
    assert_eq!(normalize_name(Scheme::Pep440, "zope.interface__x--y"), "zope-interface-x-y");
    assert_eq!(normalize_name(Scheme::Packagist, "Symfony/HTTP-Kernel"), "symfony/http-kernel");
    assert_eq!(normalize_name(Scheme::Go, "github.com/BurntSushi/toml"), "github.com/BurntSushi/toml");
    assert_eq!(normalize_name(Scheme::Semver, "@Scope/Pkg"), "@Scope/Pkg");
}

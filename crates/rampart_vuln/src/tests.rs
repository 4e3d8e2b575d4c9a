use super::*;
use rampart_catalog::SourcePackage;
use rampart_versions::{Event, RangeKind};

use crate::osv::InMemory as Listed;

fn range(events: &[(&str, &str)]) -> Range {
    Range {
        kind: RangeKind::Ecosystem,
        events: events
            .iter()
            .map(|(kind, v)| match *kind {
                "introduced" => Event::Introduced(v.to_string()),
                "fixed" => Event::Fixed(v.to_string()),
                "last_affected" => Event::LastAffected(v.to_string()),
                _ => Event::Limit(v.to_string()),
            })
            .collect(),
    }
}

fn advisory(id: &str, aliases: &[&str], ecosystem: &str, name: &str, fixed: &str) -> Advisory {
    Advisory {
        id: id.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        name: name.into(),
        ecosystem: ecosystem.into(),
        ranges: vec![range(&[("introduced", "0"), ("fixed", fixed)])],
        urls: vec![format!("https://osv.dev/vulnerability/{id}")],
        ..Default::default()
    }
}

fn package(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    let mut p = Package::new(ecosystem, name, version, &Location { path: "/x".into(), layer: 0 }, "test");
    p.purl = format!("pkg:{}/{name}@{version}", ecosystem.purl_type());
    p
}

fn debian() -> OsRelease {
    OsRelease { id: "debian".into(), version_id: Some("12".into()), ..Default::default() }
}

#[test]
fn aliases_merge_into_one_finding_with_every_id_and_the_cve_first() {
    let source = Listed(vec![
        advisory("GHSA-x84v-xcm2-53pg", &["CVE-2018-18074", "PYSEC-2018-32"], "PyPI", "requests", "2.20.0"),
        advisory("PYSEC-2018-32", &["CVE-2018-18074"], "PyPI", "requests", "2.20.0"),
        advisory("GHSA-j8r2-6x86-q33q", &["CVE-2023-32681"], "PyPI", "requests", "2.31.0"),
    ]);
    let inventory = Inventory { os: None, packages: vec![package(Ecosystem::PyPI, "requests", "2.19.0")] };
    let (found, stats) = match_inventory(&inventory, &source).unwrap();
    assert_eq!(stats.queried, 1);
    let ids: Vec<(&str, Vec<String>)> = found.iter().map(|v| (v.id.as_str(), v.ids.clone())).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    let first = found.iter().find(|v| v.id == "CVE-2018-18074").unwrap();
    assert_eq!(first.ids, ["CVE-2018-18074", "GHSA-x84v-xcm2-53pg", "PYSEC-2018-32"]);
    assert_eq!(first.fixed, ["2.20.0"]);
}

#[test]
fn a_version_equal_to_fixed_or_outside_every_range_is_not_reported() {
    let source = Listed(vec![advisory("GHSA-1", &[], "npm", "lodash", "4.17.5")]);
    for (version, hit) in [("4.17.4", true), ("4.17.5", false), ("4.17.21", false)] {
        let inventory = Inventory { os: None, packages: vec![package(Ecosystem::Npm, "lodash", version)] };
        let (found, _) = match_inventory(&inventory, &source).unwrap();
        assert_eq!(!found.is_empty(), hit, "{version}");
    }
}

#[test]
fn debian_packages_match_through_their_source_package_and_release() {
    let mut libc = package(Ecosystem::Deb, "libc6", "2.36-9+deb12u3");
    libc.source = Some(SourcePackage { name: "glibc".into(), version: "2.36-9+deb12u3".into() });
    let source = Listed(vec![
        advisory("DEBIAN-CVE-2024-2961", &[], "Debian:12", "glibc", "2.36-9+deb12u7"),
        advisory("DEBIAN-CVE-2024-0001", &[], "Debian:11", "glibc", "2.99"),
        advisory("DEBIAN-CVE-2024-0002", &[], "Debian:12", "libc6", "2.99"),
    ]);
    let inventory = Inventory { os: Some(debian()), packages: vec![libc] };
    let (found, _) = match_inventory(&inventory, &source).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, "CVE-2024-2961");
    assert_eq!((found[0].matched_name.as_str(), found[0].osv_ecosystem.as_str()), ("glibc", "Debian:12"));
    assert_eq!(found[0].package, "libc6");
}

#[test]
fn withdrawn_advisories_are_skipped() {
    let mut withdrawn = advisory("GHSA-2", &[], "npm", "minimist", "1.2.6");
    withdrawn.withdrawn = true;
    let inventory = Inventory { os: None, packages: vec![package(Ecosystem::Npm, "minimist", "1.2.0")] };
    let (found, _) = match_inventory(&inventory, &Listed(vec![withdrawn])).unwrap();
    assert!(found.is_empty());
}

#[test]
fn severity_comes_from_the_highest_cvss_vector_else_the_database_rating() {
    let mut a = advisory("GHSA-3", &["CVE-1"], "PyPI", "pyyaml", "5.4");
    a.cvss = vec!["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into()];
    let mut b = advisory("PYSEC-3", &["CVE-1"], "PyPI", "pyyaml", "5.4");
    b.rating = Some("MODERATE".into());
    let mut c = advisory("GHSA-4", &[], "PyPI", "pyyaml", "5.4");
    c.rating = Some("LOW".into());
    let inventory = Inventory { os: None, packages: vec![package(Ecosystem::PyPI, "PyYAML", "5.3")] };
    let (found, _) = match_inventory(&inventory, &Listed(vec![a, b, c])).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!((found[0].rating, found[0].score), (Some(Rating::Critical), Some(9.8)));
    assert_eq!((found[1].rating, found[1].score), (Some(Rating::Low), None));
}

#[test]
fn packages_osv_has_no_ecosystem_for_are_counted_not_matched() {
    let inventory = Inventory {
        os: None,
        packages: vec![package(Ecosystem::Rpm, "bash", "5.1"), package(Ecosystem::Deb, "bash", "5.2")],
    };
    let (found, stats) = match_inventory(&inventory, &Listed(Vec::new())).unwrap();
    assert!(found.is_empty());
    assert_eq!((stats.queried, stats.unsupported), (0, 2));
}

#[test]
fn alpine_releases_are_major_dot_minor() {
    let p = package(Ecosystem::Apk, "musl", "1.2.4-r2");
    let os = OsRelease { id: "alpine".into(), version_id: Some("3.19.1".into()), ..Default::default() };
    assert_eq!(osv_query(&p, Some(&os)).unwrap().0, "Alpine:v3.19");
}

#[test]
fn osv_records_become_one_advisory_per_affected_entry() {
    let record: serde_json::Value = serde_json::from_str(
        r#"{"id": "GHSA-jfh8-c2jp-5v3q", "aliases": ["CVE-2021-44906"], "summary": "Prototype Pollution in minimist",
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected": [
              {"package": {"ecosystem": "npm", "name": "minimist"},
               "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.2.4"}]}]},
              {"package": {"ecosystem": "npm", "name": "minimist"},
               "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.2.6"}]}]}],
            "references": [{"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44906"}],
            "database_specific": {"severity": "CRITICAL"}}"#,
    )
    .unwrap();
    let advisories = crate::osv::advisories(&record);
    assert_eq!(advisories.len(), 2);
    let inventory = Inventory { os: None, packages: vec![package(Ecosystem::Npm, "minimist", "1.2.0")] };
    let (found, _) = match_inventory(&inventory, &Listed(advisories)).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, "CVE-2021-44906");
    assert_eq!(found[0].fixed, ["1.2.6"]);
    assert_eq!(found[0].rating, Some(Rating::Critical));
}

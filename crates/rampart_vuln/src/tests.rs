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

fn os(id: &str, version_id: &str, pretty_name: &str) -> OsRelease {
    OsRelease {
        id: id.into(),
        version_id: Some(version_id.into()),
        pretty_name: Some(pretty_name.into()),
        ..Default::default()
    }
}

#[test]
fn distribution_releases_use_osv_ecosystem_names() {
    let deb = package(Ecosystem::Deb, "libssl3", "3.0.2-0ubuntu1.15");
    let apk = package(Ecosystem::Apk, "busybox", "1.36.1-r5");
    let rpm = package(Ecosystem::Rpm, "openssl-libs", "1:3.0.7-27.el9");
    let cases: [(&Package, OsRelease, Option<&str>); 12] = [
        (&deb, os("ubuntu", "22.04", "Ubuntu 22.04.4 LTS"), Some("Ubuntu:22.04:LTS")),
        // LTS told by the release when PRETTY_NAME does not say it.
        (&deb, os("ubuntu", "24.04", "Ubuntu"), Some("Ubuntu:24.04:LTS")),
        (&deb, os("ubuntu", "24.10", "Ubuntu 24.10"), Some("Ubuntu:24.10")),
        (&deb, os("ubuntu", "23.04", "Ubuntu 23.04"), Some("Ubuntu:23.04")),
        (&deb, os("debian", "12", "Debian GNU/Linux 12 (bookworm)"), Some("Debian:12")),
        (&apk, os("wolfi", "20230201", "Wolfi"), Some("Wolfi")),
        (&rpm, os("almalinux", "9.4", "AlmaLinux 9.4 (Seafoam Ocelot)"), Some("AlmaLinux:9")),
        (&rpm, os("rocky", "8.10", "Rocky Linux 8.10 (Green Obsidian)"), Some("Rocky Linux:8")),
        (&rpm, os("opensuse-leap", "15.5", "openSUSE Leap 15.5"), Some("openSUSE:Leap 15.5")),
        (&rpm, os("sles", "15.5", "SUSE Linux Enterprise Server 15 SP5"), Some("SUSE:Linux Enterprise Server 15 SP5")),
        // Red Hat's advisories are scoped to product streams (CPEs) an image does not record.
        (&rpm, os("rhel", "9.4", "Red Hat Enterprise Linux 9.4 (Plow)"), None),
        // A Debian package on an unknown distribution.
        (&deb, os("kali", "2024.1", "Kali GNU/Linux Rolling"), None),
    ];
    for (p, os, want) in cases {
        let got = osv_query(p, Some(&os)).map(|(ecosystem, _, _)| ecosystem);
        assert_eq!(got.as_deref(), want, "{} {:?}", os.id, os.version_id);
    }
}

#[test]
fn rpm_source_packages_take_the_binary_epoch() {
    let mut p = package(Ecosystem::Rpm, "openssl-libs", "1:3.0.7-27.el9");
    p.source = Some(SourcePackage { name: "openssl".into(), version: "3.0.7-27.el9".into() });
    let alma = os("almalinux", "9.4", "AlmaLinux 9.4 (Seafoam Ocelot)");
    assert_eq!(osv_query(&p, Some(&alma)), Some(("AlmaLinux:9".into(), "openssl".into(), "1:3.0.7-27.el9".into())));
    // Matched through the source package, epoch and all: fixed in 1:3.0.7-28 affects -27 …
    let inventory = Inventory { os: Some(alma.clone()), packages: vec![p.clone()] };
    let source = Listed(vec![
        advisory("ALSA-2024:1", &["CVE-2024-1"], "AlmaLinux:9", "openssl", "1:3.0.7-28.el9_4"),
        // … while a fix without the epoch sorts below every epoch-1 version: not affected.
        advisory("ALSA-2024:2", &["CVE-2024-2"], "AlmaLinux:9", "openssl", "3.0.8-1.el9"),
        advisory("ALSA-2024:3", &["CVE-2024-3"], "AlmaLinux:8", "openssl", "1:3.0.7-28.el8"),
    ]);
    let (found, stats) = match_inventory(&inventory, &source).unwrap();
    assert_eq!(stats.unsupported, 0);
    let ids: Vec<&str> = found.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2024-1"]);
}

#[test]
fn ubuntu_packages_match_lts_advisories_through_the_source_package() {
    let mut p = package(Ecosystem::Deb, "libssl3", "3.0.2-0ubuntu1.15");
    p.source = Some(SourcePackage { name: "openssl".into(), version: "3.0.2-0ubuntu1.15".into() });
    let inventory = Inventory { os: Some(os("ubuntu", "22.04", "Ubuntu 22.04.4 LTS")), packages: vec![p] };
    let source = Listed(vec![
        advisory("UBUNTU-CVE-2024-5535", &["CVE-2024-5535"], "Ubuntu:22.04:LTS", "openssl", "3.0.2-0ubuntu1.18"),
        advisory("UBUNTU-CVE-2024-9999", &[], "Ubuntu:24.04:LTS", "openssl", "3.0.13-0ubuntu3.4"),
        advisory("UBUNTU-CVE-2024-9998", &[], "Ubuntu:Pro:22.04:LTS", "openssl", "3.0.2-0ubuntu1.99+esm1"),
    ]);
    let (found, _) = match_inventory(&inventory, &source).unwrap();
    let ids: Vec<&str> = found.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2024-5535"]);
    assert_eq!(found[0].fixed, ["3.0.2-0ubuntu1.18"]);
}

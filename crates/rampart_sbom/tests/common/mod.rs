//! Inventories for the tests, built the way the image walker builds them: what catalogers found,
//! joined by `rampart_catalog::finish` (which fills in purls and sorts).

#![allow(dead_code)]

use rampart_catalog::{Ecosystem, Found, Inventory, Location, OsRelease, Package, SourcePackage, finish};
use rampart_sbom::{Options, Subject, ToolInfo};

pub const TOOL: ToolInfo = ToolInfo { name: "rampart", version: "0.1.0" };

/// Fixed time and seed, so documents are byte-identical between runs.
pub fn fixed() -> Options {
    Options { timestamp: Some(1_747_699_200), seed: Some("test".into()) }
}

pub fn subject() -> Subject {
    Subject {
        name: "registry.example/team/py-app:1.0".into(),
        digest: Some(format!("sha256:{}", "3e".repeat(32))),
        config_digest: Some(format!("sha256:{}", "0f".repeat(32))),
        layers: vec![format!("sha256:{}", "21".repeat(32)), format!("sha256:{}", "ce".repeat(32))],
        architecture: Some("amd64".into()),
        os: Some("linux".into()),
        repository: Some("registry.example/team/py-app".into()),
        tag: Some("1.0".into()),
    }
}

pub struct Spec<'a> {
    pub ecosystem: Ecosystem,
    pub name: &'a str,
    pub version: &'a str,
    pub licenses: &'a [&'a str],
    pub path: &'a str,
    pub layer: usize,
    pub cataloger: &'static str,
}

pub fn package(spec: &Spec<'_>) -> (Location, Found) {
    let location = Location { path: spec.path.into(), layer: spec.layer };
    let package = Package {
        name: spec.name.into(),
        version: spec.version.into(),
        ecosystem: spec.ecosystem,
        purl: String::new(),
        licenses: spec.licenses.iter().map(|l| l.to_string()).collect(),
        locations: vec![location.clone()],
        source: None,
        arch: None,
        cataloger: spec.cataloger,
    };
    (location, Found::Package(package))
}

fn debian() -> (Location, Found) {
    (
        Location { path: "/etc/os-release".into(), layer: 0 },
        Found::Os(OsRelease {
            id: "debian".into(),
            id_like: vec![],
            version_id: Some("12".into()),
            version_codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
        }),
    )
}

fn deb(name: &str, version: &str, source: Option<(&str, &str)>, licenses: &[&str]) -> (Location, Found) {
    let (location, found) = package(&Spec {
        ecosystem: Ecosystem::Deb,
        name,
        version,
        licenses,
        path: "/var/lib/dpkg/status",
        layer: 0,
        cataloger: "dpkg",
    });
    let Found::Package(mut package) = found else { unreachable!() };
    package.arch = Some("amd64".into());
    package.source = source.map(|(name, version)| SourcePackage { name: name.into(), version: version.into() });
    (location, Found::Package(package))
}

/// A few packages of two ecosystems, for snapshots.
pub fn small() -> Inventory {
    finish(vec![
        debian(),
        deb("libc6", "2.36-9+deb12u10", Some(("glibc", "2.36-9+deb12u10")), &["GPL-2+", "LGPL-2.1"]),
        deb("bash", "5.2.15-2+b7", None, &["GPL-3.0-or-later"]),
        package(&Spec {
            ecosystem: Ecosystem::PyPI,
            name: "requests",
            version: "2.19.0",
            licenses: &["Apache 2.0"],
            path: "/usr/local/lib/python3.11/dist-packages/requests-2.19.0.dist-info/METADATA",
            layer: 1,
            cataloger: "python",
        }),
        package(&Spec {
            ecosystem: Ecosystem::Npm,
            name: "@scope/pkg",
            version: "1.0.0-beta+exp.sha.5114f85",
            licenses: &["MIT OR Apache-2.0"],
            path: "/app/node_modules/@scope/pkg/package.json",
            layer: 1,
            cataloger: "node",
        }),
    ])
}

/// Every ecosystem, odd names and versions, and licences in every style packages use.
pub fn realistic() -> Inventory {
    let mut found = vec![
        debian(),
        deb("libc6", "2.36-9+deb12u10", Some(("glibc", "2.36-9+deb12u10")), &["GPL-2+", "LGPL-2.1"]),
        deb(
            "libstdc++6",
            "12.2.0-14+deb12u1",
            Some(("gcc-12", "12.2.0-14+deb12u1")),
            &["GPL-3.0-or-later WITH GCC-exception-3.1", "GFDL-NIV-1.3"],
        ),
        deb("passwd", "1:4.13+dfsg1-1+b1", Some(("shadow", "1:4.13+dfsg1-1")), &["GPL-2.0-or-later", "BSD-3-clause"]),
        deb("base-files", "12.4+deb12u5", None, &[]),
        deb("tzdata", "2024a-0+deb12u1", None, &["public-domain"]),
    ];
    // A package whose declared licence is every style at once.
    let (location, Found::Package(mut zlib)) = deb(
        "zlib1g",
        "1:1.2.13.dfsg-1",
        Some(("zlib", "1:1.2.13.dfsg-1")),
        &["Zlib", "MIT OR Apache-2.0", "GPL-2+", "mit"],
    ) else {
        unreachable!()
    };
    zlib.locations.push(Location { path: "/usr/share/doc/zlib1g/copyright".into(), layer: 0 });
    found.push((location, Found::Package(zlib)));
    let specs = [
        Spec {
            ecosystem: Ecosystem::Apk,
            name: "musl",
            version: "1.2.4-r2",
            licenses: &["MIT"],
            path: "/lib/apk/db/installed",
            layer: 0,
            cataloger: "apk",
        },
        Spec {
            ecosystem: Ecosystem::Rpm,
            name: "openssl-libs",
            version: "1:3.0.7-27.el9",
            licenses: &["ASL 2.0"],
            path: "/var/lib/rpm/rpmdb.sqlite",
            layer: 0,
            cataloger: "rpm",
        },
        Spec {
            ecosystem: Ecosystem::PyPI,
            name: "PyYAML",
            version: "5.3",
            licenses: &["MIT"],
            path: "/usr/local/lib/python3.11/dist-packages/PyYAML-5.3.dist-info/METADATA",
            layer: 1,
            cataloger: "python",
        },
        // Same purl as PyYAML once the name is normalised: needs a disambiguated bom-ref.
        Spec {
            ecosystem: Ecosystem::PyPI,
            name: "pyyaml",
            version: "5.3",
            licenses: &["MIT"],
            path: "/opt/venv/lib/python3.11/site-packages/pyyaml-5.3.dist-info/METADATA",
            layer: 2,
            cataloger: "python",
        },
        Spec {
            ecosystem: Ecosystem::PyPI,
            name: "requests",
            version: "2.19.0",
            licenses: &["Apache 2.0"],
            path: "/usr/local/lib/python3.11/dist-packages/requests-2.19.0.dist-info/METADATA",
            layer: 1,
            cataloger: "python",
        },
        Spec {
            ecosystem: Ecosystem::PyPI,
            name: "certifi",
            version: "2018.4.16",
            licenses: &["MPL-2.0"],
            path: "/usr/local/lib/python3.11/dist-packages/certifi-2018.4.16.dist-info/METADATA",
            layer: 1,
            cataloger: "python",
        },
        Spec {
            ecosystem: Ecosystem::PyPI,
            name: "zope.interface",
            version: "6.0+local.1",
            licenses: &["ZPL 2.1"],
            path: "/usr/local/lib/python3.11/dist-packages/zope.interface-6.0.dist-info/METADATA",
            layer: 1,
            cataloger: "python",
        },
        Spec {
            ecosystem: Ecosystem::Npm,
            name: "@scope/pkg",
            version: "1.0.0-beta+exp.sha.5114f85",
            licenses: &["MIT OR Apache-2.0"],
            path: "/app/node_modules/@scope/pkg/package.json",
            layer: 2,
            cataloger: "node",
        },
        Spec {
            ecosystem: Ecosystem::Npm,
            name: "lodash",
            version: "4.17.4",
            licenses: &["MIT"],
            path: "/app/node_modules/lodash/package.json",
            layer: 2,
            cataloger: "node",
        },
        Spec {
            ecosystem: Ecosystem::Npm,
            name: "private-thing",
            version: "0.0.1",
            licenses: &["UNLICENSED"],
            path: "/app/node_modules/private-thing/package.json",
            layer: 2,
            cataloger: "node",
        },
        Spec {
            ecosystem: Ecosystem::Npm,
            name: "sees-file",
            version: "2.0.0",
            licenses: &["SEE LICENSE IN LICENSE.md"],
            path: "/app/node_modules/sees-file/package.json",
            layer: 2,
            cataloger: "node",
        },
        Spec {
            ecosystem: Ecosystem::Npm,
            name: "own-ref",
            version: "1.0.0",
            licenses: &["MIT AND LicenseRef-Own-Terms"],
            path: "/app/node_modules/own-ref/package.json",
            layer: 2,
            cataloger: "node",
        },
        Spec {
            ecosystem: Ecosystem::Golang,
            name: "github.com/pkg/errors",
            version: "v0.9.1",
            licenses: &[],
            path: "/usr/local/bin/app",
            layer: 2,
            cataloger: "go-binary",
        },
        Spec {
            ecosystem: Ecosystem::Golang,
            name: "stdlib",
            version: "go1.22.1",
            licenses: &["BSD-3-Clause"],
            path: "/usr/local/bin/app",
            layer: 2,
            cataloger: "go-binary",
        },
        Spec {
            ecosystem: Ecosystem::Cargo,
            name: "serde",
            version: "1.0.200",
            licenses: &["MIT OR Apache-2.0"],
            path: "/usr/local/bin/tool",
            layer: 2,
            cataloger: "rust-binary",
        },
        Spec {
            ecosystem: Ecosystem::Cargo,
            name: "ring",
            version: "0.17.8",
            licenses: &["LicenseRef-ring"],
            path: "/usr/local/bin/tool",
            layer: 2,
            cataloger: "rust-binary",
        },
        Spec {
            ecosystem: Ecosystem::Maven,
            name: "org.apache.logging.log4j:log4j-core",
            version: "2.14.1",
            licenses: &["Apache License, Version 2.0"],
            path: "/app/lib/app.jar!/META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
            layer: 2,
            cataloger: "java",
        },
        Spec {
            ecosystem: Ecosystem::Gem,
            name: "rack",
            version: "2.2.8.1",
            licenses: &["MIT"],
            path: "/usr/lib/ruby/gems/3.1.0/specifications/rack-2.2.8.1.gemspec",
            layer: 2,
            cataloger: "ruby",
        },
        Spec {
            ecosystem: Ecosystem::Composer,
            name: "symfony/console",
            version: "v6.4.1",
            licenses: &["MIT"],
            path: "/var/www/vendor/composer/installed.json",
            layer: 2,
            cataloger: "php",
        },
        // Hostile metadata: control characters, quotes, non-ASCII and a long licence name.
        Spec {
            ecosystem: Ecosystem::Npm,
            name: "weird\u{1}\"name\u{e9}",
            version: "1.0.0 beta",
            licenses: &["Licence publique générale \"GNU\"\t v2"],
            path: "/app/node_modules/weird/package.json",
            layer: 7,
            cataloger: "node",
        },
    ];
    let long_licence = "x".repeat(5_000);
    found.extend(specs.iter().map(package));
    found.push(package(&Spec {
        ecosystem: Ecosystem::Gem,
        name: "long",
        version: "",
        licenses: &[long_licence.as_str(), "", "NOASSERTION"],
        path: "/usr/lib/ruby/gems/3.1.0/specifications/long.gemspec",
        layer: 2,
        cataloger: "ruby",
    }));
    finish(found)
}

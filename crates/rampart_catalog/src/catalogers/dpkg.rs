//! Debian packages: the dpkg database (`/var/lib/dpkg/status`, or one file per package under
//! `/var/lib/dpkg/status.d/` in distroless images) and the licences declared in
//! `/usr/share/doc/NAME/copyright`.

use super::{error, file_name, paragraphs, parent, rfc822_fields};
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Package, SourcePackage, Want};

#[derive(Debug)]
pub struct DpkgCataloger;

const STATUS: &str = "/var/lib/dpkg/status";
const STATUS_D: &str = "/var/lib/dpkg/status.d";
const DOC: &str = "/usr/share/doc/";

impl Cataloger for DpkgCataloger {
    fn name(&self) -> &'static str {
        "dpkg"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        let path = file.path;
        if path == STATUS {
            // A full desktop install's status file is a few MB.
            return Want::Content { limit: 64 * 1024 * 1024 };
        }
        if parent(path) == STATUS_D && !path.ends_with(".md5sums") {
            return Want::Content { limit: 4 * 1024 * 1024 };
        }
        if let Some(rest) = path.strip_prefix(DOC)
            && let Some(package) = rest.strip_suffix("/copyright")
            && !package.is_empty()
            && !package.contains('/')
        {
            return Want::Content { limit: 4 * 1024 * 1024 };
        }
        Want::No
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = String::from_utf8_lossy(content);
        if let Some(rest) = location.path.strip_prefix(DOC) {
            let package = rest.strip_suffix("/copyright").unwrap_or(rest);
            let licenses = copyright_licenses(&text);
            if !licenses.is_empty() {
                found.push(Found::Licenses { ecosystem: Ecosystem::Deb, package: package.to_string(), licenses });
            }
            return Ok(());
        }
        // status.d files carry no Status field: each describes one installed package.
        let require_status = location.path == STATUS;
        let before = found.len();
        let mut skipped = 0usize;
        for paragraph in paragraphs(&text) {
            match package(paragraph, location, require_status) {
                Some(package) => found.push(Found::Package(package)),
                None => skipped += 1,
            }
        }
        if found.len() == before && skipped > 0 && !require_status {
            return Err(error(format!("no Package/Version in {}", file_name(&location.path))));
        }
        Ok(())
    }
}

/// One status paragraph as a package, or `None` if it is not installed or lacks a name or version.
fn package(paragraph: &str, location: &Location, require_status: bool) -> Option<Package> {
    let fields = rfc822_fields(paragraph);
    let get = |key: &str| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str());
    let name = get("Package").filter(|n| !n.is_empty())?;
    let version = get("Version").filter(|v| !v.is_empty())?;
    match get("Status") {
        // `want ok state`: only the state matters (a held package is installed too); config-files,
        // half-installed, not-installed and the like leave no usable package behind.
        Some(status) if status.split_whitespace().nth(2) != Some("installed") => return None,
        Some(_) => {}
        None if require_status => return None,
        None => {}
    }
    let mut package = Package::new(Ecosystem::Deb, name, version, location, "dpkg");
    package.arch = get("Architecture").filter(|a| !a.is_empty()).map(str::to_string);
    package.source = Some(match get("Source").filter(|s| !s.is_empty()) {
        Some(source) => parse_source(source, version),
        None => SourcePackage { name: name.to_string(), version: version.to_string() },
    });
    Some(package)
}

/// `Source: glibc (2.36-9)`: the source package, whose version defaults to the binary's.
fn parse_source(source: &str, binary_version: &str) -> SourcePackage {
    let source = source.trim();
    match source.split_once('(') {
        Some((name, rest)) => {
            let version = rest.split(')').next().unwrap_or("").trim();
            SourcePackage {
                name: name.trim().to_string(),
                version: if version.is_empty() { binary_version } else { version }.to_string(),
            }
        }
        None => SourcePackage { name: source.to_string(), version: binary_version.to_string() },
    }
}

/// Licences named in a Debian copyright file, as Syft reads them: the first word of every
/// `License:` line of a DEP-5 file, and every `/usr/share/common-licenses/NAME` a free-form file
/// points to. Debian short names (`GPL-2+`, `BSD-3-clause`) are kept as written; sorted, unique.
pub fn copyright_licenses(text: &str) -> Vec<String> {
    const COMMON: &str = "/usr/share/common-licenses/";
    let mut out: Vec<String> = Vec::new();
    let mut add = |candidate: &str| {
        let license = candidate.trim().trim_end_matches('.');
        let named = license.bytes().any(|b| b.is_ascii_alphanumeric());
        if named && !license.eq_ignore_ascii_case("none") && license.len() <= 128 {
            out.push(license.to_string());
        }
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("License: ") {
            add(rest.split_whitespace().next().unwrap_or(""));
        }
        let mut rest = line;
        while let Some(at) = rest.find(COMMON) {
            rest = &rest[at + COMMON.len()..];
            let end =
                rest.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))).unwrap_or(rest.len());
            add(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str) -> Location {
        Location { path: path.into(), layer: 0 }
    }

    fn packages(found: &[Found]) -> Vec<&Package> {
        found
            .iter()
            .filter_map(|f| match f {
                Found::Package(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    const STATUS_TEXT: &str = include_str!("../../tests/fixtures/dpkg/status");

    #[test]
    fn wants() {
        let c = DpkgCataloger;
        let want = |path: &str| c.wants(&FileMeta { path, size: 10, mode: 0o644 }) != Want::No;
        assert!(want("/var/lib/dpkg/status"));
        assert!(want("/var/lib/dpkg/status.d/libc6"));
        assert!(!want("/var/lib/dpkg/status.d/libc6.md5sums"));
        assert!(!want("/var/lib/dpkg/status-old"));
        assert!(want("/usr/share/doc/bash/copyright"));
        assert!(!want("/usr/share/doc/bash/examples/copyright"));
        assert!(!want("/usr/share/doc//copyright"));
    }

    #[test]
    fn real_status_file() {
        let mut found = Vec::new();
        DpkgCataloger.catalog(&at(STATUS), STATUS_TEXT.as_bytes(), &mut found).unwrap();
        let packages = packages(&found);
        // The fixture holds five installed packages and one left as config-files.
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["base-files", "bash", "libc6", "libblkid1", "bsdutils"]);
        let libc = packages.iter().find(|p| p.name == "libc6").unwrap();
        assert_eq!(libc.version, "2.36-9+deb12u14");
        assert_eq!(libc.arch.as_deref(), Some("amd64"));
        assert_eq!(libc.source, Some(SourcePackage { name: "glibc".into(), version: "2.36-9+deb12u14".into() }));
        let bash = packages.iter().find(|p| p.name == "bash").unwrap();
        assert_eq!(bash.source, Some(SourcePackage { name: "bash".into(), version: "5.2.15-2".into() }));
        let base = packages.iter().find(|p| p.name == "base-files").unwrap();
        assert_eq!(base.source, Some(SourcePackage { name: "base-files".into(), version: base.version.clone() }));
        assert_eq!(base.locations, [at(STATUS)]);
    }

    #[test]
    fn distroless_status_d() {
        let text = "Package: libssl3\nVersion: 3.0.15-1~deb12u1\nArchitecture: amd64\nSource: openssl\n";
        let mut found = Vec::new();
        DpkgCataloger.catalog(&at("/var/lib/dpkg/status.d/libssl3"), text.as_bytes(), &mut found).unwrap();
        let packages = packages(&found);
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].source.as_ref().unwrap().name, "openssl");
        let mut found = Vec::new();
        assert!(DpkgCataloger.catalog(&at("/var/lib/dpkg/status.d/junk"), b"Hello: world\n", &mut found).is_err());
    }

    #[test]
    fn copyright_dep5_and_free_form() {
        let dep5 = include_str!("../../tests/fixtures/dpkg/copyright-adduser");
        assert_eq!(copyright_licenses(dep5), ["GPL-2", "GPL-2+"]);
        let free = "This is Debian's base-files.\n\nSee /usr/share/common-licenses/GPL.\n";
        assert_eq!(copyright_licenses(free), ["GPL"]);
        assert!(copyright_licenses("License: none\n").is_empty());
        // Syft's `^License: (\S*)` misses values after two spaces; these count.
        assert_eq!(copyright_licenses("License:   BSD-3-Clause\nLicense:  * Permission to use\n"), ["BSD-3-Clause"]);
        let mut found = Vec::new();
        DpkgCataloger.catalog(&at("/usr/share/doc/adduser/copyright"), dep5.as_bytes(), &mut found).unwrap();
        assert_eq!(
            found,
            [Found::Licenses {
                ecosystem: Ecosystem::Deb,
                package: "adduser".into(),
                licenses: vec!["GPL-2".into(), "GPL-2+".into()]
            }]
        );
    }

    #[test]
    fn garbage() {
        let mut found = Vec::new();
        for input in [&b""[..], b"\xff\xfe\x00", b"Package:\nVersion:\n", b"Status: install ok installed"] {
            let _ = DpkgCataloger.catalog(&at(STATUS), input, &mut found);
        }
        assert!(found.is_empty());
        assert_eq!(parse_source("x (", "1"), SourcePackage { name: "x".into(), version: "1".into() });
        assert_eq!(parse_source("x (2))", "1"), SourcePackage { name: "x".into(), version: "2".into() });
    }
}

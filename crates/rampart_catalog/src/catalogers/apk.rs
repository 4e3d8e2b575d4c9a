//! Alpine packages: apk's database `/lib/apk/db/installed`, one `K:value` line per field and a
//! blank line between packages.

use super::error;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Package, SourcePackage, Want};

#[derive(Debug)]
pub struct ApkCataloger;

const INSTALLED: &str = "/lib/apk/db/installed";

impl Cataloger for ApkCataloger {
    fn name(&self) -> &'static str {
        "apk"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.path == INSTALLED || file.path == "/usr/lib/apk/db/installed" {
            // The file lists every installed file too, so it grows with the image.
            Want::Content { limit: 128 * 1024 * 1024 }
        } else {
            Want::No
        }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = String::from_utf8_lossy(content);
        let mut current = Fields::default();
        let mut count = 0usize;
        for line in text.lines().chain(std::iter::once("")) {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                if let Some(package) = current.take(location) {
                    found.push(Found::Package(package));
                    count += 1;
                }
                continue;
            }
            let Some((key, value)) = line.split_once(':') else { continue };
            match key {
                "P" => current.name = Some(value.to_string()),
                "V" => current.version = Some(value.to_string()),
                "A" => current.arch = Some(value.to_string()),
                "L" => current.license = Some(value.to_string()),
                "o" => current.origin = Some(value.to_string()),
                _ => {}
            }
        }
        if count == 0 && !text.trim().is_empty() {
            return Err(error("no package with both P: and V:"));
        }
        Ok(())
    }
}

#[derive(Default)]
struct Fields {
    name: Option<String>,
    version: Option<String>,
    arch: Option<String>,
    license: Option<String>,
    origin: Option<String>,
}

impl Fields {
    fn take(&mut self, location: &Location) -> Option<Package> {
        let fields = std::mem::take(self);
        let name = fields.name.filter(|n| !n.is_empty())?;
        let version = fields.version.filter(|v| !v.is_empty())?;
        let mut package = Package::new(Ecosystem::Apk, name, version.clone(), location, "apk");
        package.arch = fields.arch.filter(|a| !a.is_empty());
        package.licenses = fields.license.map(|l| split_licenses(&l)).unwrap_or_default();
        package.source = fields.origin.filter(|o| !o.is_empty()).map(|name| SourcePackage { name, version });
        Some(package)
    }
}

/// apk's `L:` is either an SPDX expression (`MIT AND BSD-2-Clause`), kept whole, or an older
/// space-separated list (`MIT BSD`), split into one licence each, as Syft does.
fn split_licenses(value: &str) -> Vec<String> {
    let value = value.trim();
    if value.is_empty() {
        return Vec::new();
    }
    let expression = value.split_whitespace().any(|w| matches!(w, "AND" | "OR" | "WITH" | "and" | "or"));
    if expression { vec![value.to_string()] } else { value.split_whitespace().map(str::to_string).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpine_database() {
        let location = Location { path: INSTALLED.into(), layer: 0 };
        let mut found = Vec::new();
        ApkCataloger.catalog(&location, include_bytes!("../../tests/fixtures/apk/installed"), &mut found).unwrap();
        let packages: Vec<&Package> = found
            .iter()
            .filter_map(|f| match f {
                Found::Package(p) => Some(p),
                _ => None,
            })
            .collect();
        let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["musl", "libcrypto3", "busybox", "scanelf"]);
        let crypto = packages[1];
        assert_eq!(crypto.version, "3.3.2-r0");
        assert_eq!(crypto.arch.as_deref(), Some("x86_64"));
        assert_eq!(crypto.licenses, ["Apache-2.0"]);
        assert_eq!(crypto.source.as_ref().unwrap().name, "openssl");
        assert_eq!(packages[3].source.as_ref().unwrap().name, "pax-utils");
    }

    #[test]
    fn licences() {
        assert_eq!(split_licenses("MIT BSD"), ["MIT", "BSD"]);
        assert_eq!(split_licenses("MIT AND BSD-2-Clause"), ["MIT AND BSD-2-Clause"]);
        assert!(split_licenses(" ").is_empty());
    }

    #[test]
    fn garbage() {
        let location = Location { path: INSTALLED.into(), layer: 0 };
        let mut found = Vec::new();
        assert!(ApkCataloger.catalog(&location, b"\xff\x00P\nV:", &mut found).is_err());
        assert!(ApkCataloger.catalog(&location, b"P:x\n\nV:1\n", &mut found).is_err());
        assert!(ApkCataloger.catalog(&location, b"", &mut found).is_ok());
        assert!(found.is_empty());
    }
}

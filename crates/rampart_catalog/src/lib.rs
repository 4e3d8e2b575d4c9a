//! What is installed in an image: package catalogers that read the metadata package managers
//! and language toolchains leave behind (dpkg, apk, rpm, Python, Node, Go and Rust binaries,
//! Java archives, Ruby gems, PHP Composer), and the OS identity from `os-release`.
//!
//! Catalogers do no I/O. The image walker (`rampart_image`) streams every layer once, asks each
//! cataloger whether it [wants](Cataloger::wants) a file from its path, mode and size alone,
//! reads only those files (up to the cataloger's limit) and hands their bytes to
//! [`Cataloger::catalog`]. Layers are walked in parallel, so a cataloger sees files in no
//! particular order and a file that a later layer deletes may still be catalogued: the walker
//! keeps only what was found in files visible in the final filesystem, then [`finish`] joins
//! and deduplicates what remains into an [`Inventory`].

use std::fmt;

use serde::Serialize;

/// A package ecosystem, as named by package URLs and OSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ecosystem {
    Deb,
    Apk,
    Rpm,
    PyPI,
    Npm,
    Golang,
    Cargo,
    Maven,
    Gem,
    Composer,
}

impl Ecosystem {
    /// The package URL type (`pkg:TYPE/...`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Golang => "golang",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Maven => "maven",
            Ecosystem::Gem => "gem",
            Ecosystem::Composer => "composer",
        }
    }

    /// Whether packages of this ecosystem belong to the operating system.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.purl_type())
    }
}

/// Where something was found: a path in the image and the index of the layer that holds it
/// (0 is the base layer).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub path: String,
    pub layer: usize,
}

/// The source package a binary package was built from (Debian `Source:`, rpm `SOURCERPM`,
/// apk `origin`), which is what distribution security trackers key their advisories on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SourcePackage {
    pub name: String,
    pub version: String,
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub ecosystem: Ecosystem,
    /// Package URL, filled in by [`finish`] once the OS identity is known
    /// (`pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&distro=debian-12`).
    pub purl: String,
    /// Licences as declared by the package (SPDX expressions where the package gives one).
    pub licenses: Vec<String>,
    /// The files that evidence the package (its metadata files, or the binary it was read from).
    pub locations: Vec<Location>,
    pub source: Option<SourcePackage>,
    /// Architecture where the package manager records one (`amd64`, `x86_64`, `noarch`).
    pub arch: Option<String>,
    /// The cataloger that found it (`dpkg`, `python`, `go-binary`, ...).
    pub cataloger: &'static str,
}

/// The operating system of an image, from `/etc/os-release` (or `/usr/lib/os-release`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OsRelease {
    /// `ID`, e.g. `debian`, `alpine`, `rhel`.
    pub id: String,
    /// `ID_LIKE`, split on whitespace.
    pub id_like: Vec<String>,
    /// `VERSION_ID`, e.g. `12`, `3.20.3`.
    pub version_id: Option<String>,
    pub version_codename: Option<String>,
    pub pretty_name: Option<String>,
}

/// What the walker knows about a file before reading it.
#[derive(Debug, Clone, Copy)]
pub struct FileMeta<'a> {
    /// Absolute, normalised path in the image (`/usr/lib/os-release`).
    pub path: &'a str,
    pub size: u64,
    /// Permission bits (`0o755`), without the file type.
    pub mode: u32,
}

/// Whether a cataloger reads a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    No,
    /// Read the file if it is at most `limit` bytes; larger files are reported as skipped.
    Content {
        limit: u64,
    },
}

/// Something a cataloger found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Package(Package),
    /// Licences declared for a package in a file apart from its metadata, such as Debian's
    /// `/usr/share/doc/NAME/copyright`; [`finish`] attaches them to the package.
    Licenses {
        ecosystem: Ecosystem,
        package: String,
        licenses: Vec<String>,
    },
    Os(OsRelease),
}

/// A file a cataloger could not make sense of. Not fatal: the walk goes on, and the error is
/// reported with the file's location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CatalogError {}

/// A reader of one kind of package metadata.
pub trait Cataloger: Send + Sync + fmt::Debug {
    /// Short stable name (`dpkg`, `python`, ...), recorded on every package it finds.
    fn name(&self) -> &'static str;
    /// Called for every regular file in every layer, so it must be cheap: decide from the path,
    /// size and mode alone.
    fn wants(&self, file: &FileMeta<'_>) -> Want;
    /// Reads one file. `location` is where the bytes came from; record it on what is found.
    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError>;
}

/// Everything the catalogers found in an image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    pub os: Option<OsRelease>,
    /// Sorted by ecosystem, name, version; one entry per (ecosystem, name, version, arch), with
    /// the locations of every file that evidences it.
    pub packages: Vec<Package>,
}

pub mod catalogers;

/// Every cataloger, in a fixed order.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![Box::new(catalogers::os_release::OsReleaseCataloger)]
}

/// Joins what the catalogers found in the files visible in the final filesystem into an
/// inventory: the OS identity (`/etc/os-release` wins over `/usr/lib/os-release`), licences
/// attached to their packages, duplicates merged, package URLs filled in, sorted.
pub fn finish(found: Vec<(Location, Found)>) -> Inventory {
    let mut os: Option<(Location, OsRelease)> = None;
    let mut packages: Vec<Package> = Vec::new();
    let mut licenses: Vec<(Ecosystem, String, Vec<String>)> = Vec::new();
    for (location, item) in found {
        match item {
            Found::Os(release) => {
                let better = match &os {
                    None => true,
                    Some((held, _)) => location.path == "/etc/os-release" && held.path != "/etc/os-release",
                };
                if better {
                    os = Some((location, release));
                }
            }
            Found::Package(package) => packages.push(package),
            Found::Licenses { ecosystem, package, licenses: declared } => {
                licenses.push((ecosystem, package, declared));
            }
        }
    }
    let os = os.map(|(_, release)| release);
    for (ecosystem, name, declared) in licenses {
        for package in packages.iter_mut().filter(|p| p.ecosystem == ecosystem && p.name == name) {
            if package.licenses.is_empty() {
                package.licenses = declared.clone();
            }
        }
    }
    packages
        .sort_by(|a, b| (a.ecosystem, &a.name, &a.version, &a.arch).cmp(&(b.ecosystem, &b.name, &b.version, &b.arch)));
    let mut merged: Vec<Package> = Vec::with_capacity(packages.len());
    for package in packages {
        match merged.last_mut() {
            Some(last)
                if (last.ecosystem, &last.name, &last.version, &last.arch)
                    == (package.ecosystem, &package.name, &package.version, &package.arch) =>
            {
                last.locations.extend(package.locations);
                if last.licenses.is_empty() {
                    last.licenses = package.licenses;
                }
                if last.source.is_none() {
                    last.source = package.source;
                }
            }
            _ => merged.push(package),
        }
    }
    for package in &mut merged {
        package.locations.sort();
        package.locations.dedup();
        package.purl = purl(package, os.as_ref());
    }
    Inventory { os, packages: merged }
}

/// The package URL of a package (<https://github.com/package-url/purl-spec>).
pub fn purl(package: &Package, os: Option<&OsRelease>) -> String {
    let (namespace, name) = match package.ecosystem {
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm => {
            (os.map(|o| o.id.clone()).filter(|id| !id.is_empty()), package.name.clone())
        }
        Ecosystem::Npm | Ecosystem::Golang | Ecosystem::Maven | Ecosystem::Composer => {
            match package.name.rsplit_once(if package.ecosystem == Ecosystem::Maven { ':' } else { '/' }) {
                Some((namespace, name)) => (Some(namespace.to_string()), name.to_string()),
                None => (None, package.name.clone()),
            }
        }
        Ecosystem::PyPI => (None, normalise_python_name(&package.name)),
        Ecosystem::Cargo | Ecosystem::Gem => (None, package.name.clone()),
    };
    let mut out = format!("pkg:{}/", package.ecosystem.purl_type());
    if let Some(namespace) = namespace {
        for segment in namespace.split('/') {
            out.push_str(&percent_encode(segment));
            out.push('/');
        }
    }
    out.push_str(&percent_encode(&name));
    if !package.version.is_empty() {
        out.push('@');
        out.push_str(&percent_encode(&package.version));
    }
    let mut qualifiers: Vec<(&str, String)> = Vec::new();
    if let Some(arch) = &package.arch {
        qualifiers.push(("arch", arch.clone()));
    }
    if package.ecosystem.is_os() {
        if let Some(os) = os {
            let distro = match &os.version_id {
                Some(version) => format!("{}-{version}", os.id),
                None => os.id.clone(),
            };
            qualifiers.push(("distro", distro));
        }
        if let Some(source) = &package.source
            && package.ecosystem == Ecosystem::Deb
            && source.name != package.name
        {
            qualifiers.push(("upstream", source.name.clone()));
        }
    }
    qualifiers.sort_by(|a, b| a.0.cmp(b.0));
    for (index, (key, value)) in qualifiers.iter().enumerate() {
        out.push(if index == 0 { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

/// PEP 503 normalisation, which the purl spec requires for PyPI names.
fn normalise_python_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_dash = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_dash {
                out.push('-');
            }
            last_dash = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_dash = false;
        }
    }
    out
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'~' | b'+') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            ecosystem,
            purl: String::new(),
            licenses: vec![],
            locations: vec![],
            source: None,
            arch: None,
            cataloger: "test",
        }
    }

    #[test]
    fn purls() {
        let debian = OsRelease { id: "debian".into(), version_id: Some("12".into()), ..Default::default() };
        let mut bash = package(Ecosystem::Deb, "libc6", "2.36-9+deb12u10");
        bash.arch = Some("amd64".into());
        bash.source = Some(SourcePackage { name: "glibc".into(), version: "2.36-9+deb12u10".into() });
        assert_eq!(
            purl(&bash, Some(&debian)),
            "pkg:deb/debian/libc6@2.36-9+deb12u10?arch=amd64&distro=debian-12&upstream=glibc"
        );
        assert_eq!(purl(&package(Ecosystem::PyPI, "PyYAML", "5.3"), None), "pkg:pypi/pyyaml@5.3");
        assert_eq!(purl(&package(Ecosystem::Npm, "@babel/core", "7.0.0"), None), "pkg:npm/%40babel/core@7.0.0");
        assert_eq!(
            purl(&package(Ecosystem::Maven, "org.apache.logging.log4j:log4j-core", "2.14.1"), None),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
        assert_eq!(
            purl(&package(Ecosystem::Golang, "github.com/pkg/errors", "v0.9.1"), None),
            "pkg:golang/github.com/pkg/errors@v0.9.1"
        );
    }

    #[test]
    fn finish_merges_duplicates_and_attaches_licences() {
        let at = |path: &str| Location { path: path.into(), layer: 0 };
        let mut a = package(Ecosystem::Deb, "bash", "5.2");
        a.locations.push(at("/var/lib/dpkg/status"));
        let b = a.clone();
        let inventory = finish(vec![
            (at("/var/lib/dpkg/status"), Found::Package(a)),
            (at("/var/lib/dpkg/status"), Found::Package(b)),
            (
                at("/usr/share/doc/bash/copyright"),
                Found::Licenses { ecosystem: Ecosystem::Deb, package: "bash".into(), licenses: vec!["GPL-3+".into()] },
            ),
            (at("/usr/lib/os-release"), Found::Os(OsRelease { id: "debian".into(), ..Default::default() })),
        ]);
        assert_eq!(inventory.packages.len(), 1);
        assert_eq!(inventory.packages[0].licenses, ["GPL-3+"]);
        assert_eq!(inventory.packages[0].locations.len(), 1);
        assert_eq!(inventory.packages[0].purl, "pkg:deb/debian/bash@5.2?distro=debian");
    }
}

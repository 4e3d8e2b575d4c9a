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

    /// The OSV ecosystem name (<https://ossf.github.io/osv-schema/#defined-ecosystems>) that
    /// advisories for this ecosystem's packages are filed under. Distribution ecosystems carry
    /// a release in OSV (`Debian:12`, `Alpine:v3.20`), which the matcher appends from the image's
    /// OS. rpm packages have no single OSV ecosystem (Red Hat, AlmaLinux, Rocky Linux, SUSE and
    /// openSUSE each publish their own), so `None`: the OS decides.
    pub fn osv_ecosystem(&self) -> Option<&'static str> {
        match self {
            Ecosystem::Deb => Some("Debian"),
            Ecosystem::Apk => Some("Alpine"),
            Ecosystem::Rpm => None,
            Ecosystem::PyPI => Some("PyPI"),
            Ecosystem::Npm => Some("npm"),
            Ecosystem::Golang => Some("Go"),
            Ecosystem::Cargo => Some("crates.io"),
            Ecosystem::Maven => Some("Maven"),
            Ecosystem::Gem => Some("RubyGems"),
            Ecosystem::Composer => Some("Packagist"),
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

impl Package {
    /// A package with no licence, source or architecture yet, evidenced by one file.
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        location: &Location,
        cataloger: &'static str,
    ) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            ecosystem,
            purl: String::new(),
            licenses: Vec::new(),
            locations: vec![location.clone()],
            source: None,
            arch: None,
            cataloger,
        }
    }
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
    vec![
        Box::new(catalogers::os_release::OsReleaseCataloger),
        Box::new(catalogers::dpkg::DpkgCataloger),
        Box::new(catalogers::apk::ApkCataloger),
        Box::new(catalogers::rpm::RpmCataloger),
        Box::new(catalogers::python::PythonCataloger),
        Box::new(catalogers::node::NodeCataloger),
        Box::new(catalogers::go_binary::GoBinaryCataloger),
        Box::new(catalogers::rust_binary::RustBinaryCataloger),
        Box::new(catalogers::java::JavaCataloger),
        Box::new(catalogers::ruby::RubyCataloger),
        Box::new(catalogers::php::PhpCataloger),
    ]
}

/// The catalogers of a source tree's lockfiles and manifests (`rampart scan fs`), in a fixed
/// order; separate from [`catalogers`], which read what is installed in an image. See
/// [`catalogers::lock`].
pub fn lockfile_catalogers() -> Vec<Box<dyn Cataloger>> {
    use catalogers::lock;
    vec![
        Box::new(lock::cargo::CargoLockCataloger),
        Box::new(lock::npm::NpmLockCataloger),
        Box::new(lock::yarn::YarnLockCataloger),
        Box::new(lock::pnpm::PnpmLockCataloger),
        Box::new(lock::requirements::RequirementsCataloger),
        Box::new(lock::poetry::PoetryLockCataloger),
        Box::new(lock::uv::UvLockCataloger),
        Box::new(lock::go_mod::GoModCataloger),
        Box::new(lock::go_sum::GoSumCataloger),
        Box::new(lock::gemfile::GemfileLockCataloger),
        Box::new(lock::composer::ComposerLockCataloger),
        Box::new(lock::pom::PomCataloger),
    ]
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
    share_debian_licences(&mut packages);
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

/// Debian lets binary packages built from one source share a documentation directory through a
/// symlink (`/usr/share/doc/libstdc++6 -> gcc-12-base`); catalogers see regular files only, so
/// such a package's copyright file is its sibling's. A Debian package without licences takes
/// those of a package from the same source package and version, which is what Syft reads through
/// the symlink.
fn share_debian_licences(packages: &mut [Package]) {
    let by_source: Vec<(SourcePackage, Vec<String>)> = packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Deb && !p.licenses.is_empty())
        .filter_map(|p| p.source.clone().map(|s| (s, p.licenses.clone())))
        .collect();
    for package in packages.iter_mut().filter(|p| p.ecosystem == Ecosystem::Deb && p.licenses.is_empty()) {
        if let Some(source) = &package.source
            && let Some((_, licenses)) = by_source.iter().find(|(s, _)| s == source)
        {
            package.licenses = licenses.clone();
        }
    }
}

/// The package URL of a package (<https://github.com/package-url/purl-spec>), written the way
/// Syft writes it so the two tools' SBOMs can be compared line by line:
/// `pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2`.
///
/// OS packages get `distro=ID-VERSION_ID` and, when their source package differs from the
/// binary in name or version, `upstream=` (`NAME` or `NAME@VERSION`; for rpm the source rpm
/// file name, as Syft does). An rpm epoch moves from the version to an `epoch=` qualifier, as
/// the purl spec asks. Go module paths keep their case: the `packageurl` crate lowercases
/// golang namespaces after an old spec text, but module paths are case-sensitive
/// (`github.com/BurntSushi/toml`), the current golang type definition says so, and Syft keeps it.
pub fn purl(package: &Package, os: Option<&OsRelease>) -> String {
    if package.ecosystem == Ecosystem::Golang {
        return golang_purl(package);
    }
    let name = match package.ecosystem {
        Ecosystem::PyPI => normalise_python_name(&package.name),
        _ => package.name.clone(),
    };
    let (namespace, name) = match package.ecosystem {
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm => {
            (os.map(|o| o.id.clone()).filter(|id| !id.is_empty()), name)
        }
        Ecosystem::Npm | Ecosystem::Maven | Ecosystem::Composer => {
            match name.rsplit_once(if package.ecosystem == Ecosystem::Maven { ':' } else { '/' }) {
                Some((namespace, name)) if !namespace.is_empty() => (Some(namespace.to_string()), name.to_string()),
                _ => (None, name),
            }
        }
        _ => (None, name),
    };
    let mut version = package.version.clone();
    let mut qualifiers: Vec<(&'static str, String)> = Vec::new();
    if let Some(arch) = package.arch.as_ref().filter(|a| !a.is_empty()) {
        qualifiers.push(("arch", arch.clone()));
    }
    if package.ecosystem == Ecosystem::Rpm
        && let Some((epoch, rest)) = package.version.split_once(':')
        && !epoch.is_empty()
        && epoch.bytes().all(|b| b.is_ascii_digit())
    {
        qualifiers.push(("epoch", epoch.to_string()));
        version = rest.to_string();
    }
    if package.ecosystem.is_os() {
        if let Some(os) = os.filter(|o| !o.id.is_empty()) {
            let distro = match &os.version_id {
                Some(version) => format!("{}-{version}", os.id),
                None => os.id.clone(),
            };
            qualifiers.push(("distro", distro));
        }
        if let Some(source) = &package.source {
            let upstream = match package.ecosystem {
                Ecosystem::Rpm if source.version.is_empty() => Some(source.name.clone()),
                Ecosystem::Rpm => Some(format!("{}-{}.src.rpm", source.name, source.version)),
                _ if source.version != package.version && !source.version.is_empty() => {
                    Some(format!("{}@{}", source.name, source.version))
                }
                _ if source.name != package.name => Some(source.name.clone()),
                _ => None,
            };
            if let Some(upstream) = upstream {
                qualifiers.push(("upstream", upstream));
            }
        }
    }
    let built = (|| -> Result<String, packageurl::Error> {
        let mut purl = packageurl::PackageUrl::new(package.ecosystem.purl_type(), name.as_str())?;
        if let Some(namespace) = &namespace {
            purl.with_namespace(namespace.as_str())?;
        }
        if !version.is_empty() {
            purl.with_version(version.as_str())?;
        }
        for (key, value) in &qualifiers {
            purl.add_qualifier(*key, value.as_str())?;
        }
        Ok(purl.to_string())
    })();
    // The crate refuses what the spec forbids (an empty name, a composer package without a
    // vendor); such a package still gets an identifier, spelled by the same rules.
    built.unwrap_or_else(|_| {
        let mut out = format!("pkg:{}/", package.ecosystem.purl_type());
        if let Some(namespace) = &namespace {
            out.push_str(&encode_path(namespace));
            out.push('/');
        }
        out.push_str(&percent_encode(&name, true));
        if !version.is_empty() {
            out.push('@');
            out.push_str(&percent_encode(&version, false));
        }
        push_qualifiers(&mut out, qualifiers);
        out
    })
}

fn golang_purl(package: &Package) -> String {
    let mut out = String::from("pkg:golang/");
    out.push_str(&encode_path(&package.name));
    // Syft writes the standard library as `pkg:golang/stdlib@1.19.8`: the version without `go`.
    let version = match package.name.as_str() {
        "stdlib" => package.version.strip_prefix("go").unwrap_or(&package.version),
        _ => &package.version,
    };
    if !version.is_empty() {
        out.push('@');
        out.push_str(&percent_encode(version, false));
    }
    let qualifiers = package.arch.iter().map(|arch| ("arch", arch.clone())).collect();
    push_qualifiers(&mut out, qualifiers);
    out
}

fn encode_path(path: &str) -> String {
    path.split('/').filter(|s| !s.is_empty()).map(|s| percent_encode(s, true)).collect::<Vec<_>>().join("/")
}

fn push_qualifiers(out: &mut String, mut qualifiers: Vec<(&'static str, String)>) {
    qualifiers.sort();
    for (index, (key, value)) in qualifiers.iter().enumerate() {
        out.push(if index == 0 { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        out.push_str(&percent_encode(value, true));
    }
}

/// PEP 503 normalisation, which the purl spec requires for PyPI names.
pub(crate) fn normalise_python_name(name: &str) -> String {
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

/// The `packageurl` crate's encode set (which is Syft's too): controls, non-ASCII and
/// `` "#%<>`?{};=+@\[]^|`` and space; `/` too inside a segment or a qualifier value, and `,`
/// and `&` in qualifier values.
fn percent_encode(text: &str, segment: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let escape = byte <= 0x20
            || byte >= 0x7f
            || b"\"#%<>`?{};=+@\\[]^|".contains(&byte)
            || (segment && matches!(byte, b'/' | b',' | b'&'));
        if escape {
            out.push_str(&format!("%{byte:02X}"));
        } else {
            out.push(byte as char);
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

    /// Each expected string is what Syft 1.18 prints for the same package.
    #[test]
    fn purls() {
        let debian = OsRelease { id: "debian".into(), version_id: Some("12".into()), ..Default::default() };
        let deb = |name: &str, version: &str, source: &str, source_version: &str| {
            let mut p = package(Ecosystem::Deb, name, version);
            p.arch = Some("amd64".into());
            p.source = Some(SourcePackage { name: source.into(), version: source_version.into() });
            purl(&p, Some(&debian))
        };
        assert_eq!(
            deb("libc6", "2.36-9+deb12u10", "glibc", "2.36-9+deb12u10"),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64&distro=debian-12&upstream=glibc"
        );
        assert_eq!(
            deb("bash", "5.2.15-2+b13", "bash", "5.2.15-2"),
            "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2"
        );
        assert_eq!(
            deb("bsdutils", "1:2.38.1-5+deb12u3", "util-linux", "2.38.1-5+deb12u3"),
            "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u3"
        );
        assert_eq!(
            deb("dash", "0.5.12-2", "dash", "0.5.12-2"),
            "pkg:deb/debian/dash@0.5.12-2?arch=amd64&distro=debian-12"
        );
        let rhel = OsRelease { id: "rhel".into(), version_id: Some("9.4".into()), ..Default::default() };
        let mut openssl = package(Ecosystem::Rpm, "openssl-libs", "1:3.0.7-27.el9");
        openssl.arch = Some("x86_64".into());
        openssl.source = Some(SourcePackage { name: "openssl".into(), version: "3.0.7-27.el9".into() });
        assert_eq!(
            purl(&openssl, Some(&rhel)),
            "pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm"
        );
        assert_eq!(purl(&package(Ecosystem::PyPI, "PyYAML", "5.3"), None), "pkg:pypi/pyyaml@5.3");
        assert_eq!(purl(&package(Ecosystem::PyPI, "zope.interface", "5.3"), None), "pkg:pypi/zope-interface@5.3");
        assert_eq!(purl(&package(Ecosystem::Npm, "@babel/core", "7.0.0"), None), "pkg:npm/%40babel/core@7.0.0");
        assert_eq!(purl(&package(Ecosystem::Npm, "lodash", "4.17.4"), None), "pkg:npm/lodash@4.17.4");
        assert_eq!(
            purl(&package(Ecosystem::Maven, "org.apache.logging.log4j:log4j-core", "2.14.1"), None),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
        assert_eq!(purl(&package(Ecosystem::Maven, "jsr305", "0.1~+svn49"), None), "pkg:maven/jsr305@0.1~%2Bsvn49");
        assert_eq!(
            purl(&package(Ecosystem::Golang, "github.com/BurntSushi/toml", "v1.2.1"), None),
            "pkg:golang/github.com/BurntSushi/toml@v1.2.1"
        );
        assert_eq!(purl(&package(Ecosystem::Golang, "stdlib", "go1.19.8"), None), "pkg:golang/stdlib@1.19.8");
        assert_eq!(purl(&package(Ecosystem::Cargo, "itoa", "1.0.15"), None), "pkg:cargo/itoa@1.0.15");
        assert_eq!(purl(&package(Ecosystem::Gem, "rack", "2.2.4"), None), "pkg:gem/rack@2.2.4");
        assert_eq!(purl(&package(Ecosystem::Composer, "psr/log", "3.0.2"), None), "pkg:composer/psr/log@3.0.2");
        // What the crate refuses still gets an identifier.
        assert_eq!(purl(&package(Ecosystem::Composer, "nolog", "1 0"), None), "pkg:composer/nolog@1%200");
        let mut musl = package(Ecosystem::Apk, "libcrypto3", "3.3.2-r0");
        musl.source = Some(SourcePackage { name: "openssl".into(), version: "3.3.2-r0".into() });
        let alpine = OsRelease { id: "alpine".into(), version_id: Some("3.20.3".into()), ..Default::default() };
        assert_eq!(
            purl(&musl, Some(&alpine)),
            "pkg:apk/alpine/libcrypto3@3.3.2-r0?distro=alpine-3.20.3&upstream=openssl"
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

    #[test]
    fn debian_packages_share_a_source_packages_copyright() {
        let at = |path: &str| Location { path: path.into(), layer: 0 };
        let gcc = SourcePackage { name: "gcc-12".into(), version: "12.2.0-14".into() };
        let mut base = package(Ecosystem::Deb, "gcc-12-base", "12.2.0-14");
        base.source = Some(gcc.clone());
        let mut stdcxx = package(Ecosystem::Deb, "libstdc++6", "12.2.0-14");
        stdcxx.source = Some(gcc);
        let mut other = package(Ecosystem::Deb, "zlib1g", "1:1.2.13");
        other.source = Some(SourcePackage { name: "zlib".into(), version: "1:1.2.13".into() });
        let inventory = finish(vec![
            (at("/var/lib/dpkg/status"), Found::Package(base)),
            (at("/var/lib/dpkg/status"), Found::Package(stdcxx)),
            (at("/var/lib/dpkg/status"), Found::Package(other)),
            (
                at("/usr/share/doc/gcc-12-base/copyright"),
                Found::Licenses {
                    ecosystem: Ecosystem::Deb,
                    package: "gcc-12-base".into(),
                    licenses: vec!["GPL".into()],
                },
            ),
        ]);
        let licences: Vec<(&str, &[String])> =
            inventory.packages.iter().map(|p| (p.name.as_str(), p.licenses.as_slice())).collect();
        assert_eq!(
            licences,
            [("gcc-12-base", &["GPL".to_string()][..]), ("libstdc++6", &["GPL".to_string()][..]), ("zlib1g", &[][..])]
        );
    }
}

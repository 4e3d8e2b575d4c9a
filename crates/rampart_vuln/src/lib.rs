//! Matching an inventory of packages against OSV advisories.
//!
//! Each package is asked for under the OSV ecosystem and name its advisories use: Debian
//! binary packages through their *source* package and the release (`Debian:12`,
//! `Ubuntu:22.04:LTS`), Alpine packages through `Alpine:v3.x`, rpm packages of AlmaLinux, Rocky
//! Linux, SUSE, openSUSE, Mageia and Photon OS through their source package and release,
//! language packages by their normalised name. A version is
//! affected exactly as OSV defines it ([`rampart_versions::is_affected`]). Advisories that are
//! the same vulnerability under different ids (CVE, GHSA, PYSEC, DSA…), found for the same
//! package, are merged into one [`Vulnerability`] listing every id. Withdrawn advisories are
//! skipped. No I/O here: the advisories come from an [`AdvisorySource`] (the SQLite database in
//! production, a list in tests).

pub mod osv;
pub mod vex;

use std::collections::{BTreeMap, BTreeSet};

use rampart_catalog::{Ecosystem, Inventory, Location, OsRelease, Package};
use rampart_versions::cvss::{self, Rating};
use rampart_versions::{Range, Scheme};

/// One advisory's statement about one package, as the database returns it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Advisory {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    /// CVSS vectors (`CVSS:3.1/…`, `CVSS:4.0/…`) from the record and the affected entry.
    pub cvss: Vec<String>,
    /// The database's own rating (`database_specific.severity`), used without a vector.
    pub rating: Option<String>,
    pub urls: Vec<String>,
    /// The ecosystem of the affected entry (`Debian:12`, `PyPI`).
    pub ecosystem: String,
    /// The package name as the advisory spells it.
    pub name: String,
    pub ranges: Vec<Range>,
    pub versions: Vec<String>,
    pub withdrawn: bool,
}

/// Where advisories come from.
pub trait AdvisorySource {
    /// Every advisory that names `name` (already normalised) in `ecosystem`.
    fn advisories(&self, ecosystem: &str, name: &str) -> Result<Vec<Advisory>, String>;
}

/// A vulnerability of one installed package.
#[derive(Debug, Clone, PartialEq)]
pub struct Vulnerability {
    /// The id shown first: the CVE when there is one, else the first advisory id.
    pub id: String,
    /// Every id of the merged advisories and their aliases, sorted, `id` included.
    pub ids: Vec<String>,
    pub package: String,
    pub version: String,
    pub ecosystem: Ecosystem,
    pub purl: String,
    /// The name and version the advisories were matched on (the Debian source package).
    pub matched_name: String,
    pub matched_version: String,
    pub osv_ecosystem: String,
    pub fixed: Vec<String>,
    pub rating: Option<Rating>,
    pub score: Option<f64>,
    pub vector: Option<String>,
    pub summary: Option<String>,
    pub urls: Vec<String>,
    pub locations: Vec<Location>,
}

impl Vulnerability {
    /// The rating, or `Unknown` spelt as OSV tools do.
    pub fn severity_name(&self) -> &'static str {
        match self.rating {
            Some(Rating::Critical) => "critical",
            Some(Rating::High) => "high",
            Some(Rating::Medium) => "medium",
            Some(Rating::Low) => "low",
            Some(Rating::None) => "none",
            None => "unknown",
        }
    }
}

/// The OSV ecosystem, name and version a package's advisories use, or `None` when OSV has no
/// ecosystem for it (an rpm of Red Hat Enterprise Linux, whose advisories are scoped to product
/// streams an image does not record; a Debian package without a release).
pub fn osv_query(package: &Package, os: Option<&OsRelease>) -> Option<(String, String, String)> {
    let (name, mut version) = match &package.source {
        Some(source) if package.ecosystem.is_os() => (source.name.clone(), source.version.clone()),
        _ => (package.name.clone(), package.version.clone()),
    };
    let ecosystem = match package.ecosystem {
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm => distribution_ecosystem(package.ecosystem, os?)?,
        Ecosystem::PyPI => "PyPI".into(),
        Ecosystem::Npm => "npm".into(),
        Ecosystem::Golang => "Go".into(),
        Ecosystem::Cargo => "crates.io".into(),
        Ecosystem::Maven => "Maven".into(),
        Ecosystem::Gem => "RubyGems".into(),
        Ecosystem::Composer => "Packagist".into(),
    };
    // A source rpm's file name has no epoch; the binary's is the source's, and the advisories'
    // fixed versions carry it (`1:3.0.7-18.el9_2`).
    if package.ecosystem == Ecosystem::Rpm
        && package.source.is_some()
        && !version.contains(':')
        && let Some((epoch, _)) = package.version.split_once(':')
    {
        version = format!("{epoch}:{version}");
    }
    let scheme = Scheme::for_osv_ecosystem(&ecosystem);
    let name = rampart_versions::normalize_name(scheme, &name);
    // Go's standard library and the main module carry pseudo versions OSV cannot place.
    if version.is_empty() || version == "(devel)" {
        return None;
    }
    Some((ecosystem, name, version))
}

/// The OSV ecosystem of a distribution's packages, release included, as the OSV schema defines
/// them (<https://ossf.github.io/osv-schema/#defined-ecosystems>), from the image's os-release.
fn distribution_ecosystem(packages: Ecosystem, os: &OsRelease) -> Option<String> {
    let version_id = os.version_id.as_deref().map(str::trim).filter(|v| !v.is_empty());
    let major = || version_id.and_then(|v| v.split('.').next());
    let ecosystem = match (packages, os.id.as_str()) {
        (Ecosystem::Deb, "debian") => format!("Debian:{}", major()?),
        // `Ubuntu:22.04:LTS`, `Ubuntu:24.10`: the `:LTS` suffix is part of the name. Ubuntu Pro
        // (`Ubuntu:Pro:…`) fixes need a subscription an image's sources do not show.
        (Ecosystem::Deb, "ubuntu") => {
            let release = version_id?;
            let lts = os.pretty_name.as_deref().is_some_and(|n| n.contains("LTS")) || is_ubuntu_lts(release);
            if lts { format!("Ubuntu:{release}:LTS") } else { format!("Ubuntu:{release}") }
        }
        (Ecosystem::Apk, "alpine") => {
            let mut parts = version_id?.split('.');
            let (major, minor) = (parts.next()?, parts.next()?);
            format!("Alpine:v{major}.{minor}")
        }
        (Ecosystem::Apk, "wolfi") => "Wolfi".into(),
        (Ecosystem::Apk, "chainguard") => "Chainguard".into(),
        (Ecosystem::Rpm, "almalinux") => format!("AlmaLinux:{}", major()?),
        (Ecosystem::Rpm, "rocky") => format!("Rocky Linux:{}", major()?),
        (Ecosystem::Rpm, "mageia") => format!("Mageia:{}", version_id?),
        (Ecosystem::Rpm, "photon") => format!("Photon OS:{}", version_id?),
        // SUSE and openSUSE name the release by os-release's PRETTY_NAME without the vendor:
        // `openSUSE Leap 15.5` → `openSUSE:Leap 15.5`, `SUSE Linux Enterprise Server 15 SP5` →
        // `SUSE:Linux Enterprise Server 15 SP5`.
        (Ecosystem::Rpm, id) if id.starts_with("opensuse") => {
            let pretty = os.pretty_name.as_deref()?.trim();
            format!("openSUSE:{}", pretty.strip_prefix("openSUSE ")?.trim())
        }
        (Ecosystem::Rpm, "sles" | "sled" | "sle-micro") => {
            let pretty = os.pretty_name.as_deref()?.trim();
            format!("SUSE:{}", pretty.strip_prefix("SUSE ")?.trim())
        }
        _ => return None,
    };
    Some(ecosystem)
}

/// Ubuntu's long-term releases: April releases of even years (`22.04`, `24.04`), for images
/// whose os-release lacks the `LTS` in PRETTY_NAME.
fn is_ubuntu_lts(release: &str) -> bool {
    let mut parts = release.split('.');
    match (parts.next().and_then(|y| y.parse::<u32>().ok()), parts.next()) {
        (Some(year), Some("04")) => year % 2 == 0,
        _ => false,
    }
}

/// What a match run saw besides the vulnerabilities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchStats {
    /// Packages asked for.
    pub queried: usize,
    /// Packages OSV has no ecosystem for.
    pub unsupported: usize,
}

/// Matches every package of `inventory`. Sorted by severity (worst first), then package, then id.
pub fn match_inventory(
    inventory: &Inventory,
    source: &dyn AdvisorySource,
) -> Result<(Vec<Vulnerability>, MatchStats), String> {
    let mut stats = MatchStats::default();
    let mut found = Vec::new();
    for package in &inventory.packages {
        let Some((ecosystem, name, version)) = osv_query(package, inventory.os.as_ref()) else {
            stats.unsupported += 1;
            continue;
        };
        stats.queried += 1;
        let advisories = source.advisories(&ecosystem, &name)?;
        found.extend(match_package(package, &ecosystem, &name, &version, &advisories));
    }
    found.sort_by(|a: &Vulnerability, b: &Vulnerability| {
        b.rating
            .cmp(&a.rating)
            .then_with(|| a.package.cmp(&b.package))
            .then_with(|| a.version.cmp(&b.version))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok((found, stats))
}

/// The vulnerabilities of one package among `advisories`, aliases merged.
pub fn match_package(
    package: &Package,
    ecosystem: &str,
    name: &str,
    version: &str,
    advisories: &[Advisory],
) -> Vec<Vulnerability> {
    let scheme = Scheme::for_osv_ecosystem(ecosystem);
    let affecting: Vec<&Advisory> = advisories
        .iter()
        .filter(|a| !a.withdrawn)
        .filter(|a| ecosystem_applies(&a.ecosystem, ecosystem))
        .filter(|a| rampart_versions::is_affected(scheme, version, &a.ranges, &a.versions))
        .collect();
    merge_aliases(&affecting)
        .into_iter()
        .map(|group| {
            let mut ids = BTreeSet::new();
            let mut fixed = BTreeSet::new();
            let mut urls = Vec::new();
            let mut best: Option<(f64, Rating, String)> = None;
            let mut db_rating: Option<Rating> = None;
            let mut summary = None;
            for advisory in &group {
                ids.insert(advisory.id.clone());
                ids.extend(advisory.aliases.iter().cloned());
                // Distribution records named after a CVE (`DEBIAN-CVE-2022-0563`,
                // `UBUNTU-CVE-…`) are about that CVE, whether or not they list it as an alias.
                if let Some(at) = advisory.id.find("-CVE-") {
                    ids.insert(advisory.id[at + 1..].to_string());
                }
                fixed.extend(rampart_versions::fixed_in(scheme, version, &advisory.ranges));
                for url in &advisory.urls {
                    if !urls.contains(url) {
                        urls.push(url.clone());
                    }
                }
                for vector in &advisory.cvss {
                    if let Some((score, rating)) = cvss::score(vector)
                        && best.as_ref().is_none_or(|(s, _, _)| score > *s)
                    {
                        best = Some((score, rating, vector.clone()));
                    }
                }
                if let Some(rating) = advisory.rating.as_deref().and_then(cvss::parse_rating) {
                    db_rating = db_rating.max(Some(rating));
                }
                if summary.is_none() {
                    summary = advisory.summary.clone().filter(|s| !s.trim().is_empty());
                }
            }
            let id = ids.iter().find(|i| i.starts_with("CVE-")).cloned().unwrap_or_else(|| group[0].id.clone());
            let mut fixed: Vec<String> = fixed.into_iter().collect();
            fixed.sort_by(|a, b| rampart_versions::compare(scheme, a, b).unwrap_or_else(|| a.cmp(b)));
            Vulnerability {
                id,
                ids: ids.into_iter().collect(),
                package: package.name.clone(),
                version: package.version.clone(),
                ecosystem: package.ecosystem,
                purl: package.purl.clone(),
                matched_name: name.to_string(),
                matched_version: version.to_string(),
                osv_ecosystem: ecosystem.to_string(),
                fixed,
                rating: best.as_ref().map(|(_, r, _)| *r).or(db_rating),
                score: best.as_ref().map(|(s, _, _)| *s),
                vector: best.map(|(_, _, v)| v),
                summary,
                urls,
                locations: package.locations.clone(),
            }
        })
        .collect()
}

/// Whether an advisory for `theirs` (`Debian:12`, `Debian`, `PyPI`) speaks about `ours`.
/// A release-less OS ecosystem (`Debian`) covers every release; `Debian:11` does not cover 12.
fn ecosystem_applies(theirs: &str, ours: &str) -> bool {
    theirs == ours || (!theirs.contains(':') && ours.split(':').next() == Some(theirs))
}

/// Groups advisories that share an id or alias (transitively).
fn merge_aliases<'a>(advisories: &[&'a Advisory]) -> Vec<Vec<&'a Advisory>> {
    let mut parent: Vec<usize> = (0..advisories.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, advisory) in advisories.iter().enumerate() {
        for id in std::iter::once(&advisory.id).chain(&advisory.aliases) {
            match owner.get(id.as_str()) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a] = b;
                }
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<&Advisory>> = BTreeMap::new();
    for (i, advisory) in advisories.iter().enumerate() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(advisory);
    }
    groups.into_values().collect()
}

#[cfg(test)]
mod tests;

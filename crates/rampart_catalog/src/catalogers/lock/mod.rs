//! Lockfiles and manifests in a source tree, for `rampart scan fs`: what a project pins, read
//! from the files its package managers write (`Cargo.lock`, `package-lock.json`, `yarn.lock`,
//! `pnpm-lock.yaml`, `requirements*.txt`, `poetry.lock`, `uv.lock`, `go.mod`, `go.sum`,
//! `Gemfile.lock`, `composer.lock`, `pom.xml`).
//!
//! Each file is read on its own and yields the packages it pins to an exact version from the
//! ecosystem's public registry, which is what advisories are written against. Entries that do
//! not come from that registry (path and git dependencies, workspace members, local
//! replacements) or that have no exact version (an unpinned requirement, an unresolved Maven
//! property) give no package. Development dependencies are included: the model has no field
//! to mark them, and a vulnerable test dependency still runs in CI.
//!
//! Locations are the file's path as the walker gives it (relative to the scanned root), layer 0.
//! Every parser is linear in its input, bounded to [`MAX_PACKAGES`] packages per file, and
//! treats malformed input as an error value or as no packages, never as a panic.

pub mod cargo;
pub mod composer;
pub mod gemfile;
pub mod go_mod;
pub mod go_sum;
pub mod npm;
pub mod pnpm;
pub mod poetry;
pub mod pom;
pub mod requirements;
pub mod uv;
pub mod yarn;

use super::error;
use crate::{CatalogError, Ecosystem, Found, Location, Package};

/// The most packages one lockfile may describe; a real one has a few thousand.
pub const MAX_PACKAGES: usize = 200_000;

/// The largest lockfile read (a big monorepo's `package-lock.json` is tens of MB).
pub const MAX_LOCKFILE: u64 = 128 * 1024 * 1024;

/// The largest hand-written manifest read (`requirements.txt`, `go.mod`, `pom.xml`).
pub const MAX_MANIFEST: u64 = 8 * 1024 * 1024;

/// The file's text; lockfiles are UTF-8 (a BOM, which some Windows editors add, is dropped).
fn text(content: &[u8]) -> Result<&str, CatalogError> {
    let text = std::str::from_utf8(content).map_err(|e| error(format!("not UTF-8: {e}")))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Collects packages for one file, up to [`MAX_PACKAGES`].
struct Sink<'a> {
    location: &'a Location,
    cataloger: &'static str,
    ecosystem: Ecosystem,
    found: &'a mut Vec<Found>,
    count: usize,
    /// What this file has given already: a file names a package once even where the format
    /// repeats it (a gem per platform, a crate once per dependent).
    seen: std::collections::HashSet<(String, String)>,
}

impl<'a> Sink<'a> {
    fn new(location: &'a Location, cataloger: &'static str, ecosystem: Ecosystem, found: &'a mut Vec<Found>) -> Self {
        Sink { location, cataloger, ecosystem, found, count: 0, seen: Default::default() }
    }

    fn full(&self) -> bool {
        self.count >= MAX_PACKAGES
    }

    /// Records a package unless the name or version is empty or the file has given too many.
    fn push(&mut self, name: &str, version: &str) {
        let (name, version) = (name.trim(), version.trim());
        if name.is_empty() || version.is_empty() || self.full() || !self.seen.insert((name.into(), version.into())) {
            return;
        }
        self.found.push(Found::Package(Package::new(self.ecosystem, name, version, self.location, self.cataloger)));
        self.count += 1;
    }
}

/// Strips one layer of matching single or double quotes.
fn unquote(text: &str) -> &str {
    let text = text.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner;
        }
    }
    text
}

#[cfg(test)]
#[allow(clippy::panic_in_result_fn)]
pub(crate) fn run(
    cataloger: &dyn crate::Cataloger,
    path: &str,
    content: &[u8],
) -> Result<Vec<(String, String)>, CatalogError> {
    let mut found = Vec::new();
    let location = Location { path: path.into(), layer: 0 };
    assert!(
        matches!(
            cataloger.wants(&crate::FileMeta { path, size: content.len() as u64, mode: 0o644 }),
            crate::Want::Content { .. }
        ),
        "{} does not want {path}",
        cataloger.name()
    );
    cataloger.catalog(&location, content, &mut found)?;
    let mut out: Vec<(String, String)> = found
        .into_iter()
        .filter_map(|f| match f {
            Found::Package(p) => {
                assert_eq!(p.locations, std::slice::from_ref(&location));
                assert_eq!(p.cataloger, cataloger.name());
                Some((p.name, p.version))
            }
            _ => None,
        })
        .collect();
    out.sort();
    Ok(out)
}

#[cfg(test)]
pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    out.sort();
    out
}

/// A TOML document (`Cargo.lock`, `poetry.lock`, `uv.lock`).
fn toml_table(text: &str) -> Result<toml::Table, CatalogError> {
    toml::from_str::<toml::Table>(text).map_err(|e| error(format!("not TOML: {}", e.message())))
}

/// Calls `each(table, name, version)` for every `[[package]]` table of a TOML lockfile
/// (`poetry.lock`, `uv.lock`, `Cargo.lock`) that has a string `name` and `version`.
fn toml_packages(
    content: &[u8],
    file: &str,
    mut each: impl FnMut(&toml::Value, &str, &str),
) -> Result<(), CatalogError> {
    let table = toml_table(text(content)?)?;
    let Some(packages) = table.get("package") else { return Ok(()) };
    let packages = packages.as_array().ok_or_else(|| error(format!("{file}: `package` is not an array of tables")))?;
    for package in packages {
        let field = |key: &str| package.get(key).and_then(toml::Value::as_str);
        if let (Some(name), Some(version)) = (field("name"), field("version")) {
            each(package, name, version);
        }
    }
    Ok(())
}

//! Cargo's `Cargo.lock`, every format version (v1 without a `version` key and with a
//! `[metadata]` checksum table, v2, v3, v4): `[[package]]` entries with a `source`. Only
//! packages from crates.io (`registry+https://github.com/rust-lang/crates.io-index` or the
//! sparse `sparse+https://index.crates.io/`) give a package, since advisories are written
//! against crates.io names: workspace members (no `source`), path, git and alternative
//! registry packages are skipped.

use super::{MAX_LOCKFILE, Sink};
use crate::catalogers::file_name;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct CargoLockCataloger;

const CRATES_IO: [&str; 2] =
    ["registry+https://github.com/rust-lang/crates.io-index", "sparse+https://index.crates.io/"];

impl Cataloger for CargoLockCataloger {
    fn name(&self) -> &'static str {
        "cargo-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file_name(file.path) == "Cargo.lock" { Want::Content { limit: MAX_LOCKFILE } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let mut sink = Sink::new(location, self.name(), Ecosystem::Cargo, found);
        super::toml_packages(content, "Cargo.lock", |package, name, version| {
            if package.get("source").and_then(toml::Value::as_str).is_some_and(|source| CRATES_IO.contains(&source)) {
                sink.push(name, version);
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogers::lock::{pairs, run};

    #[test]
    fn versions() {
        let expected = pairs(&[("itoa", "1.0.15"), ("serde", "1.0.219"), ("smallvec", "0.6.9"), ("memchr", "2.7.4")]);
        for (file, content) in [
            ("v1", &include_bytes!("../../../tests/fixtures/lock/Cargo.v1.lock")[..]),
            ("v3", &include_bytes!("../../../tests/fixtures/lock/Cargo.v3.lock")[..]),
            ("v4", &include_bytes!("../../../tests/fixtures/lock/Cargo.v4.lock")[..]),
        ] {
            assert_eq!(run(&CargoLockCataloger, "Cargo.lock", content).unwrap(), expected, "{file}");
        }
    }

    #[test]
    fn hostile() {
        assert!(run(&CargoLockCataloger, "Cargo.lock", b"[[package]\nname = ").is_err());
        assert!(run(&CargoLockCataloger, "Cargo.lock", b"package = 3").is_err());
        assert!(run(&CargoLockCataloger, "Cargo.lock", format!("a = {}", "[".repeat(100_000)).as_bytes()).is_err());
        assert!(run(&CargoLockCataloger, "Cargo.lock", format!("a = {}", "{b = ".repeat(100_000)).as_bytes()).is_err());
        assert!(run(&CargoLockCataloger, "Cargo.lock", b"").unwrap().is_empty());
        assert!(run(&CargoLockCataloger, "Cargo.lock", b"[[package]]\nname = 1\nversion = []\n").unwrap().is_empty());
    }
}

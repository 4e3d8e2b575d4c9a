//! Poetry's `poetry.lock`: TOML `[[package]]` tables with `name` and `version`. Packages whose
//! `[package.source]` is a git repository, a local directory or file, or a URL give no package;
//! those from PyPI or a package index (`legacy`, a private mirror of PyPI names) do.

use super::{MAX_LOCKFILE, Sink};
use crate::catalogers::file_name;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct PoetryLockCataloger;

impl Cataloger for PoetryLockCataloger {
    fn name(&self) -> &'static str {
        "poetry-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file_name(file.path) == "poetry.lock" { Want::Content { limit: MAX_LOCKFILE } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let mut sink = Sink::new(location, self.name(), Ecosystem::PyPI, found);
        super::toml_packages(content, "poetry.lock", |package, name, version| {
            let source = package.get("source").and_then(|s| s.get("type")).and_then(toml::Value::as_str);
            if !matches!(source, Some("git" | "directory" | "file" | "url")) {
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
    fn fixture() {
        let got = run(&PoetryLockCataloger, "poetry.lock", include_bytes!("../../../tests/fixtures/lock/poetry.lock"))
            .unwrap();
        assert_eq!(
            got,
            pairs(&[("certifi", "2023.7.22"), ("Jinja2", "2.10"), ("markupsafe", "2.1.3"), ("pytest", "7.4.2")])
        );
    }

    #[test]
    fn hostile() {
        assert!(run(&PoetryLockCataloger, "poetry.lock", b"[[package]]\nname = \"a").is_err());
        assert!(run(&PoetryLockCataloger, "poetry.lock", b"[metadata]\nlock-version = \"2.0\"\n").unwrap().is_empty());
    }
}

//! uv's `uv.lock`: TOML `[[package]]` tables with `name`, `version` and a `source` inline
//! table. Only packages from a package index (`source = { registry = "..." }`) give a
//! package; the project itself and workspace members (`editable`, `virtual`), and git, path,
//! directory and URL sources are skipped.

use super::{MAX_LOCKFILE, Sink};
use crate::catalogers::file_name;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct UvLockCataloger;

impl Cataloger for UvLockCataloger {
    fn name(&self) -> &'static str {
        "uv-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file_name(file.path) == "uv.lock" { Want::Content { limit: MAX_LOCKFILE } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let mut sink = Sink::new(location, self.name(), Ecosystem::PyPI, found);
        super::toml_packages(content, "uv.lock", |package, name, version| {
            if package.get("source").and_then(|s| s.get("registry")).is_some() {
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
        let got = run(&UvLockCataloger, "svc/uv.lock", include_bytes!("../../../tests/fixtures/lock/uv.lock")).unwrap();
        assert_eq!(
            got,
            pairs(&[("certifi", "2024.8.30"), ("idna", "3.10"), ("requests", "2.32.3"), ("urllib3", "2.2.3")])
        );
    }

    #[test]
    fn hostile() {
        assert!(run(&UvLockCataloger, "uv.lock", b"version = 1\n[[package]]\nsource = { registry = ").is_err());
        assert!(
            run(&UvLockCataloger, "uv.lock", b"version = 1\n[[package]]\nname = \"a\"\nversion = \"1\"\nsource = 3\n")
                .unwrap()
                .is_empty()
        );
    }
}

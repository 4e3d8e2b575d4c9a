//! Composer's `composer.lock`: the `packages` and `packages-dev` arrays, each entry with a
//! `name` (`vendor/name`, the Packagist name) and a `version` as Composer wrote it (`v5.4.0`
//! or `2.1.0`; matching normalises the leading `v`).

use serde_json::Value;

use super::{MAX_LOCKFILE, Sink};
use crate::catalogers::{error, file_name};
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct ComposerLockCataloger;

impl Cataloger for ComposerLockCataloger {
    fn name(&self) -> &'static str {
        "composer-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file_name(file.path) == "composer.lock" { Want::Content { limit: MAX_LOCKFILE } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let json: Value = serde_json::from_slice(content).map_err(|e| error(format!("not JSON: {e}")))?;
        if !json.is_object() {
            return Err(error("composer.lock is not an object"));
        }
        let mut sink = Sink::new(location, self.name(), Ecosystem::Composer, found);
        for key in ["packages", "packages-dev"] {
            let Some(Value::Array(list)) = json.get(key) else { continue };
            for entry in list {
                let text = |key: &str| entry.get(key).and_then(Value::as_str);
                if let (Some(name), Some(version)) = (text("name"), text("version")) {
                    sink.push(name, version);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogers::lock::{pairs, run};

    #[test]
    fn fixture() {
        let got =
            run(&ComposerLockCataloger, "composer.lock", include_bytes!("../../../tests/fixtures/lock/composer.lock"))
                .unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("guzzlehttp/psr7", "1.8.2"),
                ("monolog/monolog", "2.9.1"),
                ("phpunit/phpunit", "9.6.13"),
                ("symfony/http-kernel", "v5.4.20")
            ])
        );
    }

    #[test]
    fn hostile() {
        assert!(run(&ComposerLockCataloger, "composer.lock", b"[]").is_err());
        assert!(run(&ComposerLockCataloger, "composer.lock", b"{\"packages\":[").is_err());
        assert!(
            run(
                &ComposerLockCataloger,
                "composer.lock",
                br#"{"packages":[1,{"name":"a"},{"name":"b","version":2}],"packages-dev":{}}"#
            )
            .unwrap()
            .is_empty()
        );
    }
}

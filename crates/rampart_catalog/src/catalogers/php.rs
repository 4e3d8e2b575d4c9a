//! PHP packages installed by Composer: `vendor/composer/installed.json`, an array of packages
//! (Composer 1) or `{"packages": [...]}` (Composer 2).

use serde_json::Value;

use super::error;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Package, Want};

#[derive(Debug)]
pub struct PhpCataloger;

impl Cataloger for PhpCataloger {
    fn name(&self) -> &'static str {
        "php"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.path.ends_with("/vendor/composer/installed.json") {
            Want::Content { limit: 64 * 1024 * 1024 }
        } else {
            Want::No
        }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let json: Value = serde_json::from_slice(content).map_err(|e| error(format!("not JSON: {e}")))?;
        let packages = match &json {
            Value::Array(list) => list,
            Value::Object(object) => match object.get("packages") {
                Some(Value::Array(list)) => list,
                _ => return Err(error("installed.json without a `packages` array")),
            },
            _ => return Err(error("installed.json is neither an array nor an object")),
        };
        for entry in packages {
            let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
            let (Some(name), Some(version)) = (text("name"), text("version")) else { continue };
            let mut package = Package::new(Ecosystem::Composer, name, version, location, "php");
            package.licenses = match entry.get("license") {
                Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                Some(Value::String(one)) => vec![one.clone()],
                _ => Vec::new(),
            };
            found.push(Found::Package(package));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(content: &[u8]) -> Result<Vec<(String, String, Vec<String>)>, CatalogError> {
        let mut found = Vec::new();
        let location = Location { path: "/var/www/vendor/composer/installed.json".into(), layer: 0 };
        PhpCataloger.catalog(&location, content, &mut found)?;
        Ok(found
            .into_iter()
            .filter_map(|f| match f {
                Found::Package(p) => Some((p.name, p.version, p.licenses)),
                _ => None,
            })
            .collect())
    }

    #[test]
    fn composer_2() {
        let packages = catalog(include_bytes!("../../tests/fixtures/php/installed.json")).unwrap();
        let names: Vec<(&str, &str)> = packages.iter().map(|p| (p.0.as_str(), p.1.as_str())).collect();
        assert_eq!(names, [("rampart/greeter", "1.4.0"), ("rampart/log", "3.0.2")]);
        assert_eq!(packages[0].2, ["Apache-2.0", "MIT"]);
    }

    #[test]
    fn composer_1() {
        let json = br#"[{"name":"symfony/polyfill-ctype","version":"v1.19.0","license":["MIT"]},{"name":"x"}]"#;
        assert_eq!(catalog(json).unwrap(), [("symfony/polyfill-ctype".into(), "v1.19.0".into(), vec!["MIT".into()])]);
    }

    #[test]
    fn garbage() {
        assert!(catalog(b"").is_err());
        assert!(catalog(b"{\"packages\": 3}").is_err());
        assert!(catalog(b"7").is_err());
        assert!(catalog("[".repeat(10_000).as_bytes()).is_err());
        assert!(catalog(br#"[1, "x", {"name": 2, "version": "1"}]"#).unwrap().is_empty());
    }
}

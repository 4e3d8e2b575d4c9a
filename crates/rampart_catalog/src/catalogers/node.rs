//! npm packages: every `package.json` with a name and a version, and `package-lock.json`
//! lockfiles (v1 `dependencies` tree, v2/v3 `packages` map).
//!
//! Like Syft, a `package.json` counts wherever it is, including an application's own (py-app's
//! `/app/package.json`, `"private": true`): it is software in the image as much as its
//! dependencies are. A lockfile lists what was installed beside it, so it and the
//! `node_modules/*/package.json` files usually name the same packages: [`crate::finish`] merges
//! entries with the same name and version into one package with both locations. Lockfile entries
//! marked `dev` (absent from production installs) or `link` (a workspace symlink whose own
//! `package.json` is read anyway) are skipped, as is the root entry (`""`), which is the
//! application's `package.json`. npm's hidden lockfile `node_modules/.package-lock.json` is not
//! read: it only repeats the `node_modules` directory, whose `package.json` files are.

use serde_json::Value;

use super::{error, file_name};
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Package, Want};

#[derive(Debug)]
pub struct NodeCataloger;

impl Cataloger for NodeCataloger {
    fn name(&self) -> &'static str {
        "node"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        match file_name(file.path) {
            "package.json" => Want::Content { limit: 4 * 1024 * 1024 },
            "package-lock.json" => Want::Content { limit: 128 * 1024 * 1024 },
            _ => Want::No,
        }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let json: Value = serde_json::from_slice(content).map_err(|e| error(format!("not JSON: {e}")))?;
        if file_name(&location.path) == "package-lock.json" {
            return lockfile(&json, location, found);
        }
        let (Some(name), Some(version)) = (string(&json, "name"), string(&json, "version")) else {
            // Plenty of package.json files are not packages (test fixtures, configuration
            // holders like `{"type": "module"}`): not an error.
            return Ok(());
        };
        let mut package = Package::new(Ecosystem::Npm, name, version, location, "node");
        package.licenses = licenses(&json);
        found.push(Found::Package(package));
        Ok(())
    }
}

fn string<'a>(json: &'a Value, key: &str) -> Option<&'a str> {
    json.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// `"license": "MIT"`, `"license": {"type": "MIT"}`, or the deprecated
/// `"licenses": [{"type": "MIT"}, "BSD"]`.
fn licenses(json: &Value) -> Vec<String> {
    let one = |value: &Value| match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(|s| s.trim().to_string()),
        _ => None,
    };
    let mut out: Vec<String> = Vec::new();
    if let Some(license) = json.get("license").and_then(one) {
        out.push(license);
    } else if let Some(Value::Array(list)) = json.get("licenses") {
        out.extend(list.iter().filter_map(one));
    } else if let Some(license) = json.get("licenses").and_then(one) {
        out.push(license);
    }
    out.retain(|l| !l.is_empty());
    out
}

/// The most packages one lockfile may describe; a real one has a few thousand.
const MAX_LOCK_PACKAGES: usize = 200_000;

fn lockfile(json: &Value, location: &Location, found: &mut Vec<Found>) -> Result<(), CatalogError> {
    let mut count = 0usize;
    let mut push = |name: &str, entry: &Value, found: &mut Vec<Found>| {
        if count >= MAX_LOCK_PACKAGES {
            return;
        }
        let flag = |key: &str| entry.get(key).and_then(Value::as_bool).unwrap_or(false);
        if flag("dev") || flag("link") {
            return;
        }
        let Some(version) = string(entry, "version") else { return };
        let mut package = Package::new(Ecosystem::Npm, name, version, location, "node");
        package.licenses = licenses(entry);
        found.push(Found::Package(package));
        count += 1;
    };
    if let Some(Value::Object(packages)) = json.get("packages") {
        // v2 and v3: keys are install paths; the package name is what follows the last
        // `node_modules/` (an entry may also carry `name` when it is an alias).
        for (path, entry) in packages {
            if path.is_empty() {
                continue;
            }
            let from_path = match path.rfind("node_modules/") {
                Some(at) => &path[at + "node_modules/".len()..],
                // A workspace member outside node_modules: its own package.json names it.
                None => continue,
            };
            let name = string(entry, "name").unwrap_or(from_path);
            if !name.is_empty() {
                push(name, entry, found);
            }
        }
        return Ok(());
    }
    if let Some(Value::Object(dependencies)) = json.get("dependencies") {
        // v1: a tree of `dependencies`, nested where npm could not hoist.
        let mut stack: Vec<&serde_json::Map<String, Value>> = vec![dependencies];
        while let Some(level) = stack.pop() {
            for (name, entry) in level {
                push(name, entry, found);
                if let Some(Value::Object(nested)) = entry.get("dependencies") {
                    stack.push(nested);
                }
            }
        }
        return Ok(());
    }
    Err(error("package-lock.json without `packages` or `dependencies`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(path: &str, content: &[u8]) -> Result<Vec<(String, String, Vec<String>)>, CatalogError> {
        let mut found = Vec::new();
        NodeCataloger.catalog(&Location { path: path.into(), layer: 0 }, content, &mut found)?;
        let mut out: Vec<_> = found
            .into_iter()
            .filter_map(|f| match f {
                Found::Package(p) => Some((p.name, p.version, p.licenses)),
                _ => None,
            })
            .collect();
        out.sort();
        Ok(out)
    }

    #[test]
    fn real_package_json_files() {
        let minimist = catalog(
            "/app/node_modules/minimist/package.json",
            include_bytes!("../../tests/fixtures/node/minimist-1.2.0.package.json"),
        )
        .unwrap();
        assert_eq!(minimist, [("minimist".into(), "1.2.0".into(), vec!["MIT".into()])]);
        let app = catalog("/app/package.json", include_bytes!("../../tests/fixtures/node/app.package.json")).unwrap();
        assert_eq!(app, [("rampart-ref-py-app".into(), "1.0.0".into(), vec![])]);
    }

    #[test]
    fn licence_forms() {
        let forms = [
            (r#"{"name":"a","version":"1","license":{"type":"ISC","url":"x"}}"#, vec!["ISC"]),
            (r#"{"name":"a","version":"1","licenses":[{"type":"MIT"},"BSD"]}"#, vec!["MIT", "BSD"]),
            (r#"{"name":"a","version":"1","licenses":"Apache-2.0"}"#, vec!["Apache-2.0"]),
            (r#"{"name":"a","version":"1","license":["odd"]}"#, vec![]),
        ];
        for (json, expected) in forms {
            assert_eq!(catalog("/p/package.json", json.as_bytes()).unwrap()[0].2, expected, "{json}");
        }
        assert!(catalog("/p/package.json", br#"{"type":"module"}"#).unwrap().is_empty());
    }

    #[test]
    fn lockfiles() {
        let v3 = catalog("/app/package-lock.json", include_bytes!("../../tests/fixtures/node/package-lock.v3.json"))
            .unwrap();
        assert_eq!(
            v3,
            [
                ("lodash".into(), "4.17.4".into(), vec!["MIT".into()]),
                ("minimist".into(), "1.2.0".into(), vec!["MIT".into()])
            ]
        );
        let v1 = r#"{"lockfileVersion":1,"dependencies":{
            "a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}},
            "jest":{"version":"29.0.0","dev":true}}}"#;
        let v1 = catalog("/app/package-lock.json", v1.as_bytes()).unwrap();
        assert_eq!(v1, [("a".into(), "1.0.0".into(), vec![]), ("b".into(), "2.0.0".into(), vec![])]);
        let v2 = r#"{"lockfileVersion":2,"packages":{"":{"name":"app","version":"1.0.0"},
            "node_modules/@scope/x":{"version":"3.0.0"},
            "node_modules/a/node_modules/b":{"version":"1.0.0"},
            "node_modules/alias":{"name":"real","version":"2.0.0"},
            "node_modules/ws":{"resolved":"packages/ws","link":true},
            "node_modules/d":{"version":"1.0.0","dev":true},
            "packages/ws":{"name":"ws","version":"0.1.0"}}}"#;
        let v2 = catalog("/app/package-lock.json", v2.as_bytes()).unwrap();
        let names: Vec<&str> = v2.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(names, ["@scope/x", "b", "real"]);
    }

    #[test]
    fn garbage() {
        assert!(catalog("/p/package.json", b"{").is_err());
        assert!(catalog("/p/package.json", b"\xff").is_err());
        assert!(catalog("/p/package-lock.json", b"[]").is_err());
        let deep = "[".repeat(100_000);
        assert!(catalog("/p/package.json", deep.as_bytes()).is_err());
        assert!(catalog("/p/package.json", br#"{"name":1,"version":[]}"#).unwrap().is_empty());
    }
}

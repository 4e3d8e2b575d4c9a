//! npm's `package-lock.json` (and `npm-shrinkwrap.json`), every lockfile version: v1's nested
//! `dependencies` tree, v2 and v3's `packages` map keyed by install path
//! (`node_modules/a/node_modules/@scope/b`). The root entry (`""`), workspace members (keys
//! outside `node_modules`), links and entries without a registry version (git, file and
//! tarball URLs) give no package. Development dependencies are included: the model has no
//! field for npm's `dev` flag.

use serde_json::{Map, Value};

use super::{MAX_LOCKFILE, Sink};
use crate::catalogers::{error, file_name};
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct NpmLockCataloger;

impl Cataloger for NpmLockCataloger {
    fn name(&self) -> &'static str {
        "npm-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        // The hidden lockfile inside node_modules repeats the installed tree, not the project.
        if file.path.contains("node_modules/") {
            return Want::No;
        }
        match file_name(file.path) {
            "package-lock.json" | "npm-shrinkwrap.json" => Want::Content { limit: MAX_LOCKFILE },
            _ => Want::No,
        }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let json: Value = serde_json::from_slice(content).map_err(|e| error(format!("not JSON: {e}")))?;
        let mut sink = Sink::new(location, self.name(), Ecosystem::Npm, found);
        if let Some(Value::Object(packages)) = json.get("packages") {
            for (path, entry) in packages {
                let Some(at) = path.rfind("node_modules/") else { continue };
                let from_path = &path[at + "node_modules/".len()..];
                if entry.get("link").and_then(Value::as_bool) == Some(true) || !from_registry(entry) {
                    continue;
                }
                // An alias (`"x": "npm:real@1"`) installs `real` under `x`; the entry names it.
                let name = string(entry, "name").unwrap_or(from_path);
                if let Some(version) = string(entry, "version").filter(|v| registry_version(v)) {
                    sink.push(name, version);
                }
            }
            return Ok(());
        }
        if let Some(Value::Object(dependencies)) = json.get("dependencies") {
            // v1: nested where npm could not hoist. serde_json bounds the depth (128).
            let mut stack: Vec<&Map<String, Value>> = vec![dependencies];
            while let Some(level) = stack.pop() {
                for (name, entry) in level {
                    if let Some(version) = string(entry, "version").filter(|_| from_registry(entry)) {
                        // An alias records `npm:real@1.0.0` as its version.
                        match version.strip_prefix("npm:").and_then(|v| v.rsplit_once('@')) {
                            Some((real, version)) if !real.is_empty() && registry_version(version) => {
                                sink.push(real, version);
                            }
                            _ if registry_version(version) => sink.push(name, version),
                            _ => {}
                        }
                    }
                    if let Some(Value::Object(nested)) = entry.get("dependencies") {
                        stack.push(nested);
                    }
                }
                if sink.full() {
                    break;
                }
            }
            return Ok(());
        }
        if json.is_object() && json.get("lockfileVersion").is_some() {
            // A project without dependencies.
            return Ok(());
        }
        Err(error("package-lock.json without `packages` or `dependencies`"))
    }
}

fn string<'a>(json: &'a Value, key: &str) -> Option<&'a str> {
    json.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// Whether an entry was fetched from a registry: git and local dependencies say where they came
/// from in `resolved` (v1 puts the git URL in `version`, which [`registry_version`] refuses).
fn from_registry(entry: &Value) -> bool {
    match string(entry, "resolved") {
        Some(resolved) => {
            !(resolved.starts_with("git") || resolved.starts_with("file:") || resolved.starts_with("github:"))
        }
        None => true,
    }
}

/// A version from the registry starts with a digit; git, file and tarball dependencies record
/// a URL or a path instead.
fn registry_version(version: &str) -> bool {
    version.starts_with(|c: char| c.is_ascii_digit()) && !version.contains(['/', ':'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogers::lock::{pairs, run};

    #[test]
    fn v3() {
        let got = run(
            &NpmLockCataloger,
            "web/package-lock.json",
            include_bytes!("../../../tests/fixtures/lock/package-lock.v3.json"),
        )
        .unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("lodash", "4.17.4"),
                ("minimist", "1.2.0"),
                ("@babel/code-frame", "7.22.13"),
                ("@babel/highlight", "7.22.20"),
                ("js-tokens", "4.0.0"),
                ("chalk", "2.4.2"),
                ("debug", "2.6.9"),
                ("ms", "2.0.0"),
                ("ms", "2.1.3"),
                ("string-width", "4.2.3"),
                ("jest", "29.7.0"),
            ])
        );
    }

    #[test]
    fn v1_and_v2() {
        let v1 = run(
            &NpmLockCataloger,
            "package-lock.json",
            include_bytes!("../../../tests/fixtures/lock/package-lock.v1.json"),
        )
        .unwrap();
        assert_eq!(
            v1,
            pairs(&[
                ("lodash", "4.17.4"),
                ("minimist", "1.2.0"),
                ("mkdirp", "0.5.1"),
                ("minimist", "0.0.8"),
                ("@types/node", "10.12.18"),
                ("string-width", "4.2.3"),
            ])
        );
        let v2 = run(
            &NpmLockCataloger,
            "package-lock.json",
            include_bytes!("../../../tests/fixtures/lock/package-lock.v2.json"),
        )
        .unwrap();
        assert_eq!(v2, pairs(&[("express", "4.17.1"), ("qs", "6.7.0"), ("@types/node", "10.12.18")]));
    }

    #[test]
    fn hostile() {
        let path = "package-lock.json";
        assert!(run(&NpmLockCataloger, path, b"").is_err());
        assert!(run(&NpmLockCataloger, path, br#"{"lockfileVersion":3,"packages":{"node_modules/a":{"vers"#).is_err());
        assert!(run(&NpmLockCataloger, path, "[".repeat(100_000).as_bytes()).is_err());
        assert!(run(&NpmLockCataloger, path, "{\"dependencies\":".repeat(100_000).as_bytes()).is_err());
        assert!(run(&NpmLockCataloger, path, br#"{"lockfileVersion":3}"#).unwrap().is_empty());
        let odd = br#"{"packages":{"node_modules/a":7,"node_modules/b":{"version":7},"node_modules/":{"version":"1.0.0"},"x":[]}}"#;
        assert!(run(&NpmLockCataloger, path, odd).unwrap().is_empty());
        assert_eq!(
            NpmLockCataloger.wants(&FileMeta { path: "a/node_modules/.package-lock.json", size: 1, mode: 0 }),
            Want::No
        );
    }
}

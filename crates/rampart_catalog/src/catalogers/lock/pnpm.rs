//! pnpm's `pnpm-lock.yaml`, read line by line: the keys of the top-level `packages:` map,
//! whose spelling changed with the lockfile version:
//!
//! - v5 (`lockfileVersion: 5.4`): `/name/1.2.3`, `/@scope/name/1.2.3_peer@2.0.0`;
//! - v6: `/name@1.2.3`, `/@scope/name@1.2.3(peer@2.0.0)`;
//! - v9: `name@1.2.3`, `'@scope/name@1.2.3'` (peers live under `snapshots:`, not read).
//!
//! Peer suffixes are dropped. Keys whose version is not a registry version (tarball URLs,
//! `file:`, `link:`, git hosts) give no package.

use super::{MAX_LOCKFILE, Sink, text, unquote};
use crate::catalogers::file_name;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct PnpmLockCataloger;

impl Cataloger for PnpmLockCataloger {
    fn name(&self) -> &'static str {
        "pnpm-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file_name(file.path) == "pnpm-lock.yaml" { Want::Content { limit: MAX_LOCKFILE } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = text(content)?;
        let mut sink = Sink::new(location, self.name(), Ecosystem::Npm, found);
        let mut v5 = false;
        let mut in_packages = false;
        for line in text.lines() {
            let line = line.trim_end_matches('\r').trim_end();
            if line.is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            if !line.starts_with(' ') {
                in_packages = line == "packages:";
                if let Some(version) = line.strip_prefix("lockfileVersion:") {
                    v5 = unquote(version).starts_with('5');
                }
                continue;
            }
            let Some(key) = line.strip_prefix("  ").filter(|k| !k.starts_with(' ')) else { continue };
            if !in_packages {
                continue;
            }
            let Some(key) = key.strip_suffix(':') else { continue };
            if let Some((name, version)) = package_key(unquote(key), v5) {
                sink.push(name, version);
            }
            if sink.full() {
                break;
            }
        }
        Ok(())
    }
}

/// The name and version of a `packages:` key.
fn package_key(key: &str, v5: bool) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let key = key.split('(').next().unwrap_or(key);
    // Past a scope's `@`, the next separator ends the name.
    let start = if key.starts_with('@') { key.find('/')? + 1 } else { 0 };
    let (name, version) = if v5 {
        let slash = start + key[start..].find('/')?;
        let version = &key[slash + 1..];
        (&key[..slash], version.split('_').next().unwrap_or(version))
    } else {
        let at = start + key[start..].find('@')?;
        (&key[..at], &key[at + 1..])
    };
    let registry = version.starts_with(|c: char| c.is_ascii_digit()) && !version.contains(['/', ':', '@']);
    (registry && !name.is_empty() && name != "@").then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogers::lock::{pairs, run};

    fn expected() -> Vec<(String, String)> {
        pairs(&[("@babel/code-frame", "7.22.13"), ("lodash", "4.17.4"), ("minimist", "1.2.0"), ("react-dom", "18.2.0")])
    }

    #[test]
    fn versions() {
        for (file, content) in [
            ("v5", &include_bytes!("../../../tests/fixtures/lock/pnpm-lock.v5.yaml")[..]),
            ("v6", &include_bytes!("../../../tests/fixtures/lock/pnpm-lock.v6.yaml")[..]),
            ("v9", &include_bytes!("../../../tests/fixtures/lock/pnpm-lock.v9.yaml")[..]),
        ] {
            assert_eq!(run(&PnpmLockCataloger, "app/pnpm-lock.yaml", content).unwrap(), expected(), "{file}");
        }
    }

    #[test]
    fn keys() {
        assert_eq!(package_key("/@types/node/18.0.0_x@1", true), Some(("@types/node", "18.0.0")));
        assert_eq!(package_key("/string_decoder/1.3.0", true), Some(("string_decoder", "1.3.0")));
        assert_eq!(package_key("/a@1.0.0(b@2.0.0)(c@3)", false), Some(("a", "1.0.0")));
        for bad in ["", "/", "@", "@/x", "@x", "a@", "a@file:../a", "a@https://x/a.tgz", "github.com/a/b/0123abc"] {
            assert_eq!(package_key(bad, false), None, "{bad}");
            assert_eq!(package_key(bad, true), None, "{bad}");
        }
    }

    #[test]
    fn hostile() {
        let deep = format!("packages:\n  {}:\n", "(".repeat(1 << 20));
        assert!(run(&PnpmLockCataloger, "pnpm-lock.yaml", deep.as_bytes()).unwrap().is_empty());
        assert!(run(&PnpmLockCataloger, "pnpm-lock.yaml", b"packages:\n  '@':\n  \"\":\n  :\n").unwrap().is_empty());
    }
}

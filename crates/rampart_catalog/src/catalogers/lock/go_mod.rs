//! Go's `go.mod`: the modules of `require` lines and blocks, `// indirect` ones included.
//! `replace` directives are applied as the go command applies them: a replacement with a
//! version (`a => b v1.2.3`, or only for one version: `a v1.0.0 => b v1.2.3`) makes the
//! build use module `b` at that version; a replacement by a local directory (`a => ../a`)
//! leaves no registry module to match, so the package is dropped. The module itself and the
//! `go` and `toolchain` lines give no package.

use super::{MAX_MANIFEST, Sink, text, unquote};
use crate::catalogers::file_name;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct GoModCataloger;

/// One `replace`: old path, old version (all versions when `None`), and the replacement
/// module and version (`None` for a local directory).
type Replace<'a> = (&'a str, Option<&'a str>, Replacement<'a>);

/// The module and version that replace another, or `None` for a local directory.
type Replacement<'a> = Option<(&'a str, &'a str)>;

impl Cataloger for GoModCataloger {
    fn name(&self) -> &'static str {
        "go-mod"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file_name(file.path) == "go.mod" { Want::Content { limit: MAX_MANIFEST } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = text(content)?;
        let mut requires: Vec<(&str, &str)> = Vec::new();
        let mut replaces: Vec<Replace<'_>> = Vec::new();
        let mut by_path: std::collections::HashMap<(&str, Option<&str>), Replacement<'_>> = Default::default();
        let mut block: Option<&str> = None;
        for line in text.lines() {
            let line = line.split("//").next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let directive_args = match block {
                Some(_) if line == ")" => {
                    block = None;
                    continue;
                }
                Some(directive) => Some((directive, line)),
                None => {
                    let (directive, args) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                    let args = args.trim();
                    if args == "(" {
                        block = Some(directive);
                        continue;
                    }
                    Some((directive, args))
                }
            };
            let Some((directive, args)) = directive_args else { continue };
            let words: Vec<&str> = args.split_whitespace().map(unquote).collect();
            match (directive, words.as_slice()) {
                ("require", [path, version]) if version.starts_with('v') && requires.len() < super::MAX_PACKAGES => {
                    requires.push((path, version));
                }
                ("replace", [old, "=>", new @ ..]) | ("replace", [old, _, "=>", new @ ..]) => {
                    let old_version = if words.get(1) == Some(&"=>") { None } else { words.get(1).copied() };
                    let new = match new {
                        [path, version] if version.starts_with('v') => Some((*path, *version)),
                        [_] => None,
                        _ => continue,
                    };
                    if replaces.len() < super::MAX_PACKAGES {
                        replaces.push((old, old_version, new));
                    }
                }
                _ => {}
            }
        }
        // The last replace of a module wins, as in the go command.
        for (old, old_version, new) in replaces {
            by_path.insert((old, old_version), new);
        }
        let mut sink = Sink::new(location, self.name(), Ecosystem::Golang, found);
        for (path, version) in requires {
            // A version-specific replace wins over one for every version, as in the go command.
            match by_path.get(&(path, Some(version))).or_else(|| by_path.get(&(path, None))) {
                Some(Some((new_path, new_version))) => sink.push(new_path, new_version),
                Some(None) => {}
                None => sink.push(path, version),
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
        let got = run(&GoModCataloger, "cmd/go.mod", include_bytes!("../../../tests/fixtures/lock/go.mod")).unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("github.com/BurntSushi/toml", "v1.2.1"),
                ("golang.org/x/net", "v0.17.0"),
                ("golang.org/x/text", "v0.3.8"),
                ("github.com/gin-gonic/gin", "v1.9.1"),
                ("github.com/google/uuid", "v1.3.0"),
                ("gopkg.in/yaml.v3", "v3.0.1"),
                ("github.com/ugorji/go/codec", "v1.2.11"),
                ("example.com/quoted", "v0.1.0"),
            ])
        );
    }

    #[test]
    fn hostile() {
        assert!(run(&GoModCataloger, "go.mod", b"require (\nrequire (\n").unwrap().is_empty());
        assert!(run(&GoModCataloger, "go.mod", b"replace => =>\nrequire a\n)\n)").unwrap().is_empty());
        assert!(run(&GoModCataloger, "go.mod", b"\xc3").is_err());
        let many: String = (0..300_000).map(|i| format!("require a{i} v1\n")).collect();
        assert_eq!(run(&GoModCataloger, "go.mod", many.as_bytes()).unwrap().len(), super::super::MAX_PACKAGES);
    }
}

//! Go's `go.sum`: `module version h1:hash` lines. A module has a line for its whole content
//! and one for its `go.mod` alone (`version/go.mod`); only modules with a content line give a
//! package, since a module whose go.mod alone was needed (to resolve versions) is not built.
//! When a `go.mod` sits beside it, that is the better source; choosing is the caller's business.

use super::{MAX_LOCKFILE, Sink, text};
use crate::catalogers::file_name;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct GoSumCataloger;

impl Cataloger for GoSumCataloger {
    fn name(&self) -> &'static str {
        "go-sum"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file_name(file.path) == "go.sum" { Want::Content { limit: MAX_LOCKFILE } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = text(content)?;
        let mut sink = Sink::new(location, self.name(), Ecosystem::Golang, found);
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let (Some(path), Some(version), Some(hash), None) =
                (words.next(), words.next(), words.next(), words.next())
            else {
                continue;
            };
            if !hash.starts_with("h1:") || version.ends_with("/go.mod") || !version.starts_with('v') {
                continue;
            }
            sink.push(path, version);
            if sink.full() {
                break;
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
        let got = run(&GoSumCataloger, "go.sum", include_bytes!("../../../tests/fixtures/lock/go.sum")).unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("github.com/BurntSushi/toml", "v1.2.1"),
                ("golang.org/x/net", "v0.17.0"),
                ("golang.org/x/text", "v0.13.0"),
            ])
        );
    }

    #[test]
    fn hostile() {
        assert!(run(&GoSumCataloger, "go.sum", b"a b\nc\n\n a v1 h1:x extra\n").unwrap().is_empty());
        assert!(run(&GoSumCataloger, "go.sum", &[b'x'; 1 << 20]).unwrap().is_empty());
    }
}

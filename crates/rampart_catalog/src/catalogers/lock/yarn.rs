//! Yarn's `yarn.lock`, both formats, read line by line:
//!
//! - classic (v1): `"name@^1.0.0", name@^1.1.0:` headers with an indented `version "1.2.3"`;
//!   an alias header (`alias@npm:real@^1`) installs `real`; git, GitHub, file and tarball
//!   ranges give no package;
//! - Berry (v2+, YAML): `"name@npm:^1.0.0":` headers with `version: 1.2.3` and
//!   `resolution: "name@npm:1.2.3"`; only `npm:` resolutions give a package (workspaces,
//!   patches, links, portals, git and file resolutions do not), and `__metadata` is skipped.

use super::{MAX_LOCKFILE, Sink, text, unquote};
use crate::catalogers::file_name;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct YarnLockCataloger;

impl Cataloger for YarnLockCataloger {
    fn name(&self) -> &'static str {
        "yarn-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file_name(file.path) == "yarn.lock" { Want::Content { limit: MAX_LOCKFILE } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = text(content)?;
        let mut sink = Sink::new(location, self.name(), Ecosystem::Npm, found);
        let mut entry: Option<Entry<'_>> = None;
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            if !line.starts_with(' ') {
                if let Some(done) = entry.take() {
                    done.emit(&mut sink);
                }
                if sink.full() {
                    return Ok(());
                }
                entry = line.strip_suffix(':').map(|header| Entry { header, version: None, resolution: None });
                continue;
            }
            let Some(current) = entry.as_mut() else { continue };
            // Fields sit at two spaces; deeper lines are their values (dependencies).
            let Some(field) = line.strip_prefix("  ").filter(|f| !f.starts_with(' ')) else { continue };
            let (key, value) = match field.split_once([' ', ':']) {
                Some((key, value)) => (key, unquote(value.trim_start_matches(':'))),
                None => continue,
            };
            match key {
                "version" => current.version = Some(value),
                "resolution" => current.resolution = Some(value),
                _ => {}
            }
        }
        if let Some(done) = entry.take() {
            done.emit(&mut sink);
        }
        Ok(())
    }
}

struct Entry<'a> {
    header: &'a str,
    version: Option<&'a str>,
    resolution: Option<&'a str>,
}

impl Entry<'_> {
    fn emit(&self, sink: &mut Sink<'_>) {
        let Some(version) = self.version.filter(|v| v.starts_with(|c: char| c.is_ascii_digit())) else { return };
        if let Some(resolution) = self.resolution {
            // Berry: `name@npm:1.2.3`.
            if let Some((name, reference)) = split_descriptor(resolution)
                && reference.starts_with("npm:")
            {
                sink.push(name, version);
            }
            return;
        }
        // Classic: the first descriptor of the header names the package.
        let first = self.header.split(',').next().unwrap_or("");
        let Some((name, range)) = split_descriptor(unquote(first)) else { return };
        let name = match range.strip_prefix("npm:") {
            // An alias: `alias@npm:real@^1.0.0`, or a plain `name@npm:^1.0.0`.
            Some(aliased) => match split_descriptor(aliased) {
                Some((real, _)) => real,
                None => name,
            },
            None if range.contains([':', '/']) => return,
            None => name,
        };
        sink.push(name, version);
    }
}

/// `name@range` with a possibly scoped name (`@scope/name@range`).
fn split_descriptor(descriptor: &str) -> Option<(&str, &str)> {
    let at = descriptor.get(1..)?.find('@')? + 1;
    let (name, range) = (&descriptor[..at], &descriptor[at + 1..]);
    (!name.is_empty()).then_some((name, range))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogers::lock::{pairs, run};

    #[test]
    fn classic() {
        let got =
            run(&YarnLockCataloger, "yarn.lock", include_bytes!("../../../tests/fixtures/lock/yarn.v1.lock")).unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("@babel/code-frame", "7.22.13"),
                ("lodash", "4.17.4"),
                ("minimist", "0.0.8"),
                ("minimist", "1.2.0"),
                ("string-width", "4.2.3"),
            ])
        );
    }

    #[test]
    fn berry() {
        let got = run(&YarnLockCataloger, "yarn.lock", include_bytes!("../../../tests/fixtures/lock/yarn.berry.lock"))
            .unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("@babel/code-frame", "7.22.13"),
                ("lodash", "4.17.4"),
                ("minimist", "1.2.0"),
                ("resolve", "1.22.8"),
                ("string-width", "4.2.3"),
            ])
        );
    }

    #[test]
    fn hostile() {
        let mut junk = Vec::with_capacity(10 << 20);
        let mut state = 0x2545_f491_u32;
        while junk.len() < 10 << 20 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            junk.push(b"a@:\" \n\r,^1.0version#"[(state % 20) as usize]);
        }
        let _ = run(&YarnLockCataloger, "yarn.lock", &junk).unwrap();
        assert!(
            run(&YarnLockCataloger, "yarn.lock", b"@:\n  version \"1\"\n@@:\n  version\n\"\":\n").unwrap().is_empty()
        );
        assert_eq!(split_descriptor("@"), None);
        assert_eq!(split_descriptor("@s/n@1"), Some(("@s/n", "1")));
    }
}

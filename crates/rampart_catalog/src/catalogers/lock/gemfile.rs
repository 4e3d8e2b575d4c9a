//! Bundler's `Gemfile.lock`: the `specs:` of every `GEM` section (gems from a RubyGems
//! server), written `    name (version)` with a four-space indent; six-space lines are their
//! dependencies. A platform-specific gem is written `name (version-platform)`
//! (`nokogiri (1.15.4-x86_64-linux)`): as Bundler reads it, the version ends at the first `-`
//! and the platform is dropped. `GIT` and `PATH` sections give no package.

use super::{MAX_LOCKFILE, Sink, text};
use crate::catalogers::file_name;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct GemfileLockCataloger;

impl Cataloger for GemfileLockCataloger {
    fn name(&self) -> &'static str {
        "gemfile-lock"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        match file_name(file.path) {
            "Gemfile.lock" | "gems.locked" => Want::Content { limit: MAX_LOCKFILE },
            _ => Want::No,
        }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = text(content)?;
        let mut sink = Sink::new(location, self.name(), Ecosystem::Gem, found);
        let mut in_gem = false;
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if !line.starts_with(' ') {
                in_gem = line.trim_end() == "GEM";
                continue;
            }
            if !in_gem {
                continue;
            }
            let Some(spec) = line.strip_prefix("    ") else { continue };
            if spec.starts_with(' ') {
                continue;
            }
            if let Some((name, version)) = spec_line(spec) {
                sink.push(name, version);
            }
            if sink.full() {
                break;
            }
        }
        Ok(())
    }
}

/// `name (version[-platform])`.
fn spec_line(spec: &str) -> Option<(&str, &str)> {
    let (name, rest) = spec.split_once(" (")?;
    let inside = rest.trim_end().strip_suffix(')')?;
    let version = inside.split('-').next().unwrap_or(inside);
    if name.is_empty() || name.contains(char::is_whitespace) || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogers::lock::{pairs, run};

    #[test]
    fn fixture() {
        let got =
            run(&GemfileLockCataloger, "Gemfile.lock", include_bytes!("../../../tests/fixtures/lock/Gemfile.lock"))
                .unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("actionpack", "7.0.8"),
                ("mini_portile2", "2.8.4"),
                ("nokogiri", "1.15.4"),
                ("racc", "1.7.1"),
                ("rack", "2.2.4"),
                ("rack-test", "2.1.0"),
                ("rake", "13.0.6"),
                ("sidekiq", "7.1.6"),
            ])
        );
    }

    #[test]
    fn hostile() {
        assert_eq!(spec_line("a (1.0-x86_64-linux)"), Some(("a", "1.0")));
        for bad in ["a (", "a ()", " (1.0)", "a b (1.0)", "a (x)", "a 1.0"] {
            assert_eq!(spec_line(bad), None, "{bad}");
        }
        assert!(run(&GemfileLockCataloger, "Gemfile.lock", b"GEM\n    (((((\n    a (\n").unwrap().is_empty());
    }
}

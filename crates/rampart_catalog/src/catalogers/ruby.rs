//! Ruby gems: the specifications RubyGems writes for installed gems
//! (`.../specifications/NAME-VERSION.gemspec`, also Debian's
//! `/usr/share/rubygems-integration/*/specifications/`). These are Ruby code; the assignments
//! RubyGems generates (`s.name = "rake".freeze`, `s.licenses = ["MIT".freeze]`, `%q{...}`
//! literals) are matched with regexes, nothing is evaluated.

use std::sync::LazyLock;

use regex::Regex;

use super::error;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Package, Want};

#[derive(Debug)]
pub struct RubyCataloger;

/// A Ruby string literal: `"..."`, `'...'` or `%q{...}` (any of `{<([` brackets).
const STRING: &str = r#"(?:"([^"\n]*)"|'([^'\n]*)'|%q[{<(\[]([^}>)\]\n]*)[}>)\]])"#;

static NAME: LazyLock<Regex> = LazyLock::new(|| assignment("name"));
static VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r#"(?m)^\s*\w+\.version\s*=\s*(?:Gem::Version\.new\(\s*)?{STRING}"#)).expect("valid regex")
});
static LICENSES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*\w+\.licenses?\s*=\s*(\[[^\]\n]*\]|"[^"\n]*"|'[^'\n]*')"#).expect("valid regex")
});
static LITERAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(STRING).expect("valid regex"));

fn assignment(field: &str) -> Regex {
    Regex::new(&format!(r#"(?m)^\s*\w+\.{field}\s*=\s*{STRING}"#)).expect("valid regex")
}

fn first_group(captures: &regex::Captures<'_>) -> Option<String> {
    (1..captures.len()).find_map(|i| captures.get(i)).map(|m| m.as_str().trim().to_string())
}

impl Cataloger for RubyCataloger {
    fn name(&self) -> &'static str {
        "ruby"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.path.ends_with(".gemspec") && file.path.contains("/specifications/") {
            Want::Content { limit: 1024 * 1024 }
        } else {
            Want::No
        }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = String::from_utf8_lossy(content);
        let name = NAME.captures(&text).as_ref().and_then(first_group).filter(|n| !n.is_empty());
        let version = VERSION.captures(&text).as_ref().and_then(first_group).filter(|v| !v.is_empty());
        let (Some(name), Some(version)) = (name, version) else {
            return Err(error("no `.name =` or `.version =` string assignment"));
        };
        let mut package = Package::new(Ecosystem::Gem, name, version, location, "ruby");
        if let Some(list) = LICENSES.captures(&text).and_then(|c| c.get(1)) {
            package.licenses = LITERAL
                .captures_iter(list.as_str())
                .filter_map(|c| first_group(&c))
                .filter(|l| !l.is_empty())
                .collect();
        }
        found.push(Found::Package(package));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(content: &[u8]) -> Result<Package, CatalogError> {
        catalog_all(content).map(|mut found| found.pop().expect("one package"))
    }

    fn catalog_all(content: &[u8]) -> Result<Vec<Package>, CatalogError> {
        let mut found = Vec::new();
        let location =
            Location { path: "/usr/share/rubygems-integration/all/specifications/x.gemspec".into(), layer: 0 };
        RubyCataloger.catalog(&location, content, &mut found)?;
        Ok(found
            .into_iter()
            .filter_map(|f| match f {
                Found::Package(p) => Some(p),
                _ => None,
            })
            .collect())
    }

    #[test]
    fn debian_gemspecs() {
        let rainbow = catalog(include_bytes!("../../tests/fixtures/ruby/rainbow-3.1.1.gemspec")).unwrap();
        assert_eq!((rainbow.name.as_str(), rainbow.version.as_str()), ("rainbow", "3.1.1"));
        assert_eq!(rainbow.licenses, ["MIT"]);
        let power = catalog(include_bytes!("../../tests/fixtures/ruby/power_assert-2.0.3.gemspec")).unwrap();
        assert_eq!((power.name.as_str(), power.version.as_str()), ("power_assert", "2.0.3"));
        assert_eq!(power.licenses, ["BSD-2-Clause", "Ruby"]);
    }

    #[test]
    fn other_literal_forms() {
        let spec = "Gem::Specification.new do |spec|\n  spec.name = %q{rack}\n  spec.version = Gem::Version.new('2.2.4')\n  spec.license = 'MIT'\nend\n";
        let rack = catalog(spec.as_bytes()).unwrap();
        assert_eq!((rack.name.as_str(), rack.version.as_str()), ("rack", "2.2.4"));
        assert_eq!(rack.licenses, ["MIT"]);
    }

    #[test]
    fn wants() {
        let want = |path: &str| RubyCataloger.wants(&FileMeta { path, size: 1, mode: 0o644 }) != Want::No;
        assert!(want("/usr/local/bundle/specifications/rake-13.0.6.gemspec"));
        assert!(want("/var/lib/gems/3.1.0/specifications/default/json-2.6.1.gemspec"));
        assert!(!want("/app/my.gemspec"));
    }

    #[test]
    fn garbage() {
        assert!(catalog(b"").is_err());
        assert!(catalog(b"\xff\xfe s.name = \"x").is_err());
        assert!(catalog(b"s.name = \"x\"\n s.version = %q{").is_err());
        assert!(catalog("s.name = \"x\"\ns.version = \"1\"\ns.licenses = [\n".as_bytes()).unwrap().licenses.is_empty());
    }
}

//! pip requirements files (`requirements.txt`, `requirements-dev.txt`, ...): only exact pins
//! (`name==1.2.3`, `name===1.2.3`) name a version. Comments, options (`-r`, `-c`, `-e`,
//! `--index-url`, per-requirement `--hash`), environment markers after `;`, extras
//! (`name[extra]==1`) and line continuations are understood; unpinned, wildcard (`==1.*`),
//! URL and path requirements give no package. Names are kept as written (PEP 503
//! normalisation happens in matching and in the package URL).

use super::{MAX_MANIFEST, Sink, text};
use crate::catalogers::file_name;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct RequirementsCataloger;

impl Cataloger for RequirementsCataloger {
    fn name(&self) -> &'static str {
        "python-requirements"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        let name = file_name(file.path);
        if name.starts_with("requirements") && name.ends_with(".txt") {
            Want::Content { limit: MAX_MANIFEST }
        } else {
            Want::No
        }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = text(content)?;
        let mut sink = Sink::new(location, self.name(), Ecosystem::PyPI, found);
        let mut logical = String::new();
        for line in text.lines() {
            // A comment ends the line (`#` at its start or after whitespace); a trailing `\`
            // continues it on the next.
            let line = strip_comment(line);
            if let Some(head) = line.strip_suffix('\\') {
                logical.push_str(head);
                logical.push(' ');
                continue;
            }
            logical.push_str(line);
            if let Some((name, version)) = pin(&logical) {
                sink.push(name, version);
            }
            logical.clear();
            if sink.full() {
                break;
            }
        }
        if let Some((name, version)) = pin(&logical) {
            sink.push(name, version);
        }
        Ok(())
    }
}

fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        if byte == b'#' && (index == 0 || bytes[index - 1].is_ascii_whitespace()) {
            return line[..index].trim_end();
        }
    }
    line.trim_end()
}

/// The name and version of a requirement pinned with `==` or `===`.
fn pin(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('-') {
        return None;
    }
    // Markers apply to the environment, not the version.
    let line = line.split(';').next().unwrap_or(line).trim();
    let name_end =
        line.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))).unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut rest = line[name_end..].trim_start();
    if let Some(extras) = rest.strip_prefix('[') {
        rest = extras.split_once(']')?.1.trim_start();
    }
    // The first specifier must be the pin (`==1.0` or `===1.0`, possibly followed by others,
    // which an exact pin makes moot).
    let version = match rest.strip_prefix("===") {
        Some(version) => version,
        None => rest.strip_prefix("==")?,
    };
    let version = version.trim_start();
    let end = version.find(|c: char| c.is_whitespace() || c == ',').unwrap_or(version.len());
    let version = &version[..end];
    if version.is_empty() || version.contains('*') || !version.starts_with(|c: char| c.is_ascii_alphanumeric()) {
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
        let got = run(
            &RequirementsCataloger,
            "service/requirements.txt",
            include_bytes!("../../../tests/fixtures/lock/requirements.txt"),
        )
        .unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("requests", "2.19.0"),
                ("urllib3", "1.24.1"),
                ("PyYAML", "5.3"),
                ("Jinja2", "2.10"),
                ("MarkupSafe", "1.1.1"),
                ("celery", "4.4.7"),
                ("certifi", "2018.4.16"),
                ("idna", "2.7"),
                ("chardet", "3.0.4"),
                ("zope.interface", "5.4.0"),
                ("pytz", "2023.3.post1"),
            ])
        );
    }

    #[test]
    fn lines() {
        assert_eq!(pin("requests==2.19.0"), Some(("requests", "2.19.0")));
        assert_eq!(pin("requests == 2.19.0 ; python_version < '3.8'"), Some(("requests", "2.19.0")));
        assert_eq!(pin("celery[redis,sqs]==4.4.7"), Some(("celery", "4.4.7")));
        assert_eq!(pin("a===1.0-local"), Some(("a", "1.0-local")));
        assert_eq!(pin("a==1.0,!=1.0.1"), Some(("a", "1.0")));
        assert_eq!(pin("a==1.0 --hash=sha256:00"), Some(("a", "1.0")));
        for unpinned in [
            "a>=1.0",
            "a",
            "a==1.*",
            "a~=1.0",
            "-r other.txt",
            "-e git+https://x/y#egg=z",
            "--index-url https://x",
            "a @ https://x/a-1.0.tar.gz",
            "./local/pkg",
            "[x]==1",
            "a[x==1",
            "a==",
            "==1.0",
            "a<=1,==2",
        ] {
            assert_eq!(pin(unpinned), None, "{unpinned}");
        }
    }

    #[test]
    fn hostile() {
        assert!(run(&RequirementsCataloger, "requirements.txt", b"\xff\xfe").is_err());
        assert!(run(&RequirementsCataloger, "requirements.txt", "\\\n".repeat(100_000).as_bytes()).unwrap().is_empty());
        let many: String = (0..300_000).map(|i| format!("a{i}==1\n")).collect();
        assert_eq!(
            run(&RequirementsCataloger, "requirements.txt", many.as_bytes()).unwrap().len(),
            super::super::MAX_PACKAGES
        );
        assert!(run(&RequirementsCataloger, "requirements.txt", b"a==1\\").unwrap() == pairs(&[("a", "1")]));
        assert_eq!(RequirementsCataloger.wants(&FileMeta { path: "setup.txt", size: 1, mode: 0o644 }), Want::No);
        assert!(matches!(
            RequirementsCataloger.wants(&FileMeta { path: "a/requirements-dev.txt", size: 1, mode: 0o644 }),
            Want::Content { .. }
        ));
    }
}

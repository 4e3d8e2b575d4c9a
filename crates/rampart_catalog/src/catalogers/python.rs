//! Python distributions installed anywhere (site-packages, dist-packages, `pip --target`
//! directories, virtual environments): the core metadata file of each, `*.dist-info/METADATA`
//! for wheels and `*.egg-info/PKG-INFO` (or an `*.egg-info` file) for eggs and setuptools
//! installs.

use super::{error, rfc822_fields};
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Package, Want};

#[derive(Debug)]
pub struct PythonCataloger;

impl Cataloger for PythonCataloger {
    fn name(&self) -> &'static str {
        "python"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        let path = file.path;
        if path.ends_with(".dist-info/METADATA") || path.ends_with(".egg-info/PKG-INFO") || path.ends_with(".egg-info")
        {
            // The long description is in there too; some run to hundreds of KB.
            Want::Content { limit: 8 * 1024 * 1024 }
        } else {
            Want::No
        }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let text = String::from_utf8_lossy(content);
        // Only the header block: the body is the long description, free text.
        let headers = match super::find_blank_line(&text) {
            Some((end, _)) => &text[..end],
            None => &text[..],
        };
        let fields = rfc822_fields(headers);
        let get = |key: &str| {
            fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
        };
        let (Some(name), Some(version)) = (get("Name"), get("Version")) else {
            return Err(error("no Name or Version header"));
        };
        // Normalised (PEP 503) as Syft and pip do, so `Jinja2` and `jinja2` are one package.
        let name = crate::normalise_python_name(name);
        let mut package = Package::new(Ecosystem::PyPI, name, version, location, "python");
        package.licenses = licenses(&fields);
        found.push(Found::Package(package));
        Ok(())
    }
}

/// The declared licence: `License-Expression` (core metadata 2.4, an SPDX expression), else
/// `License` when it is a name rather than a pasted licence text, else the `License ::`
/// trove classifiers' last part (`MIT License`).
fn licenses(fields: &[(&str, String)]) -> Vec<String> {
    let get = |key: &str| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.trim());
    if let Some(expression) = get("License-Expression").filter(|v| !v.is_empty()) {
        return vec![expression.to_string()];
    }
    if let Some(license) = get("License")
        && !license.is_empty()
        && !license.eq_ignore_ascii_case("UNKNOWN")
        && !license.contains('\n')
        && license.len() <= 100
    {
        return vec![license.to_string()];
    }
    let mut out: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Classifier"))
        .filter_map(|(_, v)| v.strip_prefix("License ::"))
        .filter_map(|v| v.rsplit("::").next())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty() && v != "OSI Approved")
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(path: &str, content: &[u8]) -> Package {
        let mut found = Vec::new();
        PythonCataloger.catalog(&Location { path: path.into(), layer: 0 }, content, &mut found).unwrap();
        match found.pop() {
            Some(Found::Package(p)) => p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wants() {
        let want = |path: &str| PythonCataloger.wants(&FileMeta { path, size: 1, mode: 0o644 }) != Want::No;
        assert!(want("/usr/local/lib/python3.11/dist-packages/pyyaml-5.3.dist-info/METADATA"));
        assert!(want("/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"));
        assert!(want("/usr/lib/python3/dist-packages/distro_info-1.5.egg-info"));
        assert!(!want("/usr/lib/python3/dist-packages/pyyaml-5.3.dist-info/RECORD"));
    }

    #[test]
    fn real_metadata_files() {
        let path = "/usr/local/lib/python3.11/dist-packages/pyyaml-5.3.dist-info/METADATA";
        let yaml = catalog(path, include_bytes!("../../tests/fixtures/python/PyYAML-5.3.METADATA"));
        assert_eq!((yaml.name.as_str(), yaml.version.as_str()), ("pyyaml", "5.3"));
        assert_eq!(yaml.licenses, ["MIT"]);
        assert_eq!(yaml.locations[0].path, path);

        let attrs = catalog(
            "/x/attrs-25.3.0.dist-info/METADATA",
            include_bytes!("../../tests/fixtures/python/attrs-25.3.0.METADATA"),
        );
        assert_eq!(attrs.licenses, ["MIT"]);

        let packaging = catalog(
            "/x/packaging-25.0.dist-info/METADATA",
            include_bytes!("../../tests/fixtures/python/packaging-25.0.METADATA"),
        );
        assert_eq!(packaging.licenses, ["Apache Software License", "BSD License"]);

        let six = catalog(
            "/x/six-1.16.0.egg-info/PKG-INFO",
            include_bytes!("../../tests/fixtures/python/six-1.16.0.PKG-INFO"),
        );
        assert_eq!((six.name.as_str(), six.version.as_str()), ("six", "1.16.0"));
        assert_eq!(six.licenses, ["MIT"]);
    }

    #[test]
    fn multi_line_license_text_is_not_a_name() {
        let text = "Name: x\nVersion: 1\nLicense: Copyright (c) 2020\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License\n\nLicense: body\n";
        assert_eq!(catalog("/x.dist-info/METADATA", text.as_bytes()).licenses, ["MIT License"]);
    }

    #[test]
    fn garbage() {
        let mut found = Vec::new();
        let location = Location { path: "/x.egg-info".into(), layer: 0 };
        for input in [&b""[..], b"\xff\xfe", b"Name: x\n\nVersion: 1\n", b"Version: 1"] {
            assert!(PythonCataloger.catalog(&location, input, &mut found).is_err());
        }
        assert!(found.is_empty());
    }
}

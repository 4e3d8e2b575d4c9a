//! Java archives (`.jar`, `.war`, `.ear`, Jenkins `.jpi`/`.hpi`): one package per
//! `META-INF/maven/**/pom.properties` (named `groupId:artifactId`), or, in an archive without
//! any, one from `META-INF/MANIFEST.MF` (and the file name). Archives inside archives (Spring
//! Boot's `BOOT-INF/lib/`, a war's `WEB-INF/lib/`, an ear's modules) are read the same way, to a
//! depth of [`MAX_DEPTH`] and within a budget of [`MAX_INFLATED`] inflated bytes for the whole
//! outer archive, so a zip bomb costs at most that much.
//!
//! Unlike Syft, a shaded jar whose own pom.properties is missing yields only the packages whose
//! pom.properties it carries, not an extra package guessed from its manifest.

use std::io::{Cursor, Read};

use super::{MAX_BINARY, error, file_name};
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Package, Want};

#[derive(Debug)]
pub struct JavaCataloger;

const EXTENSIONS: [&str; 5] = [".jar", ".war", ".ear", ".jpi", ".hpi"];
/// How deep archives nest: app.ear → app.war → WEB-INF/lib/x.jar → shaded y.jar.
pub const MAX_DEPTH: usize = 4;
/// Inflated bytes read from one outer archive, nested archives included.
pub const MAX_INFLATED: u64 = 512 * 1024 * 1024;
const MAX_SMALL_FILE: u64 = 1024 * 1024;
/// Entries looked at per archive; a large fat jar has a few hundred thousand.
const MAX_ENTRIES: usize = 1_000_000;

fn is_archive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    EXTENSIONS.iter().any(|ext| lower.ends_with(ext))
}

impl Cataloger for JavaCataloger {
    fn name(&self) -> &'static str {
        "java"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file.size <= MAX_BINARY && is_archive_name(file_name(file.path)) {
            Want::Content { limit: MAX_BINARY }
        } else {
            Want::No
        }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let mut budget = MAX_INFLATED;
        let mut packages = Vec::new();
        read_archive(content, &location.path, 0, &mut budget, &mut packages)?;
        for (evidence, package) in packages {
            let mut package = package;
            package.locations = vec![Location { path: evidence, layer: location.layer }];
            found.push(Found::Package(package));
        }
        Ok(())
    }
}

/// Reads one archive's packages into `out` as (evidence path, package), then its nested archives.
fn read_archive(
    bytes: &[u8],
    path: &str,
    depth: usize,
    budget: &mut u64,
    out: &mut Vec<(String, Package)>,
) -> Result<(), CatalogError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| error(format!("{}: not a zip archive: {e}", file_name(path))))?;
    let mut manifest: Option<Vec<(String, String)>> = None;
    let mut poms: Vec<Pom> = Vec::new();
    let mut nested: Vec<(usize, String)> = Vec::new();
    let names: Vec<String> =
        archive.file_names_raw().take(MAX_ENTRIES).map(|raw| String::from_utf8_lossy(raw).into_owned()).collect();
    for (index, name) in names.iter().enumerate() {
        if name.ends_with('/') {
            continue;
        }
        if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            if let Some(text) = read_entry(&mut archive, index, MAX_SMALL_FILE, budget) {
                manifest = Some(parse_manifest(&String::from_utf8_lossy(&text)));
            }
        } else if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            if let Some(text) = read_entry(&mut archive, index, MAX_SMALL_FILE, budget)
                && let Some(pom) = parse_pom_properties(&String::from_utf8_lossy(&text))
            {
                poms.push(pom);
            }
        } else if depth + 1 < MAX_DEPTH && is_archive_name(name) {
            nested.push((index, name.clone()));
        }
    }
    let manifest = manifest.unwrap_or_default();
    let licenses: Vec<String> = field(&manifest, "Bundle-License")
        .map(|l| l.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && s.len() <= 200).collect())
        .unwrap_or_default();
    if poms.is_empty() {
        if let Some(package) = manifest_package(&manifest, file_name(path), path) {
            out.push((path.to_string(), with_licenses(package, &licenses)));
        }
    } else {
        poms.sort();
        poms.dedup();
        let single = poms.len() == 1;
        let (stem, _) = split_file_name(file_name(path));
        for pom in poms {
            let own = single || pom.artifact_id == stem;
            let mut package = Package::new(
                Ecosystem::Maven,
                format!("{}:{}", pom.group_id, pom.artifact_id),
                pom.version,
                &Location { path: path.to_string(), layer: 0 },
                "java",
            );
            if own {
                package = with_licenses(package, &licenses);
            }
            out.push((path.to_string(), package));
        }
    }
    for (index, name) in nested {
        if *budget == 0 {
            break;
        }
        let Some(inner) = read_entry(&mut archive, index, MAX_BINARY, budget) else { continue };
        // A nested archive that is not a zip (a renamed text file) is not worth failing the outer for.
        let _ = read_archive(&inner, &format!("{path}:{name}"), depth + 1, budget, out);
    }
    Ok(())
}

fn with_licenses(mut package: Package, licenses: &[String]) -> Package {
    package.licenses = licenses.to_vec();
    package
}

/// Inflates one entry if it fits both its own cap and what is left of the budget.
fn read_entry(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    cap: u64,
    budget: &mut u64,
) -> Option<Vec<u8>> {
    let entry = archive.by_index(index).ok()?;
    // The declared size is only a hint (it is attacker-controlled); the read below is capped.
    if entry.size() > cap {
        return None;
    }
    let limit = cap.min(*budget);
    let mut out = Vec::new();
    let read = entry.take(limit + 1).read_to_end(&mut out);
    *budget = budget.saturating_sub(out.len() as u64);
    if read.is_err() || out.len() as u64 > limit {
        return None;
    }
    Some(out)
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pom {
    group_id: String,
    artifact_id: String,
    version: String,
}

fn parse_pom_properties(text: &str) -> Option<Pom> {
    let mut group_id = None;
    let mut artifact_id = None;
    let mut version = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some((key, value)) = line.split_once(['=', ':']) else { continue };
        let value = value.trim().to_string();
        match key.trim() {
            "groupId" => group_id = Some(value),
            "artifactId" => artifact_id = Some(value),
            "version" => version = Some(value),
            _ => {}
        }
    }
    let artifact_id = artifact_id.filter(|a| !a.is_empty())?;
    Some(Pom { group_id: group_id.unwrap_or_default(), artifact_id, version: version.unwrap_or_default() })
}

/// The main section of a manifest: `Key: value` lines, 72-byte lines continued by a leading
/// space.
fn parse_manifest(text: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if let Some(continued) = line.strip_prefix(' ') {
            if let Some((_, value)) = fields.last_mut() {
                value.push_str(continued);
            }
        } else if let Some((key, value)) = line.split_once(':') {
            fields.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    fields
}

fn field<'a>(manifest: &'a [(String, String)], key: &str) -> Option<&'a str> {
    manifest.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

/// `log4j-core-2.14.1.jar` → (`log4j-core`, `2.14.1`): the version starts at the first `-`
/// followed by a digit.
fn split_file_name(file: &str) -> (&str, &str) {
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let bytes = stem.as_bytes();
    for (at, _) in stem.match_indices('-') {
        if bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
            return (&stem[..at], &stem[at + 1..]);
        }
    }
    (stem, "")
}

fn manifest_package(manifest: &[(String, String)], file: &str, path: &str) -> Option<Package> {
    let (stem, file_version) = split_file_name(file);
    // Bundle-SymbolicName may carry directives: `org.foo.bar;singleton:=true`.
    let symbolic = field(manifest, "Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or(s).trim());
    let name = [Some(stem).filter(|s| !s.is_empty()), field(manifest, "Implementation-Title"), symbolic]
        .into_iter()
        .flatten()
        .next()?;
    let version = ["Implementation-Version", "Bundle-Version", "Specification-Version"]
        .into_iter()
        .find_map(|key| field(manifest, key))
        .or(Some(file_version).filter(|v| !v.is_empty()))?;
    let group = field(manifest, "Implementation-Vendor-Id");
    let name = match group {
        Some(group) => format!("{group}:{name}"),
        None => name.to_string(),
    };
    Some(Package::new(Ecosystem::Maven, name, version, &Location { path: path.to_string(), layer: 0 }, "java"))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn catalog(path: &str, content: &[u8]) -> Result<Vec<(String, String, String)>, CatalogError> {
        let mut found = Vec::new();
        JavaCataloger.catalog(&Location { path: path.into(), layer: 2 }, content, &mut found)?;
        Ok(found
            .into_iter()
            .filter_map(|f| match f {
                Found::Package(p) if p.locations[0].layer == 2 => {
                    Some((p.name, p.version, p.locations[0].path.clone()))
                }
                Found::Package(p) => Some((p.name, p.version, "wrong layer".into())),
                _ => None,
            })
            .collect())
    }

    #[test]
    fn maven_jar_and_spring_boot_nesting() {
        let app = catalog("/app/app.jar", include_bytes!("../../tests/fixtures/java/app.jar")).unwrap();
        assert_eq!(
            app,
            [
                ("com.example:app".into(), "1.0.0".into(), "/app/app.jar".into()),
                ("org.example:greeter".into(), "2.3.4".into(), "/app/app.jar:BOOT-INF/lib/greeter-2.3.4.jar".into()),
                ("jsr305".into(), "0.1~+svn49".into(), "/app/app.jar:BOOT-INF/lib/jsr305-0.1~+svn49.jar".into()),
            ]
        );
    }

    #[test]
    fn debian_jar_has_only_a_manifest() {
        let path = "/usr/share/java/jsr305-0.1~+svn49.jar";
        let jar = catalog(path, include_bytes!("../../tests/fixtures/java/jsr305-0.1~+svn49.jar")).unwrap();
        assert_eq!(jar, [("jsr305".into(), "0.1~+svn49".into(), path.into())]);
    }

    #[test]
    fn names_and_manifests() {
        assert_eq!(split_file_name("log4j-core-2.14.1.jar"), ("log4j-core", "2.14.1"));
        assert_eq!(split_file_name("app.jar"), ("app", ""));
        let manifest = parse_manifest(
            "Manifest-Version: 1.0\r\nImplementation-Title: very-long-na\r\n me\r\n\r\nName: x\r\nA: b\r\n",
        );
        assert_eq!(field(&manifest, "implementation-title"), Some("very-long-name"));
        assert_eq!(field(&manifest, "A"), None);
        assert!(parse_pom_properties("#c\ngroupId=g\nversion=1\n").is_none());
    }

    fn zip_of(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, data) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn nesting_is_bounded() {
        let pom = b"groupId=g\nartifactId=deep\nversion=1\n";
        let mut jar = zip_of(&[("META-INF/maven/g/deep/pom.properties", pom)], zip::CompressionMethod::Stored);
        for level in 0..8 {
            let name = format!("lib/level{level}.jar");
            jar = zip_of(&[(name.as_str(), &jar)], zip::CompressionMethod::Stored);
        }
        assert!(catalog("/deep.jar", &jar).unwrap().is_empty());
    }

    #[test]
    fn bomb_stops_at_the_budget() {
        let zeros = vec![0u8; 32 * 1024 * 1024];
        let bomb = zip_of(
            &[("lib/bomb.jar", &zeros), ("META-INF/MANIFEST.MF", b"Implementation-Version: 1\n")],
            zip::CompressionMethod::Deflated,
        );
        assert!(bomb.len() < 200 * 1024);
        let mut budget = 1024 * 1024;
        let mut out = Vec::new();
        read_archive(&bomb, "/x/bomb-1.jar", 0, &mut budget, &mut out).unwrap();
        assert_eq!(budget, 0);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn garbage() {
        assert!(catalog("/x.jar", b"PK\x03\x04 not really").is_err());
        assert!(catalog("/x.jar", b"").is_err());
        let real = include_bytes!("../../tests/fixtures/java/app.jar");
        let mut seed = 0x0bad_5eed_1234_5678u64;
        for _ in 0..500 {
            let mut bytes = real.to_vec();
            for _ in 0..6 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed as usize) % bytes.len();
                bytes[at] = (seed >> 40) as u8;
            }
            let _ = catalog("/x.jar", &bytes);
        }
        for end in (0..real.len()).step_by(97) {
            let _ = catalog("/x.jar", &real[..end]);
        }
    }
}

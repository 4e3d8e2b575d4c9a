//! Rust binaries built with `cargo auditable`: the `.dep-v0` section holds the crate graph as
//! zlib-compressed JSON (`{"packages":[{"name","version","source","kind","dependencies","root"}]}`).
//!
//! Like Syft, only crates compiled into the binary are reported: `"kind": "build"` entries (build
//! scripts and proc-macros, which run at build time and are not in the binary) are skipped; a
//! missing `kind` means runtime.

use std::io::Read;

use serde::Deserialize;

use super::elf::{Elf, is_elf};
use super::go_binary::executable_candidate;
use super::{MAX_BINARY, error};
use crate::{CatalogError, Cataloger, FileMeta, Found, Location, Package, Want};

#[derive(Debug)]
pub struct RustBinaryCataloger;

/// The most JSON one section may inflate to. The section is attacker-controlled and zlib
/// expands ~1000×; rust-audit-info's own default limit is 8 MiB, which fits ~50 000 crates.
const MAX_JSON: u64 = 8 * 1024 * 1024;

impl Cataloger for RustBinaryCataloger {
    fn name(&self) -> &'static str {
        "rust-binary"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if executable_candidate(file) { Want::Content { limit: MAX_BINARY } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        if !is_elf(content) {
            return Ok(());
        }
        let Some(section) = Elf::parse(content).and_then(|elf| elf.section(".dep-v0")) else { return Ok(()) };
        let json = inflate(section, MAX_JSON)?;
        let info: VersionInfo =
            serde_json::from_slice(&json).map_err(|e| error(format!(".dep-v0: not cargo-auditable JSON: {e}")))?;
        for package in info.packages {
            if package.kind.as_deref() == Some("build") || package.name.is_empty() {
                continue;
            }
            found.push(Found::Package(Package::new(
                crate::Ecosystem::Cargo,
                package.name,
                package.version,
                location,
                "rust-binary",
            )));
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct VersionInfo {
    packages: Vec<AuditPackage>,
}

#[derive(Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
    #[serde(default)]
    kind: Option<String>,
}

/// Inflates a zlib stream, refusing one that inflates past `limit` bytes.
fn inflate(compressed: &[u8], limit: u64) -> Result<Vec<u8>, CatalogError> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| error(format!(".dep-v0: bad zlib data: {e}")))?;
    if out.len() as u64 > limit {
        return Err(error(format!(".dep-v0: inflates past {limit} bytes")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn catalog(content: &[u8]) -> Result<Vec<(String, String)>, CatalogError> {
        let mut found = Vec::new();
        RustBinaryCataloger.catalog(
            &Location { path: "/usr/local/bin/hello".into(), layer: 0 },
            content,
            &mut found,
        )?;
        Ok(found
            .into_iter()
            .filter_map(|f| match f {
                Found::Package(p) => Some((p.name, p.version)),
                _ => None,
            })
            .collect())
    }

    #[test]
    fn real_cargo_auditable_binary() {
        let packages = catalog(include_bytes!("../../tests/fixtures/rust/hello-rust.elf")).unwrap();
        assert_eq!(packages, [("hello-rust".into(), "0.1.0".into()), ("itoa".into(), "1.0.15".into())]);
    }

    #[test]
    fn bomb_is_refused() {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..16 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 64 * 1024);
        let err = inflate(&bomb, MAX_JSON).unwrap_err();
        assert!(err.message.contains("inflates past"), "{err}");
        assert!(inflate(b"not zlib", MAX_JSON).is_err());
    }

    #[test]
    fn garbage() {
        let real = include_bytes!("../../tests/fixtures/rust/hello-rust.elf");
        let location = Location { path: "/x".into(), layer: 0 };
        let mut found = Vec::new();
        for end in (0..real.len()).step_by(5) {
            let _ = RustBinaryCataloger.catalog(&location, &real[..end], &mut found);
        }
        let mut seed = 0xdead_beef_cafe_f00du64;
        for _ in 0..1000 {
            let mut bytes = real.to_vec();
            for _ in 0..6 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed as usize) % bytes.len();
                bytes[at] = (seed >> 40) as u8;
            }
            let _ = RustBinaryCataloger.catalog(&location, &bytes, &mut found);
        }
    }
}

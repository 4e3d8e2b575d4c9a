//! The on-disk schema and the compact encoding of the JSON columns.
//!
//! ```sql
//! PRAGMA user_version = 1;   -- SCHEMA_VERSION
//! meta(key TEXT PRIMARY KEY, value TEXT)            -- format = rampart-osv, built_at (unix s), generator
//! sources(id, location, ecosystems, etag, last_modified, records, imported_at)
//! ecosystems(id, name UNIQUE, base, records)         -- 'Debian:12', 'Debian', advisories naming it
//! advisories(id, osv_id, modified, published, withdrawn, summary,
//!            severity BLOB, rating, aliases, related, upstream, refs BLOB)  -- id lists as JSON arrays
//! affected(advisory → advisories.id, ecosystem → ecosystems.id, name, display_name,
//!          ranges BLOB, versions BLOB, severity BLOB)
//! INDEX affected_package ON affected(ecosystem, name)
//! ```
//!
//! `name` is normalised ([`crate::normalize_name`]); `display_name` is the published name when it
//! differs. BLOB columns hold compact JSON, zstd-compressed when that is smaller than the JSON
//! (told apart by the zstd magic number): `severity` `[[type, score], …]`, `refs`
//! `[[type, url], …]`, `ranges` the OSV `ranges` array (GIT ranges dropped: they never match a
//! version), `versions` the OSV `versions` array. `details` is not stored.

use std::io::Read;

pub const FORMAT: &str = "rampart-osv";
/// The schema this rampart writes and reads (`PRAGMA user_version`).
pub const SCHEMA_VERSION: u32 = 1;

pub const CREATE: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
    id INTEGER PRIMARY KEY, location TEXT NOT NULL, ecosystems TEXT NOT NULL,
    etag TEXT, last_modified TEXT, records INTEGER NOT NULL, imported_at INTEGER NOT NULL);
CREATE TABLE ecosystems (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, base TEXT NOT NULL, records INTEGER NOT NULL DEFAULT 0);
CREATE TABLE advisories (
    id INTEGER PRIMARY KEY, osv_id TEXT NOT NULL, modified TEXT, published TEXT, withdrawn TEXT,
    summary TEXT, severity BLOB, rating TEXT, aliases TEXT, related TEXT, upstream TEXT, refs BLOB);
CREATE TABLE affected (
    advisory INTEGER NOT NULL, ecosystem INTEGER NOT NULL, name TEXT NOT NULL, display_name TEXT,
    ranges BLOB, versions BLOB, severity BLOB);
CREATE INDEX affected_package ON affected(ecosystem, name);
";

const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
/// Below this, compression does not pay for its frame header.
const COMPRESS_FROM: usize = 512;
/// A stored blob never inflates beyond this (a damaged or hostile database).
const MAX_UNPACKED: u64 = 256 << 20;

/// Compact JSON → stored bytes.
#[cfg(test)]
pub fn pack(json: Vec<u8>) -> Vec<u8> {
    compress(&json).unwrap_or(json)
}

/// Compact JSON → its zstd frame, when it is long enough for that to pay and the frame is smaller.
pub fn compress(json: &[u8]) -> Option<Vec<u8>> {
    thread_local! {
        // One compression context per thread: creating one per blob dominated the import.
        static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
            std::cell::RefCell::new(zstd::bulk::Compressor::new(3).ok());
    }
    if json.len() < COMPRESS_FROM {
        return None;
    }
    let packed = COMPRESSOR.with(|c| c.borrow_mut().as_mut().and_then(|c| c.compress(json).ok()));
    packed.filter(|z| z.len() < json.len())
}

/// Stored bytes → JSON bytes.
pub fn unpack(stored: &[u8]) -> std::io::Result<Vec<u8>> {
    if stored.starts_with(&ZSTD_MAGIC) {
        let mut out = Vec::new();
        zstd::stream::read::Decoder::new(stored)?.take(MAX_UNPACKED).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(stored.to_vec())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pack_roundtrip() {
        for json in [b"[]".to_vec(), format!("[{}]", vec!["\"1.0.0\""; 200].join(",")).into_bytes()] {
            let packed = super::pack(json.clone());
            assert!(packed.len() <= json.len());
            assert_eq!(super::unpack(&packed).unwrap(), json);
        }
    }
}

//! Red Hat family packages: the rpm database. rpm ≥ 4.16 keeps it in sqlite
//! (`/var/lib/rpm/rpmdb.sqlite`, or `/usr/lib/sysimage/rpm/` on Fedora and SUSE), one header
//! blob per package in the `Packages` table; the header format is parsed here. The older
//! BerkeleyDB (`Packages`) and ndb (`Packages.db`) stores are not read yet: see
//! [`RpmCataloger::wants`].

use super::error;
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Package, SourcePackage, Want};

#[derive(Debug)]
pub struct RpmCataloger;

const DATABASES: [&str; 2] = ["/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite"];

impl Cataloger for RpmCataloger {
    fn name(&self) -> &'static str {
        "rpm"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        // Without the `rpm` feature there is no sqlite to read the database with.
        if cfg!(feature = "rpm") && DATABASES.contains(&file.path) {
            // A RHEL 9 image's database is ~10 MB; a full workstation's a few hundred.
            Want::Content { limit: 512 * 1024 * 1024 }
        } else {
            Want::No
        }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        for blob in sqlite_blobs(content)? {
            let header = match Header::parse(&blob) {
                Ok(header) => header,
                // One damaged header does not hide the others.
                Err(_) => continue,
            };
            if let Some(package) = header.package(location) {
                found.push(Found::Package(package));
            }
        }
        Ok(())
    }
}

#[cfg(feature = "rpm")]
fn sqlite_blobs(content: &[u8]) -> Result<Vec<Vec<u8>>, CatalogError> {
    use rusqlite::{Connection, MAIN_DB, OpenFlags};
    if !content.starts_with(b"SQLite format 3\0") || content.len() < 100 {
        return Err(error("not a sqlite database"));
    }
    // rpm keeps its database in WAL mode (header bytes 18 and 19 are 2), which an in-memory
    // database cannot open; as a rollback-journal database it reads the same pages. The WAL
    // file beside it is not in the image's view of a cleanly closed database.
    let mut bytes = content.to_vec();
    bytes[18] = 1;
    bytes[19] = 1;
    let sql_error = |e: rusqlite::Error| error(format!("rpmdb.sqlite: {e}"));
    let mut connection =
        Connection::open_with_flags(":memory:", OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(sql_error)?;
    connection.deserialize_read_exact(MAIN_DB, &bytes[..], bytes.len(), true).map_err(sql_error)?;
    drop(bytes);
    let mut statement = connection.prepare("SELECT blob FROM Packages").map_err(sql_error)?;
    let rows = statement.query_map([], |row| row.get::<_, Vec<u8>>(0)).map_err(sql_error)?;
    // A corrupt page fails its row; the rest are still worth reading.
    Ok(rows.flatten().collect())
}

#[cfg(not(feature = "rpm"))]
fn sqlite_blobs(_: &[u8]) -> Result<Vec<Vec<u8>>, CatalogError> {
    Err(error("built without the `rpm` feature: cannot read rpmdb.sqlite"))
}

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// rpm's own limits on a header (`hdrblobVerifyInfo`): at most 65535 index entries and 256 MB
/// of data.
const MAX_ENTRIES: usize = 0xffff;
const MAX_DATA: usize = 256 * 1024 * 1024;

/// The fields of an rpm header this cataloger uses.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub name: Option<String>,
    pub version: Option<String>,
    pub release: Option<String>,
    pub epoch: Option<u32>,
    pub arch: Option<String>,
    pub license: Option<String>,
    pub source_rpm: Option<String>,
}

impl Header {
    /// Parses a header blob as stored in the database: entry count and data length (big-endian
    /// u32 each), then 16-byte index entries (tag, type, offset, count), then the data store.
    pub fn parse(blob: &[u8]) -> Result<Header, CatalogError> {
        let entries = read_u32(blob, 0).ok_or_else(|| error("rpm header: truncated"))? as usize;
        let data_len = read_u32(blob, 4).ok_or_else(|| error("rpm header: truncated"))? as usize;
        if entries == 0 || entries > MAX_ENTRIES || data_len > MAX_DATA {
            return Err(error(format!("rpm header: {entries} entries, {data_len} bytes of data")));
        }
        let data_start = 8 + entries * 16;
        let data = data_start
            .checked_add(data_len)
            .and_then(|end| blob.get(data_start..end))
            .ok_or_else(|| error("rpm header: data store past the end"))?;
        let mut header = Header::default();
        for index in 0..entries {
            let at = 8 + index * 16;
            let (Some(tag), Some(kind), Some(offset), Some(count)) =
                (read_u32(blob, at), read_u32(blob, at + 4), read_u32(blob, at + 8), read_u32(blob, at + 12))
            else {
                break;
            };
            let offset = offset as usize;
            let value = match kind {
                TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY if count > 0 => {
                    string_at(data, offset).map(Value::Text)
                }
                TYPE_INT32 if count > 0 => read_u32(data, offset).map(Value::Int),
                _ => None,
            };
            let Some(value) = value else { continue };
            match (tag, value) {
                (TAG_NAME, Value::Text(text)) => header.name = Some(text),
                (TAG_VERSION, Value::Text(text)) => header.version = Some(text),
                (TAG_RELEASE, Value::Text(text)) => header.release = Some(text),
                (TAG_EPOCH, Value::Int(epoch)) => header.epoch = Some(epoch),
                (TAG_ARCH, Value::Text(text)) => header.arch = Some(text),
                (TAG_LICENSE, Value::Text(text)) => header.license = Some(text),
                (TAG_SOURCERPM, Value::Text(text)) => header.source_rpm = Some(text),
                _ => {}
            }
        }
        Ok(header)
    }

    /// `[epoch:]version-release`, as rpm and Syft print it.
    pub fn evr(&self) -> Option<String> {
        let version = self.version.as_deref().filter(|v| !v.is_empty())?;
        let mut out = String::new();
        if let Some(epoch) = self.epoch {
            out.push_str(&format!("{epoch}:"));
        }
        out.push_str(version);
        if let Some(release) = self.release.as_deref().filter(|r| !r.is_empty()) {
            out.push('-');
            out.push_str(release);
        }
        Some(out)
    }

    fn package(&self, location: &Location) -> Option<Package> {
        let name = self.name.as_deref().filter(|n| !n.is_empty())?;
        let version = self.evr()?;
        let mut package = Package::new(Ecosystem::Rpm, name, version, location, "rpm");
        package.arch = self.arch.clone().filter(|a| !a.is_empty() && a != "(none)");
        package.licenses = self.license.iter().filter(|l| !l.is_empty()).cloned().collect();
        // Trackers key advisories on the source package; the source rpm's file name
        // (`openssl-3.0.7-27.el9.src.rpm`), which Syft puts in `upstream=`, is rebuilt from it.
        package.source = self.source_rpm.as_deref().filter(|s| !s.is_empty() && *s != "(none)").map(|file| {
            let (name, version) = split_source_rpm(file);
            SourcePackage { name: name.to_string(), version: version.to_string() }
        });
        Some(package)
    }
}

enum Value {
    Text(String),
    Int(u32),
}

/// `openssl-3.0.7-27.el9.src.rpm` → (`openssl`, `3.0.7-27.el9`).
pub fn split_source_rpm(file: &str) -> (&str, &str) {
    let stem = file.strip_suffix(".rpm").unwrap_or(file);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _arch)| s);
    let mut dashes = stem.rmatch_indices('-').map(|(i, _)| i);
    let _release = dashes.next();
    match dashes.next() {
        Some(at) => (&stem[..at], &stem[at + 1..]),
        None => (stem, ""),
    }
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let slice = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(slice.try_into().ok()?))
}

/// The NUL-terminated string at `offset` in the data store (the first of an array).
fn string_at(data: &[u8], offset: usize) -> Option<String> {
    let rest = data.get(offset..)?;
    let end = memchr::memchr(0, rest)?;
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a header blob the way rpm lays one out (strings then an aligned int).
    fn blob(entries: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data: Vec<u8> = Vec::new();
        for (tag, kind, value) in entries {
            if *kind == TYPE_INT32 {
                while !data.len().is_multiple_of(4) {
                    data.push(0);
                }
            }
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&kind.to_be_bytes());
            index.extend_from_slice(&(data.len() as u32).to_be_bytes());
            index.extend_from_slice(&1u32.to_be_bytes());
            data.extend_from_slice(value);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    #[test]
    fn header_fields() {
        let header = Header::parse(&blob(&[
            (TAG_NAME, TYPE_STRING, b"openssl-libs\0"),
            (TAG_VERSION, TYPE_STRING, b"3.0.7\0"),
            (TAG_RELEASE, TYPE_STRING, b"27.el9\0"),
            (TAG_EPOCH, TYPE_INT32, &1u32.to_be_bytes()),
            (TAG_ARCH, TYPE_STRING, b"x86_64\0"),
            (TAG_LICENSE, TYPE_STRING, b"ASL 2.0\0"),
            (TAG_SOURCERPM, TYPE_STRING, b"openssl-3.0.7-27.el9.src.rpm\0"),
        ]))
        .unwrap();
        assert_eq!(header.evr().as_deref(), Some("1:3.0.7-27.el9"));
        let location = Location { path: DATABASES[0].into(), layer: 0 };
        let package = header.package(&location).unwrap();
        assert_eq!(package.name, "openssl-libs");
        assert_eq!(package.licenses, ["ASL 2.0"]);
        assert_eq!(package.arch.as_deref(), Some("x86_64"));
        let source = package.source.unwrap();
        assert_eq!(source.name, "openssl");
        assert_eq!(source.version, "3.0.7-27.el9");
        assert_eq!(split_source_rpm("openssl-3.0.7-27.el9.src.rpm"), ("openssl", "3.0.7-27.el9"));
        assert_eq!(split_source_rpm("weird.src.rpm"), ("weird", ""));
    }

    #[cfg(feature = "rpm")]
    #[test]
    fn real_sqlite_rpmdb() {
        let db = include_bytes!("../../tests/fixtures/rpm/rpmdb.sqlite");
        let location = Location { path: DATABASES[0].into(), layer: 0 };
        for wal in [false, true] {
            let mut bytes = db.to_vec();
            if wal {
                // As rpm leaves it: in WAL mode.
                bytes[18] = 2;
                bytes[19] = 2;
            }
            let mut found = Vec::new();
            RpmCataloger.catalog(&location, &bytes, &mut found).unwrap();
            let mut packages: Vec<&Package> = found
                .iter()
                .filter_map(|f| match f {
                    Found::Package(p) => Some(p),
                    _ => None,
                })
                .collect();
            packages.sort_by(|a, b| a.name.cmp(&b.name));
            let summary: Vec<(&str, &str, Option<&str>, &[String])> = packages
                .iter()
                .map(|p| (p.name.as_str(), p.version.as_str(), p.arch.as_deref(), p.licenses.as_slice()))
                .collect();
            assert_eq!(
                summary,
                [
                    (
                        "rampart-epoch",
                        "3:2.0-1",
                        Some("noarch"),
                        &["GPL-2.0-or-later AND BSD-3-Clause".to_string()][..]
                    ),
                    ("rampart-hello", "1.2.3-4.el9", Some("noarch"), &["MIT".to_string()][..]),
                ]
            );
            assert_eq!(
                packages[1].source,
                Some(SourcePackage { name: "rampart-hello".into(), version: "1.2.3-4.el9".into() })
            );
        }
    }

    #[test]
    fn garbage() {
        let location = Location { path: DATABASES[0].into(), layer: 0 };
        let mut found = Vec::new();
        assert!(RpmCataloger.catalog(&location, b"not sqlite", &mut found).is_err());
        let mut fake = b"SQLite format 3\0".to_vec();
        fake.resize(4096, 0xff);
        assert!(RpmCataloger.catalog(&location, &fake, &mut found).is_err());
        assert!(found.is_empty());
        let good = blob(&[(TAG_NAME, TYPE_STRING, b"x\0"), (TAG_EPOCH, TYPE_INT32, &7u32.to_be_bytes())]);
        for end in 0..good.len() {
            let _ = Header::parse(&good[..end]);
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let mut bytes = good.clone();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed as usize) % bytes.len();
                bytes[at] = (seed >> 32) as u8;
            }
            let _ = Header::parse(&bytes);
        }
        assert!(Header::parse(&[0xff; 8]).is_err());
        assert!(Header::parse(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]).is_err());
    }
}

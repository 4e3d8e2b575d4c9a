//! Reading a database: open (read-only, validated), status, candidates.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::DbError;
use crate::model::{Range, Reference, Severity, normalize_name};
use crate::store::{self, unpack};

/// An open, read-only vulnerability database.
#[derive(Debug)]
pub struct Db {
    conn: Connection,
    path: PathBuf,
    built_at: SystemTime,
    /// (id, full name, base name) of every ecosystem in the database.
    ecosystems: Vec<(i64, String, String)>,
}

/// What [`Db::status`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub path: PathBuf,
    pub schema_version: u32,
    pub built_at: SystemTime,
    /// Time since `built_at` (zero if the clock is behind it).
    pub age: Duration,
    pub sources: Vec<Source>,
    /// Advisories per full ecosystem (`Debian:12`, `PyPI`, …), sorted by name.
    pub counts: Vec<(String, u64)>,
    /// Distinct advisories in the database.
    pub advisories: u64,
    /// Of which withdrawn.
    pub withdrawn: u64,
}

/// One input the database was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The path given to `import`, or the URL `update` downloaded.
    pub location: String,
    /// Full ecosystems its records name.
    pub ecosystems: Vec<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Records read from it (duplicates included).
    pub records: u64,
    pub imported_at: SystemTime,
}

/// One advisory naming the queried package, with that package's affected data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The OSV id (`GHSA-…`, `PYSEC-…`, `DSA-…`, `DEBIAN-CVE-…`).
    pub id: String,
    pub aliases: Vec<String>,
    /// OSV `related` ids (not the same vulnerability, but connected).
    pub related: Vec<String>,
    /// OSV `upstream` ids (what a distribution record derives from, e.g. the CVE).
    pub upstream: Vec<String>,
    pub summary: Option<String>,
    /// The record's `severity` (CVSS vectors); the affected entry's own when the record has none.
    pub severity: Vec<Severity>,
    /// The database's own rating (`database_specific.severity`), e.g. `HIGH`.
    pub database_rating: Option<String>,
    pub references: Vec<Reference>,
    /// The ecosystem as the record names it (`Debian:12`).
    pub ecosystem: String,
    /// The package name as the record names it.
    pub package: String,
    /// OSV `ranges` (GIT ranges dropped).
    pub ranges: Vec<Range>,
    /// OSV `versions`.
    pub versions: Vec<String>,
    pub modified: Option<String>,
    pub published: Option<String>,
    /// When the record was withdrawn; a withdrawn record must not be reported.
    pub withdrawn: Option<String>,
}

impl Candidate {
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.is_some()
    }
}

fn to_time(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64)
}

impl Db {
    /// Opens the database at `path` read-only, checking that it is a rampart database of a
    /// schema this build reads.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(DbError::Missing { path: path.to_owned() });
            }
            Err(e) => return Err(DbError::io(path, e)),
            Ok(m) if !m.is_file() => {
                return Err(DbError::NotADatabase { path: path.to_owned(), reason: "not a regular file".into() });
            }
            Ok(m) if m.len() == 0 => {
                return Err(DbError::NotADatabase { path: path.to_owned(), reason: "the file is empty".into() });
            }
            Ok(_) => {}
        }
        let not_db = |reason: String| DbError::NotADatabase { path: path.to_owned(), reason };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|e| not_db(e.to_string()))?;
        let version: u32 =
            conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| not_db(e.to_string()))?;
        let format: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| r.get(0))
            .optional()
            .map_err(|e| not_db(format!("no rampart metadata: {e}")))?;
        if format.as_deref() != Some(store::FORMAT) {
            return Err(not_db("no rampart metadata".into()));
        }
        if version != store::SCHEMA_VERSION {
            return Err(DbError::Schema { path: path.to_owned(), found: version, supported: store::SCHEMA_VERSION });
        }
        let built_at: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'built_at'", [], |r| r.get(0))
            .map_err(|e| not_db(format!("no build time: {e}")))?;
        let built_at = to_time(built_at.parse().map_err(|_| not_db(format!("bad build time {built_at:?}")))?);
        let ecosystems = {
            let mut stmt = conn.prepare("SELECT id, name, base FROM ecosystems").map_err(|e| not_db(e.to_string()))?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(|e| not_db(e.to_string()))?
        };
        Ok(Db { conn, path: path.to_owned(), built_at, ecosystems })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn built_at(&self) -> SystemTime {
        self.built_at
    }

    /// Time since the database was built (zero if the clock is behind).
    pub fn age(&self) -> Duration {
        SystemTime::now().duration_since(self.built_at).unwrap_or_default()
    }

    /// Older than `max_age` (see [`crate::DEFAULT_MAX_AGE`]): worth a warning, never a failure.
    pub fn is_stale(&self, max_age: Duration) -> bool {
        self.age() > max_age
    }

    /// Every full ecosystem in the database (`Debian:12`, `PyPI`, …).
    pub fn ecosystems(&self) -> Vec<String> {
        let mut names: Vec<String> = self.ecosystems.iter().map(|(_, n, _)| n.clone()).collect();
        names.sort();
        names
    }

    fn sql(&self, e: rusqlite::Error) -> DbError {
        DbError::sqlite(&self.path, e)
    }

    /// Sources, counts, build time and age.
    pub fn status(&self) -> Result<Status, DbError> {
        let mut stmt = self
            .conn
            .prepare("SELECT location, ecosystems, etag, last_modified, records, imported_at FROM sources ORDER BY id")
            .map_err(|e| self.sql(e))?;
        let sources = stmt
            .query_map([], |r| {
                let ecos: String = r.get(1)?;
                Ok(Source {
                    location: r.get(0)?,
                    ecosystems: ecos.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                    etag: r.get(2)?,
                    last_modified: r.get(3)?,
                    records: r.get::<_, i64>(4)? as u64,
                    imported_at: to_time(r.get(5)?),
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.sql(e))?;
        let mut stmt =
            self.conn.prepare("SELECT name, records FROM ecosystems ORDER BY name").map_err(|e| self.sql(e))?;
        let counts = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.sql(e))?;
        let (advisories, withdrawn): (i64, i64) = self
            .conn
            .query_row("SELECT COUNT(*), COUNT(withdrawn) FROM advisories", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.sql(e))?;
        Ok(Status {
            path: self.path.clone(),
            schema_version: store::SCHEMA_VERSION,
            built_at: self.built_at,
            age: self.age(),
            sources,
            counts,
            advisories: advisories as u64,
            withdrawn: withdrawn as u64,
        })
    }

    /// Every advisory (withdrawn ones included, flagged) whose `affected` names `name` in
    /// `ecosystem`. `ecosystem` is a full one (`Debian:12`, `Alpine:v3.19`: only records for that
    /// release) or a base one (`PyPI`, `npm`; `Debian`: records of every release). The name is
    /// normalised as at import (PEP 503 for PyPI). Ordered by advisory id.
    pub fn candidates(&self, ecosystem: &str, name: &str) -> Result<Vec<Candidate>, DbError> {
        let has_release = ecosystem.contains(':');
        let name = normalize_name(ecosystem, name);
        let mut out = Vec::new();
        // Prepared once per connection (rusqlite's statement cache), not on every call.
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT v.osv_id, v.aliases, v.summary, v.severity, v.rating, v.refs, v.modified, v.published,
                        v.withdrawn, a.display_name, a.ranges, a.versions, a.severity, v.related, v.upstream
                 FROM affected a JOIN advisories v ON v.id = a.advisory
                 WHERE a.ecosystem = ?1 AND a.name = ?2",
            )
            .map_err(|e| self.sql(e))?;
        for (eco_id, full, base) in &self.ecosystems {
            let wanted = if has_release { full == ecosystem } else { base == ecosystem };
            if !wanted {
                continue;
            }
            let rows = stmt
                .query_map(rusqlite::params![eco_id, name], |r| {
                    Ok(RawRow {
                        id: r.get(0)?,
                        aliases: r.get(1)?,
                        summary: r.get(2)?,
                        severity: r.get(3)?,
                        rating: r.get(4)?,
                        refs: r.get(5)?,
                        modified: r.get(6)?,
                        published: r.get(7)?,
                        withdrawn: r.get(8)?,
                        display_name: r.get(9)?,
                        ranges: r.get(10)?,
                        versions: r.get(11)?,
                        affected_severity: r.get(12)?,
                        related: r.get(13)?,
                        upstream: r.get(14)?,
                    })
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(|e| self.sql(e))?;
            for row in rows {
                out.push(self.candidate(row, full, &name)?);
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.ecosystem.cmp(&b.ecosystem)));
        Ok(out)
    }

    fn candidate(&self, row: RawRow, ecosystem: &str, name: &str) -> Result<Candidate, DbError> {
        let damaged = |what: &str, e: String| DbError::NotADatabase {
            path: self.path.clone(),
            reason: format!("damaged {what} of advisory {}: {e}", row.id),
        };
        fn decode<T: serde::de::DeserializeOwned + Default>(blob: &Option<Vec<u8>>) -> Result<T, String> {
            match blob {
                None => Ok(T::default()),
                Some(b) => {
                    let json = unpack(b).map_err(|e| e.to_string())?;
                    serde_json::from_slice(&json).map_err(|e| e.to_string())
                }
            }
        }
        let pairs = |blob: &Option<Vec<u8>>, what: &str| -> Result<Vec<[String; 2]>, DbError> {
            decode(blob).map_err(|e| damaged(what, e))
        };
        let mut severity: Vec<Severity> =
            pairs(&row.severity, "severity")?.into_iter().map(|[kind, score]| Severity { kind, score }).collect();
        if severity.is_empty() {
            severity = pairs(&row.affected_severity, "severity")?
                .into_iter()
                .map(|[kind, score]| Severity { kind, score })
                .collect();
        }
        let references =
            pairs(&row.refs, "references")?.into_iter().map(|[kind, url]| Reference { kind, url }).collect();
        let ids = |list: &Option<String>, what: &str| -> Result<Vec<String>, DbError> {
            match list {
                None => Ok(Vec::new()),
                Some(s) => serde_json::from_str(s).map_err(|e| damaged(what, e.to_string())),
            }
        };
        let aliases = ids(&row.aliases, "aliases")?;
        let related = ids(&row.related, "related")?;
        let upstream = ids(&row.upstream, "upstream")?;
        Ok(Candidate {
            aliases,
            related,
            upstream,
            summary: row.summary,
            severity,
            database_rating: row.rating,
            references,
            ecosystem: ecosystem.to_owned(),
            package: row.display_name.unwrap_or_else(|| name.to_owned()),
            ranges: decode(&row.ranges).map_err(|e| damaged("ranges", e))?,
            versions: decode(&row.versions).map_err(|e| damaged("versions", e))?,
            modified: row.modified,
            published: row.published,
            withdrawn: row.withdrawn,
            id: row.id,
        })
    }
}

struct RawRow {
    id: String,
    aliases: Option<String>,
    summary: Option<String>,
    severity: Option<Vec<u8>>,
    rating: Option<String>,
    refs: Option<Vec<u8>>,
    modified: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    display_name: Option<String>,
    ranges: Option<Vec<u8>>,
    versions: Option<Vec<u8>>,
    affected_severity: Option<Vec<u8>>,
    related: Option<String>,
    upstream: Option<String>,
}

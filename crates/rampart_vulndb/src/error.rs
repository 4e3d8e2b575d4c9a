use std::fmt;
use std::path::{Path, PathBuf};

/// Everything that can go wrong opening, importing or updating the database. Each message names
/// the file (and zip entry, and JSON position) it is about, and, where there is one, the fix.
#[derive(Debug)]
#[non_exhaustive]
pub enum DbError {
    /// No database at the path.
    Missing { path: PathBuf },
    /// The file exists but is not a rampart vulnerability database (or is damaged).
    NotADatabase { path: PathBuf, reason: String },
    /// Written by a newer rampart (schema `found` > `supported`), or an older one.
    Schema { path: PathBuf, found: u32, supported: u32 },
    /// SQLite failed on a database that opened fine (e.g. a damaged page).
    Sqlite { path: PathBuf, source: rusqlite::Error },
    /// Reading or writing a file.
    Io { path: PathBuf, source: std::io::Error },
    /// A zip archive that cannot be read (corrupt, truncated, wrong CRC, encrypted).
    Zip { path: PathBuf, entry: Option<String>, message: String },
    /// A record that is not valid OSV JSON.
    Json { path: PathBuf, entry: Option<String>, line: usize, column: usize, message: String },
    /// A record (or download) larger than the configured limit.
    TooLarge { path: PathBuf, entry: Option<String>, size: u64, limit: u64 },
    /// The inputs held no OSV record at all (refusing to replace a database with an empty one).
    NoRecords { inputs: Vec<PathBuf> },
    /// A download failed (`update`).
    Download { url: String, message: String },
    /// A download did not match its advertised size or checksum.
    Checksum { url: String, message: String },
}

impl DbError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        DbError::Io { path: path.to_owned(), source }
    }
    pub(crate) fn sqlite(path: &Path, source: rusqlite::Error) -> Self {
        DbError::Sqlite { path: path.to_owned(), source }
    }
}

fn place(f: &mut fmt::Formatter<'_>, path: &Path, entry: &Option<String>) -> fmt::Result {
    write!(f, "{}", path.display())?;
    if let Some(entry) = entry {
        write!(f, " (zip entry {entry})")?;
    }
    Ok(())
}

const HOW_TO_GET: &str = "build one with `rampart db import PATH...` (OSV all.zip exports, directories or .json \
                          records) or download one with `rampart db update`";

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Missing { path } => {
                write!(f, "no vulnerability database at {}: {HOW_TO_GET}", path.display())
            }
            DbError::NotADatabase { path, reason } => write!(
                f,
                "{} is not a usable rampart vulnerability database ({reason}); rebuild it with `rampart db import \
                 PATH...` or `rampart db update`",
                path.display()
            ),
            DbError::Schema { path, found, supported } if found > supported => write!(
                f,
                "{} was written by a newer rampart (database schema {found}, this rampart reads {supported}); \
                 upgrade rampart or rebuild the database with `rampart db update`",
                path.display()
            ),
            DbError::Schema { path, found, supported } => write!(
                f,
                "{} has an old database schema ({found}, this rampart reads {supported}); rebuild it with \
                 `rampart db update` or `rampart db import PATH...`",
                path.display()
            ),
            DbError::Sqlite { path, source } => write!(f, "{}: database error: {source}", path.display()),
            DbError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            DbError::Zip { path, entry, message } => {
                place(f, path, entry)?;
                write!(f, ": unreadable zip archive: {message}")
            }
            DbError::Json { path, entry, line, column, message } => {
                place(f, path, entry)?;
                write!(f, ": line {line}, column {column}: not a valid OSV record: {message}")
            }
            DbError::TooLarge { path, entry, size, limit } => {
                place(f, path, entry)?;
                write!(f, ": {size} bytes is over the {limit}-byte limit for one record")
            }
            DbError::NoRecords { inputs } => {
                write!(f, "no OSV records found in ")?;
                for (i, p) in inputs.iter().enumerate() {
                    write!(f, "{}{}", if i > 0 { ", " } else { "" }, p.display())?;
                }
                write!(f, " (expected OSV all.zip exports, directories of .json records or .json files)")
            }
            DbError::Download { url, message } => write!(f, "download of {url} failed: {message}"),
            DbError::Checksum { url, message } => write!(f, "download of {url} is damaged: {message}"),
        }
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DbError::Sqlite { source, .. } => Some(source),
            DbError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

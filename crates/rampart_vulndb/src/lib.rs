//! rampart's offline vulnerability database: OSV records (as OSV.dev publishes them, per
//! ecosystem `all.zip` exports, directories or single `.json` records) imported into a compact
//! SQLite file, queried by (ecosystem, package name) for the matcher.
//!
//! * [`import`] builds a database from local files, atomically (a temp file beside the target,
//!   renamed over it only when complete).
//! * [`Db::open`] opens one read-only; [`Db::candidates`] returns every advisory naming a
//!   package; [`Db::status`] / [`Db::is_stale`] report what is in it and how old it is.
//! * `update` (cargo feature `update`, on by default) downloads the exports over HTTPS,
//!   conditionally and resumably, and rebuilds.
//!
//! Every input is treated as hostile: errors name the file, the zip entry and the JSON position;
//! record sizes are bounded; nothing panics on bad data.

mod borrowed;
mod db;
mod error;
mod import;
pub mod model;
mod store;
#[cfg(feature = "update")]
mod update;

pub use db::{Candidate, Db, Source, Status};
pub use error::DbError;
pub use import::{ImportOptions, ImportReport, Origin, import};
pub use model::{Affected, Event, Package, Range, Record, Reference, Severity, base_ecosystem, normalize_name};
pub use store::SCHEMA_VERSION;
#[cfg(feature = "update")]
pub use update::{
    DEFAULT_ECOSYSTEMS, DEFAULT_MIRROR, Fetched, MIRROR_ENV, UpdateOptions, UpdateReport, download_dir, update,
};

use std::path::PathBuf;
use std::time::Duration;

/// After this long a database is reported as stale (a warning, never a failure).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// The default database path: `$XDG_CACHE_HOME/rampart/osv.db`, else `~/.cache/rampart/osv.db`
/// (`%LOCALAPPDATA%\rampart\osv.db` on Windows). `None` when no home directory is known.
pub fn default_db_path() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let cache = if cfg!(windows) {
        non_empty("LOCALAPPDATA")
    } else {
        non_empty("XDG_CACHE_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| non_empty("HOME").map(|home| home.join(".cache")))
    }?;
    Some(cache.join("rampart").join("osv.db"))
}

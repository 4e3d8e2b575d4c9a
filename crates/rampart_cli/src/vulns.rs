//! Vulnerabilities: `rampart db …`, and matching an inventory for `scan image` and `scan fs`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use rampart_catalog::Inventory;
use rampart_vuln::{Advisory, AdvisorySource, Vulnerability};
use rampart_vulndb::{Candidate, Db, DbError};

use crate::cli::{DbCommand, VulnArgs};
use crate::fail;

/// The database path: `--db`, else the default under the user's cache directory.
pub fn db_path(explicit: Option<&Path>) -> Result<PathBuf, String> {
    match explicit {
        Some(path) => Ok(path.to_path_buf()),
        None => rampart_vulndb::default_db_path()
            .ok_or_else(|| "no cache directory is known (HOME is not set): give the database with --db PATH".into()),
    }
}

/// Advisories from the SQLite database.
struct FromDb<'a>(&'a Db);

impl AdvisorySource for FromDb<'_> {
    fn advisories(&self, ecosystem: &str, name: &str) -> Result<Vec<Advisory>, String> {
        let candidates = self.0.candidates(ecosystem, name).map_err(|e| e.to_string())?;
        Ok(candidates.into_iter().map(advisory).collect())
    }
}

fn advisory(c: Candidate) -> Advisory {
    let ranges = c
        .ranges
        .iter()
        .filter_map(|r| {
            let kind = match r.kind.as_str() {
                "ECOSYSTEM" => rampart_versions::RangeKind::Ecosystem,
                "SEMVER" => rampart_versions::RangeKind::Semver,
                _ => return None,
            };
            let events = r
                .events
                .iter()
                .map(|e| match e {
                    rampart_vulndb::Event::Introduced(v) => Some(rampart_versions::Event::Introduced(v.clone())),
                    rampart_vulndb::Event::Fixed(v) => Some(rampart_versions::Event::Fixed(v.clone())),
                    rampart_vulndb::Event::LastAffected(v) => Some(rampart_versions::Event::LastAffected(v.clone())),
                    rampart_vulndb::Event::Limit(v) => Some(rampart_versions::Event::Limit(v.clone())),
                    // A range with an event rampart cannot read is not evaluated at all, rather
                    // than evaluated wrongly.
                    rampart_vulndb::Event::Unknown(_) => None,
                })
                .collect::<Option<Vec<_>>>()?;
            Some(rampart_versions::Range { kind, events })
        })
        .collect();
    Advisory {
        withdrawn: c.is_withdrawn(),
        id: c.id,
        // Debian's records name the CVE they track as `upstream`.
        aliases: c.aliases.into_iter().chain(c.upstream).collect(),
        summary: c.summary,
        cvss: c.severity.into_iter().filter(|s| s.kind.starts_with("CVSS_")).map(|s| s.score).collect(),
        rating: c.database_rating,
        urls: c.references.into_iter().map(|r| r.url).collect(),
        ecosystem: c.ecosystem,
        name: c.package,
        ranges,
        versions: c.versions,
    }
}

/// The vulnerabilities of `inventory`, or `None` when they were not checked (`--skip-vulns`,
/// or no database: a warning says how to get one). VEX statements are applied.
pub fn find(inventory: &Inventory, args: &VulnArgs, target: &str) -> Result<Option<Vec<Vulnerability>>, String> {
    if args.skip_vulns {
        return Ok(None);
    }
    let path = db_path(args.db.as_deref())?;
    let db = match Db::open(&path) {
        Ok(db) => db,
        Err(DbError::Missing { .. }) if args.db.is_none() => {
            eprintln!(
                "rampart: warning: no vulnerability database at {}: vulnerabilities were not checked. \
                 Create one with `rampart db update` (online) or `rampart db import PATH` (OSV exports, offline).",
                path.display()
            );
            return Ok(None);
        }
        Err(e) => return Err(e.to_string()),
    };
    warn_if_stale(&db);
    let started = std::time::Instant::now();
    let (mut found, stats) = rampart_vuln::match_inventory(inventory, &FromDb(&db))?;
    // For the benchmark (bench/vulns.sh): the matching alone, the database already open.
    if std::env::var_os("RAMPART_TIMINGS").is_some() {
        eprintln!(
            "rampart: timings: matched {} packages ({} without an OSV ecosystem) against {} in {:.1} ms: {} vulnerabilities",
            stats.queried,
            stats.unsupported,
            db.path().display(),
            started.elapsed().as_secs_f64() * 1000.0,
            found.len()
        );
    }
    let mut vex = rampart_vuln::vex::Vex::default();
    for file in &args.vex {
        let bytes = read_capped(file, 64 << 20).map_err(|e| format!("--vex {}: {e}", file.display()))?;
        vex.add(&file.display().to_string(), &bytes)?;
    }
    vex.apply(target, &mut found);
    Ok(Some(found))
}

fn warn_if_stale(db: &Db) {
    if db.is_stale(rampart_vulndb::DEFAULT_MAX_AGE) {
        eprintln!(
            "rampart: warning: the vulnerability database {} is {} old: run `rampart db update` for advisories published since",
            db.path().display(),
            human_age(db.age())
        );
    }
}

fn human_age(age: Duration) -> String {
    let hours = age.as_secs() / 3600;
    match hours {
        0..48 => format!("{hours} hours"),
        _ => format!("{} days", hours / 24),
    }
}

fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::other(format!("larger than {} MiB", cap >> 20)));
    }
    Ok(bytes)
}

/// The SBOM's view of a vulnerability.
pub fn for_sbom(v: &Vulnerability) -> rampart_sbom::Vulnerability {
    rampart_sbom::Vulnerability {
        id: v.id.clone(),
        aliases: v.ids.iter().filter(|i| **i != v.id).cloned().collect(),
        purl: v.purl.clone(),
        version: v.version.clone(),
        severity: v.severity_name().to_string(),
        score: v.score,
        vector: v.vector.clone(),
        summary: v.summary.clone(),
        fixed: v.fixed.clone(),
        urls: v.urls.clone(),
    }
}

/// `rampart db import|update|status`.
pub fn db(command: DbCommand) -> ExitCode {
    match command {
        DbCommand::Import { paths, db } => {
            let path = match db_path(db.as_deref()) {
                Ok(p) => p,
                Err(e) => return fail(&e),
            };
            match rampart_vulndb::import(&paths, &path, &rampart_vulndb::ImportOptions::default()) {
                Ok(report) => {
                    let secs = report.elapsed.as_secs_f64().max(1e-6);
                    eprintln!(
                        "Imported {} advisories ({} withdrawn, {} duplicates) into {} in {:.2} s ({:.0} records/s); \
                         database {:.1} MiB from {:.1} MiB of input.",
                        report.records,
                        report.withdrawn,
                        report.duplicates,
                        path.display(),
                        secs,
                        (report.records + report.duplicates) as f64 / secs,
                        report.db_bytes as f64 / 1048576.0,
                        report.input_bytes as f64 / 1048576.0
                    );
                    for (ecosystem, count) in &report.ecosystems {
                        eprintln!("  {ecosystem:<24} {count}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string()),
            }
        }
        DbCommand::Status { db } => {
            let path = match db_path(db.as_deref()) {
                Ok(p) => p,
                Err(e) => return fail(&e),
            };
            let db = match Db::open(&path) {
                Ok(db) => db,
                Err(e) => return fail(&e.to_string()),
            };
            let status = match db.status() {
                Ok(s) => s,
                Err(e) => return fail(&e.to_string()),
            };
            println!("database: {}", status.path.display());
            println!("schema:   {}", status.schema_version);
            println!("built:    {} ago", human_age(status.age));
            println!("advisories: {} ({} withdrawn)", status.advisories, status.withdrawn);
            for (ecosystem, count) in &status.counts {
                println!("  {ecosystem:<24} {count}");
            }
            println!("sources:");
            for source in &status.sources {
                println!("  {} ({} records)", source.location, source.records);
            }
            warn_if_stale(&db);
            ExitCode::SUCCESS
        }
        DbCommand::Update { db, ecosystem, mirror } => update(db.as_deref(), &ecosystem, mirror),
    }
}

#[cfg(feature = "vulndb-update")]
fn update(db: Option<&Path>, ecosystems: &[String], mirror: Option<String>) -> ExitCode {
    let path = match db_path(db) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let options = rampart_vulndb::UpdateOptions { ecosystems: ecosystems.to_vec(), mirror, ..Default::default() };
    match rampart_vulndb::update(&path, &options) {
        Ok(report) => {
            let mib = |b: u64| b as f64 / 1048576.0;
            for (ecosystem, fetched) in &report.fetched {
                let what = match fetched {
                    rampart_vulndb::Fetched::Downloaded { bytes } => format!("downloaded {:.1} MiB", mib(*bytes)),
                    rampart_vulndb::Fetched::Resumed { from, bytes } => {
                        format!("resumed at {:.1} MiB, {:.1} MiB in all", mib(*from), mib(*bytes))
                    }
                    rampart_vulndb::Fetched::NotModified => "unchanged".to_string(),
                };
                eprintln!("  {ecosystem:<16} {what}");
            }
            match &report.rebuilt {
                Some(built) => eprintln!("Rebuilt {} with {} advisories.", path.display(), built.records),
                None => eprintln!("{} is up to date.", path.display()),
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

#[cfg(not(feature = "vulndb-update"))]
fn update(_db: Option<&Path>, _ecosystems: &[String], _mirror: Option<String>) -> ExitCode {
    fail("this rampart was built without `db update` (cargo feature `vulndb-update`): use `rampart db import PATH`")
}

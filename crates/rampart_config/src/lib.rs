//! `rampart.toml`: the project's rampart configuration.
//!
//! Values keep their byte spans so a bad value is reported at its line. This crate reads
//! and checks the file's shape; which rule codes, names and tags exist is checked by the
//! linter, which knows the rules (with the spans kept here).
//!
//! ```
//! let cfg = rampart_config::Config::parse(r#"
//! [rules]
//! DF001 = "warning"
//! [[exceptions]]
//! rules = ["DF010"]
//! paths = ["legacy/**"]
//! reason = "migrating in Q3"
//! expires = 2027-03-31
//! "#).unwrap();
//! assert_eq!(cfg.rules[0].selector.value, "DF001");
//! assert_eq!(cfg.exceptions[0].expires.unwrap().to_string(), "2027-03-31");
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

pub mod quantity;

use quantity::Quantity;

/// The file name looked for, upward from each target.
pub const FILE_NAME: &str = "rampart.toml";

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Located<T> {
    fn from_spanned(s: Spanned<T>) -> Self {
        let span = s.span();
        Located { value: s.into_inner(), span }
    }
}

/// A level a rule can be set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Off,
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "off" => Level::Off,
            "note" => Level::Note,
            "warning" => Level::Warning,
            "error" => Level::Error,
            _ => return None,
        })
    }
}

/// A calendar date (`expires = 2027-03-31`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.get(..2)?.parse().ok()?;
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        Date::from_days_since_epoch(secs.div_euclid(86_400))
    }

    /// Howard Hinnant's `civil_from_days`.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// `[rules]` or `[tags]` entry: a selector and the level it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelSetting {
    pub selector: Located<String>,
    pub level: Located<Level>,
}

/// An `[[exceptions]]` entry: findings it matches are suppressed, for a stated reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    /// Codes, names or tags; empty means every rule.
    pub rules: Vec<Located<String>>,
    /// Vulnerability ids (`CVE-2018-18074`, `GHSA-…`): the exception hides the vulnerability
    /// findings that list one of them, whatever their package.
    pub vulnerabilities: Vec<Located<String>>,
    /// Globs relative to the directory holding `rampart.toml`; empty means every file.
    pub paths: Vec<Located<String>>,
    pub reason: Located<String>,
    pub expires: Option<Date>,
    pub expires_span: Option<Range<usize>>,
    pub owner: Option<String>,
    /// The whole `[[exceptions]]` table.
    pub span: Range<usize>,
}

/// The whole configuration. Everything is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub fail_on: Option<Located<Level>>,
    pub select: Vec<Located<String>>,
    pub ignore: Vec<Located<String>>,
    /// Globs of paths never checked.
    pub exclude: Vec<Located<String>>,
    pub rules: Vec<LevelSetting>,
    pub tags: Vec<LevelSetting>,
    /// Registry prefixes images may come from (`docker.io/library`, `gcr.io/distroless`).
    /// `None` means the check is off.
    pub trusted_registries: Option<Vec<Located<String>>>,
    /// `[images.allow]`: what the image rules accept on top of their defaults.
    pub image_allow: ImageAllow,
    pub exceptions: Vec<Exception>,
    /// `[fix]`: the values fixes write where only the project can say what they should be.
    pub fix: FixDefaults,
    /// `[[signatures]]`: images that must be signed by one of the given keys to be admitted
    /// (`rampart serve`).
    pub signatures: Vec<SignaturePolicy>,
}

/// `[[signatures]]`: images whose repository matches one of `images` (globs on
/// `registry/repository`, `*` within a path segment, `**` across them) must carry a signature
/// by one of `keys` (cosign public keys, paths relative to `rampart.toml`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignaturePolicy {
    pub images: Vec<Located<String>>,
    pub keys: Vec<Located<String>>,
    /// The whole `[[signatures]]` table.
    pub span: Range<usize>,
}

/// `[fix]`: defaults for the fixes that need a value (resource requests and limits, PID
/// limits). Without them those fixes are display-only. Quantities are checked to be
/// Kubernetes quantities (`100m`, `128Mi`) when read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixDefaults {
    /// CPU request of a container (`resources.requests.cpu`).
    pub cpu_request: Option<Located<String>>,
    /// Memory request of a container (`resources.requests.memory`).
    pub memory_request: Option<Located<String>>,
    /// Memory limit (`resources.limits.memory`, Compose `mem_limit`, OCI
    /// `linux.resources.memory.limit`).
    pub memory_limit: Option<Located<String>>,
    /// Maximum number of processes (Compose `pids_limit`, OCI `linux.resources.pids.limit`).
    pub pids_limit: Option<Located<i64>>,
}

/// `[images.allow]`: entries the image rules (`IM` codes) accept in addition to their
/// built-in allow-lists. Paths are absolute globs inside the image (`/usr/bin/ping`,
/// `/opt/app/**`); tool lists also take a tool name (`sh`, `curl`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageAllow {
    pub setuid: Vec<Located<String>>,
    pub setgid: Vec<Located<String>>,
    pub capabilities: Vec<Located<String>>,
    pub world_writable: Vec<Located<String>>,
    pub shells: Vec<Located<String>>,
    pub package_managers: Vec<Located<String>>,
    pub compilers: Vec<Located<String>>,
    pub debuggers: Vec<Located<String>>,
    pub download_tools: Vec<Located<String>>,
    pub sshd: Vec<Located<String>>,
}

/// A configuration problem, at a place in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
    pub span: Range<usize>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    check: Option<RawCheck>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    tags: BTreeMap<Spanned<String>, Spanned<String>>,
    images: Option<RawImages>,
    #[serde(default)]
    exceptions: Vec<Spanned<RawException>>,
    fix: Option<RawFix>,
    #[serde(default)]
    signatures: Vec<Spanned<RawSignatures>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSignatures {
    #[serde(default)]
    images: Vec<Spanned<String>>,
    #[serde(default)]
    keys: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFix {
    cpu_request: Option<Spanned<String>>,
    memory_request: Option<Spanned<String>>,
    memory_limit: Option<Spanned<String>>,
    pids_limit: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCheck {
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawImages {
    trusted_registries: Option<Vec<Spanned<String>>>,
    allow: Option<RawImageAllow>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawImageAllow {
    #[serde(default)]
    setuid: Vec<Spanned<String>>,
    #[serde(default)]
    setgid: Vec<Spanned<String>>,
    #[serde(default)]
    capabilities: Vec<Spanned<String>>,
    #[serde(default)]
    world_writable: Vec<Spanned<String>>,
    #[serde(default)]
    shells: Vec<Spanned<String>>,
    #[serde(default)]
    package_managers: Vec<Spanned<String>>,
    #[serde(default)]
    compilers: Vec<Spanned<String>>,
    #[serde(default)]
    debuggers: Vec<Spanned<String>>,
    #[serde(default)]
    download_tools: Vec<Spanned<String>>,
    #[serde(default)]
    sshd: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawException {
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    vulnerabilities: Vec<Spanned<String>>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    reason: Option<Spanned<String>>,
    expires: Option<Spanned<toml::value::Datetime>>,
    owner: Option<String>,
}

fn level(value: Spanned<String>) -> Result<Located<Level>, ConfigError> {
    let span = value.span();
    match Level::parse(value.get_ref()) {
        Some(level) => Ok(Located { value: level, span }),
        None => Err(ConfigError {
            message: format!("`{}` is not a level: use \"off\", \"note\", \"warning\" or \"error\"", value.get_ref()),
            span,
        }),
    }
}

/// A positive Kubernetes quantity; for memory, a whole number of bytes.
fn quantity(value: Spanned<String>, key: &str, memory: bool) -> Result<(Located<String>, Quantity), ConfigError> {
    let span = value.span();
    let err = |message: String| ConfigError { message, span: span.clone() };
    let q = Quantity::parse(value.get_ref()).map_err(|e| err(format!("`fix.{key}`: {e}")))?;
    if !q.is_positive() {
        return Err(err(format!("`fix.{key}` must be more than zero")));
    }
    if memory && q.whole().is_none() {
        let hint = if q.as_str().ends_with('m') {
            format!(": `m` means thousandths, `{}` is a fraction of a byte; write `Mi` (mebibytes) or `M`", q.as_str())
        } else {
            String::new()
        };
        return Err(err(format!("`fix.{key}` must be a whole number of bytes{hint}")));
    }
    let located = Located { value: q.as_str().to_string(), span };
    Ok((located, q))
}

fn fix_defaults(raw: RawFix) -> Result<FixDefaults, ConfigError> {
    let cpu = raw.cpu_request.map(|v| quantity(v, "cpu-request", false)).transpose()?;
    let request = raw.memory_request.map(|v| quantity(v, "memory-request", true)).transpose()?;
    let limit = raw.memory_limit.map(|v| quantity(v, "memory-limit", true)).transpose()?;
    if let (Some((_, r)), Some((l, lq))) = (&request, &limit)
        && r > lq
    {
        return Err(ConfigError {
            message: format!(
                "`fix.memory-limit` ({}) is below `fix.memory-request` ({}): Kubernetes rejects such a container",
                l.value,
                r.as_str()
            ),
            span: l.span.clone(),
        });
    }
    let pids = match raw.pids_limit {
        Some(p) if *p.get_ref() < 1 => {
            return Err(ConfigError {
                message: "`fix.pids-limit` must be at least 1 (0 and -1 mean no limit)".into(),
                span: p.span(),
            });
        }
        p => p.map(Located::from_spanned),
    };
    Ok(FixDefaults {
        cpu_request: cpu.map(|(l, _)| l),
        memory_request: request.map(|(l, _)| l),
        memory_limit: limit.map(|(l, _)| l),
        pids_limit: pids,
    })
}

impl Config {
    /// Parses and checks `rampart.toml` text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text)
            .map_err(|e| ConfigError { message: e.message().trim().to_string(), span: e.span().unwrap_or(0..0) })?;
        let mut cfg = Config::default();
        if let Some(check) = raw.check {
            cfg.fail_on = check
                .fail_on
                .map(|f| {
                    let span = f.span();
                    match level(f) {
                        Ok(l) if l.value != Level::Off => Ok(l),
                        Ok(_) => Err(ConfigError { message: "`fail-on` cannot be \"off\"".into(), span }),
                        Err(e) => Err(e),
                    }
                })
                .transpose()?;
            cfg.select = check.select.into_iter().map(Located::from_spanned).collect();
            cfg.ignore = check.ignore.into_iter().map(Located::from_spanned).collect();
            cfg.exclude = check.exclude.into_iter().map(Located::from_spanned).collect();
        }
        for (map, out) in [(raw.rules, &mut cfg.rules), (raw.tags, &mut cfg.tags)] {
            for (k, v) in map {
                out.push(LevelSetting { selector: Located::from_spanned(k), level: level(v)? });
            }
        }
        if let Some(images) = raw.images {
            cfg.trusted_registries =
                images.trusted_registries.map(|r| r.into_iter().map(Located::from_spanned).collect());
            if let Some(allow) = images.allow {
                let list = |v: Vec<Spanned<String>>| -> Result<Vec<Located<String>>, ConfigError> {
                    v.into_iter()
                        .map(|s| {
                            let entry = Located::from_spanned(s);
                            let v = entry.value.trim();
                            if v.is_empty() || (v.contains('/') && !v.starts_with('/')) {
                                return Err(ConfigError {
                                    message: format!(
                                        "`{}` is neither a tool name nor an absolute path inside the image",
                                        entry.value
                                    ),
                                    span: entry.span,
                                });
                            }
                            Ok(entry)
                        })
                        .collect()
                };
                cfg.image_allow = ImageAllow {
                    setuid: list(allow.setuid)?,
                    setgid: list(allow.setgid)?,
                    capabilities: list(allow.capabilities)?,
                    world_writable: list(allow.world_writable)?,
                    shells: list(allow.shells)?,
                    package_managers: list(allow.package_managers)?,
                    compilers: list(allow.compilers)?,
                    debuggers: list(allow.debuggers)?,
                    download_tools: list(allow.download_tools)?,
                    sshd: list(allow.sshd)?,
                };
            }
        }
        if let Some(fix) = raw.fix {
            cfg.fix = fix_defaults(fix)?;
        }
        for table in raw.signatures {
            let span = table.span();
            let table = table.into_inner();
            if table.images.is_empty() || table.keys.is_empty() {
                return Err(ConfigError {
                    message: "a `[[signatures]]` entry needs `images` (which images) and `keys` (whose signatures)"
                        .into(),
                    span,
                });
            }
            cfg.signatures.push(SignaturePolicy {
                images: table.images.into_iter().map(Located::from_spanned).collect(),
                keys: table.keys.into_iter().map(Located::from_spanned).collect(),
                span,
            });
        }
        for e in raw.exceptions {
            let span = e.span();
            let e = e.into_inner();
            let reason = match e.reason {
                Some(r) if !r.get_ref().trim().is_empty() => Located::from_spanned(r),
                Some(r) => {
                    return Err(ConfigError {
                        message: "an exception's `reason` cannot be empty".into(),
                        span: r.span(),
                    });
                }
                None => {
                    return Err(ConfigError {
                        message: "this exception has no `reason`: say why the findings it hides are acceptable".into(),
                        span,
                    });
                }
            };
            let (expires, expires_span) = match e.expires {
                Some(d) => {
                    let dspan = d.span();
                    let date = d
                        .get_ref()
                        .date
                        .and_then(|date| Date::parse(&format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)));
                    match date {
                        Some(date) if d.get_ref().time.is_none() => (Some(date), Some(dspan)),
                        _ => {
                            return Err(ConfigError {
                                message: "`expires` must be a date such as 2027-03-31".into(),
                                span: dspan,
                            });
                        }
                    }
                }
                None => (None, None),
            };
            cfg.exceptions.push(Exception {
                rules: e.rules.into_iter().map(Located::from_spanned).collect(),
                vulnerabilities: e.vulnerabilities.into_iter().map(Located::from_spanned).collect(),
                paths: e.paths.into_iter().map(Located::from_spanned).collect(),
                reason,
                expires,
                expires_span,
                owner: e.owner,
                span,
            });
        }
        Ok(cfg)
    }
}

/// The commented template `rampart init` writes.
pub const TEMPLATE: &str = include_str!("template.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses() {
        Config::parse(TEMPLATE).unwrap();
    }

    #[test]
    fn errors_point_at_the_bad_value() {
        let text = "[rules]\nDF001 = \"loud\"\n";
        let e = Config::parse(text).unwrap_err();
        assert_eq!(&text[e.span.clone()], "\"loud\"");
        let text = "[check]\nfail-on = \"off\"\n";
        assert!(Config::parse(text).unwrap_err().message.contains("cannot be"));
        let text = "[check]\nfailon = \"error\"\n";
        let e = Config::parse(text).unwrap_err();
        assert_eq!(&text[e.span.clone()], "failon");
        let text = "[[exceptions]]\nrules = [\"DF001\"]\n";
        assert!(Config::parse(text).unwrap_err().message.contains("no `reason`"));
        let text = "[[exceptions]]\nreason = \"x\"\nexpires = 2027-02-30\n";
        let e = Config::parse(text).unwrap_err();
        assert_eq!(&text[e.span.clone()], "2027-02-30");
    }

    #[test]
    fn keys_keep_spans() {
        let text = "[rules]\n\"pip-unpinned\" = \"off\"\n[tags]\nhygiene = \"note\"\n";
        let cfg = Config::parse(text).unwrap();
        assert_eq!(&text[cfg.rules[0].selector.span.clone()], "\"pip-unpinned\"");
        assert_eq!(cfg.tags[0].level.value, Level::Note);
    }

    #[test]
    fn image_allow_lists() {
        let text = "[images.allow]\nsetuid = [\"/opt/x/**\"]\nshells = [\"sh\"]\n";
        let cfg = Config::parse(text).unwrap();
        assert_eq!(cfg.image_allow.setuid[0].value, "/opt/x/**");
        assert_eq!(cfg.image_allow.shells[0].value, "sh");
        let text = "[images.allow]\nshells = [\"bin/sh\"]\n";
        assert_eq!(&text[Config::parse(text).unwrap_err().span], "\"bin/sh\"");
        assert!(Config::parse("[images.allow]\nshell = []\n").is_err());
    }

    #[test]
    fn fix_defaults_are_checked_quantities() {
        let text =
            "[fix]\ncpu-request = \"100m\"\nmemory-request = \"128Mi\"\nmemory-limit = \"256Mi\"\npids-limit = 512\n";
        let signed =
            Config::parse("[[signatures]]\nimages = [\"registry.example/team/*\"]\nkeys = [\"cosign.pub\"]\n").unwrap();
        assert_eq!(signed.signatures[0].images[0].value, "registry.example/team/*");
        assert_eq!(signed.signatures[0].keys[0].value, "cosign.pub");
        let half = Config::parse("[[signatures]]\nimages = [\"x/*\"]\n").unwrap_err();
        assert!(half.message.contains("needs `images`"), "{}", half.message);
        let cfg = Config::parse(text).unwrap();
        assert_eq!(cfg.fix.cpu_request.as_ref().unwrap().value, "100m");
        assert_eq!(&text[cfg.fix.memory_limit.as_ref().unwrap().span.clone()], "\"256Mi\"");
        assert_eq!(cfg.fix.pids_limit.as_ref().unwrap().value, 512);
        let text = "[fix]\nmemory-limit = \"256m\"\n";
        let e = Config::parse(text).unwrap_err();
        assert_eq!(&text[e.span.clone()], "\"256m\"");
        assert!(e.message.contains("fraction of a byte"), "{}", e.message);
        let text = "[fix]\ncpu-request = \"fast\"\n";
        assert!(Config::parse(text).unwrap_err().message.contains("does not start with a number"));
        let text = "[fix]\ncpu-request = \"0\"\n";
        assert!(Config::parse(text).unwrap_err().message.contains("more than zero"));
        let text = "[fix]\nmemory-request = \"1Gi\"\nmemory-limit = \"512Mi\"\n";
        let e = Config::parse(text).unwrap_err();
        assert_eq!(&text[e.span.clone()], "\"512Mi\"");
        let text = "[fix]\npids-limit = 0\n";
        assert!(Config::parse(text).unwrap_err().message.contains("at least 1"));
        let text = "[fix]\ncpu-limit = \"1\"\n";
        assert!(Config::parse(text).is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days_since_epoch(20_454).to_string(), "2026-01-01");
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2023-13-01").is_none());
    }
}

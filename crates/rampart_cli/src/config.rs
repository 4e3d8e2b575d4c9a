//! Finding and loading `rampart.toml`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rampart_config::{Config, ConfigError, FILE_NAME};
use rampart_diagnostics::{Finding, SourceFile, Span};
use rampart_linter::rules::meta::invalid_configuration;
use rampart_linter::{Linter, Settings};

/// A configuration in effect for some files.
#[derive(Debug)]
pub struct Loaded {
    /// The directory exception paths are relative to.
    pub root: PathBuf,
    pub source: Option<Arc<SourceFile>>,
    pub config: Config,
    pub linter: Linter,
}

/// A configuration that cannot be used: a finding pointing into it.
#[derive(Debug)]
pub struct Invalid(pub Box<Finding>);

/// Command-line settings that override or extend the file's.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

/// The working directory, read once: it is needed for every path shown.
static CWD: std::sync::LazyLock<Option<PathBuf>> = std::sync::LazyLock::new(|| std::env::current_dir().ok());

pub fn display_path(path: &Path) -> String {
    let shown = match CWD.as_deref().and_then(|c| path.strip_prefix(c).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path.to_path_buf(),
    };
    let s = shown.to_string_lossy().into_owned();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn invalid(path: &Path, text: String, error: ConfigError) -> Invalid {
    let file = SourceFile::new(display_path(path), text);
    let span = Span::new(error.span.start, error.span.end);
    Invalid(Box::new(Finding::new(&invalid_configuration::INFO, file, span, error.message)))
}

pub fn load_file(path: &Path, overrides: &Overrides) -> Result<Loaded, LoadError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| LoadError::Io(format!("cannot read {}: {e}", path.display())))?;
    let config = Config::parse(&text).map_err(|e| LoadError::Invalid(invalid(path, text.clone(), e)))?;
    let mut settings =
        Settings::from_config(&config).map_err(|e| LoadError::Invalid(invalid(path, text.clone(), e)))?;
    apply_overrides(&mut settings, overrides);
    let root = path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    Ok(Loaded { root, source: Some(SourceFile::new(display_path(path), text)), config, linter: Linter::new(&settings) })
}

pub fn defaults(overrides: &Overrides) -> Loaded {
    let mut settings = Settings::default();
    apply_overrides(&mut settings, overrides);
    let root = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    Loaded { root, source: None, config: Config::default(), linter: Linter::new(&settings) }
}

fn apply_overrides(settings: &mut Settings, overrides: &Overrides) {
    if !overrides.select.is_empty() {
        settings.select = overrides.select.clone();
    }
    settings.ignore.extend(overrides.ignore.iter().cloned());
}

#[derive(Debug)]
pub enum LoadError {
    Io(String),
    Invalid(Invalid),
}

/// Finds the nearest `rampart.toml` at or above a directory, caching lookups.
#[derive(Debug, Default)]
pub struct Finder {
    cache: HashMap<PathBuf, Option<PathBuf>>,
}

impl Finder {
    pub fn nearest(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut visited = Vec::new();
        let mut current = Some(dir.to_path_buf());
        let mut found = None;
        while let Some(d) = current {
            if let Some(cached) = self.cache.get(&d) {
                found = cached.clone();
                break;
            }
            visited.push(d.clone());
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                found = Some(candidate);
                break;
            }
            current = d.parent().map(Path::to_path_buf);
        }
        for d in visited {
            self.cache.insert(d, found.clone());
        }
        found
    }
}

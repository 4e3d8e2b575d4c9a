//! Image rules' view of a scanned image ([`rampart_image::ImageScan`]) and the documents
//! their findings point into.
//!
//! An image has no source text, so findings point at synthesised documents that every
//! renderer shows like a file:
//!
//! - `<reference> (config)`: the image configuration pretty-printed as JSON (keys sorted,
//!   two-space indent), every credential in a string redacted in the text itself. Findings
//!   span the key and value at fault (`"User": ""`), the key (`"22/tcp"`), the `Env` entry,
//!   or the redacted credential inside a string.
//! - `<reference> (files)`: one line per file a finding names, sorted by path, as
//!   `layer N: /path  -rwsr-xr-x 0:0 1234567 [capabilities]` (layers counted from 0, the
//!   base layer), and one line per line of a file a finding quotes, as
//!   `layer N: /path:LINE: text` with credentials redacted (secret excerpts, `/etc/shadow`
//!   entries with the password field hidden). It holds only what findings name, so it is
//!   built after every rule ran: rules emit [`Pending`] findings on [`Target`]s, then
//!   [`ImageContext::materialise`] writes the documents and assigns the spans.
//! - `<reference> (image)`: the reference as given and the image's tags.

mod json;
mod text_secrets;
pub mod tools;

use std::collections::BTreeMap;
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rampart_diagnostics::{Finding, RuleInfo, SourceFile, Span};
use rampart_image::ImageScan;
use rampart_image::config::RunConfig;

pub use json::Seg;
pub use text_secrets::{TextSecret, in_assignment, in_text};

/// The findings for one image, and the synthesised documents they point into.
#[derive(Debug, Default)]
pub struct ImageReport {
    pub findings: Vec<Finding>,
    /// Findings hidden by suppressions (images carry none yet: `rampart.toml` exceptions,
    /// matched on the document names, are the caller's).
    pub suppressed: usize,
    /// `<reference> (config)`, `<reference> (image)` and, when findings name files,
    /// `<reference> (files)`.
    pub documents: Vec<Arc<SourceFile>>,
}

/// `[images.allow]` of `rampart.toml`: accepted on top of each rule's built-in list.
#[derive(Clone, Debug, Default)]
pub struct ImageOptions {
    pub setuid: Vec<String>,
    pub setgid: Vec<String>,
    pub capabilities: Vec<String>,
    pub world_writable: Vec<String>,
    pub shells: Vec<String>,
    pub package_managers: Vec<String>,
    pub compilers: Vec<String>,
    pub debuggers: Vec<String>,
    pub download_tools: Vec<String>,
    pub sshd: Vec<String>,
}

impl ImageOptions {
    pub fn from_config(allow: &rampart_config::ImageAllow) -> ImageOptions {
        let list = |v: &[rampart_config::Located<String>]| v.iter().map(|l| l.value.trim().to_string()).collect();
        ImageOptions {
            setuid: list(&allow.setuid),
            setgid: list(&allow.setgid),
            capabilities: list(&allow.capabilities),
            world_writable: list(&allow.world_writable),
            shells: list(&allow.shells),
            package_managers: list(&allow.package_managers),
            compilers: list(&allow.compilers),
            debuggers: list(&allow.debuggers),
            download_tools: list(&allow.download_tools),
            sshd: list(&allow.sshd),
        }
    }
}

/// Tool names and path globs.
#[derive(Debug)]
pub struct AllowList {
    names: Vec<String>,
    paths: GlobSet,
    exact: Vec<String>,
}

impl AllowList {
    /// A built-in list plus configured entries. Entries starting with `/` are paths (globs);
    /// others are names.
    pub fn new(builtin: &[&str], configured: &[String]) -> AllowList {
        let mut names = Vec::new();
        let mut exact = Vec::new();
        let mut globs = GlobSetBuilder::new();
        for entry in builtin.iter().copied().chain(configured.iter().map(String::as_str)) {
            if entry.starts_with('/') {
                exact.push(entry.to_string());
                if let Ok(glob) = Glob::new(entry) {
                    globs.add(glob);
                }
            } else if !entry.is_empty() {
                names.push(entry.to_string());
            }
        }
        AllowList { names, paths: globs.build().unwrap_or_else(|_| GlobSet::empty()), exact }
    }

    pub fn matches_name(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    pub fn matches_path(&self, path: &str) -> bool {
        self.exact.iter().any(|p| p == path) || self.paths.is_match(path)
    }

    /// A path, or its file name.
    pub fn allows(&self, path: &str) -> bool {
        self.matches_path(path) || self.matches_name(rampart_image::path::file_name(path))
    }
}

/// Where a finding points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A key and its value in the configuration (`"User": ""`); a missing key points at the
    /// closest enclosing key that is there.
    Config(Vec<Seg>),
    /// Only the key (`"22/tcp"`), or an array element.
    ConfigKey(Vec<Seg>),
    /// The `n`-th redacted credential of a configuration string.
    ConfigSecret(Vec<Seg>, usize),
    /// The reference as the user gave it.
    Reference,
    /// One of the image's tags.
    Tag(String),
    /// A file of the final filesystem: its line in the file listing.
    File(String),
    /// A line of a file, already redacted: `span` is within `text`.
    Line { path: String, layer: usize, line: usize, text: String, span: std::ops::Range<usize> },
}

/// A finding before the documents exist.
#[derive(Debug)]
pub struct Pending {
    pub rule: &'static RuleInfo,
    pub target: Target,
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
    pub related: Vec<(Target, String)>,
}

impl Pending {
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, target: Target, message: impl Into<String>) -> Self {
        self.related.push((target, message.into()));
        self
    }
}

/// What image rules see.
#[derive(Debug)]
pub struct ImageContext<'a> {
    pub image: &'a ImageScan,
    pub options: &'a ImageOptions,
    /// `config.config`, or an empty one.
    pub run: RunConfig,
    /// The parsed configuration, as printed.
    pub config: serde_json::Value,
    printed: json::Printed,
}

/// Key path helper: `path(&["config", "User"])`.
pub fn path(keys: &[&str]) -> Vec<Seg> {
    keys.iter().map(|k| Seg::Key((*k).to_string())).collect()
}

impl<'a> ImageContext<'a> {
    pub fn new(image: &'a ImageScan, options: &'a ImageOptions) -> ImageContext<'a> {
        let config: serde_json::Value = serde_json::from_slice(&image.config_bytes).unwrap_or(serde_json::Value::Null);
        let printed = json::print(&config);
        ImageContext { image, options, run: image.config.run(), config, printed }
    }

    pub fn finding(&self, rule: &'static RuleInfo, target: Target, message: impl Into<String>) -> Pending {
        Pending { rule, target, message: message.into(), label: None, help: None, related: Vec::new() }
    }

    /// Whether the printed configuration has this path.
    pub fn has(&self, path: &[Seg]) -> bool {
        self.printed.places.contains_key(path)
    }

    /// The target for a file's line in `/etc/passwd`-like retained files.
    pub fn retained_line(&self, file: &str, line: usize, text: &str, span: std::ops::Range<usize>) -> Target {
        let resolved = self.image.fs.resolve_path(file).unwrap_or_else(|_| file.to_string());
        let layer = self.image.fs.get(&resolved).map_or(0, |e| e.layer);
        Target::Line { path: resolved, layer, line, text: text.to_string(), span }
    }

    /// Writes the documents and turns pending findings into findings.
    pub fn materialise(&self, pending: Vec<Pending>) -> (Vec<Finding>, Vec<Arc<SourceFile>>) {
        let reference = &self.image.reference;
        let config_doc = SourceFile::new(format!("{reference} (config)"), self.printed.text.clone());

        let mut image_text = format!("reference: {reference}\ntags: ");
        let mut tag_spans = BTreeMap::new();
        if self.image.tags.is_empty() {
            image_text.push_str("(none)");
        }
        for (n, tag) in self.image.tags.iter().enumerate() {
            if n > 0 {
                image_text.push_str(", ");
            }
            let start = image_text.len();
            image_text.push_str(tag);
            tag_spans.entry(tag.clone()).or_insert(Span::new(start, image_text.len()));
        }
        image_text.push('\n');
        let reference_span = Span::new("reference: ".len(), "reference: ".len() + reference.len());
        let image_doc = SourceFile::new(format!("{reference} (image)"), image_text);

        // (path, layer, line) → line text and span within it; line 0 is the file's own line.
        let mut lines: BTreeMap<(String, usize, usize), (String, std::ops::Range<usize>)> = BTreeMap::new();
        let targets = pending.iter().flat_map(|p| std::iter::once(&p.target).chain(p.related.iter().map(|(t, _)| t)));
        for target in targets {
            match target {
                Target::File(path) => {
                    if let Some(entry) = self.image.fs.get(path) {
                        let mut text = format!("layer {}: {}  ", entry.layer, entry.path);
                        let _ = std::fmt::Write::write_fmt(
                            &mut text,
                            format_args!("{} {}:{} {}", entry.mode_string(), entry.uid, entry.gid, entry.size),
                        );
                        if let Some(caps) = &entry.capabilities {
                            text.push(' ');
                            text.push_str(&caps.render());
                        }
                        let start = format!("layer {}: ", entry.layer).len();
                        lines.insert((path.clone(), entry.layer, 0), (text, start..start + entry.path.len()));
                    }
                }
                Target::Line { path, layer, line, text, span } => {
                    let prefix = format!("layer {layer}: {path}:{line}: ");
                    let span = prefix.len() + span.start..prefix.len() + span.end;
                    lines.insert((path.clone(), *layer, *line), (format!("{prefix}{text}"), span));
                }
                _ => {}
            }
        }
        let mut files_text = String::new();
        let mut line_spans = BTreeMap::new();
        for (key, (text, span)) in lines {
            let start = files_text.len();
            // A line never holds a newline: a hostile path or excerpt could otherwise forge lines.
            files_text.push_str(&text.replace(['\n', '\r'], " "));
            files_text.push('\n');
            line_spans.insert(key, Span::new(start + span.start, start + span.end));
        }
        let files_doc = SourceFile::new(format!("{reference} (files)"), files_text);

        let locate = |target: &Target| -> (Arc<SourceFile>, Span) {
            match target {
                Target::Config(p) | Target::ConfigKey(p) | Target::ConfigSecret(p, _) => {
                    let mut p = p.as_slice();
                    let exact = self.printed.places.contains_key(p);
                    while !self.printed.places.contains_key(p) && !p.is_empty() {
                        p = &p[..p.len() - 1];
                    }
                    let place = self.printed.places.get(p).cloned().unwrap_or_default();
                    let span = match target {
                        _ if !exact => place.key,
                        Target::Config(_) => Span::new(place.key.start, place.value.end),
                        Target::ConfigSecret(_, n) => place.secrets.get(*n).copied().unwrap_or(place.value),
                        _ => place.key,
                    };
                    (Arc::clone(&config_doc), span)
                }
                Target::Reference => (Arc::clone(&image_doc), reference_span),
                Target::Tag(tag) => (Arc::clone(&image_doc), tag_spans.get(tag).copied().unwrap_or(reference_span)),
                Target::File(path) => {
                    let layer = self.image.fs.get(path).map_or(0, |e| e.layer);
                    (Arc::clone(&files_doc), line_spans.get(&(path.clone(), layer, 0)).copied().unwrap_or_default())
                }
                Target::Line { path, layer, line, .. } => (
                    Arc::clone(&files_doc),
                    line_spans.get(&(path.clone(), *layer, *line)).copied().unwrap_or_default(),
                ),
            }
        };
        let mut findings = Vec::with_capacity(pending.len());
        for p in &pending {
            let (file, span) = locate(&p.target);
            let mut f = Finding::new(p.rule, file, span, p.message.clone());
            f.label = p.label.clone();
            f.help = p.help.clone();
            for (target, message) in &p.related {
                let (file, span) = locate(target);
                f = f.with_related(file, span, message.clone());
            }
            findings.push(f);
        }
        let mut documents = vec![config_doc, image_doc];
        if !files_doc.text().is_empty() {
            documents.push(files_doc);
        }
        (findings, documents)
    }
}

/// `name:password:...` lines of `/etc/passwd`, `/etc/group` and `/etc/shadow`.
#[derive(Debug)]
pub struct AccountLine<'t> {
    /// 1-based.
    pub line: usize,
    pub text: &'t str,
    pub fields: Vec<&'t str>,
    /// Byte offset of each field in `text`.
    pub offsets: Vec<usize>,
}

/// The entries of a colon-separated account file (comments and blank lines skipped).
pub fn account_lines(text: &str) -> Vec<AccountLine<'_>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = Vec::new();
        let mut offsets = Vec::new();
        let mut at = 0;
        for field in line.split(':') {
            fields.push(field);
            offsets.push(at);
            at += field.len() + 1;
        }
        out.push(AccountLine { line: n + 1, text: line, fields, offsets });
    }
    out
}

impl ImageContext<'_> {
    /// A retained file as text.
    pub fn retained_text(&self, path: &str) -> Option<String> {
        self.image.retained_file(path).map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

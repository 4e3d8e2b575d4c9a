//! Output formats. Every renderer takes the same [`Report`] and writes to any `io::Write`.

mod concise;
mod github;
mod human;
pub mod json;
pub mod sarif;

use std::io;

use crate::finding::{Finding, RuleInfo, Summary};

pub use human::{render_fix_diff, unified_diff};

/// Output formats accepted by `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Annotated source snippets, the help line and the fix as a diff.
    Human,
    /// One line per finding: `path:line:column: severity[CODE] message`.
    Concise,
    /// The versioned JSON document described in `docs/json-output.md`.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "human" | "full" => Format::Human,
            "concise" => Format::Concise,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "github" => Format::Github,
            _ => return None,
        })
    }
}

/// Everything a renderer needs: the findings (already sorted and filtered), the run's totals,
/// and the rules that were enabled (SARIF lists them even when they found nothing).
#[derive(Debug)]
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub summary: &'a Summary,
    pub rules: &'a [&'static RuleInfo],
    /// Tool version written into JSON and SARIF.
    pub tool_version: &'a str,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// ANSI colour; renderers never decide this themselves.
    pub color: bool,
    /// Terminal width for the human renderer; `None` means no wrapping limit.
    pub width: Option<usize>,
}

pub fn render(format: Format, report: &Report<'_>, options: RenderOptions, out: &mut dyn io::Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, options, out),
        Format::Concise => concise::render(report, options, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
    }
}

/// `1 finding`, `2 findings`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// `2 errors, 1 warning` (zero counts left out).
pub(crate) fn severity_counts(s: &Summary) -> String {
    [(s.errors, "error"), (s.warnings, "warning"), (s.notes, "note")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| plural(n, w))
        .collect::<Vec<_>>()
        .join(", ")
}

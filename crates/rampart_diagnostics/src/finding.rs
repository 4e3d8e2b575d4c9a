use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::fix::{Applicability, Fix};
use crate::source::{SourceFile, Span};

/// How serious a finding is. Ordered: `Note < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Note, Severity::Warning, Severity::Error];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "note" => Ok(Severity::Note),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!("`{other}` is not a severity (expected note, warning or error)")),
        }
    }
}

/// Whether, and how safely, a rule can fix what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FixAvailability {
    None,
    Always(Applicability),
    /// The applicability depends on the finding (for example, safe when the image user is known).
    Varies,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Always(a) => a.as_str(),
            FixAvailability::Varies => "varies",
        }
    }
}

/// Everything rampart knows about a rule, generated from the rule's source file: its doc
/// comment is `docs`, so the reference pages, `rampart rule CODE` and the SARIF rule
/// descriptions cannot drift apart.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable code, never reused: `DF` Dockerfile, `KS` posture, `IM` image, `SC` supply
    /// chain, `RT` runtime, `RP` rampart itself (configuration and suppressions).
    pub code: &'static str,
    /// Kebab-case name; accepted wherever a code is.
    pub name: &'static str,
    pub default_severity: Severity,
    /// Whether the rule runs unless selected explicitly.
    pub enabled_by_default: bool,
    /// Categories (`user`, `secrets`, …) and standard identifiers (`cis-docker:4.1`, `cwe:250`).
    pub tags: &'static [&'static str],
    /// The same check in other tools and standards, as `tool:ID`.
    pub equivalents: &'static [&'static str],
    pub fix: FixAvailability,
    /// The rule's doc comment as written (`///` lines joined, each still starting with the
    /// space after `///`): first line the summary, then `## What it does`, `## Why`, …
    pub docs: &'static str,
}

impl RuleInfo {
    /// The documentation as Markdown, without the doc-comment indentation.
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_matches('\n').to_string() + "\n"
    }

    /// The first line of the documentation.
    pub fn summary(&self) -> String {
        self.docs.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or(self.name).to_string()
    }

    /// The documentation without its summary line.
    pub fn body(&self) -> String {
        let docs = self.documentation();
        let docs = docs.trim_start();
        match docs.find('\n') {
            Some(i) => docs[i + 1..].trim_matches('\n').to_string(),
            None => String::new(),
        }
    }

    pub fn url(&self) -> String {
        format!("{}{}", crate::RULE_DOCS_BASE_URL, self.code)
    }

    /// Whether `selector` (a code, a code prefix such as `DF0`, a name or a tag) picks this rule.
    pub fn matches(&self, selector: &str) -> bool {
        let selector = selector.trim();
        selector.eq_ignore_ascii_case("all")
            || self.code.eq_ignore_ascii_case(selector)
            || (selector.len() >= 2
                && self.code.len() >= selector.len()
                && self.code[..selector.len()].eq_ignore_ascii_case(selector)
                && selector.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && selector[..2].chars().all(|c| c.is_ascii_alphabetic()))
            || self.name == selector
            || self.tags.contains(&selector)
    }
}

/// Another place that explains a finding, such as the config line that made the decision.
#[derive(Clone, Debug)]
pub struct Related {
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub message: String,
}

/// One problem, at one place, found by one rule.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static RuleInfo,
    pub severity: Severity,
    pub message: String,
    pub file: Arc<SourceFile>,
    pub span: Span,
    /// Short text shown under the underlined span.
    pub label: Option<String>,
    pub related: Vec<Related>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(rule: &'static RuleInfo, file: Arc<SourceFile>, span: Span, message: impl Into<String>) -> Self {
        let span = file.clamp_span(span);
        Finding {
            rule,
            severity: rule.default_severity,
            message: message.into(),
            file,
            span,
            label: None,
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_related(mut self, file: Arc<SourceFile>, span: Span, message: impl Into<String>) -> Self {
        let span = file.clamp_span(span);
        self.related.push(Related { file, span, message: message.into() });
        self
    }

    /// Ordering used by every renderer: path, then position, then code.
    pub fn sort_key(&self) -> (&str, usize, usize, &'static str) {
        (self.file.name(), self.span.start, self.span.end, self.rule.code)
    }
}

/// Totals shown at the end of a run and in the JSON `summary`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub suppressed: usize,
    pub fixable: FixableCounts,
    /// Findings fixed by this run (`rampart fix`); 0 for `rampart check`.
    pub fixed: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FixableCounts {
    pub safe: usize,
    #[serde(rename = "unsafe")]
    pub unsafe_: usize,
    pub display_only: usize,
}

impl Summary {
    pub fn from_findings(findings: &[Finding], files: usize, suppressed: usize) -> Summary {
        let mut s = Summary { files, suppressed, findings: findings.len(), ..Summary::default() };
        for f in findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Note => s.notes += 1,
            }
            match f.fix.as_ref().map(|f| f.applicability) {
                Some(Applicability::Safe) => s.fixable.safe += 1,
                Some(Applicability::Unsafe) => s.fixable.unsafe_ += 1,
                Some(Applicability::DisplayOnly) => s.fixable.display_only += 1,
                None => {}
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static RULE: RuleInfo = RuleInfo {
        code: "DF001",
        name: "final-stage-runs-as-root",
        default_severity: Severity::Error,
        enabled_by_default: true,
        tags: &["user", "cis-docker:4.1"],
        equivalents: &[],
        fix: FixAvailability::None,
        docs: " The final stage runs as root.\n\n## Why\nBecause.\n",
    };

    #[test]
    fn selectors_match_code_prefix_name_and_tag() {
        assert!(RULE.matches("DF001"));
        assert!(RULE.matches("df001"));
        assert!(RULE.matches("DF"));
        assert!(RULE.matches("DF0"));
        assert!(!RULE.matches("DF1"));
        assert!(!RULE.matches("D"));
        assert!(RULE.matches("final-stage-runs-as-root"));
        assert!(RULE.matches("user"));
        assert!(RULE.matches("cis-docker:4.1"));
        assert!(!RULE.matches("secrets"));
        assert!(!RULE.matches("01"));
    }

    #[test]
    fn summary_and_body_split_the_docs() {
        assert_eq!(RULE.summary(), "The final stage runs as root.");
        assert_eq!(RULE.body(), "## Why\nBecause.");
    }
}

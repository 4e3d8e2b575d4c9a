//! Findings, source spans, fixes and the renderers every rampart command shares.
//!
//! A [`Finding`] always points into a [`SourceFile`] by byte [`Span`]; line and column are
//! derived on output, never stored, so a finding can be moved, filtered and fixed without
//! positions going stale. Artifacts without source text (an image layer, a package list)
//! get a synthesised [`SourceFile`] so every renderer can show them like any other file.

mod finding;
mod fix;
pub mod render;
mod source;

pub use finding::{Finding, FixAvailability, FixableCounts, Related, RuleInfo, Severity, Summary};
pub use fix::{Applicability, Edit, EditError, Fix, NewFile, apply_edits};
pub use source::{Position, SourceFile, Span};

/// The base address of the rule reference pages; `RuleInfo::url` appends the rule code.
pub const RULE_DOCS_BASE_URL: &str = "https://rampart.dev/rules/";

//! The JSON output, version 1. The contract is documented in `docs/json-output.md` and
//! `docs/schema/findings-v1.schema.json`; fields are only ever added, never renamed.

use std::io;

use serde::Serialize;

use super::Report;
use crate::{Finding, Summary};

pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool<'a>,
    findings: Vec<JsonFinding<'a>>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: crate::Severity,
    pub message: &'a str,
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Byte offsets of the span, for tools that edit the file.
    pub start_byte: usize,
    pub end_byte: usize,
    pub help: Option<&'a str>,
    pub fix: Option<JsonFix<'a>>,
    pub related: Vec<JsonRelated<'a>>,
    pub equivalents: &'static [&'static str],
    pub tags: &'static [&'static str],
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct JsonFix<'a> {
    pub applicability: crate::Applicability,
    pub message: &'a str,
    pub edits: Vec<JsonEdit<'a>>,
    pub new_files: Vec<JsonNewFile<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonNewFile<'a> {
    /// Relative to the directory of the finding's file.
    pub path: &'a str,
    pub content: &'a str,
}

#[derive(Debug, Serialize)]
pub struct JsonEdit<'a> {
    pub start_byte: usize,
    pub end_byte: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub content: &'a str,
}

#[derive(Debug, Serialize)]
pub struct JsonRelated<'a> {
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: &'a str,
}

pub fn finding_to_json(f: &Finding) -> JsonFinding<'_> {
    let start = f.file.position(f.span.start);
    let end = f.file.position(f.span.end);
    JsonFinding {
        code: f.rule.code,
        name: f.rule.name,
        severity: f.severity,
        message: &f.message,
        path: f.file.name(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        start_byte: f.span.start,
        end_byte: f.span.end,
        help: f.help.as_deref(),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability,
            message: &fix.message,
            edits: fix
                .edits
                .iter()
                .map(|e| {
                    let s = f.file.position(e.span.start);
                    let t = f.file.position(e.span.end);
                    JsonEdit {
                        start_byte: e.span.start,
                        end_byte: e.span.end,
                        line: s.line,
                        column: s.column,
                        end_line: t.line,
                        end_column: t.column,
                        content: &e.content,
                    }
                })
                .collect(),
            new_files: fix.new_files.iter().map(|n| JsonNewFile { path: &n.path, content: &n.content }).collect(),
        }),
        related: f
            .related
            .iter()
            .map(|r| {
                let s = r.file.position(r.span.start);
                let t = r.file.position(r.span.end);
                JsonRelated {
                    path: r.file.name(),
                    line: s.line,
                    column: s.column,
                    end_line: t.line,
                    end_column: t.column,
                    message: &r.message,
                }
            })
            .collect(),
        equivalents: f.rule.equivalents,
        tags: f.rule.tags,
        url: f.rule.url(),
    }
}

pub(super) fn render(report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    let doc = Document {
        version: JSON_VERSION,
        tool: Tool { name: "rampart", version: report.tool_version },
        findings: report.findings.iter().map(finding_to_json).collect(),
        summary: report.summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

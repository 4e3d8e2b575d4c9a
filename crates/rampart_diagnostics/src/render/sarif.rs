//! SARIF 2.1.0 output. Validated in CI with Microsoft's SARIF multitool; rule descriptions
//! come from the rule documentation.

use std::collections::BTreeMap;
use std::io;

use serde_json::{Value, json};

use super::Report;
use crate::{Finding, RuleInfo, Severity, SourceFile, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub code scanning ranks security results by this number (0.0–10.0).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Note => "2.0",
    }
}

/// `final-stage-runs-as-root` → `FinalStageRunsAsRoot`: SARIF recommends Pascal case names.
fn pascal_case(kebab: &str) -> String {
    kebab
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Percent-encodes a path so it is a valid URI reference (RFC 3986), keeping `/`.
pub fn path_to_uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn artifact_location(name: &str) -> Value {
    if let Some(stripped) = name.strip_prefix('/') {
        json!({ "uri": format!("file:///{}", path_to_uri_reference(stripped)) })
    } else {
        json!({ "uri": path_to_uri_reference(name), "uriBaseId": SRCROOT })
    }
}

fn region(file: &SourceFile, span: Span, with_snippet: bool) -> Value {
    let start = file.position(span.start);
    let end = file.position(span.end);
    let mut region = json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    });
    if with_snippet && !span.is_empty() {
        region["snippet"] = json!({ "text": file.slice(span) });
    }
    region
}

fn rule_descriptor(rule: &RuleInfo) -> Value {
    let mut tags: Vec<&str> = vec!["security"];
    tags.extend(rule.tags.iter().copied().filter(|t| *t != "security"));
    json!({
        "id": rule.code,
        "name": pascal_case(rule.name),
        "shortDescription": { "text": rule.summary() },
        "fullDescription": { "text": first_paragraph(&rule.body()).unwrap_or(&rule.summary()) },
        "help": { "text": rule.documentation(), "markdown": rule.documentation() },
        "helpUri": rule.url(),
        "defaultConfiguration": { "level": level(rule.default_severity) },
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": security_severity(rule.default_severity),
            "equivalents": rule.equivalents,
        },
    })
}

/// The first prose paragraph after the `## What it does` heading.
fn first_paragraph(body: &str) -> Option<&str> {
    let after = body.split_once("## What it does").map(|(_, rest)| rest).unwrap_or(body);
    after.split("\n\n").map(str::trim).find(|p| !p.is_empty() && !p.starts_with('#'))
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut message = f.message.clone();
    if !message.ends_with('.') {
        message.push('.');
    }
    if let Some(help) = &f.help {
        message.push(' ');
        message.push_str(help);
        if !help.ends_with('.') {
            message.push('.');
        }
    }
    let mut result = json!({
        "ruleId": f.rule.code,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(f.file.name()),
                "region": region(&f.file, f.span, true),
            }
        }],
    });
    if !f.related.is_empty() {
        result["relatedLocations"] = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                json!({
                    "id": i + 1,
                    "message": { "text": r.message },
                    "physicalLocation": {
                        "artifactLocation": artifact_location(r.file.name()),
                        "region": region(&r.file, r.span, false),
                    },
                })
            })
            .collect();
    }
    if let Some(fix) = &f.fix
        && !fix.edits.is_empty()
    {
        result["fixes"] = json!([{
            "description": { "text": format!("{} ({} fix)", fix.message, fix.applicability) },
            "artifactChanges": [{
                "artifactLocation": artifact_location(f.file.name()),
                "replacements": fix.edits.iter().map(|e| json!({
                    "deletedRegion": region(&f.file, e.span, false),
                    "insertedContent": { "text": e.content },
                })).collect::<Vec<_>>(),
            }],
        }]);
    }
    result
}

pub(super) fn render(report: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
    // Rules that were enabled, plus any rule a finding came from (meta rules may fire
    // without being "enabled"), in code order, each once.
    let mut rules: BTreeMap<&str, &RuleInfo> = report.rules.iter().map(|r| (r.code, *r)).collect();
    for f in report.findings {
        rules.entry(f.rule.code).or_insert(f.rule);
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, code)| (*code, i)).collect();
    let cwd = std::env::current_dir().ok().map(|d| {
        let mut s = d.to_string_lossy().into_owned();
        if !s.ends_with('/') {
            s.push('/');
        }
        format!("file://{}", path_to_uri_reference(&s))
    });
    let mut run = json!({
        "tool": { "driver": {
            "name": "rampart",
            "fullName": "rampart container hardening",
            "version": report.tool_version,
            "semanticVersion": report.tool_version,
            "informationUri": "https://rampart.dev/",
            "rules": rules.values().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
        }},
        "columnKind": "unicodeCodePoints",
        "results": report.findings.iter().map(|f| result(f, index[f.rule.code])).collect::<Vec<_>>(),
    });
    if let Some(cwd) = cwd {
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": cwd } });
    }
    let doc = json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": [run] });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal_case("final-stage-runs-as-root"), "FinalStageRunsAsRoot");
        assert_eq!(path_to_uri_reference("a b/ü.txt"), "a%20b/%C3%BC.txt");
        assert_eq!(artifact_location("/etc/x")["uri"], "file:///etc/x");
        assert_eq!(artifact_location("x/Dockerfile")["uriBaseId"], SRCROOT);
    }
}

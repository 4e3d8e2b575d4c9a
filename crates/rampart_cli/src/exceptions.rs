//! `[[exceptions]]` of rampart.toml: hide findings for a stated reason, until a date.

use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use rampart_config::{Date, Exception};
use rampart_diagnostics::{Finding, Span};
use rampart_linter::rules::meta::{expired_exception, unused_exception};

use crate::config::Loaded;

struct Compiled<'a> {
    exception: &'a Exception,
    paths: Vec<GlobMatcher>,
    expired: bool,
    used: bool,
}

fn compile(pattern: &str) -> Option<GlobMatcher> {
    let pattern = pattern.trim_start_matches("./");
    // A pattern without a slash matches a file name anywhere, as in .gitignore.
    let pattern = if pattern.contains('/') { pattern.to_string() } else { format!("**/{pattern}") };
    Glob::new(&pattern).ok().map(|g| g.compile_matcher())
}

/// Applies the exceptions of `cfg` to `findings` (each with its path relative to the config
/// root). Returns how many were hidden and findings about the exceptions themselves.
/// `covered` says whether this run checked everything under the config root, so an
/// exception that matched nothing can be called unused.
pub fn apply(cfg: &Loaded, findings: &mut Vec<(Finding, String)>, today: Date, covered: bool) -> (usize, Vec<Finding>) {
    let Some(source) = &cfg.source else { return (0, Vec::new()) };
    let mut compiled: Vec<Compiled<'_>> = cfg
        .config
        .exceptions
        .iter()
        .map(|e| Compiled {
            exception: e,
            paths: e.paths.iter().filter_map(|p| compile(&p.value)).collect(),
            expired: e.expires.is_some_and(|d| d < today),
            used: false,
        })
        .collect();
    let before = findings.len();
    findings.retain(|(finding, rel)| {
        let mut keep = true;
        for c in compiled.iter_mut() {
            let rule_ok =
                c.exception.rules.is_empty() || c.exception.rules.iter().any(|r| finding.rule.matches(&r.value));
            let ids_ok = c.exception.vulnerabilities.is_empty()
                || c.exception
                    .vulnerabilities
                    .iter()
                    .any(|id| vulnerability_ids(finding).any(|i| i.eq_ignore_ascii_case(&id.value)));
            let rule_ok = rule_ok && ids_ok;
            let path_ok = c.exception.paths.is_empty() || c.paths.iter().any(|m| m.is_match(rel));
            if rule_ok && path_ok {
                c.used = true;
                if !c.expired {
                    keep = false;
                }
            }
        }
        keep
    });
    let hidden = before - findings.len();
    let mut meta = Vec::new();
    for c in &compiled {
        let e = c.exception;
        let owner = e.owner.as_deref().map(|o| format!(" (owner: {o})")).unwrap_or_default();
        if c.expired {
            let span = e.expires_span.clone().unwrap_or(e.span.clone());
            let what =
                if c.used { "the findings it covered are reported again" } else { "it matched nothing in this run" };
            meta.push(
                Finding::new(
                    &expired_exception::INFO,
                    Arc::clone(source),
                    Span::new(span.start, span.end),
                    format!(
                        "exception expired on {}{owner}: {what}",
                        e.expires.map(|d| d.to_string()).unwrap_or_default()
                    ),
                )
                .with_help(
                    "fix the findings, or renew the exception with a new `expires` date and an up-to-date reason",
                ),
            );
        } else if !c.used && covered {
            meta.push(
                Finding::new(
                    &unused_exception::INFO,
                    Arc::clone(source),
                    Span::new(e.span.start, e.span.end),
                    format!("this exception hid no finding{owner}"),
                )
                .with_help("delete it if the problem was fixed, or correct its `rules` and `paths`"),
            );
        }
    }
    cfg.linter.finalize(&mut meta);
    (hidden, meta)
}

/// The vulnerability ids a `VN` finding lists: its label is `ID (also ID, ID)`.
fn vulnerability_ids(finding: &Finding) -> impl Iterator<Item = &str> {
    let label = if finding.rule.code.starts_with("VN") { finding.label.as_deref().unwrap_or("") } else { "" };
    label.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',')).filter(|t| !t.is_empty() && *t != "also")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_like_gitignore() {
        assert!(compile("Dockerfile").unwrap().is_match("svc/a/Dockerfile"));
        assert!(compile("legacy/**").unwrap().is_match("legacy/x/Dockerfile"));
        assert!(!compile("legacy/**").unwrap().is_match("new/legacy2/Dockerfile"));
        assert!(compile("./svc/*/Dockerfile").unwrap().is_match("svc/api/Dockerfile"));
    }
}

//! Vulnerability matches as findings.
//!
//! They point into a synthesised document, `<target> (packages)`, with one line per
//! vulnerable package: where it was found (the layer and the file that evidences it, or the
//! lockfile), its ecosystem, name and version, and the source package it was matched
//! through. Each merged vulnerability is one finding on its package's name, under the rule of
//! its severity band (`VN001` critical … `VN004` low or unrated).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use rampart_diagnostics::{Finding, SourceFile, Span};
use rampart_versions::cvss::Rating;
use rampart_vuln::Vulnerability;

use crate::Linter;
use crate::rules::vuln::{
    vn001_critical_vulnerability, vn002_high_vulnerability, vn003_medium_vulnerability, vn004_low_vulnerability,
};

/// Findings for `vulnerabilities` of `target` (an image reference or a directory), and the
/// document they point into (`None` when there is nothing to report).
pub fn findings(
    linter: &Linter,
    target: &str,
    vulnerabilities: &[Vulnerability],
    layered: bool,
) -> (Vec<Finding>, Option<Arc<SourceFile>>) {
    if vulnerabilities.is_empty() {
        return (Vec::new(), None);
    }
    // One line per package (several vulnerabilities share it), in a stable order.
    let key = |v: &Vulnerability| (v.ecosystem.purl_type(), v.package.clone(), v.version.clone());
    let mut packages: BTreeMap<(&str, String, String), &Vulnerability> = BTreeMap::new();
    for v in vulnerabilities {
        packages.entry(key(v)).or_insert(v);
    }
    let mut text = String::new();
    let mut name_spans = BTreeMap::new();
    for (package, v) in packages {
        let location = v.locations.first();
        let place = match location {
            Some(l) if layered => format!("layer {}: {}", l.layer, l.path),
            Some(l) => l.path.clone(),
            None => String::from("-"),
        };
        let _ = write!(text, "{} ", v.ecosystem);
        let start = text.len();
        text.push_str(&v.package);
        let end = text.len();
        let _ = write!(text, " {}", v.version);
        if v.matched_name != v.package || v.matched_version != v.version {
            let _ = write!(text, " (source {} {})", v.matched_name, v.matched_version);
        }
        let _ = write!(text, "  in {place}");
        text.push('\n');
        name_spans.insert(package, Span::new(start, end));
    }
    let file = SourceFile::new(format!("{target} (packages)"), text);
    let mut out = Vec::new();
    for v in vulnerabilities {
        let Some(span) = name_spans.get(&key(v)) else { continue };
        let info = match v.rating {
            Some(Rating::Critical) => &vn001_critical_vulnerability::INFO,
            Some(Rating::High) => &vn002_high_vulnerability::INFO,
            Some(Rating::Medium) => &vn003_medium_vulnerability::INFO,
            _ => &vn004_low_vulnerability::INFO,
        };
        let rating = match (v.rating, v.score) {
            (_, Some(score)) => format!("{} {score:.1}", v.severity_name()),
            (Some(_), None) => v.severity_name().to_string(),
            (None, None) => "unrated".to_string(),
        };
        let others: Vec<&str> = v.ids.iter().filter(|i| **i != v.id).map(String::as_str).collect();
        let mut message = format!("{} {} is affected by {} ({rating})", v.package, v.version, v.id);
        if let Some(summary) = &v.summary {
            let summary: String = summary.chars().take(160).collect();
            let _ = write!(message, ": {}", summary.trim());
        }
        let mut help = if v.fixed.is_empty() {
            String::from("no fixed version is known yet")
        } else {
            format!("fixed in {}: upgrade {}", v.fixed.join(", "), v.package)
        };
        if !v.urls.is_empty() {
            let urls: Vec<&str> = v.urls.iter().take(3).map(String::as_str).collect();
            let _ = write!(help, "; advisories: {}", urls.join(" "));
        }
        let label = if others.is_empty() { v.id.clone() } else { format!("{} (also {})", v.id, others.join(", ")) };
        out.push(Finding::new(info, Arc::clone(&file), *span, message).with_label(label).with_help(help));
    }
    linter.finalize(&mut out);
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    (out, Some(file))
}

//! Fixture files: `tests/fixtures/<CODE>.txt`, one per rule, holding cases:
//!
//! ```text
//! ### fail: what this case shows
//! #! [images]                       <- optional rampart.toml lines for this case
//! #! trusted-registries = ["gcr.io"]
//! FROM debian:12
//! ### pass: what this case shows
//! FROM gcr.io/distroless/static
//! ```
//!
//! A `fail` case must make the rule report at least once, a `pass` case never.
//!
//! A Kubernetes case is also one project: its documents go through `Linter::check_project`
//! as if given together on the command line, so rules across files (a namespace's
//! NetworkPolicies and workloads) are tested on the case's objects.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use rampart_diagnostics::SourceFile;
use rampart_linter::{FileKind, Finding, Linter, Settings};

#[derive(Debug)]
pub struct Case {
    pub fail: bool,
    pub title: String,
    pub config: String,
    pub source: String,
    /// 1-based line of the case header in the fixture file.
    pub line: usize,
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let header = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = header.strip_prefix("### ") {
            let (kind, title) = rest.split_once(':').unwrap_or((rest, ""));
            let fail = match kind.trim() {
                "fail" => true,
                "pass" => false,
                other => panic!("fixture line {}: case kind must be `fail` or `pass`, not `{other}`", n + 1),
            };
            cases.push(Case {
                fail,
                title: title.trim().to_string(),
                config: String::new(),
                source: String::new(),
                line: n + 1,
            });
            continue;
        }
        let Some(case) = cases.last_mut() else {
            assert!(
                header.trim().is_empty() || header.starts_with("//"),
                "fixture line {}: text before the first case",
                n + 1
            );
            continue;
        };
        if case.source.is_empty()
            && let Some(cfg) = header.strip_prefix("#!")
        {
            case.config.push_str(cfg.strip_prefix(' ').unwrap_or(cfg));
            case.config.push('\n');
            continue;
        }
        case.source.push_str(line);
    }
    cases
}

#[path = "support/image_fixture.rs"]
pub mod image_fixture;

/// Runs only `code` (meta rules stay on) with the case's configuration. Image rules (`IM`)
/// read the case as an image description ([`image_fixture`]).
pub fn run_case(code: &str, case: &Case, name: &str) -> (Arc<SourceFile>, Vec<Finding>) {
    let mut settings = if case.config.trim().is_empty() {
        Settings::default()
    } else {
        let cfg =
            rampart_config::Config::parse(&case.config).unwrap_or_else(|e| panic!("{name}: bad case config: {e}"));
        Settings::from_config(&cfg).unwrap_or_else(|e| panic!("{name}: bad case config: {e}"))
    };
    settings.select = vec![code.to_string()];
    let linter = Linter::new(&settings);
    let file = SourceFile::new(name, case.source.clone());
    if code.starts_with("VN") {
        // An image fixture, plus `osv: {record}` lines: the advisories the image is matched against.
        let (mut image_text, mut advisories) = (String::new(), Vec::new());
        for line in case.source.split_inclusive('\n') {
            match line.strip_prefix("osv: ") {
                Some(json) => {
                    let record: serde_json::Value =
                        serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: bad OSV record: {e}"));
                    advisories.extend(rampart_vuln::osv::advisories(&record));
                }
                None => image_text.push_str(line),
            }
        }
        let image = image_fixture::ImageFixture::parse(&image_text).scan(name);
        let source = rampart_vuln::osv::InMemory(advisories);
        let (found, _) = rampart_vuln::match_inventory(&image.inventory, &source).unwrap();
        return (file, rampart_linter::vuln::findings(&linter, name, &found, true).0);
    }
    if code.starts_with("IM") {
        let image = image_fixture::ImageFixture::parse(&case.source).scan(name);
        return (file, linter.check_image(&image).findings);
    }
    let kind = rampart_linter::recognize::by_content(&case.source).unwrap_or(FileKind::Dockerfile);
    let report = linter.check(&file, kind);
    let mut findings = report.findings;
    if kind == FileKind::Kubernetes {
        let project = [(Arc::clone(&file), report.documents)];
        findings.extend(linter.check_project(&project).0);
    }
    (file, findings)
}

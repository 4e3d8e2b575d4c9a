use std::collections::HashMap;
use std::sync::Arc;

use rampart_diagnostics::{Finding, RuleInfo, Severity, SourceFile, Span};

use crate::dockerfile::DockerfileContext;
use crate::image::{ImageContext, ImageReport};
use crate::manifest::{ManifestContext, ProjectContext};
use crate::rules::meta::{dockerfile_syntax_error, input_too_large, manifest_syntax_error};
use crate::settings::is_meta;
use crate::{FileKind, Rule, RuleOptions, Settings, suppress};

/// The findings for one file.
#[derive(Debug, Default)]
pub struct FileReport {
    pub findings: Vec<Finding>,
    /// Findings hidden by inline suppressions.
    pub suppressed: usize,
    /// The parsed documents of a manifest, kept for the checks across files
    /// ([`Linter::check_project`]).
    pub documents: Vec<rampart_yaml::Document>,
}

/// Runs the enabled rules at their configured severity.
#[derive(Debug)]
pub struct Linter {
    rules: Vec<(&'static dyn Rule, Severity)>,
    severity: HashMap<&'static str, Severity>,
    /// Enabled rules that report only across files ([`Rule::checks_project`]).
    project: Vec<&'static str>,
    options: RuleOptions,
}

impl Linter {
    pub fn new(settings: &Settings) -> Linter {
        let rules = settings.resolve();
        let severity = rules.iter().map(|(r, s)| (r.info().code, *s)).collect();
        let project = rules.iter().filter(|(r, _)| r.checks_project()).map(|(r, _)| r.info().code).collect();
        Linter { rules, severity, project, options: settings.options.clone() }
    }

    /// Gives the rules what is known about the images of this run.
    pub fn set_images(&mut self, images: Arc<crate::facts::ImageCatalog>) {
        self.options.images = images;
    }

    /// The enabled rules, in code order.
    pub fn enabled_rules(&self) -> Vec<&'static RuleInfo> {
        self.rules.iter().map(|(r, _)| r.info()).collect()
    }

    pub fn is_enabled(&self, rule: &RuleInfo) -> bool {
        self.severity.contains_key(rule.code)
    }

    /// Applies the configured severity, dropping findings of disabled rules.
    pub fn finalize(&self, findings: &mut Vec<Finding>) {
        findings.retain_mut(|f| match self.severity.get(f.rule.code) {
            Some(s) => {
                f.severity = *s;
                true
            }
            None => false,
        });
    }

    /// Checks one file of a known kind.
    pub fn check(&self, file: &Arc<SourceFile>, kind: FileKind) -> FileReport {
        if file.text().len() > crate::MAX_INPUT_BYTES {
            let mut findings = vec![Finding::new(
                &input_too_large::INFO,
                Arc::clone(file),
                Span::empty(0),
                format!(
                    "the file is {} bytes, more than the {} bytes rampart parses; it was not checked",
                    file.text().len(),
                    crate::MAX_INPUT_BYTES
                ),
            )];
            self.finalize(&mut findings);
            return FileReport { findings, suppressed: 0, documents: Vec::new() };
        }
        match kind {
            FileKind::Dockerfile => self.check_dockerfile(file),
            FileKind::Kubernetes | FileKind::Compose | FileKind::OciRuntime => self.check_manifest(file, kind),
        }
    }

    fn check_manifest(&self, file: &Arc<SourceFile>, kind: FileKind) -> FileReport {
        let text = file.text();
        let mut documents = Vec::new();
        let mut findings = Vec::new();
        let results = rampart_yaml::parse_stream(text);
        // A Helm or other template is not YAML until rendered: it is not ours to report.
        let template = text.contains("{{") && text.contains("}}");
        if template && results.iter().any(Result::is_err) {
            return FileReport::default();
        }
        for result in results {
            match result {
                Ok(doc) => documents.push(doc),
                Err(e) => findings.push(Finding::new(
                    &manifest_syntax_error::INFO,
                    Arc::clone(file),
                    Span::new(e.span.start, e.span.end),
                    format!("invalid YAML: {}", e.message),
                )),
            }
        }
        let cx = ManifestContext::new(file, kind, &documents, &self.options);
        for (rule, _) in &self.rules {
            if !is_meta(*rule) {
                rule.check_manifest(&cx, &mut findings);
            }
        }
        let suppressions = suppress::yaml_suppressions(text, &documents, &cx.objects);
        // A suppression of a rule that reports across files is used (or not) in `check_project`.
        let (suppressed, meta) = suppress::apply(&mut findings, &suppressions, file, &|r| {
            self.is_enabled(r) && !self.project.contains(&r.code)
        });
        findings.extend(meta);
        self.finalize(&mut findings);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings.dedup_by(|a, b| a.rule.code == b.rule.code && a.span == b.span && a.message == b.message);
        FileReport { findings, suppressed, documents }
    }

    /// Runs the checks that need every manifest given together (a namespace's network
    /// policies may sit in another file than its workloads). Inline suppressions of the file
    /// a finding points into apply. Returns the findings and how many were suppressed.
    pub fn check_project(&self, files: &[(Arc<SourceFile>, Vec<rampart_yaml::Document>)]) -> (Vec<Finding>, usize) {
        let cx = ProjectContext::new(files, &self.options);
        let mut findings = Vec::new();
        for (rule, _) in &self.rules {
            if !is_meta(*rule) {
                rule.check_project(&cx, &mut findings);
            }
        }
        if findings.is_empty() {
            return (findings, 0);
        }
        let mut suppressed = 0;
        let mut kept = Vec::new();
        for pf in &cx.files {
            let mut mine: Vec<Finding> = findings.iter().filter(|f| Arc::ptr_eq(&f.file, pf.file)).cloned().collect();
            if mine.is_empty() {
                continue;
            }
            let suppressions = suppress::yaml_suppressions(pf.file.text(), pf.documents, &pf.objects);
            // Unused-suppression findings are the per-file check's business, not repeated here.
            let (n, _) = suppress::apply(&mut mine, &suppressions, pf.file, &|_| false);
            suppressed += n;
            kept.extend(mine);
        }
        self.finalize(&mut kept);
        kept.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        (kept, suppressed)
    }

    /// Checks a scanned image with the enabled image rules (`IM` codes), at their configured
    /// levels. Findings point into synthesised documents (see [`crate::image`]), returned
    /// with them; sorted like every other report.
    pub fn check_image(&self, image: &rampart_image::ImageScan) -> ImageReport {
        let cx = ImageContext::new(image, &self.options.image);
        let mut pending = Vec::new();
        for (rule, _) in &self.rules {
            if !is_meta(*rule) {
                rule.check_image(&cx, &mut pending);
            }
        }
        let (mut findings, documents) = cx.materialise(pending);
        self.finalize(&mut findings);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings.dedup_by(|a, b| a.rule.code == b.rule.code && a.span == b.span && a.message == b.message);
        ImageReport { findings, suppressed: 0, documents }
    }

    fn check_dockerfile(&self, file: &Arc<SourceFile>) -> FileReport {
        let df = rampart_dockerfile::parse(file.text());
        let mut findings: Vec<Finding> = df
            .errors
            .iter()
            .map(|e| {
                Finding::new(
                    &dockerfile_syntax_error::INFO,
                    Arc::clone(file),
                    Span::new(e.span.start, e.span.end),
                    &e.message,
                )
            })
            .collect();
        let cx = DockerfileContext::new(file, &df, &self.options);
        for (rule, _) in &self.rules {
            if !is_meta(*rule) {
                rule.check_dockerfile(&cx, &mut findings);
            }
        }
        let suppressions = suppress::dockerfile_suppressions(&df, file.text());
        let (suppressed, meta) = suppress::apply(&mut findings, &suppressions, file, &|r| self.is_enabled(r));
        findings.extend(meta);
        self.finalize(&mut findings);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings.dedup_by(|a, b| a.rule.code == b.rule.code && a.span == b.span && a.message == b.message);
        FileReport { findings, suppressed, documents: Vec::new() }
    }
}

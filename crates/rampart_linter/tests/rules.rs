//! Every rule has a fixture with failing and passing cases, and a snapshot of what it
//! reports on the failing ones (rendered as users see it). Fixes are applied and checked:
//! the result parses and the rule no longer fires.

mod common;

use std::sync::Arc;

use common::{Case, fixtures_dir, parse_cases, run_case};
use rampart_diagnostics::render::{Format, RenderOptions, Report, render};
use rampart_diagnostics::{Applicability, SourceFile, Summary};
use rampart_linter::fix::{FixMode, fix_text};
use rampart_linter::{FileKind, Linter, Settings, registry};

fn rules_with_fixtures() -> Vec<&'static dyn rampart_linter::Rule> {
    registry::all().iter().copied().filter(|r| !r.info().code.starts_with("RP")).collect()
}

#[test]
fn every_rule_has_a_fixture_with_both_kinds_of_case() {
    let mut missing = Vec::new();
    for rule in rules_with_fixtures() {
        let code = rule.info().code;
        let path = fixtures_dir().join(format!("{code}.txt"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            missing.push(format!("{code}: no fixture at {}", path.display()));
            continue;
        };
        let cases = parse_cases(&text);
        if !cases.iter().any(|c| c.fail) || (!cases.iter().any(|c| !c.fail) && !code.ends_with("000")) {
            missing.push(format!("{code}: the fixture needs at least one `fail` and one `pass` case"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn fixtures_fire_where_they_should_and_snapshots_match() {
    let mut failures = Vec::new();
    for rule in rules_with_fixtures() {
        let info = rule.info();
        let path = fixtures_dir().join(format!("{}.txt", info.code));
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let mut rendered = String::new();
        for (n, case) in parse_cases(&text).iter().enumerate() {
            let name = format!("{}.txt#{}", info.code, n + 1);
            let (file, findings) = run_case(info.code, case, &name);
            let own: Vec<_> = findings.into_iter().filter(|f| f.rule.code == info.code).collect();
            let kind = if case.fail { "fail" } else { "pass" };
            if case.fail && own.is_empty() {
                failures.push(format!("{name} (line {}): `fail` case reported nothing: {}", case.line, case.title));
            }
            if !case.fail && !own.is_empty() {
                failures.push(format!(
                    "{name} (line {}): `pass` case reported {}: {}\n  first: {}",
                    case.line,
                    own.len(),
                    case.title,
                    own[0].message
                ));
            }
            rendered.push_str(&format!("=== {kind} #{}: {}\n", n + 1, case.title));
            if !own.is_empty() {
                let summary = Summary::from_findings(&own, 1, 0);
                let report = Report { findings: &own, summary: &summary, rules: &[], tool_version: "test" };
                let mut buf = Vec::new();
                render(Format::Concise, &report, RenderOptions::default(), &mut buf).unwrap();
                let mut human = Vec::new();
                render(Format::Human, &report, RenderOptions { color: false, width: Some(100) }, &mut human).unwrap();
                let human = String::from_utf8(human).unwrap();
                // The summary lines are the same everywhere; keep the snapshot on the findings.
                let body: String =
                    human.lines().take_while(|l| !l.starts_with("Found ")).map(|l| format!("{l}\n")).collect();
                rendered.push_str(body.trim_end());
                rendered.push('\n');
            }
            if rule.checks_project() {
                check_project_fixes(info.code, case, &file, &own, &mut failures, &name);
            } else {
                check_fixes(info.code, case, &file, &own, &mut failures, &name);
            }
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots/rules");
        settings.set_prepend_module_to_snapshot(false);
        settings.set_description(format!(
            "{} {}: rendered findings for tests/fixtures/{}.txt",
            info.code, info.name, info.code
        ));
        settings.bind(|| insta::assert_snapshot!(info.code, rendered));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Comments of a text: whole comment lines, and the `# …` ending a line (YAML, Dockerfile).
fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let t = l.trim();
            if t.starts_with('#') { Some(t.to_string()) } else { l.find(" #").map(|i| l[i + 1..].trim().to_string()) }
        })
        .collect()
}

/// The case's configuration (its `#!` lines), running only `code`.
fn case_settings(code: &str, case: &Case) -> Settings {
    let mut settings = if case.config.trim().is_empty() {
        Settings::default()
    } else {
        Settings::from_config(&rampart_config::Config::parse(&case.config).unwrap()).unwrap()
    };
    settings.select = vec![code.to_string()];
    settings
}

/// A rule's fixes (safe and unsafe) must apply, settle, keep the file parseable with the same
/// objects, keep every comment, be idempotent (fixing again changes nothing), and leave
/// nothing for the rule to report when every finding had such a fix. The case's
/// configuration applies (fixes may take values from `[fix]`).
fn check_fixes(
    code: &str,
    case: &Case,
    file: &Arc<SourceFile>,
    findings: &[rampart_linter::Finding],
    failures: &mut Vec<String>,
    name: &str,
) {
    let fixable = findings
        .iter()
        .filter(|f| f.fix.as_ref().is_some_and(|x| x.applicability != Applicability::DisplayOnly))
        .count();
    if fixable == 0 {
        return;
    }
    let kind = rampart_linter::recognize::by_content(file.text()).unwrap_or(FileKind::Dockerfile);
    let linter = Linter::new(&case_settings(code, case));
    let outcome = fix_text(&linter, name, file.text(), kind, FixMode::Unsafe);
    if outcome.applied.is_empty() {
        failures.push(format!("{name}: {fixable} finding(s) have a fix, none applied: {:?}", outcome.rejected));
        return;
    }
    if !outcome.rejected.is_empty() {
        failures.push(format!("{name}: fixes rejected: {:?}", outcome.rejected));
    }
    if !outcome.converged {
        failures.push(format!("{name}: fixes did not settle after {} passes:\n{}", outcome.passes, outcome.text));
    }
    let again = fix_text(&linter, name, &outcome.text, kind, FixMode::Unsafe);
    if again.text != outcome.text {
        failures.push(format!(
            "{name}: fixing twice changes the file again:\n--- once\n{}\n--- twice\n{}",
            outcome.text, again.text
        ));
    }
    let after = comments(&outcome.text);
    for c in comments(file.text()) {
        if !after.contains(&c) {
            failures.push(format!("{name}: the fix lost the comment `{c}`:\n{}", outcome.text));
        }
    }
    if findings.iter().all(|f| f.fix.as_ref().is_some_and(|x| x.applicability != Applicability::DisplayOnly)) {
        let left = linter
            .check(&SourceFile::new(name, outcome.text.clone()), kind)
            .findings
            .iter()
            .filter(|f| f.rule.code == code)
            .count();
        if left >= findings.len() {
            failures.push(format!("{name}: after its fixes the rule still reports {left}:\n{}", outcome.text));
        }
    }
}

/// Fixes of a rule across files only create files (a NetworkPolicy beside the manifests).
/// Each created file must parse as Kubernetes objects that rampart's own rules accept
/// without a syntax or NetworkPolicy finding; with the files added to the project the rule
/// must report less (nothing, when every finding had such a fix), and offer no file again.
fn check_project_fixes(
    code: &str,
    case: &Case,
    file: &Arc<SourceFile>,
    findings: &[rampart_linter::Finding],
    failures: &mut Vec<String>,
    name: &str,
) {
    let applicable = |f: &&rampart_linter::Finding| {
        f.fix.as_ref().is_some_and(|x| x.applicability != Applicability::DisplayOnly && !x.new_files.is_empty())
    };
    let fixed: Vec<&rampart_linter::Finding> = findings.iter().filter(applicable).collect();
    if fixed.is_empty() {
        return;
    }
    let linter = Linter::new(&case_settings(code, case));
    let checker = Linter::new(&Settings { select: vec!["KS".into(), "RP".into()], ..Settings::default() });
    let mut project = vec![(Arc::clone(file), linter.check(file, FileKind::Kubernetes).documents)];
    let mut created: Vec<String> = Vec::new();
    for f in &fixed {
        let fix = f.fix.as_ref().unwrap();
        if !fix.edits.is_empty() {
            failures.push(format!("{name}: a fix across files edits `{}`: only new files are applied", f.file.name()));
        }
        for nf in &fix.new_files {
            if created.contains(&nf.path) {
                continue;
            }
            created.push(nf.path.clone());
            let new: Arc<SourceFile> = SourceFile::new(nf.path.clone(), nf.content.clone());
            if rampart_linter::recognize::by_content(&nf.content) != Some(FileKind::Kubernetes) {
                failures.push(format!("{name}: {} is not recognised as Kubernetes:\n{}", nf.path, nf.content));
            }
            let report = checker.check(&new, FileKind::Kubernetes);
            for bad in report
                .findings
                .iter()
                .filter(|x| x.rule.code.starts_with("RP") || x.rule.code.ends_with("000") || x.rule.code == "KS062")
            {
                failures.push(format!("{name}: {} gets {}: {}\n{}", nf.path, bad.rule.code, bad.message, nf.content));
            }
            if rampart_yaml::parse_stream(&nf.content).iter().any(Result::is_err) {
                failures.push(format!("{name}: {} does not parse:\n{}", nf.path, nf.content));
            }
            project.push((new, report.documents));
        }
    }
    let (after, _) = linter.check_project(&project);
    let left: Vec<_> = after.iter().filter(|f| f.rule.code == code).collect();
    if fixed.len() == findings.len() && !left.is_empty() {
        failures.push(format!("{name}: with the files its fixes create, the rule still reports: {}", left[0].message));
    }
    if left.len() >= findings.len() {
        failures.push(format!("{name}: the files its fixes create change nothing"));
    }
    for f in left.iter().filter(|f| applicable(f)) {
        for nf in &f.fix.as_ref().unwrap().new_files {
            if created.contains(&nf.path) {
                failures.push(format!("{name}: once {} exists, a fix offers it again", nf.path));
            }
        }
    }
}

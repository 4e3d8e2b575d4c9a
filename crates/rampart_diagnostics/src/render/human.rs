use std::io;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};
use anstyle::{AnsiColor, Style};

use super::{RenderOptions, Report, plural};
use crate::{Finding, Fix, Severity, SourceFile};

pub(super) fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Error => AnsiColor::BrightRed,
        Severity::Warning => AnsiColor::BrightYellow,
        Severity::Note => AnsiColor::BrightCyan,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

pub(super) fn render(report: &Report<'_>, options: RenderOptions, out: &mut dyn io::Write) -> io::Result<()> {
    let mut renderer = if options.color { Renderer::styled() } else { Renderer::plain() };
    renderer = renderer.decor_style(DecorStyle::Ascii);
    if let Some(width) = options.width {
        renderer = renderer.term_width(width);
    }
    for finding in report.findings {
        let text = render_finding(&renderer, finding);
        writeln!(out, "{text}\n")?;
    }
    write_summary(report, options, out)
}

fn render_finding(renderer: &Renderer, f: &Finding) -> String {
    let title = format!("{} ({})", f.message, f.rule.name);
    let mut primary = AnnotationKind::Primary.span(f.span.range());
    if let Some(label) = &f.label {
        primary = primary.label(label.as_str());
    }
    let mut snippet = Snippet::source(f.file.text()).path(f.file.name()).annotation(primary);
    let mut other_files = Vec::new();
    for related in &f.related {
        if std::sync::Arc::ptr_eq(&related.file, &f.file) {
            snippet =
                snippet.annotation(AnnotationKind::Context.span(related.span.range()).label(related.message.as_str()));
        } else {
            other_files.push(
                Snippet::source(related.file.text())
                    .path(related.file.name())
                    .annotation(AnnotationKind::Context.span(related.span.range()).label(related.message.as_str())),
            );
        }
    }
    let mut group = level(f.severity).primary_title(title.as_str()).id(f.rule.code).element(snippet);
    for s in other_files {
        group = group.element(s);
    }
    if let Some(help) = &f.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    let mut report: Vec<Group<'_>> = vec![group];
    let fix_title;
    if let Some(fix) = &f.fix
        && !fix.edits.is_empty()
    {
        fix_title = format!("{} ({} fix)", fix.message, fix.applicability);
        let patches = fix.edits.iter().map(|e| Patch::new(e.span.range(), e.content.as_str()));
        report.push(
            Level::HELP
                .secondary_title(fix_title.as_str())
                .element(Snippet::source(f.file.text()).path(f.file.name()).patches(patches)),
        );
    }
    renderer.render(&report)
}

fn write_summary(report: &Report<'_>, options: RenderOptions, out: &mut dyn io::Write) -> io::Result<()> {
    let s = report.summary;
    let mut lines = Vec::new();
    if s.findings == 0 {
        lines.push(format!("No findings in {}.", plural(s.files, "file")));
    } else {
        lines.push(format!(
            "Found {} ({}) in {}.",
            plural(s.findings, "finding"),
            super::severity_counts(s),
            plural(s.files, "file")
        ));
    }
    if s.suppressed > 0 {
        lines.push(format!("{} suppressed by configuration or inline comments.", plural(s.suppressed, "finding")));
    }
    let fx = &s.fixable;
    if fx.safe + fx.unsafe_ + fx.display_only > 0 {
        lines.push(format!(
            "Fixes: {} safe, {} unsafe, {} to review by hand (display-only).",
            fx.safe, fx.unsafe_, fx.display_only
        ));
    }
    let style = if s.errors > 0 {
        severity_style(Severity::Error)
    } else if s.findings > 0 {
        severity_style(Severity::Warning)
    } else {
        Style::new().fg_color(Some(AnsiColor::Green.into())).bold()
    };
    for line in lines {
        if options.color {
            writeln!(out, "{style}{line}{style:#}")?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// A unified diff of what `fix` would change in `file`, for `--diff` and for tests.
pub fn render_fix_diff(file: &SourceFile, fix: &Fix) -> Result<String, crate::EditError> {
    let after = crate::apply_edits(file.text(), &fix.edits)?;
    Ok(unified_diff(file.name(), file.text(), &after))
}

pub(crate) fn unified_diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

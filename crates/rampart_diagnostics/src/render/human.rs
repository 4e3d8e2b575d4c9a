use std::io;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};
use anstyle::{AnsiColor, Style};

use super::{RenderOptions, Report, plural};
use crate::{Finding, Fix, Severity, SourceFile, Span};

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
    // Rendering a snippet is the costly part of human output: do it in parallel, write in order.
    use rayon::prelude::*;
    let rendered: Vec<String> = report.findings.par_iter().map(|f| render_finding(&renderer, f)).collect();
    for text in rendered {
        writeln!(out, "{text}\n")?;
    }
    write_summary(report, options, out)
}

/// The lines of `file` that hold `spans`: annotate-snippets is given only these, so a
/// finding in a long file costs what its lines cost. Returns the window's byte range and its
/// first line number (1-based).
fn window(file: &SourceFile, spans: impl Iterator<Item = Span>) -> (Span, usize) {
    let (mut lo, mut hi) = (usize::MAX, 0);
    for s in spans {
        let s = file.clamp_span(s);
        lo = lo.min(s.start);
        hi = hi.max(s.end);
    }
    if lo == usize::MAX {
        return (Span::empty(0), 1);
    }
    let first = file.line_index(lo);
    let last = file.line_index(hi);
    let start = file.line_span(first).start;
    let end = file.line_span(last).end;
    (Span::new(start, end), first + 1)
}

fn shifted(span: Span, window: Span) -> std::ops::Range<usize> {
    let start = span.start.clamp(window.start, window.end) - window.start;
    let end = span.end.clamp(window.start, window.end) - window.start;
    start..end.max(start)
}

fn render_finding(renderer: &Renderer, f: &Finding) -> String {
    let title = format!("{} ({})", f.message, f.rule.name);
    let same_file: Vec<&crate::Related> =
        f.related.iter().filter(|r| std::sync::Arc::ptr_eq(&r.file, &f.file)).collect();
    let (win, first_line) = window(&f.file, std::iter::once(f.span).chain(same_file.iter().map(|r| r.span)));
    let mut primary = AnnotationKind::Primary.span(shifted(f.span, win));
    if let Some(label) = &f.label {
        primary = primary.label(label.as_str());
    }
    let mut snippet = Snippet::source(f.file.slice(win)).line_start(first_line).path(f.file.name()).annotation(primary);
    for related in &same_file {
        snippet = snippet
            .annotation(AnnotationKind::Context.span(shifted(related.span, win)).label(related.message.as_str()));
    }
    let mut group = level(f.severity).primary_title(title.as_str()).id(f.rule.code).element(snippet);
    for related in f.related.iter().filter(|r| !std::sync::Arc::ptr_eq(&r.file, &f.file)) {
        let (rwin, rfirst) = window(&related.file, std::iter::once(related.span));
        group = group.element(
            Snippet::source(related.file.slice(rwin))
                .line_start(rfirst)
                .path(related.file.name())
                .annotation(AnnotationKind::Context.span(shifted(related.span, rwin)).label(related.message.as_str())),
        );
    }
    if let Some(help) = &f.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    let mut report: Vec<Group<'_>> = vec![group];
    let fix_title;
    if let Some(fix) = &f.fix
        && !fix.new_files.is_empty()
        && fix.edits.is_empty()
    {
        let names: Vec<&str> = fix.new_files.iter().map(|n| n.path.as_str()).collect();
        report.push(Group::with_title(Level::HELP.secondary_title(format!(
            "{} ({} fix: creates {})",
            fix.message,
            fix.applicability,
            names.join(", ")
        ))));
    }
    if let Some(fix) = &f.fix
        && !fix.edits.is_empty()
    {
        let creates = if fix.new_files.is_empty() {
            String::new()
        } else {
            format!(", creates {}", fix.new_files.iter().map(|n| n.path.as_str()).collect::<Vec<_>>().join(", "))
        };
        fix_title = format!("{} ({} fix{creates})", fix.message, fix.applicability);
        let (fwin, ffirst) = window(&f.file, fix.edits.iter().map(|e| e.span));
        let patches = fix.edits.iter().map(|e| Patch::new(shifted(e.span, fwin), e.content.as_str()));
        report.push(
            Level::HELP
                .secondary_title(fix_title.as_str())
                .element(Snippet::source(f.file.slice(fwin)).line_start(ffirst).path(f.file.name()).patches(patches)),
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

pub fn unified_diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

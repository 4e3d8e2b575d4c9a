use std::io;

use anstyle::{AnsiColor, Style};

use super::{RenderOptions, Report, human::severity_style, plural};

pub(super) fn render(report: &Report<'_>, options: RenderOptions, out: &mut dyn io::Write) -> io::Result<()> {
    let dim = Style::new().dimmed();
    let bold = Style::new().bold();
    for f in report.findings {
        let pos = f.file.position(f.span.start);
        let sev = severity_style(f.severity);
        let fixable = match &f.fix {
            Some(fix) if fix.applicability == crate::Applicability::Safe => " [*]",
            _ => "",
        };
        if options.color {
            writeln!(
                out,
                "{bold}{}{bold:#}{dim}:{}:{}:{dim:#} {sev}{}[{}]{sev:#} {}{fixable}",
                f.file.name(),
                pos.line,
                pos.column,
                f.severity,
                f.rule.code,
                f.message
            )?;
        } else {
            writeln!(
                out,
                "{}:{}:{}: {}[{}] {}{fixable}",
                f.file.name(),
                pos.line,
                pos.column,
                f.severity,
                f.rule.code,
                f.message
            )?;
        }
    }
    let s = report.summary;
    if s.findings > 0 {
        let line = format!(
            "Found {} ({}) in {}.",
            plural(s.findings, "finding"),
            super::severity_counts(s),
            plural(s.files, "file")
        );
        if options.color {
            let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
            writeln!(out, "{yellow}{line}{yellow:#}")?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

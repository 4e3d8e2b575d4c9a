//! DF073–DF075: instructions of which only the last of a stage counts.

use rampart_diagnostics::{Fix, RuleInfo, Span};
use rampart_dockerfile::Keyword;

use super::util::delete_lines;
use crate::Finding;
use crate::dockerfile::DockerfileContext;

/// Reports each `keyword` of a stage that a later one of the same stage overrides.
pub(super) fn check(
    cx: &DockerfileContext<'_>,
    info: &'static RuleInfo,
    keyword: Keyword,
    why: &str,
    out: &mut Vec<Finding>,
) {
    let name = keyword.as_str();
    for stage in &cx.stages {
        let found: Vec<usize> = stage.body().filter(|&i| cx.instruction(i).keyword == keyword).collect();
        let Some((&last, earlier)) = found.split_last() else { continue };
        let last_instr = cx.instruction(last);
        for &i in earlier {
            let instr = cx.instruction(i);
            let mut finding = cx
                .finding(
                    info,
                    instr.line_span.clone(),
                    format!("this {name} has no effect: a later {name} replaces it"),
                )
                .with_label(format!("overridden by the {name} below"))
                .with_related(
                    cx.file.clone(),
                    Span::new(last_instr.line_span.start, last_instr.line_span.end),
                    format!("this {name} is the one that counts"),
                )
                .with_help(format!("delete it; {why}"));
            if let Some(edit) = delete_lines(cx, instr) {
                finding = finding.with_fix(Fix::safe(format!("Delete the ineffective {name}"), vec![edit]));
            }
            out.push(finding);
        }
    }
}

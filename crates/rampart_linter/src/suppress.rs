//! Inline suppressions: `# rampart:ignore CODE[,CODE…] reason` before an instruction,
//! `# rampart:ignore-file CODE… reason` anywhere, and hadolint's `# hadolint ignore=DL3008`
//! and `# hadolint global ignore=…`, honoured through each rule's `equivalents`.

use std::sync::Arc;

use rampart_diagnostics::{Finding, RuleInfo, SourceFile, Span};
use rampart_dockerfile::Dockerfile;

use crate::registry;
use crate::rules::meta::{suppression_without_reason, unused_suppression};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Rampart,
    Hadolint,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Findings that start inside this span (the next instruction).
    Span(Span),
    File,
}

#[derive(Clone, Debug)]
pub struct InlineSuppression {
    pub origin: Origin,
    pub scope: Scope,
    /// Each code (or name) with its span in the comment.
    pub selectors: Vec<(String, Span)>,
    pub reason: Option<String>,
    pub comment: Span,
}

impl InlineSuppression {
    fn covers(&self, finding: &Finding) -> bool {
        match self.scope {
            Scope::File => true,
            Scope::Span(s) => s.start <= finding.span.start && finding.span.start <= s.end,
        }
    }

    fn selector_matches(&self, selector: &str, rule: &RuleInfo) -> bool {
        match self.origin {
            Origin::Rampart => rule.matches(selector),
            Origin::Hadolint => rule
                .equivalents
                .iter()
                .any(|e| e.strip_prefix("hadolint:").is_some_and(|c| c.eq_ignore_ascii_case(selector))),
        }
    }
}

/// Splits `DF001,DF002 reason words` into selectors (with offsets) and the reason.
fn selectors_and_reason(text: &str, base: usize) -> (Vec<(String, Span)>, Option<String>) {
    let mut selectors = Vec::new();
    let mut offset = 0;
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        offset += rest.len() - trimmed.len();
        rest = trimmed;
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        if token.is_empty() {
            break;
        }
        let mut pos = 0;
        for part in token.split(',') {
            if !part.is_empty() {
                let start = base + offset + pos;
                selectors.push((part.to_string(), Span::new(start, start + part.len())));
            }
            pos += part.len() + 1;
        }
        offset += end;
        rest = &rest[end..];
        if !token.ends_with(',') {
            break;
        }
    }
    let reason = rest.trim();
    (selectors, (!reason.is_empty()).then(|| reason.to_string()))
}

/// Finds the suppression comments of a Dockerfile.
pub fn dockerfile_suppressions(df: &Dockerfile, text: &str) -> Vec<InlineSuppression> {
    let mut out = Vec::new();
    for comment in &df.comments {
        let raw = &text[comment.span.clone()];
        let body = raw.trim_start_matches('#');
        let lead = raw.len() - body.len();
        let trimmed = body.trim_start();
        let base = comment.span.start + lead + (body.len() - trimmed.len());
        let comment_span = Span::new(comment.span.start, comment.span.end);
        let next_instruction = || {
            df.instructions
                .iter()
                .find(|i| i.span.start >= comment.span.end)
                .map(|i| Scope::Span(Span::new(i.span.start, i.span.end)))
        };
        let (origin, file_wide, rest, rest_base) = if let Some(r) = trimmed.strip_prefix("rampart:ignore-file") {
            (Origin::Rampart, true, r, base + "rampart:ignore-file".len())
        } else if let Some(r) = trimmed.strip_prefix("rampart:ignore") {
            (Origin::Rampart, false, r, base + "rampart:ignore".len())
        } else if let Some(r) = trimmed.strip_prefix("hadolint global ignore=") {
            (Origin::Hadolint, true, r, base + "hadolint global ignore=".len())
        } else if let Some(r) = trimmed.strip_prefix("hadolint ignore=") {
            (Origin::Hadolint, false, r, base + "hadolint ignore=".len())
        } else {
            continue;
        };
        if origin == Origin::Rampart && !rest.starts_with(char::is_whitespace) && !rest.is_empty() {
            continue;
        }
        let (selectors, reason) = if origin == Origin::Hadolint {
            // hadolint's list has no spaces; anything after it is ignored.
            let list_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (s, _) = selectors_and_reason(&rest[..list_end], rest_base);
            (s, Some("hadolint pragma".to_string()))
        } else {
            selectors_and_reason(rest, rest_base)
        };
        let scope = if file_wide { Some(Scope::File) } else { next_instruction() };
        let Some(scope) = scope else { continue };
        out.push(InlineSuppression { origin, scope, selectors, reason, comment: comment_span });
    }
    out
}

/// Spans of block scalars (`|`, `>`): a `#` inside one is text, not a comment.
fn block_scalar_spans(node: &rampart_yaml::Node, out: &mut Vec<std::ops::Range<usize>>) {
    use rampart_yaml::{ScalarStyle, Value};
    match &node.value {
        Value::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded) if !node.borrowed => out.push(node.span.clone()),
        Value::Scalar(..) => {}
        Value::Seq(items) => items.iter().for_each(|i| block_scalar_spans(i, out)),
        Value::Map(entries) => entries.iter().for_each(|e| {
            block_scalar_spans(&e.key, out);
            block_scalar_spans(&e.value, out)
        }),
    }
}

/// The largest node (a mapping entry or a sequence item) that starts on the line
/// `line_start..line_end`.
fn node_on_line(node: &rampart_yaml::Node, line: std::ops::Range<usize>, best: &mut Option<std::ops::Range<usize>>) {
    use rampart_yaml::Value;
    if node.borrowed || node.span.end < line.start || node.span.start > line.end {
        return;
    }
    fn consider(
        span: std::ops::Range<usize>,
        line: &std::ops::Range<usize>,
        best: &mut Option<std::ops::Range<usize>>,
    ) {
        if span.start >= line.start
            && span.start < line.end
            && best.as_ref().is_none_or(|b| span.end - span.start > b.end - b.start)
        {
            *best = Some(span);
        }
    }
    // A collection starting on the line (a whole object after `---`) is a candidate too.
    consider(node.span.clone(), &line, best);
    match &node.value {
        Value::Scalar(..) => {}
        Value::Seq(items) => {
            for i in items {
                consider(i.span.clone(), &line, best);
                node_on_line(i, line.clone(), best);
            }
        }
        Value::Map(entries) => {
            for e in entries {
                if e.key.borrowed {
                    continue;
                }
                consider(e.key.span.start..e.value.span.end.max(e.key.span.end), &line, best);
                node_on_line(&e.value, line.clone(), best);
            }
        }
    }
}

/// Suppressions in YAML and JSON manifests: a `# rampart:ignore …` comment on its own line
/// applies to the node that starts on the next line (and everything under it); at the end
/// of a line, to the node on that line; `# rampart:ignore-file …` to the whole file; and a
/// `rampart.dev/ignore: "CODE reason"` annotation to its object.
pub fn yaml_suppressions(
    text: &str,
    docs: &[rampart_yaml::Document],
    objects: &[&rampart_yaml::Node],
) -> Vec<InlineSuppression> {
    let mut blocks = Vec::new();
    for d in docs {
        block_scalar_spans(&d.root, &mut blocks);
    }
    let in_block = |offset: usize| blocks.iter().any(|b| b.start <= offset && offset < b.end);
    let lines: Vec<(usize, &str)> = {
        let mut offset = 0;
        text.split_inclusive('\n')
            .map(|l| {
                let start = offset;
                offset += l.len();
                (start, l.trim_end_matches(['\n', '\r']))
            })
            .collect()
    };
    let mut out = Vec::new();
    for (n, &(start, line)) in lines.iter().enumerate() {
        let Some(hash) = line.find("# rampart:ignore") else { continue };
        let comment_start = start + hash;
        if in_block(comment_start) {
            continue;
        }
        let own_line = line[..hash].trim().is_empty();
        if !own_line && !line[..hash].ends_with(' ') {
            continue;
        }
        let comment = &line[hash + 1..];
        let body = comment.trim_start();
        let body_base = comment_start + 1 + (comment.len() - body.len());
        let (file_wide, rest, rest_base) = if let Some(r) = body.strip_prefix("rampart:ignore-file") {
            (true, r, body_base + "rampart:ignore-file".len())
        } else if let Some(r) = body.strip_prefix("rampart:ignore") {
            (false, r, body_base + "rampart:ignore".len())
        } else {
            continue;
        };
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let (selectors, reason) = selectors_and_reason(rest, rest_base);
        let comment_span = Span::new(comment_start, start + line.len());
        let scope = if file_wide {
            Scope::File
        } else {
            // The line the comment is about: its own, or the next one with content.
            let target = if own_line {
                lines[n + 1..].iter().find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#')).copied()
            } else {
                Some((start, line))
            };
            let Some((tstart, tline)) = target else { continue };
            let range = tstart..tstart + tline.len();
            let mut best = None;
            for d in docs {
                node_on_line(&d.root, range.clone(), &mut best);
            }
            let span = best.unwrap_or(range);
            Scope::Span(Span::new(span.start, span.end))
        };
        out.push(InlineSuppression { origin: Origin::Rampart, scope, selectors, reason, comment: comment_span });
    }
    for obj in objects {
        let Some(value) = obj.path(&["metadata", "annotations", "rampart.dev/ignore"]) else { continue };
        let Some(text) = value.as_str() else { continue };
        // Offsets within a quoted value are approximate: point at the whole value.
        let (selectors, reason) = selectors_and_reason(text, value.span.start);
        let selectors = selectors.into_iter().map(|(s, _)| (s, Span::new(value.span.start, value.span.end))).collect();
        out.push(InlineSuppression {
            origin: Origin::Rampart,
            scope: Scope::Span(Span::new(obj.span.start, obj.span.end)),
            selectors,
            reason,
            comment: Span::new(value.span.start, value.span.end),
        });
    }
    out
}

/// Removes suppressed findings. Returns how many were suppressed, and findings about the
/// suppressions themselves (unused, naming no rule, without a reason). A selector only
/// counts as unused when a rule it names was enabled in this run.
pub fn apply(
    findings: &mut Vec<Finding>,
    suppressions: &[InlineSuppression],
    file: &Arc<SourceFile>,
    enabled: &dyn Fn(&RuleInfo) -> bool,
) -> (usize, Vec<Finding>) {
    let mut used: Vec<Vec<bool>> = suppressions.iter().map(|s| vec![false; s.selectors.len()]).collect();
    let before = findings.len();
    findings.retain(|f| {
        let mut keep = true;
        for (si, s) in suppressions.iter().enumerate() {
            if !s.covers(f) {
                continue;
            }
            for (ki, (sel, _)) in s.selectors.iter().enumerate() {
                if s.selector_matches(sel, f.rule) {
                    used[si][ki] = true;
                    keep = false;
                }
            }
        }
        keep
    });
    let suppressed = before - findings.len();
    let mut meta = Vec::new();
    for (si, s) in suppressions.iter().enumerate() {
        if s.origin == Origin::Rampart && s.reason.is_none() {
            meta.push(
                Finding::new(&suppression_without_reason::INFO, Arc::clone(file), s.comment, "this suppression gives no reason")
                    .with_help("write why the finding is acceptable after the codes: `# rampart:ignore DF001 runs as root by design: init container`"),
            );
        }
        for (ki, (sel, span)) in s.selectors.iter().enumerate() {
            if used[si][ki] {
                continue;
            }
            let named: Vec<&RuleInfo> =
                registry::all().iter().map(|r| r.info()).filter(|info| s.selector_matches(sel, info)).collect();
            if named.is_empty() {
                if s.origin == Origin::Rampart {
                    meta.push(
                        Finding::new(
                            &unused_suppression::INFO,
                            Arc::clone(file),
                            *span,
                            format!("`{sel}` names no rule"),
                        )
                        .with_help("`rampart rules` lists every code and name"),
                    );
                }
                continue;
            }
            if s.origin == Origin::Rampart && named.iter().any(|info| enabled(info)) {
                meta.push(
                    Finding::new(
                        &unused_suppression::INFO,
                        Arc::clone(file),
                        *span,
                        format!("`{sel}` suppresses nothing here"),
                    )
                    .with_help("remove it, or move it to the line before the instruction it is meant for"),
                );
            }
        }
    }
    (suppressed, meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_selectors_and_reasons() {
        let (s, r) = selectors_and_reason(" DF001, DF002 legacy base image", 10);
        assert_eq!(s.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), ["DF001", "DF002"]);
        assert_eq!(s[0].1, Span::new(11, 16));
        assert_eq!(s[1].1, Span::new(18, 23));
        assert_eq!(r.as_deref(), Some("legacy base image"));
        let (s, r) = selectors_and_reason(" DF001,DF002", 0);
        assert_eq!(s.len(), 2);
        assert_eq!(r, None);
    }

    #[test]
    fn finds_comments_and_scopes() {
        let text = "FROM a\n# rampart:ignore DF003 needed for the build\nRUN sudo x\n# hadolint ignore=DL3008,DL3015\nRUN apt-get install x\n# hadolint global ignore=DL3007\n";
        let df = rampart_dockerfile::parse(text);
        let s = dockerfile_suppressions(&df, text);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].origin, Origin::Rampart);
        let Scope::Span(span) = s[0].scope else { panic!() };
        assert_eq!(&text[span.range()], "RUN sudo x");
        assert_eq!(s[1].selectors.len(), 2);
        assert_eq!(s[2].scope, Scope::File);
    }
}

use std::sync::Arc;

use rampart_diagnostics::Span;
use rampart_dockerfile::{Stage, StageRef};

use super::refs::{StageReference, Target, resolve, stage_references};
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// `--from=` names a stage that does not exist, the current stage, or a cycle.
    ///
    /// ## What it does
    /// Checks `COPY --from=` and `RUN --mount=…,from=` after expanding build arguments (an
    /// unresolved argument is skipped) and reports:
    /// - a stage index that is out of range (`--from=3` with three stages);
    /// - the stage the instruction is in (by name or index): it cannot copy from itself;
    /// - a stage defined further down that itself depends on the current one (a cycle);
    ///   a later stage without a cycle builds with BuildKit and is not reported;
    /// - a plain name (no `/`, `:`, `.`, `@`) that matches no stage and is not a well-known
    ///   official image: almost always a typo, which BuildKit would try to pull as
    ///   `docker.io/library/<name>`.
    ///
    /// A name given with `docker buildx build --build-context <name>=…` is a named build
    /// context, not a typo: suppress the finding with `# rampart:ignore DF015 <reason>` above
    /// the instruction.
    ///
    /// ## Why
    /// A mistyped stage name does not fail where it is written: BuildKit silently turns it into
    /// an image pull, which fails with a confusing "pull access denied" — or, worse, succeeds
    /// if someone has published an image of that name. Self-references and cycles fail the
    /// build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=buidl /out/app /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix; the message suggests the closest stage name when there is one.
    ///
    /// ## References
    /// - Dockerfile reference, COPY --from: <https://docs.docker.com/reference/dockerfile/#copy---from>
    /// - Multi-stage builds: <https://docs.docker.com/build/building/multi-stage/>
    pub struct UnknownStageReference {
        code: "DF015",
        name: "unknown-stage-reference",
        severity: Error,
        tags: ["hygiene", "correctness"],
        equivalents: ["hadolint:DL3022", "hadolint:DL3023", "trivy:DS-0006"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let references = stage_references(cx);
    let deps = dependencies(cx, &references);
    for r in &references {
        let Some(value) = &r.value else { continue };
        let flag = r.written_flag();
        match resolve(cx, value) {
            Target::Stage(s) if s.index == r.stage => {
                out.push(
                    cx.finding(&INFO, r.span, format!("`{flag}` refers to its own stage"))
                        .with_label("a stage cannot read from itself: the build fails with a circular dependency")
                        .with_help("copy from an earlier stage, or from the build context (no `--from`)"),
                );
            }
            Target::Stage(s) if s.index > r.stage => {
                let from = cx.instruction(s.from);
                let line = cx.file.position(from.span.start).line;
                // BuildKit resolves later stages by name or index; only a cycle fails.
                if !reaches(&deps, s.index, r.stage) {
                    continue;
                }
                let label =
                    format!("{} depends on this stage: the build fails with a circular dependency", stage_label(s));
                out.push(
                    cx.finding(
                        &INFO,
                        r.span,
                        format!("`{flag}` refers to {}, defined later (line {line})", stage_label(s)),
                    )
                    .with_label(label)
                    .with_related(
                        Arc::clone(cx.file),
                        Span::new(from.line_span.start, from.line_span.end),
                        format!("{} is defined here", stage_label(s)),
                    )
                    .with_help(format!("define {} before the stage that uses it", stage_label(s))),
                );
            }
            Target::BadIndex(n) => {
                let count = cx.stages.len();
                let range = if count == 1 {
                    "the only stage is 0".to_string()
                } else {
                    format!("stages are numbered 0 to {}", count - 1)
                };
                out.push(
                    cx.finding(&INFO, r.span, format!("`{flag}`: there is no stage {n}"))
                        .with_label(range)
                        .with_help("refer to an earlier stage, preferably by its `AS` name"),
                );
            }
            Target::UnknownName(name) => {
                let help = match closest_stage(cx, &name, r.stage) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "name an earlier stage `FROM … AS {name}`, or write the image in full (`docker.io/library/{name}:<tag>`)"
                    ),
                };
                out.push(
                    cx.finding(&INFO, r.span, format!("`{flag}`: no stage is named `{name}`"))
                        .with_label(format!(
                            "BuildKit will try to pull the image `docker.io/library/{}`",
                            name.to_ascii_lowercase()
                        ))
                        .with_help(help),
                );
            }
            _ => {}
        }
    }
}

fn stage_label(stage: &Stage) -> String {
    match &stage.name {
        Some(name) => format!("stage `{name}`"),
        None => format!("stage {}", stage.index),
    }
}

/// For each stage, the stages it needs: its base and what it copies or mounts from.
fn dependencies(cx: &DockerfileContext<'_>, references: &[StageReference]) -> Vec<Vec<usize>> {
    let mut deps = vec![Vec::new(); cx.stages.len()];
    for s in &cx.stages {
        if let StageRef::Stage(parent) = s.base {
            deps[s.index].push(parent);
        }
    }
    for r in references {
        if let Some(value) = &r.value
            && let Target::Stage(s) = resolve(cx, value)
            && let Some(d) = deps.get_mut(r.stage)
        {
            d.push(s.index);
        }
    }
    deps
}

/// Whether stage `from` needs stage `to`, directly or not.
fn reaches(deps: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; deps.len()];
    let mut stack = vec![from];
    while let Some(s) = stack.pop() {
        if s == to {
            return true;
        }
        if std::mem::replace(&mut seen[s], true) {
            continue;
        }
        stack.extend(deps[s].iter().copied().filter(|&d| d < deps.len()));
    }
    false
}

/// The name of an earlier stage within two edits of `name`.
fn closest_stage(cx: &DockerfileContext<'_>, name: &str, before: usize) -> Option<String> {
    let name = name.to_ascii_lowercase();
    cx.stages
        .iter()
        .filter(|s| s.index < before)
        .filter_map(|s| s.name.as_deref())
        .map(|n| (edit_distance(&name, n), n))
        .filter(|&(d, n)| d <= 2 && d < n.chars().count())
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn distance() {
        assert_eq!(super::edit_distance("buidl", "build"), 2);
        assert_eq!(super::edit_distance("builder", "build"), 2);
        assert_eq!(super::edit_distance("", "abc"), 3);
    }
}

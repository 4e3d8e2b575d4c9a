//! References from one stage to another (or to an image): `COPY --from=` and
//! `RUN --mount=…,from=`, resolved the way BuildKit resolves them.

use rampart_diagnostics::Span;
use rampart_dockerfile::{Body, Flag, ImageRef, Stage};

use super::images::is_known_official;
use crate::dockerfile::DockerfileContext;

/// Where a reference is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefSite {
    CopyFrom,
    MountFrom,
}

impl RefSite {
    pub fn describe(self) -> &'static str {
        match self {
            RefSite::CopyFrom => "COPY --from",
            RefSite::MountFrom => "RUN --mount from",
        }
    }
}

impl StageReference {
    /// The flag as written: `--from=build`, `--mount=…,from=build`.
    pub fn written_flag(&self) -> String {
        match self.site {
            RefSite::CopyFrom => format!("--from={}", self.written),
            RefSite::MountFrom => format!("--mount=…,from={}", self.written),
        }
    }
}

/// One `--from=` reference.
#[derive(Debug)]
pub(crate) struct StageReference {
    pub instruction: usize,
    /// Index of the stage the instruction belongs to.
    pub stage: usize,
    pub site: RefSite,
    /// The value as written.
    pub written: String,
    /// The value after build-argument expansion; `None` when an argument is unknown.
    pub value: Option<String>,
    /// The value in the source, or the whole flag when it cannot be pinned down.
    pub span: Span,
}

/// What a reference designates.
#[derive(Debug)]
pub(crate) enum Target<'s> {
    Stage(&'s Stage),
    Image(ImageRef),
    /// A number that is no stage index (BuildKit: "invalid stage index").
    BadIndex(i64),
    /// A plain name (no `/`, `:`, `.`, `@`) that is no stage and no well-known image.
    UnknownName(String),
    /// `context`, `scratch`, an unresolved or invalid value: nothing to say.
    Other,
}

/// Every `COPY --from=` and `RUN --mount=…,from=` outside `ONBUILD`, in order.
pub(crate) fn stage_references(cx: &DockerfileContext<'_>) -> Vec<StageReference> {
    let mut out = Vec::new();
    for (i, instr) in cx.instructions() {
        let Some(stage) = cx.stage_of(i).map(|s| s.index) else { continue };
        match &instr.body {
            Body::Copy(_) => {
                for flag in instr.flags_named("from") {
                    let Some(written) = flag.value.clone() else { continue };
                    let span = flag.value_span.as_ref().unwrap_or(&flag.span);
                    let span = Span::new(span.start, span.end);
                    out.push(reference(cx, i, stage, RefSite::CopyFrom, written, span));
                }
            }
            Body::Run(_) => {
                for flag in instr.flags_named("mount") {
                    let Some(written) = flag.option("from") else { continue };
                    let span = option_span(cx, flag, "from");
                    out.push(reference(cx, i, stage, RefSite::MountFrom, written, span));
                }
            }
            _ => {}
        }
    }
    out
}

fn reference(
    cx: &DockerfileContext<'_>,
    instruction: usize,
    stage: usize,
    site: RefSite,
    written: String,
    span: Span,
) -> StageReference {
    let e = cx.scopes.at(instruction).expand(&written, cx.df.escape);
    let value = (e.is_complete() && !e.value.is_empty()).then_some(e.value);
    StageReference { instruction, stage, site, written, value, span }
}

/// The span of `key=value`'s value inside a `--mount=` flag, or the whole flag.
fn option_span(cx: &DockerfileContext<'_>, flag: &Flag, key: &str) -> Span {
    let whole = Span::new(flag.span.start, flag.span.end);
    let (Some(value), Some(vs)) = (&flag.value, &flag.value_span) else { return whole };
    let vs = Span::new(vs.start, vs.end);
    if cx.file.slice(vs) != value.as_str() {
        return whole;
    }
    let mut offset = 0;
    for item in value.split(',') {
        if let Some((k, v)) = item.split_once('=')
            && k.trim().eq_ignore_ascii_case(key)
        {
            let start = vs.start + offset + k.len() + 1;
            return Span::new(start, start + v.len());
        }
        offset += item.len() + 1;
    }
    whole
}

/// A name without registry, path, tag or digest: what a stage name looks like.
pub(crate) fn is_bare_name(value: &str) -> bool {
    !value.is_empty() && !value.contains(['/', ':', '.', '@'])
}

/// Resolves a reference the way BuildKit does: a number is a stage index, a name is looked up
/// among all stages (case-insensitively, earlier or later), anything else is an image.
pub(crate) fn resolve<'s>(cx: &'s DockerfileContext<'_>, value: &str) -> Target<'s> {
    if !value.is_empty() && value.trim_start_matches(['-', '+']).chars().all(|c| c.is_ascii_digit()) {
        return match value.parse::<i64>() {
            Ok(n) => match usize::try_from(n).ok().and_then(|n| cx.stages.get(n)) {
                Some(s) => Target::Stage(s),
                None => Target::BadIndex(n),
            },
            Err(_) => Target::Other,
        };
    }
    let lower = value.to_ascii_lowercase();
    if let Some(s) = cx.stages.iter().find(|s| s.name.as_deref() == Some(lower.as_str())) {
        return Target::Stage(s);
    }
    if lower == "context" || lower == "scratch" {
        return Target::Other;
    }
    if is_bare_name(value) && !is_known_official(value) {
        return Target::UnknownName(value.to_string());
    }
    match ImageRef::parse(value) {
        Some(r) => Target::Image(r),
        None => Target::Other,
    }
}

/// The image word of a stage's `FROM`.
pub(crate) fn from_word<'f>(cx: &DockerfileContext<'f>, stage: &Stage) -> Option<&'f rampart_dockerfile::Word> {
    match &cx.instruction(stage.from).body {
        Body::From { image, .. } => Some(image),
        _ => None,
    }
}

/// Stages built on an image (not a stage, not `scratch`) whose reference is fully known
/// after expanding the global build arguments, with the `FROM` image word.
pub(crate) fn image_bases<'c, 'f>(
    cx: &'c DockerfileContext<'f>,
) -> impl Iterator<Item = (&'c Stage, &'c ImageRef, &'f rampart_dockerfile::Word)> + 'c {
    cx.stages.iter().filter_map(move |stage| match &stage.base {
        rampart_dockerfile::StageRef::Image(image) if stage.image.is_complete() && !image.is_scratch() => {
            Some((stage, image, from_word(cx, stage)?))
        }
        _ => None,
    })
}

/// The build arguments a `FROM` line used, as "`NAME`" for messages, or `None`.
pub(crate) fn args_used(stage: &Stage) -> Option<String> {
    if stage.image.used.is_empty() {
        return None;
    }
    let mut names: Vec<&str> = stage.image.used.iter().map(String::as_str).collect();
    names.dedup();
    Some(names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))
}

//! Facts about a Dockerfile that several rules need: the user the image runs as, where a
//! new instruction can go, what the base image is known to provide.

use rampart_dockerfile::{Body, Expansion, ImageRef, Keyword, StageRef};

use super::DockerfileContext;

/// `root`, `0`, `root:root`, `0:0`.
pub fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || name == "0"
}

/// Whether the user part is a number (`1000`, `1000:1000`); groups may be names.
pub fn is_numeric_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    !name.is_empty() && name.chars().all(|c| c.is_ascii_digit())
}

/// Base images documented to run as a non-root user by default.
pub fn known_nonroot_base(image: &ImageRef) -> bool {
    let tag = image.tag.as_deref().unwrap_or("");
    let repo = image.canonical_repository();
    tag.contains("nonroot")
        || tag.contains("rootless")
        || repo.contains("unprivileged")
        || repo.contains("rootless")
        || repo.starts_with("docker.io/bitnami/")
}

/// The last `USER` of the final image (across the stages it is built `FROM`).
#[derive(Debug)]
pub struct FinalUser {
    /// Index of the `USER` instruction.
    pub instruction: usize,
    pub value: Expansion,
}

pub fn final_user(cx: &DockerfileContext<'_>) -> Option<FinalUser> {
    let mut last = None;
    for stage in cx.final_chain() {
        for i in stage.body() {
            if let Body::User(word) = &cx.instruction(i).body {
                last = Some(FinalUser { instruction: i, value: cx.expand(i, word) });
            }
        }
    }
    last
}

/// The image at the root of the final stage chain (`None` for `scratch` or unknown).
pub fn final_root_image<'c>(cx: &'c DockerfileContext<'_>) -> Option<&'c ImageRef> {
    let root = cx.final_chain().next()?;
    match &root.base {
        StageRef::Image(r) => Some(r),
        _ => None,
    }
}

/// Whether the final image is built on `scratch`.
pub fn final_is_scratch(cx: &DockerfileContext<'_>) -> bool {
    cx.final_chain().next().is_some_and(|s| s.base == StageRef::Scratch)
}

/// Where to insert an instruction that must come after everything that needs root in the
/// final stage: before the first `CMD`/`ENTRYPOINT`/`EXPOSE`/`HEALTHCHECK`/`STOPSIGNAL`/
/// `LABEL`/`VOLUME` that follows the stage's last `RUN`/`COPY`/`ADD`/`WORKDIR`, or at the
/// end of the file. Returns the byte offset and whether a newline must be written first.
pub fn runtime_section_start(cx: &DockerfileContext<'_>) -> Option<(usize, bool)> {
    let stage = cx.final_stage()?;
    let body: Vec<usize> = stage.body().collect();
    let last_build = body.iter().rposition(|&i| {
        matches!(
            cx.instruction(i).keyword,
            Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Workdir | Keyword::User
        )
    });
    let start = last_build.map_or(0, |p| p + 1);
    for &i in &body[start.min(body.len())..] {
        let instr = cx.instruction(i);
        if matches!(
            instr.keyword,
            Keyword::Cmd
                | Keyword::Entrypoint
                | Keyword::Expose
                | Keyword::Healthcheck
                | Keyword::Stopsignal
                | Keyword::Label
                | Keyword::Volume
        ) {
            return Some((line_start(cx.file.text(), instr.span.start), false));
        }
    }
    let text = cx.file.text();
    Some((text.len(), !text.is_empty() && !text.ends_with('\n')))
}

/// The offset of the start of the line holding `offset`.
pub(crate) fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len())).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1)
}

use rampart_dockerfile::{Body, StageRef};

use super::util::{ChainState, is_windows_absolute};
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// `COPY` or `ADD` to a relative destination before any `WORKDIR`.
    ///
    /// ## What it does
    /// Reports `COPY` and `ADD` whose destination, after expanding build arguments, is a
    /// relative path (`.`, `app/`) when no `WORKDIR` was set earlier in the stage or in the
    /// stages it is built `FROM`. Stages built on `scratch` are not reported: their working
    /// directory is `/`.
    ///
    /// ## Why
    /// A relative destination is resolved against the working directory of the base image,
    /// which the Dockerfile does not show and which changes when the base image does:
    /// `COPY . .` may land in `/`, in `/app` or in `/usr/src/app`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . .
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// COPY . .
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which directory the files belong in is the author's choice.
    ///
    /// ## References
    /// - COPY: <https://docs.docker.com/reference/dockerfile/#copy>
    /// - WORKDIR: <https://docs.docker.com/reference/dockerfile/#workdir>
    pub struct CopyRelativeDestinationWithoutWorkdir {
        code: "DF081",
        name: "copy-relative-destination-without-workdir",
        severity: Warning,
        tags: ["runtime", "reproducibility"],
        equivalents: ["hadolint:DL3045"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let state = ChainState::new(cx);
    for (i, instr) in cx.instructions() {
        let (Body::Copy(copy) | Body::Add(copy)) = &instr.body else { continue };
        let Some(dest) = &copy.dest else { continue };
        let value = cx.expand(i, dest);
        let d = value.value.trim();
        if !value.is_complete() || d.is_empty() || d.starts_with('/') || is_windows_absolute(d) {
            continue;
        }
        let Some(stage) = cx.stage_of(i) else { continue };
        let root = state.root(stage.index);
        if cx.stages[root].base == StageRef::Scratch || state.at(i).workdir.set {
            continue;
        }
        let kw = instr.keyword.as_str();
        out.push(
            cx.finding(&INFO, dest.span.clone(), format!("{kw} to the relative path `{d}` without a WORKDIR"))
                .with_label("resolved against the base image's working directory")
                .with_help(
                    "set `WORKDIR /app` (or another absolute directory) before it, or use an absolute destination",
                ),
        );
    }
}

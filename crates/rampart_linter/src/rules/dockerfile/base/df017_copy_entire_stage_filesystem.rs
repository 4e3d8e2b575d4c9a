use rampart_dockerfile::{Body, StageRef};

use super::refs::{RefSite, Target, resolve, stage_references};
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// `COPY --from=<stage> /` copies a whole stage's filesystem into the image.
    ///
    /// ## What it does
    /// Reports `COPY --from=<stage>` in the final image whose source is the root of that
    /// stage (`/`, `/.`), after expanding build arguments. A stage built `FROM scratch` is not
    /// reported: its filesystem is exactly what was put into it, which is the usual way to
    /// assemble a root filesystem.
    ///
    /// ## Why
    /// The root of a builder stage is its whole userland: shell, package manager, compilers,
    /// caches, build secrets left in files, and the package database that makes scanners
    /// report every one of them. Copying it brings all of that into the shipped image and
    /// undoes the point of a multi-stage build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build / /
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which files the application needs is for a human to list.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 "Ensure that unnecessary packages are not installed in the container"
    /// - Multi-stage builds: <https://docs.docker.com/build/building/multi-stage/>
    pub struct CopyEntireStageFilesystem {
        code: "DF017",
        name: "copy-entire-stage-filesystem",
        severity: Warning,
        tags: ["attack-surface", "cis-docker:4.3"],
        equivalents: ["hadolint:DL3067"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for r in stage_references(cx) {
        if r.site != RefSite::CopyFrom || !cx.in_final_image(r.instruction) {
            continue;
        }
        let Some(value) = &r.value else { continue };
        let Target::Stage(source_stage) = resolve(cx, value) else { continue };
        if built_from_scratch(cx, source_stage.index) {
            continue;
        }
        let Body::Copy(copy) = &cx.instruction(r.instruction).body else { continue };
        for source in &copy.sources {
            let expanded = cx.expand(r.instruction, source);
            if !expanded.is_complete() || !is_root(&expanded.value) {
                continue;
            }
            let name = source_stage.name.clone().map_or(format!("stage {}", source_stage.index), |n| format!("`{n}`"));
            out.push(
                cx.finding(&INFO, &source.span, format!("copies the whole filesystem of {name} into the image"))
                    .with_label("shell, package manager and build tools come along")
                    .with_help(format!("copy only what the image needs, e.g. `COPY --from={value} /out/app /app`")),
            );
        }
    }
}

/// `/`, `/.`, `//`, `/./`.
fn is_root(path: &str) -> bool {
    if !path.starts_with('/') {
        return false;
    }
    let mut p = path;
    loop {
        let next = p.strip_suffix('/').or_else(|| p.strip_suffix("/.")).unwrap_or(p);
        if next == p {
            return p.is_empty();
        }
        p = next;
    }
}

/// Whether the stage (through the stages it is built on) starts from `scratch`.
fn built_from_scratch(cx: &DockerfileContext<'_>, mut stage: usize) -> bool {
    for _ in 0..cx.stages.len() {
        match cx.stages.get(stage).map(|s| &s.base) {
            Some(StageRef::Stage(parent)) => stage = *parent,
            Some(StageRef::Scratch) => return true,
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn roots() {
        for p in ["/", "/.", "//", "/./", "/./."] {
            assert!(super::is_root(p), "{p}");
        }
        for p in ["/app", ".", "./", "/app/.", "app"] {
            assert!(!super::is_root(p), "{p}");
        }
    }
}

use std::sync::Arc;

use rampart_diagnostics::Span;
use rampart_dockerfile::{Stage, StageRef};

use super::images::{FullImage, full_image, official_name};
use super::refs::{RefSite, Target, from_word, resolve, stage_references};
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// The final image ships a full distribution although an earlier stage builds the artifact.
    ///
    /// ## What it does
    /// Reports a multi-stage build whose final image is based on a full distribution or
    /// language image (`debian`, `ubuntu`, `alpine`, `fedora`, `python`, `node`, `golang`,
    /// `eclipse-temurin`, Red Hat UBI, … — `-slim` variants included, they still have a shell
    /// and a package manager) while it copies its artifact from a builder stage (`COPY
    /// --from=<stage>` in the final image). Distroless, Chainguard, chiseled, BusyBox and
    /// `scratch` bases are not reported, nor are single-stage builds.
    ///
    /// ## Why
    /// Once the artifact is built elsewhere, the runtime image needs only the artifact and
    /// what it links to. Everything else — shell, package manager, coreutils, hundreds of
    /// libraries — is attack surface: tools for an intruder, and a steady stream of CVEs to
    /// triage in packages the application never uses. A distroless or static base often
    /// removes 90% of the image and of the scanner findings.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /out/app .
    /// FROM debian:12-slim
    /// COPY --from=build /out/app /usr/local/bin/app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /out/app .
    /// FROM gcr.io/distroless/static-debian12:nonroot
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the application may need a shell, a libc or runtime files that a
    /// minimal base lacks; it has to be tested.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 "Ensure that unnecessary packages are not installed in the container"
    /// - NIST SP 800-190 §4.1.2 (image configuration defects) and §6.1 (minimal images)
    /// - Distroless images: <https://github.com/GoogleContainerTools/distroless>
    pub struct FinalStageFullDistribution {
        code: "DF014",
        name: "final-stage-full-distribution",
        severity: Note,
        tags: ["attack-surface", "cis-docker:4.3", "nist-800-190:4.1.2", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let Some(root) = cx.final_chain().next() else { return };
    let StageRef::Image(image) = &root.base else { return };
    if !root.image.is_complete() {
        return;
    }
    let Some(kind) = full_image(image) else { return };
    let Some(word) = from_word(cx, root) else { return };
    let builder = stage_references(cx).into_iter().find_map(|r| {
        if r.site != RefSite::CopyFrom || !cx.stage_in_final_image(r.stage) {
            return None;
        }
        match resolve(cx, r.value.as_deref()?) {
            Target::Stage(s) if !cx.stage_in_final_image(s.index) => Some(s),
            _ => None,
        }
    });
    let Some(builder) = builder else { return };
    let what = match kind {
        FullImage::Distribution => "a full distribution",
        FullImage::Language => "a full language image",
    };
    let builder_from = cx.instruction(builder.from);
    out.push(
        cx.finding(&INFO, &word.span, format!("the final image is built on `{image}`, {what}"))
            .with_label("shell, package manager and libraries the artifact does not need")
            .with_related(
                Arc::clone(cx.file),
                Span::new(builder_from.line_span.start, builder_from.line_span.end),
                format!("{} builds what the image ships", stage_label(builder)),
            )
            .with_help(suggestion(cx, image, builder)),
    );
}

fn stage_label(stage: &Stage) -> String {
    match &stage.name {
        Some(name) => format!("stage `{name}`"),
        None => format!("stage {}", stage.index),
    }
}

/// A minimal base for what the image runs: the runtime of the final base, or of the builder.
fn suggestion(cx: &DockerfileContext<'_>, image: &rampart_dockerfile::ImageRef, builder: &Stage) -> String {
    let runtime = |name: &str| -> Option<&'static str> {
        Some(match name {
            "node" => "gcr.io/distroless/nodejs22-debian12",
            "python" | "pypy" => "gcr.io/distroless/python3-debian12",
            "openjdk"
            | "eclipse-temurin"
            | "amazoncorretto"
            | "ibm-semeru-runtimes"
            | "sapmachine"
            | "ibmjava"
            | "maven"
            | "gradle"
            | "clojure"
            | "groovy" => "gcr.io/distroless/java21-debian12",
            _ => return None,
        })
    };
    let builder_image = cx.stages.iter().find(|s| s.index == builder.index).and_then(|s| match &s.base {
        StageRef::Image(i) => official_name(i),
        _ => None,
    });
    let choice = official_name(image)
        .as_deref()
        .and_then(runtime)
        .or_else(|| builder_image.as_deref().and_then(runtime))
        .unwrap_or("gcr.io/distroless/static-debian12");
    if choice.ends_with("static-debian12") {
        format!(
            "copy the artifact into a minimal base such as `{choice}` (`gcr.io/distroless/cc-debian12` if it links to libc), or a Chainguard image"
        )
    } else {
        format!("copy the artifact into a minimal base such as `{choice}`, or a Chainguard image")
    }
}

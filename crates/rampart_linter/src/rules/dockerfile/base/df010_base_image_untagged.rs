use super::refs::{args_used, image_bases};
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// A `FROM` image has neither a tag nor a digest.
    ///
    /// ## What it does
    /// Reports `FROM` lines whose image reference — after expanding the global build
    /// arguments — names no tag and no digest (`FROM debian`, `FROM $BASE` with `ARG
    /// BASE=debian`). References to earlier stages, `scratch`, and build arguments without a
    /// default are not reported.
    ///
    /// ## Why
    /// Without a tag the builder pulls `latest`: whatever the publisher pushed last. Two
    /// builds of the same commit can start from different operating system releases, a new
    /// major version can break the build or the application without any change on your side,
    /// and nobody can tell afterwards which base an image was built from.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim-bookworm@sha256:…
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which version the build was written for is for a human to say.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.2 "Ensure that containers use only trusted base images"
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images)
    /// - Dockerfile reference, FROM: <https://docs.docker.com/reference/dockerfile/#from>
    pub struct BaseImageUntagged {
        code: "DF010",
        name: "base-image-untagged",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "nist-800-190:4.1.5", "seed:pin-images"],
        equivalents: ["hadolint:DL3006", "trivy:DS-0001"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for (stage, image, word) in image_bases(cx) {
        if image.tag.is_some() || image.digest.is_some() {
            continue;
        }
        let label = match args_used(stage) {
            Some(args) => format!("from build argument {args}: the builder pulls `{image}:latest`"),
            None => format!("the builder pulls `{image}:latest`, whatever it is today"),
        };
        out.push(
            cx.finding(&INFO, &word.span, format!("`{image}` has no tag"))
                .with_label(label)
                .with_help(format!("pin a version tag, e.g. `{image}:<version>`, then pin its digest")),
        );
    }
}

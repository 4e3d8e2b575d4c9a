use super::refs::image_bases;
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// A `FROM` image is pinned by tag only, not by digest.
    ///
    /// ## What it does
    /// Reports `FROM` lines whose image — after expanding the global build arguments — has a
    /// tag but no digest (`FROM debian:12-slim`). Untagged images are left to
    /// `base-image-untagged` (DF010); references to stages, `scratch` and build arguments
    /// without a default are not reported.
    ///
    /// ## Why
    /// Tags are mutable: `debian:12-slim` is rebuilt and re-pushed for every point release and
    /// security update, and a registry or account compromise can point it at anything. A
    /// digest names exactly one image, so the build is reproducible and what was reviewed is
    /// what is built. Renovate and Dependabot update pinned digests automatically.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim@sha256:…
    /// ```
    ///
    /// ## Fix safety
    /// No fix here: the digest must be looked up in the registry
    /// (`docker buildx imagetools inspect IMAGE:TAG` prints it).
    ///
    /// ## References
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images) and §4.2.2 (stale images)
    /// - SLSA, build provenance and pinned dependencies: <https://slsa.dev/>
    /// - Docker: pin base image versions:
    ///   <https://docs.docker.com/build/building/best-practices/#pin-base-image-versions>
    pub struct BaseImageNotPinnedByDigest {
        code: "DF012",
        name: "base-image-not-pinned-by-digest",
        severity: Note,
        tags: ["supply-chain", "reproducibility", "nist-800-190:4.1.5", "seed:pin-images"],
        equivalents: [],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for (_, image, word) in image_bases(cx) {
        // `:latest` is DF011's finding; one line should not get two for the same fix.
        if image.tag.is_none() || image.digest.is_some() || image.tag.as_deref() == Some("latest") {
            continue;
        }
        out.push(
            cx.finding(&INFO, &word.span, format!("`{image}` is not pinned by digest"))
                .with_label("the tag can be moved to a different image")
                .with_help(format!(
                    "pin it: `FROM {image}@sha256:<digest>` (`docker buildx imagetools inspect {image}` prints the digest)"
                )),
        );
    }
}

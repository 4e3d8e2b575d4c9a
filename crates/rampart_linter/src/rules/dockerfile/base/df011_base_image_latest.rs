use super::refs::image_bases;
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// A `FROM` image uses the `latest` tag.
    ///
    /// ## What it does
    /// Reports `FROM` lines whose image — after expanding the global build arguments — is
    /// tagged `latest` and has no digest, and says when the tag came from a build argument's
    /// default. `image:latest@sha256:…` is not reported: the digest decides what is pulled.
    ///
    /// ## Why
    /// `latest` is a moving tag: the publisher points it at every new release. Builds are not
    /// reproducible, a new major version (a new Debian or Node.js release) arrives without
    /// review, and a compromised or broken push reaches your images at the next build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:latest
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-bookworm-slim@sha256:…
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which version the build was written for is for a human to say.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.2 "Ensure that containers use only trusted base images"
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images)
    /// - Dockerfile best practices: <https://docs.docker.com/build/building/best-practices/#pin-base-image-versions>
    pub struct BaseImageLatest {
        code: "DF011",
        name: "base-image-latest",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "nist-800-190:4.1.5", "seed:pin-images"],
        equivalents: ["hadolint:DL3007", "trivy:DS-0001", "checkov:CKV_DOCKER_7"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for (stage, image, word) in image_bases(cx) {
        if image.tag.as_deref() != Some("latest") || image.digest.is_some() {
            continue;
        }
        let global = cx.scopes.global();
        let from_arg = stage
            .image
            .used
            .iter()
            .find(|name| global.global_default(name).is_some_and(|v| v.contains("latest")))
            .filter(|_| !word.raw.contains("latest"));
        let label = match from_arg {
            Some(name) => format!("`latest` is the default of build argument `{name}`"),
            None => "the publisher moves this tag to every new release".to_string(),
        };
        let name = image.registry.as_ref().map_or(image.repository.clone(), |r| format!("{r}/{}", image.repository));
        out.push(
            cx.finding(&INFO, &word.span, format!("`{image}` uses the moving `latest` tag"))
                .with_label(label)
                .with_help(format!("pin a version tag, e.g. `{name}:<version>`, then pin its digest")),
        );
    }
}

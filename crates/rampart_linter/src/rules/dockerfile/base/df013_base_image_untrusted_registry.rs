use rampart_diagnostics::Span;
use rampart_dockerfile::ImageRef;

use super::refs::{Target, image_bases, resolve, stage_references};
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// An image comes from a registry outside the trusted list.
    ///
    /// ## What it does
    /// Only when `trusted-registries` is set in the `[images]` section of `rampart.toml`:
    /// reports every image the build pulls — `FROM` bases, `COPY --from=<image>` and
    /// `RUN --mount=…,from=<image>` — whose repository is not under one of the listed
    /// prefixes. An entry trusts the repositories equal to it or below it: `docker.io` trusts
    /// all of Docker Hub, `docker.io/library` only the official images, `gcr.io/distroless`
    /// that project. Short names are canonicalised first (`debian` is
    /// `docker.io/library/debian`). Stages, `scratch` and unresolved build arguments are
    /// skipped.
    ///
    /// ```toml
    /// [images]
    /// trusted-registries = ["docker.io/library", "gcr.io/distroless", "registry.example.com"]
    /// ```
    ///
    /// ## Why
    /// Whoever controls the registry or the repository controls the code your image runs. An
    /// allow-list of registries — your own mirror, official images, vendors you have vetted —
    /// keeps typo-squatted and abandoned repositories out, and makes a new source a reviewed
    /// decision rather than a side effect of a Dockerfile edit.
    ///
    /// ## Example
    /// With `trusted-registries = ["docker.io/library", "registry.example.com"]`:
    /// ```dockerfile
    /// FROM someuser/python-tools:3.12
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM registry.example.com/base/python:3.12
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the replacement image must be chosen (or mirrored) by a human.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.2 "Ensure that containers use only trusted base images"
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images) and §4.2.1 (image sources)
    pub struct BaseImageUntrustedRegistry {
        code: "DF013",
        name: "base-image-untrusted-registry",
        severity: Error,
        tags: ["supply-chain", "security", "cis-docker:4.2", "nist-800-190:4.1.5"],
        equivalents: ["hadolint:DL3026", "cis-docker:4.2"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let Some(list) = &cx.options.trusted_registries else { return };
    let trusted = TrustedRegistries::new(list);
    let help = trusted.help();
    let mut report = |image: &ImageRef, span: Span, what: &str| {
        let Some(label) = trusted.untrusted(image) else { return };
        out.push(
            cx.finding(&INFO, span, format!("{what} `{image}` is not from a trusted registry"))
                .with_label(label)
                .with_help(help.clone()),
        );
    };
    for (_, image, word) in image_bases(cx) {
        report(image, Span::new(word.span.start, word.span.end), "base image");
    }
    for r in stage_references(cx) {
        let Some(value) = &r.value else { continue };
        if let Target::Image(image) = resolve(cx, value) {
            report(&image, r.span, &format!("`{}` image", r.site.describe()));
        }
    }
}

/// The `images.trusted-registries` list, normalised, and how an image is judged against
/// it (shared with the posture rule KS025).
pub(crate) struct TrustedRegistries {
    trusted: Vec<String>,
}

impl TrustedRegistries {
    pub(crate) fn new(list: &[String]) -> Self {
        TrustedRegistries { trusted: list.iter().map(|e| normalize(e)).filter(|e| !e.is_empty()).collect() }
    }

    /// What to do about an untrusted image: the trusted list, or that it is empty.
    pub(crate) fn help(&self) -> String {
        if self.trusted.is_empty() {
            "no registry is trusted (`images.trusted-registries` is empty): list the ones you allow".to_string()
        } else {
            format!(
                "trusted (`images.trusted-registries`): {}; use an image from one of them, or mirror this one into one",
                self.trusted.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
            )
        }
    }

    /// `None` when the image's repository is trusted; otherwise a label saying where it is
    /// pulled from (and which part of that registry is trusted, if any).
    pub(crate) fn untrusted(&self, image: &ImageRef) -> Option<String> {
        let repo = image.canonical_repository().to_ascii_lowercase();
        if self.trusted.iter().any(|t| repo == *t || repo.starts_with(&format!("{t}/"))) {
            return None;
        }
        let registry = normalize(image.registry_or_default());
        let partial: Vec<String> = self
            .trusted
            .iter()
            .filter(|t| t.starts_with(&format!("{registry}/")))
            .map(|t| format!("`{t}/…`"))
            .collect();
        Some(if partial.is_empty() {
            format!("pulled from `{registry}`")
        } else {
            format!("on `{registry}` only {} is trusted", partial.join(", "))
        })
    }
}

/// `https://Docker.io/library/` → `docker.io/library`; Docker Hub's other host names → `docker.io`.
fn normalize(entry: &str) -> String {
    let e = entry.trim().to_ascii_lowercase();
    let e = e.strip_prefix("https://").or_else(|| e.strip_prefix("http://")).unwrap_or(&e);
    let e = e.trim_end_matches('/');
    let (host, rest) = match e.split_once('/') {
        Some((h, r)) => (h, Some(r)),
        None => (e, None),
    };
    let host = match host {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => "docker.io",
        h => h,
    };
    match rest {
        Some(r) => format!("{host}/{r}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalize() {
        assert_eq!(super::normalize(" https://Index.Docker.io/library/ "), "docker.io/library");
        assert_eq!(super::normalize("gcr.io"), "gcr.io");
    }
}

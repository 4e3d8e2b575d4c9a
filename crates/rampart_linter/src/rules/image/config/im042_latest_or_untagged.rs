use crate::image::{ImageContext, Pending, Target};

declare_rule! {
    /// The image is referenced by `:latest` or by no tag at all.
    ///
    /// ## What it does
    /// Looks at the reference the image was given by (`registry.example/app:latest`,
    /// `docker-archive:app.tar:latest`, an OCI layout path) and at the tags the image
    /// carries (the layout's `org.opencontainers.image.ref.name`, the archive's
    /// `RepoTags`). Reports a reference tagged `latest`, or, when the reference names no
    /// tag, an image tagged only `latest` or not tagged at all. A reference pinned by
    /// digest (`@sha256:…`) is fine.
    ///
    /// ## Why
    /// `latest` is whatever was pushed last: two deployments of the "same" image can run
    /// different code, a rollback has nothing to roll back to, and which version a finding
    /// or a vulnerability report is about cannot be told later. An untagged image has the
    /// same problem with no name at all.
    ///
    /// ## Example
    /// ```text
    /// rampart scan image registry.example/app:latest
    /// ```
    /// Use instead a version tag, or better a digest:
    /// ```text
    /// rampart scan image registry.example/app:1.4.2
    /// rampart scan image registry.example/app@sha256:…
    /// ```
    ///
    /// ## Fix
    /// Tag builds with a version (`docker build -t app:1.4.2`, the commit, a date) and
    /// deploy that tag or the digest.
    ///
    /// ## Fix safety
    /// No automatic fix: which version an image is, is for the build to say.
    ///
    /// ## References
    /// - NIST SP 800-190 4.1.5 (use only trusted, known images)
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component
    /// - Dockle DKL-DI-0006; Trivy DS-0001 and hadolint DL3007 on Dockerfiles
    pub struct LatestOrUntagged {
        code: "IM042",
        name: "image-latest-or-untagged",
        severity: Warning,
        tags: ["reproducibility", "image", "nist-800-190:4.1.5", "cwe:1357", "seed:pin-images"],
        equivalents: ["dockle:DKL-DI-0006"],
        fix: None,
    }
}

/// The tag in a reference: `app:1.0` → `1.0`; `None` for `app`, `localhost:5000/app`, a
/// path, or a digest reference.
fn reference_tag(reference: &str) -> Option<&str> {
    let mut reference = reference;
    for scheme in ["oci-dir:", "oci-archive:", "docker-archive:", "oci:", "docker:", "registry:"] {
        reference = reference.strip_prefix(scheme).unwrap_or(reference);
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let (_, tag) = last.rsplit_once(':')?;
    (!tag.is_empty()).then_some(tag)
}

/// A tag as the image carries it: `bad:latest` (docker archive `RepoTags`) → `latest`.
fn bare(tag: &str) -> &str {
    reference_tag(tag).unwrap_or(tag)
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    let reference = cx.image.reference.as_str();
    if reference.contains("@sha256:") || reference.contains("@sha512:") {
        return;
    }
    let help = "tag the image with a version (or deploy it by digest) and use that reference";
    if let Some(tag) = reference_tag(reference) {
        if tag == "latest" {
            out.push(
                cx.finding(
                    &INFO,
                    Target::Reference,
                    format!("the image is referenced as `{reference}`: `latest` is whatever was pushed last"),
                )
                .with_label("latest")
                .with_help(help),
            );
        }
        return;
    }
    let tags = &cx.image.tags;
    if tags.is_empty() {
        out.push(
            cx.finding(&INFO, Target::Reference, "the image has no tag: nothing says which version it is")
                .with_label("untagged")
                .with_help(help),
        );
    } else if tags.iter().all(|t| bare(t) == "latest") {
        out.push(
            cx.finding(
                &INFO,
                Target::Tag(tags[0].clone()),
                format!("the image is tagged only `{}`: `latest` is whatever was pushed last", tags[0]),
            )
            .with_label("latest")
            .with_help(help),
        );
    }
}

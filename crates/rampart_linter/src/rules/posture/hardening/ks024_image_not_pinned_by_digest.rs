use super::util::image;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A container image is pinned by tag but not by digest.
    ///
    /// ## What it does
    /// Reports every container (regular, init and ephemeral; Compose services) whose image has
    /// a version tag but no `@sha256:…` digest, at the image. Images without a tag or tagged
    /// `latest` are KS023's. Images that are not literal references (`${IMAGE}`,
    /// `{{ .Values.image }}`) are skipped.
    ///
    /// ## Why
    /// A tag is a pointer the publisher (or whoever takes over the repository) can move:
    /// `1.27` gets every patch release, and even `1.27.3` can be re-pushed. A digest names the
    /// content itself, so every node runs exactly the image that was scanned and approved, and
    /// a changed image cannot slip in at the next pull.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: nginx:1.27.3
    /// ```
    /// Use instead (keep the tag for people; the digest decides):
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: nginx:1.27.3@sha256:…
    /// ```
    ///
    /// ## Fix safety
    /// The fix would append the digest the tag points at now. It needs the registry (rampart
    /// does not go online) and freezes whatever the tag points at, for a human to confirm;
    /// rampart does not apply it yet.
    ///
    /// ## References
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images) and §4.2.1
    /// - Kubernetes: <https://kubernetes.io/docs/concepts/containers/images/#image-names>
    pub struct ImageNotPinnedByDigest {
        code: "KS024",
        name: "image-not-pinned-by-digest",
        severity: Note,
        tags: ["supply-chain", "reproducibility", "nist-800-190:4.1.5", "seed:pin-images"],
        equivalents: ["checkov:CKV_K8S_43"],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            let Some((image, setting)) = image(c) else { continue };
            if image.digest.is_some() || matches!(image.tag.as_deref(), None | Some("latest")) {
                continue;
            }
            out.push(
                cx.finding(
                    &INFO,
                    setting.span().unwrap_or_else(|| c.anchor.clone()),
                    format!("image `{image}` of {} is not pinned by digest", container_label(w, c)),
                )
                .with_label("the tag can be moved to other content")
                .with_help(format!("append the digest it was tested with: `{image}@sha256:…`")),
            );
        }
    }
}

use super::util::image;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A container image has no tag, or the `latest` tag.
    ///
    /// ## What it does
    /// Reports every container (regular, init and ephemeral; Compose services) whose image
    /// has no tag (which pulls `latest`) or is tagged `latest`, at the image. An image pinned
    /// by digest (`app@sha256:…`, `app:latest@sha256:…`) is not reported: the digest decides
    /// what runs. A registry port is not a tag (`localhost:5000/app` has none). Images that
    /// are not literal references (`${IMAGE}`, `{{ .Values.image }}`) are skipped.
    ///
    /// ## Why
    /// `latest` moves with every release. Two nodes pulling at different times run different
    /// code; a rollback redeploys the same moving tag and changes nothing; a compromised push
    /// reaches the cluster at the next pod restart; and nobody can tell from the manifest what
    /// is running. With `latest`, Kubernetes also defaults `imagePullPolicy` to `Always`, so
    /// every start depends on the registry.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: nginx
    /// ```
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: nginx:1.27.3@sha256:…
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which version the workload was tested with is for a human to say.
    ///
    /// ## References
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images) and §4.2.1
    /// - Kubernetes configuration best practices: <https://kubernetes.io/docs/concepts/configuration/overview/#container-images>
    pub struct ImageTagMutable {
        code: "KS023",
        name: "image-tag-mutable",
        severity: Warning,
        tags: ["supply-chain", "reproducibility", "nist-800-190:4.1.5", "seed:pin-images"],
        equivalents: [
            "kyverno:disallow-latest-tag",
            "trivy:KSV-0013",
            "kube-linter:latest-tag",
            "polaris:tagNotSpecified",
            "checkov:CKV_K8S_14",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            let Some((image, setting)) = image(c) else { continue };
            if image.digest.is_some() {
                continue;
            }
            let (message, label) = match image.tag.as_deref() {
                None => ("has no tag", "no tag: the registry serves `latest`"),
                Some("latest") => ("uses the moving `latest` tag", "the publisher moves this tag to every new release"),
                Some(_) => continue,
            };
            let name =
                image.registry.as_ref().map_or(image.repository.clone(), |r| format!("{r}/{}", image.repository));
            out.push(
                cx.finding(
                    &INFO,
                    setting.span().unwrap_or_else(|| c.anchor.clone()),
                    format!("image `{image}` of {} {message}", container_label(w, c)),
                )
                .with_label(label)
                .with_help(format!("pin the version you tested, e.g. `{name}:<version>`, then its digest")),
            );
        }
    }
}

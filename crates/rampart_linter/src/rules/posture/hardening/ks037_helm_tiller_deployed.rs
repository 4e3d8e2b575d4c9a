use rampart_dockerfile::ImageRef;

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// Helm v2's Tiller server is deployed.
    ///
    /// ## What it does
    /// Reports every container (regular, init and ephemeral; Compose services) whose image
    /// repository is named `tiller` — `gcr.io/kubernetes-helm/tiller`, `ghcr.io/helm/tiller`
    /// and their mirrors — at the image. Other images whose names merely contain the word
    /// (`distiller`) are not reported.
    ///
    /// ## Why
    /// Tiller is the in-cluster half of Helm 2, which reached its end of life in November
    /// 2020 and gets no security fixes. It runs with broad (usually cluster-admin) rights and
    /// by default serves an unauthenticated gRPC API on port 44134: any pod that can reach it
    /// installs any chart — a privileged DaemonSet — with Tiller's rights, and reads every
    /// release's values, secrets included.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: tiller
    ///     image: gcr.io/kubernetes-helm/tiller:v2.16.12
    /// ```
    /// Use instead: migrate the releases to Helm 3 (`helm 2to3`), which has no in-cluster
    /// component, and remove Tiller.
    ///
    /// ## Fix safety
    /// No automatic fix: the releases Tiller manages must be migrated first.
    ///
    /// ## References
    /// - Helm 2 end of life: <https://helm.sh/blog/helm-v2-deprecation-timeline/>
    /// - CWE-1104: Use of Unmaintained Third Party Components
    pub struct HelmTillerDeployed {
        code: "KS037",
        name: "helm-tiller-deployed",
        severity: Warning,
        tags: ["supply-chain", "kubernetes-api", "cwe:1104"],
        equivalents: ["kyverno:disallow-helm-tiller", "trivy:KSV-0102", "checkov:CKV_K8S_34"],
        fix: None,
    }
}

/// Whether an image reference names a `tiller` repository (parsed, or by its last path
/// component when it does not parse, e.g. with a variable in the tag).
fn is_tiller(image: &str) -> bool {
    let image = image.trim();
    if let Some(r) = ImageRef::parse(image) {
        return r.short_name().eq_ignore_ascii_case("tiller");
    }
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split(':').next().unwrap_or(last).eq_ignore_ascii_case("tiller")
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            let Some(image) = &c.image else { continue };
            if !is_tiller(&image.value) {
                continue;
            }
            out.push(
                cx.finding(
                    &INFO,
                    image.span().unwrap_or_else(|| c.anchor.clone()),
                    format!("{} runs Helm v2's Tiller (`{}`)", container_label(w, c), image.value.trim()),
                )
                .with_label("end of life since 2020; its API installs any chart with cluster-wide rights")
                .with_help("migrate the releases to Helm 3 (`helm 2to3`) and remove Tiller"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_tiller;

    #[test]
    fn images() {
        assert!(is_tiller("gcr.io/kubernetes-helm/tiller:v2.16.12"));
        assert!(is_tiller("docker.io/tiller:latest"));
        assert!(is_tiller("registry.example.com/mirror/tiller:${TAG}"));
        assert!(!is_tiller("example/distiller:1.0"));
        assert!(!is_tiller("tiller-exporter:1.0"));
    }
}

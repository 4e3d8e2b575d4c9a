use super::util::image;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::dockerfile::base::df013_base_image_untrusted_registry::TrustedRegistries;

declare_rule! {
    /// A container image comes from a registry outside the trusted list.
    ///
    /// ## What it does
    /// Only when `trusted-registries` is set in the `[images]` section of `rampart.toml`:
    /// reports every container (regular, init and ephemeral; Compose services) whose image
    /// repository is not under one of the listed prefixes, with the same matching as DF013.
    /// An entry trusts the repositories equal to it or below it: `docker.io` trusts all of
    /// Docker Hub, `docker.io/library` only the official images, `gcr.io/distroless` that
    /// project. Short names are canonicalised first (`nginx` is `docker.io/library/nginx`).
    /// Images that are not literal references (`${IMAGE}`, `{{ .Values.image }}`) are
    /// skipped.
    ///
    /// ```toml
    /// [images]
    /// trusted-registries = ["registry.example.com", "docker.io/library"]
    /// ```
    ///
    /// ## Why
    /// Whoever controls the registry or the repository controls the code the cluster runs.
    /// An allow-list — your own mirror, official images, vendors you have vetted — keeps
    /// typo-squatted and abandoned repositories out, and makes a new source a reviewed
    /// decision rather than a side effect of a manifest edit.
    ///
    /// ## Example
    /// With `trusted-registries = ["registry.example.com"]`:
    /// ```yaml
    /// containers:
    ///   - name: exporter
    ///     image: someuser/metrics-exporter:0.3.1
    /// ```
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: exporter
    ///     image: registry.example.com/mirror/metrics-exporter:0.3.1
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the replacement image must be chosen (or mirrored) by a human.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.2 "Ensure that containers use only trusted base images"
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images) and §4.2.1 (image sources)
    pub struct ImageUntrustedRegistry {
        code: "KS025",
        name: "image-untrusted-registry",
        severity: Error,
        tags: ["supply-chain", "security", "cis-docker:4.2", "nist-800-190:4.1.5"],
        equivalents: [],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    let Some(list) = &cx.options.trusted_registries else { return };
    let trusted = TrustedRegistries::new(list);
    let help = trusted.help();
    for w in &cx.workloads {
        for c in &w.containers {
            let Some((image, setting)) = image(c) else { continue };
            let Some(label) = trusted.untrusted(&image) else { continue };
            out.push(
                cx.finding(
                    &INFO,
                    setting.span().unwrap_or_else(|| c.anchor.clone()),
                    format!("image `{image}` of {} is not from a trusted registry", container_label(w, c)),
                )
                .with_label(label)
                .with_help(help.clone()),
            );
        }
    }
}

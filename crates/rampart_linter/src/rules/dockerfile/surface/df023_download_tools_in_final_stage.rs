use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::Manager;

use super::common::{kept_packages, list, noun, report, runtime_uses};

declare_rule! {
    /// `curl` or `wget` is installed in the final image and not needed by it.
    ///
    /// ## What it does
    /// Reports OS-package installs of `curl` (also `curl-minimal`) and `wget` (also `wget2`)
    /// in a stage that ends up in the final image, unless a later command of the final image
    /// removes them, or the image visibly runs the tool: its `HEALTHCHECK` (the usual reason,
    /// `HEALTHCHECK CMD curl -f http://localhost/`), `ENTRYPOINT` or `CMD` calls it. A script
    /// that runs it is not visible to the rule: suppress the finding with a reason then.
    ///
    /// ## Why
    /// After a compromise, the first thing an attacker needs is a way to fetch tools and send
    /// data out. A downloader in the image provides both. Most images only use it while
    /// building: download in a build stage, or remove it in the same `RUN`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y curl \
    ///  && curl -fsSLo /usr/local/bin/tini https://github.com/krallin/tini/releases/download/v0.19.0/tini
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// ADD --checksum=sha256:93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c \
    ///     --chmod=755 https://github.com/krallin/tini/releases/download/v0.19.0/tini /usr/local/bin/tini
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: scripts in the image may call the tool.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 "Ensure that unnecessary packages are not installed in the container"
    /// - NIST SP 800-190 §4.1.1 (image vulnerabilities)
    pub struct DownloadToolsInFinalStage {
        code: "DF023",
        name: "download-tools-in-final-stage",
        severity: Note,
        tags: ["attack-surface", "cis-docker:4.3", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let curl_used = runtime_uses(cx, "curl");
    let wget_used = runtime_uses(cx, "wget") || runtime_uses(cx, "wget2");
    let wanted = |_: Manager, name: &str| match name {
        "curl" | "curl-minimal" => !curl_used,
        "wget" | "wget2" => !wget_used,
        _ => false,
    };
    for kept in kept_packages(cx, &wanted) {
        let message = format!(
            "{} {} installed in the final image",
            noun(&kept.names, "download tool", "download tools"),
            list(&kept.names)
        );
        out.push(report(cx, &INFO, &kept, message, "kept after the build").with_help(
            "download in a build stage or with `ADD --checksum=`, or remove the tool in the same `RUN` once it is no longer needed",
        ));
    }
}

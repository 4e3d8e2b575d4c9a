use super::{Tools, report};
use crate::image::{ImageContext, Pending};

declare_rule! {
    /// `curl` or `wget` is present in the final image.
    ///
    /// ## What it does
    /// Looks for `curl`, `wget` and `aria2c` on the standard executable paths of the final
    /// filesystem, symlinks followed inside the image (BusyBox's `wget` applet is reported as
    /// `busybox` run as `wget`). Each is reported once, naming its package when the inventory
    /// says. `[images.allow] download-tools = ["curl"]` accepts one (for a `HEALTHCHECK` that
    /// uses it, say).
    ///
    /// ## Why
    /// After getting code execution, the first thing an attacker does is fetch the next stage:
    /// a download tool in the image makes that one command, and makes sending data out just as
    /// easy. It is usually left over from a build step that downloaded something.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y curl && curl -fsSLO https://example.com/app.tar.gz
    /// ```
    /// Use instead: download in a build stage and copy the result:
    /// ```dockerfile
    /// FROM debian:12 AS fetch
    /// RUN apt-get update && apt-get install -y curl && curl -fsSLO https://example.com/app.tar.gz
    /// FROM debian:12
    /// COPY --from=fetch /app.tar.gz /opt/
    /// ```
    ///
    /// ## Fix
    /// Move downloads to a build stage, or purge the tool in the same `RUN` that used it.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and a `HEALTHCHECK` or entry
    /// point script may use the tool.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3: Ensure that unnecessary packages are not installed in the container
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    pub struct DownloadToolPresent {
        code: "IM024",
        name: "image-download-tool-present",
        severity: Warning,
        tags: ["attack-surface", "image", "cis-docker:4.3", "nist-800-190:4.1.2", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

const TOOLS: Tools =
    Tools { groups: &[&["curl"], &["wget"], &["aria2c"]], what: "download tool", allow_key: "download-tools" };

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    report(cx, out, &INFO, &TOOLS, &cx.options.download_tools);
}

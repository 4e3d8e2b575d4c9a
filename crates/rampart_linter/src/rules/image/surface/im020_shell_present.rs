use super::{Tools, report};
use crate::image::{ImageContext, Pending};

declare_rule! {
    /// A shell is present in the final image.
    ///
    /// ## What it does
    /// Looks for shells on the standard executable paths of the final filesystem (`/bin`,
    /// `/sbin`, `/usr/bin`, `/usr/sbin`, `/usr/local/bin`, `/usr/local/sbin`): `sh`, `bash`,
    /// `dash`, `ash`, `zsh`, `ksh`, `mksh`, `csh`, `tcsh`, `fish`, and `busybox`. Only real
    /// executables count (regular files with an execute bit); symlinks are followed inside the
    /// image (`/bin/sh` → `/usr/bin/dash`) and each real executable is reported once with the
    /// names it is run as. When the package inventory has the package that ships it, the
    /// message names it. A name (`"sh"`) or path in `[images.allow] shells` accepts one.
    ///
    /// ## Why
    /// A shell is what an attacker who gets code execution wants first: it turns one injected
    /// command into an interactive session, and most exploit payloads assume `/bin/sh`. Images
    /// built for one program (distroless, scratch) have none; an application that does not run
    /// shell scripts does not need one.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// COPY app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM gcr.io/distroless/static-debian12:nonroot
    /// COPY app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix
    /// Build the final stage from a base without a shell (distroless, scratch, Chainguard
    /// static), copying in only the application. If the image needs one (entry point scripts),
    /// allow it with `[images.allow] shells = ["sh"]`.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and removing the shell
    /// breaks shell-form `CMD`/`ENTRYPOINT`, `HEALTHCHECK CMD-SHELL` and entry point scripts.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3: Ensure that unnecessary packages are not installed in the container
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    /// - Distroless images <https://github.com/GoogleContainerTools/distroless>
    pub struct ShellPresent {
        code: "IM020",
        name: "image-shell-present",
        severity: Note,
        tags: ["attack-surface", "image", "cis-docker:4.3", "nist-800-190:4.1.2", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

const TOOLS: Tools = Tools {
    groups: &[
        &["bash", "rbash"],
        &["dash"],
        &["ash"],
        &["zsh"],
        &["ksh", "ksh93", "mksh"],
        &["csh", "tcsh"],
        &["fish"],
        &["busybox"],
        &["sh"],
    ],
    what: "shell",
    allow_key: "shells",
};

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    report(cx, out, &INFO, &TOOLS, &cx.options.shells);
}

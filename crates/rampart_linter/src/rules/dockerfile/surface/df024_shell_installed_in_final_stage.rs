use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::Manager;

use super::common::{kept_packages, list, noun, report, runtime_uses};

declare_rule! {
    /// An extra interactive shell is installed in the final image.
    ///
    /// ## What it does
    /// Reports OS-package installs of shells the base image does not already have — `zsh`,
    /// `fish`, `tcsh`/`csh`, `ksh`, `mksh`, and `bash` where the base lacks it (`apk add
    /// bash`; on Debian, Ubuntu, RHEL and SUSE `bash` is part of the base system and
    /// installing it adds nothing) — in a stage that ends up in the final image, unless a
    /// later command removes it or the image visibly runs the shell: its `ENTRYPOINT`, `CMD`
    /// or `HEALTHCHECK` calls it, `SHELL` selects it for them, or a script written with a
    /// `COPY <<EOF` heredoc names it in its shebang. An entrypoint script copied from the
    /// build context is not visible to the rule: suppress the finding with a reason when it
    /// needs the shell.
    ///
    /// ## Why
    /// Every extra binary is attack surface, and a full-featured shell is the most useful one
    /// to an attacker: scripting, `/dev/tcp` reverse shells (bash), job control. Minimal
    /// images rely on the POSIX `sh` they already have.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache bash
    /// COPY app /usr/local/bin/app
    /// ENTRYPOINT ["/usr/local/bin/app"]
    /// ```
    /// Use instead: write scripts for POSIX `sh`, and do not install `bash`.
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY app /usr/local/bin/app
    /// ENTRYPOINT ["/usr/local/bin/app"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: scripts in the image may need the shell.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 "Ensure that unnecessary packages are not installed in the container"
    /// - NIST SP 800-190 §4.1.1 (image vulnerabilities)
    pub struct ShellInstalledInFinalStage {
        code: "DF024",
        name: "shell-installed-in-final-stage",
        severity: Note,
        tags: ["attack-surface", "cis-docker:4.3", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

/// The shell binary a package provides, for shells the base system lacks.
fn shell_binary(manager: Manager, name: &str) -> Option<&'static str> {
    Some(match name {
        // Essential on Debian/Ubuntu, in every RHEL/Fedora/SUSE base image.
        "bash" if manager == Manager::Apk => "bash",
        "zsh" => "zsh",
        "fish" => "fish",
        "tcsh" => "tcsh",
        "csh" => "csh",
        "ksh" | "ksh93" => "ksh",
        "mksh" => "mksh",
        _ => return None,
    })
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let wanted = |manager: Manager, name: &str| shell_binary(manager, name).is_some_and(|b| !runtime_uses(cx, b));
    for kept in kept_packages(cx, &wanted) {
        let message = format!(
            "{} {} installed in the final image",
            noun(&kept.names, "extra shell", "extra shells"),
            list(&kept.names)
        );
        out.push(
            report(cx, &INFO, &kept, message, "no ENTRYPOINT, CMD or HEALTHCHECK runs it")
                .with_help("write scripts for POSIX `sh`, which the base image already has, and leave the shell out"),
        );
    }
}

use super::{Tools, report};
use crate::image::{ImageContext, Pending};

declare_rule! {
    /// An SSH server is present in the final image.
    ///
    /// ## What it does
    /// Looks for `sshd` and `dropbear` on the standard executable paths of the final
    /// filesystem, symlinks followed inside the image, and reports each once.
    /// `[images.allow] sshd = ["sshd"]` accepts one.
    ///
    /// ## Why
    /// Containers are entered with `docker exec` or `kubectl exec`, which go through the
    /// runtime's authentication and audit. An SSH server adds a second way in with its own
    /// keys, passwords and vulnerabilities, usually unmanaged, and a process that is not the
    /// application to keep running.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get install -y openssh-server
    /// CMD ["/usr/sbin/sshd", "-D"]
    /// ```
    /// Use instead: no SSH server; `kubectl exec` or `docker exec` to get in.
    ///
    /// ## Fix
    /// Remove the SSH server package from the Dockerfile.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and whatever connected over
    /// SSH must move to `exec`.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.6: Ensure sshd is not run within containers
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    pub struct SshdPresent {
        code: "IM025",
        name: "image-sshd-present",
        severity: Warning,
        tags: ["attack-surface", "image", "cis-docker:5.6", "nist-800-190:4.1.2", "seed:minimal-base"],
        equivalents: ["cis-docker:5.6"],
        fix: None,
    }
}

const TOOLS: Tools = Tools { groups: &[&["sshd"], &["dropbear"]], what: "SSH server", allow_key: "sshd" };

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    report(cx, out, &INFO, &TOOLS, &cx.options.sshd);
}

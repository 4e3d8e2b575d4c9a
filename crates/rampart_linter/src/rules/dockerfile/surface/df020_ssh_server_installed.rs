use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::Manager;

use super::common::{kept_packages, list, noun, report};

declare_rule! {
    /// An SSH server is installed in the final image.
    ///
    /// ## What it does
    /// Reports OS-package installs (`apt-get`/`apt install`, `apk add`, `yum`/`dnf`/`microdnf`/
    /// `tdnf`/`zypper install`) of an SSH server — `openssh-server`, Debian's `ssh`
    /// metapackage, Alpine's and openSUSE's `openssh`, `dropbear`, `tinysshd` — in a stage
    /// that ends up in the final image, unless a later command of the final image removes it
    /// (`apt-get purge`, `apk del`, also of an `apk add --virtual` group, `yum remove`, …).
    /// Builder stages that are only copied from are not reported.
    ///
    /// ## Why
    /// An SSH daemon is a remote shell into the container: one more listening service to
    /// attack, host keys and often passwords or `authorized_keys` baked into every copy of the
    /// image, and a way around the orchestrator's access control and audit log. Use
    /// `docker exec` or `kubectl exec`/`debug` to get into a running container instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends openssh-server
    /// ```
    /// Use instead: no SSH server; `docker exec -it <container> sh` when a shell is needed.
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: whether something in the image relies on the server needs a human.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 "Ensure that unnecessary packages are not installed in the container"
    /// - CIS Docker Benchmark 5.6 "Ensure sshd is not run within containers"
    /// - NIST SP 800-190 §4.4.5 (insecure container runtime configurations)
    pub struct SshServerInstalled {
        code: "DF020",
        name: "ssh-server-installed",
        severity: Error,
        tags: ["attack-surface", "cis-docker:4.3", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

/// SSH server packages, by the manager that installs them.
pub(crate) fn is_ssh_server(manager: Manager, name: &str) -> bool {
    match name {
        "openssh-server" | "openssh-server-pam" | "dropbear" | "dropbear-bin" | "dropbear-run" | "tinysshd"
        | "tinyssh" => true,
        // Alpine's and openSUSE's `openssh` pull in the server; on Fedora/RHEL it is common files.
        "openssh" => matches!(manager, Manager::Apk | Manager::Zypper),
        // Debian's `ssh` is a metapackage of client and server.
        "ssh" => manager.is_apt(),
        _ => false,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for kept in kept_packages(cx, &is_ssh_server) {
        let message = format!(
            "{} {} installed in the final image",
            noun(&kept.names, "SSH server", "SSH servers"),
            list(&kept.names)
        );
        out.push(report(cx, &INFO, &kept, message, "remote shell server").with_help(
            "do not install an SSH server; use `docker exec` or `kubectl exec` to get a shell in a running container",
        ));
    }
}

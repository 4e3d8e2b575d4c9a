use crate::image::{ImageContext, Pending, Target, path};

declare_rule! {
    /// The image exposes port 22 (SSH).
    ///
    /// ## What it does
    /// Reports `22`, `22/tcp` (any protocol) among the `ExposedPorts` of the image
    /// configuration, what `EXPOSE 22` writes.
    ///
    /// ## Why
    /// Port 22 means an SSH server is meant to run in the container: a second way in beside
    /// `exec`, with its own credentials to leak and brute-force. `docker run -P` publishes
    /// every exposed port on the host.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 22 8080
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    ///
    /// ## Fix
    /// Remove `22` from the Dockerfile's `EXPOSE` (and the SSH server, see `IM025`).
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile (`DF070` reports the same
    /// `EXPOSE`).
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.6 (sshd) and 5.8 (open only needed ports)
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    /// - Trivy DS-0004 on Dockerfiles
    pub struct SshPortExposed {
        code: "IM040",
        name: "image-ssh-port-exposed",
        severity: Warning,
        tags: ["runtime", "image", "attack-surface", "cis-docker:5.6", "nist-800-190:4.1.2"],
        equivalents: ["cis-docker:5.6"],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    for port in cx.run.exposed_ports.iter().flat_map(|p| p.keys()) {
        if port.split('/').next().map(str::trim) != Some("22") {
            continue;
        }
        out.push(
            cx.finding(
                &INFO,
                Target::ConfigKey(path(&["config", "ExposedPorts", port])),
                format!("the image exposes {port}, the SSH port"),
            )
            .with_label("SSH")
            .with_help(
                "remove 22 from the Dockerfile's `EXPOSE`; use `docker exec`/`kubectl exec` to get into containers",
            ),
        );
    }
}

use rampart_dockerfile::Body;

use super::util::parse_port;
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// The image exposes the SSH port 22.
    ///
    /// ## What it does
    /// Reports `EXPOSE 22`, `EXPOSE 22/tcp` and port ranges that include 22, after expanding
    /// build arguments, in the stages of the final image. `22/udp` is not SSH and is not
    /// reported.
    ///
    /// ## Why
    /// An SSH server in a container is another service to patch, another set of
    /// credentials or keys to manage (often baked into the image), and a way in that
    /// bypasses the orchestrator's access control and audit. `docker exec` and
    /// `kubectl exec` give a shell without it.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get install -y openssh-server
    /// EXPOSE 22 8080
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: removing the port does not remove the SSH server the image runs.
    ///
    /// ## References
    /// - CIS Docker Benchmark, section 5 (container runtime): "Ensure sshd is not run within containers"
    pub struct ExposeSshPort {
        code: "DF070",
        name: "expose-ssh-port",
        severity: Warning,
        tags: ["runtime", "attack-surface"],
        equivalents: ["trivy:DS-0004", "checkov:CKV_DOCKER_1"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for (i, instr) in cx.instructions() {
        let Body::Expose(words) = &instr.body else { continue };
        if !cx.in_final_image(i) {
            continue;
        }
        for word in words {
            let value = cx.expand(i, word);
            if !value.is_complete() {
                continue;
            }
            let Ok(port) = parse_port(&value.value) else { continue };
            if port.proto != "tcp" || !(port.start..=port.end).contains(&22) {
                continue;
            }
            let label = if port.start == port.end {
                "port 22 is SSH".to_string()
            } else {
                format!("the range {}-{} includes port 22, SSH", port.start, port.end)
            };
            out.push(
                cx.finding(&INFO, word.span.clone(), "the image exposes the SSH port 22")
                    .with_label(label)
                    .with_help("do not run an SSH server in the container: use `docker exec` or `kubectl exec` for a shell, and remove port 22 from EXPOSE"),
            );
        }
    }
}

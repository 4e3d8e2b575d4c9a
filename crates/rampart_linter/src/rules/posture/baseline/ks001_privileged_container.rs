use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A container runs privileged.
    ///
    /// ## What it does
    /// Reports a container with `securityContext.privileged: true` (Kubernetes: regular, init
    /// and ephemeral containers) or a Compose service with `privileged: true`, at the line
    /// that sets it.
    ///
    /// ## Why
    /// A privileged container has every capability, every device of the host, no seccomp or
    /// AppArmor confinement and a writable `/sys`: root in it is root on the node, one `mount`
    /// away. It is the first thing the Pod Security Standards forbid.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       privileged: true
    /// ```
    /// Use instead: drop `privileged` and grant only what the workload needs, such as one
    /// capability (`capabilities.add: [NET_ADMIN]`) or one device.
    ///
    /// ## Fix safety
    /// No automatic fix: a workload written privileged usually needs some part of it (a device,
    /// a capability, a host path), and which part needs a human.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "Privileged Containers"
    /// - CIS Kubernetes Benchmark 5.2.2; NIST SP 800-190 §4.4.3
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct PrivilegedContainer {
        code: "KS001",
        name: "privileged-container",
        severity: Error,
        tags: ["pss:baseline", "pss-control:privileged-containers", "privileges", "cwe:250", "seed:least-privilege"],
        equivalents: [
            "pss:baseline/privileged-containers",
            "kyverno:disallow-privileged-containers",
            "trivy:KSV-0017",
            "kube-linter:privileged-container",
            "polaris:runAsPrivileged",
            "checkov:CKV_K8S_16",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            if c.privileged.value
                && let Some(span) = c.privileged.span()
            {
                out.push(
                    cx.finding(&INFO, span, format!("{} runs privileged", container_label(w, c)))
                        .with_label("every capability and device of the host")
                        .with_help("remove `privileged` and grant only the capability or device the workload needs"),
                );
            }
        }
    }
}

use rampart_posture::Format;

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A container does not set `allowPrivilegeEscalation: false`.
    ///
    /// ## What it does
    /// Reports every container (regular, init and ephemeral) whose `securityContext` does not
    /// set `allowPrivilegeEscalation: false`: at the value when it is `true`, at the
    /// container's name when it is missing. For Compose services and OCI bundles, the
    /// equivalent is `no-new-privileges` / `noNewPrivileges`. A pod that declares
    /// `spec.os.name: windows` is exempt, as the standard makes this control Linux-only.
    ///
    /// ## Why
    /// Unless the container sets it to `false`, the kernel's `no_new_privs` flag is off and a
    /// process can gain privileges it was not started with: a set-user-ID binary in the image
    /// (`su`, `sudo`, `mount`, `ping` on older images) turns a compromised non-root process
    /// into root, and file capabilities are granted on `exec`. Kubernetes leaves escalation
    /// allowed by default, so the setting has to be written on every container.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    /// ```
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Fix safety
    /// The fix is to write `allowPrivilegeEscalation: false` in each container's
    /// `securityContext`. It would be unsafe: a container that relies on a set-user-ID
    /// binary (`sudo` in an entrypoint script, a `ping` without the capability) stops
    /// working. rampart does not apply it yet.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: "Privilege Escalation"
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Kubernetes Benchmark 5.2.6; CIS Docker Benchmark 5.25; NIST SP 800-190 §4.4.3
    /// - <https://docs.kernel.org/userspace-api/no_new_privs.html>
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct PrivilegeEscalationAllowed {
        code: "KS013",
        name: "privilege-escalation-allowed",
        severity: Error,
        tags: [
            "pss:restricted",
            "pss-control:privilege-escalation",
            "privileges",
            "cis-docker:5.25",
            "cwe:250",
            "seed:least-privilege",
        ],
        equivalents: [
            "pss:restricted/privilege-escalation",
            "kyverno:disallow-privilege-escalation",
            "trivy:KSV-0001",
            "kube-linter:privilege-escalation-container",
            "polaris:privilegeEscalationAllowed",
            "checkov:CKV_K8S_20",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in cx.workloads.iter().filter(|w| !w.is_windows()) {
        let (missing, add, change) = match w.format {
            Format::Kubernetes => (
                "no `allowPrivilegeEscalation: false`",
                "add `allowPrivilegeEscalation: false` to the container's `securityContext`",
                "set `allowPrivilegeEscalation: false`",
            ),
            Format::Compose => (
                "no `no-new-privileges`",
                "add `no-new-privileges:true` to the service's `security_opt`",
                "set `no-new-privileges:true`",
            ),
            Format::Oci => ("no `noNewPrivileges: true`", "set `process.noNewPrivileges: true`", "set it to `true`"),
        };
        for c in w.all_containers() {
            let setting = &c.allow_privilege_escalation;
            match (setting.value, setting.span()) {
                (Some(false), _) => {}
                (Some(true), Some(span)) => out.push(
                    cx.finding(&INFO, span, format!("{} allows privilege escalation", container_label(w, c)))
                        .with_label("set-user-ID binaries and file capabilities can raise its privileges")
                        .with_help(change),
                ),
                _ => out.push(
                    cx.finding(
                        &INFO,
                        c.anchor.clone(),
                        format!("{} does not prevent privilege escalation", container_label(w, c)),
                    )
                    .with_label(missing)
                    .with_help(add),
                ),
            }
        }
    }
}

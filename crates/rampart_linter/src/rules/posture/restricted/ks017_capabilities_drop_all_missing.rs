use rampart_posture::Format;

use super::{list, spelt_exactly, written};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};

declare_rule! {
    /// A container does not drop all capabilities (`capabilities.drop: [ALL]`).
    ///
    /// ## What it does
    /// Reports every container (regular, init and ephemeral) whose
    /// `securityContext.capabilities.drop` does not contain `ALL`: at the first dropped
    /// capability when it drops only some, at the container's name when it drops none. Like
    /// Pod Security Admission, it reads the name exactly as written: `all` or `CAP_ALL` is
    /// reported (containerd reads `all` as `ALL`, but admission rejects the pod, and
    /// `CAP_ALL` drops nothing). This is the first half of the restricted Pod Security Standard's
    /// "Capabilities" control; KS018 is the second (what may be added back). A pod that
    /// declares `spec.os.name: windows` is exempt, as the standard makes this control
    /// Linux-only. For Compose services: `cap_drop: [ALL]`. An OCI runtime config is never
    /// reported: its capability sets are absolute (nothing is kept unless listed), so it
    /// always drops everything else; KS018 reports what it lists.
    ///
    /// ## Why
    /// Container runtimes grant every container a default set of capabilities: `CHOWN`,
    /// `DAC_OVERRIDE`, `FOWNER`, `SETUID`, `SETGID`, `NET_RAW`, `MKNOD`, `SYS_CHROOT` and
    /// more. A root process holds them all, and a non-root one can regain them through a
    /// set-user-ID or file-capability binary. `NET_RAW` crafts raw packets (ARP and DNS
    /// spoofing on the pod network); `DAC_OVERRIDE` and `FOWNER` make file permissions
    /// meaningless. Few applications need any of them: dropping `ALL` and adding back the
    /// one that is needed leaves nothing for an attacker to use.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       capabilities:
    ///         drop: [NET_RAW]
    /// ```
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       capabilities:
    ///         drop: [ALL]
    /// ```
    ///
    /// ## Fix safety
    /// The fix is to add `ALL` to the container's `capabilities.drop`. It would be unsafe: a
    /// process that changes owners, switches users or binds a low port as root needs the
    /// capability back in `capabilities.add`. rampart does not apply it yet.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: "Capabilities"
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Kubernetes Benchmark 5.2.10; CIS Docker Benchmark 5.3; NIST SP 800-190 §4.4.3
    /// - <https://man7.org/linux/man-pages/man7/capabilities.7.html>
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct CapabilitiesDropAllMissing {
        code: "KS017",
        name: "capabilities-drop-all-missing",
        severity: Error,
        tags: [
            "pss:restricted",
            "pss-control:capabilities",
            "privileges",
            "cis-docker:5.3",
            "cwe:250",
            "seed:least-privilege",
        ],
        equivalents: [
            "pss:restricted/capabilities",
            "kyverno:require-drop-all",
            "trivy:KSV-0003",
            "checkov:CKV_K8S_37",
        ],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in cx.workloads.iter().filter(|w| !w.is_windows()) {
        let (field, help) = match w.format {
            Format::Compose => ("cap_drop", "add `ALL` to `cap_drop`, then add back only what it needs in `cap_add`"),
            Format::Oci => {
                ("capabilities", "remove every capability from `process.capabilities` but the ones it needs")
            }
            Format::Kubernetes => (
                "capabilities.drop",
                "add `ALL` to `capabilities.drop`; add back only what it needs (the standard allows `NET_BIND_SERVICE`)",
            ),
        };
        for c in w.all_containers() {
            if c.capabilities_drop.iter().any(|d| spelt_exactly(cx, w, d, "ALL")) {
                continue;
            }
            // `all` or `CAP_ALL`: Pod Security Admission compares the name exactly.
            if let Some(d) = c.capabilities_drop.iter().find(|d| d.value == "ALL")
                && let Some(span) = d.span()
            {
                let raw = written(cx.file.text(), &span).unwrap_or(d.value.as_str());
                out.push(
                    cx.finding(
                        &INFO,
                        span,
                        format!(
                            "{} drops `{raw}`, which the restricted standard does not read as `ALL`",
                            container_label(w, c)
                        ),
                    )
                    .with_label("Pod Security Admission accepts only `ALL`, in capitals and without `CAP_`")
                    .with_help("write it `ALL`"),
                );
                continue;
            }
            let message = format!("{} does not drop all capabilities", container_label(w, c));
            let finding = match c.capabilities_drop.iter().find_map(|d| d.span()) {
                Some(span) => {
                    let dropped: Vec<&str> = c.capabilities_drop.iter().map(|d| d.value.as_str()).collect();
                    cx.finding(&INFO, span, message)
                        .with_label(format!("drops only {}: the runtime's other defaults stay", list(&dropped)))
                }
                None => cx.finding(&INFO, c.anchor.clone(), message).with_label(format!("no `{field}: [ALL]`")),
            };
            out.push(finding.with_help(help));
        }
    }
}

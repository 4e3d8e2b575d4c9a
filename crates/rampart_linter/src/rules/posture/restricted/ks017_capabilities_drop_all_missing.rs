use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{ContainerPosture, Format, Setting, Workload};

use super::{list, spelt_exactly, written};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{
    Change, binds_low_port, k8s_container, owner, replace_at, to_edits, with_fix, write,
};

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
    /// ## Fix
    /// Kubernetes: `ALL` is added to the container's `capabilities.drop` (the block is created
    /// when missing), or a misspelled `all`/`CAP_ALL` is written `ALL`. Compose: `ALL` is added
    /// to the service's `cap_drop`. When the container listens on a port below 1024 — a
    /// `containerPort` or Compose port it declares, or a port its image `EXPOSE`s (when a
    /// Dockerfile in the tree builds it) — `NET_BIND_SERVICE` is added back in
    /// `capabilities.add` / `cap_add`, the one capability the restricted standard allows.
    ///
    /// ## Fix safety
    /// Unsafe: a process that changes file owners (`CHOWN`, `FOWNER`), switches users
    /// (`SETUID`, `SETGID`: an entrypoint that starts as root and drops to a service user,
    /// nginx's and Apache's master processes), or overrides file permissions as root
    /// (`DAC_OVERRIDE`) needs that capability added back, and only a run of the workload shows
    /// which. A misspelled `all` that differs only in case is safe to respell: container
    /// runtimes already read it as `ALL`, so nothing changes at run time.
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
        fix: Varies,
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
                let finding = cx
                    .finding(
                        &INFO,
                        span,
                        format!(
                            "{} drops `{raw}`, which the restricted standard does not read as `ALL`",
                            container_label(w, c)
                        ),
                    )
                    .with_label("Pod Security Admission accepts only `ALL`, in capitals and without `CAP_`")
                    .with_help("write it `ALL`");
                out.push(with_fix(finding, respell(cx, c, d, raw)));
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
            out.push(with_fix(finding.with_help(help), fix(cx, w, c)));
        }
    }
}

/// `all` or `CAP_ALL` written `ALL`, with `NET_BIND_SERVICE` added back when `CAP_ALL` dropped
/// nothing until now.
fn respell(cx: &ManifestContext<'_>, c: &ContainerPosture, d: &Setting<String>, raw: &str) -> Option<Fix> {
    let span = d.span()?;
    let mut edits = replace_at(cx, &span, &Val::str("ALL"))?;
    if raw.eq_ignore_ascii_case("ALL") {
        // Runtimes already read it as `ALL`: only admission sees a difference.
        return Some(Fix::safe("Write it `ALL`", to_edits(edits)));
    }
    let mut message = "Write it `ALL`".to_string();
    if needs_net_bind_service(cx, c) {
        let node = k8s_container(cx, c)?;
        edits.extend(write(
            cx.file.text(),
            node,
            &[(&["securityContext", "capabilities", "add"], Change::Add(Val::str("NET_BIND_SERVICE")))],
        )?);
        message.push_str(", adding back `NET_BIND_SERVICE` for its port below 1024");
    }
    Some(Fix::unsafe_(message, to_edits(edits)))
}

/// A port below 1024 and no `NET_BIND_SERVICE` added yet.
fn needs_net_bind_service(cx: &ManifestContext<'_>, c: &ContainerPosture) -> bool {
    binds_low_port(cx, c) && !c.capabilities_add.iter().any(|a| a.value == "NET_BIND_SERVICE")
}

/// Drop `ALL`, adding `NET_BIND_SERVICE` back for a port below 1024.
fn fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> Option<Fix> {
    let node = owner(cx, w, c)?;
    let nbs = needs_net_bind_service(cx, c);
    let (drop, add): (&[&str], &[&str]) = match w.format {
        Format::Kubernetes => {
            (&["securityContext", "capabilities", "drop"], &["securityContext", "capabilities", "add"])
        }
        Format::Compose => (&["cap_drop"], &["cap_add"]),
        Format::Oci => return None,
    };
    let mut changes = vec![(drop, Change::Add(Val::str("ALL")))];
    if nbs {
        changes.push((add, Change::Add(Val::str("NET_BIND_SERVICE"))));
    }
    let edits = write(cx.file.text(), node, &changes)?;
    let field = if w.format == Format::Compose { "cap_drop" } else { "capabilities.drop" };
    let message = if nbs {
        format!("Add `ALL` to `{field}`, adding back `NET_BIND_SERVICE` for its port below 1024")
    } else {
        format!("Add `ALL` to `{field}`")
    };
    Some(Fix::unsafe_(message, to_edits(edits)))
}

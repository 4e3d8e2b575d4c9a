use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{ContainerPosture, Format, Workload};

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{
    Change, Parent, editor, inside, owner, parent_of, replace_option_value, to_edits, with_fix, write,
};

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
    /// ## Fix
    /// - Kubernetes: `allowPrivilegeEscalation: false` in the container's `securityContext`
    ///   (created when missing; a `true` is replaced). Not offered while the container is
    ///   `privileged` or adds `SYS_ADMIN`: the API server rejects either with
    ///   `allowPrivilegeEscalation: false`, so KS001's and KS034's fixes go first.
    /// - Compose: `no-new-privileges:true` in the service's `security_opt` (a
    ///   `no-new-privileges:false` is replaced).
    /// - OCI: `process.noNewPrivileges: true`.
    ///
    /// ## Fix safety
    /// Unsafe. `no_new_privs` only changes what `execve` can grant, so a process that never
    /// gains privileges that way runs exactly as before — but rampart cannot see inside the
    /// image: a non-root container that runs `sudo` or `su` (in an entrypoint script, a cron
    /// job), a set-user-ID `ping` or `mount`, or a binary with file capabilities (`setcap`) stops
    /// working, and an SELinux domain transition on `exec` is refused. Images that drop root with
    /// `gosu`/`su-exec`/`setpriv`, and containers that run as root throughout, are not affected.
    /// The image facts rampart reads (user, ports, volumes) say nothing about set-user-ID
    /// binaries, so they do not make the fix safe.
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
        fix: Unsafe,
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
                (Some(true), Some(span)) => out.push(with_fix(
                    cx.finding(&INFO, span, format!("{} allows privilege escalation", container_label(w, c)))
                        .with_label("set-user-ID binaries and file capabilities can raise its privileges")
                        .with_help(change),
                    fix(cx, w, c),
                )),
                _ => out.push(with_fix(
                    cx.finding(
                        &INFO,
                        c.anchor.clone(),
                        format!("{} does not prevent privilege escalation", container_label(w, c)),
                    )
                    .with_label(missing)
                    .with_help(add),
                    fix(cx, w, c),
                )),
            }
        }
    }
}

/// The fix: see the rule's documentation.
fn fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> Option<Fix> {
    let ed = editor(cx);
    let node = owner(cx, w, c)?;
    let (edits, message): (_, &str) = match w.format {
        Format::Kubernetes => {
            // The API server refuses `allowPrivilegeEscalation: false` beside these.
            if c.privileged.value || c.capabilities_add.iter().any(|a| a.value == "SYS_ADMIN") {
                return None;
            }
            let edits = write(
                cx.file.text(),
                node,
                &[(&["securityContext", "allowPrivilegeEscalation"], Change::Set(Val::Bool(false)))],
            )?;
            (edits, "Set `allowPrivilegeEscalation: false`")
        }
        Format::Compose => {
            let on = Val::str("no-new-privileges:true");
            let written = c.allow_privilege_escalation.span().filter(|s| inside(node, s));
            let message = if written.is_some() {
                "Set `no-new-privileges` to `true`"
            } else {
                "Add `no-new-privileges:true` to `security_opt`"
            };
            let edits = match written.as_ref().and_then(|s| parent_of(cx.documents, s)) {
                // `no-new-privileges:false` in the list, or `no-new-privileges: false` in a mapping.
                Some(Parent::Item(seq, i)) => vec![replace_option_value(cx.file.text(), &seq.items()[i], "true")?],
                _ => match (written.as_ref().and_then(|s| setting_entry(node, s)), node.get("security_opt")) {
                    (Some((opts, key)), _) => ed.set(opts, key, &Val::Bool(true))?,
                    (None, Some(opts)) if opts.is_map() => ed.set(opts, "no-new-privileges", &Val::Bool(true))?,
                    // Unset, or `false` in the service it extends: the service's own list wins.
                    _ => ed.add_to_list(node, &["security_opt"], &on)?,
                },
            };
            (edits, message)
        }
        Format::Oci => {
            let process = node.get("process").filter(|p| p.is_map())?;
            (ed.set(process, "noNewPrivileges", &Val::Bool(true))?, "Set `process.noNewPrivileges: true`")
        }
    };
    (!edits.is_empty()).then(|| Fix::unsafe_(message, to_edits(edits)))
}

/// The `security_opt` mapping and key of an option written as a mapping entry at `span`.
fn setting_entry<'a>(
    service: &'a rampart_yaml::Node,
    span: &std::ops::Range<usize>,
) -> Option<(&'a rampart_yaml::Node, &'a str)> {
    let opts = service.get("security_opt").filter(|o| o.is_map())?;
    let e = opts.entries().iter().find(|e| e.key.span.start == span.start)?;
    Some((opts, e.key.as_str()?))
}

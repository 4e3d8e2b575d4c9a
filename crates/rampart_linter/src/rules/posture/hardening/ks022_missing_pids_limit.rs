use rampart_diagnostics::{Edit, Fix};
use rampart_posture::edit::Val;
use rampart_posture::{Format, Workload};
use rampart_yaml::Node;

use super::util::{by_format, compose_service};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_pod::{FileEditor, PLACEHOLDER};
use crate::rules::posture::{oci_missing_at, oci_root};

declare_rule! {
    /// A container has no limit on the number of processes it may run.
    ///
    /// ## What it does
    /// Reports a Compose service without a positive `pids_limit` or
    /// `deploy.resources.limits.pids`, at the service's name, and an OCI runtime config
    /// without a positive `linux.resources.pids.limit`, at the `pids` key (or `resources`,
    /// or `linux`, whichever is there). `0` and `-1` mean "unlimited" and are reported where
    /// they are written; a value from a variable (`${PIDS_LIMIT}`) is taken as set.
    ///
    /// A `nproc` ulimit (`ulimits.nproc`, `RLIMIT_NPROC`) does not count: it limits the
    /// processes of one user across every container that runs as that user, and the kernel
    /// does not apply it to root. The finding's label mentions it when one is set.
    ///
    /// Kubernetes is not reported: a pod spec cannot set a PID limit; the kubelet applies
    /// one to every pod (`podPidsLimit` in its configuration).
    ///
    /// ## Why
    /// Without a PID limit one container can fork until the node runs out of process IDs (a
    /// fork bomb, or a leak of threads): then no process on the host can start, not even the
    /// shell an operator needs to stop it.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: registry.example.com/web:1.4.2
    /// ```
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: registry.example.com/web:1.4.2
    ///     deploy:
    ///       resources:
    ///         limits: {pids: 200}
    /// ```
    ///
    /// ## Fix
    /// Writes the `pids-limit` of `rampart.toml`'s `[fix]` section: in Compose, in place of
    /// a `0` or `-1`, else in `deploy.resources.limits.pids` when the service has
    /// `deploy.resources.limits`, else as `pids_limit`; in an OCI config, as
    /// `linux.resources.pids.limit`. Without the setting the fix shows where the limit goes,
    /// with a `REPLACE_ME` placeholder, and is not applied.
    ///
    /// ## Fix safety
    /// Unsafe with a configured limit: the right limit depends on how many processes and
    /// threads the application runs (a JVM or a worker pool starts hundreds), and a limit
    /// set too low makes it fail to start them. Display-only without one.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.28: "Ensure that the PIDs cgroup limit is used"
    /// - CWE-770: Allocation of Resources Without Limits or Throttling
    /// - <https://docs.docker.com/reference/compose-file/services/#pids_limit>
    /// - <https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#pids>
    /// - Kubernetes: <https://kubernetes.io/docs/concepts/policy/pid-limiting/>
    pub struct MissingPidsLimit {
        code: "KS022",
        name: "missing-pids-limit",
        severity: Note,
        tags: ["runtime", "availability", "cis-docker:5.28", "cwe:770", "seed:resource-limits"],
        equivalents: [],
        fix: Varies,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in cx.workloads.iter().filter(|w| w.format != Format::Kubernetes) {
        let field = by_format(w, "", "deploy.resources.limits.pids", "linux.resources.pids.limit");
        for c in &w.containers {
            if c.resources.pids_limit.as_ref().is_some_and(|p| !p.value.trim().is_empty()) {
                continue;
            }
            // A limit written as 0 or -1 ("unlimited"), where it is written.
            let unlimited = match w.format {
                Format::Oci => oci_root(cx, w).and_then(|r| r.path(&["linux", "resources", "pids", "limit"])),
                _ => compose_service(cx, w)
                    .and_then(|s| s.path(&["deploy", "resources", "limits", "pids"]).or_else(|| s.get("pids_limit"))),
            }
            .filter(|n| n.as_string().is_some());
            let span = match (unlimited, w.format) {
                (Some(n), _) => n.span.clone(),
                (None, Format::Oci) => {
                    oci_missing_at(cx, w, &["linux", "resources", "pids"]).unwrap_or_else(|| w.anchor.clone())
                }
                (None, _) => c.anchor.clone(),
            };
            let mut label = match unlimited.and_then(Node::as_str) {
                Some(v) => format!("`{}` means no limit", v.trim()),
                None => format!("no `{field}`"),
            };
            if c.ulimits.iter().any(|u| u.name == "nproc") {
                label.push_str("; the `nproc` ulimit counts per user, across containers, and not for root");
            }
            let mut finding = cx
                .finding(&INFO, span, format!("{} has no limit on its number of processes", container_label(w, c)))
                .with_label(label)
                .with_help(format!(
                    "set `{field}` to a few times the processes and threads it runs: a fork bomb then stops there, not at the host's limit"
                ));
            let limit = cx.options.fix.pids_limit;
            let value = limit.map_or_else(|| Val::str(PLACEHOLDER), Val::Int);
            if let Some(edits) = fix(cx, w, unlimited, &value) {
                let shown = limit.map_or_else(|| PLACEHOLDER.to_string(), |l| l.to_string());
                finding = finding.with_fix(match limit {
                    Some(_) => Fix::unsafe_(format!("Limit it to {shown} processes (`pids-limit` of `[fix]` in rampart.toml)"), edits),
                    None => Fix::display_only(
                        "Limit its processes to a few times what it runs (or give `pids-limit` in `[fix]` of rampart.toml)",
                        edits,
                    ),
                });
            }
            out.push(finding);
        }
    }
}

fn fix(cx: &ManifestContext<'_>, w: &Workload, unlimited: Option<&Node>, value: &Val) -> Option<Vec<Edit>> {
    let ed = FileEditor::new(cx);
    if let Some(n) = unlimited {
        return ed.replace(crate::rules::posture::fix_pod::node(cx, &n.span)?, value);
    }
    match w.format {
        Format::Oci => ed.set_path(oci_root(cx, w)?, &["linux", "resources", "pids", "limit"], value),
        _ => {
            let service = crate::rules::posture::fix_pod::compose_service(cx, w)?;
            if service.path(&["deploy", "resources", "limits"]).is_some_and(|l| l.is_map()) {
                ed.set_path(service, &["deploy", "resources", "limits", "pids"], value)
            } else {
                ed.set(service, "pids_limit", value)
            }
        }
    }
}

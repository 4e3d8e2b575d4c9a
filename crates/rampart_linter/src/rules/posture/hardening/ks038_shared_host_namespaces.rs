use rampart_posture::{Format, Setting, Workload};

use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A workload shares the host's mount, UTS or cgroup namespace.
    ///
    /// ## What it does
    /// Reports an OCI runtime config whose `linux.namespaces` has no `mount`, `uts` or
    /// `cgroup` entry (the process then stays in the host's), at the `namespaces` key, or
    /// joins the host's through a `path` to `/proc/1/ns/…`, at the path; and a Compose
    /// service with `uts: host` or `cgroup: host`, at the value. The mount namespace comes
    /// first: it is the one that matters most. KS002 reports the network, PID and IPC
    /// namespaces; KS039 the user namespace.
    ///
    /// Kubernetes is not reported: a pod spec cannot share these namespaces (the runtime
    /// gives each pod its own mount and UTS namespace — except that a pod with
    /// `hostNetwork: true` also gets the host's UTS namespace, which KS002 reports as
    /// `hostNetwork`).
    ///
    /// Note that `runc spec` writes a config without a `cgroup` namespace: add one.
    ///
    /// ## Why
    /// In the host's mount namespace the container's mounts are the host's: it sees the
    /// host's filesystems, and what it mounts or unmounts changes the host (runc will not
    /// even mask `/proc` or make its paths read-only there). In the host's UTS
    /// namespace it reads, and with `SYS_ADMIN` changes, the host's hostname. In the host's
    /// cgroup namespace its cgroup paths are the host's, and with cgroup v2 it sees the whole
    /// hierarchy: every other container's and service's cgroups and resource use.
    ///
    /// ## Example
    /// ```json
    /// "linux": {
    ///   "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}]
    /// }
    /// ```
    /// Use instead: list `mount`, `uts` and `cgroup` too.
    ///
    /// ## Fix safety
    /// No automatic fix: a host agent may need the host's namespaces by design, and a
    /// container in a new mount namespace needs its mounts listed. Unsafe; rampart does not
    /// apply it.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.20: "Ensure that the host's UTS namespace is not shared"
    /// - namespaces(7): <https://man7.org/linux/man-pages/man7/namespaces.7.html>
    /// - <https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#namespaces>
    /// - CWE-668: Exposure of Resource to Wrong Sphere
    pub struct SharedHostNamespaces {
        code: "KS038",
        name: "shared-host-namespaces",
        severity: Error,
        tags: ["isolation", "namespaces", "cis-docker:5.20", "cwe:668", "seed:isolation"],
        equivalents: [],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in cx.workloads.iter().filter(|w| w.format != Format::Kubernetes) {
        for (setting, ty, what, risk, compose_help) in [
            (
                &w.host_mount,
                "mount",
                "mount",
                "it sees and changes the host's mounts: the host's filesystems are its own",
                "",
            ),
            (
                &w.host_uts,
                "uts",
                "UTS",
                "it reads, and with `SYS_ADMIN` changes, the host's hostname",
                "remove `uts: host`",
            ),
            (
                &w.host_cgroup,
                "cgroup",
                "cgroup",
                "its cgroup paths are the host's: with cgroup v2 it sees every other container's cgroups",
                "remove `cgroup: host` (or set `cgroup: private`)",
            ),
        ] {
            if !setting.value {
                continue;
            }
            let span = setting.span().unwrap_or_else(|| w.anchor.clone());
            out.push(
                cx.finding(&INFO, span, format!("{} shares the host's {what} namespace", w.describe()))
                    .with_label(risk)
                    .with_help(help(w, setting, ty, compose_help)),
            );
        }
    }
}

fn help(w: &Workload, setting: &Setting<bool>, ty: &str, compose: &str) -> String {
    match w.format {
        Format::Compose => compose.to_string(),
        _ if setting.is_explicit() => format!("remove the `path` of the `{ty}` namespace: it joins the host's"),
        _ => format!("add `{{\"type\": \"{ty}\"}}` to `linux.namespaces`"),
    }
}

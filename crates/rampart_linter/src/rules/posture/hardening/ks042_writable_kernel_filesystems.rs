use rampart_yaml::Node;

use super::util::node_at;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::{oci_missing_at, oci_root};

declare_rule! {
    /// A container mounts the kernel's settings writable: `/sys`, the cgroups, or `/proc/sys`.
    ///
    /// ## What it does
    /// Compares an OCI runtime config with what `runc spec` writes, so that runc's default
    /// config gives no finding, and reports:
    ///
    /// - a `sysfs` mount (or, in a rootless config, the bind of the host's `/sys`) and a
    ///   `cgroup` or `cgroup2` mount without `ro` (or with `rw` after it, as the last one
    ///   wins): at the `rw`, else at the mount's `destination`;
    /// - when `/proc` is mounted read-write, each of runc's read-only `/proc` paths —
    ///   `/proc/bus`, `/proc/fs`, `/proc/irq`, `/proc/sys`, `/proc/sysrq-trigger` — that is
    ///   neither in `linux.readonlyPaths` nor in `linux.maskedPaths` (masked is stricter), in
    ///   one finding at the `readonlyPaths` key (or `linux` when there is none).
    ///
    /// Kubernetes and Compose are not reported: there the runtime mounts `/sys` and the
    /// cgroups read-only and keeps these `/proc` paths read-only, unless the container is
    /// privileged (KS001) or its `/proc` is unmasked (`procMount: Unmasked`, Compose
    /// `systempaths=unconfined`: KS007).
    ///
    /// ## Why
    /// These filesystems are the kernel's controls, shared with the host. Writable cgroups
    /// let root in the container set a `release_agent` that the host runs as root (the
    /// classic cgroup v1 escape, CVE-2022-0492) or change its own limits; a writable `/sys`
    /// reconfigures devices, kernel modules and the network; `/proc/sys` holds kernel
    /// parameters, and `/proc/sysrq-trigger` reboots or crashes the host in one write.
    ///
    /// ## Example
    /// ```json
    /// {"destination": "/sys", "type": "sysfs", "source": "sysfs",
    ///  "options": ["nosuid", "noexec", "nodev", "rw"]}
    /// ```
    /// Use instead: `"options": ["nosuid", "noexec", "nodev", "ro"]`, and keep runc's
    /// `readonlyPaths`.
    ///
    /// ## Fix safety
    /// No automatic fix: a system container (systemd, a nested runtime) may need to write
    /// there. Making them read-only is safe for ordinary applications, but rampart does not
    /// apply fixes to runtime configs yet.
    ///
    /// ## References
    /// - runc's default config: `runc spec`
    /// - CVE-2022-0492 (cgroup v1 `release_agent`)
    /// - <https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#readonly-paths>
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    pub struct WritableKernelFilesystems {
        code: "KS042",
        name: "writable-kernel-filesystems",
        severity: Warning,
        tags: ["isolation", "runtime", "cwe:732", "nist-800-190:4.4.3", "seed:isolation"],
        equivalents: [],
        fix: None,
    }
}

/// The `/proc` paths runc's default config makes read-only.
const READ_ONLY_PROC: &[&str] = &["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/// Whether `list` (an OCI path list) holds `path` or a directory above it.
fn covers(list: Option<&Node>, path: &str) -> bool {
    list.map(Node::items).unwrap_or_default().iter().filter_map(Node::as_string).any(|p| {
        let p = p.trim().trim_end_matches('/');
        path == p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')) || p == "/proc"
    })
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            for m in &c.kernel_mounts {
                let what = match m.volume.as_str() {
                    "sysfs" => "the kernel's and devices' settings can be changed",
                    "cgroup" | "cgroup2" => {
                        "its own limits can be raised, and (cgroup v1) a `release_agent` set that the host runs as root"
                    }
                    _ => continue,
                };
                if m.read_only.value {
                    continue;
                }
                let (span, label, help) = match m.read_only.span() {
                    Some(span) => (span, format!("`rw`: {what}"), "replace `rw` with `ro`"),
                    None => {
                        let at = node_at(cx, &m.span)
                            .and_then(|n| n.get("destination"))
                            .map_or_else(|| m.span.clone(), |d| d.span.clone());
                        (at, format!("no `ro`: {what}"), "add `ro` to the mount's options")
                    }
                };
                let target = if m.target.is_empty() { String::new() } else { format!(" at `{}`", m.target) };
                out.push(
                    cx.finding(
                        &INFO,
                        span,
                        format!("{} mounts `{}` writable{target}", container_label(w, c), m.volume),
                    )
                    .with_label(label)
                    .with_help(help),
                );
            }
            let Some(proc_mount) = c.kernel_mounts.iter().find(|m| m.volume == "proc") else { continue };
            if proc_mount.read_only.value {
                continue;
            }
            let linux = oci_root(cx, w).and_then(|r| r.get("linux"));
            let read_only = linux.and_then(|l| l.get("readonlyPaths"));
            let masked = linux.and_then(|l| l.get("maskedPaths"));
            let writable: Vec<&str> =
                READ_ONLY_PROC.iter().copied().filter(|p| !covers(read_only, p) && !covers(masked, p)).collect();
            if writable.is_empty() {
                continue;
            }
            let span = oci_missing_at(cx, w, &["linux", "readonlyPaths"]).unwrap_or_else(|| w.anchor.clone());
            let shown: Vec<String> = writable.iter().map(|p| format!("`{p}`")).collect();
            let shown = match shown.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                _ => shown.concat(),
            };
            let them = if writable.len() == 1 { "it" } else { "them" };
            let missing = if read_only.is_some() { "not in `readonlyPaths`" } else { "no `readonlyPaths`" };
            out.push(
                cx.finding(&INFO, span, format!("{} can write to {shown}", container_label(w, c)))
                    .with_label(format!(
                        "{missing}: {}",
                        if writable.contains(&"/proc/sysrq-trigger") {
                            "kernel settings, and `/proc/sysrq-trigger` reboots or crashes the host in one write"
                        } else {
                            "kernel and hardware settings of the host"
                        }
                    ))
                    .with_help(format!("add {them} to `linux.readonlyPaths`, as runc's default config does")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covered_paths() {
        let doc = rampart_yaml::parse_stream(r#"["/proc/sys/", "/proc/bus/pci", "/proc"]"#).remove(0).unwrap();
        assert!(covers(Some(&doc.root), "/proc/sys"));
        assert!(covers(Some(&doc.root), "/proc/irq"));
        let doc = rampart_yaml::parse_stream(r#"["/proc/sys", "/proc/bus/pci"]"#).remove(0).unwrap();
        assert!(!covers(Some(&doc.root), "/proc/bus"));
        assert!(!covers(Some(&doc.root), "/proc/sysrq-trigger"));
        assert!(!covers(None, "/proc/sys"));
    }
}

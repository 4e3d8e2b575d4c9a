use rampart_yaml::Node;

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::oci_root;

declare_rule! {
    /// A seccomp profile that denies by default explicitly allows a dangerous system call.
    ///
    /// ## What it does
    /// Reads the `linux.seccomp` profile of an OCI runtime config. When its `defaultAction`
    /// denies (anything but `SCMP_ACT_ALLOW` and `SCMP_ACT_LOG`), it reports each dangerous
    /// system call that a rule allows (`SCMP_ACT_ALLOW` or `SCMP_ACT_LOG`) without argument
    /// conditions, at the name in `names`:
    ///
    /// - mounting: `mount`, `umount`, `umount2`, `pivot_root`, and the new mount API
    ///   (`fsopen`, `fsconfig`, `fsmount`, `fspick`, `move_mount`, `open_tree`,
    ///   `mount_setattr`);
    /// - namespaces: `unshare`, `setns`;
    /// - the kernel itself: `init_module`, `finit_module`, `delete_module`, `create_module`,
    ///   `query_module`, `get_kernel_syms`, `kexec_load`, `kexec_file_load`, `reboot`, `bpf`,
    ///   `perf_event_open`, `lookup_dcookie`, `syslog`, `_sysctl`, `userfaultfd`, `uselib`,
    ///   `vm86`, `vm86old`, `personality`;
    /// - the kernel keyring: `keyctl`, `add_key`, `request_key`;
    /// - files by handle: `open_by_handle_at`;
    /// - the host's hardware and accounts: `iopl`, `ioperm`, `swapon`, `swapoff`, `acct`,
    ///   `quotactl`, `quotactl_fd`, `nfsservctl`, `settimeofday`, `stime`, `clock_settime`,
    ///   `clock_settime64`.
    ///
    /// A rule with `args` is not reported: Docker's default profile allows `personality`,
    /// `clone` and `socket` only with argument conditions, and that is the way to narrow a
    /// call. Not reported either, because Docker's default profile allows them to every
    /// container: `ptrace`, `process_vm_readv` and `process_vm_writev` (on kernels from 4.8,
    /// where `ptrace` can no longer bypass seccomp), and `name_to_handle_at` (harmless
    /// without `open_by_handle_at`). `clone` and `clone3` are not reported: every threaded
    /// program needs them; Docker narrows `clone` with an argument condition on its
    /// namespace flags and makes `clone3` fail with `ENOSYS`.
    ///
    /// A profile that allows by default is not this rule's: KS010 and KS016 report one that
    /// denies nothing. Compose's `security_opt: seccomp=<file>` names a file that rampart
    /// does not read, and a Kubernetes `Localhost` profile is a file on the node: neither is
    /// checked.
    ///
    /// ## Why
    /// A seccomp profile is the last filter between a compromised container and the host
    /// kernel's code. These calls are the ones container escapes and kernel exploits use:
    /// mounting and namespaces (the kernel code reachable as root in a user namespace), module
    /// and kernel loading, eBPF, `userfaultfd` (which stalls the kernel at will in race
    /// exploits), the keyring (not namespaced), `open_by_handle_at` (the "shocker" escape).
    /// Docker's default profile denies them to containers without the matching capability.
    ///
    /// ## Example
    /// ```json
    /// "seccomp": {
    ///   "defaultAction": "SCMP_ACT_ERRNO",
    ///   "syscalls": [
    ///     {"names": ["read", "write", "mount", "keyctl"], "action": "SCMP_ACT_ALLOW"}
    ///   ]
    /// }
    /// ```
    /// Use instead: remove `mount` and `keyctl` from the allowed names (the default action
    /// then denies them), or allow them only with argument conditions.
    ///
    /// ## Fix safety
    /// No automatic fix: the workload may call them on purpose (a sandbox that mounts, a
    /// program that uses the keyring), and denying them would make those calls fail.
    /// Unsafe; rampart does not apply it.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.21: "Ensure that the default seccomp profile is not Disabled"
    /// - Docker's default profile: <https://docs.docker.com/engine/security/seccomp/>
    /// - <https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#seccomp>
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct SeccompAllowsDangerousSyscalls {
        code: "KS036",
        name: "seccomp-allows-dangerous-syscalls",
        severity: Warning,
        tags: ["security-profiles", "seccomp", "cis-docker:5.21", "cwe:250", "seed:security-profiles"],
        equivalents: [],
        fix: None,
    }
}

const MOUNTS: &str = "mounts filesystems: the first step of most container escapes";
const MODULES: &str = "loads or unloads kernel modules: code in the host's kernel";
const KEYRING: &str = "uses the kernel keyring, which is not namespaced: other containers' keys";
const CLOCK: &str = "sets the host's clock, shared by every container";

/// The dangerous system calls, and what each allows.
const DANGEROUS: &[(&str, &str)] = &[
    ("mount", MOUNTS),
    ("umount", "unmounts filesystems, uncovering what the runtime hid"),
    ("umount2", "unmounts filesystems, uncovering what the runtime hid"),
    ("pivot_root", "changes the root filesystem"),
    ("fsopen", MOUNTS),
    ("fsconfig", MOUNTS),
    ("fsmount", MOUNTS),
    ("fspick", MOUNTS),
    ("move_mount", MOUNTS),
    ("open_tree", MOUNTS),
    ("mount_setattr", MOUNTS),
    ("unshare", "creates namespaces: a user namespace opens kernel code otherwise reserved to root"),
    ("setns", "joins other namespaces"),
    ("init_module", MODULES),
    ("finit_module", MODULES),
    ("delete_module", MODULES),
    ("create_module", MODULES),
    ("query_module", "reads the kernel's module table"),
    ("get_kernel_syms", "reads the kernel's symbols"),
    ("kexec_load", "loads a new kernel in place of the host's"),
    ("kexec_file_load", "loads a new kernel in place of the host's"),
    ("reboot", "reboots the host"),
    ("bpf", "loads eBPF programs into the kernel"),
    ("perf_event_open", "traces the kernel and other processes"),
    ("lookup_dcookie", "reads kernel data meant for profilers"),
    ("syslog", "reads and clears the kernel log, with kernel addresses"),
    ("_sysctl", "changes kernel parameters"),
    ("userfaultfd", "stalls the kernel on page faults: a building block of kernel exploits"),
    ("uselib", "loads a library through an obsolete kernel interface"),
    ("vm86", "enters virtual 8086 mode, a history of kernel bugs"),
    ("vm86old", "enters virtual 8086 mode, a history of kernel bugs"),
    ("personality", "changes the execution domain: turns address randomisation off"),
    ("keyctl", KEYRING),
    ("add_key", KEYRING),
    ("request_key", KEYRING),
    ("open_by_handle_at", "opens files by handle, past the container's root (the \"shocker\" escape)"),
    ("iopl", "accesses the hardware's I/O ports"),
    ("ioperm", "accesses the hardware's I/O ports"),
    ("swapon", "changes the host's swap"),
    ("swapoff", "changes the host's swap"),
    ("acct", "turns process accounting on the host on or off"),
    ("quotactl", "manages disk quotas"),
    ("quotactl_fd", "manages disk quotas"),
    ("nfsservctl", "controls the kernel's NFS server"),
    ("settimeofday", CLOCK),
    ("stime", CLOCK),
    ("clock_settime", CLOCK),
    ("clock_settime64", CLOCK),
];

fn allows(action: Option<&str>) -> bool {
    matches!(action.map(str::trim), Some("SCMP_ACT_ALLOW" | "SCMP_ACT_LOG"))
}

/// The names a syscall rule lists (`names`, or the older single `name`).
fn names(rule: &Node) -> Vec<&Node> {
    let mut out: Vec<&Node> = rule.get("names").map(|n| n.items().iter().collect()).unwrap_or_default();
    out.extend(rule.get("name").filter(|n| n.as_string().is_some()));
    out
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        let Some(profile) = oci_root(cx, w).and_then(|r| r.path(&["linux", "seccomp"])).filter(|s| s.is_map()) else {
            continue;
        };
        let Some(default) = profile.get_str("defaultAction") else { continue };
        if allows(Some(default)) {
            continue;
        }
        let who = w.containers.first().map_or_else(|| w.describe(), |c| container_label(w, c));
        let mut seen = Vec::new();
        for rule in profile.get("syscalls").map(Node::items).unwrap_or_default() {
            if !allows(rule.get_str("action")) || rule.get("args").is_some_and(|a| !a.items().is_empty()) {
                continue;
            }
            for name in names(rule) {
                let Some(text) = name.as_string() else { continue };
                let Some((call, what)) = DANGEROUS.iter().find(|(n, _)| *n == text.trim()) else { continue };
                if seen.contains(call) {
                    continue;
                }
                seen.push(*call);
                out.push(
                    cx.finding(
                        &INFO,
                        name.span.clone(),
                        format!("the seccomp profile of {who} allows `{call}` without conditions"),
                    )
                    .with_label(format!("{what}; the default action would deny it"))
                    .with_help(format!(
                        "remove `{call}` from this rule's `names` unless the workload needs it, or allow it only with `args` conditions"
                    )),
                );
            }
        }
    }
}

use rampart_posture::{Format, Origin};

use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A workload runs without a user namespace of its own.
    ///
    /// ## What it does
    /// Reports a workload whose configuration puts it in the host's user namespace, where
    /// that is written or where the format's default is the host's:
    ///
    /// - an OCI runtime config without a `user` entry in `linux.namespaces` (runc then
    ///   creates none), at the `namespaces` key; one that joins the host's (`/proc/1/ns/user`),
    ///   at the path; and one whose `uidMappings` map the process's user to the host's root,
    ///   at that `hostID`;
    /// - a Compose service with `userns_mode: host`, at the value (it opts out of the
    ///   daemon's `userns-remap`);
    /// - a Kubernetes pod with an explicit `hostUsers: true`, at the value.
    ///
    /// Not reported: a Compose service without `userns_mode` (the daemon's configuration
    /// decides, which the file does not show), and a Kubernetes pod without `hostUsers`: the
    /// Pod Security Standards do not require user namespaces, and many clusters cannot run
    /// them yet.
    ///
    /// ## Why
    /// Without a user namespace, the container's user IDs are the host's: root in the
    /// container is root on the host, held back only by capabilities, seccomp and the other
    /// namespaces. One escape through any of them (a kernel bug, a writable host path, a
    /// runtime vulnerability such as CVE-2019-5736) lands as the host's root. In a user
    /// namespace mapped to unprivileged host IDs the same escape lands as nobody.
    ///
    /// ## Example
    /// ```json
    /// "linux": {
    ///   "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"},
    ///                  {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}]
    /// }
    /// ```
    /// Use instead: add `{"type": "user"}` with `uidMappings` and `gidMappings` to
    /// unprivileged host IDs (`{"containerID": 0, "hostID": 100000, "size": 65536}`).
    ///
    /// ## Fix safety
    /// No automatic fix: the files the container reads and writes (its root filesystem, its
    /// mounts) must be owned by the mapped IDs, which changes the bundle, not only its
    /// config. Unsafe; rampart does not apply it.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.30: "Ensure that the host's user namespaces are not shared"
    /// - NIST SP 800-190 §4.4.3
    /// - user_namespaces(7): <https://man7.org/linux/man-pages/man7/user_namespaces.7.html>
    /// - Kubernetes: <https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/>
    pub struct NoUserNamespace {
        code: "KS039",
        name: "no-user-namespace",
        severity: Note,
        tags: ["isolation", "user", "cis-docker:5.30", "nist-800-190:4.4.3", "seed:isolation"],
        equivalents: [],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        let setting = &w.host_users;
        if setting.value != Some(true) {
            continue;
        }
        let (span, label, help) = match (&setting.origin, w.format) {
            (Origin::Explicit(span), Format::Kubernetes) => (
                span.clone(),
                "root in its containers is root on the node",
                "set `hostUsers: false` where the cluster supports user namespaces (Kubernetes 1.33 and later, by default)",
            ),
            (Origin::Explicit(span), Format::Compose) => (
                span.clone(),
                "opts out of the daemon's `userns-remap`: root in it is root on the host",
                "remove `userns_mode: host`",
            ),
            (Origin::Explicit(span), Format::Oci) if is_path(cx, span) => (
                span.clone(),
                "joins the host's user namespace: root in it is root on the host",
                "remove the `path`, and map the container's IDs to unprivileged host IDs",
            ),
            (Origin::Explicit(span), Format::Oci) => (
                span.clone(),
                "maps the process's user to the host's root",
                "map the container's IDs to unprivileged host IDs (`\"hostID\": 100000`)",
            ),
            (Origin::Runtime, Format::Oci) => (
                w.anchor.clone(),
                "no `user` namespace: root in the container is root on the host",
                "add `{\"type\": \"user\"}` to `linux.namespaces`, with `uidMappings` and `gidMappings` to unprivileged host IDs",
            ),
            _ => continue,
        };
        out.push(
            cx.finding(&INFO, span, format!("{} runs without a user namespace of its own", w.describe()))
                .with_label(label)
                .with_help(help),
        );
    }
}

/// Whether the value at `span` is a namespace `path` (rather than a `hostID`).
fn is_path(cx: &ManifestContext<'_>, span: &std::ops::Range<usize>) -> bool {
    cx.file.text().get(span.clone()).is_some_and(|t| t.contains("/proc/"))
}

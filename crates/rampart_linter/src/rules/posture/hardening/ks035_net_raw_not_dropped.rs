use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{ContainerPosture, Format, Workload};

use super::util::{by_format, is_windows};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{Change, owner, remove_capabilities, to_edits, with_fix, write};

declare_rule! {
    /// A container keeps the `NET_RAW` capability.
    ///
    /// ## What it does
    /// Reports every container (regular, init and ephemeral; Compose services; the OCI
    /// process) that does not drop `NET_RAW` (or `ALL`) — at its name — and every one that
    /// adds `NET_RAW` back — at the capability, as adding wins over dropping. Names are
    /// compared without the `CAP_` prefix and in any case (`CAP_NET_RAW`, `net_raw`).
    /// Windows pods are not reported: capabilities are a Linux setting. A container that adds
    /// `ALL` keeps `NET_RAW` too; KS034 reports it.
    ///
    /// ## Why
    /// Container runtimes grant `NET_RAW` by default. It lets a process craft any packet:
    /// spoof addresses, ARP-poison and DNS-spoof its neighbours on the node's network, and it
    /// has been the entry point of kernel exploits (CVE-2020-14386). Almost no application
    /// needs it; `ping` works without it on current kernels.
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
    ///       capabilities:
    ///         drop: [ALL]
    /// ```
    ///
    /// ## Fix
    /// A `NET_RAW` added is removed: from Kubernetes `capabilities.add` and Compose `cap_add`
    /// (the key goes when nothing is left), from every capability set of an OCI process.
    /// Otherwise `NET_RAW` is added to the dropped capabilities: Kubernetes
    /// `capabilities.drop` (the block is created when missing), Compose `cap_drop`. Dropping
    /// `ALL` is KS017's fix; this one removes only the capability it is about.
    ///
    /// ## Fix safety
    /// Unsafe: a workload that sends raw packets — a network probe, `tcpdump`, `arping`,
    /// `traceroute`, a `ping` built without ICMP datagram sockets — then fails.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.2.8 "Minimize the admission of containers with the
    ///   NET_RAW capability"; CIS Docker Benchmark 5.3
    /// - NIST SP 800-190 §4.4.3 (runtime configuration)
    /// - CWE-250: Execution with Unnecessary Privileges
    pub struct NetRawNotDropped {
        code: "KS035",
        name: "net-raw-not-dropped",
        severity: Warning,
        tags: ["privileges", "capabilities", "network", "cis-docker:5.3", "cwe:250", "seed:least-privilege"],
        equivalents: [
            "kyverno:require-drop-cap-net-raw",
            "trivy:KSV-0119",
            "kube-linter:drop-net-raw-capability",
            "checkov:CKV_K8S_28",
        ],
        fix: Unsafe,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        if is_windows(cx, w) {
            continue;
        }
        let (add, drop) = match w.format {
            rampart_posture::Format::Kubernetes => ("capabilities.add", "capabilities.drop"),
            rampart_posture::Format::Compose => ("cap_add", "cap_drop"),
            rampart_posture::Format::Oci => ("process.capabilities", "process.capabilities"),
        };
        for c in &w.containers {
            if let Some(added) = c.capabilities_add.iter().find(|cap| cap.value == "NET_RAW") {
                let fix = added.span().and_then(|at| remove(cx, w, c, &at));
                out.push(with_fix(
                    cx.finding(
                        &INFO,
                        added.span().unwrap_or_else(|| c.anchor.clone()),
                        format!("{} adds `NET_RAW`", container_label(w, c)),
                    )
                    .with_label("raw packets: address spoofing on the node's network")
                    .with_help(format!("remove `NET_RAW` from `{add}`")),
                    fix,
                ));
                continue;
            }
            // `ALL` added back is KS034's.
            if c.capabilities_add.iter().any(|cap| cap.value == "ALL") {
                continue;
            }
            if c.capabilities_drop.iter().any(|cap| cap.value == "NET_RAW" || cap.value == "ALL") {
                continue;
            }
            out.push(with_fix(
                cx.finding(&INFO, c.anchor.clone(), format!("{} does not drop `NET_RAW`", container_label(w, c)))
                    .with_label(format!("no `NET_RAW` or `ALL` in `{drop}`"))
                    .with_help(by_format(
                        w,
                        "add `drop: [ALL]` (or at least `NET_RAW`) to `securityContext.capabilities`",
                        "add `cap_drop: [ALL]` (or at least `NET_RAW`)",
                        "remove `CAP_NET_RAW` from the process's capability sets",
                    )),
                add_to_dropped(cx, w, c),
            ));
        }
    }
}

/// Removes `NET_RAW` from the added capabilities (every OCI set).
fn remove(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture, at: &std::ops::Range<usize>) -> Option<Fix> {
    let removed = remove_capabilities(cx, w, c, |name, _| name == "NET_RAW")?;
    // A capability a Compose service inherits from the service it extends stays.
    if !removed.spans.contains(at) {
        return None;
    }
    let from = match w.format {
        Format::Kubernetes => "`capabilities.add`",
        Format::Compose => "`cap_add`",
        Format::Oci => "every capability set of the process",
    };
    Some(Fix::unsafe_(format!("Remove `NET_RAW` from {from}"), to_edits(removed.edits)))
}

/// Adds `NET_RAW` to the dropped capabilities.
fn add_to_dropped(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> Option<Fix> {
    let (path, field): (&[&str], &str) = match w.format {
        Format::Kubernetes => (&["securityContext", "capabilities", "drop"], "capabilities.drop"),
        Format::Compose => (&["cap_drop"], "cap_drop"),
        Format::Oci => return None,
    };
    let edits = write(cx.file.text(), owner(cx, w, c)?, &[(path, Change::Add(Val::str("NET_RAW")))])?;
    Some(Fix::unsafe_(format!("Add `NET_RAW` to `{field}`"), to_edits(edits)))
}

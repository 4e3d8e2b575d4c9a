use rampart_posture::Format;
use rampart_yaml::Node;

use super::util::{by_format, node_at};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A pod writes its own entries into `/etc/hosts`.
    ///
    /// ## What it does
    /// Reports `hostAliases` on a Kubernetes pod spec: one finding per entry, at its `ip`,
    /// naming the host names it pins; and a Compose service's `extra_hosts`, one finding per
    /// name (`"name:ip"`, `"name=ip"` or `name: ip`), at the entry. An OCI runtime config has
    /// no such field: its `/etc/hosts` is a file the runtime binds in.
    ///
    /// ## Why
    /// Host aliases bypass DNS for the names they list: the pod keeps connecting to the
    /// written address after the service moves (a stale IP that someone else may get), the
    /// override is invisible to whoever debugs name resolution from outside the pod, and a
    /// manifest change can silently redirect a trusted name — an API endpoint, a package
    /// mirror — to another host. The kubelet manages the pod's `/etc/hosts`; names belong in
    /// DNS or a Service.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostAliases:
    ///     - ip: 10.0.12.7
    ///       hostnames: [api.payments.example.com]
    /// ```
    /// Use instead: a DNS record, or a Service (an `ExternalName` Service, or a Service with
    /// explicit endpoints) that the cluster's DNS resolves.
    ///
    /// ## Fix safety
    /// No automatic fix: the name must be published in DNS first.
    ///
    /// ## References
    /// - Kubernetes: <https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/>
    pub struct HostAliases {
        code: "KS033",
        name: "host-aliases",
        severity: Note,
        tags: ["network", "hygiene"],
        equivalents: ["trivy:KSV-0007"],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        let help = by_format(
            w,
            "publish the name in DNS, or use a Service the cluster's DNS resolves",
            "publish the name in DNS, or reach the other service by its Compose service name",
            "publish the name in DNS",
        );
        let Some(span) = &w.host_aliases else { continue };
        let node = node_at(cx, span);
        if node.is_some_and(Node::is_null) {
            continue;
        }
        if w.format == Format::Compose
            && let Some(node) = node
        {
            for (name, ip, at) in extra_hosts(node) {
                let to = if ip.is_empty() { String::new() } else { format!(" to `{ip}`") };
                out.push(
                    cx.finding(&INFO, at, format!("{} pins `{name}`{to} in `/etc/hosts`", w.describe()))
                        .with_label("bypasses DNS: goes stale when the address changes")
                        .with_help(help),
                );
            }
            continue;
        }
        let Some(list) = node.filter(|n| n.is_seq()) else {
            // Not a list we can read entry by entry: report the setting as a whole.
            out.push(
                cx.finding(&INFO, span.clone(), format!("{} overrides `/etc/hosts` entries", w.describe()))
                    .with_label("these names bypass DNS")
                    .with_help(help),
            );
            continue;
        };
        for entry in list.items().iter().filter(|e| e.is_map()) {
            let names: Vec<String> = entry
                .get("hostnames")
                .map(|h| h.items().iter().filter_map(Node::as_string).map(|n| format!("`{n}`")).collect())
                .unwrap_or_default();
            // An entry without names adds nothing to `/etc/hosts`.
            if names.is_empty() {
                continue;
            }
            let ip = entry.get("ip");
            let target = ip.map_or(entry.span.clone(), |n| n.span.clone());
            let to = ip.and_then(Node::as_string).map(|ip| format!(" to `{ip}`")).unwrap_or_default();
            out.push(
                cx.finding(&INFO, target, format!("{} pins {}{to} in `/etc/hosts`", w.describe(), names.join(", ")))
                    .with_label("bypasses DNS: goes stale when the address changes")
                    .with_help(help),
            );
        }
    }
}

/// Compose `extra_hosts`: `["name:ip", "name=ip"]` or `{name: ip}` (an address list too):
/// the name, the addresses as written, and where the entry is.
fn extra_hosts(node: &Node) -> Vec<(String, String, std::ops::Range<usize>)> {
    if node.is_map() {
        return node
            .entries()
            .iter()
            .filter_map(|e| {
                let name = e.key.as_string()?.trim().to_string();
                let ips: Vec<&str> = match e.value.as_string() {
                    Some(ip) => vec![ip],
                    None => e.value.items().iter().filter_map(Node::as_string).collect(),
                };
                Some((name, ips.join("`, `"), e.value.span.clone()))
            })
            .filter(|(name, _, _)| !name.is_empty())
            .collect();
    }
    node.items()
        .iter()
        .filter_map(|item| {
            let text = item.as_string()?;
            // `name=ip` (any address), else `name:ip` (the first colon: IPv6 addresses follow it).
            let (name, ip) = text.split_once('=').or_else(|| text.split_once(':')).unwrap_or((text, ""));
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_string(), ip.trim().to_string(), item.span.clone()))
        })
        .collect()
}

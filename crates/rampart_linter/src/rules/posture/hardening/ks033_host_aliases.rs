use rampart_yaml::Node;

use super::util::{by_format, node_at};
use crate::Finding;
use crate::manifest::ManifestContext;

declare_rule! {
    /// A pod writes its own entries into `/etc/hosts`.
    ///
    /// ## What it does
    /// Reports `hostAliases` on a Kubernetes pod spec: one finding per entry, at its `ip`,
    /// naming the host names it pins.
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

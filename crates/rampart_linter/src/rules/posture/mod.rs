//! Runtime posture rules: written once against the posture model, they apply to Kubernetes
//! workloads, Compose services and OCI runtime configs alike, wherever the format has the
//! setting. `baseline` and `restricted` are the Pod Security Standards controls, exactly as
//! the Kubernetes documentation defines them; `hardening` goes beyond them.

pub mod baseline;
pub(crate) mod fix_pod;
pub(crate) mod fix_security_context;
pub mod hardening;
pub mod restricted;

use crate::Rule;

pub(crate) fn rules() -> Vec<&'static dyn Rule> {
    [baseline::RULES, restricted::RULES, hardening::RULES].concat()
}

/// The root node of the document an OCI workload was read from (its whole `config.json`);
/// `None` for the other formats.
pub(crate) fn oci_root<'a>(
    cx: &crate::manifest::ManifestContext<'a>,
    w: &rampart_posture::Workload,
) -> Option<&'a rampart_yaml::Node> {
    if w.format != rampart_posture::Format::Oci {
        return None;
    }
    cx.documents.iter().map(|d| &d.root).find(|r| r.span == w.span)
}

/// Where to point, in an OCI config, for a setting missing at `path` (`["linux",
/// "resources", "pids"]`): the key of the deepest entry of the path that is written
/// (`resources`, else `linux`). `None` when not even the first is, or for other formats.
pub(crate) fn oci_missing_at(
    cx: &crate::manifest::ManifestContext<'_>,
    w: &rampart_posture::Workload,
    path: &[&str],
) -> Option<std::ops::Range<usize>> {
    let mut node = oci_root(cx, w)?;
    let mut found = None;
    for key in path {
        let Some(entry) = node.entry(key) else { break };
        found = Some(entry.key.span.clone());
        if !entry.value.is_map() {
            break;
        }
        node = &entry.value;
    }
    found
}

//! The Pod Security Standards, baseline level: controls that prevent known privilege
//! escalations. Each rule is one control of <https://kubernetes.io/docs/concepts/security/pod-security-standards/>.

pub mod ks001_privileged_container;
pub mod ks002_host_namespaces;
pub mod ks003_host_path_volume;
pub mod ks004_host_port;
pub mod ks005_windows_host_process;
pub mod ks006_capabilities_beyond_baseline;
pub mod ks007_proc_mount_unmasked;
pub mod ks008_selinux_options_disallowed;
pub mod ks009_apparmor_profile_disallowed;
pub mod ks010_seccomp_unconfined;
pub mod ks011_unsafe_sysctls;

use std::ops::Range;

use rampart_yaml::{Document, Node, Value};

use crate::rules::manifest_rules;

manifest_rules!(
    ks001_privileged_container::PrivilegedContainer,
    ks002_host_namespaces::HostNamespaces,
    ks003_host_path_volume::HostPathVolume,
    ks004_host_port::HostPort,
    ks005_windows_host_process::WindowsHostProcess,
    ks006_capabilities_beyond_baseline::CapabilitiesBeyondBaseline,
    ks007_proc_mount_unmasked::ProcMountUnmasked,
    ks008_selinux_options_disallowed::SelinuxOptionsDisallowed,
    ks009_apparmor_profile_disallowed::ApparmorProfileDisallowed,
    ks010_seccomp_unconfined::SeccompUnconfined,
    ks011_unsafe_sysctls::UnsafeSysctls,
);

/// The scalar written at `span`, as Kubernetes reads it (quotes and escapes resolved), where
/// the posture model keeps a normalised value: Pod Security compares some names exactly.
pub(crate) fn written_scalar<'a>(documents: &'a [Document], span: &Range<usize>) -> Option<&'a str> {
    documents.iter().find_map(|d| scalar_at(&d.root, span))
}

fn scalar_at<'a>(node: &'a Node, span: &Range<usize>) -> Option<&'a str> {
    if node.span == *span
        && let Some(s) = node.as_str()
    {
        return Some(s);
    }
    // Only descend where the span can be: a node written elsewhere (an alias) is also found
    // where it is defined.
    let holds = |n: &&Node| n.span.start <= span.start && span.end <= n.span.end;
    match &node.value {
        Value::Scalar(..) => None,
        Value::Seq(items) => items.iter().filter(holds).find_map(|n| scalar_at(n, span)),
        Value::Map(entries) => {
            entries.iter().flat_map(|e| [&e.key, &e.value]).filter(holds).find_map(|n| scalar_at(n, span))
        }
    }
}

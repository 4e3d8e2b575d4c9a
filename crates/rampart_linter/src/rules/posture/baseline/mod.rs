//! The Pod Security Standards, baseline level: controls that prevent known privilege
//! escalations. Each rule is one control of <https://kubernetes.io/docs/concepts/security/pod-security-standards/>.

pub mod ks001_privileged_container;
pub mod ks002_host_namespaces;

use crate::rules::manifest_rules;

manifest_rules!(ks001_privileged_container::PrivilegedContainer, ks002_host_namespaces::HostNamespaces);

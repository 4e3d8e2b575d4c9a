//! Rules about Kubernetes objects other than workloads: RBAC roles and bindings,
//! NetworkPolicies and Services, Namespaces.

pub mod namespace;
pub mod network;
pub mod rbac;

use crate::Rule;

pub(crate) fn rules() -> Vec<&'static dyn Rule> {
    [rbac::RULES, network::RULES, network::PROJECT_RULES, namespace::RULES].concat()
}

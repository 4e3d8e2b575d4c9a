//! Rules about Kubernetes objects other than workloads: RBAC roles and bindings,
//! NetworkPolicies, Namespaces and Services.

pub mod network;
pub mod rbac;

use crate::Rule;

pub(crate) fn rules() -> Vec<&'static dyn Rule> {
    [rbac::RULES, network::RULES].concat()
}

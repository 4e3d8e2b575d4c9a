//! RBAC: what Roles and ClusterRoles grant (read as the API server's authorizer reads
//! them, in `common`) and to whom RoleBindings and ClusterRoleBindings grant it.

mod common;
pub mod ks050_rbac_wildcard;
pub mod ks051_cluster_admin_binding;
pub mod ks052_rbac_secrets_read;
pub mod ks053_rbac_escalation_verbs;
pub mod ks054_rbac_pod_exec_attach;
pub mod ks055_rbac_workload_creation;
pub mod ks056_rbac_nodes_proxy;
pub mod ks057_rbac_risky_subject;

use crate::rules::manifest_rules;

manifest_rules!(
    ks050_rbac_wildcard::RbacWildcard,
    ks051_cluster_admin_binding::ClusterAdminBinding,
    ks052_rbac_secrets_read::RbacSecretsRead,
    ks053_rbac_escalation_verbs::RbacEscalationVerbs,
    ks054_rbac_pod_exec_attach::RbacPodExecAttach,
    ks055_rbac_workload_creation::RbacWorkloadCreation,
    ks056_rbac_nodes_proxy::RbacNodesProxy,
    ks057_rbac_risky_subject::RbacRiskySubject,
);

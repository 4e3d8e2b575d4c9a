//! Network exposure: NetworkPolicies (read as Kubernetes applies them, in `common`), across
//! the manifests given together for the namespace-wide checks, and Services.

mod common;
mod generate;
pub mod ks060_namespace_without_default_deny;
pub mod ks061_workload_not_selected_by_network_policy;
pub mod ks062_network_policy_allows_all;
pub mod ks063_service_external_ips;

use crate::rules::{manifest_rules, project_rules};

manifest_rules!(
    ks062_network_policy_allows_all::NetworkPolicyAllowsAll,
    ks063_service_external_ips::ServiceExternalIps
);

project_rules!(
    ks060_namespace_without_default_deny::NamespaceWithoutDefaultDeny,
    ks061_workload_not_selected_by_network_policy::WorkloadNotSelectedByNetworkPolicy,
);

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_diagnostics::SourceFile;

    use crate::{FileKind, Linter, Settings};

    const WORKLOADS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  # rampart:ignore KS061 isolated by the service mesh
  name: worker
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers: [{name: w, image: \"registry.example.com/w:1.0.0\"}]
";

    const POLICIES: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec: {podSelector: {matchLabels: {app: web}}}
";

    /// A suppression of a rule across files is neither "unused" in the check of its own
    /// file (which cannot see the policies) nor ignored by the check across files.
    #[test]
    fn suppressions_of_project_rules_apply_across_files() {
        let settings = Settings { select: vec!["KS061".into(), "RP".into()], ..Settings::default() };
        let linter = Linter::new(&settings);
        let mut project = Vec::new();
        for (name, text) in [("workloads.yaml", WORKLOADS), ("policies.yaml", POLICIES)] {
            let file: Arc<SourceFile> = SourceFile::new(name, text.to_string());
            let report = linter.check(&file, FileKind::Kubernetes);
            assert!(report.findings.is_empty(), "{name}: {:?}", report.findings);
            project.push((file, report.documents));
        }
        let (findings, suppressed) = linter.check_project(&project);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(suppressed, 1);
        // Without the policies, the namespace has none and KS061 leaves it to KS060.
        let (findings, _) = linter.check_project(&project[..1]);
        assert!(findings.is_empty(), "{findings:?}");
    }
}

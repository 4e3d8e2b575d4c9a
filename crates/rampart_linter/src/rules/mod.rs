//! One rule per file. `meta` holds the rules the engine reports itself (syntax errors,
//! suppression and configuration problems); `dockerfile` the Dockerfile rules; `posture` the
//! rules about a container's runtime posture, written once for Kubernetes, Compose and OCI
//! runtime configs; `kubernetes` the rules about Kubernetes objects other than workloads
//! (RBAC, NetworkPolicy, Namespaces, Services).

pub mod dockerfile;
pub mod kubernetes;
pub mod meta;
pub mod posture;

/// Implements [`crate::Rule`] for manifest rule structs whose module has `INFO` and a
/// `check` function taking a [`crate::manifest::ManifestContext`].
macro_rules! manifest_rules {
    ($($module:ident::$ty:ident),* $(,)?) => {
        $(impl crate::Rule for $module::$ty {
            fn info(&self) -> &'static crate::RuleInfo {
                &$module::INFO
            }
            fn check_manifest(
                &self,
                cx: &crate::manifest::ManifestContext<'_>,
                out: &mut Vec<crate::Finding>,
            ) {
                $module::check(cx, out)
            }
        })*
        pub(crate) static RULES: &[&dyn crate::Rule] = &[$(&$module::$ty),*];
    };
}
pub(crate) use manifest_rules;

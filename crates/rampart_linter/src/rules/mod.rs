//! One rule per file. `meta` holds the rules the engine reports itself (syntax errors,
//! suppression and configuration problems); `dockerfile` the Dockerfile rules; `posture` the
//! rules about a container's runtime posture, written once for Kubernetes, Compose and OCI
//! runtime configs; `kubernetes` the rules about Kubernetes objects other than workloads
//! (RBAC, NetworkPolicy, Namespaces, Services); `image` the rules about built container
//! images (their configuration and final filesystem).

pub mod dockerfile;
pub mod image;
pub mod kubernetes;
pub mod meta;
pub mod posture;
pub mod vuln;

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

/// Implements [`crate::Rule`] for rules that need every Kubernetes manifest given together
/// (a namespace's NetworkPolicies and workloads sit in different files): each module has
/// `INFO` and a `check` function taking a [`crate::manifest::ProjectContext`]. Defines
/// `PROJECT_RULES`, so a category can hold both kinds (`manifest_rules!` defines `RULES`).
macro_rules! project_rules {
    ($($module:ident::$ty:ident),* $(,)?) => {
        $(impl crate::Rule for $module::$ty {
            fn info(&self) -> &'static crate::RuleInfo {
                &$module::INFO
            }
            fn check_project(
                &self,
                cx: &crate::manifest::ProjectContext<'_>,
                out: &mut Vec<crate::Finding>,
            ) {
                $module::check(cx, out)
            }
            fn checks_project(&self) -> bool {
                true
            }
        })*
        pub(crate) static PROJECT_RULES: &[&dyn crate::Rule] = &[$(&$module::$ty),*];
    };
}
pub(crate) use project_rules;

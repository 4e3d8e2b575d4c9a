//! Dockerfile rules, one per file, grouped by what they protect.

pub mod base;
pub mod packages;
pub mod pinning;
pub mod runtime;
pub mod secrets;
pub mod supply;
pub mod surface;
pub mod user;

use crate::Rule;

pub(crate) fn rules() -> Vec<&'static dyn Rule> {
    [
        user::RULES,
        base::RULES,
        surface::RULES,
        supply::RULES,
        pinning::RULES,
        packages::RULES,
        secrets::RULES,
        runtime::RULES,
    ]
    .concat()
}

/// Writes `replacement` in the case style of `original` (`add` → `copy`, `ADD` → `COPY`).
pub(crate) fn same_case(original: &str, replacement: &str) -> String {
    if original.chars().any(|c| c.is_ascii_lowercase()) && !original.chars().any(|c| c.is_ascii_uppercase()) {
        replacement.to_ascii_lowercase()
    } else {
        replacement.to_ascii_uppercase()
    }
}

/// Implements [`Rule`] for rule structs whose module has `INFO` and a `check` function.
macro_rules! dockerfile_rules {
    ($($module:ident::$ty:ident),* $(,)?) => {
        $(impl crate::Rule for $module::$ty {
            fn info(&self) -> &'static crate::RuleInfo {
                &$module::INFO
            }
            fn check_dockerfile(
                &self,
                cx: &crate::dockerfile::DockerfileContext<'_>,
                out: &mut Vec<crate::Finding>,
            ) {
                $module::check(cx, out)
            }
        })*
        pub(crate) static RULES: &[&dyn crate::Rule] = &[$(&$module::$ty),*];
    };
}
pub(crate) use dockerfile_rules;

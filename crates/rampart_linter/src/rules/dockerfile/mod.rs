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

/// Whether a heredoc of the file runs to its end without its delimiter: everything after it
/// is the heredoc's body, so an instruction inserted there would be too.
pub(crate) fn unterminated_heredoc(cx: &crate::dockerfile::DockerfileContext<'_>) -> bool {
    cx.df.all_instructions().any(|i| i.heredocs.iter().any(|h| !h.terminated))
}

/// The start of the comment lines right above the line starting at `line` (no blank line
/// between), or `line`: where an instruction goes so the comments stay with the instruction
/// they describe (or suppress).
pub(crate) fn above_comments(text: &str, line: usize) -> usize {
    let mut start = line.min(text.len());
    while start > 0 && text.is_char_boundary(start) {
        let previous = text[..start - 1].rfind('\n').map_or(0, |p| p + 1);
        if !text[previous..start].trim().starts_with('#') {
            break;
        }
        start = previous;
    }
    start
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

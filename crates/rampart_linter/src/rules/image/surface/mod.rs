//! Programs left in the final image that the application does not need and an attacker
//! would: shells, package managers, compilers, debuggers, download tools, SSH servers.

pub mod im020_shell_present;
pub mod im021_package_manager_present;
pub mod im022_compiler_present;
pub mod im023_debugger_present;
pub mod im024_download_tool_present;
pub mod im025_sshd_present;

use super::image_rules;
use crate::image::tools::{self, Present};
use crate::image::{AllowList, ImageContext, Pending, Target};

image_rules!(
    im020_shell_present::ShellPresent,
    im021_package_manager_present::PackageManagerPresent,
    im022_compiler_present::CompilerPresent,
    im023_debugger_present::DebuggerPresent,
    im024_download_tool_present::DownloadToolPresent,
    im025_sshd_present::SshdPresent,
);

/// What a tool rule looks for.
pub(crate) struct Tools {
    /// Groups of names of one tool (`apt`, `apt-get`): one finding per group.
    pub groups: &'static [&'static [&'static str]],
    /// "shell", "package manager", ...
    pub what: &'static str,
    pub allow_key: &'static str,
}

/// Reports each group of `tools` with a real executable in the image: once per group,
/// pointing at its first executable, with the others as related lines.
pub(crate) fn report(
    cx: &ImageContext<'_>,
    out: &mut Vec<Pending>,
    info: &'static crate::RuleInfo,
    tools: &Tools,
    configured: &[String],
) {
    let allow = AllowList::new(&[], configured);
    let names: Vec<&'static str> = tools.groups.iter().flat_map(|g| g.iter().copied()).collect();
    let found = tools::find(cx, &names, &allow);
    for group in tools.groups {
        let mine: Vec<&Present<'_>> =
            found.iter().filter(|p| p.names.first().is_some_and(|n| group.contains(n))).collect();
        let Some(first) = mine.first() else { continue };
        let listed: Vec<String> =
            mine.iter().map(|p| format!("{}{}", p.describe(), tools::provenance(cx, p))).collect();
        let mut finding = cx
            .finding(
                info,
                Target::File(first.entry.path.to_string()),
                format!("the image ships the {} {}", tools.what, listed.join(", ")),
            )
            .with_label(tools.what)
            .with_help(format!(
                "remove it in the Dockerfile (or build the final stage from a distroless or scratch base); if it is needed, add it to `[images.allow] {}`",
                tools.allow_key
            ));
        for other in mine.iter().skip(1) {
            finding =
                finding.with_related(Target::File(other.entry.path.to_string()), format!("also {}", other.describe()));
        }
        out.push(finding);
    }
}

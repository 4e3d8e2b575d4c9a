//! Shared by the pinning rules: reading package arguments (with build-variable expansion),
//! and reporting one finding per installing command.

use rampart_diagnostics::RuleInfo;
use rampart_shell::Word;

use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Manager, PackageCommand};

/// How many package names a message lists before "and N more".
const LISTED: usize = 5;

/// A package argument installed without a pinned version.
#[derive(Debug)]
pub(super) struct Unpinned<'a> {
    pub word: &'a Word,
    /// The argument as the message shows it, quoted: `` `curl` ``, `` `typescript@latest` ``,
    /// `` `less` (from `$PACKAGES`) ``.
    pub shown: String,
    /// The bare package name, for the help text.
    pub name: String,
}

/// Package arguments of `words` that `judge` finds unpinned. `judge` gets one argument and
/// returns the package name when it is unpinned, `None` when it is pinned or cannot be
/// pinned (groups, patterns, capabilities).
///
/// Words with expansions are expanded with the build variables (`ARG`/`ENV`) visible at the
/// instruction and split like the shell would. When that is not possible (a variable without
/// a value, a command substitution, an `ONBUILD` trigger whose variables come from another
/// build), the word is not reported: a version given through a variable
/// (`curl=${CURL_VERSION}`) is a pin, and anything else is unknown.
pub(super) fn unpinned<'a>(
    cx: &DockerfileContext<'_>,
    pc: &PackageCommand<'a>,
    words: impl IntoIterator<Item = &'a Word>,
    judge: impl Fn(&str) -> Option<String>,
) -> Vec<Unpinned<'a>> {
    let mut out = Vec::new();
    for word in words {
        let value = word.value.as_str();
        if value.is_empty() {
            continue;
        }
        if !word.expands {
            if let Some(name) = judge(value) {
                out.push(Unpinned { word, shown: format!("`{value}`"), name });
            }
            continue;
        }
        // A command substitution (`$(cat packages.txt)`) lists packages nobody can see here.
        if value.contains("$(") || value.contains('`') {
            continue;
        }
        let run = pc.cmd.run;
        let expansion = (!run.onbuild).then(|| cx.scopes.at(run.instruction).expand(value, '\\'));
        match expansion {
            Some(e) if e.is_complete() => {
                let before = out.len();
                for token in e.value.split_whitespace() {
                    if let Some(name) = judge(token) {
                        out.push(Unpinned { word, shown: format!("`{token}`"), name });
                    }
                }
                // Say where the names came from, once per word.
                if out.len() > before
                    && let Some(last) = out.last_mut()
                {
                    last.shown = format!("{} (from `{value}`)", last.shown);
                }
            }
            // Unresolved: the variable may well be the version. Nothing to report.
            _ => {}
        }
    }
    out
}

/// How the command is named in messages: `apt-get install`, `pip install`, `yarn add`.
pub(super) fn command_label(pc: &PackageCommand<'_>) -> String {
    let program = match pc.manager {
        Manager::Pip => "pip",
        Manager::Go => "go",
        _ => pc.cmd.program(),
    };
    match pc.action_word {
        Some(action) => format!("{program} {}", action.value),
        None => program.to_string(),
    }
}

/// `a`, `a and b`, `a, b, c, d, e and 3 more`.
pub(super) fn list(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(LISTED).cloned().collect();
    let more = items.len().saturating_sub(LISTED);
    match (shown.as_slice(), more) {
        ([], _) => String::new(),
        ([one], 0) => one.clone(),
        ([init @ .., last], 0) => format!("{} and {last}", init.join(", ")),
        (all, n) => format!("{} and {n} more", all.join(", ")),
    }
}

/// One finding for the command, spanning its unpinned arguments. `help` gets the first one.
pub(super) fn report(
    cx: &DockerfileContext<'_>,
    info: &'static RuleInfo,
    pc: &PackageCommand<'_>,
    bad: &[Unpinned<'_>],
    message: Option<String>,
    help: impl FnOnce(&Unpinned<'_>) -> String,
    out: &mut Vec<Finding>,
) {
    let (Some(first), Some(last)) = (bad.first(), bad.last()) else { return };
    let span = pc.cmd.word_span(first.word).cover(pc.cmd.word_span(last.word));
    let shown: Vec<String> = bad.iter().map(|u| u.shown.clone()).collect();
    let message = message.unwrap_or_else(|| format!("`{}` leaves {} unpinned", command_label(pc), list(&shown)));
    let label = if bad.len() == 1 { "no pinned version" } else { "no pinned versions" };
    out.push(cx.finding(info, span, message).with_label(label).with_help(help(first)));
}

/// A local path: `.`, `./x`, `../x`, `/x`, `~/x`, `file:…`.
pub(super) fn is_local_path(spec: &str) -> bool {
    spec == "."
        || spec == ".."
        || spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with('/')
        || spec.starts_with("~/")
        || spec.starts_with("file:")
}

/// An `http://`, `https://` or `ftp://` URL.
pub(super) fn is_url(spec: &str) -> bool {
    let s = spec.to_ascii_lowercase();
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("ftp://")
}

/// Ends with one of `suffixes`, ignoring case.
pub(super) fn has_suffix(spec: &str, suffixes: &[&str]) -> bool {
    let s = spec.to_ascii_lowercase();
    suffixes.iter().any(|x| s.ends_with(x))
}

/// A Git reference that does not move: a commit id (7 to 40 hex digits) or a version tag
/// (`v1.2.3`, `1.2.3`). Branches (`main`) and empty references are not.
pub(super) fn is_fixed_ref(reference: &str) -> bool {
    let hex = reference.len() >= 7 && reference.len() <= 64 && reference.chars().all(|c| c.is_ascii_hexdigit());
    let digits = reference.strip_prefix('v').unwrap_or(reference);
    hex || digits.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        let v = |n: usize| (0..n).map(|i| format!("p{i}")).collect::<Vec<_>>();
        assert_eq!(list(&v(1)), "p0");
        assert_eq!(list(&v(2)), "p0 and p1");
        assert_eq!(list(&v(5)), "p0, p1, p2, p3 and p4");
        assert_eq!(list(&v(7)), "p0, p1, p2, p3, p4 and 2 more");
    }

    #[test]
    fn fixed_refs() {
        assert!(is_fixed_ref("3f2a9c1"));
        assert!(is_fixed_ref("v1.2.0"));
        assert!(!is_fixed_ref("main"));
        assert!(!is_fixed_ref(""));
        assert!(!is_fixed_ref("abc"));
    }
}

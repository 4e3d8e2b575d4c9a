use rampart_diagnostics::Fix;

use super::common::{around_action, fed_yes, head_span, insert_after, short_flags};
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, classify};

declare_rule! {
    /// `zypper install` without `-n`/`-y` stops at the confirmation prompt.
    ///
    /// ## What it does
    /// Reports `zypper` `install`, `remove`, `update`, `patch` and `dist-upgrade` (and their
    /// short forms `in`, `rm`, `up`, `dup`) without the global `-n`/`--non-interactive`
    /// (before the subcommand) or the subcommand's `-y`/`--no-confirm` (after it), or input
    /// from `yes |`, in every stage.
    ///
    /// ## Why
    /// A build has no terminal: zypper's "Continue? [y/n/v/...? shows all options] (y)"
    /// prompt reads end-of-file and the build fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper install curl && zypper clean --all
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN zypper --non-interactive install curl && zypper clean --all
    /// ```
    ///
    /// ## Fix
    /// Inserts `-y` after the subcommand.
    ///
    /// ## Fix safety
    /// Safe: `-y` (`--no-confirm`) only answers the prompts the build cannot answer anyway.
    ///
    /// ## References
    /// - zypper(8), `--non-interactive` and `-y, --no-confirm`: <https://en.opensuse.org/SDB:Zypper_manual>
    pub struct ZypperMissingNonInteractive {
        code: "DF053",
        name: "zypper-missing-non-interactive",
        severity: Warning,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3034"],
        fix: Safe,
    }
}

/// Short global options of zypper that take a value (`-c` config, `-C` cache dir, …).
const GLOBAL_VALUE_FLAGS: &[char] = &['c', 'C', 'D', 'R'];
/// Short options of the subcommands that take a value (`-r` repo, `-t` type, `-p` plus-repo).
const LOCAL_VALUE_FLAGS: &[char] = &['r', 't', 'p'];

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        let Some(pc) = classify(cmd) else { continue };
        if pc.manager != Manager::Zypper
            || !matches!(pc.action, Action::Install | Action::Remove | Action::Upgrade | Action::DistUpgrade)
        {
            continue;
        }
        let Some(word) = pc.action_word else { continue };
        let (global, local) = around_action(&pc);
        let non_interactive = global.iter().any(|w| w.value == "--non-interactive")
            || short_flags(global, GLOBAL_VALUE_FLAGS).contains(&'n')
            || local.iter().any(|w| w.value == "--no-confirm")
            || short_flags(local, LOCAL_VALUE_FLAGS).contains(&'y');
        if non_interactive || fed_yes(&cmd) {
            continue;
        }
        let mut finding = cx
            .finding(&INFO, head_span(&cmd, &pc), format!("`zypper {}` without `--non-interactive`", word.value))
            .with_label("the build cannot answer the confirmation prompt")
            .with_help(format!("use `zypper --non-interactive {}` or `zypper {} -y`", word.value, word.value));
        if let Some(edit) = insert_after(cx, &cmd, word, " -y") {
            finding = finding.with_fix(Fix::safe("Add `-y`", vec![edit]));
        }
        out.push(finding);
    }
}

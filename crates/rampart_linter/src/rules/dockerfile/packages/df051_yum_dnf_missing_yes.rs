use rampart_diagnostics::Fix;

use super::common::{
    around_action, configured_before, fed_yes, head_span, insert_after, option_values, short_flags, truthy,
};
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, PackageCommand, classify};

declare_rule! {
    /// `yum`/`dnf install` without `-y` stops at the confirmation prompt.
    ///
    /// ## What it does
    /// Reports `yum`, `dnf` and `tdnf` commands that change packages — `install`,
    /// `groupinstall`, `localinstall`, `reinstall`, `remove`, `update`/`upgrade`,
    /// `distro-sync`, `downgrade`, `swap`, `group install`, `module install` — without
    /// `-y`/`--assumeyes` (or `--setopt=assumeyes=1`, input from `yes |`, or an `assumeyes`
    /// setting written to `yum.conf`/`dnf.conf` earlier), in every stage.
    ///
    /// `microdnf` is not reported: it never asks for confirmation (its `-y` is accepted and
    /// ignored, "we always assume yes").
    ///
    /// ## Why
    /// A build has no terminal: the "Is this ok [y/N]" prompt reads end-of-file, the answer is
    /// no, and the build fails with "Operation aborted".
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install httpd && dnf clean all
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    ///
    /// ## Fix
    /// Inserts `-y` after the subcommand (after the second word of `group install` and
    /// `module install`).
    ///
    /// ## Fix safety
    /// Safe: `-y` only answers the prompt that the build cannot answer anyway.
    ///
    /// ## References
    /// - dnf(8), `-y, --assumeyes`: <https://dnf.readthedocs.io/en/latest/command_ref.html>
    pub struct YumDnfMissingYes {
        code: "DF051",
        name: "yum-dnf-missing-yes",
        severity: Warning,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3030", "hadolint:DL3038"],
        fix: Safe,
    }
}

/// Short options of yum/dnf that take a value.
const RPM_VALUE_FLAGS: &[char] = &['c', 'x', 'd', 'e', 'R'];

/// Subcommands whose second word is the action: `dnf group install x`.
const TWO_WORD: &[&str] = &["group", "groups", "module"];

fn changes_packages(pc: &PackageCommand<'_>) -> bool {
    if matches!(pc.action, Action::Install | Action::Remove | Action::Upgrade | Action::DistUpgrade) {
        return true;
    }
    let Some(w) = pc.action_word else { return false };
    if matches!(w.value.as_str(), "downgrade" | "swap" | "groupremove" | "groupupdate" | "update-to" | "upgrade-to") {
        return true;
    }
    TWO_WORD.contains(&w.value.as_str())
        && second_word(pc).is_some_and(|s| {
            matches!(
                s.value.as_str(),
                "install" | "remove" | "erase" | "upgrade" | "update" | "enable" | "disable" | "reset" | "switch-to"
            )
        })
}

fn second_word<'a>(pc: &PackageCommand<'a>) -> Option<&'a rampart_shell::Word> {
    let (_, rest) = around_action(pc);
    rest.iter().find(|w| !w.value.starts_with('-'))
}

fn assumes_yes(pc: &PackageCommand<'_>) -> bool {
    pc.has_option(&["-y", "--assumeyes", "--assumeno"])
        || short_flags(pc.args, RPM_VALUE_FLAGS).contains(&'y')
        || option_values(pc.args, None, "--setopt").iter().any(|o| {
            let (k, v) = o.split_once('=').unwrap_or((o, ""));
            k.trim().eq_ignore_ascii_case("assumeyes") && truthy(v)
        })
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        let Some(pc) = classify(cmd) else { continue };
        if !matches!(pc.manager, Manager::Yum | Manager::Dnf | Manager::Tdnf) || !changes_packages(&pc) {
            continue;
        }
        let Some(word) = pc.action_word else { continue };
        if assumes_yes(&pc) || fed_yes(&cmd) {
            continue;
        }
        if configured_before(cx, &cmd, "assumeyes", ".conf", &["/etc/yum.conf", "/etc/dnf", "/etc/yum", "/etc/tdnf"]) {
            continue;
        }
        let target = if TWO_WORD.contains(&word.value.as_str()) { second_word(&pc).unwrap_or(word) } else { word };
        let program = cmd.program();
        let shown = if std::ptr::eq(target, word) {
            format!("{program} {}", word.value)
        } else {
            format!("{program} {} {}", word.value, target.value)
        };
        let span = head_span(&cmd, &pc).cover(cmd.word_span(target));
        let mut finding = cx
            .finding(&INFO, span, format!("`{shown}` without `-y`"))
            .with_label("the build cannot answer the confirmation prompt")
            .with_help("add `-y` (`--assumeyes`)");
        if let Some(edit) = insert_after(cx, &cmd, target, " -y") {
            finding = finding.with_fix(Fix::safe("Add `-y`", vec![edit]));
        }
        out.push(finding);
    }
}

use rampart_diagnostics::Fix;

use super::common::{configured_before, fed_yes, head_span, insert_after, option_values, short_flags, truthy};
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, PackageCommand, classify};

declare_rule! {
    /// `apt-get install` without `-y` stops at the confirmation prompt.
    ///
    /// ## What it does
    /// Reports `apt-get`/`apt` `install`, `reinstall`, `remove`, `purge`, `autoremove`,
    /// `upgrade` and `dist-upgrade` without an answer to the "Do you want to continue?"
    /// prompt, in every stage. Any of these counts as an answer: `-y`, `--yes`,
    /// `--assume-yes`, a combined flag such as `-qy`, quiet level 2 (`-qq`, `-q=2`,
    /// `--quiet=2`, which implies `-y`), `-o APT::Get::Assume-Yes=true`, input from `yes |`,
    /// or an `APT::Get::Assume-Yes` setting written to `apt.conf` earlier (or a file copied
    /// into `/etc/apt/apt.conf.d/`). `--simulate` runs are not reported.
    ///
    /// ## Why
    /// A build has no terminal: when `apt-get` needs confirmation (it does as soon as an
    /// install pulls in a dependency, or a removal is involved), it reads end-of-file,
    /// prints "Abort." and the build fails — or the step works today and fails the day a
    /// package gains a dependency. `DEBIAN_FRONTEND=noninteractive` does not answer this
    /// prompt: it only silences debconf questions.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install --no-install-recommends curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Inserts `-y` after the subcommand.
    ///
    /// ## Fix safety
    /// Safe: `-y` only answers the prompt the build cannot answer anyway. It does not
    /// allow removing essential packages or installing unauthenticated ones (those need
    /// separate options).
    ///
    /// ## References
    /// - apt-get(8), `-y, --yes, --assume-yes`: <https://manpages.debian.org/apt-get.8>
    /// - Dockerfile best practices, `apt-get`: <https://docs.docker.com/build/building/best-practices/#apt-get>
    pub struct AptMissingYes {
        code: "DF047",
        name: "apt-missing-yes",
        severity: Warning,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3014", "trivy:DS-0021"],
        fix: Safe,
    }
}

/// Short options of apt-get that take a value.
pub(super) const APT_VALUE_FLAGS: &[char] = &['o', 't', 'c', 'a'];

/// apt's quiet level: each `q` of `-q`/`-qq` counts one, `-q=N`/`--quiet=N` sets it.
fn quiet_level(pc: &PackageCommand<'_>) -> u32 {
    let mut level = 0u32;
    for w in pc.args.iter().take_while(|w| w.value != "--") {
        let v = w.value.as_str();
        if let Some(n) = v.strip_prefix("-q=").or_else(|| v.strip_prefix("--quiet=")) {
            level = n.trim().parse().unwrap_or(level);
        } else if v == "--quiet" {
            level = level.saturating_add(1);
        } else if v.starts_with('-') && !v.starts_with("--") {
            let q = short_flags(std::slice::from_ref(w), APT_VALUE_FLAGS).iter().filter(|c| **c == 'q').count();
            level = level.saturating_add(u32::try_from(q).unwrap_or(u32::MAX));
        }
    }
    level
}

fn assumes_yes(pc: &PackageCommand<'_>) -> bool {
    if pc.has_option(&["-y", "--yes", "--assume-yes"]) || short_flags(pc.args, APT_VALUE_FLAGS).contains(&'y') {
        return true;
    }
    if quiet_level(pc) >= 2 {
        return true;
    }
    option_values(pc.args, Some('o'), "--option").iter().any(|o| {
        let (k, v) = o.split_once('=').unwrap_or((o, ""));
        let k = k.trim().to_ascii_lowercase();
        (k == "apt::get::assume-yes" && truthy(v)) || (k == "quiet" && v.trim().parse::<u32>().is_ok_and(|n| n >= 2))
    })
}

/// `--simulate` and its aliases: nothing is asked.
pub(super) fn simulates(pc: &PackageCommand<'_>) -> bool {
    pc.has_option(&["-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act"])
        || short_flags(pc.args, APT_VALUE_FLAGS).contains(&'s')
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        let Some(pc) = classify(cmd) else { continue };
        if !matches!(pc.manager, Manager::AptGet | Manager::Apt) {
            continue;
        }
        if !matches!(pc.action, Action::Install | Action::Remove | Action::Upgrade | Action::DistUpgrade) {
            continue;
        }
        let Some(word) = pc.action_word else { continue };
        if assumes_yes(&pc) || simulates(&pc) || fed_yes(&cmd) {
            continue;
        }
        if configured_before(cx, &cmd, "::Assume-Yes", "apt.conf", &["/etc/apt/apt.conf", "/etc/apt/apt.conf.d"]) {
            continue;
        }
        let program = cmd.program();
        let mut finding = cx
            .finding(&INFO, head_span(&cmd, &pc), format!("`{program} {}` without `-y`", word.value))
            .with_label("the build cannot answer the confirmation prompt")
            .with_help("add `-y` (`DEBIAN_FRONTEND=noninteractive` does not answer this prompt)");
        if let Some(edit) = insert_after(cx, &cmd, word, " -y") {
            finding = finding.with_fix(Fix::safe("Add `-y`", vec![edit]));
        }
        out.push(finding);
    }
}

use rampart_diagnostics::Fix;

use super::common::{configured_before, falsy, head_span, insert_after, option_values, ships};
use super::df047_apt_missing_yes::simulates;
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Action, Manager, PackageCommand, classify};

declare_rule! {
    /// `apt-get install` without `--no-install-recommends` installs more than asked.
    ///
    /// ## What it does
    /// Reports `apt-get install` / `apt install` without `--no-install-recommends` (or
    /// `-o APT::Install-Recommends=false`), in the stages that end up in the built image
    /// (the final stage and the stages it is built `FROM`): a builder stage whose files are
    /// only copied from ships none of its packages. Not reported when an
    /// `APT::Install-Recommends` setting was written to `apt.conf` earlier (or a file was
    /// copied into `/etc/apt/apt.conf.d/`).
    ///
    /// ## Why
    /// By default APT also installs every package the requested ones *recommend*: often
    /// documentation, extra tools, compilers or daemons the image never uses. They make the
    /// image larger, add to what vulnerability scanners report and to what an attacker who
    /// gets a shell can use. Installing only the dependencies keeps the image to what was
    /// asked for.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update \
    ///     && apt-get install -y --no-install-recommends curl ca-certificates \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// Inserts `--no-install-recommends` after `install`.
    ///
    /// ## Fix safety
    /// Unsafe: the application may rely on a recommended package (a common one is
    /// `ca-certificates`, recommended by `curl` and `wget`); add such packages to the install
    /// explicitly.
    ///
    /// ## References
    /// - Dockerfile best practices, `apt-get`: <https://docs.docker.com/build/building/best-practices/#apt-get>
    /// - NIST SP 800-190 §4.1.1 (image vulnerabilities: keep images minimal)
    pub struct AptMissingNoInstallRecommends {
        code: "DF048",
        name: "apt-missing-no-install-recommends",
        severity: Note,
        tags: ["hygiene", "attack-surface", "nist-800-190:4.1.1", "seed:minimal-base"],
        equivalents: ["hadolint:DL3015", "trivy:DS-0029"],
        fix: Unsafe,
    }
}

fn skips_recommends(pc: &PackageCommand<'_>) -> bool {
    if pc.has_option(&["--no-install-recommends"]) {
        return true;
    }
    let flag_off = pc.args.iter().any(|w| w.value.strip_prefix("--install-recommends=").is_some_and(falsy));
    flag_off
        || option_values(pc.args, Some('o'), "--option").iter().any(|o| {
            let (k, v) = o.split_once('=').unwrap_or((o, ""));
            k.trim().eq_ignore_ascii_case("APT::Install-Recommends") && falsy(v)
        })
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        if !ships(cx, &cmd) {
            continue;
        }
        let Some(pc) = classify(cmd) else { continue };
        if !matches!(pc.manager, Manager::AptGet | Manager::Apt) || pc.action != Action::Install {
            continue;
        }
        let Some(word) = pc.action_word else { continue };
        if skips_recommends(&pc) || simulates(&pc) {
            continue;
        }
        if configured_before(
            cx,
            &cmd,
            "::Install-Recommends",
            "apt.conf",
            &["/etc/apt/apt.conf", "/etc/apt/apt.conf.d"],
        ) {
            continue;
        }
        let program = cmd.program();
        let mut finding = cx
            .finding(
                &INFO,
                head_span(&cmd, &pc),
                format!("`{program} {}` without `--no-install-recommends`", word.value),
            )
            .with_label("recommended packages are installed too")
            .with_help("add `--no-install-recommends`, and name any recommended package the image really needs");
        if let Some(edit) = insert_after(cx, &cmd, word, " --no-install-recommends") {
            finding = finding.with_fix(Fix::unsafe_("Add `--no-install-recommends`", vec![edit]));
        }
        out.push(finding);
    }
}

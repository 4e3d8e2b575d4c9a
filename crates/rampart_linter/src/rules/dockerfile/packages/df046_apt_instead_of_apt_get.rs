use rampart_diagnostics::{Edit, Fix};

use super::common::plain_word_span;
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::{Manager, classify};

declare_rule! {
    /// `apt` is used in a script: use `apt-get` (or `apt-cache`).
    ///
    /// ## What it does
    /// Reports every `apt` command in `RUN` scripts (also behind `sudo`/`env`, in heredocs and
    /// `ONBUILD` triggers), in every stage.
    ///
    /// ## Why
    /// `apt` is the interactive front end: its output, defaults and options may change between
    /// releases, and it says so itself — "WARNING: apt does not have a stable CLI interface.
    /// Use with caution in scripts." `apt-get` and `apt-cache` are the stable interfaces meant
    /// for scripts, with the same package operations.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt update && apt install -y --no-install-recommends curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Replaces `apt` with `apt-get` for the subcommands `apt-get` has with the same meaning
    /// (`install`, `update`, `remove`, `purge`, `autoremove`, `clean`, `autoclean`,
    /// `dist-upgrade`, `source`, `build-dep`, `download`, `check`), `apt full-upgrade` with
    /// `apt-get dist-upgrade`, and `apt upgrade` with `apt-get upgrade --with-new-pkgs` (what
    /// `apt upgrade` does). Query commands (`list`, `search`, `show`, `policy`) get no fix:
    /// their `apt-cache`/`dpkg-query` equivalents print a different format.
    ///
    /// ## Fix safety
    /// Safe: the rewritten command performs the same operation with the same options.
    ///
    /// ## References
    /// - apt(8): "The apt command is meant to be pleasant for end users and does not need to
    ///   be backward compatible like apt-get(8)": <https://manpages.debian.org/apt.8>
    pub struct AptInsteadOfAptGet {
        code: "DF046",
        name: "apt-instead-of-apt-get",
        severity: Note,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3027", "checkov:CKV_DOCKER_9"],
        fix: Safe,
    }
}

/// `apt` subcommand → the `apt-get` subcommand and any option needed for the same meaning.
fn apt_get_equivalent(sub: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match sub {
        "install" => ("install", None),
        "update" => ("update", None),
        "upgrade" => ("upgrade", Some(" --with-new-pkgs")),
        "dist-upgrade" => ("dist-upgrade", None),
        "full-upgrade" => ("dist-upgrade", None),
        "remove" => ("remove", None),
        "purge" => ("purge", None),
        "autoremove" => ("autoremove", None),
        "clean" => ("clean", None),
        "autoclean" => ("autoclean", None),
        "source" => ("source", None),
        "build-dep" => ("build-dep", None),
        "download" => ("download", None),
        "check" => ("check", None),
        _ => return None,
    })
}

fn query_equivalent(sub: &str) -> Option<&'static str> {
    match sub {
        "search" | "show" | "showsrc" | "policy" | "depends" | "rdepends" | "madison" | "showpkg" => Some("apt-cache"),
        "list" => Some("dpkg-query"),
        _ => None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        let Some(pc) = classify(cmd) else { continue };
        if pc.manager != Manager::Apt {
            continue;
        }
        let Some(program) = cmd.argv.first() else { continue };
        let sub = pc.action_word.map(|w| w.value.as_str()).unwrap_or("");
        let shown = if sub.is_empty() { "apt".to_string() } else { format!("apt {sub}") };
        let span = cmd.word_span(program);
        let mut finding = cx
            .finding(&INFO, span, format!("`{shown}` in a script: `apt` has no stable command-line interface"))
            .with_label("meant for interactive use");
        match (apt_get_equivalent(sub), query_equivalent(sub)) {
            (Some((new_sub, option)), _) => {
                let extra = option.unwrap_or("");
                finding = finding.with_help(format!("use `apt-get {new_sub}{extra}`"));
                let words =
                    plain_word_span(cx, &cmd, program).zip(pc.action_word.and_then(|w| plain_word_span(cx, &cmd, w)));
                if let Some((p, w)) = words {
                    let mut edits = vec![Edit::insert(p.end, "-get")];
                    if new_sub != sub {
                        edits.push(Edit::replace(w, new_sub));
                    }
                    if let Some(opt) = option {
                        edits.push(Edit::insert(w.end, opt));
                    }
                    finding = finding
                        .with_fix(Fix::safe(format!("Replace `{shown}` with `apt-get {new_sub}{extra}`"), edits));
                }
            }
            (None, Some(tool)) => {
                finding = finding.with_help(format!("use `{tool}`, whose output format is stable"));
            }
            (None, None) => {
                finding = finding.with_help("use `apt-get`, `apt-cache` or `dpkg-query`");
            }
        }
        out.push(finding);
    }
}

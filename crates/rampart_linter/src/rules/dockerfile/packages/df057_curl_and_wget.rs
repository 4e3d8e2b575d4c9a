use std::sync::Arc;

use rampart_diagnostics::Span;

use super::common::{after, option_values, ships};
use crate::Finding;
use crate::dockerfile::packages::{Action, Manager, classify, package_name};
use crate::dockerfile::{Cmd, DockerfileContext};

declare_rule! {
    /// The image uses both `curl` and `wget`: one downloader is enough.
    ///
    /// ## What it does
    /// Counts the `curl` and `wget` invocations in the `RUN`s of the stages that end up in
    /// the built image (builder stages that are only copied from do not count). When both
    /// are used, reports the first invocation of the less used one, with the first
    /// invocation of the other as a related location. An invocation whose tool is removed
    /// again in the same `RUN` (`apt-get purge -y wget`, `apk del` of the virtual package
    /// that installed it) does not count: the tool is not in the image.
    ///
    /// ## Why
    /// Two tools that do the same thing are two sets of packages and libraries in the image:
    /// more size, more CVEs to triage, and one more tool for an attacker who gets a shell.
    /// Settle on one (or on `ADD --checksum` for downloads, which needs neither).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
    /// RUN wget -qO /tmp/b.tgz https://example.com/b.tgz
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz \
    ///     && curl -fsSLo /tmp/b.tgz https://example.com/b.tgz
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the two tools have different options.
    ///
    /// ## References
    /// - NIST SP 800-190 §4.1.1 (keep images minimal)
    pub struct CurlAndWget {
        code: "DF057",
        name: "curl-and-wget",
        severity: Note,
        tags: ["hygiene", "attack-surface", "seed:minimal-base"],
        equivalents: ["hadolint:DL4001", "trivy:DS-0014"],
        fix: None,
    }
}

/// Whether `tool` is removed again later in the same `RUN` (directly, or through the
/// `apk add --virtual NAME` group that installed it).
fn removed_later(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, tool: &str) -> bool {
    let commands: Vec<Cmd<'_>> = cx.commands_of(cmd.run.instruction).collect();
    let mut names = vec![tool.to_string()];
    for c in &commands {
        if let Some(pc) = classify(*c)
            && pc.manager == Manager::Apk
            && pc.action == Action::Install
            && pc.packages.iter().any(|p| package_name(pc.manager, &p.value) == tool)
        {
            names.extend(option_values(pc.args, Some('t'), "--virtual"));
        }
    }
    after(cx, cmd).into_iter().filter_map(classify).any(|pc| {
        pc.manager.is_os()
            && pc.action == Action::Remove
            && pc.packages.iter().any(|p| names.contains(&package_name(pc.manager, &p.value)))
    })
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let mut uses: [(usize, Option<Span>); 2] = [(0, None), (0, None)];
    let tools = ["curl", "wget"];
    for cmd in cx.run_commands() {
        if !ships(cx, &cmd) {
            continue;
        }
        let Some(k) = tools.iter().position(|t| *t == cmd.program()) else { continue };
        if removed_later(cx, &cmd, tools[k]) {
            continue;
        }
        uses[k].0 += 1;
        if uses[k].1.is_none() {
            uses[k].1 = cmd.argv.first().map(|w| cmd.word_span(w));
        }
    }
    let (Some(curl_at), Some(wget_at)) = (uses[0].1, uses[1].1) else { return };
    // Report the less used tool; on a tie, the one introduced last.
    let report_wget = uses[1].0 < uses[0].0 || (uses[1].0 == uses[0].0 && wget_at.start > curl_at.start);
    let (bad, bad_at, good, good_at) =
        if report_wget { ("wget", wget_at, "curl", curl_at) } else { ("curl", curl_at, "wget", wget_at) };
    let (bad_n, good_n) = if report_wget { (uses[1].0, uses[0].0) } else { (uses[0].0, uses[1].0) };
    let times = |n: usize| if n == 1 { "once".to_string() } else { format!("{n} times") };
    let label =
        if bad_n == 1 { format!("the only use of `{bad}`") } else { format!("first of {bad_n} uses of `{bad}`") };
    out.push(
        cx.finding(&INFO, bad_at, "both `curl` and `wget` are used in the image")
            .with_label(label)
            .with_related(Arc::clone(cx.file), good_at, format!("`{good}` is used {}", times(good_n)))
            .with_help(format!("download with `{good}` here too, and stop installing `{bad}`")),
    );
}

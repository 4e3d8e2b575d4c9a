use rampart_diagnostics::{Edit, Fix, Span};
use rampart_dockerfile::{Body, CommandForm, Keyword, StageRef};
use rampart_shell::Command;

use super::util::{ChainState, line_start};
use crate::Finding;
use crate::dockerfile::{DockerfileContext, ShellRun};
use crate::rules::dockerfile::{above_comments, same_case, unterminated_heredoc};

declare_rule! {
    /// A `RUN` pipeline can fail without failing the build: the shell has no `pipefail`.
    ///
    /// ## What it does
    /// Reports shell-form `RUN` scripts (heredocs included) that contain a pipeline when
    /// neither the stage's `SHELL` (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`, also
    /// inherited from the stages it is built `FROM`) nor a `set -o pipefail` earlier in the
    /// script turns `pipefail` on. Exec-form `RUN` is not reported, and neither are
    /// pipelines whose only producers cannot fail (`echo`, `printf`, `true`, `cat` of a
    /// here-document) or must not fail the build (`yes | …`: with `pipefail`, `yes` ends on
    /// `SIGPIPE` and would fail it). One finding per `RUN`.
    ///
    /// ## Why
    /// A POSIX shell gives a pipeline the exit status of its last command:
    /// `curl -fsSL https://… | tar -xz` succeeds when the download fails and `tar` reads
    /// nothing, and the build goes on with a missing or truncated file. `pipefail` makes
    /// the pipeline fail when any of its commands does.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSL https://example.com/app.tar.gz | tar -xz -C /opt
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://example.com/app.tar.gz | tar -xz -C /opt
    /// ```
    ///
    /// ## Fix
    /// Inserts `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the stage's first
    /// reported `RUN` and the comment lines right above it (`["/bin/ash", "-o", "pipefail",
    /// "-c"]` for Alpine and BusyBox bases, which have no bash), in the file's keyword case.
    ///
    /// ## Fix safety
    /// Unsafe: the shell must exist in the image, every later `RUN` (and shell-form `CMD`,
    /// `ENTRYPOINT` and `HEALTHCHECK`) of the stage and of stages built on it switches to
    /// that shell, and a pipeline that used to succeed
    /// despite a failing command now fails the build — which is the point, but may need
    /// fixing. Scripts with a `#!` line choose their own interpreter: the `SHELL` does not
    /// apply to them, so no fix is offered there.
    ///
    /// ## References
    /// - SHELL: <https://docs.docker.com/reference/dockerfile/#shell>
    /// - Dockerfile best practices, using pipes: <https://docs.docker.com/build/building/best-practices/#using-pipes>
    pub struct PipeWithoutPipefail {
        code: "DF077",
        name: "pipe-without-pipefail",
        severity: Warning,
        tags: ["runtime", "reliability"],
        equivalents: ["hadolint:DL4006"],
        fix: Unsafe,
    }
}

/// Whether shell options turn `pipefail` on: `-o pipefail`, `-eo pipefail`, `-opipefail`.
fn sets_pipefail<'a>(args: impl Iterator<Item = &'a str>) -> bool {
    let mut expect_option = false;
    for a in args {
        if expect_option && a == "pipefail" {
            return true;
        }
        expect_option = a.starts_with('-') && !a.starts_with("--") && a.ends_with('o') && a.len() > 1;
        if a == "-opipefail" {
            return true;
        }
    }
    false
}

/// Whether the `SHELL` in force at instruction `i` has `pipefail`.
fn shell_has_pipefail(cx: &DockerfileContext<'_>, state: &ChainState, i: usize) -> bool {
    let Some(shell) = state.at(i).shell else { return false };
    match &cx.instruction(shell).body {
        Body::Shell(words) => sets_pipefail(words.iter().map(|w| w.value.as_str())),
        _ => false,
    }
}

/// Producers that cannot fail, or must not (`yes` dies of SIGPIPE).
fn harmless_producer(cmd: &Command) -> bool {
    let argv = rampart_shell::effective_argv(&cmd.words);
    match argv.first().map(|w| w.basename()) {
        Some("echo" | "printf" | "true" | "yes" | ":") => true,
        Some("cat") => argv.len() == 1 && cmd.redirects.iter().any(|r| r.heredoc_body.is_some() || r.op == "<<<"),
        _ => false,
    }
}

/// The first pipeline of the script that `pipefail` would change, and how many there are.
fn risky_pipelines(run: &ShellRun) -> Option<(&Command, &Command, usize)> {
    let commands = &run.parsed.commands;
    let mut first = None;
    let mut count = 0;
    for (n, cmd) in commands.iter().enumerate() {
        if cmd.depth != 0 {
            continue;
        }
        let argv = rampart_shell::effective_argv(&cmd.words);
        if argv.first().is_some_and(|w| w.value == "set") && sets_pipefail(argv[1..].iter().map(|w| w.value.as_str())) {
            break;
        }
        if cmd.pipeline_len < 2 || cmd.pipeline_index != 0 {
            continue;
        }
        let members: Vec<&Command> = commands[n..]
            .iter()
            .filter(|c| c.pipeline == cmd.pipeline)
            .take(cmd.pipeline_len)
            .filter(|c| c.depth == 0)
            .collect();
        let Some((last, producers)) = members.split_last() else { continue };
        if producers.iter().all(|c| harmless_producer(c)) {
            continue;
        }
        count += 1;
        if first.is_none() {
            first = Some((cmd, *last));
        }
    }
    first.map(|(a, b)| (a, b, count))
}

fn alpine_based(cx: &DockerfileContext<'_>, state: &ChainState, stage: usize) -> bool {
    let root = state.root(stage);
    match &cx.stages[root].base {
        StageRef::Image(r) => {
            let repo = r.repository.rsplit('/').next().unwrap_or(&r.repository).to_ascii_lowercase();
            let tag = r.tag.as_deref().unwrap_or("").to_ascii_lowercase();
            repo == "alpine" || repo == "busybox" || tag.contains("alpine") || tag.contains("busybox")
        }
        _ => false,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let mut fixed_stages: Vec<usize> = Vec::new();
    let mut reported: Vec<usize> = Vec::new();
    let state = ChainState::new(cx);
    for run in cx.shell_runs() {
        if run.keyword != Keyword::Run || run.onbuild || reported.contains(&run.instruction) {
            continue;
        }
        let instr = cx.instruction(run.instruction);
        if !matches!(instr.body, Body::Run(CommandForm::Shell(_))) || shell_has_pipefail(cx, &state, run.instruction) {
            continue;
        }
        let Some((first, last, count)) = risky_pipelines(run) else { continue };
        reported.push(run.instruction);
        let name = |c: &Command| {
            rampart_shell::effective_argv(&c.words).first().map(|w| w.basename().to_string()).unwrap_or_default()
        };
        let more = if count > 1 { format!(" ({} more pipelines in this RUN)", count - 1) } else { String::new() };
        let mut finding = cx
            .finding(
                &INFO,
                run.command_span(first).cover(run.command_span(last)),
                format!(
                    "a failure of `{}` goes unnoticed: the pipeline's status is that of `{}`{more}",
                    name(first),
                    name(last)
                ),
            )
            .with_label("no `pipefail`: only the last command's exit status counts");
        let stage = cx.stage_of(run.instruction).map(|s| s.index);
        let shell = if stage.is_some_and(|s| alpine_based(cx, &state, s)) {
            r#"SHELL ["/bin/ash", "-o", "pipefail", "-c"]"#
        } else {
            r#"SHELL ["/bin/bash", "-o", "pipefail", "-c"]"#
        };
        finding =
            finding.with_help(format!("put `{shell}` before this RUN, or start the script with `set -o pipefail`"));
        let shebang = run.script.as_str().trim_start().starts_with("#!");
        if let Some(stage) = stage
            && !fixed_stages.contains(&stage)
            && !shebang
            && !unterminated_heredoc(cx)
        {
            fixed_stages.push(stage);
            // In the file's keyword case, above the comment lines that describe the RUN.
            let keyword = cx.file.slice(Span::new(instr.keyword_span.start, instr.keyword_span.end));
            let written = format!("{}{}", same_case(keyword, "SHELL"), &shell["SHELL".len()..]);
            finding = finding.with_fix(Fix::unsafe_(
                format!("Insert `{written}` before this RUN"),
                vec![Edit::insert(
                    above_comments(cx.file.text(), line_start(cx, instr.span.start)),
                    format!("{written}\n"),
                )],
            ));
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::sets_pipefail;

    #[test]
    fn pipefail_options() {
        for ok in [&["-o", "pipefail", "-c"][..], &["-eo", "pipefail", "-c"], &["-euxo", "pipefail"], &["-opipefail"]] {
            assert!(sets_pipefail(ok.iter().copied()), "{ok:?}");
        }
        for bad in [&["-c"][..], &["-o", "errexit", "-c"], &["--pipefail"], &["pipefail"]] {
            assert!(!sets_pipefail(bad.iter().copied()), "{bad:?}");
        }
    }
}

use rampart_diagnostics::{Edit, Fix, Span};
use rampart_dockerfile::{Body, StageRef};
use rampart_shell::Word;

use super::accounts::verbatim_span;
use crate::Finding;
use crate::dockerfile::facts::is_root_user;
use crate::dockerfile::packages::{Action, package_commands, package_name};
use crate::dockerfile::{Cmd, DockerfileContext};
use crate::rules::dockerfile::base::images::runs_as_root_by_default;

declare_rule! {
    /// A `RUN` command uses `sudo`, or the image ships `sudo`.
    ///
    /// ## What it does
    /// Reports `RUN` commands run through `sudo` or `doas` — in every stage, in `ONBUILD`, in
    /// heredocs and `sh -c` scripts, and behind other wrappers (`env A=1 sudo …`) — and the
    /// installation of the `sudo` (or `doas`) package in the final image, unless a later step
    /// of the final image removes it again.
    ///
    /// ## Why
    /// `RUN` already executes as the current `USER`: when a step needs root, switch with
    /// `USER root` for that step. `sudo` in a build adds nothing but a dependency on a sudoers
    /// file, a TTY-dependent program and its own environment handling. Shipped in the image,
    /// `sudo` is a ready-made privilege escalation: any process of a user listed in sudoers
    /// (often with `NOPASSWD`) becomes root, which defeats running as non-root, and `sudo`
    /// itself has had local root vulnerabilities (CVE-2021-3156 "Baron Samedit").
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y sudo curl
    /// USER app
    /// RUN sudo apt-get install -y jq
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y curl jq
    /// USER 10001
    /// ```
    ///
    /// ## Fix
    /// Removes `sudo` (or `doas`) and its options from the command. For the package, removes
    /// `sudo` from the install command when other packages remain.
    ///
    /// ## Fix safety
    /// Removing `sudo` is safe when the step already runs as root: no `USER` before it in its
    /// stage or the stages it is built on (and a base image known to default to root), or a last
    /// `USER root`/`USER 0`. Otherwise it is unsafe: the step would run as the unprivileged user
    /// and may fail; add `USER root` before it and switch back after. No fix is offered for
    /// `sudo -u <user>`, `sudo -i`/`-s` and similar options that change what runs. Removing the
    /// package is unsafe: scripts of the image may call `sudo`.
    ///
    /// ## References
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - CIS Docker Benchmark 4.1 "Ensure that a user for the container has been created"
    /// - Dockerfile best practices, USER:
    ///   <https://docs.docker.com/build/building/best-practices/#user>
    pub struct SudoInRun {
        code: "DF003",
        name: "sudo-in-run",
        severity: Warning,
        tags: ["user", "cwe:250", "seed:non-root"],
        equivalents: ["hadolint:DL3004", "trivy:DS-0010", "checkov:CKV2_DOCKER_1"],
        fix: Varies,
    }
}

const ELEVATORS: &[&str] = &["sudo", "doas"];
const PACKAGES: &[&str] = &["sudo", "sudo-ldap", "doas", "opendoas"];

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        if let Some(finding) = invocation(cx, &cmd) {
            out.push(finding);
        }
    }
    installed_package(cx, out);
}

/// `sudo …` among the wrappers in front of the command.
fn invocation(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>) -> Option<Finding> {
    let words = &cmd.command.words;
    // `argv` is the tail of `words` after the wrappers.
    let start = words.len().saturating_sub(cmd.argv.len());
    let k = (0..words.len().min(start + 1)).find(|&k| is_command_position(words, k))?;
    let tool = words[k].basename();
    let span = cmd.word_span(&words[k]);
    let label = match cmd.argv.first() {
        Some(program) if !ELEVATORS.contains(&program.basename()) => {
            format!("runs `{}` through {tool}", program.value)
        }
        _ => format!("{tool} in a build step"),
    };
    let mut finding = cx.finding(&INFO, span, format!("`{tool}` in a RUN command")).with_label(label).with_help(
        format!("RUN already runs as the current USER: drop `{tool}`, and put `USER root` before steps that need root"),
    );
    if let Some((removal, removed)) = removal(cx, cmd, k) {
        let message = format!("Remove `{removed}`");
        let edits = vec![Edit::delete(removal)];
        let fix = if !cmd.run.onbuild && user_at(cx, cmd.run.instruction) == UserAt::Root {
            Fix::safe(message, edits)
        } else {
            Fix::unsafe_(message, edits)
        };
        finding = finding.with_fix(fix);
    }
    Some(finding)
}

/// Whether `words[k]` is `sudo`/`doas` run as a command: the first word, or the command a
/// wrapper runs (`env A=1 sudo`, `timeout 10 sudo`), not an option value (`gosu sudo`,
/// `sudo -u sudo`) nor the argument of `command -v`.
fn is_command_position(words: &[Word], k: usize) -> bool {
    if !ELEVATORS.contains(&words[k].basename()) {
        return false;
    }
    if k == 0 {
        return true;
    }
    if k >= 2 && matches!(words[k - 1].value.as_str(), "-v" | "-V") && words[k - 2].basename() == "command" {
        return false;
    }
    let argv = rampart_shell::effective_argv(&words[..=k]);
    argv.len() == 1 && std::ptr::eq(&argv[0], &words[k])
}

/// The span of `sudo` and its options, when removing them leaves the same command run the
/// same way (by the same user).
fn removal(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, k: usize) -> Option<(Span, String)> {
    let words = &cmd.command.words;
    let tool = words[k].basename();
    let mut j = k + 1;
    while let Some(w) = words.get(j) {
        let v = w.value.as_str();
        if v == "--" {
            j += 1;
            break;
        }
        if v.len() < 2 || !v.starts_with('-') {
            break;
        }
        if matches!(v, "-u" | "--user") {
            let user = words.get(j + 1)?;
            if !is_root_target(&user.value) {
                return None;
            }
            j += 2;
            continue;
        }
        if let Some(user) = v.strip_prefix("--user=").or_else(|| v.strip_prefix("-u").filter(|u| !u.is_empty())) {
            if !is_root_target(user) {
                return None;
            }
            j += 1;
            continue;
        }
        if !harmless_option(tool, v) {
            return None;
        }
        j += 1;
    }
    let next = words.get(j)?;
    for w in &words[k..=j] {
        verbatim_span(cx, cmd.run, w)?;
    }
    let start = cmd.word_span(&words[k]).start;
    let end = cmd.word_span(next).start;
    let removed = words[k..j].iter().map(|w| w.value.as_str()).collect::<Vec<_>>().join(" ");
    (start < end).then(|| (Span::new(start, end), removed))
}

fn is_root_target(user: &str) -> bool {
    matches!(user, "root" | "0" | "#0")
}

/// Options that do not change which user runs the command or how it is run.
fn harmless_option(tool: &str, option: &str) -> bool {
    if tool == "doas" {
        return option == "-n";
    }
    if matches!(option, "--preserve-env" | "--non-interactive" | "--set-home" | "--reset-timestamp")
        || option.starts_with("--preserve-env=")
    {
        return true;
    }
    !option.starts_with("--") && option[1..].chars().all(|c| matches!(c, 'E' | 'H' | 'n' | 'k' | 'P'))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UserAt {
    Root,
    NotRoot,
    Unknown,
}

/// The user instruction `i` runs as: the last `USER` before it in its stage and the stages it
/// is built on, or the base image's default.
fn user_at(cx: &DockerfileContext<'_>, i: usize) -> UserAt {
    let Some(stage) = cx.stage_of(i) else { return UserAt::Unknown };
    let mut chain = vec![stage];
    while let StageRef::Stage(parent) = chain.last().map_or(&StageRef::Scratch, |s| &s.base) {
        match cx.stages.get(*parent) {
            Some(p) if !chain.iter().any(|s| s.index == p.index) => chain.push(p),
            _ => break,
        }
    }
    let last_user = chain
        .iter()
        .rev()
        .flat_map(|s| s.body())
        .filter(|&j| j < i)
        .filter_map(|j| match &cx.instruction(j).body {
            Body::User(word) => Some(cx.expand(j, word)),
            _ => None,
        })
        .next_back();
    match last_user {
        Some(user) if !user.is_complete() => UserAt::Unknown,
        Some(user) if is_root_user(&user.value) => UserAt::Root,
        Some(_) => UserAt::NotRoot,
        None => match chain.last().map(|s| &s.base) {
            Some(StageRef::Scratch) => UserAt::Root,
            Some(StageRef::Image(image)) if runs_as_root_by_default(image) => UserAt::Root,
            _ => UserAt::Unknown,
        },
    }
}

/// `apt-get install sudo` (and friends) in the final image.
fn installed_package(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let commands = package_commands(cx);
    for pc in &commands {
        let instr = pc.cmd.run.instruction;
        if pc.action != Action::Install || !pc.manager.is_os() || !cx.in_final_image(instr) {
            continue;
        }
        for word in &pc.packages {
            let name = package_name(pc.manager, &word.value);
            if !PACKAGES.contains(&name.as_str()) {
                continue;
            }
            let removed_later = commands.iter().any(|other| {
                other.action == Action::Remove
                    && cx.in_final_image(other.cmd.run.instruction)
                    && (other.cmd.run.instruction > instr
                        || (other.cmd.run.instruction == instr
                            && other.cmd.command.span.start > pc.cmd.command.span.start))
                    && other.packages.iter().any(|p| package_name(other.manager, &p.value) == name)
            });
            if removed_later {
                continue;
            }
            let mut finding = cx
                .finding(&INFO, pc.cmd.word_span(word), format!("the `{name}` package is installed in the final image"))
                .with_label("lets listed users become root inside the container")
                .with_help(
                    "do the privileged work in RUN steps as root, then switch to an unprivileged USER; don't ship sudo",
                );
            if let Some(edit) = remove_package(cx, &pc.cmd, word, pc.packages.len()) {
                finding = finding.with_fix(Fix::unsafe_(format!("Don't install `{name}`"), vec![edit]));
            }
            out.push(finding);
        }
    }
}

fn remove_package(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, word: &Word, packages: usize) -> Option<Edit> {
    if packages < 2 {
        return None;
    }
    let words = &cmd.command.words;
    let k = words.iter().position(|w| std::ptr::eq(w, word))?;
    let previous = words.get(k.checked_sub(1)?)?;
    verbatim_span(cx, cmd.run, previous)?;
    verbatim_span(cx, cmd.run, word)?;
    let start = cmd.word_span(previous).end;
    let span = cmd.word_span(word);
    let text = cx.file.text();
    let gap = text.get(start..span.start)?;
    if !gap.contains('#') {
        return (start < span.end).then(|| Edit::delete(Span::new(start, span.end)));
    }
    // A comment line sits between the words: remove the package's own line instead, when it
    // holds nothing else and continues (so the lines around it still join).
    let line_start = text.get(..span.start)?.rfind('\n').map_or(0, |p| p + 1);
    let line_end = text.get(span.end..)?.find('\n').map_or(text.len(), |p| span.end + p);
    let line = text.get(line_start..line_end)?;
    let rest = line.trim().strip_prefix(word.value.as_str())?.trim();
    (rest == cx.df.escape.to_string() && line_end < text.len())
        .then(|| Edit::delete(Span::new(line_start, line_end + 1)))
}

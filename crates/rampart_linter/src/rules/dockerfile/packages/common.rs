//! Helpers shared by the package-manager rules: where a command sits in its `RUN`, what
//! comes after it, what removes a cache, what an earlier step configured, and the edits the
//! fixes make.

use rampart_diagnostics::{Edit, Span};
use rampart_dockerfile::{Body, CommandForm, Instruction, Keyword, StageRef};
use rampart_shell::Word;

use crate::dockerfile::packages::{Action, PackageCommand, classify, mounted_as_cache};
use crate::dockerfile::{Cmd, DockerfileContext, ShellRun};

/// The instruction whose script a command belongs to: the trigger of an `ONBUILD`.
pub(super) fn target_instruction<'a>(cx: &DockerfileContext<'a>, index: usize) -> &'a Instruction {
    let instr = cx.instruction(index);
    match &instr.body {
        Body::Onbuild(inner) => inner.as_ref(),
        _ => instr,
    }
}

fn run_position(cx: &DockerfileContext<'_>, run: &ShellRun) -> usize {
    cx.shell_runs().iter().position(|r| std::ptr::eq(r, run)).unwrap_or(usize::MAX)
}

fn command_position(run: &ShellRun, cmd: &Cmd<'_>) -> usize {
    run.parsed.commands.iter().position(|c| std::ptr::eq(c, cmd.command)).unwrap_or(usize::MAX)
}

fn cmd_at<'a>(run: &'a ShellRun, index: usize) -> Option<Cmd<'a>> {
    let command = run.parsed.commands.get(index)?;
    Some(Cmd { run, command, argv: rampart_shell::effective_argv(&command.words) })
}

/// Commands of the same instruction that run after `cmd`: later in its script, or in a
/// later script of the instruction (`RUN <<A <<B`).
pub(super) fn after<'a>(cx: &'a DockerfileContext<'_>, cmd: &Cmd<'a>) -> Vec<Cmd<'a>> {
    let mut out = Vec::new();
    let here = run_position(cx, cmd.run);
    for (n, run) in cx.shell_runs().iter().enumerate() {
        if run.instruction != cmd.run.instruction || run.keyword != cmd.run.keyword || n < here {
            continue;
        }
        let from = if n == here { command_position(run, cmd).saturating_add(1) } else { 0 };
        out.extend((from..run.parsed.commands.len()).filter_map(|i| cmd_at(run, i)));
    }
    out
}

/// Commands of the same instruction that run before `cmd`.
pub(super) fn before<'a>(cx: &'a DockerfileContext<'_>, cmd: &Cmd<'a>) -> Vec<Cmd<'a>> {
    let mut out = Vec::new();
    let here = run_position(cx, cmd.run);
    for (n, run) in cx.shell_runs().iter().enumerate() {
        if run.instruction != cmd.run.instruction || run.keyword != cmd.run.keyword || n > here {
            continue;
        }
        let to = if n == here { command_position(run, cmd).min(run.parsed.commands.len()) } else { usize::MAX };
        out.extend((0..run.parsed.commands.len().min(to)).filter_map(|i| cmd_at(run, i)));
    }
    out
}

/// `~`, `$HOME` and `${HOME}` are written as `~`; trailing `/`, `/*` and `/.` are dropped.
fn normalize_path(value: &str) -> String {
    let mut v = value.to_string();
    for home in ["${HOME}", "$HOME"] {
        if let Some(rest) = v.strip_prefix(home) {
            v = format!("~{rest}");
        }
    }
    loop {
        let trimmed = v.strip_suffix("/*").or_else(|| v.strip_suffix("/.")).or_else(|| v.strip_suffix('/'));
        match trimmed {
            Some(t) => v = t.to_string(),
            None => break,
        }
    }
    v
}

/// Whether `path` (normalised) is `dir` or one of its parents (`/var/lib/apt` for
/// `/var/lib/apt/lists`).
fn covers(path: &str, dir: &str) -> bool {
    let dir = normalize_path(dir);
    path == dir || path.is_empty() || dir.strip_prefix(path).is_some_and(|rest| rest.starts_with('/'))
}

/// Whether the command deletes one of `dirs` or its content: `rm -rf dir/*`, `rm -r dir`,
/// `rm -rf parent`, `find dir … -delete`.
pub(super) fn removes(cmd: &Cmd<'_>, dirs: &[&str]) -> bool {
    let args = cmd.args();
    match cmd.program() {
        "rm" => {
            let mut options_done = false;
            args.iter().any(|w| {
                if w.value == "--" && !options_done {
                    options_done = true;
                    return false;
                }
                if !options_done && w.value.starts_with('-') {
                    return false;
                }
                let p = normalize_path(&w.value);
                dirs.iter().any(|d| covers(&p, d))
            })
        }
        "find" => {
            let deletes = args.iter().any(|w| w.value == "-delete")
                || args.windows(2).any(|p| p[0].value == "-exec" && p[1].basename() == "rm");
            deletes
                && args
                    .iter()
                    .take_while(|w| !w.value.starts_with('-'))
                    .any(|w| dirs.iter().any(|d| covers(&normalize_path(&w.value), d)))
        }
        _ => false,
    }
}

/// Whether a BuildKit cache or tmpfs mount of the instruction covers one of `dirs`.
pub(super) fn cache_mounted(cx: &DockerfileContext<'_>, instruction: usize, dirs: &[&str]) -> bool {
    let target = target_instruction(cx, instruction);
    dirs.iter().any(|d| mounted_as_cache(cx, instruction, d))
        || (!std::ptr::eq(target, cx.instruction(instruction))
            && target.flags_named("mount").any(|m| {
                let kind = m.option("type").unwrap_or_default();
                let t = m.option("target").or_else(|| m.option("dst")).or_else(|| m.option("destination"));
                (kind == "cache" || kind == "tmpfs")
                    && t.is_some_and(|t| dirs.iter().any(|d| covers(&normalize_path(&t), d)))
            }))
}

/// The stages whose content is in instruction `index`'s filesystem: its own stage and the
/// stages it is built `FROM`, own stage first.
fn stage_chain(cx: &DockerfileContext<'_>, index: usize) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut current = cx.stage_of(index).map(|s| s.index);
    while let Some(s) = current {
        if chain.contains(&s) {
            break;
        }
        chain.push(s);
        current = match cx.stages[s].base {
            StageRef::Stage(parent) => Some(parent),
            _ => None,
        };
    }
    chain
}

/// Instructions that ran before `index` in the filesystem it sees (its stage and the stages
/// it is built from).
pub(super) fn earlier_in_image(cx: &DockerfileContext<'_>, index: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for s in stage_chain(cx, index).into_iter().rev() {
        out.extend(cx.stages[s].body().filter(|&j| j < index));
    }
    out
}

/// Instructions that run after `index` on top of its filesystem: the rest of its stage and
/// the stages built `FROM` it (directly or not).
pub(super) fn later_on_top(cx: &DockerfileContext<'_>, index: usize) -> Vec<usize> {
    let Some(own) = cx.stage_of(index).map(|s| s.index) else { return Vec::new() };
    let mut out = Vec::new();
    for stage in &cx.stages {
        let descends = stage.index == own || stage_chain(cx, stage.from).contains(&own);
        if descends {
            out.extend(stage.body().filter(|&j| j > index));
        }
    }
    out.sort_unstable();
    out
}

/// Whether a configuration written or copied before `cmd` may set `key`: an earlier `RUN`
/// (in the same script or the image's earlier layers) whose text names both `key` and
/// `file` (`echo 'APT::Get::Assume-Yes "true";' > /etc/apt/apt.conf.d/90yes`), or a file
/// copied into one of `conf_paths`, whose content is unknown. Case-insensitive.
pub(super) fn configured_before(
    cx: &DockerfileContext<'_>,
    cmd: &Cmd<'_>,
    key: &str,
    file: &str,
    conf_paths: &[&str],
) -> bool {
    let key = key.to_ascii_lowercase();
    let file = file.to_ascii_lowercase();
    let mentions = |text: &str| {
        let t = text.to_ascii_lowercase();
        t.contains(&key) && t.contains(&file)
    };
    let local = cmd.command.span.start.min(cmd.run.script.len());
    if cmd.run.script.as_str().get(..local).is_some_and(mentions) {
        return true;
    }
    earlier_in_image(cx, cmd.run.instruction).into_iter().any(|j| match &cx.instruction(j).body {
        Body::Run(_) => cx.shell_runs().iter().filter(|r| r.instruction == j).any(|r| mentions(r.script.as_str())),
        Body::Copy(c) | Body::Add(c) => c.dest.as_ref().is_some_and(|dest| {
            let d = normalize_path(&dest.value);
            let into = |p: &&str| {
                let p = normalize_path(p);
                covers(&d, &p) || d.starts_with(&format!("{p}/"))
            };
            d.is_empty() || (d.starts_with('/') && conf_paths.iter().any(into))
        }),
        _ => false,
    })
}

/// Whether a later `RUN` on top of instruction `index` uses a package index without
/// refreshing it first in its own `RUN`: removing the index in `index` would break it.
pub(super) fn later_run_relies_on_index(
    cx: &DockerfileContext<'_>,
    index: usize,
    uses: impl Fn(&PackageCommand<'_>) -> bool,
    refreshes: impl Fn(&PackageCommand<'_>) -> bool,
) -> Option<Span> {
    for j in later_on_top(cx, index) {
        if cx.instruction(j).keyword != Keyword::Run {
            continue;
        }
        let mut refreshed = false;
        for cmd in cx.commands_of(j) {
            let Some(pc) = classify(cmd) else { continue };
            if refreshes(&pc) {
                refreshed = true;
            } else if uses(&pc) && !refreshed {
                return Some(cmd.span());
            }
        }
    }
    None
}

/// The source span of a word, when the source text is exactly the word (no quotes or
/// escapes to keep intact): edits next to it are then exact.
pub(super) fn plain_word_span(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, w: &Word) -> Option<Span> {
    let span = cmd.word_span(w);
    (cx.file.text().get(span.start..span.end)? == w.value).then_some(span)
}

/// An insertion of `text` right after the word `w`.
pub(super) fn insert_after(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, w: &Word, text: &str) -> Option<Edit> {
    plain_word_span(cx, cmd, w).map(|s| Edit::insert(s.end, text))
}

/// The edit appending `command` to the end of `RUN` instruction `index` (shell form, no
/// heredocs) with `&&`, keeping the user's line-continuation style.
pub(super) fn append_to_run(cx: &DockerfileContext<'_>, index: usize, command: &str) -> Option<Edit> {
    let instr = target_instruction(cx, index);
    let Body::Run(CommandForm::Shell(script)) = &instr.body else { return None };
    if !instr.heredocs.is_empty() {
        return append_to_heredoc(cx, index, command);
    }
    let text = script.as_str().trim_end();
    // The appended command must run as a top-level command (not inside a comment or an
    // unterminated quote).
    if !appends_cleanly(text, command) {
        return None;
    }
    let end = script.source_span(0..text.len()).end;
    let source = cx.file.text();
    if end > source.len() || !source.is_char_boundary(end) {
        return None;
    }
    let start = script.source_span(0..0).start.min(end);
    let multiline = source.get(start..end).is_some_and(|s| s.contains('\n'));
    if !multiline {
        return Some(Edit::insert(end, format!(" && {command}")));
    }
    let escape = cx.df.escape;
    let lines: Vec<&str> = source.get(start..end)?.split('\n').collect();
    let indent_of = |l: &str| -> String { l.chars().take_while(|c| *c == ' ' || *c == '\t').collect() };
    let starts_with_op = |l: &str| ["&&", "||", ";"].iter().any(|op| l.trim_start().starts_with(op));
    // `&&` at the start of continuation lines: keep it there, at the same indentation.
    if let Some(l) = lines.iter().skip(1).rev().find(|l| starts_with_op(l)) {
        return Some(Edit::insert(end, format!(" {escape}\n{}&& {command}", indent_of(l))));
    }
    // `&& \` at the end of lines: the command goes on a line indented like the line after
    // the last operator (the other lines may be deeper-indented arguments).
    let ends_with_op = |l: &str| {
        let body = l.trim_end().strip_suffix(escape).unwrap_or(l).trim_end();
        body.ends_with("&&") || body.ends_with("||") || body.ends_with(';')
    };
    let command_line = lines
        .iter()
        .enumerate()
        .rev()
        .skip(1)
        .find(|(_, l)| ends_with_op(l))
        .and_then(|(n, _)| lines.get(n + 1))
        .or_else(|| lines.get(1));
    let indent = command_line.map(|l| indent_of(l)).unwrap_or_else(|| "    ".to_string());
    Some(Edit::insert(end, format!(" && {escape}\n{indent}{command}")))
}

/// Whether `command` can be appended to `text` with `&&` as one more top-level command.
fn appends_cleanly(text: &str, command: &str) -> bool {
    // Scripts ending with an operator or `;` cannot take `&& cmd` (and `; cmd` would hide
    // a failure when the shell has no `set -e`).
    if text.is_empty() || text.ends_with(['&', '|', ';', '\\', '`', '(', '{']) {
        return false;
    }
    let before = rampart_shell::parse(text);
    let after = rampart_shell::parse(&format!("{text} && {command}"));
    let expected = command.split_whitespace().count();
    let appended = after.commands.last().is_some_and(|c| {
        c.depth == 0
            && c.connector == rampart_shell::Connector::And
            && c.words.iter().all(|w| w.span.start >= text.len())
            && c.words.len() == expected
    });
    appended && after.commands.len() == before.commands.len() + 1
}

/// `RUN <<EOF` whose only heredoc is the script: `&& command` goes at the end of its last
/// line, so the `RUN` still fails when that line fails (a new line would hide the failure of
/// the line before it: the script has no `set -e`).
fn append_to_heredoc(cx: &DockerfileContext<'_>, index: usize, command: &str) -> Option<Edit> {
    let instr = target_instruction(cx, index);
    let Body::Run(CommandForm::Shell(line)) = &instr.body else { return None };
    let [heredoc] = &instr.heredocs[..] else { return None };
    if !heredoc.terminated {
        return None;
    }
    // The line holds only the marker (flags apart): the body is the script.
    let source = cx.file.text();
    let args = line.source_span(0..line.len());
    let marker = heredoc.marker_span.clone();
    let around = source.get(args.start..marker.start).zip(source.get(marker.end..args.end));
    if !around.is_some_and(|(a, b)| a.trim().is_empty() && b.trim().is_empty()) {
        return None;
    }
    let runs: Vec<&ShellRun> =
        cx.shell_runs().iter().filter(|r| r.instruction == index && r.keyword == Keyword::Run).collect();
    let [run] = runs[..] else { return None };
    let text = run.script.as_str().trim_end();
    if !appends_cleanly(text, command) {
        return None;
    }
    let end = run.script.source_span(0..text.len()).end;
    // The insertion must land at the end of the line, inside the heredoc body.
    let body = heredoc.body_span.clone();
    if end < body.start || end > body.end || !source.is_char_boundary(end) {
        return None;
    }
    if !matches!(source.as_bytes().get(end), None | Some(b'\n' | b'\r')) {
        return None;
    }
    Some(Edit::insert(end, format!(" && {command}")))
}

/// Whether the command belongs to the apt family.
pub(super) fn is_apt(pc: &PackageCommand<'_>) -> bool {
    pc.manager.is_apt()
}

/// apt commands that read the package lists.
pub(super) fn apt_uses_lists(pc: &PackageCommand<'_>) -> bool {
    is_apt(pc)
        && (matches!(pc.action, Action::Install | Action::Upgrade | Action::DistUpgrade)
            || pc
                .action_word
                .is_some_and(|w| matches!(w.value.as_str(), "source" | "build-dep" | "download" | "satisfy")))
}

pub(super) fn apt_update(pc: &PackageCommand<'_>) -> bool {
    is_apt(pc) && pc.action == Action::Update
}

/// `apt-get install` as written (program basename and action word).
pub(super) fn shown(cmd: &Cmd<'_>, pc: &PackageCommand<'_>) -> String {
    let program = cmd.program();
    match pc.action_word {
        Some(w) => format!("{program} {}", w.value),
        None => program.to_string(),
    }
}

/// The span from the program word to the action word (`apt-get install`).
pub(super) fn head_span(cmd: &Cmd<'_>, pc: &PackageCommand<'_>) -> Span {
    let program = cmd.argv.first().map(|w| cmd.word_span(w)).unwrap_or_else(|| cmd.span());
    match pc.action_word {
        Some(w) => program.cover(cmd.word_span(w)),
        None => program,
    }
}

/// The arguments before and after the action word.
pub(super) fn around_action<'a>(pc: &PackageCommand<'a>) -> (&'a [Word], &'a [Word]) {
    let at = pc.action_word.and_then(|a| pc.args.iter().position(|w| std::ptr::eq(w, a)));
    match at {
        Some(i) => (&pc.args[..i], pc.args.get(i + 1..).unwrap_or(&[])),
        None => (pc.args, &[]),
    }
}

/// Short flags of combined options (`-qy`), knowing which letters take a value (the rest of
/// the word or the next word is then that value, not flags): `-oAPT::X=1` has only `o`.
pub(super) fn short_flags(args: &[Word], with_value: &[char]) -> Vec<char> {
    let mut out = Vec::new();
    for w in args.iter().take_while(|w| w.value != "--") {
        let v = w.value.as_str();
        let Some(rest) = v.strip_prefix('-') else { continue };
        if rest.starts_with('-') {
            continue;
        }
        for c in rest.chars() {
            if !c.is_ascii_alphanumeric() {
                break;
            }
            out.push(c);
            if with_value.contains(&c) {
                break;
            }
        }
    }
    out
}

/// Values of an option given as `-o v`, `-ov`, `--option v` or `--option=v`.
pub(super) fn option_values(args: &[Word], short: Option<char>, long: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let v = args[i].value.as_str();
        if v == "--" {
            break;
        }
        if let Some(value) = v.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
            out.push(value.to_string());
        } else if v == long || short.is_some_and(|c| v.len() == 2 && v.ends_with(c) && v.starts_with('-')) {
            if let Some(next) = args.get(i + 1) {
                out.push(next.value.clone());
            }
            i += 1;
        } else if let Some(c) = short
            && let Some(rest) = v.strip_prefix('-').and_then(|r| r.strip_prefix(c))
            && !v.starts_with("--")
            && !rest.is_empty()
        {
            out.push(rest.to_string());
        }
        i += 1;
    }
    out
}

/// `1`, `true`, `yes`, `on` (any case).
pub(super) fn truthy(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on" | "y" | "t")
}

/// `0`, `false`, `no`, `off` (any case).
pub(super) fn falsy(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off" | "n" | "f")
}

/// Whether the command's input comes from `yes` (or `echo y`) in its pipeline.
pub(super) fn fed_yes(cmd: &Cmd<'_>) -> bool {
    let c = cmd.command;
    if c.pipeline_index == 0 {
        return false;
    }
    cmd.run.parsed.pipeline_of(c).filter(|p| p.pipeline_index + 1 == c.pipeline_index).any(|p| {
        let argv = rampart_shell::effective_argv(&p.words);
        match argv.first().map(|w| w.basename()) {
            Some("yes") => true,
            Some("echo" | "printf") => argv
                .iter()
                .skip(1)
                .filter(|w| !w.value.starts_with('-'))
                .any(|w| w.value.trim().to_ascii_lowercase().starts_with('y')),
            _ => false,
        }
    })
}

/// The value the command sees for environment variable `name`: a prefix assignment
/// (`NAME=1 cmd`, `env NAME=1 cmd`), an earlier `export NAME=…` in the same `RUN`, or a
/// build `ARG`/`ENV`. `Some(None)` when it is declared but its value is unknown.
pub(super) fn env_value(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, name: &str) -> Option<Option<String>> {
    let prefix = format!("{name}=");
    let inline = cmd.command.assignments.iter().chain(cmd.command.words.iter()).rev().find_map(|w| {
        let is_before_argv = cmd.argv.first().is_none_or(|first| w.span.start < first.span.start);
        w.value.strip_prefix(&prefix).filter(|_| is_before_argv).map(|v| v.to_string())
    });
    if let Some(v) = inline {
        return Some(Some(v));
    }
    for earlier in before(cx, cmd).iter().rev() {
        if earlier.command.depth == cmd.command.depth
            && matches!(earlier.program(), "export" | "declare" | "typeset")
            && let Some(v) = earlier.args().iter().find_map(|w| w.value.strip_prefix(&prefix))
        {
            return Some(Some(v.to_string()));
        }
    }
    let scope = cx.scopes.at(cmd.run.instruction);
    if scope.is_declared(name) {
        return Some(scope.lookup(name));
    }
    None
}

/// The image at the root of instruction `index`'s stage chain.
pub(super) fn root_image<'c>(cx: &'c DockerfileContext<'_>, index: usize) -> Option<&'c rampart_dockerfile::ImageRef> {
    let chain = stage_chain(cx, index);
    let root = *chain.last()?;
    match &cx.stages[root].base {
        StageRef::Image(r) => Some(r),
        _ => None,
    }
}

/// Whether the instruction is a `RUN` in a stage the shipped image is made of.
pub(super) fn ships(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>) -> bool {
    cx.in_final_image(cmd.run.instruction)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(args: &[&str]) -> Vec<Word> {
        args.iter().map(|a| Word { span: 0..0, value: (*a).to_string(), quoted: false, expands: false }).collect()
    }

    #[test]
    fn paths_cover_their_children() {
        assert!(covers(&normalize_path("/var/lib/apt/lists/*"), "/var/lib/apt/lists"));
        assert!(covers(&normalize_path("/var/lib/apt/"), "/var/lib/apt/lists"));
        assert!(covers(&normalize_path("${HOME}/.cache/pip"), "~/.cache/pip"));
        assert!(!covers(&normalize_path("/var/lib/apt/lists/partial"), "/var/lib/apt/lists"));
        assert!(!covers(&normalize_path("/var/lib/ap"), "/var/lib/apt/lists"));
    }

    #[test]
    fn short_flags_stop_at_option_values() {
        assert_eq!(short_flags(&words(&["-qy", "install"]), &['o']), vec!['q', 'y']);
        assert_eq!(short_flags(&words(&["-oAPT::Get::Assume-Yes=1"]), &['o']), vec!['o']);
        assert_eq!(short_flags(&words(&["--yes", "-t", "bookworm"]), &['t']), vec!['t']);
        assert!(short_flags(&words(&["--", "-y"]), &[]).is_empty());
    }

    #[test]
    fn option_values_in_every_form() {
        let args = words(&["-o", "A=1", "-oB=2", "--option=C=3", "--option", "D=4", "-q"]);
        assert_eq!(option_values(&args, Some('o'), "--option"), vec!["A=1", "B=2", "C=3", "D=4"]);
        assert!(option_values(&words(&["-o"]), Some('o'), "--option").is_empty());
    }
}

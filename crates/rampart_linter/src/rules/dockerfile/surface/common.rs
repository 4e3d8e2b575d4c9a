//! What the surface rules share: which OS packages the final image keeps, and what its
//! runtime commands (`CMD`, `ENTRYPOINT`, `HEALTHCHECK`) run.

use rampart_dockerfile::{Body, CommandForm, Keyword};
use rampart_shell::Word;

use crate::Finding;
use crate::dockerfile::packages::{Action, Manager, PackageCommand, classify, package_name};
use crate::dockerfile::{Cmd, DockerfileContext};

/// Packages of one install command that stay in the final image.
pub(crate) struct Kept<'a> {
    pub install: PackageCommand<'a>,
    /// The package arguments that matched, in order.
    pub words: Vec<&'a Word>,
    /// Their names (version and architecture removed), without duplicates.
    pub names: Vec<String>,
}

/// Position of a command in build order: instruction, script, offset in the script.
type Order = (usize, usize, usize);

fn order(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>) -> Order {
    let script = cx.shell_runs().iter().position(|r| std::ptr::eq(r, cmd.run)).unwrap_or(0);
    (cmd.run.instruction, script, cmd.command.span.start)
}

/// A command that removes packages (or virtual packages) by name.
struct Removal {
    at: Order,
    names: Vec<String>,
}

/// The name of a package argument as the install/remove command means it, or `None` when
/// it is not a plain name (a variable, a file, a URL).
fn arg_name(manager: Manager, w: &Word) -> Option<String> {
    if w.expands || w.value.is_empty() || (w.value.contains('/') && !manager.is_apt()) {
        return None;
    }
    let mut name = package_name(manager, &w.value);
    if manager.is_rpm() || manager == Manager::Zypper {
        for arch in [".x86_64", ".aarch64", ".noarch", ".i686", ".ppc64le", ".s390x"] {
            if let Some(base) = name.strip_suffix(arch) {
                name = base.to_string();
                break;
            }
        }
    }
    (!name.is_empty()).then_some(name)
}

/// Packages removed by `dpkg -r/-P` or `rpm -e`, which `classify` does not read.
fn low_level_removal(cmd: &Cmd<'_>) -> Option<Vec<String>> {
    let args = cmd.args();
    let removes = match cmd.program() {
        "dpkg" => args.iter().any(|w| matches!(w.value.as_str(), "-r" | "-P" | "--remove" | "--purge")),
        "rpm" => args.iter().any(|w| {
            w.value == "--erase"
                || (w.value.starts_with('-') && !w.value.starts_with("--") && w.value[1..].starts_with('e'))
        }),
        _ => false,
    };
    removes.then(|| {
        args.iter()
            .filter(|w| !rampart_shell::is_option(w) && !w.expands)
            .map(|w| w.value.split(':').next().unwrap_or("").to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect()
    })
}

/// Whether `removed` (possibly a `prefix*` glob) names `name`.
fn removal_matches(removed: &str, name: &str) -> bool {
    match removed.strip_suffix('*') {
        Some(prefix) => !prefix.is_empty() && name.starts_with(prefix),
        None => removed == name,
    }
}

/// Commands of the final image's `RUN` scripts (not `ONBUILD` triggers: they run in other images).
fn final_image_commands<'a>(cx: &'a DockerfileContext<'_>) -> impl Iterator<Item = Cmd<'a>> + 'a {
    cx.run_commands().filter(move |c| !c.run.onbuild && cx.in_final_image(c.run.instruction))
}

/// Every OS-package install in a stage of the final image whose packages `wanted(manager,
/// name)` selects, with the selected packages that no later command (in the same `RUN` or a
/// later one of the final image) removes. `apk add --virtual NAME …` packages count as
/// removed by `apk del NAME`.
pub(crate) fn kept_packages<'a>(
    cx: &'a DockerfileContext<'_>,
    wanted: &dyn Fn(Manager, &str) -> bool,
) -> Vec<Kept<'a>> {
    let mut installs = Vec::new();
    let mut removals = Vec::new();
    for cmd in final_image_commands(cx) {
        if let Some(names) = low_level_removal(&cmd) {
            removals.push(Removal { at: order(cx, &cmd), names });
            continue;
        }
        let Some(pc) = classify(cmd) else { continue };
        if !pc.manager.is_os() {
            continue;
        }
        match pc.action {
            Action::Install => installs.push(pc),
            Action::Remove => {
                let names = pc.packages.iter().filter_map(|w| arg_name(pc.manager, w)).collect();
                removals.push(Removal { at: order(cx, &pc.cmd), names });
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for install in installs {
        let at = order(cx, &install.cmd);
        let later: Vec<&Removal> = removals.iter().filter(|r| r.at > at).collect();
        let removed = |name: &str| later.iter().any(|r| r.names.iter().any(|n| removal_matches(n, name)));
        let virtual_removed = install.manager == Manager::Apk
            && rampart_shell::option_value(install.args, &["--virtual", "-t"])
                .is_some_and(|(_, v)| !v.is_empty() && removed(&v.to_ascii_lowercase()));
        if virtual_removed {
            continue;
        }
        let mut words = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for w in &install.packages {
            let Some(name) = arg_name(install.manager, w) else { continue };
            if !wanted(install.manager, &name) || removed(&name) {
                continue;
            }
            words.push(*w);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if !words.is_empty() {
            out.push(Kept { install, words, names });
        }
    }
    out
}

/// `` `a` `` / `` `a` and `b` `` / `` `a`, `b` and `c` ``.
pub(crate) fn list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// `singular` for one name, `plural` for more.
pub(crate) fn noun<'s>(names: &[String], singular: &'s str, plural: &'s str) -> &'s str {
    if names.len() > 1 { plural } else { singular }
}

/// Whether `name` is `base` followed by a version: `gcc-12`, `llvm17`, `golang-1.22`.
pub(crate) fn versioned(name: &str, base: &str) -> bool {
    name.strip_prefix(base).is_some_and(|v| {
        let v = v.strip_prefix('-').unwrap_or(v);
        v.starts_with(|c: char| c.is_ascii_digit()) && v.chars().all(|c| c.is_ascii_digit() || c == '.')
    })
}

/// A finding on the kept package words: one span over them when they are consecutive
/// arguments, else the first word with the others as related locations.
pub(crate) fn report(
    cx: &DockerfileContext<'_>,
    info: &'static crate::RuleInfo,
    kept: &Kept<'_>,
    message: String,
    label: &str,
) -> Finding {
    let cmd = &kept.install.cmd;
    let positions: Vec<usize> =
        kept.words.iter().filter_map(|w| kept.install.packages.iter().position(|p| std::ptr::eq(*p, *w))).collect();
    let consecutive = positions.windows(2).all(|p| p[1] == p[0] + 1);
    let first = cmd.word_span(kept.words[0]);
    let last = cmd.word_span(kept.words[kept.words.len() - 1]);
    if consecutive && first.start <= last.start {
        return cx.finding(info, first.cover(last), message).with_label(label);
    }
    let mut finding = cx.finding(info, first, message).with_label(label);
    for w in &kept.words[1..] {
        finding = finding.with_related(std::sync::Arc::clone(cx.file), cmd.word_span(w), "also installed here");
    }
    finding
}

/// The last `ENTRYPOINT`, `CMD` and `HEALTHCHECK` of the final image (instruction indices).
fn runtime_instructions(cx: &DockerfileContext<'_>) -> Vec<usize> {
    let mut last = [None; 3];
    for stage in cx.final_chain() {
        for i in stage.body() {
            let slot = match cx.instruction(i).keyword {
                Keyword::Entrypoint => 0,
                Keyword::Cmd => 1,
                Keyword::Healthcheck => 2,
                _ => continue,
            };
            last[slot] = Some(i);
        }
    }
    last.into_iter().flatten().collect()
}

/// Whether the final image visibly needs `program` at run time: its `ENTRYPOINT`, `CMD` or
/// `HEALTHCHECK` runs it (also as the shell of `["bash", "-c", "…"]`, or through `SHELL`
/// for the shell form), or a script written by a `COPY`/`ADD` heredoc of the final image
/// names it in its shebang.
pub(crate) fn runtime_uses(cx: &DockerfileContext<'_>, program: &str) -> bool {
    let runtime = runtime_instructions(cx);
    let shell = cx
        .final_chain()
        .flat_map(|s| s.body())
        .filter_map(|i| match &cx.instruction(i).body {
            Body::Shell(words) => words.first().map(|w| w.value.rsplit('/').next().unwrap_or("").to_string()),
            _ => None,
        })
        .last();
    for &i in &runtime {
        match cx.instruction(i).command() {
            Some(CommandForm::Exec(words))
                if words.first().is_some_and(|w| w.value.rsplit('/').next() == Some(program)) =>
            {
                return true;
            }
            Some(CommandForm::Shell(_)) if shell.as_deref() == Some(program) => return true,
            _ => {}
        }
        if cx.commands_of(i).any(|c| c.program() == program) {
            return true;
        }
    }
    cx.final_chain().flat_map(|s| s.body()).any(|i| {
        let instr = cx.instruction(i);
        matches!(instr.body, Body::Copy(_) | Body::Add(_))
            && instr.heredocs.iter().any(|h| {
                h.body.lines().next().and_then(|l| l.strip_prefix("#!")).is_some_and(|shebang| {
                    let mut parts = shebang.split_whitespace();
                    let first = parts.next().unwrap_or("");
                    let interp = if first.ends_with("/env") { parts.next().unwrap_or("") } else { first };
                    interp.rsplit('/').next() == Some(program)
                })
            })
    })
}

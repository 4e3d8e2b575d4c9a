use rampart_diagnostics::{Applicability, Edit, Fix, Span};
use rampart_dockerfile::{Body, CommandForm, Keyword, StageRef};

use super::util::ChainState;
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::rules::dockerfile::base::images::official_name;

declare_rule! {
    /// The image's `CMD` or `ENTRYPOINT` is in shell form: the program is not PID 1.
    ///
    /// ## What it does
    /// Reports the `CMD` and the `ENTRYPOINT` that take effect in the final image (the last
    /// of each in the final stage and the stages it is built `FROM`) when they are written
    /// in shell form (`CMD node server.js`) rather than as a JSON array. A shell form whose
    /// command starts with `exec` is not reported: the shell replaces itself with the
    /// program. Windows images (an `escape` directive of `` ` ``, or a PowerShell or cmd
    /// `SHELL`) are skipped.
    ///
    /// ## Why
    /// The shell form runs `/bin/sh -c "<command>"`: the shell is PID 1 and the application
    /// its child. `docker stop` and Kubernetes send `SIGTERM` to PID 1; `sh` does not pass
    /// it on, so the application never shuts down cleanly — connections are cut, work is
    /// lost — and is killed with `SIGKILL` after the grace period. A shell-form `ENTRYPOINT`
    /// also ignores `CMD` and the arguments of `docker run`.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD node server.js
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix
    /// Rewrites the command as a JSON array when it is plain words: no variables,
    /// command substitutions, globs, redirections, pipes or `&&`, and quotes that only
    /// group words. Other commands need a human (or an `exec` in front of the program).
    ///
    /// ## Fix safety
    /// Safe for an `ENTRYPOINT` when the image has no `CMD` (an `ENTRYPOINT` resets the
    /// base image's `CMD`), and for a `CMD` when the image has no `ENTRYPOINT` — neither in
    /// the Dockerfile nor in a base image known to have none (`scratch`, the distributions,
    /// and the `python`, `golang`, `rust`, `gcc`, `perl`, `ruby`, `openjdk` official
    /// images): the same program runs with the same arguments, as PID 1. Unsafe otherwise:
    /// an exec-form `ENTRYPOINT` receives `CMD` as arguments, which the shell form ignored;
    /// an `ENTRYPOINT` receives the converted `CMD` words instead of `/bin/sh -c "…"` (entry
    /// point scripts often look at their first argument); and a `SHELL` other than a plain
    /// `sh`/`bash -c` (a login shell that sets `PATH`, say) no longer runs. No fix when a
    /// comment line sits inside the instruction's continuation lines (it would be lost).
    ///
    /// ## References
    /// - CMD and ENTRYPOINT forms: <https://docs.docker.com/reference/dockerfile/#shell-and-exec-form>
    /// - `docker stop`: <https://docs.docker.com/reference/cli/docker/container/stop/>
    pub struct ShellFormEntrypoint {
        code: "DF076",
        name: "shell-form-entrypoint",
        severity: Warning,
        tags: ["runtime", "reliability"],
        equivalents: ["hadolint:DL3025"],
        fix: Varies,
    }
}

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "{", "}", "!", "exec",
    "cd", "export", "set", "unset", "source", ".", "eval", "trap", "ulimit", "umask", "wait", "exit", "return",
    "shift", "read", "alias", "readonly", "local", "declare", "typeset", "time",
];

/// The words of a shell command that means the same in exec form, if it is one.
pub(crate) fn plain_words(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => current.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '$' | '`' | '\\' => return None,
                        c => current.push(c),
                    }
                }
            }
            '$' | '`' | '\\' | '|' | '&' | ';' | '<' | '>' | '(' | ')' | '*' | '?' | '[' | ']' | '{' | '}' | '~'
            | '#' | '\n' | '\r' => return None,
            c if c.is_control() => return None,
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    let first = words.first()?;
    if first.is_empty() || first.contains('=') || RESERVED.contains(&first.as_str()) {
        return None;
    }
    Some(words)
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let mut last_cmd = None;
    let mut last_entrypoint = None;
    for stage in cx.final_chain() {
        for i in stage.body() {
            match cx.instruction(i).keyword {
                Keyword::Cmd => last_cmd = Some(i),
                Keyword::Entrypoint => last_entrypoint = Some(i),
                _ => {}
            }
        }
    }
    let state = ChainState::new(cx);
    for (i, other) in [(last_cmd, last_entrypoint), (last_entrypoint, last_cmd)] {
        let Some(i) = i else { continue };
        let instr = cx.instruction(i);
        let (Body::Cmd(CommandForm::Shell(text)) | Body::Entrypoint(CommandForm::Shell(text))) = &instr.body else {
            continue;
        };
        if state.is_windows(cx, i) || !instr.heredocs.is_empty() {
            continue;
        }
        let command = text.as_str().trim();
        if command.is_empty() || command.split_whitespace().next() == Some("exec") {
            continue;
        }
        let kw = instr.keyword.as_str();
        let args = text.source_span(0..text.len());
        let mut finding = cx
            .finding(&INFO, args.clone(), format!("{kw} in shell form: `/bin/sh` is PID 1, not the program"))
            .with_label("runs as `/bin/sh -c \"…\"`: SIGTERM stops at the shell")
            .with_help(format!(
                "write it as a JSON array (`{kw} [\"{}\", …]`); if it needs the shell, start the program with `exec` or move the logic to a script that ends with `exec`",
                command.split_whitespace().next().unwrap_or("program")
            ));
        let source = cx.file.text().get(args.start..args.end).unwrap_or("");
        let comment_inside = source.lines().skip(1).any(|l| l.trim_start().starts_with('#'));
        if let Some(words) = plain_words(command)
            && !comment_inside
        {
            let json = format!("[{}]", words.iter().map(|w| json_string(w)).collect::<Vec<_>>().join(", "));
            let entrypoint_unknown = instr.keyword == Keyword::Cmd && !base_without_entrypoint(cx);
            let applicability = if other.is_some() || entrypoint_unknown || !plain_shell(cx, &state, i) {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            };
            finding = finding.with_fix(Fix::new(
                applicability,
                format!("Rewrite {kw} in exec form"),
                vec![Edit::replace(Span::new(args.start, args.end), json)],
            ));
        }
        out.push(finding);
    }
}

/// Official images without an `ENTRYPOINT` of their own.
const NO_ENTRYPOINT: &[&str] = &[
    "almalinux",
    "alpine",
    "amazoncorretto",
    "amazonlinux",
    "archlinux",
    "buildpack-deps",
    "busybox",
    "centos",
    "debian",
    "fedora",
    "gcc",
    "golang",
    "openjdk",
    "oraclelinux",
    "perl",
    "pypy",
    "python",
    "rockylinux",
    "ruby",
    "rust",
    "ubuntu",
];

/// Whether the image the final stage chain starts from is known to have no `ENTRYPOINT`
/// (one set in the Dockerfile is handled by the caller).
fn base_without_entrypoint(cx: &DockerfileContext<'_>) -> bool {
    match cx.final_chain().next().map(|s| &s.base) {
        Some(StageRef::Scratch) => true,
        Some(StageRef::Image(image)) => {
            let tag = image.tag.as_deref().unwrap_or("").to_ascii_lowercase();
            official_name(image).is_some_and(|n| NO_ENTRYPOINT.contains(&n.as_str()))
                && !["windows", "nanoserver", "servercore"].iter().any(|w| tag.contains(w))
        }
        _ => false,
    }
}

/// Whether the `SHELL` in force at `i` (if any) runs the command like `/bin/sh -c` does: a
/// POSIX shell with only `-c` and error options (`-e`, `-u`, `-x`, `-o pipefail`), not a
/// login or interactive shell that reads profile files first.
fn plain_shell(cx: &DockerfileContext<'_>, state: &ChainState, i: usize) -> bool {
    let Some(shell) = state.at(i).shell else { return true };
    let Body::Shell(words) = &cx.instruction(shell).body else { return false };
    let Some((program, options)) = words.split_first() else { return false };
    let name = program.value.rsplit('/').next().unwrap_or("");
    matches!(name, "sh" | "bash" | "ash" | "dash")
        && options.iter().all(|w| {
            let v = w.value.as_str();
            matches!(v, "pipefail" | "errexit" | "nounset" | "xtrace")
                || (v.len() > 1
                    && v.starts_with('-')
                    && !v.starts_with("--")
                    && v[1..].chars().all(|c| matches!(c, 'c' | 'e' | 'u' | 'x' | 'o')))
        })
}

#[cfg(test)]
mod tests {
    use super::plain_words;

    #[test]
    fn plain_commands_only() {
        assert_eq!(plain_words("node server.js").unwrap(), ["node", "server.js"]);
        assert_eq!(plain_words("nginx -g 'daemon off;'").unwrap(), ["nginx", "-g", "daemon off;"]);
        assert_eq!(plain_words("echo \"a b\"").unwrap(), ["echo", "a b"]);
        for bad in
            ["app $PORT", "a && b", "a > log", "run *.sh", "cd /x", "X=1 app", "'unterminated", "~/bin/app", "é\\x"]
        {
            assert!(plain_words(bad).is_none(), "{bad}");
        }
    }
}

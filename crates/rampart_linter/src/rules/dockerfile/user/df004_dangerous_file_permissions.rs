use rampart_dockerfile::Body;
use rampart_shell::Word;

use super::accounts::{getopt, shell_str};
use crate::Finding;
use crate::dockerfile::{Cmd, DockerfileContext};

declare_rule! {
    /// A file mode sets the setuid/setgid bit or makes files world-writable.
    ///
    /// ## What it does
    /// Reads the mode of `chmod`, `install -m` and `mkdir -m` commands in the `RUN` steps of
    /// the final image, and of `COPY --chmod=` / `ADD --chmod=`, numeric (`4755`, `2755`, `777`, `666`) or symbolic
    /// (`u+s`, `g+s`, `+s`, `o+w`, `a+rwx`), and reports:
    /// - the setuid or setgid bit on files;
    /// - write permission for "others" without the sticky bit.
    ///
    /// A shared directory with the sticky bit (`chmod 1777 /tmp`, `chmod a+rwxt /cache`) is
    /// fine, and so is the setuid/setgid bit on directories the same script has just created
    /// with `mkdir` or written with a trailing `/` (it only sets group inheritance there).
    /// `chmod +w` without a "who" is left alone: the umask keeps it from reaching "others".
    /// Builder stages whose files are only copied from are not checked.
    ///
    /// ## Why
    /// A setuid-root program runs as root whoever starts it: one bug in it, or a writable path
    /// it trusts, turns any process of the container into root — the very thing a non-root
    /// `USER` is meant to prevent. A world-writable file can be changed by every user and
    /// process of the container: an attacker who gets code execution as any user can replace
    /// scripts, binaries or configuration that a more privileged process later runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// COPY --chmod=4755 tool /usr/local/bin/tool
    /// RUN chmod -R 777 /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// COPY --chmod=755 tool /usr/local/bin/tool
    /// COPY --chown=10001:10001 app /app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which user must write the files, or which privilege the program
    /// needs, is for a human to decide.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.8 "Ensure setuid and setgid permissions are removed"
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    /// - NIST SP 800-190 §4.4.3 (image configuration defects)
    pub struct DangerousFilePermissions {
        code: "DF004",
        name: "dangerous-file-permissions",
        severity: Warning,
        tags: ["user", "cis-docker:4.8", "cwe:732", "nist-800-190:4.4.3"],
        equivalents: [],
        fix: None,
    }
}

/// What a mode does to the bits this rule cares about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ModeEffect {
    pub setuid: bool,
    pub setgid: bool,
    pub sticky: bool,
    pub world_writable: bool,
    pub numeric: bool,
}

/// Reads a `chmod` mode; `None` when it is not one.
pub(crate) fn parse_mode(mode: &str) -> Option<ModeEffect> {
    if !mode.is_empty() && mode.chars().all(|c| ('0'..='7').contains(&c)) {
        let v = u32::from_str_radix(mode.get(mode.len().saturating_sub(5)..)?, 8).ok()?;
        if mode.len() > 5 && mode[..mode.len() - 5].chars().any(|c| c != '0') || v > 0o7777 {
            return None;
        }
        return Some(ModeEffect {
            setuid: v & 0o4000 != 0,
            setgid: v & 0o2000 != 0,
            sticky: v & 0o1000 != 0,
            world_writable: v & 0o002 != 0,
            numeric: true,
        });
    }
    let mut effect = ModeEffect::default();
    for clause in mode.split(',') {
        let who_end = clause.find(|c: char| !matches!(c, 'u' | 'g' | 'o' | 'a')).unwrap_or(clause.len());
        let who = &clause[..who_end];
        let mut rest = &clause[who_end..];
        if rest.is_empty() {
            return None;
        }
        let all = who.is_empty() || who.contains('a');
        let (u, g) = (all || who.contains('u'), all || who.contains('g'));
        let o = who.contains('o') || who.contains('a');
        while let Some(op) = rest.chars().next() {
            if !matches!(op, '+' | '-' | '=') {
                return None;
            }
            let perms_end = rest[1..].find(['+', '-', '=']).map_or(rest.len(), |p| p + 1);
            let perms = &rest[1..perms_end];
            rest = &rest[perms_end..];
            // `o=u` copies another class's bits: its effect is unknown here.
            if matches!(perms, "u" | "g" | "o") {
                continue;
            }
            if !perms.chars().all(|c| matches!(c, 'r' | 'w' | 'x' | 'X' | 's' | 't')) {
                return None;
            }
            let (s, t, w) = (perms.contains('s'), perms.contains('t'), perms.contains('w'));
            match op {
                '+' => {
                    effect.setuid |= s && u;
                    effect.setgid |= s && g;
                    effect.sticky |= t;
                    effect.world_writable |= w && o;
                }
                '-' => {
                    effect.setuid &= !(s && u);
                    effect.setgid &= !(s && g);
                    effect.sticky &= !t;
                    effect.world_writable &= !(w && o);
                }
                _ => {
                    if u {
                        effect.setuid = s;
                    }
                    if g {
                        effect.setgid = s;
                    }
                    if o {
                        effect.world_writable = w;
                        effect.sticky = t;
                    }
                }
            }
        }
    }
    Some(effect)
}

/// Directories whose base-image mode has the sticky bit.
const STICKY_DIRS: &[&str] = &["/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock"];

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        if !cx.in_final_image(cmd.run.instruction) {
            continue;
        }
        match cmd.program() {
            "chmod" => check_chmod(cx, &cmd, out),
            "install" | "mkdir" => check_mode_option(cx, &cmd, out),
            _ => {}
        }
    }
    for (i, instr) in cx.all_instructions() {
        let dest = match &instr.body {
            Body::Copy(c) | Body::Add(c) => c.dest.as_ref(),
            _ => continue,
        };
        if !cx.in_final_image(i) {
            continue;
        }
        let Some(flag) = instr.flag("chmod") else { continue };
        let Some(raw) = &flag.value else { continue };
        let value = cx.scopes.at(i).expand(raw, cx.df.escape);
        if !value.is_complete() {
            continue;
        }
        let Some(mut effect) = parse_mode(&value.value) else { continue };
        if effect.sticky {
            effect.world_writable = false;
        }
        let keyword = instr.keyword.as_str();
        let target = dest.map_or_else(|| "the copied files".to_string(), |d| format!("`{}`", d.value));
        if let Some((message, label, help)) =
            describe(&format!("`{keyword} --chmod={}`", value.value), &target, effect, false)
        {
            out.push(cx.finding(&INFO, &flag.span, message).with_label(label).with_help(help));
        }
    }
}

fn check_chmod(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, out: &mut Vec<Finding>) {
    let mut recursive = false;
    let mut mode_word: Option<&Word> = None;
    let mut targets = Vec::new();
    let mut end_of_options = false;
    for w in cmd.args() {
        let v = w.value.as_str();
        if mode_word.is_none() && !end_of_options {
            if v == "--" {
                end_of_options = true;
                continue;
            }
            if v.starts_with("--") {
                if v.starts_with("--reference") {
                    return;
                }
                recursive |= v == "--recursive";
                continue;
            }
            if v.len() > 1 && v.starts_with('-') && v[1..].chars().all(|c| "RcfvHLPh".contains(c)) {
                recursive |= v.contains('R');
                continue;
            }
        }
        if mode_word.is_none() {
            mode_word = Some(w);
        } else {
            targets.push(w);
        }
    }
    let Some(mode_word) = mode_word else { return };
    if targets.is_empty() {
        return;
    }
    let Some(mode) = shell_str(cx, cmd.run.instruction, &mode_word.value) else { return };
    let Some(mut effect) = parse_mode(&mode) else { return };
    let values: Vec<&str> = targets.iter().map(|t| t.value.as_str()).collect();
    let clean = |t: &str| t.trim_end_matches('/').to_string();
    if effect.sticky {
        effect.world_writable = false;
    }
    // /dev nodes, and sticky directories a symbolic mode leaves sticky.
    if values.iter().all(|t| {
        t.starts_with("/dev/") && !t.starts_with("/dev/shm")
            || (!effect.numeric && STICKY_DIRS.contains(&clean(t).as_str()))
    }) {
        effect.world_writable = false;
    }
    if (effect.setuid || effect.setgid) && !recursive {
        let created = created_directories(cmd);
        if values.iter().all(|t| t.ends_with('/') || created.contains(&clean(t))) {
            effect.setuid = false;
            effect.setgid = false;
        }
    }
    let clears_sticky =
        effect.numeric && effect.world_writable && values.iter().any(|t| STICKY_DIRS.contains(&clean(t).as_str()));
    let mut target = format!("`{}`", values[0]);
    if values.len() > 1 {
        let n = values.len() - 1;
        target.push_str(&format!(" and {n} other path{}", if n == 1 { "" } else { "s" }));
    }
    let flags = if recursive { "-R " } else { "" };
    let mut written = format!("`chmod {flags}{}`", mode_word.value);
    if mode != mode_word.value {
        written.push_str(&format!(" (mode {mode})"));
    }
    if let Some((message, label, help)) = describe(&written, &target, effect, clears_sticky) {
        out.push(cx.finding(&INFO, cmd.word_span(mode_word), message).with_label(label).with_help(help));
    }
}

/// `install -m MODE` and `mkdir -m MODE`.
fn check_mode_option(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, out: &mut Vec<Finding>) {
    let program = cmd.program();
    let parsed = if program == "install" {
        getopt(cmd.args(), "mogSt", &["mode", "owner", "group", "suffix", "target-directory"])
    } else {
        getopt(cmd.args(), "m", &["mode"])
    };
    let Some(written) = parsed.value(&["-m", "--mode"]) else { return };
    let directories = program == "mkdir" || parsed.has(&["-d", "--directory"]);
    let targets: Vec<&str> = if directories {
        parsed.positionals.iter().map(|w| w.value.as_str()).collect()
    } else if let Some(dir) = parsed.value(&["-t", "--target-directory"]) {
        vec![dir]
    } else {
        parsed.positionals.last().map(|w| w.value.as_str()).into_iter().collect()
    };
    let Some(first) = targets.first() else { return };
    let Some(mode) = shell_str(cx, cmd.run.instruction, written) else { return };
    let Some(mut effect) = parse_mode(&mode) else { return };
    if effect.sticky {
        effect.world_writable = false;
    }
    if directories {
        // On directories the bits only make new files inherit the group.
        effect.setuid = false;
        effect.setgid = false;
    }
    let Some(word) = cmd.args().iter().rev().find(|w| {
        let v = w.value.as_str();
        v == written || v.strip_prefix("-m") == Some(written) || v.strip_prefix("--mode=") == Some(written)
    }) else {
        return;
    };
    let mut target = format!("`{first}`");
    if targets.len() > 1 {
        let n = targets.len() - 1;
        target.push_str(&format!(" and {n} other path{}", if n == 1 { "" } else { "s" }));
    }
    let mut subject = format!("`{program} -m {written}`");
    if mode != written {
        subject.push_str(&format!(" (mode {mode})"));
    }
    if let Some((message, label, help)) = describe(&subject, &target, effect, false) {
        out.push(cx.finding(&INFO, cmd.word_span(word), message).with_label(label).with_help(help));
    }
}

/// Directories made by `mkdir` (or `install -d`) earlier in the same script.
fn created_directories(cmd: &Cmd<'_>) -> Vec<String> {
    let start = cmd.command.span.start;
    let mut dirs = Vec::new();
    for other in cmd.run.parsed.commands.iter().filter(|c| c.span.start < start) {
        let argv = rampart_shell::effective_argv(&other.words);
        let Some(program) = argv.first().map(|w| w.basename()) else { continue };
        let args = &argv[1..];
        let is_mkdir = program == "mkdir"
            || (program == "install" && args.iter().any(|a| a.value == "-d" || a.value == "--directory"));
        if !is_mkdir {
            continue;
        }
        let mut skip_next = false;
        for a in args {
            if skip_next {
                skip_next = false;
                continue;
            }
            if a.value == "-m" || a.value == "--mode" || a.value == "-o" || a.value == "-g" {
                skip_next = true;
                continue;
            }
            if !a.value.starts_with('-') {
                dirs.push(a.value.trim_end_matches('/').to_string());
            }
        }
    }
    dirs
}

/// Message, label and help for an effect of the mode `written` (already quoted), or `None` when the mode is harmless.
fn describe(written: &str, target: &str, e: ModeEffect, clears_sticky: bool) -> Option<(String, String, String)> {
    let bits = match (e.setuid, e.setgid) {
        (true, true) => Some("the setuid and setgid bits"),
        (true, false) => Some("the setuid bit"),
        (false, true) => Some("the setgid bit"),
        (false, false) => None,
    };
    let sticky_note = if clears_sticky { " (and clears the sticky bit)" } else { "" };
    let whose = match (e.setuid, e.setgid) {
        (true, true) => "its owner's and group's",
        (false, true) => "its group's",
        _ => "its owner's",
    };
    let (message, label, help) = match (bits, e.world_writable) {
        (Some(bits), false) => (
            format!("{written} sets {bits} on {target}"),
            format!("the program runs with {whose} privileges, whoever starts it"),
            "drop the bit; a program that needs a privilege should get it from the runtime settings, not the file mode"
                .to_string(),
        ),
        (None, true) => (
            format!("{written} makes {target} world-writable{sticky_note}"),
            "every user and process in the container can change it".to_string(),
            "give the files to the user that writes them (`chown 10001`, `COPY --chown=10001:10001`) and use 755/644, or 1777 for a shared directory"
                .to_string(),
        ),
        (Some(bits), true) => (
            format!("{written} sets {bits} on {target} and makes it world-writable{sticky_note}"),
            format!("anyone in the container can replace a program that runs with {whose} privileges"),
            "drop the setuid/setgid bit and the write permission for others (e.g. mode 755)".to_string(),
        ),
        (None, false) => return None,
    };
    Some((message, label, help))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        let m = |s| parse_mode(s).unwrap();
        assert!(m("4755").setuid && !m("4755").world_writable);
        assert!(m("2755").setgid && !m("2755").setuid);
        assert!(m("6755").setuid && m("6755").setgid);
        assert!(m("777").world_writable && !m("777").sticky);
        assert!(m("1777").sticky);
        assert!(m("0777").world_writable);
        assert!(!m("755").world_writable && !m("0755").setuid);
        assert!(m("u+s").setuid && !m("u+s").setgid);
        assert!(m("g+s").setgid);
        assert!(m("+s").setuid && m("+s").setgid);
        assert!(!m("o+s").setuid);
        assert!(m("o+w").world_writable);
        assert!(m("a+rwX").world_writable);
        assert!(!m("+w").world_writable);
        assert!(!m("a+w,o-w").world_writable);
        assert!(m("u=rwx,go=rx").eq(&ModeEffect::default()));
        assert!(m("ugo=rwx").world_writable);
        assert!(m("a+rwxt").sticky);
        assert!(!m("-w").world_writable);
        assert!(parse_mode("abc").is_none());
        assert!(parse_mode("99").is_none());
        assert!(parse_mode("17777").is_none());
        assert!(m("00755").eq(&m("755")));
        assert!(parse_mode("").is_none());
    }
}

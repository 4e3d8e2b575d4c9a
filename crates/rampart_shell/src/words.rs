//! Helpers for reading argv the way the commands themselves do.

use crate::Word;

/// Commands that run another command given as their arguments.
pub const WRAPPERS: &[&str] = &[
    "sudo",
    "doas",
    "env",
    "nice",
    "nohup",
    "time",
    "exec",
    "command",
    "stdbuf",
    "timeout",
    "xargs",
    "gosu",
    "su-exec",
    "tini",
    "dumb-init",
    "chronic",
    "unbuffer",
    "eatmydata",
    "ionice",
    "setpriv",
    "busybox",
];

/// Options of wrappers that take a separate value.
fn wrapper_option_takes_value(wrapper: &str, option: &str) -> bool {
    match wrapper {
        "sudo" | "doas" => matches!(option, "-u" | "-g" | "-h" | "-p" | "-U" | "-C" | "-D" | "-r" | "-t" | "-T"),
        "env" => matches!(option, "-u" | "-C" | "-S" | "--unset" | "--chdir"),
        "nice" => matches!(option, "-n"),
        "exec" => matches!(option, "-a"),
        "stdbuf" => matches!(option, "-i" | "-o" | "-e"),
        "timeout" => matches!(option, "-s" | "-k" | "--signal" | "--kill-after"),
        "xargs" => matches!(option, "-I" | "-n" | "-P" | "-d" | "-E" | "-L" | "-s" | "-a"),
        "ionice" => matches!(option, "-c" | "-n" | "-p"),
        _ => false,
    }
}

/// argv with leading wrappers (`sudo -u x`, `env A=1`, `timeout 10`, `xargs -r`, …) removed:
/// `sudo -E env DEBIAN_FRONTEND=noninteractive apt-get install x` → `apt-get install x`.
pub fn effective_argv(words: &[Word]) -> &[Word] {
    let mut rest = words;
    for _ in 0..8 {
        let Some(first) = rest.first() else { return rest };
        let wrapper = first.basename();
        if !WRAPPERS.contains(&wrapper) || rest.len() == 1 {
            return rest;
        }
        let mut i = 1;
        // gosu/su-exec take a user first.
        if matches!(wrapper, "gosu" | "su-exec") {
            i += 1;
        }
        while i < rest.len() {
            let v = rest[i].value.as_str();
            if v == "--" {
                i += 1;
                break;
            }
            if v.starts_with('-') && v.len() > 1 {
                i += if wrapper_option_takes_value(wrapper, v) { 2 } else { 1 };
                continue;
            }
            if wrapper == "env" && v.contains('=') {
                i += 1;
                continue;
            }
            if wrapper == "timeout" && v.starts_with(|c: char| c.is_ascii_digit()) {
                i += 1;
                continue;
            }
            if matches!(wrapper, "nice") && v.starts_with(|c: char| c.is_ascii_digit()) {
                i += 1;
                continue;
            }
            break;
        }
        if i >= rest.len() {
            return &rest[rest.len()..];
        }
        rest = &rest[i..];
    }
    rest
}

/// Whether the word is an option (`-x`, `--long`, `--long=value`), not `-` or a negative number.
pub fn is_option(word: &Word) -> bool {
    let v = word.value.as_str();
    v.len() > 1 && v.starts_with('-') && !v[1..].starts_with(|c: char| c.is_ascii_digit())
}

/// The single-letter flags of combined short options: `-qyf` yields `q`, `y`, `f`. Stops at `--`.
pub fn short_flags(args: &[Word]) -> impl Iterator<Item = char> + '_ {
    args.iter()
        .take_while(|w| w.value != "--")
        .filter(|w| w.value.starts_with('-') && !w.value.starts_with("--") && w.value.len() > 1)
        .flat_map(|w| w.value[1..].chars().take_while(|c| c.is_ascii_alphanumeric()))
}

/// The value of an option given as `--name=value`, `--name value`, `-n value` or `-nvalue`.
pub fn option_value<'a>(args: &'a [Word], names: &[&str]) -> Option<(&'a Word, String)> {
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        if v == "--" {
            return None;
        }
        for name in names {
            if v == *name {
                return args.get(i + 1).map(|next| (next, next.value.clone()));
            }
            if name.starts_with("--")
                && let Some(rest) = v.strip_prefix(name).and_then(|r| r.strip_prefix('='))
            {
                return Some((w, rest.to_string()));
            }
            if name.len() == 2 && !name.starts_with("--") && v.len() > 2 && v.starts_with(name) && !v.starts_with("--")
            {
                return Some((w, v[2..].to_string()));
            }
        }
    }
    None
}

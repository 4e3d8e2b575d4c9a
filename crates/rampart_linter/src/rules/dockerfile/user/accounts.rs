//! Reading the account commands of `RUN` scripts (`useradd`, `adduser`, `groupadd`,
//! `addgroup`) the way they read their argv.

use rampart_shell::Word;

use rampart_diagnostics::Span;

use crate::dockerfile::{Cmd, DockerfileContext, ShellRun};

/// One option of a command line, as getopt would read it.
#[derive(Debug)]
pub(crate) struct Opt {
    /// `-u` or `--uid`, without any `=value`.
    pub name: String,
    pub value: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct ParsedArgs<'a> {
    pub opts: Vec<Opt>,
    pub positionals: Vec<&'a Word>,
}

impl ParsedArgs<'_> {
    /// The value of the last occurrence of any of `names`.
    pub fn value(&self, names: &[&str]) -> Option<&str> {
        self.opts.iter().rev().find(|o| names.contains(&o.name.as_str())).and_then(|o| o.value.as_deref())
    }

    pub fn has(&self, names: &[&str]) -> bool {
        self.opts.iter().any(|o| names.contains(&o.name.as_str()))
    }
}

/// Splits `args` getopt-style: `short_with_value` lists the single-letter options that take a
/// value (attached, `-u1000`, or as the next word), `long_with_value` the long ones (`--uid`,
/// given as `--uid=1000` or `--uid 1000`). Combined flags (`-rm`) are split.
pub(crate) fn getopt<'a>(args: &'a [Word], short_with_value: &str, long_with_value: &[&str]) -> ParsedArgs<'a> {
    let mut out = ParsedArgs::default();
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        let v = w.value.as_str();
        i += 1;
        if v == "--" {
            out.positionals.extend(args[i..].iter());
            break;
        }
        if let Some(long) = v.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, val)) => (n, Some(val.to_string())),
                None => (long, None),
            };
            let value = if value.is_none() && long_with_value.contains(&name) {
                let next = args.get(i).map(|n| n.value.clone());
                i += 1;
                next
            } else {
                value
            };
            out.opts.push(Opt { name: format!("--{name}"), value });
            continue;
        }
        if v.len() > 1 && v.starts_with('-') {
            let flags = &v[1..];
            for (pos, c) in flags.char_indices() {
                if short_with_value.contains(c) {
                    let rest = &flags[pos + c.len_utf8()..];
                    let value = if rest.is_empty() {
                        let next = args.get(i).map(|n| n.value.clone());
                        i += 1;
                        next
                    } else {
                        Some(rest.to_string())
                    };
                    out.opts.push(Opt { name: format!("-{c}"), value });
                    break;
                }
                out.opts.push(Opt { name: format!("-{c}"), value: None });
            }
            continue;
        }
        out.positionals.push(w);
    }
    out
}

/// What an account command creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccountKind {
    User,
    Group,
}

/// A user or group created by a `RUN` command.
#[derive(Debug)]
pub(crate) struct Account<'a> {
    pub kind: AccountKind,
    pub name: &'a Word,
    /// The explicit UID or GID, as written (may hold a variable).
    pub id: Option<String>,
}

pub(crate) const USERADD_SHORT: &str = "bcdefgGkKpRPsuZ";
pub(crate) const USERADD_LONG: &[&str] = &[
    "base-dir",
    "comment",
    "home-dir",
    "home",
    "expiredate",
    "inactive",
    "gid",
    "groups",
    "skel",
    "key",
    "password",
    "root",
    "prefix",
    "shell",
    "uid",
    "selinux-user",
    "selinux-range",
];

/// BusyBox `adduser` short options with values; Debian `adduser` long ones.
const ADDUSER_SHORT: &str = "hgsGuk";
const ADDUSER_LONG: &[&str] = &[
    "home",
    "shell",
    "uid",
    "firstuid",
    "lastuid",
    "gid",
    "firstgid",
    "lastgid",
    "ingroup",
    "gecos",
    "comment",
    "conf",
    "add-extra-groups-list",
];
const GROUPADD_SHORT: &str = "gKpRPU";
const GROUPADD_LONG: &[&str] = &["gid", "key", "password", "root", "prefix", "users"];
const ADDGROUP_SHORT: &str = "g";
const ADDGROUP_LONG: &[&str] = &["gid", "conf", "firstgid", "lastgid"];

/// Reads `cmd` as a command creating a user or a group.
pub(crate) fn account<'a>(cmd: &Cmd<'a>) -> Option<Account<'a>> {
    let args = cmd.args();
    match cmd.program() {
        "useradd" => {
            let p = getopt(args, USERADD_SHORT, USERADD_LONG);
            // `useradd -D` shows or changes defaults.
            if p.has(&["-D", "--defaults"]) {
                return None;
            }
            let [name] = p.positionals[..] else { return None };
            Some(Account { kind: AccountKind::User, name, id: p.value(&["-u", "--uid"]).map(str::to_string) })
        }
        "adduser" => {
            let p = getopt(args, ADDUSER_SHORT, ADDUSER_LONG);
            // `adduser USER GROUP` adds an existing user to a group; `--group` makes a group.
            let [name] = p.positionals[..] else { return None };
            if p.has(&["--group"]) {
                return Some(Account { kind: AccountKind::Group, name, id: p.value(&["--gid"]).map(str::to_string) });
            }
            Some(Account { kind: AccountKind::User, name, id: p.value(&["-u", "--uid"]).map(str::to_string) })
        }
        "groupadd" | "addgroup" => {
            let p = if cmd.program() == "groupadd" {
                getopt(args, GROUPADD_SHORT, GROUPADD_LONG)
            } else {
                getopt(args, ADDGROUP_SHORT, ADDGROUP_LONG)
            };
            // `addgroup USER GROUP` adds a user to a group.
            let [name] = p.positionals[..] else { return None };
            Some(Account { kind: AccountKind::Group, name, id: p.value(&["-g", "--gid"]).map(str::to_string) })
        }
        _ => None,
    }
}

/// The word's source span, when its source text is exactly what the shell read (no escape,
/// quote mapping or continuation inside it): only then can an edit be placed around it.
pub(crate) fn verbatim_span(cx: &DockerfileContext<'_>, run: &ShellRun, word: &Word) -> Option<Span> {
    let logical = run.script.as_str().get(word.span.clone())?;
    let span = run.word_span(word);
    (cx.file.slice(span) == logical).then_some(span)
}

/// `value` (a word of instruction `instruction`) with the build arguments and `ENV` variables
/// the shell sees substituted; `None` when one is unknown or a command substitution is used.
pub(crate) fn shell_str(cx: &DockerfileContext<'_>, instruction: usize, value: &str) -> Option<String> {
    if !value.contains('$') && !value.contains('`') {
        return Some(value.to_string());
    }
    if value.contains("$(") || value.contains('`') {
        return None;
    }
    let e = cx.scopes.at(instruction).expand(value, '\\');
    e.is_complete().then_some(e.value)
}

/// The value of a shell word of instruction `instruction`, with the build arguments and `ENV`
/// variables the shell sees substituted; `None` when one is unknown.
pub(crate) fn shell_value(cx: &DockerfileContext<'_>, instruction: usize, word: &Word) -> Option<String> {
    if !word.expands {
        return Some(word.value.clone());
    }
    if word.value.contains("$(") || word.value.contains('`') {
        return None;
    }
    let e = cx.scopes.at(instruction).expand(&word.value, '\\');
    e.is_complete().then_some(e.value)
}

/// A plain decimal id (`10001`), not a variable or an expression.
pub(crate) fn numeric_id(value: &str) -> Option<u64> {
    if value.is_empty() || value.len() > 19 || !value.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<Word> {
        rampart_shell::parse(s).commands.remove(0).words
    }

    #[test]
    fn getopt_reads_attached_and_combined_options() {
        let w = words("useradd -rmu1000 -g app --shell=/bin/sh --home /h app");
        let p = getopt(&w[1..], USERADD_SHORT, USERADD_LONG);
        assert_eq!(p.value(&["-u"]), Some("1000"));
        assert_eq!(p.value(&["-g"]), Some("app"));
        assert_eq!(p.value(&["--shell"]), Some("/bin/sh"));
        assert!(p.has(&["-r"]) && p.has(&["-m"]));
        assert_eq!(p.positionals.len(), 1);
        assert_eq!(p.positionals[0].value, "app");
    }

    #[test]
    fn numeric_ids() {
        assert_eq!(numeric_id("10001"), Some(10001));
        assert_eq!(numeric_id("$UID"), None);
        assert_eq!(numeric_id("99999999999999999999999"), None);
        assert_eq!(numeric_id(""), None);
    }
}

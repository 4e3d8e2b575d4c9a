//! What the supply-chain rules share: URLs, environment settings made by any means
//! (`ENV`, `ARG`, `X=1 cmd`, `export`), text written into configuration files, and removing
//! a flag word from a command.

use rampart_diagnostics::{Edit, Fix, Span};
use rampart_dockerfile::Body;
use rampart_shell::Word;

use crate::dockerfile::{Cmd, DockerfileContext};

/// The host of an `http://`/`https://`/`git://`… URL, lower-cased, without user info or port.
pub(crate) fn url_host(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        format!("[{}]", v6.split(']').next().unwrap_or(""))
    } else {
        authority.split(':').next().unwrap_or("").to_string()
    };
    Some(host.to_ascii_lowercase())
}

/// A URL for a message: credentials in it redacted, long ones shortened.
pub(crate) fn display_url(url: &str) -> String {
    let mut shown = url.to_string();
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some((user, host)) = rest[..authority_end].rsplit_once('@') {
            shown = format!("{scheme}://{}@{host}{}", rampart_secrets::redact(user), &rest[authority_end..]);
        }
    }
    if shown.chars().count() > 80 {
        let cut: String = shown.chars().take(77).collect();
        shown = format!("{cut}…");
    }
    shown
}

/// `localhost`, `127.0.0.0/8`, `[::1]`.
pub(crate) fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") || host == "[::1]" {
        return true;
    }
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4 && parts[0] == "127" && parts.iter().all(|p| !p.is_empty() && p.parse::<u8>().is_ok())
}

/// Whether `value` starts with `prefix`, ignoring ASCII case.
pub(crate) fn starts_with_ci(value: &str, prefix: &str) -> bool {
    value.len() >= prefix.len() && value.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// `true`, `1`, `yes`, `on` (any case, quotes and a trailing `;` removed).
pub(crate) fn is_true(value: &str) -> bool {
    matches!(unquote(value).to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on")
}

/// `false`, `0`, `no`, `off` (any case, quotes and a trailing `;` removed).
pub(crate) fn is_false(value: &str) -> bool {
    matches!(unquote(value).to_ascii_lowercase().as_str(), "false" | "0" | "no" | "off")
}

fn unquote(value: &str) -> &str {
    value.trim().trim_end_matches(';').trim().trim_matches(['"', '\''])
}

/// An environment variable set for build steps or the running image.
pub(crate) struct Setting {
    pub name: String,
    /// `None` when the value is not known (an unresolved build argument).
    pub value: Option<String>,
    pub span: Span,
    /// How it was set, for messages: `ENV`, `ARG`, `export`, or `a command prefix`.
    pub how: &'static str,
}

/// Every environment setting of the Dockerfile: `ENV`, `ARG` defaults (build arguments are
/// in the environment of `RUN`), `NAME=value cmd` prefixes, `env NAME=value cmd` and
/// `export NAME=value` in `RUN` scripts. In every stage and in `ONBUILD` triggers.
pub(crate) fn settings(cx: &DockerfileContext<'_>) -> Vec<Setting> {
    let mut out = Vec::new();
    for (i, instr) in cx.all_instructions() {
        match &instr.body {
            Body::Env(pairs) => {
                for kv in pairs {
                    let e = cx.expand(i, &kv.value);
                    out.push(Setting {
                        name: kv.key.value.clone(),
                        value: e.is_complete().then_some(e.value),
                        span: Span::new(kv.span.start, kv.span.end),
                        how: "ENV",
                    });
                }
            }
            Body::Arg(decls) => {
                for d in decls {
                    let Some(default) = &d.default else { continue };
                    let e = cx.expand(i, default);
                    out.push(Setting {
                        name: d.name.value.clone(),
                        value: e.is_complete().then_some(e.value),
                        span: Span::new(d.span.start, d.span.end),
                        how: "ARG",
                    });
                }
            }
            _ => {}
        }
    }
    for cmd in cx.run_commands() {
        let mut push = |w: &Word, how: &'static str| {
            if let Some((name, value)) = w.value.split_once('=')
                && is_env_name(name)
            {
                out.push(Setting {
                    name: name.to_string(),
                    value: (!w.expands).then(|| value.to_string()),
                    span: cmd.word_span(w),
                    how,
                });
            }
        };
        for w in &cmd.command.assignments {
            push(w, "a command prefix");
        }
        let words = &cmd.command.words;
        match words.first().map(|w| w.basename()) {
            Some("export" | "declare" | "typeset") => {
                for w in &words[1..] {
                    push(w, "export");
                }
            }
            Some("env") => {
                for w in words[1..].iter().take_while(|w| w.value.starts_with('-') || w.value.contains('=')) {
                    push(w, "a command prefix");
                }
            }
            _ => {}
        }
    }
    out
}

fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// A piece of text a build step writes into a file: an `echo`/`printf` argument, a line of a
/// here-document fed to `cat`/`tee` or copied with `COPY <<EOF`, or the replacement of a
/// `sed` substitution.
pub(crate) struct Written {
    /// The file written, as given (`None` when it cannot be told).
    pub dest: Option<String>,
    pub text: String,
    pub span: Span,
}

/// Every piece of text written to a file by `RUN` scripts and `COPY`/`ADD` heredocs.
pub(crate) fn written_text(cx: &DockerfileContext<'_>) -> Vec<Written> {
    let mut out = Vec::new();
    let commands: Vec<Cmd<'_>> = cx.run_commands().collect();
    for (n, cmd) in commands.iter().enumerate() {
        let program = cmd.program();
        match program {
            "echo" | "printf" => {
                let dest = redirect_target(cmd).or_else(|| tee_target(&commands, n));
                if dest.is_none() {
                    continue;
                }
                for w in cmd.args().iter().filter(|w| !(program == "echo" && is_echo_option(&w.value))) {
                    out.push(Written { dest: dest.clone(), text: unescape(&w.value), span: cmd.word_span(w) });
                }
            }
            "cat" | "tee" => {
                let dest = if program == "tee" { first_operand(cmd.args()) } else { redirect_target(cmd) };
                let Some(dest) = dest else { continue };
                for r in &cmd.command.redirects {
                    let Some(body) = &r.heredoc_body else { continue };
                    let Some(text) = cmd.run.script.as_str().get(body.clone()) else { continue };
                    let mut offset = body.start;
                    for line in text.split_inclusive('\n') {
                        let span = cmd.run.span(offset..offset + line.trim_end().len());
                        out.push(Written { dest: Some(dest.clone()), text: line.trim_end().to_string(), span });
                        offset += line.len();
                    }
                }
            }
            "sed" => out.extend(sed_replacements(cmd)),
            _ => {}
        }
    }
    for (i, instr) in cx.all_instructions() {
        let (Body::Copy(copy) | Body::Add(copy)) = &instr.body else { continue };
        let dest = copy.dest.as_ref().map(|d| cx.expand(i, d).value).unwrap_or_default();
        for h in &instr.heredocs {
            let file = if instr.heredocs.len() > 1 || dest.ends_with('/') {
                format!("{}/{}", dest.trim_end_matches('/'), h.delimiter)
            } else {
                dest.clone()
            };
            let verbatim = !h.strip_tabs && h.body.len() == h.body_span.len();
            let mut offset = h.body_span.start;
            for line in h.body.split_inclusive('\n') {
                let len = line.trim_end().len();
                let span = if verbatim {
                    Span::new(offset, offset + len)
                } else {
                    Span::new(h.body_span.start, h.body_span.end)
                };
                out.push(Written { dest: Some(file.clone()), text: line.trim_end().to_string(), span });
                offset += line.len();
            }
        }
    }
    out
}

fn is_echo_option(v: &str) -> bool {
    v.len() > 1 && v.starts_with('-') && v[1..].chars().all(|c| matches!(c, 'e' | 'n' | 'E'))
}

/// `\n` and `\t` escapes as `echo -e`/`printf` write them.
fn unescape(v: &str) -> String {
    v.replace("\\n", "\n").replace("\\t", "\t")
}

/// The file a command's standard output goes to (`> f`, `>> f`).
fn redirect_target(cmd: &Cmd<'_>) -> Option<String> {
    cmd.command
        .redirects
        .iter()
        .filter(|r| matches!(r.op.as_str(), ">" | ">>" | ">|") && matches!(r.fd, None | Some(1)))
        .rev()
        .find_map(|r| r.target.as_ref().map(|t| t.value.clone()))
}

/// The file of a `tee` that `commands[n]` pipes into.
fn tee_target(commands: &[Cmd<'_>], n: usize) -> Option<String> {
    let run = commands[n].run;
    let cmd = commands[n].command;
    if !cmd.pipes_into_next() {
        return None;
    }
    let next = commands[n + 1..].iter().find(|c| {
        std::ptr::eq(c.run, run)
            && c.command.pipeline == cmd.pipeline
            && c.command.pipeline_index == cmd.pipeline_index + 1
    })?;
    (next.program() == "tee").then(|| first_operand(next.args())).flatten()
}

fn first_operand(args: &[Word]) -> Option<String> {
    args.iter().find(|w| !rampart_shell::is_option(w)).map(|w| w.value.clone())
}

/// The replacement text of each `s/…/…/` expression of `sed`, with the files it edits.
fn sed_replacements(cmd: &Cmd<'_>) -> Vec<Written> {
    let args = cmd.args();
    let mut exprs: Vec<&Word> = Vec::new();
    let mut operands: Vec<&Word> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let v = args[i].value.as_str();
        if v == "-e" || v == "--expression" {
            if let Some(w) = args.get(i + 1) {
                exprs.push(w);
            }
            i += 2;
            continue;
        }
        if v == "-f" || v == "--file" {
            i += 2;
            continue;
        }
        if !rampart_shell::is_option(&args[i]) {
            operands.push(&args[i]);
        }
        i += 1;
    }
    if exprs.is_empty() && !operands.is_empty() {
        exprs.push(operands.remove(0));
    }
    let dest = operands.first().map(|w| w.value.clone());
    let mut out = Vec::new();
    for e in exprs {
        for part in e.value.split(['\n', ';']) {
            if let Some(replacement) = sed_replacement(part.trim()) {
                out.push(Written { dest: dest.clone(), text: replacement, span: cmd.word_span(e) });
            }
        }
    }
    out
}

/// The replacement of `s<d>pattern<d>replacement<d>flags` (an address prefix is allowed).
fn sed_replacement(expr: &str) -> Option<String> {
    let start = expr.find('s')?;
    let rest = &expr[start + 1..];
    let delim = rest.chars().next()?;
    if delim.is_alphanumeric() || delim == '\\' || delim.is_whitespace() {
        return None;
    }
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut chars = rest[delim.len_utf8()..].chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                if n != delim {
                    current.push('\\');
                }
                current.push(n);
            }
            continue;
        }
        if c == delim {
            fields.push(std::mem::take(&mut current));
            if fields.len() == 2 {
                break;
            }
            continue;
        }
        current.push(c);
    }
    if fields.len() < 2 {
        // `s/a/b` without the closing delimiter: sed refuses it.
        return None;
    }
    Some(fields.swap_remove(1))
}

/// `key = value` / `key=value` / `key: value` / `key "value";` read from one line of a
/// configuration file, the key lower-cased. Comment lines give nothing.
pub(crate) fn config_setting(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.starts_with('#') || line.starts_with(';') || line.starts_with("//") {
        return None;
    }
    let (key, value) = match line.find(['=', ':']) {
        // `Acquire::https::Verify-Peer "false";` keeps `::` in the key.
        Some(p) if line[p..].starts_with("::") => line.split_once(char::is_whitespace)?,
        Some(p) => (&line[..p], &line[p + 1..]),
        None => line.split_once(char::is_whitespace)?,
    };
    Some((key.trim().to_ascii_lowercase(), value.trim().to_string()))
}

/// An unsafe fix that deletes `words` (flags with their values) from a command, with the
/// whitespace that separated them, when each is written plainly in the source.
pub(crate) fn delete_words_fix(cx: &DockerfileContext<'_>, cmd: &Cmd<'_>, words: &[&Word], title: &str) -> Option<Fix> {
    let text = cx.file.text();
    let mut edits = Vec::new();
    for w in words {
        let span = cmd.word_span(w);
        if text.get(span.start..span.end) != Some(w.value.as_str()) || w.value.is_empty() {
            return None;
        }
        edits.push(Edit::delete(deletion(text, span)));
    }
    // Adjacent words (`-o X=true`) become one edit.
    edits.sort_by_key(|e| e.span.start);
    let mut merged: Vec<Edit> = Vec::new();
    for e in edits {
        if let Some(last) = merged.last_mut()
            && e.span.start <= last.span.end
        {
            last.span = last.span.cover(e.span);
            continue;
        }
        merged.push(e);
    }
    Some(Fix::unsafe_(title, merged))
}

/// The range to delete for a word: the whole line when the word is alone on a continuation
/// line, else the word and the blanks after it (or before it, at the end of a line).
fn deletion(text: &str, span: Span) -> Span {
    let bytes = text.as_bytes();
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.end..].find('\n').map_or(text.len(), |i| span.end + i);
    let before = &text[line_start..span.start];
    let after = &text[span.end..line_end];
    if before.trim().is_empty() && after.trim() == "\\" && line_end < text.len() {
        return Span::new(line_start, line_end + 1);
    }
    let mut end = span.end;
    while end < line_end && matches!(bytes[end], b' ' | b'\t') {
        end += 1;
    }
    if end > span.end && end < line_end && bytes[end] != b'\\' {
        return Span::new(span.start, end);
    }
    let mut start = span.start;
    while start > line_start && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    Span::new(start, span.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(url_host("http://user:pw@Example.com:8080/x").as_deref(), Some("example.com"));
        assert_eq!(url_host("http://[::1]:80/").as_deref(), Some("[::1]"));
        assert!(is_loopback("127.0.0.1") && is_loopback("localhost") && !is_loopback("127.example.com"));
    }

    #[test]
    fn sed() {
        assert_eq!(sed_replacement("s/gpgcheck=1/gpgcheck=0/g").as_deref(), Some("gpgcheck=0"));
        assert_eq!(sed_replacement("/^\\[main\\]/s|a|b|").as_deref(), Some("b"));
        assert_eq!(sed_replacement("s/a/b"), None);
        assert_eq!(sed_replacement("s"), None);
    }

    #[test]
    fn config_lines() {
        assert_eq!(config_setting("gpgcheck = 0"), Some(("gpgcheck".into(), "0".into())));
        assert_eq!(
            config_setting("Acquire::https::Verify-Peer \"false\";"),
            Some(("acquire::https::verify-peer".into(), "\"false\";".into()))
        );
        assert_eq!(config_setting("# gpgcheck=0"), None);
    }

    #[test]
    fn deletions() {
        let t = "RUN curl -k https://x\n";
        assert_eq!(deletion(t, Span::new(9, 11)), Span::new(9, 12));
        let t = "RUN curl https://x -k\n";
        assert_eq!(deletion(t, Span::new(19, 21)), Span::new(18, 21));
        let t = "RUN curl \\\n  -k \\\n  https://x\n";
        assert_eq!(deletion(t, Span::new(13, 15)), Span::new(11, 18));
    }
}

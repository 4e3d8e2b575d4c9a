//! Helpers shared by the secrets rules.

use std::ops::Range;

use rampart_diagnostics::Span;
use rampart_dockerfile::{Body, Instruction};
use rampart_shell::Word;

use crate::dockerfile::DockerfileContext;

pub(super) fn span(r: &Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

/// For a password in a URL (`https://user:pass@host`) or an npm setting (`_authToken=…`),
/// the range of the password or token within `range` of `text`; otherwise `range`.
pub(crate) fn narrow(kind: &rampart_secrets::SecretKind, text: &str, range: Range<usize>) -> Range<usize> {
    let Some(m) = text.get(range.clone()) else { return range };
    if kind.id == rampart_secrets::NPM_AUTH.id {
        return match m.find('=') {
            Some(eq) => {
                let value = &m[eq + 1..];
                let start = range.start + eq + 1 + (value.len() - value.trim_start().len());
                start..range.end
            }
            None => range,
        };
    }
    if kind.id != rampart_secrets::URL_CREDENTIALS.id {
        return range;
    }
    let Some(scheme_end) = m.find("://") else { return range };
    let rest = &m[scheme_end + 3..];
    match (rest.find(':'), rest.rfind('@')) {
        (Some(colon), Some(at)) if colon < at => {
            let base = range.start + scheme_end + 3;
            base + colon + 1..base + at
        }
        _ => range,
    }
}

/// A `--mount=type=secret` of a `RUN`.
#[derive(Debug)]
pub(super) struct SecretMount {
    pub id: String,
    /// Files the secret is mounted at (none when it is only exposed as `env=`).
    pub paths: Vec<String>,
    pub env: Option<String>,
    pub flag: Range<usize>,
}

/// The secret mounts of a `RUN`.
pub(super) fn secret_mounts(instr: &Instruction) -> Vec<SecretMount> {
    let mut out = Vec::new();
    for flag in instr.flags_named("mount") {
        let options = flag.options();
        let get = |key: &str| options.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        if !get("type").is_some_and(|t| t.eq_ignore_ascii_case("secret")) {
            continue;
        }
        let target = get("target").or_else(|| get("dst")).or_else(|| get("destination")).filter(|t| !t.is_empty());
        let env = get("env").filter(|e| !e.is_empty());
        let id = get("id")
            .filter(|i| !i.is_empty())
            .or_else(|| target.as_ref().map(|t| t.rsplit('/').next().unwrap_or(t).to_string()))
            .unwrap_or_default();
        let paths = match (&target, &env) {
            (Some(t), _) => vec![t.clone()],
            (None, None) if !id.is_empty() => vec![format!("/run/secrets/{id}")],
            _ => Vec::new(),
        };
        out.push(SecretMount { id, paths, env, flag: flag.span.clone() });
    }
    out
}

/// Targets of the `cache`, `tmpfs` and `bind` mounts of a `RUN`: files written there do
/// not end up in the layer.
pub(super) fn scratch_mount_targets(instr: &Instruction) -> Vec<String> {
    instr
        .flags_named("mount")
        .filter_map(|flag| {
            let options = flag.options();
            let get = |key: &str| options.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            let kind = get("type").unwrap_or_else(|| "bind".to_string()).to_ascii_lowercase();
            if !matches!(kind.as_str(), "cache" | "tmpfs" | "bind") {
                return None;
            }
            get("target").or_else(|| get("dst")).or_else(|| get("destination")).filter(|t| !t.is_empty())
        })
        .collect()
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The byte range of the first `$NAME` or `${NAME…}` in `text` (not `\$NAME`).
pub(super) fn find_var_ref(text: &str, name: &str) -> Option<Range<usize>> {
    if name.is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find('$')) {
        let i = from + pos;
        from = i + 1;
        if i > 0 && bytes[i - 1] == b'\\' {
            continue;
        }
        let rest = &text[i + 1..];
        if let Some(after) = rest.strip_prefix(name) {
            if !after.bytes().next().is_some_and(is_name_byte) {
                return Some(i..i + 1 + name.len());
            }
        } else if let Some(after) = rest.strip_prefix('{').and_then(|r| r.strip_prefix(name)) {
            match after.bytes().next() {
                Some(b'}') => return Some(i..i + 3 + name.len()),
                Some(b':' | b'-' | b'+' | b'?' | b'#' | b'%' | b'/' | b'=') => {
                    let start = i + 2 + name.len();
                    let end = after.find('}').map_or(text.len(), |e| start + e + 1);
                    return Some(i..end);
                }
                _ => {}
            }
        }
    }
    None
}

/// Whether `text` mentions the file `path` (`/run/secrets/npm`, not `/run/secrets/npmrc`).
pub(super) fn mentions_path(text: &str, path: &str) -> bool {
    if path.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find(path)) {
        let end = from + pos + path.len();
        if !text.as_bytes().get(end).is_some_and(|&b| is_name_byte(b) || b == b'-' || b == b'.') {
            return true;
        }
        from = from + pos + 1;
    }
    false
}

/// The script range of `sub` (a range of `w.value`) when the word is written verbatim in
/// the script; otherwise the whole word.
pub(super) fn word_sub_span(script: &str, w: &Word, sub: Range<usize>) -> Range<usize> {
    if script.get(w.span.clone()) == Some(w.value.as_str()) && sub.end <= w.value.len() && sub.start <= sub.end {
        w.span.start + sub.start..w.span.start + sub.end
    } else {
        w.span.clone()
    }
}

/// A build argument declared in a stage.
#[derive(Clone, Debug)]
pub(super) struct BuildArg {
    pub name: String,
    /// The `ARG` declaration.
    pub decl: Range<usize>,
}

/// The build arguments with secret-like names that each instruction of the stages sees as
/// arguments: declared by `ARG` earlier in its stage and not overridden by an `ENV` of the
/// same name since. Computed in one pass; `at(i)` lists them in declaration order.
pub(super) struct SecretArgs {
    /// For each stage, in order.
    events: Vec<Vec<ArgEvent>>,
}

/// (instruction, name, the `ARG` declaration or `None` for an `ENV` overriding it)
type ArgEvent = (usize, String, Option<Range<usize>>);

impl SecretArgs {
    pub(super) fn new(cx: &DockerfileContext<'_>) -> SecretArgs {
        let mut events = Vec::with_capacity(cx.stages.len());
        for stage in &cx.stages {
            let mut list = Vec::new();
            for j in stage.body() {
                match &cx.instruction(j).body {
                    Body::Arg(decls) => {
                        for d in decls.iter().filter(|d| rampart_secrets::is_secret_name(&d.name.value)) {
                            list.push((j, d.name.value.clone(), Some(d.span.clone())));
                        }
                    }
                    Body::Env(pairs) => {
                        for kv in pairs.iter().filter(|kv| rampart_secrets::is_secret_name(&kv.key.value)) {
                            list.push((j, kv.key.value.clone(), None));
                        }
                    }
                    _ => {}
                }
            }
            events.push(list);
        }
        SecretArgs { events }
    }

    /// The secret-named build arguments instruction `i` sees.
    pub(super) fn at(&self, cx: &DockerfileContext<'_>, i: usize) -> Vec<BuildArg> {
        let Some(stage) = cx.stage_of(i) else { return Vec::new() };
        let Some(events) = self.events.get(stage.index) else { return Vec::new() };
        let visible = events.partition_point(|(j, _, _)| *j < i);
        let mut current: std::collections::HashMap<&str, (usize, &Range<usize>)> = std::collections::HashMap::new();
        for (n, (_, name, decl)) in events[..visible].iter().enumerate() {
            match decl {
                Some(d) => {
                    current.insert(name, (n, d));
                }
                None => {
                    current.remove(name.as_str());
                }
            }
        }
        let mut out: Vec<(usize, BuildArg)> = current
            .into_iter()
            .map(|(name, (n, decl))| (n, BuildArg { name: name.to_string(), decl: decl.clone() }))
            .collect();
        out.sort_by_key(|(n, _)| *n);
        out.into_iter().map(|(_, a)| a).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_references() {
        assert_eq!(find_var_ref("echo $TOKEN", "TOKEN"), Some(5..11));
        assert_eq!(find_var_ref("echo ${TOKEN}x", "TOKEN"), Some(5..13));
        assert_eq!(find_var_ref("echo ${TOKEN:-a}", "TOKEN"), Some(5..16));
        assert_eq!(find_var_ref("echo $TOKENS \\$TOKEN ${TOKENX}", "TOKEN"), None);
        assert_eq!(find_var_ref("é$T", "T"), Some(2..4));
        assert_eq!(find_var_ref("${T", "T"), None);
        assert_eq!(find_var_ref("${T:-", "T"), Some(0..5));
    }

    #[test]
    fn paths() {
        assert!(mentions_path("cat /run/secrets/npm > x", "/run/secrets/npm"));
        assert!(mentions_path("\"$(cat /run/secrets/npm)\"", "/run/secrets/npm"));
        assert!(!mentions_path("cat /run/secrets/npmrc", "/run/secrets/npm"));
    }
}

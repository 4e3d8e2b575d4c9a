//! Helpers shared by the runtime rules.

use rampart_diagnostics::{Edit, Span};
use rampart_dockerfile::{Body, Instruction, StageRef};

use crate::dockerfile::DockerfileContext;

const NON_POSIX: &[&str] = &["powershell", "powershell.exe", "pwsh", "pwsh.exe", "cmd", "cmd.exe"];

/// Windows absolute paths: `C:\app`, `c:/app`, `\app`.
pub(super) fn is_windows_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':') || path.starts_with('\\')
}

/// What the working directory is at an instruction, from the `WORKDIR`s before it.
#[derive(Clone, Debug)]
pub(super) struct Workdir {
    /// A `WORKDIR` was set earlier in the stage chain.
    pub set: bool,
    /// The resolved absolute directory, when every `WORKDIR` could be resolved and the
    /// first of them (after the last absolute one) was absolute.
    pub path: Option<String>,
    /// No `WORKDIR` that made up `path` uses a variable.
    pub literal: bool,
}

impl Default for Workdir {
    fn default() -> Self {
        Workdir { set: false, path: None, literal: true }
    }
}

/// What the stage chain has set before an instruction.
#[derive(Clone, Debug, Default)]
pub(super) struct Before {
    pub workdir: Workdir,
    /// The `SHELL` instruction in force.
    pub shell: Option<usize>,
}

/// [`Before`] for every instruction, computed in one pass (stages inherit from the stage
/// they are built `FROM`).
pub(super) struct ChainState {
    before: Vec<Before>,
    /// For each stage, the first stage of its chain (the one built on an image).
    roots: Vec<usize>,
}

impl ChainState {
    pub(super) fn new(cx: &DockerfileContext<'_>) -> ChainState {
        let mut before = vec![Before::default(); cx.df.instructions.len()];
        let mut ends: Vec<Before> = Vec::with_capacity(cx.stages.len());
        let mut roots: Vec<usize> = Vec::with_capacity(cx.stages.len());
        for stage in &cx.stages {
            let (mut current, root) = match stage.base {
                StageRef::Stage(parent) if parent < ends.len() => (ends[parent].clone(), roots[parent]),
                _ => (Before::default(), stage.index),
            };
            roots.push(root);
            for j in stage.body() {
                let Some(slot) = before.get_mut(j) else { break };
                *slot = current.clone();
                match &cx.instruction(j).body {
                    Body::Workdir(word) => update_workdir(cx, j, word, &mut current.workdir),
                    Body::Shell(_) => current.shell = Some(j),
                    _ => {}
                }
            }
            ends.push(current);
        }
        ChainState { before, roots }
    }

    /// The first stage of the chain `stage` is built on.
    pub(super) fn root(&self, stage: usize) -> usize {
        self.roots.get(stage).copied().unwrap_or(stage)
    }

    pub(super) fn at(&self, i: usize) -> Before {
        self.before.get(i).cloned().unwrap_or_default()
    }

    /// Whether instruction `i` is built for Windows: the escape directive is `` ` ``, or
    /// the `SHELL` in force runs PowerShell or cmd.
    pub(super) fn is_windows(&self, cx: &DockerfileContext<'_>, i: usize) -> bool {
        if cx.df.escape == '`' {
            return true;
        }
        let Some(shell) = self.before.get(i).and_then(|b| b.shell) else { return false };
        let Body::Shell(words) = &cx.instruction(shell).body else { return false };
        let program = words.first().map(|w| w.value.rsplit(['/', '\\']).next().unwrap_or("").to_ascii_lowercase());
        program.is_some_and(|p| NON_POSIX.contains(&p.as_str()))
    }
}

fn update_workdir(cx: &DockerfileContext<'_>, j: usize, word: &rampart_dockerfile::Word, wd: &mut Workdir) {
    wd.set = true;
    let value = cx.expand(j, word);
    let v = value.value.trim();
    if !value.is_complete() || v.is_empty() {
        wd.path = None;
        return;
    }
    let literal = !word.raw.contains('$');
    if v.starts_with('/') || is_windows_absolute(v) {
        wd.path = Some(v.to_string());
        wd.literal = literal;
    } else if let Some(base) = &wd.path {
        wd.path = Some(join(base, v));
        wd.literal &= literal;
    }
}

/// `base` joined with the relative `rel` (`./` removed).
pub(super) fn join(base: &str, rel: &str) -> String {
    let rel = rel.trim_start_matches("./");
    let base = base.trim_end_matches('/');
    if rel.is_empty() || rel == "." {
        if base.is_empty() { "/".into() } else { base.to_string() }
    } else {
        format!("{base}/{rel}")
    }
}

/// Lexically cleans an absolute path: no `.`, `..` or empty components, no trailing `/`.
pub(super) fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// An edit deleting the whole lines of an instruction.
pub(super) fn delete_lines(cx: &DockerfileContext<'_>, instr: &Instruction) -> Option<Edit> {
    let text = cx.file.text();
    let start = text.get(..instr.span.start)?.rfind('\n').map_or(0, |p| p + 1);
    if !text.get(start..instr.span.start)?.trim().is_empty() {
        return None;
    }
    let end = instr.span.end.min(text.len());
    let rest = text.get(end..)?;
    let line_end = rest.find('\n').map_or(text.len(), |p| end + p + 1);
    if !text.get(end..line_end)?.trim().is_empty() {
        return None;
    }
    Some(Edit::delete(Span::new(start, line_end)))
}

/// The byte offset where the line holding `offset` starts.
pub(super) fn line_start(cx: &DockerfileContext<'_>, offset: usize) -> usize {
    crate::dockerfile::facts::line_start(cx.file.text(), offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(join("/app", "./src"), "/app/src");
        assert_eq!(join("/", "src"), "/src");
        assert_eq!(join("/app/", "."), "/app");
        assert_eq!(clean("/usr//local/../bin/."), "/usr/bin");
        assert_eq!(clean("/.."), "/");
        assert!(is_windows_absolute("C:\\app") && is_windows_absolute("c:/app") && !is_windows_absolute("app"));
    }
}

/// An `EXPOSE` port or port range.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct PortSpec {
    pub start: u32,
    pub end: u32,
    /// Lower-case protocol: `tcp` unless given.
    pub proto: String,
}

/// Parses `80`, `80/tcp`, `8000-8010/udp` as the builder does; the error says what is wrong.
pub(super) fn parse_port(spec: &str) -> Result<PortSpec, String> {
    if spec.contains(':') {
        return Err("EXPOSE takes the container port only: a host IP or port mapping belongs to `docker run -p`".into());
    }
    let (ports, proto) = match spec.split_once('/') {
        Some((p, proto)) => (p, proto.to_ascii_lowercase()),
        None => (spec, String::new()),
    };
    let proto = if proto.is_empty() { "tcp".to_string() } else { proto };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("unknown protocol `{proto}`: use tcp, udp or sctp"));
    }
    let number = |s: &str| -> Result<u32, String> {
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("`{s}` is not a port number"));
        }
        match s.parse::<u32>() {
            Ok(n) if n <= 65535 => Ok(n),
            _ => Err(format!("port {s} is out of range: ports go from 0 to 65535")),
        }
    };
    let (start, end) = match ports.split_once('-') {
        Some((a, b)) => (number(a)?, number(b)?),
        None => {
            let n = number(ports)?;
            (n, n)
        }
    };
    if start > end {
        return Err(format!("the range {start}-{end} ends before it starts"));
    }
    Ok(PortSpec { start, end, proto })
}

#[cfg(test)]
mod port_tests {
    use super::*;

    #[test]
    fn ports() {
        assert_eq!(parse_port("22").unwrap(), PortSpec { start: 22, end: 22, proto: "tcp".into() });
        assert_eq!(parse_port("20-25/UDP").unwrap(), PortSpec { start: 20, end: 25, proto: "udp".into() });
        assert!(parse_port("80/").is_ok());
        for bad in ["70000", "80/http", "90-80", "abc", "", "-1", "80:80", "1-", "99999999999999999999"] {
            assert!(parse_port(bad).is_err(), "{bad}");
        }
    }
}

//! Build stages, variable scopes and the shell scripts an instruction runs.

use std::collections::HashMap;
use std::ops::Range;

use crate::expand::{Expansion, expand};
use crate::image_ref::ImageRef;
use crate::text::MappedText;
use crate::{Body, CommandForm, Dockerfile, Healthcheck, Instruction};

/// What a stage is built on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageRef {
    /// An earlier stage of the same Dockerfile, by index.
    Stage(usize),
    Image(ImageRef),
    Scratch,
    /// The `FROM` argument does not resolve to a valid reference (after build-arg expansion).
    Unparsable(String),
}

/// One build stage: a `FROM` and the instructions up to the next `FROM`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// Index of the `FROM` instruction in [`Dockerfile::instructions`].
    pub from: usize,
    /// One past the stage's last instruction.
    pub end: usize,
    /// The `AS` name, lower-cased (stage names are case-insensitive).
    pub name: Option<String>,
    /// The `FROM` argument after expanding global build arguments.
    pub image: Expansion,
    pub base: StageRef,
}

impl Stage {
    /// Indices of the instructions after `FROM`.
    pub fn body(&self) -> Range<usize> {
        self.from + 1..self.end
    }
}

#[derive(Clone, Debug, Default)]
struct Vars {
    /// (name, value) in declaration order; `None` for `ARG NAME` without a known value.
    entries: Vec<(String, Option<String>)>,
    by_name: HashMap<String, Vec<usize>>,
}

impl Vars {
    fn push(&mut self, name: String, value: Option<String>) {
        self.by_name.entry(name.clone()).or_default().push(self.entries.len());
        self.entries.push((name, value));
    }

    /// The latest entry for `name` among the first `len` entries.
    fn get(&self, name: &str, len: usize) -> Option<&Option<String>> {
        let positions = self.by_name.get(name)?;
        let i = positions.partition_point(|&p| p < len).checked_sub(1)?;
        Some(&self.entries[positions[i]].1)
    }
}

/// Build-time variables (`ARG` and `ENV`) visible at every instruction.
#[derive(Clone, Debug, Default)]
pub struct Scopes {
    global: Vars,
    stages: Vec<Vars>,
    /// For each instruction: (stage, number of entries visible) — `None` before the first FROM.
    at: Vec<(Option<usize>, usize)>,
}

/// The variables visible at one instruction.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    vars: &'a Vars,
    len: usize,
    global: &'a Vars,
    in_stage: bool,
}

impl Scope<'_> {
    /// The value of `name`: `None` when undeclared or declared without a known value.
    pub fn lookup(&self, name: &str) -> Option<String> {
        self.vars.get(name, self.len).cloned().flatten()
    }

    pub fn is_declared(&self, name: &str) -> bool {
        self.vars.get(name, self.len).is_some()
    }

    /// Expands a raw word with these variables (see [`expand`]).
    pub fn expand(&self, raw: &str, escape: char) -> Expansion {
        expand(raw, escape, &|name| self.lookup(name))
    }

    /// Whether this scope is inside a stage (not the global `ARG` section).
    pub fn in_stage(&self) -> bool {
        self.in_stage
    }

    /// Global build arguments (declared before the first `FROM`).
    pub fn global_default(&self, name: &str) -> Option<String> {
        self.global.get(name, usize::MAX).cloned().flatten()
    }
}

impl Scopes {
    pub fn at(&self, instruction: usize) -> Scope<'_> {
        match self.at.get(instruction) {
            Some(&(Some(stage), len)) => Scope { vars: &self.stages[stage], len, global: &self.global, in_stage: true },
            Some(&(None, len)) => Scope { vars: &self.global, len, global: &self.global, in_stage: false },
            None => Scope { vars: &self.global, len: usize::MAX, global: &self.global, in_stage: false },
        }
    }

    /// The scope `FROM` lines are expanded in: every global `ARG`.
    pub fn global(&self) -> Scope<'_> {
        Scope { vars: &self.global, len: usize::MAX, global: &self.global, in_stage: false }
    }
}

impl Dockerfile {
    /// The build stages, in order, with their bases resolved.
    pub fn stages(&self) -> Vec<Stage> {
        let scopes = self.global_only_scopes();
        let global = scopes.global();
        let mut stages: Vec<Stage> = Vec::new();
        for (i, instr) in self.instructions.iter().enumerate() {
            if let Body::From { image, alias } = &instr.body {
                if let Some(last) = stages.last_mut() {
                    last.end = i;
                }
                let expanded = global.expand(&image.raw, self.escape);
                let base = resolve_base(&expanded.value, &stages);
                stages.push(Stage {
                    index: stages.len(),
                    from: i,
                    end: self.instructions.len(),
                    name: alias.as_ref().map(|a| a.value.to_ascii_lowercase()),
                    image: expanded,
                    base,
                });
            }
        }
        stages
    }

    fn global_only_scopes(&self) -> Scopes {
        let mut global = Vars::default();
        for instr in &self.instructions {
            match &instr.body {
                Body::From { .. } => break,
                Body::Arg(decls) => {
                    for d in decls {
                        let value = d.default.as_ref().map(|v| {
                            expand(&v.raw, self.escape, &|n| global.get(n, usize::MAX).cloned().flatten()).value
                        });
                        global.push(d.name.value.clone(), value);
                    }
                }
                _ => {}
            }
        }
        Scopes { global, stages: Vec::new(), at: Vec::new() }
    }

    /// Variables visible at each instruction: global `ARG`s before the first `FROM`; in a
    /// stage, the `ENV` of its parent stage, then its own `ARG`s (a bare `ARG NAME` takes
    /// the global default) and `ENV`s.
    pub fn scopes(&self, stages: &[Stage]) -> Scopes {
        let mut scopes = self.global_only_scopes();
        let mut stage_vars: Vec<Vars> = Vec::with_capacity(stages.len());
        let mut env_only: Vec<Vec<(String, Option<String>)>> = Vec::with_capacity(stages.len());
        let mut at = vec![(None, 0); self.instructions.len()];
        let mut global_len = 0;
        for (i, instr) in self.instructions.iter().enumerate() {
            if stages.first().is_some_and(|s| i >= s.from) {
                break;
            }
            at[i] = (None, global_len);
            if let Body::Arg(decls) = &instr.body {
                global_len += decls.len();
            }
        }
        for stage in stages {
            let mut vars = Vars::default();
            let mut envs = Vec::new();
            if let StageRef::Stage(parent) = stage.base
                && let Some(parent_env) = env_only.get(parent)
            {
                for (k, v) in parent_env {
                    vars.push(k.clone(), v.clone());
                    envs.push((k.clone(), v.clone()));
                }
            }
            at[stage.from] = (None, usize::MAX);
            for i in stage.body() {
                at[i] = (Some(stage.index), vars.entries.len());
                let Some(instr) = self.instructions.get(i) else { continue };
                let lookup_len = vars.entries.len();
                match &instr.body {
                    Body::Arg(decls) => {
                        for d in decls {
                            let value = match &d.default {
                                Some(v) => Some(
                                    expand(&v.raw, self.escape, &|n| {
                                        vars.get(n, vars.entries.len()).cloned().flatten()
                                    })
                                    .value,
                                ),
                                None => scopes.global.get(&d.name.value, usize::MAX).cloned().flatten(),
                            };
                            vars.push(d.name.value.clone(), value);
                        }
                    }
                    Body::Env(pairs) => {
                        // All values of one ENV are expanded with the variables from before it.
                        let values: Vec<_> = pairs
                            .iter()
                            .map(|kv| {
                                let e =
                                    expand(&kv.value.raw, self.escape, &|n| vars.get(n, lookup_len).cloned().flatten());
                                (kv.key.value.clone(), e.is_complete().then_some(e.value))
                            })
                            .collect();
                        for (k, v) in values {
                            envs.push((k.clone(), v.clone()));
                            vars.push(k, v);
                        }
                    }
                    _ => {}
                }
            }
            stage_vars.push(vars);
            env_only.push(envs);
        }
        scopes.stages = stage_vars;
        scopes.at = at;
        scopes
    }

    /// The stage a `--from=` / `FROM` reference names (a stage name or index) among the
    /// stages before `before`.
    pub fn find_stage<'s>(&self, stages: &'s [Stage], reference: &str, before: usize) -> Option<&'s Stage> {
        let reference = reference.to_ascii_lowercase();
        if let Ok(index) = reference.parse::<usize>() {
            return stages.get(index).filter(|s| s.index < before);
        }
        stages[..before.min(stages.len())].iter().rev().find(|s| s.name.as_deref() == Some(reference.as_str()))
    }
}

fn resolve_base(value: &str, stages: &[Stage]) -> StageRef {
    let lower = value.to_ascii_lowercase();
    if let Some(s) = stages.iter().rev().find(|s| s.name.as_deref() == Some(lower.as_str())) {
        return StageRef::Stage(s.index);
    }
    if lower == "scratch" {
        return StageRef::Scratch;
    }
    match ImageRef::parse(value) {
        Some(r) => StageRef::Image(r),
        None => StageRef::Unparsable(value.to_string()),
    }
}

const POSIX_SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"];

fn is_shell(program: &str) -> bool {
    POSIX_SHELLS.contains(&program.rsplit('/').next().unwrap_or(program))
}

/// A heredoc body mapped to its source. `<<-` bodies lost their leading tabs, so they are
/// mapped as a whole.
fn heredoc_text(h: &crate::Heredoc) -> MappedText {
    if h.strip_tabs || h.body.len() != h.body_span.len() {
        return pinned_heredoc(h);
    }
    let mut t = MappedText::new();
    t.push_verbatim(&h.body, h.body_span.start);
    t
}

pub(crate) fn shell_scripts(instr: &Instruction) -> Vec<MappedText> {
    let form = match &instr.body {
        Body::Run(c) | Body::Cmd(c) | Body::Entrypoint(c) => c,
        Body::Healthcheck(Healthcheck::Cmd(c)) => c,
        _ => return Vec::new(),
    };
    match form {
        CommandForm::Shell(text) => {
            if instr.heredocs.is_empty() {
                return vec![text.clone()];
            }
            let mut rest = text.as_str().to_string();
            for m in crate::parser::heredoc_markers(text.as_str()).iter().rev() {
                rest.replace_range(m.start..m.end, "");
            }
            if rest.trim().is_empty() {
                // `RUN <<EOF`: each body is a script, unless its shebang names another interpreter.
                return instr
                    .heredocs
                    .iter()
                    .filter(|h| match h.body.strip_prefix("#!") {
                        Some(shebang) => shebang.split_whitespace().next().is_some_and(|p| {
                            is_shell(p)
                                || (p.ends_with("/env") && shebang.split_whitespace().nth(1).is_some_and(is_shell))
                        }),
                        None => true,
                    })
                    .map(heredoc_text)
                    .collect();
            }
            // The line is the script; append the bodies so the shell reader sees them
            // where a shell would (it descends into those fed to `sh`/`bash`).
            let mut script = text.clone();
            for h in &instr.heredocs {
                script.push_pinned("\n", h.marker_span.clone());
                script.append(&heredoc_text(h));
                script.push_pinned(&h.delimiter, h.marker_span.clone());
            }
            vec![script]
        }
        CommandForm::Exec(words) => {
            let Some(first) = words.first() else { return Vec::new() };
            if is_shell(&first.value) {
                let mut saw_c = false;
                for w in &words[1..] {
                    if saw_c {
                        let mut t = MappedText::new();
                        if w.span.len() == w.value.len() + 2 {
                            t.push_verbatim(&w.value, w.span.start + 1);
                        } else {
                            t.push_pinned(&w.value, w.span.clone());
                        }
                        return vec![t];
                    }
                    if w.value.starts_with('-') && !w.value.starts_with("--") && w.value.contains('c') {
                        saw_c = true;
                    }
                }
            }
            // Any other exec form is one command: quote each argument for the shell reader.
            let mut t = MappedText::new();
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    t.push_pinned(" ", w.span.clone());
                }
                let quoted = format!("'{}'", w.value.replace('\'', r"'\''"));
                t.push_pinned(&quoted, w.span.clone());
            }
            vec![t]
        }
    }
}

fn pinned_heredoc(h: &crate::Heredoc) -> MappedText {
    let mut t = MappedText::new();
    t.push_pinned(&h.body, h.body_span.clone());
    t
}

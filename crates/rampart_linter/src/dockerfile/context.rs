use std::ops::Range;
use std::sync::Arc;

use rampart_diagnostics::{Finding, RuleInfo, SourceFile, Span};
use rampart_dockerfile::{
    Body, Dockerfile, Expansion, Instruction, Keyword, MappedText, Scopes, Stage, StageRef, Word as DfWord,
};
use rampart_shell::{Command, Script, Word};

use crate::RuleOptions;

/// One shell script an instruction runs (`RUN`, `CMD`, `ENTRYPOINT`, `HEALTHCHECK CMD`, and
/// `ONBUILD RUN`), split into commands.
#[derive(Debug)]
pub struct ShellRun {
    /// Index of the instruction in [`Dockerfile::instructions`] (for an `ONBUILD` trigger,
    /// the `ONBUILD` instruction).
    pub instruction: usize,
    /// The script belongs to an `ONBUILD` trigger: it runs in images built `FROM` this one.
    pub onbuild: bool,
    pub keyword: Keyword,
    pub script: MappedText,
    pub parsed: Script,
}

impl ShellRun {
    /// Maps a range of the script to the Dockerfile.
    pub fn span(&self, local: Range<usize>) -> Span {
        let s = self.script.source_span(local);
        Span::new(s.start, s.end)
    }

    pub fn word_span(&self, w: &Word) -> Span {
        self.span(w.span.clone())
    }

    pub fn command_span(&self, c: &Command) -> Span {
        self.span(c.span.clone())
    }
}

/// One simple command of a `RUN` (or `ONBUILD RUN`) script.
#[derive(Clone, Copy, Debug)]
pub struct Cmd<'a> {
    pub run: &'a ShellRun,
    pub command: &'a Command,
    /// argv without wrappers such as `sudo`, `env A=1` or `xargs`.
    pub argv: &'a [Word],
}

impl<'a> Cmd<'a> {
    /// The program's basename (`apt-get` for `/usr/bin/apt-get`).
    pub fn program(&self) -> &'a str {
        self.argv.first().map(|w| w.basename()).unwrap_or("")
    }

    pub fn args(&self) -> &'a [Word] {
        self.argv.get(1..).unwrap_or(&[])
    }

    pub fn span(&self) -> Span {
        self.run.command_span(self.command)
    }

    pub fn word_span(&self, w: &Word) -> Span {
        self.run.word_span(w)
    }

    /// Whether any argument equals one of `names` (`--no-cache`), or an `--opt=value` form.
    pub fn has_option(&self, names: &[&str]) -> bool {
        self.args().iter().take_while(|w| w.value != "--").any(|w| {
            let v = w.value.as_str();
            names.iter().any(|n| v == *n || (n.starts_with("--") && v.starts_with(n) && v[n.len()..].starts_with('=')))
        })
    }

    /// Whether a combined short flag includes `c` (`-qy` has `y`).
    pub fn has_short_flag(&self, c: char) -> bool {
        rampart_shell::short_flags(self.args()).any(|f| f == c)
    }

    /// The first argument that is not an option: the subcommand of `apt-get install x`.
    pub fn subcommand(&self) -> Option<&'a Word> {
        self.args().iter().find(|w| !rampart_shell::is_option(w))
    }
}

/// Everything a Dockerfile rule can look at.
#[derive(Debug)]
pub struct DockerfileContext<'a> {
    pub file: &'a Arc<SourceFile>,
    pub df: &'a Dockerfile,
    pub stages: Vec<Stage>,
    pub scopes: Scopes,
    pub options: &'a RuleOptions,
    runs: Vec<ShellRun>,
    /// For each instruction, the stage it belongs to.
    stage_of: Vec<Option<usize>>,
    /// The final stage and the stages it is built `FROM`, final first.
    final_chain: Vec<usize>,
}

const NON_POSIX_SHELLS: &[&str] = &["powershell", "powershell.exe", "pwsh", "pwsh.exe", "cmd", "cmd.exe"];

impl<'a> DockerfileContext<'a> {
    pub fn new(file: &'a Arc<SourceFile>, df: &'a Dockerfile, options: &'a RuleOptions) -> Self {
        let stages = df.stages();
        let scopes = df.scopes(&stages);
        let mut stage_of = vec![None; df.instructions.len()];
        for s in &stages {
            for slot in stage_of.iter_mut().take(s.end).skip(s.from) {
                *slot = Some(s.index);
            }
        }
        let mut final_chain = Vec::new();
        let mut current = stages.last().map(|s| s.index);
        while let Some(i) = current {
            if final_chain.contains(&i) {
                break;
            }
            final_chain.push(i);
            current = match stages[i].base {
                StageRef::Stage(parent) => Some(parent),
                _ => None,
            };
        }
        // A SHELL instruction to PowerShell or cmd makes RUN scripts non-POSIX: not analysed.
        let mut posix = vec![true; stages.len()];
        let mut runs = Vec::new();
        for (i, instr) in df.instructions.iter().enumerate() {
            let stage = stage_of[i];
            if let Body::Shell(words) = &instr.body
                && let Some(s) = stage
            {
                let program =
                    words.first().map(|w| w.value.rsplit(['/', '\\']).next().unwrap_or("").to_ascii_lowercase());
                posix[s] = !program.is_some_and(|p| NON_POSIX_SHELLS.contains(&p.as_str()));
            }
            if stage.is_some_and(|s| !posix[s]) {
                continue;
            }
            let (target, onbuild) = match &instr.body {
                Body::Onbuild(inner) => (inner.as_ref(), true),
                _ => (instr, false),
            };
            for script in target.shell_scripts() {
                let parsed = rampart_shell::parse(script.as_str());
                runs.push(ShellRun { instruction: i, onbuild, keyword: target.keyword, script, parsed });
            }
        }
        DockerfileContext { file, df, stages, scopes, options, runs, stage_of, final_chain }
    }

    pub fn instruction(&self, index: usize) -> &'a Instruction {
        &self.df.instructions[index]
    }

    /// Instructions with their index.
    pub fn instructions(&self) -> impl Iterator<Item = (usize, &'a Instruction)> + 'a {
        self.df.instructions.iter().enumerate()
    }

    /// Instructions with their index, `ONBUILD` triggers included (with the `ONBUILD`'s index).
    pub fn all_instructions(&self) -> impl Iterator<Item = (usize, &'a Instruction)> + 'a {
        self.df.instructions.iter().enumerate().flat_map(|(i, instr)| {
            let inner = match &instr.body {
                Body::Onbuild(inner) => Some((i, inner.as_ref())),
                _ => None,
            };
            std::iter::once((i, instr)).chain(inner)
        })
    }

    pub fn stage_of(&self, instruction: usize) -> Option<&Stage> {
        self.stage_of.get(instruction).copied().flatten().map(|s| &self.stages[s])
    }

    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// Whether the stage ends up in the built image: the final stage, or a stage it is
    /// built `FROM` (directly or not). Builder stages whose files are only copied from do
    /// not count: what they install is not shipped.
    pub fn stage_in_final_image(&self, stage: usize) -> bool {
        self.final_chain.contains(&stage)
    }

    /// Whether the instruction's effects end up in the built image.
    pub fn in_final_image(&self, instruction: usize) -> bool {
        self.stage_of(instruction).is_some_and(|s| self.stage_in_final_image(s.index))
    }

    /// The stages of the final image, root first.
    pub fn final_chain(&self) -> impl Iterator<Item = &Stage> {
        self.final_chain.iter().rev().map(|&i| &self.stages[i])
    }

    /// Every shell script, in order.
    pub fn shell_runs(&self) -> &[ShellRun] {
        &self.runs
    }

    /// Every simple command of every `RUN` (and `ONBUILD RUN`) script.
    pub fn run_commands(&self) -> impl Iterator<Item = Cmd<'_>> {
        self.runs.iter().filter(|r| r.keyword == Keyword::Run).flat_map(|run| {
            run.parsed.commands.iter().map(move |command| Cmd {
                run,
                command,
                argv: rampart_shell::effective_argv(&command.words),
            })
        })
    }

    /// Commands of the scripts of one instruction.
    pub fn commands_of(&self, instruction: usize) -> impl Iterator<Item = Cmd<'_>> {
        self.runs.iter().filter(move |r| r.instruction == instruction).flat_map(|run| {
            run.parsed.commands.iter().map(move |command| Cmd {
                run,
                command,
                argv: rampart_shell::effective_argv(&command.words),
            })
        })
    }

    /// Expands a word of instruction `index` with the build variables visible there.
    pub fn expand(&self, index: usize, word: &DfWord) -> Expansion {
        self.scopes.at(index).expand(&word.raw, self.df.escape)
    }

    pub fn span(&self, range: &Range<usize>) -> Span {
        Span::new(range.start, range.end)
    }

    /// Starts a finding of `rule` at `span` in this file.
    pub fn finding(&self, rule: &'static RuleInfo, span: impl Into<SpanLike>, message: impl Into<String>) -> Finding {
        Finding::new(rule, Arc::clone(self.file), span.into().0, message)
    }
}

/// Either a diagnostics [`Span`] or a parser range, for [`DockerfileContext::finding`].
#[derive(Clone, Copy, Debug)]
pub struct SpanLike(pub Span);

impl From<Span> for SpanLike {
    fn from(s: Span) -> Self {
        SpanLike(s)
    }
}

impl From<Range<usize>> for SpanLike {
    fn from(r: Range<usize>) -> Self {
        SpanLike(Span::new(r.start, r.end))
    }
}

impl From<&Range<usize>> for SpanLike {
    fn from(r: &Range<usize>) -> Self {
        SpanLike(Span::new(r.start, r.end))
    }
}

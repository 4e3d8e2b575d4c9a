//! A Dockerfile parser for linting: complete BuildKit syntax, exact source spans, no I/O,
//! and no panics on any input.
//!
//! ```
//! let df = rampart_dockerfile::parse("FROM debian:12 AS build\nRUN <<EOF\napt-get update\nEOF\n");
//! assert!(df.errors.is_empty());
//! assert_eq!(df.instructions.len(), 2);
//! let stages = df.stages();
//! assert_eq!(stages[0].name.as_deref(), Some("build"));
//! ```
//!
//! What it covers: parser directives (`syntax`, `escape`, `check`), line continuations with
//! comment and blank lines inside them, heredocs (several per instruction, `<<-`, quoted
//! delimiters), JSON (exec) and shell forms, instruction flags, `ONBUILD` with its inner
//! instruction parsed, `ENV`/`ARG`/`LABEL` key-value forms (and the legacy `ENV key value`),
//! variable substitution with every `${VAR:-default}` form ([`expand`]), multi-stage builds
//! with named stages and stage-index references ([`Dockerfile::stages`]), and image
//! references ([`ImageRef`]).
//!
//! Errors (an unknown instruction, a missing argument, an unterminated heredoc, an unknown
//! flag) are collected in [`Dockerfile::errors`] with their spans; parsing always continues
//! with the next instruction.

mod expand;
mod image_ref;
mod model;
mod parser;
mod text;
mod words;

pub use expand::{Expansion, expand};
pub use image_ref::ImageRef;
pub use model::{Scope, Scopes, Stage, StageRef};
pub use parser::parse;
pub use text::{MappedText, Span};

/// A parsed Dockerfile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    /// The escape character: `\` unless an `escape` directive says `` ` ``.
    pub escape: char,
    pub instructions: Vec<Instruction>,
    /// Every comment line, including those inside continuations (for pragmas).
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
}

/// A parser directive such as `# syntax=docker/dockerfile:1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Lower-case name: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    pub span: Span,
    pub value_span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The text after `#`, trimmed.
    pub text: String,
    /// The whole comment line.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl Keyword {
    pub fn parse(word: &str) -> Keyword {
        match word.to_ascii_uppercase().as_str() {
            "ADD" => Keyword::Add,
            "ARG" => Keyword::Arg,
            "CMD" => Keyword::Cmd,
            "COPY" => Keyword::Copy,
            "ENTRYPOINT" => Keyword::Entrypoint,
            "ENV" => Keyword::Env,
            "EXPOSE" => Keyword::Expose,
            "FROM" => Keyword::From,
            "HEALTHCHECK" => Keyword::Healthcheck,
            "LABEL" => Keyword::Label,
            "MAINTAINER" => Keyword::Maintainer,
            "ONBUILD" => Keyword::Onbuild,
            "RUN" => Keyword::Run,
            "SHELL" => Keyword::Shell,
            "STOPSIGNAL" => Keyword::Stopsignal,
            "USER" => Keyword::User,
            "VOLUME" => Keyword::Volume,
            "WORKDIR" => Keyword::Workdir,
            _ => Keyword::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
            Keyword::Unknown => "UNKNOWN",
        }
    }

    /// Flags BuildKit accepts on this instruction (Dockerfile frontend 1.x, labs included).
    pub fn allowed_flags(self) -> &'static [&'static str] {
        match self {
            Keyword::From => &["platform"],
            Keyword::Run => &["mount", "network", "security", "device"],
            Keyword::Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
            Keyword::Add => &["chown", "chmod", "link", "keep-git-dir", "checksum", "exclude", "unpack"],
            Keyword::Healthcheck => &["interval", "timeout", "start-period", "start-interval", "retries"],
            _ => &[],
        }
    }
}

/// A word with quotes removed and escapes applied (variables are *not* expanded: see
/// [`expand`]), and the span of its source text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    /// The text as written (quotes and escapes intact), for [`expand`].
    pub raw: String,
    pub span: Span,
}

/// `--name=value` (or `--name`) before an instruction's arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    pub span: Span,
    pub value_span: Option<Span>,
}

impl Flag {
    /// Comma-separated `key=value` options, as in `--mount=type=secret,id=npm,target=/r`.
    /// A bare key (`readonly`) has an empty value.
    pub fn options(&self) -> Vec<(String, String)> {
        let Some(value) = &self.value else { return Vec::new() };
        words::split_csv(value)
            .into_iter()
            .map(|item| match item.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_string()),
                None => (item.trim().to_ascii_lowercase(), String::new()),
            })
            .collect()
    }

    pub fn option(&self, key: &str) -> Option<String> {
        self.options().into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A here-document attached to `RUN`, `COPY` or `ADD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub strip_tabs: bool,
    /// The delimiter was quoted: no variable expansion in the body.
    pub quoted: bool,
    /// `<<EOF` in the instruction line.
    pub marker_span: Span,
    /// The body as the builder sees it (tabs stripped for `<<-`).
    pub body: String,
    /// Source of the body, without the terminator line.
    pub body_span: Span,
    pub terminated: bool,
}

/// The exec (JSON array) or shell form of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandForm {
    Exec(Vec<Word>),
    Shell(MappedText),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Word,
    pub value: Word,
    /// Both, from the key's first byte to the value's last.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: Word,
    pub default: Option<Word>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyArgs {
    pub sources: Vec<Word>,
    pub dest: Option<Word>,
    pub json: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Healthcheck {
    None,
    Cmd(CommandForm),
}

/// What an instruction says, by instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    From {
        image: Word,
        alias: Option<Word>,
    },
    Run(CommandForm),
    Cmd(CommandForm),
    Entrypoint(CommandForm),
    Copy(CopyArgs),
    Add(CopyArgs),
    Env(Vec<KeyValue>),
    Label(Vec<KeyValue>),
    Arg(Vec<ArgDecl>),
    Expose(Vec<Word>),
    User(Word),
    Workdir(Word),
    Volume(Vec<Word>),
    Healthcheck(Healthcheck),
    Shell(Vec<Word>),
    Stopsignal(Word),
    Maintainer(Word),
    Onbuild(Box<Instruction>),
    /// Unknown instructions, and instructions whose arguments could not be read (an error
    /// was recorded).
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub keyword: Keyword,
    pub keyword_span: Span,
    /// From the keyword to the end of the last continuation line, heredoc bodies included.
    pub span: Span,
    /// Like `span`, without heredoc bodies.
    pub line_span: Span,
    pub flags: Vec<Flag>,
    /// The arguments after the flags, continuations joined, trimmed.
    pub args: MappedText,
    pub heredocs: Vec<Heredoc>,
    pub body: Body,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    pub fn flags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |f| f.name == name)
    }

    /// The command of `RUN`, `CMD`, `ENTRYPOINT` or `HEALTHCHECK CMD`.
    pub fn command(&self) -> Option<&CommandForm> {
        match &self.body {
            Body::Run(c) | Body::Cmd(c) | Body::Entrypoint(c) => Some(c),
            Body::Healthcheck(Healthcheck::Cmd(c)) => Some(c),
            _ => None,
        }
    }

    /// The shell scripts this instruction runs, mapped to the source, for command analysis:
    /// the shell form line (with heredoc bodies appended where the shell reads them), a
    /// heredoc body that *is* the script (`RUN <<EOF`), or `sh -c` in the exec form.
    pub fn shell_scripts(&self) -> Vec<MappedText> {
        model::shell_scripts(self)
    }
}

impl Dockerfile {
    /// Instructions and their ONBUILD triggers, in order.
    pub fn all_instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.instructions.iter().flat_map(|i| {
            let inner = match &i.body {
                Body::Onbuild(inner) => Some(inner.as_ref()),
                _ => None,
            };
            std::iter::once(i).chain(inner)
        })
    }
}

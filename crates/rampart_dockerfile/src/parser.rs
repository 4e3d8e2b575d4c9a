use crate::text::{Line, MappedText, Span, split_lines};
use crate::words::{parse_json_array, parse_key_values, split_raw, split_words, take_flags, to_word};
use crate::{
    ArgDecl, Body, CommandForm, Comment, CopyArgs, Directive, Dockerfile, Healthcheck, Heredoc, Instruction, Keyword,
    SyntaxError, Word,
};

const KNOWN_DIRECTIVES: &[&str] = &["syntax", "escape", "check"];

/// Parses a Dockerfile. Never fails: problems are collected in [`Dockerfile::errors`].
pub fn parse(src: &str) -> Dockerfile {
    let mut p =
        Parser { src, lines: split_lines(src), line: 0, df: Dockerfile { escape: '\\', ..Dockerfile::default() } };
    p.directives();
    p.body();
    p.df
}

struct Parser<'a> {
    src: &'a str,
    lines: Vec<Line>,
    line: usize,
    df: Dockerfile,
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl<'a> Parser<'a> {
    fn text(&self, line: Line) -> &'a str {
        &self.src[line.start..line.end]
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.df.errors.push(SyntaxError { message: message.into(), span });
    }

    fn directives(&mut self) {
        let mut seen: Vec<String> = Vec::new();
        while let Some(&line) = self.lines.get(self.line) {
            let mut text = self.text(line);
            let mut start = line.start;
            if self.line == 0 && text.starts_with('\u{feff}') {
                text = &text[3..];
                start += 3;
            }
            let Some((name, value, value_offset)) = directive(text) else { break };
            if !KNOWN_DIRECTIVES.contains(&name.as_str()) {
                break;
            }
            let span = start..line.end;
            let value_span = start + value_offset..start + value_offset + value.len();
            if seen.contains(&name) {
                self.error(format!("the `{name}` parser directive may appear only once"), span.clone());
            } else if name == "escape" {
                match value.as_str() {
                    "\\" => self.df.escape = '\\',
                    "`" => self.df.escape = '`',
                    _ => self.error(format!("invalid escape token `{value}`: it must be ` or \\"), value_span.clone()),
                }
            }
            seen.push(name.clone());
            self.df.directives.push(Directive { name, value, span, value_span });
            self.line += 1;
        }
    }

    fn body(&mut self) {
        let mut seen_from = false;
        while let Some(&line) = self.lines.get(self.line) {
            let text = self.text(line);
            let trimmed = text.trim_start();
            if trimmed.is_empty() {
                self.line += 1;
                continue;
            }
            if trimmed.starts_with('#') {
                self.comment(line);
                self.line += 1;
                continue;
            }
            let Some(instruction) = self.instruction() else { continue };
            match instruction.keyword {
                Keyword::From => seen_from = true,
                Keyword::Arg | Keyword::Unknown => {}
                k if !seen_from => self.error(
                    format!("`{}` before the first `FROM`: only `ARG` may come before it", k.as_str()),
                    instruction.keyword_span.clone(),
                ),
                _ => {}
            }
            self.df.instructions.push(instruction);
        }
    }

    fn comment(&mut self, line: Line) {
        let text = self.text(line);
        let lead = text.len() - text.trim_start().len();
        let body = text[lead..].strip_prefix('#').unwrap_or("").trim();
        self.df.comments.push(Comment { text: body.to_string(), span: line.start + lead..line.end });
    }

    /// Reads one instruction starting at the current line, continuation and heredoc lines
    /// included, and advances past it.
    fn instruction(&mut self) -> Option<Instruction> {
        let escape = self.df.escape;
        let first = self.lines[self.line];
        let mut logical = MappedText::new();
        let mut last_end;
        let mut line = first;
        loop {
            let text = self.text(line);
            let (content, continues) = strip_continuation(text, escape);
            // Offsets within the first line are relative to its leading whitespace.
            logical.push_verbatim(content, line.start);
            last_end = line.end;
            self.line += 1;
            if !continues {
                break;
            }
            // Comment and blank lines inside a continuation are skipped by the builder.
            let mut next = None;
            while let Some(&l) = self.lines.get(self.line) {
                let t = self.text(l);
                if is_blank(t) {
                    self.line += 1;
                } else if t.trim_start().starts_with('#') {
                    self.comment(l);
                    self.line += 1;
                } else {
                    next = Some(l);
                    break;
                }
            }
            match next {
                Some(l) => line = l,
                None => break,
            }
        }
        let logical = logical.trim();
        let text = logical.as_str();
        let keyword_end = text.find(char::is_whitespace).unwrap_or(text.len());
        let keyword_text = &text[..keyword_end];
        let keyword = Keyword::parse(keyword_text);
        let keyword_span = logical.source_span(0..keyword_end);
        let line_span = keyword_span.start..last_end;
        let rest = logical.slice(keyword_end..text.len()).trim();
        let mut instruction = self.instruction_body(keyword, keyword_text, keyword_span, line_span, rest, true);
        instruction.span.end = instruction.span.end.max(self.heredoc_end(&instruction));
        Some(instruction)
    }

    fn heredoc_end(&self, i: &Instruction) -> usize {
        i.heredocs.iter().map(|h| h.body_span.end).max().unwrap_or(0)
    }

    /// Parses flags and arguments of one instruction (also the inner one of `ONBUILD`).
    fn instruction_body(
        &mut self,
        keyword: Keyword,
        keyword_text: &str,
        keyword_span: Span,
        line_span: Span,
        rest: MappedText,
        top_level: bool,
    ) -> Instruction {
        let escape = self.df.escape;
        let (flags, args_start) =
            if keyword.allowed_flags().is_empty() { (Vec::new(), 0) } else { take_flags(&rest, escape) };
        let args = rest.slice(args_start..rest.len()).trim();
        let mut instruction = Instruction {
            keyword,
            keyword_span: keyword_span.clone(),
            span: line_span.clone(),
            line_span: line_span.clone(),
            flags,
            args,
            heredocs: Vec::new(),
            body: Body::Invalid,
        };
        if keyword == Keyword::Unknown {
            self.error(format!("unknown instruction `{keyword_text}`"), keyword_span);
            return instruction;
        }
        for flag in &instruction.flags {
            if !keyword.allowed_flags().contains(&flag.name.as_str()) {
                self.df.errors.push(SyntaxError {
                    message: format!("unknown flag `--{}` for `{}`", flag.name, keyword.as_str()),
                    span: flag.span.clone(),
                });
            }
        }
        if top_level && matches!(keyword, Keyword::Run | Keyword::Copy | Keyword::Add) {
            instruction.heredocs = self.heredocs(&instruction.args);
        }
        let args = instruction.args.clone();
        if args.is_empty() && instruction.heredocs.is_empty() {
            self.error(format!("`{}` requires arguments", keyword.as_str()), keyword_span.clone());
            return instruction;
        }
        instruction.body = match keyword {
            Keyword::From => self.from(&args, &keyword_span),
            Keyword::Run => Body::Run(command_form(&args)),
            Keyword::Cmd => Body::Cmd(command_form(&args)),
            Keyword::Entrypoint => Body::Entrypoint(command_form(&args)),
            Keyword::Copy | Keyword::Add => {
                let copy = self.copy_args(&args, &instruction.heredocs, keyword, &keyword_span);
                if keyword == Keyword::Copy { Body::Copy(copy) } else { Body::Add(copy) }
            }
            Keyword::Env | Keyword::Label => match parse_key_values(&args, escape) {
                Ok(kv) if keyword == Keyword::Env => Body::Env(kv),
                Ok(kv) => Body::Label(kv),
                Err((message, s, e)) => {
                    self.error(message, args.source_span(s..e));
                    Body::Invalid
                }
            },
            Keyword::Arg => Body::Arg(self.arg_decls(&args)),
            Keyword::Expose => Body::Expose(split_words(&args, escape)),
            Keyword::User => Body::User(self.single_word(&args, keyword)),
            Keyword::Workdir => Body::Workdir(self.single_word(&args, keyword)),
            Keyword::Stopsignal => Body::Stopsignal(self.single_word(&args, keyword)),
            Keyword::Maintainer => Body::Maintainer(Word {
                value: crate::words::unquote(args.as_str(), escape),
                raw: args.as_str().to_string(),
                span: args.source_span(0..args.len()),
            }),
            Keyword::Volume => Body::Volume(parse_json_array(&args).unwrap_or_else(|| split_words(&args, escape))),
            Keyword::Shell => match parse_json_array(&args) {
                Some(words) if !words.is_empty() => Body::Shell(words),
                _ => {
                    self.error(
                        "`SHELL` takes a JSON array, such as `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`",
                        args.source_span(0..args.len()),
                    );
                    Body::Invalid
                }
            },
            Keyword::Healthcheck => self.healthcheck(&args),
            Keyword::Onbuild => self.onbuild(&args, &line_span),
            Keyword::Unknown => Body::Invalid,
        };
        instruction
    }

    fn single_word(&mut self, args: &MappedText, keyword: Keyword) -> Word {
        let escape = self.df.escape;
        let words = split_raw(args.as_str(), escape);
        if words.len() > 1 && keyword != Keyword::Workdir {
            let extra = &words[1];
            self.error(
                format!("`{}` takes one argument; `{}` is extra", keyword.as_str(), extra.raw),
                args.source_span(extra.start..args.len()),
            );
        }
        if keyword == Keyword::Workdir {
            // WORKDIR takes the whole line (paths may contain spaces).
            return Word {
                value: crate::words::unquote(args.as_str(), escape),
                raw: args.as_str().to_string(),
                span: args.source_span(0..args.len()),
            };
        }
        words.first().map(|w| to_word(args, w, escape)).unwrap_or_default()
    }

    fn from(&mut self, args: &MappedText, keyword_span: &Span) -> Body {
        let escape = self.df.escape;
        let raw = split_raw(args.as_str(), escape);
        let words: Vec<Word> = raw.iter().map(|w| to_word(args, w, escape)).collect();
        let Some(image) = words.first().cloned() else {
            self.error("`FROM` requires an image", keyword_span.clone());
            return Body::Invalid;
        };
        let alias = match words.len() {
            1 => None,
            3 if words[1].value.eq_ignore_ascii_case("as") => {
                let alias = words[2].clone();
                if !valid_stage_name(&alias.value) && !alias.value.contains('$') {
                    self.error(
                        format!(
                            "invalid stage name `{}`: it must start with a letter and contain only letters, digits, `-`, `_` and `.`",
                            alias.value
                        ),
                        alias.span.clone(),
                    );
                }
                Some(alias)
            }
            2 if words[1].value.eq_ignore_ascii_case("as") => {
                self.error("`AS` must be followed by a stage name", words[1].span.clone());
                None
            }
            _ => {
                self.error("`FROM` takes an image and an optional `AS name`", words[1].span.start..args_end(args));
                None
            }
        };
        Body::From { image, alias }
    }

    fn arg_decls(&mut self, args: &MappedText) -> Vec<ArgDecl> {
        let escape = self.df.escape;
        split_raw(args.as_str(), escape)
            .iter()
            .map(|w| {
                let span = args.source_span(w.start..w.end);
                match w.raw.find('=') {
                    Some(eq) => ArgDecl {
                        name: Word {
                            value: crate::words::unquote(&w.raw[..eq], escape),
                            raw: w.raw[..eq].to_string(),
                            span: args.source_span(w.start..w.start + eq),
                        },
                        default: Some(Word {
                            value: crate::words::unquote(&w.raw[eq + 1..], escape),
                            raw: w.raw[eq + 1..].to_string(),
                            span: args.source_span(w.start + eq + 1..w.end),
                        }),
                        span,
                    },
                    None => ArgDecl { name: to_word(args, w, escape), default: None, span },
                }
            })
            .collect()
    }

    fn copy_args(
        &mut self,
        args: &MappedText,
        heredocs: &[Heredoc],
        keyword: Keyword,
        keyword_span: &Span,
    ) -> CopyArgs {
        let escape = self.df.escape;
        let (mut words, json) = match parse_json_array(args) {
            Some(w) => (w, true),
            None => (split_words(args, escape), false),
        };
        // Heredoc markers are sources (`COPY <<EOF /etc/x`).
        for w in &mut words {
            if heredocs.iter().any(|h| h.marker_span.start == w.span.start) {
                w.value = format!("<<{}", w.value.trim_start_matches('<').trim_start_matches('-'));
            }
        }
        let dest = if words.len() >= 2 { words.pop() } else { None };
        if dest.is_none() {
            self.error(
                format!("`{}` requires at least one source and a destination", keyword.as_str()),
                words.first().map_or(keyword_span.clone(), |w| w.span.clone()),
            );
        }
        CopyArgs { sources: words, dest, json }
    }

    fn healthcheck(&mut self, args: &MappedText) -> Body {
        let text = args.as_str();
        let word_end = text.find(char::is_whitespace).unwrap_or(text.len());
        let first = &text[..word_end];
        if first.eq_ignore_ascii_case("NONE") {
            if !text[word_end..].trim().is_empty() {
                self.error("`HEALTHCHECK NONE` takes no arguments", args.source_span(word_end..text.len()));
            }
            return Body::Healthcheck(Healthcheck::None);
        }
        if first.eq_ignore_ascii_case("CMD") {
            let cmd = args.slice(word_end..text.len()).trim();
            if cmd.is_empty() {
                self.error("`HEALTHCHECK CMD` requires a command", args.source_span(0..word_end));
                return Body::Invalid;
            }
            return Body::Healthcheck(Healthcheck::Cmd(command_form(&cmd)));
        }
        self.error("`HEALTHCHECK` takes `NONE` or `CMD` followed by a command", args.source_span(0..word_end));
        Body::Invalid
    }

    fn onbuild(&mut self, args: &MappedText, line_span: &Span) -> Body {
        let text = args.as_str();
        let keyword_end = text.find(char::is_whitespace).unwrap_or(text.len());
        let keyword_text = text[..keyword_end].to_string();
        let keyword = Keyword::parse(&keyword_text);
        let keyword_span = args.source_span(0..keyword_end);
        if matches!(keyword, Keyword::Onbuild | Keyword::From | Keyword::Maintainer) {
            self.error(format!("`ONBUILD {}` is not allowed", keyword.as_str()), keyword_span.clone());
        }
        let rest = args.slice(keyword_end..text.len()).trim();
        let inner_span = keyword_span.start..line_span.end;
        let inner = self.instruction_body(keyword, &keyword_text, keyword_span, inner_span, rest, false);
        Body::Onbuild(Box::new(inner))
    }

    /// Finds `<<EOF` markers in the arguments and reads their bodies from the lines that
    /// follow the instruction, in order.
    fn heredocs(&mut self, args: &MappedText) -> Vec<Heredoc> {
        let markers = heredoc_markers(args.as_str());
        let mut out = Vec::new();
        for m in markers {
            let body_start = self.lines.get(self.line).map_or(self.src.len(), |l| l.start);
            let mut body = String::new();
            let mut body_end = self.src.len();
            let mut terminated = false;
            while let Some(&line) = self.lines.get(self.line) {
                let text = self.text(line);
                let candidate = if m.strip_tabs { text.trim_start_matches('\t') } else { text };
                self.line += 1;
                if candidate == m.delimiter {
                    body_end = line.start;
                    terminated = true;
                    break;
                }
                body.push_str(candidate);
                body.push('\n');
                body_end = line.next;
            }
            let marker_span = args.source_span(m.start..m.end);
            if !terminated {
                self.error(
                    format!("heredoc `<<{}` is never terminated: add a line with just `{}`", m.delimiter, m.delimiter),
                    marker_span.clone(),
                );
                body_end = self.src.len();
            }
            out.push(Heredoc {
                delimiter: m.delimiter,
                strip_tabs: m.strip_tabs,
                quoted: m.quoted,
                marker_span,
                body,
                body_span: body_start.min(body_end)..body_end,
                terminated,
            });
        }
        out
    }
}

fn args_end(args: &MappedText) -> usize {
    args.source_end(args.len())
}

/// `# name=value` at the top of the file.
fn directive(line: &str) -> Option<(String, String, usize)> {
    let rest = line.trim_start().strip_prefix('#')?;
    let eq = rest.find('=')?;
    let name = rest[..eq].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let raw_value = &rest[eq + 1..];
    let value = raw_value.trim();
    let value_offset = line.len() - rest.len() + eq + 1 + (raw_value.len() - raw_value.trim_start().len());
    Some((name.to_ascii_lowercase(), value.to_string(), value_offset))
}

/// Removes a trailing escape character (and whitespace after it).
fn strip_continuation(text: &str, escape: char) -> (&str, bool) {
    let trimmed = text.trim_end();
    match trimmed.strip_suffix(escape) {
        Some(content) => (content, true),
        None => (text, false),
    }
}

fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn command_form(args: &MappedText) -> CommandForm {
    match parse_json_array(args) {
        Some(words) => CommandForm::Exec(words),
        None => CommandForm::Shell(args.clone()),
    }
}

pub(crate) struct Marker {
    pub start: usize,
    pub end: usize,
    pub delimiter: String,
    pub strip_tabs: bool,
    pub quoted: bool,
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` outside quotes (not `<<<`).
pub(crate) fn heredoc_markers(text: &str) -> Vec<Marker> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                } else if b == b'\\' && q == b'"' {
                    i += 1;
                }
                i += 1;
                continue;
            }
            None if b == b'\'' || b == b'"' => {
                quote = Some(b);
                i += 1;
                continue;
            }
            None if b == b'\\' => {
                i += 2;
                continue;
            }
            None => {}
        }
        if b == b'<'
            && bytes.get(i + 1) == Some(&b'<')
            && bytes.get(i + 2) != Some(&b'<')
            && (i == 0 || bytes[i - 1] != b'<')
        {
            let start = i;
            let mut j = i + 2;
            let strip_tabs = bytes.get(j) == Some(&b'-');
            if strip_tabs {
                j += 1;
            }
            let q = match bytes.get(j) {
                Some(&c @ (b'"' | b'\'')) => {
                    j += 1;
                    Some(c)
                }
                _ => None,
            };
            let name_start = j;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            let name_end = j;
            if let Some(q) = q {
                if bytes.get(j) != Some(&q) {
                    i = j.max(i + 1);
                    continue;
                }
                j += 1;
            }
            if name_end > name_start && !bytes[name_start].is_ascii_digit() {
                out.push(Marker {
                    start,
                    end: j,
                    delimiter: text[name_start..name_end].to_string(),
                    strip_tabs,
                    quoted: q.is_some(),
                });
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

use crate::Span;

/// How deep `$(…)`, backticks and `sh -c` may nest before the reader stops descending.
const MAX_DEPTH: usize = 12;

/// One shell word: its source span, and its value with quotes removed and escapes applied.
/// Parameter expansions and command substitutions are kept literally in `value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub span: Span,
    pub value: String,
    /// Any part of the word was quoted.
    pub quoted: bool,
    /// The word contains an unquoted or double-quoted `$` expansion or a command substitution.
    pub expands: bool,
}

impl Word {
    /// The last path component of the value: `/usr/bin/apt-get` → `apt-get`.
    pub fn basename(&self) -> &str {
        self.value.rsplit('/').next().unwrap_or(&self.value)
    }
}

/// How a command is joined to the one before it in the same list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// First command of a script or of a nested list.
    Start,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `;`, a newline, or the end of a group.
    Seq,
    /// `|` or `|&`
    Pipe,
    /// The previous command was put in the background with `&`.
    Background,
}

/// A redirection such as `> /dev/null`, `2>&1` or `<<EOF`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    pub span: Span,
    /// The operator without the file descriptor: `>`, `>>`, `<`, `<<`, `<<-`, `<<<`, `>&`, `&>`, …
    pub op: String,
    pub fd: Option<u32>,
    pub target: Option<Word>,
    /// For here-documents: the body's span (without the delimiter line).
    pub heredoc_body: Option<Span>,
}

/// A simple command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// argv, without prefix assignments and redirections.
    pub words: Vec<Word>,
    /// `NAME=value` words before the command name.
    pub assignments: Vec<Word>,
    pub redirects: Vec<Redirect>,
    pub span: Span,
    pub connector: Connector,
    /// Commands joined by `|` share a pipeline id.
    pub pipeline: usize,
    pub pipeline_index: usize,
    pub pipeline_len: usize,
    /// 0 for the script itself; more inside `$(…)`, backticks, `sh -c` and here-documents fed to a shell.
    pub depth: usize,
    /// Preceded by `!`.
    pub negated: bool,
}

impl Command {
    /// The basename of argv[0].
    pub fn name(&self) -> Option<&str> {
        self.words.first().map(Word::basename)
    }

    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// Whether this command's output is piped into the next command.
    pub fn pipes_into_next(&self) -> bool {
        self.pipeline_index + 1 < self.pipeline_len
    }
}

/// The commands of a script in source order (nested ones right after their container starts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<Command>,
}

impl Script {
    /// The other commands of `cmd`'s pipeline, in order.
    pub fn pipeline_of<'a>(&'a self, cmd: &'a Command) -> impl Iterator<Item = &'a Command> + 'a {
        self.commands.iter().filter(move |c| c.pipeline == cmd.pipeline)
    }
}

/// Splits `src` into commands. Never fails and never panics.
pub fn parse(src: &str) -> Script {
    let mut state = State { next_pipeline: 0, out: Vec::new() };
    parse_nested(src, 0, 0, None, &mut state);
    let mut commands = state.out;
    commands.sort_by_key(|c| (c.span.start, c.depth));
    // Number each pipeline's members.
    let mut sizes = std::collections::HashMap::new();
    for c in &commands {
        *sizes.entry(c.pipeline).or_insert(0usize) += 1;
    }
    let mut seen = std::collections::HashMap::new();
    for c in &mut commands {
        let i = seen.entry(c.pipeline).or_insert(0usize);
        c.pipeline_index = *i;
        *i += 1;
        c.pipeline_len = sizes[&c.pipeline];
    }
    Script { commands }
}

struct State {
    next_pipeline: usize,
    out: Vec<Command>,
}

/// Parses `src` whose byte 0 is at `base` in the outermost text. With `pin`, every span is
/// replaced by `pin` (used when the nested text is not a verbatim slice of the outer text).
fn parse_nested(src: &str, base: usize, depth: usize, pin: Option<Span>, state: &mut State) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut p = Parser { src, bytes: src.as_bytes(), pos: 0, base, depth, pin, state, pending_heredocs: Vec::new() };
    p.run();
}

struct PendingHeredoc {
    command_index: usize,
    redirect_index: usize,
    delimiter: String,
    strip_tabs: bool,
}

struct Parser<'a, 's> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    depth: usize,
    pin: Option<Span>,
    state: &'s mut State,
    /// Here-documents whose bodies start after the next newline. `command_index` refers
    /// to `state.out`.
    pending_heredocs: Vec<PendingHeredoc>,
}

struct Building {
    words: Vec<Word>,
    assignments: Vec<Word>,
    redirects: Vec<Redirect>,
    start: Option<usize>,
    end: usize,
    negated: bool,
    /// Reserved-word state: skip the header of `for`/`case`.
    skipping_header: bool,
    in_case_patterns: bool,
}

impl Building {
    fn new() -> Self {
        Building {
            words: Vec::new(),
            assignments: Vec::new(),
            redirects: Vec::new(),
            start: None,
            end: 0,
            negated: false,
            skipping_header: false,
            in_case_patterns: false,
        }
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.assignments.is_empty() && self.redirects.is_empty()
    }

    fn touch(&mut self, span: &Span) {
        if self.start.is_none() {
            self.start = Some(span.start);
        }
        self.end = span.end;
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

const RESERVED_PREFIX: &[&str] = &["if", "then", "else", "elif", "do", "while", "until", "{", "!", "time"];
const RESERVED_END: &[&str] = &["fi", "done", "esac", "}"];
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"];

impl Parser<'_, '_> {
    fn span(&self, start: usize, end: usize) -> Span {
        match &self.pin {
            Some(pin) => pin.clone(),
            None => (self.base + start)..(self.base + end),
        }
    }

    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn run(&mut self) {
        let mut cmd = Building::new();
        let mut connector = Connector::Start;
        let mut in_case = 0usize;
        let mut pipeline = self.new_pipeline();
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.peek(1) == Some(b'\n') => self.pos += 2,
                b'#' => {
                    while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                b'\n' => {
                    self.pos += 1;
                    if !cmd.skipping_header {
                        self.finish(&mut cmd, &mut connector, &mut pipeline, Connector::Seq);
                    }
                    self.read_heredoc_bodies();
                }
                b';' => {
                    if self.peek(1) == Some(b';') {
                        self.pos += 2;
                        if in_case > 0 {
                            cmd.in_case_patterns = true;
                        }
                    } else {
                        self.pos += 1;
                    }
                    let in_patterns = cmd.in_case_patterns;
                    cmd.skipping_header = false;
                    self.finish(&mut cmd, &mut connector, &mut pipeline, Connector::Seq);
                    cmd.in_case_patterns = in_patterns;
                }
                b'&' if self.peek(1) == Some(b'&') => {
                    self.pos += 2;
                    self.finish(&mut cmd, &mut connector, &mut pipeline, Connector::And);
                }
                b'&' if self.peek(1) == Some(b'>') => self.read_redirect(&mut cmd, None),
                b'&' => {
                    self.pos += 1;
                    self.finish(&mut cmd, &mut connector, &mut pipeline, Connector::Background);
                }
                b'|' if self.peek(1) == Some(b'|') => {
                    self.pos += 2;
                    self.finish(&mut cmd, &mut connector, &mut pipeline, Connector::Or);
                }
                b'|' if cmd.in_case_patterns => self.pos += 1,
                b'|' => {
                    self.pos += if self.peek(1) == Some(b'&') { 2 } else { 1 };
                    self.finish(&mut cmd, &mut connector, &mut pipeline, Connector::Pipe);
                }
                b'(' => {
                    self.pos += 1;
                    if self.peek(0) == Some(b'(') {
                        // `(( arithmetic ))`: nothing to lint; skip to the closing parens.
                        let end = find_closing_paren(self.bytes, self.pos + 1).unwrap_or(self.bytes.len());
                        self.pos = (end + 1).min(self.bytes.len());
                        if self.peek(0) == Some(b')') {
                            self.pos += 1;
                        }
                    } else if cmd.words.len() == 1 && cmd.assignments.is_empty() {
                        // `name() { …; }` defines a function: the name is not a command.
                        cmd = Building::new();
                        while matches!(self.peek(0), Some(b' ' | b'\t')) {
                            self.pos += 1;
                        }
                        if self.peek(0) == Some(b')') {
                            self.pos += 1;
                        }
                    } else if !cmd.is_empty() {
                        self.finish(&mut cmd, &mut connector, &mut pipeline, Connector::Seq);
                    }
                }
                b')' => {
                    self.pos += 1;
                    if cmd.in_case_patterns {
                        // The end of a case pattern: what follows are the commands.
                        cmd = Building::new();
                    } else {
                        self.finish_keep_connector(&mut cmd, &mut connector, &mut pipeline);
                    }
                }
                b'<' | b'>' if self.peek(1) == Some(b'(') => {
                    // Process substitution `<(…)` / `>(…)`: a word whose inside is a script.
                    let word = self.read_word();
                    cmd.touch(&word.span);
                    cmd.words.push(word);
                }
                b'<' | b'>' => self.read_redirect(&mut cmd, None),
                b'0'..=b'9' if self.fd_redirect_ahead() => {
                    let start = self.pos;
                    while self.bytes[self.pos].is_ascii_digit() {
                        self.pos += 1;
                    }
                    let fd = self.src[start..self.pos].parse().ok();
                    self.pos = start;
                    self.read_redirect(&mut cmd, fd);
                }
                _ => {
                    let raw_start = self.pos;
                    let word = self.read_word();
                    if cmd.skipping_header {
                        if cmd.in_case_patterns && word.value == "in" {
                            cmd.skipping_header = false;
                        }
                        continue;
                    }
                    // `NAME="quoted value" cmd`: an assignment when the name itself is unquoted.
                    if cmd.words.is_empty()
                        && word.quoted
                        && !cmd.in_case_patterns
                        && self
                            .src
                            .get(raw_start..self.pos)
                            .and_then(|raw| raw.split_once('='))
                            .is_some_and(|(n, _)| is_name(n))
                    {
                        cmd.touch(&word.span);
                        cmd.assignments.push(word);
                        continue;
                    }
                    if cmd.words.is_empty() && !word.quoted {
                        let v = word.value.as_str();
                        if v == "!" {
                            cmd.negated = true;
                            continue;
                        }
                        if RESERVED_PREFIX.contains(&v) || RESERVED_END.contains(&v) {
                            if v == "esac" {
                                in_case = in_case.saturating_sub(1);
                                cmd.in_case_patterns = false;
                            }
                            continue;
                        }
                        if v == "for" || v == "select" {
                            cmd.skipping_header = true;
                            continue;
                        }
                        if v == "case" {
                            in_case += 1;
                            cmd.skipping_header = true;
                            cmd.in_case_patterns = true;
                            continue;
                        }
                        if cmd.in_case_patterns {
                            // Skip pattern words up to their `)`.
                            continue;
                        }
                        if is_assignment(&word) {
                            cmd.touch(&word.span);
                            cmd.assignments.push(word);
                            continue;
                        }
                    }
                    cmd.touch(&word.span);
                    cmd.words.push(word);
                }
            }
        }
        self.finish(&mut cmd, &mut connector, &mut pipeline, Connector::Seq);
    }

    fn new_pipeline(&mut self) -> usize {
        let id = self.state.next_pipeline;
        self.state.next_pipeline += 1;
        id
    }

    fn fd_redirect_ahead(&self) -> bool {
        // A redirection's fd must start a word: `2>&1`, but not `a2>x` (handled as a word).
        let mut i = self.pos;
        if i > 0 && !matches!(self.bytes[i - 1], b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')') {
            return false;
        }
        while i < self.bytes.len() && self.bytes[i].is_ascii_digit() {
            i += 1;
        }
        matches!(self.bytes.get(i), Some(b'<' | b'>'))
    }

    fn finish_keep_connector(&mut self, cmd: &mut Building, connector: &mut Connector, pipeline: &mut usize) {
        let keep = *connector;
        if !cmd.is_empty() {
            self.finish(cmd, connector, pipeline, Connector::Seq);
        } else {
            *connector = keep;
        }
    }

    /// Records the command being built (if any) and sets up the connector of the next.
    fn finish(&mut self, cmd: &mut Building, connector: &mut Connector, pipeline: &mut usize, next: Connector) {
        let built = std::mem::replace(cmd, Building::new());
        if built.is_empty() {
            // `a && \n b`: the newline after an operator does not reset it.
            if next != Connector::Seq {
                *connector = next;
            }
            if next != Connector::Pipe && *connector != Connector::Pipe {
                *pipeline = self.new_pipeline();
            }
            return;
        }
        let start = built.start.unwrap_or(0);
        let command = Command {
            words: built.words,
            assignments: built.assignments,
            redirects: built.redirects,
            span: match &self.pin {
                Some(pin) => pin.clone(),
                None => start..built.end,
            },
            connector: *connector,
            pipeline: *pipeline,
            pipeline_index: 0,
            pipeline_len: 0,
            depth: self.depth,
            negated: built.negated,
        };
        let index = self.state.out.len();
        for pending in &mut self.pending_heredocs {
            if pending.command_index == usize::MAX {
                pending.command_index = index;
            }
        }
        self.state.out.push(command);
        self.descend_into_shell_c(index);
        *connector = next;
        if next != Connector::Pipe {
            *pipeline = self.new_pipeline();
        }
    }

    /// `sh -c 'script'`: the script is linted as commands too.
    fn descend_into_shell_c(&mut self, index: usize) {
        let cmd = &self.state.out[index];
        let argv = crate::words::effective_argv(&cmd.words);
        let Some(first) = argv.first() else { return };
        let program = first.basename();
        let mut script: Option<Word> = None;
        if SHELLS.contains(&program) {
            let mut saw_c = false;
            for w in &argv[1..] {
                if saw_c {
                    script = Some(w.clone());
                    break;
                }
                let v = w.value.as_str();
                if v.starts_with('-') && !v.starts_with("--") && v.contains('c') {
                    saw_c = true;
                } else if !v.starts_with('-') {
                    break;
                }
            }
        } else if matches!(program, "su" | "runuser") {
            // `su -c 'script' user`, `su user -c 'script'`, `su --command=script`.
            for (i, w) in argv.iter().enumerate().skip(1) {
                let v = w.value.as_str();
                if v == "-c" || v == "--command" {
                    script = argv.get(i + 1).cloned();
                    break;
                }
                if let Some(rest) = v.strip_prefix("--command=") {
                    script = Some(Word {
                        value: rest.to_string(),
                        span: w.span.clone(),
                        quoted: w.quoted,
                        expands: w.expands,
                    });
                    break;
                }
            }
        } else {
            return;
        }
        let Some(script) = script else { return };
        let local = script.span.start.checked_sub(self.base).zip(script.span.end.checked_sub(self.base));
        let raw = local.and_then(|(s, e)| self.src.get(s..e));
        let (base, pin) = match (raw, &self.pin) {
            (_, Some(pin)) => (0, Some(pin.clone())),
            (Some(raw), None)
                if raw.len() >= 2
                    && (raw.starts_with('\'') || raw.starts_with('"'))
                    && raw.get(1..raw.len() - 1) == Some(script.value.as_str()) =>
            {
                (script.span.start + 1, None)
            }
            (Some(raw), None) if raw == script.value => (script.span.start, None),
            _ => (0, Some(script.span.clone())),
        };
        parse_nested(&script.value, base, self.depth + 1, pin, self.state);
    }

    fn read_redirect(&mut self, cmd: &mut Building, fd: Option<u32>) {
        let start = self.pos;
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        let op_start = self.pos;
        let rest = &self.src[self.pos..];
        let op = ["<<<", "<<-", "&>>", "<<", ">>", ">&", "<&", "&>", ">|", "<>", "<", ">"]
            .into_iter()
            .find(|op| rest.starts_with(op))
            .unwrap_or(">");
        let op_end = (op_start + op.len()).min(self.bytes.len());
        self.pos = op_end;
        while matches!(self.peek(0), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        let target = match self.peek(0) {
            Some(b'\n' | b';' | b'&' | b'|' | b'(' | b')') | None => None,
            _ => Some(self.read_word()),
        };
        let end = if target.is_some() { self.pos } else { op_end };
        let span = self.span(start, end);
        cmd.touch(&span);
        if (op == "<<" || op == "<<-")
            && let Some(t) = &target
        {
            self.pending_heredocs.push(PendingHeredoc {
                command_index: usize::MAX,
                redirect_index: cmd.redirects.len(),
                delimiter: t.value.clone(),
                strip_tabs: op == "<<-",
            });
        }
        cmd.redirects.push(Redirect { span, op: op.to_string(), fd, target, heredoc_body: None });
    }

    /// Reads the bodies of the here-documents opened on the line just ended.
    fn read_heredoc_bodies(&mut self) {
        let pending = std::mem::take(&mut self.pending_heredocs);
        for h in pending {
            let body_start = self.pos;
            let mut body_end = self.bytes.len();
            let mut after = self.bytes.len();
            let mut line_start = self.pos;
            while line_start < self.bytes.len() {
                let line_end = self.src[line_start..].find('\n').map_or(self.bytes.len(), |i| line_start + i);
                let mut line = &self.src[line_start..line_end];
                if h.strip_tabs {
                    line = line.trim_start_matches('\t');
                }
                if line.trim_end_matches('\r') == h.delimiter {
                    body_end = line_start;
                    after = (line_end + 1).min(self.bytes.len());
                    break;
                }
                line_start = line_end + 1;
            }
            self.pos = after;
            let span = self.span(body_start, body_end);
            let index = h.command_index;
            if let Some(cmd) = self.state.out.get_mut(index)
                && let Some(r) = cmd.redirects.get_mut(h.redirect_index)
            {
                r.heredoc_body = Some(span);
                let argv = crate::words::effective_argv(&cmd.words);
                let feeds_shell = argv.first().is_some_and(|w| SHELLS.contains(&w.basename()))
                    && argv[1..].iter().all(|w| w.value.starts_with('-') && !w.value.contains('c'));
                if feeds_shell {
                    let body = &self.src[body_start..body_end];
                    let (base, pin) = match &self.pin {
                        Some(pin) => (0, Some(pin.clone())),
                        None => (self.base + body_start, None),
                    };
                    parse_nested(body, base, self.depth + 1, pin, self.state);
                }
            }
        }
    }

    /// Reads one word starting at `self.pos`.
    fn read_word(&mut self) -> Word {
        let start = self.pos;
        let mut value = String::new();
        let mut quoted = false;
        let mut expands = false;
        let bytes = self.bytes;
        if matches!(bytes.get(self.pos), Some(b'<' | b'>')) && bytes.get(self.pos + 1) == Some(&b'(') {
            let end = find_closing_paren(bytes, self.pos + 2).unwrap_or(bytes.len());
            self.nested(self.pos + 2, end);
            self.pos = (end + 1).min(bytes.len());
            value.push_str(&self.src[start..self.pos]);
            expands = true;
        }
        while self.pos < bytes.len() {
            let b = bytes[self.pos];
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => break,
                b'\\' => {
                    match bytes.get(self.pos + 1) {
                        Some(b'\n') => {}
                        Some(_) => {
                            let c = next_char(self.src, self.pos + 1);
                            value.push(c);
                            self.pos += c.len_utf8();
                        }
                        None => value.push('\\'),
                    }
                    self.pos += if bytes.get(self.pos + 1) == Some(&b'\n') { 2 } else { 1 };
                }
                b'\'' => {
                    quoted = true;
                    let end = self.src[self.pos + 1..].find('\'').map_or(bytes.len(), |i| self.pos + 1 + i);
                    value.push_str(&self.src[self.pos + 1..end]);
                    self.pos = (end + 1).min(bytes.len());
                }
                b'"' => {
                    quoted = true;
                    self.pos += 1;
                    while self.pos < bytes.len() && bytes[self.pos] != b'"' {
                        match bytes[self.pos] {
                            b'\\' if matches!(bytes.get(self.pos + 1), Some(b'$' | b'`' | b'"' | b'\\')) => {
                                value.push(bytes[self.pos + 1] as char);
                                self.pos += 2;
                            }
                            b'\\' if bytes.get(self.pos + 1) == Some(&b'\n') => self.pos += 2,
                            b'$' | b'`' => {
                                expands = true;
                                self.read_dollar_or_backtick(&mut value);
                            }
                            _ => {
                                let c = next_char(self.src, self.pos);
                                value.push(c);
                                self.pos += c.len_utf8();
                            }
                        }
                    }
                    self.pos = (self.pos + 1).min(bytes.len());
                }
                b'$' if bytes.get(self.pos + 1) == Some(&b'\'') => {
                    // ANSI-C quoting: keep the text, escapes are rare in Dockerfiles.
                    quoted = true;
                    let body = self.pos + 2;
                    let mut i = body;
                    while i < bytes.len() && bytes[i] != b'\'' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    let end = i.min(bytes.len());
                    value.push_str(&self.src[body..end]);
                    self.pos = (end + 1).min(bytes.len());
                }
                b'$' | b'`' => {
                    expands = true;
                    self.read_dollar_or_backtick(&mut value);
                }
                _ => {
                    let c = next_char(self.src, self.pos);
                    value.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        if self.pos == start {
            // A byte no branch consumed; take it so the reader always progresses.
            let c = next_char(self.src, self.pos);
            value.push(c);
            self.pos += c.len_utf8();
        }
        Word { span: self.span(start, self.pos), value, quoted, expands }
    }

    /// Reads `$name`, `${…}`, `$(…)`, `$((…))` or a backtick substitution into `value`,
    /// and parses command substitutions as nested commands.
    fn read_dollar_or_backtick(&mut self, value: &mut String) {
        let bytes = self.bytes;
        let start = self.pos;
        if bytes[self.pos] == b'`' {
            let mut i = self.pos + 1;
            while i < bytes.len() && bytes[i] != b'`' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            let end = i.min(bytes.len());
            self.nested(self.pos + 1, end);
            self.pos = (end + 1).min(bytes.len());
        } else {
            match bytes.get(self.pos + 1) {
                Some(b'(') => {
                    let inner_start = self.pos + 2;
                    let end = find_closing_paren(bytes, inner_start).unwrap_or(bytes.len());
                    if bytes.get(inner_start) != Some(&b'(') {
                        self.nested(inner_start, end);
                    }
                    self.pos = (end + 1).min(bytes.len());
                    if bytes.get(inner_start) == Some(&b'(') && self.peek(0) == Some(b')') {
                        self.pos += 1;
                    }
                }
                Some(b'{') => {
                    let mut depth = 0usize;
                    let mut i = self.pos + 1;
                    while i < bytes.len() {
                        match bytes[i] {
                            b'{' => depth += 1,
                            b'}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            b'\\' => i += 1,
                            _ => {}
                        }
                        i += 1;
                    }
                    self.pos = (i + 1).min(bytes.len());
                }
                Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => {
                    let mut i = self.pos + 1;
                    if c.is_ascii_digit() {
                        i += 1;
                    } else {
                        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                            i += 1;
                        }
                    }
                    self.pos = i;
                }
                Some(b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!') => self.pos += 2,
                _ => self.pos += 1,
            }
        }
        value.push_str(&self.src[start..self.pos.min(bytes.len())]);
    }

    fn nested(&mut self, start: usize, end: usize) {
        let end = end.min(self.bytes.len());
        if start >= end {
            return;
        }
        let inner = &self.src[start..end];
        let (base, pin) = match &self.pin {
            Some(pin) => (0, Some(pin.clone())),
            None => (self.base + start, None),
        };
        parse_nested(inner, base, self.depth + 1, pin, self.state);
    }
}

fn next_char(src: &str, pos: usize) -> char {
    src[pos..].chars().next().unwrap_or('\0')
}

fn is_assignment(word: &Word) -> bool {
    match word.value.split_once('=') {
        Some((name, _)) => is_name(name),
        None => false,
    }
}

/// Finds the `)` closing a `(` whose contents start at `from`, skipping quotes and nesting.
fn find_closing_paren(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

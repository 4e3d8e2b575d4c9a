//! The parser must never panic and every span it returns must be a valid slice of its input.
//! A deterministic mutation run over a seed corpus (the cargo-fuzz target in `fuzz/` does the
//! same with coverage guidance).

use rampart_dockerfile::{Dockerfile, parse};

const SEEDS: &[&str] = &[
    "# syntax=docker/dockerfile:1\n# escape=\\\nARG BASE=debian:12\nFROM ${BASE} AS build\nRUN --mount=type=cache,target=/var/cache/apt apt-get update \\\n# comment\n  && apt-get install -y --no-install-recommends curl=7.88 \\\n  && rm -rf /var/lib/apt/lists/*\nCOPY --chown=1000:1000 [\"a b\", \"/dst/\"]\nFROM scratch\nCOPY --from=build /x /x\nUSER 10001:10001\nENTRYPOINT [\"/x\"]\n",
    "FROM alpine\nRUN <<EOF1 sh && <<-\"EOF2\" cat > /b\napk add curl\nEOF1\n\tbody\n\tEOF2\nCOPY <<EOF /etc/x\nhello\nEOF\nONBUILD RUN curl -fsSL https://x | sh\nHEALTHCHECK --interval=5s CMD [\"/bin/true\"]\nENV A=1 B=\"2 3\" C=${A:-x}\nLABEL a=b \"c d\"=e\nEXPOSE 80/tcp 443 8000-8010\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n",
    "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN powershell -Command `\n  Write-Host hi\nWORKDIR C:\\\\app\n",
    "FROM a\nRUN [\"/bin/sh\", \"-c\", \"echo \\\"\\u00e9\\\" && curl x | bash\"]\nCMD echo ${X:?missing} ${Y#*/} ${Z//a/b}\nSTOPSIGNAL SIGTERM\nVOLUME [\"/data\"]\nMAINTAINER someone <a@b.c>\n",
];

fn check_spans(src: &str, df: &Dockerfile) {
    let ok = |span: &std::ops::Range<usize>| {
        assert!(span.start <= span.end && span.end <= src.len(), "span {span:?} out of bounds for {src:?}");
        assert!(
            src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
            "span {span:?} splits a char in {src:?}"
        );
    };
    df.errors.iter().for_each(|e| ok(&e.span));
    df.comments.iter().for_each(|c| ok(&c.span));
    df.directives.iter().for_each(|d| {
        ok(&d.span);
        ok(&d.value_span)
    });
    for i in df.all_instructions() {
        ok(&i.span);
        ok(&i.keyword_span);
        ok(&i.args.source_span(0..i.args.len()));
        i.flags.iter().for_each(|f| ok(&f.span));
        i.heredocs.iter().for_each(|h| {
            ok(&h.body_span);
            ok(&h.marker_span)
        });
        for script in i.shell_scripts() {
            for cmd in rampart_shell::parse(script.as_str()).commands {
                ok(&script.source_span(cmd.span.clone()));
                for w in &cmd.words {
                    ok(&script.source_span(w.span.clone()));
                }
            }
        }
    }
    let stages = df.stages();
    let scopes = df.scopes(&stages);
    for (i, instr) in df.instructions.iter().enumerate() {
        if let rampart_dockerfile::Body::User(w) = &instr.body {
            scopes.at(i).expand(&w.raw, df.escape);
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "\\\n", "\n", "<<EOF\n", "EOF\n", "\"", "'", "`", "$", "${", "}", "[", "]", "--", "=", "#", " ", "\t", "é",
    "\u{feff}", "\r\n", "<<-", "ONBUILD ", "FROM ", "RUN ", "COPY ", "ARG ", "AS ", "\0", "$(", ")", "|", "&&",
];

fn mutate(rng: &mut Rng, input: &str) -> String {
    let mut s: Vec<char> = input.chars().collect();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(s.len() + 1);
        match rng.below(4) {
            0 if !s.is_empty() => {
                let len = rng.below(8).min(s.len() - at.min(s.len()));
                s.drain(at.min(s.len())..at.min(s.len()) + len);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                s.splice(at..at, piece.chars());
            }
            2 if !s.is_empty() => {
                let from = rng.below(s.len());
                let len = rng.below(20).min(s.len() - from);
                let chunk: Vec<char> = s[from..from + len].to_vec();
                s.splice(at..at, chunk);
            }
            _ => {
                let c = char::from_u32(rng.below(0x250) as u32).unwrap_or('x');
                s.insert(at, c);
            }
        }
    }
    s.into_iter().collect()
}

#[test]
fn seeds_parse_cleanly() {
    for seed in SEEDS {
        let df = parse(seed);
        check_spans(seed, &df);
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..20_000 {
        let seed = SEEDS[round % SEEDS.len()];
        let input = mutate(&mut rng, seed);
        let df = parse(&input);
        check_spans(&input, &df);
    }
}

#[test]
fn pathological_inputs() {
    let long_continuation = "FROM a\nRUN x \\\n".to_string() + &"  y \\\n".repeat(50_000);
    check_spans(&long_continuation, &parse(&long_continuation));
    let many_heredocs = "FROM a\nRUN ".to_string() + &"<<A ".repeat(5_000) + "\n";
    check_spans(&many_heredocs, &parse(&many_heredocs));
    let nested = "FROM a\nENV X=".to_string() + &"${X:-".repeat(20_000) + "\nUSER ${X}\n";
    check_spans(&nested, &parse(&nested));
    for s in [
        "",
        "\n",
        "\\",
        "FROM",
        "FROM a\nRUN \\",
        "# escape=",
        "#\n#=\n",
        "\u{feff}",
        "FROM a\nCOPY <<",
        "FROM a\nRUN [\"\\u",
    ] {
        check_spans(s, &parse(s));
    }
}

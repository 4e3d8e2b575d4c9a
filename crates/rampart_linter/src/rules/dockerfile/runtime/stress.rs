//! The secrets and runtime rules never panic, and every span and fix edit they produce is a
//! valid slice of the input, on a deterministic mutation run over their fixtures.

use rampart_diagnostics::{SourceFile, apply_edits};

use crate::{FileKind, Linter, Settings};

const SEEDS: &[&str] = &[
    include_str!("../../../../tests/fixtures/DF060.txt"),
    include_str!("../../../../tests/fixtures/DF061.txt"),
    include_str!("../../../../tests/fixtures/DF062.txt"),
    include_str!("../../../../tests/fixtures/DF063.txt"),
    include_str!("../../../../tests/fixtures/DF064.txt"),
    include_str!("../../../../tests/fixtures/DF065.txt"),
    include_str!("../../../../tests/fixtures/DF070.txt"),
    include_str!("../../../../tests/fixtures/DF071.txt"),
    include_str!("../../../../tests/fixtures/DF072.txt"),
    include_str!("../../../../tests/fixtures/DF073.txt"),
    include_str!("../../../../tests/fixtures/DF076.txt"),
    include_str!("../../../../tests/fixtures/DF077.txt"),
    include_str!("../../../../tests/fixtures/DF078.txt"),
    include_str!("../../../../tests/fixtures/DF079.txt"),
    include_str!("../../../../tests/fixtures/DF080.txt"),
    include_str!("../../../../tests/fixtures/DF081.txt"),
    include_str!("../../../../tests/fixtures/DF082.txt"),
    include_str!("../../../../tests/fixtures/DF083.txt"),
];

const PIECES: &[&str] = &[
    "\\\n",
    "\n",
    "<<EOF\n",
    "EOF\n",
    "\"",
    "'",
    "`",
    "$",
    "${",
    "}",
    "[",
    "]",
    "--",
    "=",
    "#",
    " ",
    "é",
    "\r\n",
    "/run/secrets/",
    "|",
    "&&",
    ">",
    ":",
    "/",
    "-",
    "*",
    "ONBUILD ",
    "FROM ",
    "RUN ",
    "ENV ",
    "COPY ",
    "WORKDIR ",
    "--mount=type=secret,id=x,env=T ",
    "$T",
    "# escape=`\n",
    "22",
    "-p",
    "\0",
    "\u{1F600}",
];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &str) -> String {
    let mut s: Vec<char> = input.chars().collect();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(s.len() + 1);
        match rng.below(3) {
            0 if !s.is_empty() => {
                let at = at.min(s.len());
                let len = rng.below(10).min(s.len() - at);
                s.drain(at..at + len);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                s.splice(at..at, piece.chars());
            }
            _ if !s.is_empty() => {
                let from = rng.below(s.len());
                let len = rng.below(30).min(s.len() - from);
                let chunk: Vec<char> = s[from..from + len].to_vec();
                s.splice(at..at, chunk);
            }
            _ => {}
        }
    }
    s.into_iter().collect()
}

fn check(linter: &Linter, text: &str) {
    let file = SourceFile::new("stress", text.to_string());
    let report = linter.check(&file, FileKind::Dockerfile);
    for f in &report.findings {
        let ok = |s: rampart_diagnostics::Span| {
            s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
        };
        assert!(ok(f.span), "{}: bad span {:?} in {text:?}", f.rule.code, f.span);
        for r in &f.related {
            assert!(ok(r.span), "{}: bad related span in {text:?}", f.rule.code);
        }
        if let Some(fix) = &f.fix {
            let fixed = apply_edits(text, &fix.edits);
            assert!(fixed.is_ok(), "{}: fix does not apply to {text:?}: {fixed:?}", f.rule.code);
        }
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let settings = Settings { select: vec!["DF06".into(), "DF07".into(), "DF08".into()], ..Settings::default() };
    let linter = Linter::new(&settings);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for round in 0..4_000 {
        let seed = SEEDS[round % SEEDS.len()];
        check(&linter, &mutate(&mut rng, seed));
    }
    for s in [
        "",
        "FROM",
        "FROM a\nRUN \\",
        "FROM a\nEXPOSE",
        "FROM a\nWORKDIR \"",
        "FROM a\nCOPY a b",
        "FROM a\nENV A=1 B=${A",
        "FROM a\nRUN --mount=type=secret cat /run/secrets/ > x",
        "FROM a\nMAINTAINER",
        "FROM a\nCMD [",
        "FROM a\nCMD '",
    ] {
        check(&linter, s);
    }
}

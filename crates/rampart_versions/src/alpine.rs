//! apk version ordering, a transcription of apk-tools 2.x `src/version.c` (`get_token`,
//! `next_token`, `apk_version_compare_blob`): digits, one letter, `_alpha`/`_beta`/`_pre`/`_rc`
//! pre-release suffixes below the bare version, `_cvs`/`_svn`/`_git`/`_hg`/`_p` above it,
//! `-rN` package revisions, and apk's special treatment of leading zeros after a dot.

use std::cmp::Ordering;

use crate::num::cmp_digits;

/// Token types in apk's order (the comparison relies on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tok {
    DigitOrZero,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    RevisionNo,
    End,
    Invalid,
}

/// A token's value: apk's C `int`, widened so long digit runs cannot overflow.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Val {
    /// `-n` (leading zeros, pre-release suffixes).
    Neg(usize),
    /// A non-negative number as digits.
    Pos(String),
}

impl Val {
    fn zero() -> Self {
        Val::Pos(String::new())
    }
    fn small(n: usize) -> Self {
        Val::Pos(n.to_string())
    }
    fn cmp(&self, other: &Val) -> Ordering {
        match (self, other) {
            (Val::Neg(a), Val::Neg(b)) => b.cmp(a),
            (Val::Neg(_), Val::Pos(_)) => Ordering::Less,
            (Val::Pos(_), Val::Neg(_)) => Ordering::Greater,
            (Val::Pos(a), Val::Pos(b)) => cmp_digits(a, b),
        }
    }
}

struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
    tok: Tok,
}

const PRE: [&[u8]; 4] = [b"alpha", b"beta", b"pre", b"rc"];
const POST: [&[u8]; 5] = [b"cvs", b"svn", b"git", b"hg", b"p"];

impl Lexer<'_> {
    fn rest(&self) -> &[u8] {
        self.s.get(self.pos..).unwrap_or(&[])
    }

    /// apk's `next_token`: classifies the separator at the cursor and steps over it.
    fn next_token(&mut self) {
        let rest = self.rest();
        let mut n = Tok::Invalid;
        match rest.first() {
            None => n = Tok::End,
            Some(&c) => {
                if matches!(self.tok, Tok::Digit | Tok::DigitOrZero) && c.is_ascii_lowercase() {
                    n = Tok::Letter;
                } else if self.tok == Tok::Letter && c.is_ascii_digit() {
                    n = Tok::Digit;
                } else if self.tok == Tok::Suffix && c.is_ascii_digit() {
                    n = Tok::SuffixNo;
                } else {
                    match c {
                        b'.' => n = Tok::DigitOrZero,
                        b'_' => n = Tok::Suffix,
                        b'-' if rest.get(1) == Some(&b'r') => {
                            n = Tok::RevisionNo;
                            self.pos += 1;
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
        }
        if n < self.tok {
            let allowed = (n == Tok::DigitOrZero && self.tok == Tok::Digit)
                || (n == Tok::Suffix && self.tok == Tok::SuffixNo)
                || (n == Tok::Digit && self.tok == Tok::Letter);
            if !allowed {
                n = Tok::Invalid;
            }
        }
        self.tok = n;
    }

    /// apk's `get_token`: reads the value of the current token and advances to the next.
    fn get_token(&mut self) -> Val {
        let rest = self.rest();
        if rest.is_empty() {
            self.tok = Tok::End;
            return Val::zero();
        }
        let mut i = 0;
        let mut next = None;
        let v;
        match self.tok {
            Tok::DigitOrZero if rest[0] == b'0' => {
                while i < rest.len() && rest[i] == b'0' {
                    i += 1;
                }
                next = Some(Tok::Digit);
                v = Val::Neg(i);
            }
            Tok::DigitOrZero | Tok::Digit | Tok::SuffixNo | Tok::RevisionNo => {
                while i < rest.len() && rest[i].is_ascii_digit() {
                    i += 1;
                }
                v = Val::Pos(String::from_utf8_lossy(&rest[..i]).into_owned());
            }
            Tok::Letter => {
                v = Val::small(usize::from(rest[0]));
                i = 1;
            }
            Tok::Suffix => {
                if let Some(k) = PRE.iter().position(|p| rest.starts_with(p)) {
                    i = PRE[k].len();
                    v = Val::Neg(PRE.len() - k);
                } else if let Some(k) = POST.iter().position(|p| rest.starts_with(p)) {
                    i = POST[k].len();
                    v = Val::small(k);
                } else {
                    self.tok = Tok::Invalid;
                    return Val::Neg(1);
                }
            }
            Tok::End | Tok::Invalid => {
                self.tok = Tok::Invalid;
                return Val::Neg(1);
            }
        }
        self.pos += i;
        if self.rest().is_empty() {
            self.tok = Tok::End;
        } else if let Some(t) = next {
            self.tok = t;
        } else {
            self.next_token();
        }
        v
    }
}

/// apk's `apk_version_validate`, plus: the version must start with a digit.
fn valid(v: &str) -> bool {
    if !v.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let mut lx = Lexer { s: v.as_bytes(), pos: 0, tok: Tok::Digit };
    while lx.tok != Tok::End && lx.tok != Tok::Invalid {
        lx.get_token();
    }
    lx.tok == Tok::End
}

/// Compares two apk versions; `None` when either is not a valid apk version.
pub(crate) fn compare(a: &str, b: &str) -> Option<Ordering> {
    if !valid(a) || !valid(b) {
        return None;
    }
    let mut la = Lexer { s: a.as_bytes(), pos: 0, tok: Tok::Digit };
    let mut lb = Lexer { s: b.as_bytes(), pos: 0, tok: Tok::Digit };
    let (mut av, mut bv) = (Val::zero(), Val::zero());
    while la.tok == lb.tok && la.tok != Tok::End && la.tok != Tok::Invalid && av.cmp(&bv) == Ordering::Equal {
        av = la.get_token();
        bv = lb.get_token();
    }
    let ord = av.cmp(&bv);
    if ord != Ordering::Equal {
        return Some(ord);
    }
    if la.tok == lb.tok {
        return Some(Ordering::Equal);
    }
    // The non-terminated version is greater, unless what follows is a pre-release suffix.
    let (at, bt) = (la.tok, lb.tok);
    if at == Tok::Suffix && matches!(la.get_token(), Val::Neg(_)) {
        return Some(Ordering::Less);
    }
    if bt == Tok::Suffix && matches!(lb.get_token(), Val::Neg(_)) {
        return Some(Ordering::Greater);
    }
    Some(at.cmp(&bt).reverse())
}

//! PEP 440 ordering (<https://peps.python.org/pep-0440/>), following the reference
//! `packaging.version` parser and sort key: optional `v`, epoch `N!`, release `N(.N)*` with
//! trailing zeros insignificant, pre-releases (`a`/`alpha`, `b`/`beta`, `rc`/`c`/`pre`/
//! `preview`), post-releases (`.postN`, `-N`, `rev`, `r`), dev releases, local versions
//! `+local`, case-insensitive, with the spec's separator normalisations.

use std::cmp::Ordering;

use crate::num::{cmp_digits, is_digits, is_zero};

#[derive(Debug)]
struct Version {
    epoch: String,
    release: Vec<String>,
    /// (0 = a, 1 = b, 2 = rc, number)
    pre: Option<(u8, String)>,
    post: Option<String>,
    dev: Option<String>,
    local: Option<Vec<String>>,
}

struct Cur<'a> {
    s: &'a str,
}

impl<'a> Cur<'a> {
    fn digits(&mut self) -> Option<&'a str> {
        let n = self.s.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let (d, rest) = self.s.split_at(n);
        self.s = rest;
        Some(d)
    }
    fn eat(&mut self, p: &str) -> bool {
        match self.s.strip_prefix(p) {
            Some(rest) => {
                self.s = rest;
                true
            }
            None => false,
        }
    }
    fn sep(&mut self) -> bool {
        self.eat("-") || self.eat("_") || self.eat(".")
    }
    /// Tries `[-_.]?word[-_.]?N?` for the first matching word; restores on failure.
    fn labelled(&mut self, words: &[&str]) -> Option<(usize, Option<&'a str>)> {
        let save = self.s;
        self.sep();
        for (i, w) in words.iter().enumerate() {
            if self.eat(w) {
                let before_num = self.s;
                self.sep();
                let n = self.digits();
                if n.is_none() {
                    self.s = before_num;
                }
                return Some((i, n));
            }
        }
        self.s = save;
        None
    }
}

fn parse(v: &str) -> Option<Version> {
    let lower = v.trim().to_ascii_lowercase();
    let mut c = Cur { s: &lower };
    c.eat("v");
    let first = c.digits()?;
    let (epoch, first) = if c.eat("!") { (first.to_string(), c.digits()?) } else { ("0".to_string(), first) };
    let mut release = vec![first.to_string()];
    loop {
        let save = c.s;
        if c.eat(".")
            && let Some(d) = c.digits()
        {
            release.push(d.to_string());
            continue;
        }
        c.s = save;
        break;
    }
    // Longer spellings first: "preview" before "pre", "rc" before "c", "alpha" before "a".
    const PRE: [(&str, u8); 7] = [("alpha", 0), ("a", 0), ("beta", 1), ("b", 1), ("preview", 2), ("pre", 2), ("rc", 2)];
    let pre_words: Vec<&str> = PRE.iter().map(|p| p.0).chain(["c"]).collect();
    let pre = c.labelled(&pre_words).map(|(i, n)| {
        let kind = PRE.get(i).map_or(2, |p| p.1);
        (kind, n.unwrap_or("0").to_string())
    });
    let post = {
        let save = c.s;
        if c.eat("-")
            && let Some(n) = c.digits()
        {
            Some(n.to_string())
        } else {
            c.s = save;
            c.labelled(&["post", "rev", "r"]).map(|(_, n)| n.unwrap_or("0").to_string())
        }
    };
    let dev = c.labelled(&["dev"]).map(|(_, n)| n.unwrap_or("0").to_string());
    let local = if c.eat("+") {
        let parts: Vec<String> = c.s.split(['-', '_', '.']).map(str::to_string).collect();
        if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric())) {
            return None;
        }
        c.s = "";
        Some(parts)
    } else {
        None
    };
    if !c.s.is_empty() {
        return None;
    }
    while release.len() > 1 && release.last().is_some_and(|r| is_zero(r)) {
        release.pop();
    }
    Some(Version { epoch, release, pre, post, dev, local })
}

fn cmp_release(a: &[String], b: &[String]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).map_or("0", String::as_str);
        let y = b.get(i).map_or("0", String::as_str);
        let o = cmp_digits(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// `packaging`'s sort key for the pre-release slot: a dev-only release sorts before any
/// pre-release of the same version, a final release after all of them.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    DevOnly,
    Pre(u8, Num<'a>),
    Final,
}

#[derive(PartialEq, Eq)]
struct Num<'a>(&'a str);
impl PartialOrd for Num<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Num<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.0, other.0)
    }
}

fn pre_key(v: &Version) -> PreKey<'_> {
    match &v.pre {
        Some((k, n)) => PreKey::Pre(*k, Num(n)),
        None if v.post.is_none() && v.dev.is_some() => PreKey::DevOnly,
        None => PreKey::Final,
    }
}

fn cmp_local(a: &Option<Vec<String>>, b: &Option<Vec<String>>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => {
            for (x, y) in a.iter().zip(b) {
                let o = match (is_digits(x), is_digits(y)) {
                    (true, true) => cmp_digits(x, y),
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            a.len().cmp(&b.len())
        }
    }
}

fn cmp_versions(a: &Version, b: &Version) -> Ordering {
    cmp_digits(&a.epoch, &b.epoch)
        .then_with(|| cmp_release(&a.release, &b.release))
        .then_with(|| pre_key(a).cmp(&pre_key(b)))
        // No post release sorts first; `None < Some` does that.
        .then_with(|| a.post.as_deref().map(Num).cmp(&b.post.as_deref().map(Num)))
        // No dev release sorts last.
        .then_with(|| match (&a.dev, &b.dev) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => cmp_digits(x, y),
        })
        .then_with(|| cmp_local(&a.local, &b.local))
}

/// Compares two PEP 440 versions; `None` when either is not a valid PEP 440 version.
pub(crate) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(cmp_versions(&parse(a)?, &parse(b)?))
}

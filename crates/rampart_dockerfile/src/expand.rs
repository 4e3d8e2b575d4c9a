//! Build-time variable substitution, as the Dockerfile frontend does it for `FROM`, `COPY`,
//! `ENV`, `USER`, `WORKDIR`, `EXPOSE`, … (not for `RUN`, whose shell expands at run time).

const MAX_DEPTH: usize = 16;

/// The result of expanding a word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expansion {
    pub value: String,
    /// Variables that were referenced but not defined (they expanded to their default or
    /// to the empty string). When not empty, `value` is only a best guess.
    pub unresolved: Vec<String>,
    /// Every variable referenced.
    pub used: Vec<String>,
}

impl Expansion {
    pub fn is_complete(&self) -> bool {
        self.unresolved.is_empty()
    }
}

/// Expands `$VAR`, `${VAR}` and the `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`,
/// `${VAR+word}`, `${VAR:?msg}`, `${VAR#pat}`, `${VAR##pat}`, `${VAR%pat}`, `${VAR%%pat}`,
/// `${VAR/pat/repl}` and `${VAR//pat/repl}` forms in `raw`, removing quotes and escapes.
/// Single-quoted text and escaped `$` are not expanded.
///
/// ```
/// use rampart_dockerfile::expand;
/// let lookup = |name: &str| (name == "TAG").then(|| "12-slim".to_string());
/// assert_eq!(expand("debian:${TAG}", '\\', &lookup).value, "debian:12-slim");
/// assert_eq!(expand("${REG:-docker.io}/x", '\\', &lookup).value, "docker.io/x");
/// assert_eq!(expand("'$TAG'", '\\', &lookup).value, "$TAG");
/// ```
pub fn expand(raw: &str, escape: char, lookup: &dyn Fn(&str) -> Option<String>) -> Expansion {
    let mut out = Expansion::default();
    let chars: Vec<char> = raw.chars().collect();
    let value = expand_chars(&chars, escape, lookup, &mut out, 0);
    out.value = value;
    out
}

fn expand_chars(
    chars: &[char],
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
    out: &mut Expansion,
    depth: usize,
) -> String {
    let mut s = String::new();
    let mut i = 0;
    let mut in_double = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' && !in_double {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                s.push(chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        if c == '"' {
            in_double = !in_double;
            i += 1;
            continue;
        }
        if c == escape {
            match chars.get(i + 1) {
                Some(&n) if !in_double || n == '"' || n == '$' || n == escape => {
                    s.push(n);
                    i += 2;
                }
                _ => {
                    s.push(c);
                    i += 1;
                }
            }
            continue;
        }
        if c == '$' {
            let (text, next) = dollar(chars, i, escape, lookup, out, depth);
            s.push_str(&text);
            i = next;
            continue;
        }
        s.push(c);
        i += 1;
    }
    s
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn resolve(name: &str, lookup: &dyn Fn(&str) -> Option<String>, out: &mut Expansion) -> Option<String> {
    if !out.used.iter().any(|u| u == name) {
        out.used.push(name.to_string());
    }
    lookup(name)
}

fn mark_unresolved(name: &str, out: &mut Expansion) {
    if !out.unresolved.iter().any(|u| u == name) {
        out.unresolved.push(name.to_string());
    }
}

/// Expands the `$…` at `chars[i]`; returns the text and the index after it.
fn dollar(
    chars: &[char],
    i: usize,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
    out: &mut Expansion,
    depth: usize,
) -> (String, usize) {
    match chars.get(i + 1) {
        Some(&c) if is_name_char(c) && !c.is_ascii_digit() => {
            let mut j = i + 1;
            while j < chars.len() && is_name_char(chars[j]) {
                j += 1;
            }
            let name: String = chars[i + 1..j].iter().collect();
            match resolve(&name, lookup, out) {
                Some(v) => (v, j),
                None => {
                    mark_unresolved(&name, out);
                    (String::new(), j)
                }
            }
        }
        Some('{') => {
            // Find the matching brace.
            let mut level = 0usize;
            let mut j = i + 1;
            while j < chars.len() {
                match chars[j] {
                    '{' => level += 1,
                    '}' => {
                        level -= 1;
                        if level == 0 {
                            break;
                        }
                    }
                    c if c == escape => j += 1,
                    _ => {}
                }
                j += 1;
            }
            let end = j.min(chars.len());
            let inner: &[char] = &chars[(i + 2).min(end)..end];
            (braced(inner, escape, lookup, out, depth), (end + 1).min(chars.len()).max(i + 2))
        }
        _ => ("$".to_string(), i + 1),
    }
}

fn braced(
    inner: &[char],
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
    out: &mut Expansion,
    depth: usize,
) -> String {
    let name_len = inner.iter().take_while(|c| is_name_char(**c)).count();
    let name: String = inner[..name_len].iter().collect();
    let rest = &inner[name_len..];
    let value = resolve(&name, lookup, out);
    let sub = |word: &[char], out: &mut Expansion| {
        if depth >= MAX_DEPTH { String::new() } else { expand_chars(word, escape, lookup, out, depth + 1) }
    };
    let op: String = rest.iter().take(2).collect();
    match (op.as_str(), rest.first()) {
        (_, None) => value.unwrap_or_else(|| {
            mark_unresolved(&name, out);
            String::new()
        }),
        (o, _) if o.starts_with(":-") => match value.filter(|v| !v.is_empty()) {
            Some(v) => v,
            None => sub(&rest[2..], out),
        },
        (o, _) if o.starts_with(":+") => match value.filter(|v| !v.is_empty()) {
            Some(_) => sub(&rest[2..], out),
            None => String::new(),
        },
        (o, _) if o.starts_with(":?") => value.unwrap_or_else(|| {
            mark_unresolved(&name, out);
            String::new()
        }),
        (_, Some('-')) => match value {
            Some(v) => v,
            None => sub(&rest[1..], out),
        },
        (_, Some('+')) => match value {
            Some(_) => sub(&rest[1..], out),
            None => String::new(),
        },
        (_, Some('?')) => value.unwrap_or_else(|| {
            mark_unresolved(&name, out);
            String::new()
        }),
        (_, Some('#')) => {
            let longest = rest.get(1) == Some(&'#');
            let pattern = sub(&rest[if longest { 2 } else { 1 }..], out);
            let v = value.unwrap_or_else(|| {
                mark_unresolved(&name, out);
                String::new()
            });
            strip_prefix(&v, &pattern, longest)
        }
        (_, Some('%')) => {
            let longest = rest.get(1) == Some(&'%');
            let pattern = sub(&rest[if longest { 2 } else { 1 }..], out);
            let v = value.unwrap_or_else(|| {
                mark_unresolved(&name, out);
                String::new()
            });
            strip_suffix(&v, &pattern, longest)
        }
        (_, Some('/')) => {
            let all = rest.get(1) == Some(&'/');
            let body = &rest[if all { 2 } else { 1 }..];
            let slash = body.iter().position(|c| *c == '/');
            let (pat, repl) = match slash {
                Some(p) => (&body[..p], &body[p + 1..]),
                None => (body, &[][..]),
            };
            let pat = sub(pat, out);
            let repl = sub(repl, out);
            let v = value.unwrap_or_else(|| {
                mark_unresolved(&name, out);
                String::new()
            });
            if pat.is_empty() {
                v
            } else if all {
                v.replace(&pat, &repl)
            } else {
                v.replacen(&pat, &repl, 1)
            }
        }
        _ => {
            // An unsupported modifier: keep the text so the result is visibly unresolved.
            mark_unresolved(&name, out);
            String::new()
        }
    }
}

/// Shell pattern matching for `#`/`%` with `*` and `?` wildcards.
fn glob_match(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == '*' {
        p += 1;
    }
    p == pattern.len()
}

/// Pattern removal is quadratic; beyond this many character comparisons the value is kept.
const MAX_PATTERN_WORK: usize = 1 << 20;

fn strip_prefix(value: &str, pattern: &str, longest: bool) -> String {
    let v: Vec<char> = value.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    if v.len().saturating_mul(v.len()).saturating_mul(p.len().max(1)) > MAX_PATTERN_WORK {
        return value.to_string();
    }
    let lens: Box<dyn Iterator<Item = usize>> =
        if longest { Box::new((0..=v.len()).rev()) } else { Box::new(0..=v.len()) };
    for n in lens {
        if glob_match(&p, &v[..n]) {
            return v[n..].iter().collect();
        }
    }
    value.to_string()
}

fn strip_suffix(value: &str, pattern: &str, longest: bool) -> String {
    let v: Vec<char> = value.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    if v.len().saturating_mul(v.len()).saturating_mul(p.len().max(1)) > MAX_PATTERN_WORK {
        return value.to_string();
    }
    let starts: Box<dyn Iterator<Item = usize>> =
        if longest { Box::new(0..=v.len()) } else { Box::new((0..=v.len()).rev()) };
    for s in starts {
        if glob_match(&p, &v[s..]) {
            return v[..s].iter().collect();
        }
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "A" => Some("alpha".into()),
            "EMPTY" => Some(String::new()),
            "PATHV" => Some("/usr/local/bin/tool".into()),
            _ => None,
        }
    }

    fn x(s: &str) -> String {
        expand(s, '\\', &env).value
    }

    #[test]
    fn every_form() {
        assert_eq!(x("$A ${A}"), "alpha alpha");
        assert_eq!(x("${EMPTY:-d} ${EMPTY-d} ${NOPE-d}"), "d  d");
        assert_eq!(x("${A:+set} ${NOPE:+set}|"), "set |");
        assert_eq!(x("${PATHV#*/} ${PATHV##*/}"), "usr/local/bin/tool tool");
        assert_eq!(x("${PATHV%/*} ${PATHV%%/b*}"), "/usr/local/bin /usr/local");
        assert_eq!(x("${A/l/L} ${A//a/A}"), "aLpha AlphA");
        assert_eq!(x("${NOPE:-${A:-z}}"), "alpha");
        assert_eq!(x(r#"\$A '$A' "$A""#), "$A $A alpha");
        assert_eq!(x("$"), "$");
    }

    #[test]
    fn records_unresolved_names() {
        let e = expand("${REGISTRY}/app:${TAG:-latest}", '\\', &env);
        assert_eq!(e.value, "/app:latest");
        assert_eq!(e.unresolved, ["REGISTRY"]);
        assert_eq!(e.used, ["REGISTRY", "TAG"]);
    }

    #[test]
    fn hostile_input() {
        expand(&"${".repeat(10_000), '\\', &env);
        expand(&"${A:-".repeat(10_000), '\\', &env);
        expand("${", '\\', &env);
        expand("${}", '\\', &env);
        expand("${é}", '\\', &env);
    }
}

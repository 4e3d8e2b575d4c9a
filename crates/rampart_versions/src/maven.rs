//! Maven version ordering, after `org.apache.maven.artifact.versioning.ComparableVersion`
//! (Maven 3.x): items split on `.`, `-` and digit/letter transitions, `-` opening a
//! sub-list; trailing "null" items (0, "", ga, final, release) dropped; qualifiers ordered
//! alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp, unknown
//! qualifiers after them alphabetically; `a1`/`b1`/`m1` mean alpha/beta/milestone 1.

use std::cmp::Ordering;

use crate::num::cmp_digits;

#[derive(Debug, Clone)]
enum Item {
    /// A number, as digits without leading zeros ("" is zero).
    Int(String),
    /// A qualifier, already aliased.
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// `comparableQualifier("")`: the release position.
const RELEASE: &str = "5";

fn comparable(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let mut v = value;
    if followed_by_digit && v.len() == 1 {
        v = match v {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        };
    }
    let v = match v {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(v.to_string())
}

fn parse_item(is_digit: bool, buf: &str) -> Item {
    if is_digit { Item::Int(buf.trim_start_matches('0').to_string()) } else { string_item(buf, false) }
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(v) => v.is_empty(),
        Item::Str(v) => comparable(v) == RELEASE,
        Item::List(l) => l.is_empty(),
    }
}

fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

fn parse(version: &str) -> Option<Vec<Item>> {
    if version.is_empty() || version.chars().any(char::is_whitespace) {
        return None;
    }
    let v: Vec<char> = version.to_lowercase().chars().collect();
    let text = |a: usize, b: usize| v[a..b].iter().collect::<String>();
    // The chain of open lists: each new list is the last item of the previous one.
    let mut chain: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0;
    for (i, &c) in v.iter().enumerate() {
        let list = chain.last_mut()?;
        if c == '.' || c == '-' {
            if i == start {
                list.push(Item::Int(String::new()));
            } else {
                list.push(parse_item(is_digit, &text(start, i)));
            }
            start = i + 1;
            if c == '-' {
                chain.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                list.push(string_item(&text(start, i), true));
                start = i;
                chain.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                list.push(parse_item(true, &text(start, i)));
                start = i;
                chain.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if v.len() > start {
        chain.last_mut()?.push(parse_item(is_digit, &text(start, v.len())));
    }
    let mut child = chain.pop()?;
    normalize(&mut child);
    while let Some(mut parent) = chain.pop() {
        parent.push(Item::List(child));
        normalize(&mut parent);
        child = parent;
    }
    Some(child)
}

/// `Item.compareTo(null)`: how an item compares with a missing one (padding).
fn cmp_null(item: &Item) -> Ordering {
    match item {
        Item::Int(v) => {
            if v.is_empty() {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        Item::Str(v) => comparable(v).as_str().cmp(RELEASE),
        Item::List(l) => l.first().map_or(Ordering::Equal, cmp_null),
    }
}

fn cmp_item(a: &Item, b: &Item) -> Ordering {
    match (a, b) {
        (Item::Int(x), Item::Int(y)) => cmp_digits(x, y),
        (Item::Int(_), _) => Ordering::Greater,
        (Item::Str(_), Item::Int(_)) => Ordering::Less,
        (Item::Str(x), Item::Str(y)) => comparable(x).cmp(&comparable(y)),
        (Item::Str(_), Item::List(_)) => Ordering::Less,
        (Item::List(_), Item::Int(_)) => Ordering::Less,
        (Item::List(_), Item::Str(_)) => Ordering::Greater,
        (Item::List(x), Item::List(y)) => cmp_lists(x, y),
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let ord = match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => cmp_item(x, y),
            (Some(x), None) => cmp_null(x),
            (None, Some(y)) => cmp_null(y).reverse(),
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Compares two Maven versions; `None` only for empty or whitespace-carrying strings
/// (Maven itself accepts anything).
pub(crate) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(cmp_lists(&parse(a)?, &parse(b)?))
}

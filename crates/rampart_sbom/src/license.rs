//! Licence strings as packages declare them, sorted into SPDX identifiers, SPDX expressions and
//! free-form names.
//!
//! Packages declare licences in every style: SPDX expressions (`MIT OR Apache-2.0`, npm, Cargo,
//! apk), Debian short names (`GPL-2+`, `Expat`), PyPI prose (`Apache 2.0`). Only strings that
//! parse as SPDX expressions over identifiers known here are treated as SPDX; everything else is
//! kept verbatim as a name, so a consumer never sees a licence rampart made up.
//!
//! The identifiers are a built-in list of common, long-established SPDX licence and exception
//! identifiers rather than the whole SPDX list: a CycloneDX `license.id` must be in the schema's
//! enumeration and an SPDX document's identifiers in the validator's licence list, and both lag
//! the SPDX list. An SPDX identifier missing here is kept as a name, which is still valid.

/// How one declared licence string is written in an SBOM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Declared {
    /// One SPDX licence identifier, canonically cased (`mit` → `MIT`).
    Id(String),
    /// A valid SPDX expression that is not a single identifier (`MIT OR Apache-2.0`,
    /// `GPL-2.0-or-later WITH Classpath-exception-2.0`, `LicenseRef-Foo`), canonically written.
    Expression(Expression),
    /// Anything else, trimmed (`GPL-2+`, `Apache 2.0`).
    Name(String),
}

/// A parsed SPDX licence expression, written canonically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expression {
    pub text: String,
    /// Whether the top level is an `AND` or `OR`, so that joining it with others needs brackets.
    pub compound: bool,
    /// The `LicenseRef-` identifiers it uses, which an SPDX document must define.
    pub license_refs: Vec<String>,
}

/// Sorts one declared licence string. Returns `None` for strings that declare nothing: empty,
/// `NONE` or `NOASSERTION` (SPDX's own markers, which cannot be combined with other licences).
pub(crate) fn classify(raw: &str) -> Option<Declared> {
    let text = raw.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("NONE") || text.eq_ignore_ascii_case("NOASSERTION") {
        return None;
    }
    Some(match parse(text) {
        Some(Node::License { id, plus: false }) => Declared::Id(id),
        Some(node) => {
            let mut license_refs = Vec::new();
            node.license_refs(&mut license_refs);
            Declared::Expression(Expression {
                compound: matches!(node, Node::And(_) | Node::Or(_)),
                text: node.to_string(),
                license_refs,
            })
        }
        None => Declared::Name(text.to_string()),
    })
}

/// An expression tree. `WITH` binds tighter than `AND`, which binds tighter than `OR`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    License { id: String, plus: bool },
    LicenseRef(String),
    With(Box<Node>, String),
    And(Vec<Node>),
    Or(Vec<Node>),
}

impl Node {
    fn license_refs(&self, out: &mut Vec<String>) {
        match self {
            Node::LicenseRef(id) => {
                if !out.contains(id) {
                    out.push(id.clone());
                }
            }
            Node::License { .. } => {}
            Node::With(inner, _) => inner.license_refs(out),
            Node::And(items) | Node::Or(items) => items.iter().for_each(|item| item.license_refs(out)),
        }
    }

    /// Binding strength, for deciding where brackets are needed.
    fn rank(&self) -> u8 {
        match self {
            Node::Or(_) => 0,
            Node::And(_) => 1,
            Node::With(..) | Node::License { .. } | Node::LicenseRef(_) => 2,
        }
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |f: &mut std::fmt::Formatter<'_>, items: &[Node], op: &str, rank: u8| {
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    write!(f, " {op} ")?;
                }
                if item.rank() <= rank { write!(f, "({item})")? } else { write!(f, "{item}")? }
            }
            Ok(())
        };
        match self {
            Node::License { id, plus } => write!(f, "{id}{}", if *plus { "+" } else { "" }),
            Node::LicenseRef(id) => f.write_str(id),
            Node::With(license, exception) => write!(f, "{license} WITH {exception}"),
            Node::And(items) => join(f, items, "AND", 1),
            Node::Or(items) => join(f, items, "OR", 0),
        }
    }
}

/// Expressions longer than this are not treated as SPDX: no real licence needs it, and the
/// parser stays cheap on hostile metadata.
const MAX_TOKENS: usize = 256;
const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Open,
    Close,
    Word(&'a str),
}

fn tokens(text: &str) -> Option<Vec<Token<'_>>> {
    let mut out = Vec::new();
    let mut start = None;
    for (index, c) in text.char_indices() {
        let boundary = c.is_whitespace() || c == '(' || c == ')';
        if boundary {
            if let Some(from) = start.take() {
                out.push(Token::Word(&text[from..index]));
            }
            if c == '(' {
                out.push(Token::Open);
            } else if c == ')' {
                out.push(Token::Close);
            }
        } else if start.is_none() {
            start = Some(index);
        }
        if out.len() > MAX_TOKENS {
            return None;
        }
    }
    if let Some(from) = start {
        out.push(Token::Word(&text[from..]));
    }
    Some(out)
}

fn parse(text: &str) -> Option<Node> {
    let tokens = tokens(text)?;
    let mut parser = Parser { tokens: &tokens, at: 0 };
    let node = parser.or(0)?;
    (parser.at == tokens.len()).then_some(node)
}

struct Parser<'t, 'a> {
    tokens: &'t [Token<'a>],
    at: usize,
}

impl Parser<'_, '_> {
    fn operator(&self, name: &str) -> bool {
        // SPDX operators are upper case; lower-case ones are common enough (rpm, PyPI) and
        // unambiguous, so they are accepted and written upper case.
        matches!(self.tokens.get(self.at), Some(Token::Word(word)) if *word == name || *word == name.to_ascii_lowercase())
    }

    fn or(&mut self, depth: usize) -> Option<Node> {
        let mut items = vec![self.and(depth)?];
        while self.operator("OR") {
            self.at += 1;
            items.push(self.and(depth)?);
        }
        Some(if items.len() == 1 { items.pop()? } else { Node::Or(flatten(items, |n| matches!(n, Node::Or(_)))) })
    }

    fn and(&mut self, depth: usize) -> Option<Node> {
        let mut items = vec![self.with(depth)?];
        while self.operator("AND") {
            self.at += 1;
            items.push(self.with(depth)?);
        }
        Some(if items.len() == 1 { items.pop()? } else { Node::And(flatten(items, |n| matches!(n, Node::And(_)))) })
    }

    fn with(&mut self, depth: usize) -> Option<Node> {
        let node = self.primary(depth)?;
        if !self.operator("WITH") {
            return Some(node);
        }
        self.at += 1;
        if !matches!(node, Node::License { .. }) {
            return None;
        }
        let Some(Token::Word(word)) = self.tokens.get(self.at) else { return None };
        self.at += 1;
        Some(Node::With(Box::new(node), canonical(EXCEPTIONS, word)?.to_string()))
    }

    fn primary(&mut self, depth: usize) -> Option<Node> {
        match *self.tokens.get(self.at)? {
            Token::Open => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.at += 1;
                let node = self.or(depth + 1)?;
                if self.tokens.get(self.at) != Some(&Token::Close) {
                    return None;
                }
                self.at += 1;
                Some(node)
            }
            Token::Close => None,
            Token::Word(word) => {
                if ["AND", "OR", "WITH"].iter().any(|op| word.eq_ignore_ascii_case(op)) {
                    return None;
                }
                self.at += 1;
                simple(word)
            }
        }
    }
}

fn flatten(items: Vec<Node>, same: impl Fn(&Node) -> bool) -> Vec<Node> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if same(&item) {
            match item {
                Node::And(inner) | Node::Or(inner) => out.extend(inner),
                other => out.push(other),
            }
        } else {
            out.push(item);
        }
    }
    out
}

/// A licence identifier, an identifier followed by `+`, or a `LicenseRef-`.
fn simple(word: &str) -> Option<Node> {
    if let Some(rest) = strip_prefix_ignore_case(word, "LicenseRef-") {
        return is_idstring(rest).then(|| Node::LicenseRef(format!("LicenseRef-{rest}")));
    }
    let (id, plus) = match word.strip_suffix('+') {
        Some(id) => (id, true),
        None => (word, false),
    };
    // The GNU family's bare identifiers are deprecated: `GPL-2.0` means `-only`, `GPL-2.0+`
    // `-or-later`. Newer validators reject the old forms, and the meaning is fixed by SPDX.
    if let Some(current) = DEPRECATED_GNU.iter().find(|old| old.eq_ignore_ascii_case(id)) {
        let suffix = if plus { "-or-later" } else { "-only" };
        return Some(Node::License { id: format!("{current}{suffix}"), plus: false });
    }
    Some(Node::License { id: canonical(LICENSES, id)?.to_string(), plus })
}

fn strip_prefix_ignore_case<'a>(word: &'a str, prefix: &str) -> Option<&'a str> {
    let head = word.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &word[prefix.len()..])
}

fn is_idstring(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// SPDX identifiers match case-insensitively; this returns the list's spelling.
fn canonical(list: &'static [&'static str], word: &str) -> Option<&'static str> {
    list.iter().copied().find(|known| known.eq_ignore_ascii_case(word))
}

const DEPRECATED_GNU: &[&str] = &[
    "AGPL-1.0", "AGPL-3.0", "GFDL-1.1", "GFDL-1.2", "GFDL-1.3", "GPL-1.0", "GPL-2.0", "GPL-3.0", "LGPL-2.0",
    "LGPL-2.1", "LGPL-3.0",
];

/// Common SPDX licence identifiers (current, not deprecated), all on the SPDX list since 2020
/// or earlier.
const LICENSES: &[&str] = &[
    "0BSD",
    "AAL",
    "AFL-1.1",
    "AFL-1.2",
    "AFL-2.0",
    "AFL-2.1",
    "AFL-3.0",
    "AGPL-1.0-only",
    "AGPL-1.0-or-later",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.0",
    "Apache-1.1",
    "Apache-2.0",
    "APSL-2.0",
    "Artistic-1.0",
    "Artistic-1.0-Perl",
    "Artistic-1.0-cl8",
    "Artistic-2.0",
    "Beerware",
    "BitTorrent-1.1",
    "BlueOak-1.0.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-Patent",
    "BSD-3-Clause",
    "BSD-3-Clause-Attribution",
    "BSD-3-Clause-Clear",
    "BSD-3-Clause-LBNL",
    "BSD-3-Clause-No-Nuclear-License",
    "BSD-3-Clause-No-Nuclear-Warranty",
    "BSD-3-Clause-Open-MPI",
    "BSD-4-Clause",
    "BSD-4-Clause-UC",
    "BSD-Protection",
    "BSD-Source-Code",
    "BSL-1.0",
    "bzip2-1.0.6",
    "CAL-1.0",
    "CATOSL-1.1",
    "CC-BY-1.0",
    "CC-BY-2.0",
    "CC-BY-2.5",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-ND-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-4.0",
    "CC-BY-SA-2.0",
    "CC-BY-SA-2.5",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC-PDDC",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "CDLA-Permissive-1.0",
    "CDLA-Sharing-1.0",
    "CECILL-2.0",
    "CECILL-2.1",
    "CECILL-B",
    "CECILL-C",
    "ClArtistic",
    "CNRI-Python",
    "CPAL-1.0",
    "CPL-1.0",
    "curl",
    "ECL-2.0",
    "EFL-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "ErlPL-1.1",
    "EUDatagrid",
    "EUPL-1.1",
    "EUPL-1.2",
    "FSFAP",
    "FSFUL",
    "FSFULLR",
    "FTL",
    "GFDL-1.1-only",
    "GFDL-1.1-or-later",
    "GFDL-1.2-only",
    "GFDL-1.2-or-later",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "HPND",
    "HPND-sell-variant",
    "ICU",
    "IJG",
    "Imlib2",
    "Info-ZIP",
    "Intel",
    "IPA",
    "IPL-1.0",
    "ISC",
    "JasPer-2.0",
    "JSON",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "LGPLLR",
    "Libpng",
    "libpng-2.0",
    "libtiff",
    "LPL-1.02",
    "LPPL-1.3c",
    "MirOS",
    "MIT",
    "MIT-0",
    "MIT-advertising",
    "MIT-CMU",
    "MIT-enna",
    "MIT-feh",
    "MIT-Modern-Variant",
    "MIT-open-group",
    "MITNFA",
    "Motosoto",
    "MPL-1.0",
    "MPL-1.1",
    "MPL-2.0",
    "MPL-2.0-no-copyleft-exception",
    "MS-PL",
    "MS-RL",
    "MulanPSL-2.0",
    "Multics",
    "NASA-1.3",
    "NCSA",
    "NGPL",
    "NLOD-1.0",
    "NPL-1.1",
    "NTP",
    "OFL-1.0",
    "OFL-1.1",
    "OGL-UK-3.0",
    "OLDAP-2.8",
    "OpenSSL",
    "OSL-1.0",
    "OSL-2.0",
    "OSL-2.1",
    "OSL-3.0",
    "PHP-3.0",
    "PHP-3.01",
    "PostgreSQL",
    "PSF-2.0",
    "Python-2.0",
    "QPL-1.0",
    "RPL-1.5",
    "RPSL-1.0",
    "RSCPL",
    "Ruby",
    "SGI-B-2.0",
    "SimPL-2.0",
    "SISSL",
    "Sleepycat",
    "SMLNJ",
    "SPL-1.0",
    "SSPL-1.0",
    "TCL",
    "TCP-wrappers",
    "UCL-1.0",
    "Unicode-DFS-2015",
    "Unicode-DFS-2016",
    "Unicode-TOU",
    "Unlicense",
    "UPL-1.0",
    "Vim",
    "VSL-1.0",
    "W3C",
    "W3C-19980720",
    "W3C-20150513",
    "Watcom-1.0",
    "WTFPL",
    "X11",
    "XFree86-1.1",
    "Xnet",
    "xinetd",
    "YPL-1.1",
    "Zend-2.0",
    "Zlib",
    "zlib-acknowledgement",
    "ZPL-1.1",
    "ZPL-2.0",
    "ZPL-2.1",
];

/// Common SPDX licence exception identifiers, for `WITH`.
const EXCEPTIONS: &[&str] = &[
    "389-exception",
    "Autoconf-exception-2.0",
    "Autoconf-exception-3.0",
    "Bison-exception-2.2",
    "Bootloader-exception",
    "Classpath-exception-2.0",
    "CLISP-exception-2.0",
    "DigiRule-FOSS-exception",
    "eCos-exception-2.0",
    "Fawkes-Runtime-exception",
    "FLTK-exception",
    "Font-exception-2.0",
    "freertos-exception-2.0",
    "GCC-exception-2.0",
    "GCC-exception-3.1",
    "gnu-javamail-exception",
    "GPL-3.0-linking-exception",
    "GPL-3.0-linking-source-exception",
    "GPL-CC-1.0",
    "i2p-gpl-java-exception",
    "LGPL-3.0-linking-exception",
    "Libtool-exception",
    "Linux-syscall-note",
    "LLVM-exception",
    "LZMA-exception",
    "mif-exception",
    "OCaml-LGPL-linking-exception",
    "OCCT-exception-1.0",
    "OpenJDK-assembly-exception-1.0",
    "openvpn-openssl-exception",
    "PS-or-PDF-font-exception-20170817",
    "Qt-GPL-exception-1.0",
    "Qt-LGPL-exception-1.1",
    "Qwt-exception-1.0",
    "Swift-exception",
    "u-boot-exception-2.0",
    "Universal-FOSS-exception-1.0",
    "WxWindows-exception-3.1",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn expression(text: &str) -> Declared {
        let mut license_refs = Vec::new();
        parse(text).unwrap().license_refs(&mut license_refs);
        Declared::Expression(Expression {
            text: text.into(),
            compound: text.contains(" AND ") || text.contains(" OR "),
            license_refs,
        })
    }

    #[test]
    fn identifiers_are_canonically_cased() {
        assert_eq!(classify(" MIT "), Some(Declared::Id("MIT".into())));
        assert_eq!(classify("bsd-3-clause"), Some(Declared::Id("BSD-3-Clause".into())));
        assert_eq!(classify("GPL-2.0-or-later"), Some(Declared::Id("GPL-2.0-or-later".into())));
    }

    #[test]
    fn deprecated_gnu_identifiers_get_their_current_names() {
        assert_eq!(classify("GPL-2.0"), Some(Declared::Id("GPL-2.0-only".into())));
        assert_eq!(classify("LGPL-2.1+"), Some(Declared::Id("LGPL-2.1-or-later".into())));
        assert_eq!(classify("GPL-2.0+ OR MIT"), Some(expression("GPL-2.0-or-later OR MIT")));
    }

    #[test]
    fn expressions() {
        assert_eq!(classify("MIT OR Apache-2.0"), Some(expression("MIT OR Apache-2.0")));
        assert_eq!(classify("mit or apache-2.0"), Some(expression("MIT OR Apache-2.0")));
        assert_eq!(classify("((MIT))"), Some(Declared::Id("MIT".into())));
        assert_eq!(classify("MPL-1.1+"), Some(expression("MPL-1.1+")));
        assert_eq!(classify("(MIT AND ISC) AND Zlib"), Some(expression("MIT AND ISC AND Zlib")));
        assert_eq!(classify("MIT AND (ISC OR Zlib)"), Some(expression("MIT AND (ISC OR Zlib)")));
        assert_eq!(classify("(MIT OR ISC) OR Zlib"), Some(expression("MIT OR ISC OR Zlib")));
        assert_eq!(classify("MIT OR ISC AND Zlib"), Some(expression("MIT OR ISC AND Zlib")));
        assert_eq!(
            classify("GPL-2.0-or-later WITH classpath-exception-2.0"),
            Some(expression("GPL-2.0-or-later WITH Classpath-exception-2.0"))
        );
        assert_eq!(classify("LicenseRef-Proprietary"), Some(expression("LicenseRef-Proprietary")));
        let Some(Declared::Expression(e)) = classify("MIT AND licenseref-x.1") else { panic!() };
        assert_eq!((e.text.as_str(), e.license_refs), ("MIT AND LicenseRef-x.1", vec!["LicenseRef-x.1".to_string()]));
    }

    #[test]
    fn everything_else_is_a_name() {
        for name in [
            "GPL-2+",
            "Apache 2.0",
            "BSD",
            "MIT/X11",
            "MIT AND",
            "(MIT",
            "MIT)",
            "MIT WITH LLVM-exception WITH LLVM-exception",
            "(MIT OR ISC) WITH LLVM-exception",
            "MIT WITH Apache-2.0",
            "LicenseRef-",
            "LicenseRef-a_b",
            "DocumentRef-x:LicenseRef-y",
            "SEE LICENSE IN LICENSE.md",
            "Apache-2.0 and-or MIT",
        ] {
            assert_eq!(classify(name), Some(Declared::Name(name.into())), "{name}");
        }
        assert_eq!(classify("  "), None);
        assert_eq!(classify("noassertion"), None);
        assert_eq!(classify("NONE"), None);
    }

    #[test]
    fn hostile_strings_are_names_not_crashes() {
        let deep = format!("{}MIT{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(classify(&deep), Some(Declared::Name(deep.clone())));
        let long = vec!["MIT"; 10_000].join(" AND ");
        assert_eq!(classify(&long), Some(Declared::Name(long.clone())));
        assert_eq!(classify("(((((((((((MIT)))))))))))"), Some(Declared::Id("MIT".into())));
        assert!(matches!(classify("é ( ) ü"), Some(Declared::Name(_))));
    }

    #[test]
    fn lists_are_well_formed_and_free_of_duplicates() {
        for list in [LICENSES, EXCEPTIONS] {
            for (index, id) in list.iter().enumerate() {
                assert!(is_idstring(id), "{id}");
                assert!(!list[index + 1..].iter().any(|other| other.eq_ignore_ascii_case(id)), "{id} is listed twice");
            }
        }
    }
}

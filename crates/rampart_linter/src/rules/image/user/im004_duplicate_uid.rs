use std::collections::BTreeMap;

use crate::image::{ImageContext, Pending, account_lines};

declare_rule! {
    /// Two accounts of the image share a UID.
    ///
    /// ## What it does
    /// Reads `/etc/passwd` of the final filesystem and reports every account whose UID an
    /// earlier account already has, pointing at both lines.
    ///
    /// ## Why
    /// The kernel knows only the number: two names for one UID are one user, with each
    /// other's files, processes and privileges. A second UID 0 account is a hidden root; a
    /// duplicate left by a careless `useradd -o` makes audit logs and file ownership lie
    /// about who did what.
    ///
    /// ## Example
    /// ```text
    /// root:x:0:0:root:/root:/bin/bash
    /// toor:x:0:0::/root:/bin/sh
    /// ```
    /// Use instead: give every account its own UID (`useradd --uid 10001 app`), never
    /// `useradd -o`.
    ///
    /// ## Fix
    /// Remove the duplicate account or give it a free UID in the Dockerfile, and rebuild.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and which of the two
    /// accounts is the intended one is for a human to say.
    ///
    /// ## References
    /// - CWE-286: Incorrect User Management
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    /// - Dockle DKL-LI-0002
    pub struct DuplicateUid {
        code: "IM004",
        name: "image-duplicate-uid",
        severity: Warning,
        tags: ["user", "image", "nist-800-190:4.1.2", "cwe:286"],
        equivalents: ["dockle:DKL-LI-0002"],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    duplicates(cx, out, &INFO, "/etc/passwd", 2, "UID");
}

/// Reports entries of `file` whose numeric field `field` repeats an earlier entry's.
pub(crate) fn duplicates(
    cx: &ImageContext<'_>,
    out: &mut Vec<Pending>,
    info: &'static crate::RuleInfo,
    file: &str,
    field: usize,
    what: &str,
) {
    let Some(text) = cx.retained_text(file) else { return };
    let lines = account_lines(&text);
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (n, l) in lines.iter().enumerate() {
        let (Some(name), Some(id)) = (l.fields.first(), l.fields.get(field)) else { continue };
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Some(&earlier) = first.get(id) else {
            first.insert(id, n);
            continue;
        };
        let shown = |l: &crate::image::AccountLine<'_>| {
            // Group files carry a (rarely used) password field too: never quote it.
            l.fields
                .iter()
                .enumerate()
                .map(|(i, f)| if i == 1 && !f.is_empty() { "x" } else { f })
                .collect::<Vec<_>>()
                .join(":")
        };
        let span_of = |l: &crate::image::AccountLine<'_>, text: &str| {
            let start = text.split(':').take(field).map(|f| f.len() + 1).sum::<usize>();
            start..start + l.fields.get(field).map_or(0, |f| f.len())
        };
        let this = shown(l);
        let other = &lines[earlier];
        let other_text = shown(other);
        let other_name = other.fields.first().copied().unwrap_or("");
        out.push(
            cx.finding(
                info,
                cx.retained_line(file, l.line, &this, span_of(l, &this)),
                format!(
                    "`{name}` has {what} {id}, like `{other_name}` above: both are the same {}",
                    if what == "UID" { "user" } else { "group" }
                ),
            )
            .with_label(format!("duplicate {what}"))
            .with_related(
                cx.retained_line(file, other.line, &other_text, span_of(other, &other_text)),
                format!("{what} {id} first given here"),
            )
            .with_help(format!("give `{name}` its own {what} (or remove it) in the Dockerfile and rebuild")),
        );
    }
}

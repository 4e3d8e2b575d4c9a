use rampart_diagnostics::{Edit, Fix, Span};
use rampart_dockerfile::Keyword;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// `ADD --keep-git-dir` keeps the repository's `.git` history in the image.
    ///
    /// ## What it does
    /// Reports `ADD --keep-git-dir=true` (or a bare `--keep-git-dir`) in the stages of the
    /// final image. A builder stage that keeps `.git` to stamp a version (`git describe`)
    /// and whose files are only copied from is not reported.
    ///
    /// ## Why
    /// The `.git` directory holds the whole history of the repository: every file ever
    /// committed, including secrets that were removed later, and the remote URL (sometimes
    /// with a token in it). Shipped in the image, all of it can be read by anyone who pulls
    /// the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD --keep-git-dir=true https://github.com/example/app.git#v1.2.0 /src
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ADD https://github.com/example/app.git#v1.2.0 /src
    /// ```
    ///
    /// ## Fix
    /// Removes the `--keep-git-dir` flag.
    ///
    /// ## Fix safety
    /// Unsafe: a later step of the build may need the history (`git describe`, `git log`).
    /// Move such steps to a builder stage.
    ///
    /// ## References
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory
    /// - ADD --keep-git-dir: <https://docs.docker.com/reference/dockerfile/#add---keep-git-dir>
    pub struct GitDirectoryKept {
        code: "DF065",
        name: "git-directory-kept",
        severity: Warning,
        tags: ["secrets", "cwe:538"],
        equivalents: [],
        fix: Unsafe,
    }
}

/// Go's `strconv.ParseBool` true values, which BuildKit uses for the flag.
fn is_true(value: Option<&str>) -> bool {
    match value {
        None => true,
        Some(v) => matches!(v.trim(), "1" | "t" | "T" | "true" | "TRUE" | "True"),
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let text = cx.file.text();
    for (i, instr) in cx.instructions() {
        if instr.keyword != Keyword::Add || !cx.in_final_image(i) {
            continue;
        }
        for flag in instr.flags_named("keep-git-dir") {
            if !is_true(flag.value.as_deref()) {
                continue;
            }
            // Remove the flag and the blanks before it.
            let before = text.get(..flag.span.start).unwrap_or("");
            let start = before.trim_end_matches([' ', '\t']).len();
            let fix = Fix::unsafe_("Remove `--keep-git-dir`", vec![Edit::delete(Span::new(start, flag.span.end))]);
            out.push(
                cx.finding(&INFO, flag.span.clone(), "`ADD --keep-git-dir` ships the repository's `.git` history in the image")
                    .with_label("every file ever committed, secrets removed later included")
                    .with_help("drop the flag; if a build step needs the history, run it in a builder stage and copy only its output")
                    .with_fix(fix),
            );
        }
    }
}

use rampart_diagnostics::{Edit, Fix};
use rampart_dockerfile::Body;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// `COPY` or `ADD` of several sources into a destination without a trailing `/`.
    ///
    /// ## What it does
    /// Reports `COPY` and `ADD` with more than one source (here-documents included) whose
    /// destination, after expanding build arguments, does not end with `/` (`.` and `..`
    /// are directories too). A single wildcard source is not reported: `COPY target/*.jar
    /// app.jar` is a common and working way to copy the one file the pattern matches, and
    /// the builder only fails when it matches several.
    ///
    /// ## Why
    /// With several sources the destination must be a directory, written with a trailing
    /// `/`: the builder rejects the instruction otherwise, and readers cannot tell whether
    /// a file or a directory was meant.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY package.json package-lock.json /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY package.json package-lock.json /app/
    /// ```
    ///
    /// ## Fix
    /// Appends `/` to the destination (inside the quotes of the JSON form).
    ///
    /// ## Fix safety
    /// Safe: with several sources the destination is a directory either way.
    ///
    /// ## References
    /// - COPY: <https://docs.docker.com/reference/dockerfile/#copy>
    pub struct CopyMultipleSourcesWithoutTrailingSlash {
        code: "DF080",
        name: "copy-multiple-sources-without-trailing-slash",
        severity: Error,
        tags: ["runtime", "correctness"],
        equivalents: ["hadolint:DL3021", "trivy:DS-0011"],
        fix: Safe,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let text = cx.file.text();
    for (i, instr) in cx.all_instructions() {
        let (Body::Copy(copy) | Body::Add(copy)) = &instr.body else { continue };
        let Some(dest) = &copy.dest else { continue };
        if copy.sources.len() < 2 {
            continue;
        }
        let value = cx.expand(i, dest);
        let d = value.value.as_str();
        if !value.is_complete()
            || d.ends_with('/')
            || d.ends_with('\\')
            || d == "."
            || d == ".."
            || d.ends_with("/.")
            || d.ends_with("/..")
        {
            continue;
        }
        let kw = instr.keyword.as_str();
        // Before a closing quote (JSON form or a quoted shell word), else at the end.
        let source = text.get(dest.span.clone()).unwrap_or("");
        let at = if source.len() >= 2 && (source.ends_with('"') || source.ends_with('\'')) {
            dest.span.end - 1
        } else {
            dest.span.end
        };
        out.push(
            cx.finding(
                &INFO,
                dest.span.clone(),
                format!("{kw} of {} sources needs a directory destination ending in `/`: `{d}`", copy.sources.len()),
            )
            .with_label("add a trailing `/`")
            .with_help(format!("write `{d}/`"))
            .with_fix(Fix::safe("Append `/` to the destination", vec![Edit::insert(at, "/")])),
        );
    }
}

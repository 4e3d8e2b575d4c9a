use rampart_diagnostics::{Edit, Fix, Span};
use rampart_dockerfile::Body;

use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::rules::dockerfile::same_case;

declare_rule! {
    /// `MAINTAINER` is deprecated: use the `org.opencontainers.image.authors` label.
    ///
    /// ## What it does
    /// Reports every `MAINTAINER` instruction.
    ///
    /// ## Why
    /// `MAINTAINER` has been deprecated since Docker 1.13. It sets a field of the image
    /// configuration that few tools read, while labels are shown by `docker inspect`,
    /// registries and scanners; the OCI annotation `org.opencontainers.image.authors` is
    /// the standard place for it.
    ///
    /// ## Example
    /// ```dockerfile
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Fix
    /// Replaces the instruction with the label, keeping the keyword's case.
    ///
    /// ## Fix safety
    /// Safe: the image gains a label and loses the deprecated `Author` field, which nothing
    /// should depend on.
    ///
    /// ## References
    /// - MAINTAINER (deprecated): <https://docs.docker.com/reference/dockerfile/#maintainer-deprecated>
    /// - OCI image annotations: <https://github.com/opencontainers/image-spec/blob/main/annotations.md>
    pub struct MaintainerDeprecated {
        code: "DF082",
        name: "maintainer-deprecated",
        severity: Note,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL4000", "trivy:DS-0022", "checkov:CKV_DOCKER_6"],
        fix: Safe,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let escape = cx.df.escape;
    for (_, instr) in cx.all_instructions() {
        let Body::Maintainer(word) = &instr.body else { continue };
        let keyword = cx.file.slice(Span::new(instr.keyword_span.start, instr.keyword_span.end));
        let value = word.value.trim();
        // A double-quoted label value: escape quotes, the escape character and `$`.
        let mut quoted = String::with_capacity(value.len() + 2);
        quoted.push('"');
        for c in value.chars() {
            if c == '"' || c == escape || c == '$' {
                quoted.push(escape);
            }
            quoted.push(if c == '\n' || c == '\r' { ' ' } else { c });
        }
        quoted.push('"');
        let replacement = format!("{} org.opencontainers.image.authors={quoted}", same_case(keyword, "LABEL"));
        let span = Span::new(instr.keyword_span.start, instr.line_span.end);
        out.push(
            cx.finding(&INFO, instr.keyword_span.clone(), "`MAINTAINER` is deprecated")
                .with_label("use the `org.opencontainers.image.authors` label")
                .with_help(format!("write `LABEL org.opencontainers.image.authors={quoted}`"))
                .with_fix(Fix::safe("Replace with a `LABEL`", vec![Edit::replace(span, replacement)])),
        );
    }
}

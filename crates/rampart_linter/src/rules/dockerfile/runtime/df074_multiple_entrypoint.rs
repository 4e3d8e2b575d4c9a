use rampart_dockerfile::Keyword;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// A stage has more than one `ENTRYPOINT`: only the last one counts.
    ///
    /// ## What it does
    /// Reports every `ENTRYPOINT` of a stage that a later `ENTRYPOINT` of the same stage
    /// replaces, and points at the one that takes effect. `ENTRYPOINT` inside `ONBUILD` is a
    /// trigger for another build and is not counted.
    ///
    /// ## Why
    /// Only the last `ENTRYPOINT` of a stage is the image's entry point: the earlier ones do
    /// nothing. They mislead readers, and reviewers who check the first one, about what
    /// the container runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENTRYPOINT ["/docker-entrypoint.sh"]
    /// ENTRYPOINT ["/app/run"]
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ENTRYPOINT ["/app/run"]
    /// ```
    ///
    /// ## Fix
    /// Deletes the earlier `ENTRYPOINT` lines.
    ///
    /// ## Fix safety
    /// Safe: the deleted instruction has no effect on the image.
    ///
    /// ## References
    /// - ENTRYPOINT: <https://docs.docker.com/reference/dockerfile/#entrypoint>
    pub struct MultipleEntrypoint {
        code: "DF074",
        name: "multiple-entrypoint",
        severity: Warning,
        tags: ["runtime", "correctness"],
        equivalents: ["hadolint:DL4004", "trivy:DS-0007"],
        fix: Safe,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    super::duplicates::check(
        cx,
        &INFO,
        Keyword::Entrypoint,
        "only the last ENTRYPOINT of a stage is the image's entry point",
        out,
    );
}

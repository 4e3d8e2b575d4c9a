use rampart_dockerfile::Keyword;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// A stage has more than one `HEALTHCHECK`: only the last one counts.
    ///
    /// ## What it does
    /// Reports every `HEALTHCHECK` of a stage that a later `HEALTHCHECK` of the same stage
    /// replaces, and points at the one that takes effect. `HEALTHCHECK` inside `ONBUILD` is a
    /// trigger for another build and is not counted.
    ///
    /// ## Why
    /// Only the last `HEALTHCHECK` of a stage is the image's health check: the earlier ones do
    /// nothing. They mislead readers, and reviewers who check the first one, about what
    /// the container runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// HEALTHCHECK CMD curl -fsS http://localhost/ || exit 1
    /// HEALTHCHECK CMD wget -qO- http://localhost:8080/health || exit 1
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// HEALTHCHECK CMD wget -qO- http://localhost:8080/health || exit 1
    /// ```
    ///
    /// ## Fix
    /// Deletes the earlier `HEALTHCHECK` lines.
    ///
    /// ## Fix safety
    /// Safe: the deleted instruction has no effect on the image.
    ///
    /// ## References
    /// - HEALTHCHECK: <https://docs.docker.com/reference/dockerfile/#healthcheck>
    pub struct MultipleHealthcheck {
        code: "DF075",
        name: "multiple-healthcheck",
        severity: Warning,
        tags: ["runtime", "correctness"],
        equivalents: ["hadolint:DL3012", "trivy:DS-0023"],
        fix: Safe,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    super::duplicates::check(
        cx,
        &INFO,
        Keyword::Healthcheck,
        "only the last HEALTHCHECK of a stage is the image's health check",
        out,
    );
}

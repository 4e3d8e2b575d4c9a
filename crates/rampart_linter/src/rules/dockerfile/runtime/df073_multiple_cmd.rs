use rampart_dockerfile::Keyword;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// A stage has more than one `CMD`: only the last one counts.
    ///
    /// ## What it does
    /// Reports every `CMD` of a stage that a later `CMD` of the same stage
    /// replaces, and points at the one that takes effect. `CMD` inside `ONBUILD` is a
    /// trigger for another build and is not counted.
    ///
    /// ## Why
    /// Only the last `CMD` of a stage is the image's default command: the earlier ones do
    /// nothing. They mislead readers, and reviewers who check the first one, about what
    /// the container runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["npm", "start"]
    /// CMD ["node", "server.js"]
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix
    /// Deletes the earlier `CMD` lines.
    ///
    /// ## Fix safety
    /// Safe: the deleted instruction has no effect on the image.
    ///
    /// ## References
    /// - CMD: <https://docs.docker.com/reference/dockerfile/#cmd>
    pub struct MultipleCmd {
        code: "DF073",
        name: "multiple-cmd",
        severity: Warning,
        tags: ["runtime", "correctness"],
        equivalents: ["hadolint:DL4003", "trivy:DS-0016"],
        fix: Safe,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    super::duplicates::check(
        cx,
        &INFO,
        Keyword::Cmd,
        "only the last CMD of a stage is the image's default command",
        out,
    );
}

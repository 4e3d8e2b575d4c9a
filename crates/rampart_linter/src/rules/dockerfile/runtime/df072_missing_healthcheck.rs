use rampart_dockerfile::Keyword;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// The image has no `HEALTHCHECK`.
    ///
    /// ## What it does
    /// Reports a final image whose stages (the final stage and the stages it is built
    /// `FROM`) have no `HEALTHCHECK`. `HEALTHCHECK NONE` is an explicit choice and is not
    /// reported. Images with neither a `CMD`/`ENTRYPOINT` nor an `EXPOSE` in those stages
    /// are not reported either: they are base images meant to be extended. An image that
    /// exposes a port runs a service, even when its command comes from its base (`FROM
    /// nginx` plus content), and is reported.
    ///
    /// ## Why
    /// Without a health check, Docker and Swarm only know whether the process is running,
    /// not whether it works: a deadlocked server stays "up" and keeps receiving traffic.
    /// Kubernetes ignores `HEALTHCHECK` and uses probes instead; for images that only run
    /// there, state it with `HEALTHCHECK NONE` or turn this rule off.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: how to probe the service depends on the service.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.6 "Ensure that HEALTHCHECK instructions have been added to container images"
    /// - HEALTHCHECK: <https://docs.docker.com/reference/dockerfile/#healthcheck>
    pub struct MissingHealthcheck {
        code: "DF072",
        name: "missing-healthcheck",
        severity: Note,
        tags: ["runtime", "cis-docker:4.6"],
        equivalents: ["hadolint:DL3057", "trivy:DS-0026", "checkov:CKV_DOCKER_2", "cis-docker:4.6"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let Some(final_stage) = cx.final_stage() else { return };
    let mut has_command = false;
    for stage in cx.final_chain() {
        for i in stage.body() {
            match cx.instruction(i).keyword {
                Keyword::Healthcheck => return,
                Keyword::Cmd | Keyword::Entrypoint | Keyword::Expose => has_command = true,
                _ => {}
            }
        }
    }
    if !has_command {
        return;
    }
    let from = cx.instruction(final_stage.from);
    out.push(
        cx.finding(&INFO, from.line_span.clone(), "the image has no HEALTHCHECK")
            .with_label("final image")
            .with_help("add `HEALTHCHECK CMD <command that fails when the service does not work>`, or `HEALTHCHECK NONE` to say there is none on purpose"),
    );
}

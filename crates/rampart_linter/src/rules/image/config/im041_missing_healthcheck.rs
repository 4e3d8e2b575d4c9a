use crate::image::{ImageContext, Pending, Target, path};

declare_rule! {
    /// The image has no healthcheck.
    ///
    /// ## What it does
    /// Reports an image configuration without a `Healthcheck`, or with one that has no test
    /// (which inherits nothing in a final image). `Healthcheck.Test: ["NONE"]` (what
    /// `HEALTHCHECK NONE` writes) is an explicit choice, made for instance because the
    /// orchestrator probes the service, and is not reported.
    ///
    /// ## Why
    /// Without a healthcheck, Docker and Compose only know whether the process is running,
    /// not whether it answers: a hung server stays "up" and keeps receiving traffic. (On
    /// Kubernetes, liveness and readiness probes do this job and the image healthcheck is
    /// ignored: turn this rule off there or state `HEALTHCHECK NONE`.)
    ///
    /// ## Example
    /// A configuration without `"Healthcheck"`. Use instead, in the Dockerfile:
    /// ```dockerfile
    /// HEALTHCHECK --interval=30s --timeout=5s CMD ["/app", "healthcheck"]
    /// ```
    ///
    /// ## Fix
    /// Add a `HEALTHCHECK` that fails when the service does not work, or `HEALTHCHECK NONE`
    /// to say there is none on purpose, to the Dockerfile and rebuild.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and only a human knows how
    /// to probe the service (`DF072` reports the same in the Dockerfile).
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.6: Ensure that HEALTHCHECK instructions have been added to container images
    /// - Dockle CIS-DI-0006; Trivy DS-0026 and hadolint DL3057 on Dockerfiles
    pub struct MissingHealthcheck {
        code: "IM041",
        name: "image-missing-healthcheck",
        severity: Note,
        tags: ["runtime", "image", "cis-docker:4.6"],
        equivalents: ["dockle:CIS-DI-0006", "cis-docker:4.6"],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    let explicit_none = cx
        .run
        .healthcheck
        .as_ref()
        .and_then(|h| h.test.as_deref())
        .is_some_and(|t| t.first().is_some_and(|f| f == "NONE"));
    if explicit_none || cx.run.healthcheck.as_ref().is_some_and(|h| h.is_enabled()) {
        return;
    }
    let at = path(&["config", "Healthcheck"]);
    let (target, why) = if cx.has(&at) {
        (Target::Config(at), "its healthcheck has no test")
    } else {
        (Target::ConfigKey(path(&["config"])), "the configuration has no `Healthcheck`")
    };
    out.push(
        cx.finding(&INFO, target, format!("the image has no healthcheck: {why}"))
            .with_label("no healthcheck")
            .with_help("add `HEALTHCHECK CMD <command that fails when the service does not work>` to the Dockerfile, or `HEALTHCHECK NONE` to say there is none on purpose"),
    );
}

use std::collections::HashMap;
use std::sync::Arc;

use rampart_diagnostics::Span;
use rampart_dockerfile::Body;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// Two stages have the same name.
    ///
    /// ## What it does
    /// Reports a `FROM … AS name` whose name (compared case-insensitively, as the builder
    /// does) was already given to an earlier stage.
    ///
    /// ## Why
    /// BuildKit refuses the Dockerfile ("duplicate stage name"), and older builders silently
    /// use one of the two for `COPY --from=name` and `--target name` — not necessarily the one
    /// the author had in mind.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 AS build
    /// RUN npm ci && npm run build
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22 AS build-web
    /// RUN npm ci && npm run build
    /// FROM golang:1.23 AS build-api
    /// RUN go build -o /out/app .
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the references to the stage must be renamed with it.
    ///
    /// ## References
    /// - Multi-stage builds, naming stages:
    ///   <https://docs.docker.com/build/building/multi-stage/#name-your-build-stages>
    pub struct DuplicateStageName {
        code: "DF016",
        name: "duplicate-stage-name",
        severity: Error,
        tags: ["hygiene", "correctness"],
        equivalents: ["hadolint:DL3024", "trivy:DS-0012", "checkov:CKV_DOCKER_11"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let mut first: HashMap<String, usize> = HashMap::new();
    for stage in &cx.stages {
        let Body::From { alias: Some(alias), .. } = &cx.instruction(stage.from).body else { continue };
        let name = alias.value.to_ascii_lowercase();
        let Some(&earlier) = first.get(&name) else {
            first.insert(name, stage.from);
            continue;
        };
        let Body::From { alias: Some(earlier_alias), .. } = &cx.instruction(earlier).body else { continue };
        let line = cx.file.position(earlier_alias.span.start).line;
        out.push(
            cx.finding(&INFO, &alias.span, format!("stage name `{}` is already used on line {line}", alias.value))
                .with_label("BuildKit rejects duplicate stage names")
                .with_related(
                    Arc::clone(cx.file),
                    Span::new(earlier_alias.span.start, earlier_alias.span.end),
                    "first stage with this name",
                )
                .with_help("give each stage its own name, and update the `--from=` and `FROM` references to it"),
        );
    }
}

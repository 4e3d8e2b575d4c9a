use rampart_diagnostics::{Edit, Fix, Span};

use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::facts::{
    final_is_scratch, final_root_image, final_user, is_root_user, known_nonroot_base, runtime_section_start,
};

declare_rule! {
    /// The built image runs as root.
    ///
    /// ## What it does
    /// Finds the user the final image runs as: the last `USER` of the final stage or of the
    /// stages it is built `FROM` (a `USER` in a builder stage that is only copied from does not
    /// count). It reports a last `USER` of `root` or `0` — after expanding build arguments —
    /// and a final image without any `USER` whose base image is not documented to run as a
    /// non-root user (distroless `:nonroot`, `*-unprivileged`, Bitnami images).
    ///
    /// ## Why
    /// A process running as root in a container is root on the host if it escapes: through a
    /// kernel bug, a mounted Docker socket, a writable host path or a missing capability drop.
    /// Running as an unprivileged user removes most of those paths, and Kubernetes'
    /// `runAsNonRoot` (Pod Security Standards, restricted) refuses images that do not.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static-debian12
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]          # runs as root: the base's default user
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM gcr.io/distroless/static-debian12:nonroot
    /// COPY --from=build /app /app
    /// USER 65532:65532
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix
    /// Adds `USER 10001:10001` after the last instruction that needs root (the last `RUN`,
    /// `COPY`, `ADD` or `WORKDIR` of the final stage), before `CMD`/`ENTRYPOINT`; when the last
    /// `USER root` already comes after all of them, its value is replaced.
    ///
    /// ## Fix safety
    /// Unsafe: the application may need to write to paths owned by root, or bind a port below
    /// 1024. Give the files it writes to user 10001 (`COPY --chown=10001:10001`) and listen on
    /// a high port.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.1 "Ensure that a user for the container has been created"
    /// - NIST SP 800-190 §4.5.3 (container runtime privileges)
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - Kubernetes Pod Security Standards, restricted: "Running as Non-root"
    pub struct FinalStageRunsAsRoot {
        code: "DF001",
        name: "final-stage-runs-as-root",
        severity: Error,
        tags: ["user", "security", "cis-docker:4.1", "cwe:250", "nist-800-190:4.5.3", "seed:non-root"],
        equivalents: ["hadolint:DL3002", "trivy:DS-0002", "checkov:CKV_DOCKER_8", "checkov:CKV_DOCKER_3", "cis-docker:4.1"],
        fix: Unsafe,
    }
}

const FIX_USER: &str = "10001:10001";

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let Some(final_stage) = cx.final_stage() else { return };
    match final_user(cx) {
        Some(user) => {
            if !user.value.is_complete() || !is_root_user(&user.value.value) {
                return;
            }
            let instr = cx.instruction(user.instruction);
            let mut finding = cx
                .finding(&INFO, &instr.line_span, format!("the image runs as `{}`", user.value.value))
                .with_label("last USER of the final image")
                .with_help(
                    "switch to an unprivileged numeric user after the steps that need root, e.g. `USER 10001:10001`",
                );
            if let Some(fix) = fix(cx, Some(user.instruction)) {
                finding = finding.with_fix(fix);
            }
            out.push(finding);
        }
        None => {
            if final_root_image(cx).is_some_and(known_nonroot_base) {
                return;
            }
            let from = cx.instruction(final_stage.from);
            let base = if final_is_scratch(cx) {
                "`scratch` has no user: processes run as UID 0".to_string()
            } else {
                format!(
                    "no USER instruction: the image runs as the default user of `{}`, root unless that image says otherwise",
                    final_stage.image.value
                )
            };
            let mut finding = cx
                .finding(&INFO, &from.line_span, "the image runs as root")
                .with_label(base)
                .with_help("add `USER 10001:10001` (any unprivileged numeric UID) before CMD/ENTRYPOINT");
            if let Some(fix) = fix(cx, None) {
                finding = finding.with_fix(fix);
            }
            out.push(finding);
        }
    }
}

fn fix(cx: &DockerfileContext<'_>, root_user: Option<usize>) -> Option<Fix> {
    let (offset, newline_first) = runtime_section_start(cx)?;
    if let Some(i) = root_user {
        // `USER root` already follows everything that needs root: change its value.
        let instr = cx.instruction(i);
        if instr.span.end <= offset
            && cx.final_stage()?.body().filter(|&j| j > i).all(|j| {
                !matches!(
                    cx.instruction(j).keyword,
                    rampart_dockerfile::Keyword::Run
                        | rampart_dockerfile::Keyword::Copy
                        | rampart_dockerfile::Keyword::Add
                )
            })
        {
            let args = instr.args.source_span(0..instr.args.len());
            return Some(Fix::unsafe_(
                format!("Run as `{FIX_USER}` instead of root"),
                vec![Edit::replace(Span::new(args.start, args.end), FIX_USER)],
            ));
        }
    }
    let text = if newline_first { format!("\nUSER {FIX_USER}\n") } else { format!("USER {FIX_USER}\n") };
    Some(Fix::unsafe_(
        format!("Add `USER {FIX_USER}` before the runtime instructions"),
        vec![Edit::insert(offset, text)],
    ))
}

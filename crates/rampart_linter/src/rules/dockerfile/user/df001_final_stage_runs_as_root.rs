use rampart_diagnostics::{Edit, Fix, Span};

use super::run_as;
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::facts::{
    final_is_scratch, final_root_image, final_user, is_root_user, known_nonroot_base, runtime_section_start,
};
use crate::rules::dockerfile::{above_comments, same_case, unterminated_heredoc};

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
    /// Switches the final image to an unprivileged numeric user, chosen from what the
    /// Dockerfile already says:
    /// - an earlier numeric non-root `USER` of the final image (`USER 1000` … `USER root`) is
    ///   switched back to;
    /// - a user the final image's `RUN`s create with a UID (`useradd -u 1500 svc`) is reused,
    ///   with the GID of its group when that is written too (`USER 1500:1500`); a UID given by
    ///   a build argument stays that argument (`USER ${APP_UID}`);
    /// - a user they create without a UID (`useradd web`) is given `--uid 10001`;
    /// - otherwise the fix creates user and group `app` (UID and GID 10001) when the base
    ///   image's family is known: `groupadd`/`useradd --no-log-init --no-create-home --shell
    ///   /usr/sbin/nologin` on Debian, Ubuntu and full Fedora/CentOS/Rocky/Alma/Oracle images
    ///   (and the official language images built on Debian), BusyBox `addgroup`/`adduser -D -H`
    ///   on Alpine and BusyBox. On `scratch`, distroless and unknown images it writes only
    ///   `USER 10001:10001`: a numeric user needs no `/etc/passwd` entry.
    ///
    /// The `USER` goes after the last instruction that needs root (the last `RUN`, `COPY`,
    /// `ADD`, `WORKDIR` or `USER` of the final stage), before `CMD`/`ENTRYPOINT` and the
    /// comments above them; when the last `USER root` already comes after all of them, its
    /// value is replaced. Keywords follow the file's case, continuation lines its escape
    /// character.
    ///
    /// The final image's `COPY`/`ADD` of application files get `--chown=<uid>:<gid>`, so the
    /// application can still write where it could as root. Files copied into system
    /// directories (`/usr`, `/etc`, `/bin`, `/sbin`, `/lib*`, `/root`, `/boot`, `/run`, or `/`
    /// itself) are left to root: programs and configuration the application only reads must
    /// stay out of its reach. A `COPY` that sets `--chown` already is left alone, and so is a
    /// relative destination when no `WORKDIR` says where it goes.
    ///
    /// ## Fix safety
    /// Unsafe: the application may write to paths the fix does not give it (a `WORKDIR` or
    /// directory created as root, a file in `/etc`, a cache under `$HOME`: the created user has
    /// no home directory), bind a port below 1024, or rely on root in an entry point script.
    /// The files it now owns it can also modify: when it never writes to them, removing
    /// `--chown` keeps them read-only to it. Not offered for Windows images, nor when a heredoc
    /// is never terminated (the rest of the file is its body). A `COPY` with a misspelt flag is
    /// not given `--chown`.
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
    if run_as::windows(cx) || unterminated_heredoc(cx) {
        return None;
    }
    let (offset, newline_first) = runtime_section_start(cx)?;
    // Above the comments that describe the runtime instructions.
    let offset = if newline_first { offset } else { above_comments(cx.file.text(), offset) };
    let final_stage = cx.final_stage()?;
    let plan = run_as::plan(cx);
    let text = cx.file.text();
    let from = cx.instruction(final_stage.from);
    let keyword = |k: &str| same_case(cx.file.slice(Span::from(from.keyword_span.clone())), k);
    let create = plan.create.as_ref().map(|script| format!("{} {script}\n", keyword("RUN")));
    let mut edits = plan.edits.clone();
    edits.extend(run_as::chown_edits(cx, &plan.chown));
    let chowns = edits.iter().any(|e| e.content.contains("--chown"));
    let message = |instead: &str| {
        let mut m = match (&plan.create, &plan.name) {
            (Some(_), Some(name)) => format!("Create user `{name}` and run as `{}`{instead}", plan.user),
            (None, Some(name)) => format!("Run as `{}` (user `{name}`){instead}", plan.user),
            _ => format!("Run as `{}`{instead}", plan.user),
        };
        if chowns {
            m.push_str(", owning the copied application files");
        }
        m
    };
    if let Some(i) = root_user {
        // `USER root` already follows everything that needs root: change its value.
        let instr = cx.instruction(i);
        if instr.span.end <= offset
            && final_stage.body().filter(|&j| j > i).all(|j| {
                !matches!(
                    cx.instruction(j).keyword,
                    rampart_dockerfile::Keyword::Run
                        | rampart_dockerfile::Keyword::Copy
                        | rampart_dockerfile::Keyword::Add
                )
            })
        {
            let args = instr.args.source_span(0..instr.args.len());
            edits.push(Edit::replace(Span::new(args.start, args.end), plan.user.clone()));
            if let Some(create) = create {
                edits.push(Edit::insert(crate::dockerfile::facts::line_start(text, instr.span.start), create));
            }
            let message = message(" instead of root");
            return Some(Fix::unsafe_(message, edits));
        }
    }
    let mut insert = String::new();
    if newline_first {
        insert.push('\n');
    }
    insert.push_str(&create.unwrap_or_default());
    insert.push_str(&format!("{} {}\n", keyword("USER"), plan.user));
    let message = message("");
    edits.push(Edit::insert(offset, insert));
    Some(Fix::unsafe_(message, edits))
}

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// A `RUN` starts with `cd`: use `WORKDIR`.
    ///
    /// ## What it does
    /// Reports a `cd` that is the first command of a `RUN` script (after any `set` options),
    /// at the top level — not inside `( … )`, `$( … )`, a pipeline or a control structure —
    /// to an absolute or relative literal directory. `cd` to a scratch directory (`/tmp`,
    /// `/var/tmp`, `/dev/shm`) and to a directory computed at run time (`cd "$(mktemp -d)"`,
    /// `cd $HOME`) is not reported.
    ///
    /// A `cd` in the middle of a script (`make && cd .. && rm -rf src`) is not reported
    /// either: hadolint does, and it is mostly noise — moving around inside one step is what
    /// shell scripts do, and `WORKDIR` cannot express it.
    ///
    /// ## Why
    /// A `RUN` that begins by changing directory is setting the working directory for the
    /// whole step, which is what `WORKDIR` is for: it is visible in the image history, applies
    /// to the following instructions and to `CMD`, creates the directory if needed, and does
    /// not have to be repeated in every `RUN`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN cd /app && npm ci
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// WORKDIR /app
    /// RUN npm ci
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: `WORKDIR` also changes the directory of every later instruction,
    /// which the `RUN`s that follow may not expect.
    ///
    /// ## References
    /// - Dockerfile best practices, `WORKDIR`: <https://docs.docker.com/build/building/best-practices/#workdir>
    pub struct CdInsteadOfWorkdir {
        code: "DF058",
        name: "cd-instead-of-workdir",
        severity: Note,
        tags: ["hygiene"],
        equivalents: ["hadolint:DL3003", "trivy:DS-0013"],
        fix: None,
    }
}

const SCRATCH_DIRS: &[&str] = &["/tmp", "/var/tmp", "/dev/shm"];

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for run in cx.shell_runs().iter().filter(|r| r.keyword == rampart_dockerfile::Keyword::Run) {
        let script = run.script.as_str();
        // The first top-level command other than `set`.
        let mut cursor = 0;
        let mut first = None;
        for c in &run.parsed.commands {
            if c.depth != 0 {
                continue;
            }
            // Text between the previous command and this one: only separators.
            let gap = script.get(cursor..c.span.start.min(script.len())).unwrap_or("(");
            if !gap.chars().all(|ch| ch.is_whitespace() || matches!(ch, ';' | '&' | '\\')) {
                break;
            }
            cursor = c.span.end.min(script.len());
            if c.name() == Some("set") && c.assignments.is_empty() {
                continue;
            }
            first = Some(c);
            break;
        }
        let Some(c) = first else { continue };
        if c.name() != Some("cd") || c.words.len() != 2 || !c.redirects.is_empty() || c.pipeline_len > 1 {
            continue;
        }
        // The command must not be the condition of a control structure, or a pipeline.
        let rest = script.get(c.span.end.min(script.len())..).unwrap_or("").trim_start();
        if rest.starts_with('|') && !rest.starts_with("||") {
            continue;
        }
        let target = &c.words[1];
        let dir = target.value.as_str();
        if target.expands
            || dir.is_empty()
            || dir.starts_with('-')
            || dir.starts_with('~')
            || dir.contains(['`', '$', '*', '?'])
            || SCRATCH_DIRS.iter().any(|s| dir.trim_end_matches('/') == *s || dir.starts_with(&format!("{s}/")))
        {
            continue;
        }
        let span = run.command_span(c);
        out.push(
            cx.finding(&INFO, span, format!("`cd {dir}` sets the directory for the whole RUN"))
                .with_label("use WORKDIR for this")
                .with_help(format!("put `WORKDIR {dir}` before the RUN and drop the `cd`")),
        );
    }
}

use rampart_diagnostics::Span;
use rampart_dockerfile::Keyword;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// A downloaded script is piped straight into a shell.
    ///
    /// ## What it does
    /// Reports `RUN` pipelines where `curl`, `wget` or `fetch` output goes into a shell or an
    /// interpreter (`sh`, `bash`, `python`, `perl`, `node`, …), also through `sudo`, and the
    /// `sh -c "$(curl …)"` and `bash <(curl …)` forms — in every stage and in `ONBUILD`.
    ///
    /// ## Why
    /// Nothing checks what was executed: a compromised server, a hijacked DNS name or a
    /// truncated download runs with the build's privileges and ends up in the image. The
    /// script can also change between two builds of the same Dockerfile.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://example.com/install.sh | sh
    /// ```
    /// Use instead — download, verify against a known digest, then run:
    /// ```dockerfile
    /// ADD --checksum=sha256:4c6a…e1 https://example.com/install.sh /tmp/install.sh
    /// RUN sh /tmp/install.sh && rm /tmp/install.sh
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the expected digest must come from the publisher.
    ///
    /// ## References
    /// - CWE-494: Download of Code Without Integrity Check
    /// - NIST SP 800-190 §4.1.5 (use of untrusted images and components)
    pub struct PipeToShell {
        code: "DF032",
        name: "pipe-to-shell",
        severity: Error,
        tags: ["supply-chain", "security", "cwe:494", "nist-800-190:4.1.5"],
        equivalents: [],
        fix: None,
    }
}

const DOWNLOADERS: &[&str] = &["curl", "wget", "fetch", "aria2c", "http", "https", "xh"];

pub(crate) fn is_interpreter(program: &str) -> bool {
    matches!(
        program,
        "sh" | "bash"
            | "ash"
            | "dash"
            | "zsh"
            | "ksh"
            | "mksh"
            | "fish"
            | "perl"
            | "ruby"
            | "node"
            | "php"
            | "pwsh"
            | "deno"
            | "bun"
            | "lua"
    ) || program == "python"
        || program.strip_prefix("python").is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for run in cx.shell_runs().iter().filter(|r| r.keyword == Keyword::Run) {
        let commands = &run.parsed.commands;
        for (i, cmd) in commands.iter().enumerate() {
            let argv = rampart_shell::effective_argv(&cmd.words);
            let Some(program) = argv.first().map(|w| w.basename()) else { continue };
            // `downloader … | interpreter`
            if DOWNLOADERS.contains(&program) && cmd.pipes_into_next() {
                let target = commands[i + 1..]
                    .iter()
                    .find(|c| c.pipeline == cmd.pipeline && c.pipeline_index > cmd.pipeline_index);
                if let Some(target) = target
                    && let Some(interp) = rampart_shell::effective_argv(&target.words).first().map(|w| w.basename())
                    && is_interpreter(interp)
                {
                    let span = run.command_span(cmd).cover(run.command_span(target));
                    out.push(report(cx, span, program, interp));
                }
            }
            // `sh -c "$(curl …)"` / `bash <(curl …)`
            if is_interpreter(program) {
                for w in &argv[1..] {
                    let v = w.value.as_str();
                    if let Some(downloader) = DOWNLOADERS.iter().find(|d| {
                        v.contains(&format!("$({d} "))
                            || v.contains(&format!("`{d} "))
                            || v.contains(&format!("<({d} "))
                    }) {
                        out.push(report(cx, run.command_span(cmd), downloader, program));
                        break;
                    }
                }
            }
        }
    }
}

fn report(cx: &DockerfileContext<'_>, span: Span, downloader: &str, interpreter: &str) -> Finding {
    cx.finding(&INFO, span, format!("`{downloader}` output is executed by `{interpreter}` without verification"))
        .with_label("downloaded code runs unchecked")
        .with_help("download to a file, check its SHA-256 against the publisher's value (or use `ADD --checksum=`), then run it")
}

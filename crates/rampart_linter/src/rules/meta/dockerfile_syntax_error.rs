declare_rule! {
    /// The Dockerfile cannot be built as written.
    ///
    /// ## What it does
    /// Reports what the BuildKit frontend would reject: an unknown instruction, a missing
    /// argument, an instruction other than `ARG` before the first `FROM`, an unknown flag, an
    /// unterminated heredoc, a `SHELL` that is not a JSON array, an invalid stage name,
    /// `ONBUILD FROM`/`ONBUILD ONBUILD`, a repeated or invalid parser directive.
    ///
    /// ## Why
    /// A build that fails in CI costs a round trip; the finding points at the exact place.
    /// The rest of the file is still checked: one error does not hide other findings.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// COPY --chmown=1000 app /app   # unknown flag `--chmown`
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the intent of a malformed line cannot be known.
    ///
    /// ## References
    /// - Dockerfile reference: <https://docs.docker.com/reference/dockerfile/>
    pub struct DockerfileSyntaxError {
        code: "DF000",
        name: "dockerfile-syntax-error",
        severity: Error,
        tags: ["syntax"],
        equivalents: ["hadolint:DL1000", "hadolint:DL3061", "hadolint:DL3043"],
        fix: None,
    }
}

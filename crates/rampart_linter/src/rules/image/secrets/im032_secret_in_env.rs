use crate::image::{ImageContext, Pending, Seg, Target, in_assignment, path};

declare_rule! {
    /// The image configuration's environment holds a credential.
    ///
    /// ## What it does
    /// Reads `Env` of the image configuration and reports variables whose value is a
    /// credential: a known token format (AWS access key, GitHub token, ...) whatever the
    /// name, any literal value of a password-like name (`DB_PASSWORD`), and a long random
    /// value of a token- or key-like name (`API_TOKEN`, `AWS_SECRET_ACCESS_KEY`). References
    /// (`$VAR`, `/run/secrets/...`) and placeholders (`changeme`, `<token>`) are not. The
    /// shown configuration has the value redacted.
    ///
    /// ## Why
    /// The configuration travels with the image: `docker inspect`, `crane config` and every
    /// registry UI show it to anyone who can pull, and every container started from the
    /// image gets the variable (and passes it to child processes, crash reports, `/proc`).
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345
    /// ```
    /// Use instead: set it at run time from a secret store (a Kubernetes Secret, `docker run
    /// --env-file`), and at build time use `RUN --mount=type=secret`.
    ///
    /// ## Fix
    /// Rotate the credential, remove the `ENV` (and `ARG` defaults) from the Dockerfile, and
    /// rebuild (`DF060` reports the same `ENV` in the Dockerfile).
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and the credential must be
    /// rotated whatever happens to the image.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.10: Ensure secrets are not stored in Dockerfiles
    /// - NIST SP 800-190 4.1.4 (embedded clear text secrets)
    /// - CWE-798: Use of Hard-coded Credentials
    /// - Dockle CIS-DI-0010; Trivy DS-0031 and hadolint DL3064 on Dockerfiles
    pub struct SecretInEnv {
        code: "IM032",
        name: "image-secret-in-env",
        severity: Error,
        tags: ["secrets", "image", "cis-docker:4.10", "nist-800-190:4.1.4", "cwe:798", "seed:secrets"],
        equivalents: ["dockle:CIS-DI-0010", "cis-docker:4.10"],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    for (i, entry) in cx.run.env.iter().flatten().enumerate() {
        let Some(secret) = in_assignment(entry).into_iter().next() else { continue };
        let name = secret.name.as_deref().unwrap_or("?");
        let value = entry.get(secret.span.clone()).unwrap_or("");
        let mut at = path(&["config", "Env"]);
        at.push(Seg::Index(i));
        out.push(
            cx.finding(
                &INFO,
                Target::ConfigSecret(at, 0),
                format!(
                    "the environment variable `{name}` holds {} ({}) in the image configuration",
                    secret.kind.description,
                    rampart_secrets::redact(value)
                ),
            )
            .with_label(secret.kind.id)
            .with_help("rotate the credential and remove it from the Dockerfile's `ENV`; set it at run time from a secret store"),
        );
    }
}

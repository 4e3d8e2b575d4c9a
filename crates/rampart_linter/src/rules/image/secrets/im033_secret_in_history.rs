use crate::image::{ImageContext, Pending, Seg, Target, in_text};

declare_rule! {
    /// The image's build history records a credential.
    ///
    /// ## What it does
    /// Reads the `created_by` of every `history` entry of the image configuration (the
    /// Dockerfile instruction that made each layer or setting: `ENV ...`, `ARG ...`,
    /// `RUN |1 TOKEN=... /bin/sh -c ...` for build arguments) and reports credentials in it:
    /// known token formats, and `NAME=value` words whose value is a credential by its name
    /// (`DB_PASSWORD=hunter2`). The shown configuration has them redacted.
    ///
    /// ## Why
    /// The history is part of the configuration: `docker history` prints it to anyone who
    /// can pull the image. Build arguments used by a `RUN` are recorded there even when no
    /// file or `ENV` keeps them, so an `ARG TOKEN` passed with `--build-arg` leaks this way.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Fix
    /// Rotate the credential and pass it with a build secret mount instead of `ARG`/`ENV`.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and the credential must be
    /// rotated whatever happens to the image.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.10: Ensure secrets are not stored in Dockerfiles
    /// - NIST SP 800-190 4.1.4 (embedded clear text secrets)
    /// - CWE-798: Use of Hard-coded Credentials
    /// - Docker: Build secrets <https://docs.docker.com/build/building/secrets/>
    pub struct SecretInHistory {
        code: "IM033",
        name: "image-secret-in-history",
        severity: Error,
        tags: ["secrets", "image", "cis-docker:4.10", "nist-800-190:4.1.4", "cwe:798", "seed:secrets"],
        equivalents: ["cis-docker:4.10"],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    for (i, entry) in cx.image.config.history().iter().enumerate() {
        let Some(created_by) = &entry.created_by else { continue };
        for (n, secret) in in_text(created_by).into_iter().enumerate() {
            let value = created_by.get(secret.span.clone()).unwrap_or("");
            let what = match &secret.name {
                Some(name) => format!("`{name}` = {}", rampart_secrets::redact(value)),
                None => rampart_secrets::redact(value),
            };
            out.push(
                cx.finding(
                    &INFO,
                    Target::ConfigSecret(vec![Seg::Key("history".into()), Seg::Index(i), Seg::Key("created_by".into())], n),
                    format!("history entry {i} records {} ({what})", secret.kind.description),
                )
                .with_label(secret.kind.id)
                .with_help("rotate the credential; pass it with `RUN --mount=type=secret` instead of `ENV`, `ARG` or `--build-arg`"),
            );
        }
    }
}

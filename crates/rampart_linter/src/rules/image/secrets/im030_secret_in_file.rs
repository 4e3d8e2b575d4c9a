use super::report_files;
use crate::image::{ImageContext, Pending};

declare_rule! {
    /// A file of the image holds a credential.
    ///
    /// ## What it does
    /// Reports credentials in the files of the final filesystem: private keys (PEM, OpenSSH),
    /// cloud and VCS tokens of known formats (AWS access keys, GitHub, GitLab, Slack, Stripe,
    /// Google API keys, ...) anywhere in a text file, and literal passwords and tokens in
    /// configuration-like files (`.env`, `credentials`, `.netrc`, `.npmrc`, `*.ini`,
    /// `*.conf`, `*.yaml`, ...). Files that packages install (`/usr/share`, `/usr/lib`,
    /// `site-packages`, `node_modules`, ...) are skipped unless they are credential files by
    /// name: their test fixtures are full of example keys. The excerpt shown has the secret
    /// redacted.
    ///
    /// ## Why
    /// Anyone who can pull the image can read every file in it, and images are copied to
    /// registries, caches and laptops far beyond the people trusted with the credential.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY .env /app/config/.env
    /// COPY id_ed25519 /root/.ssh/id_ed25519
    /// ```
    /// Use instead: mount secrets at run time, and at build time
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Fix
    /// Rotate the credential (it has been published with the image), remove the file from
    /// the build context (`.dockerignore`) and the Dockerfile, and rebuild.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and the credential must be
    /// rotated whatever happens to the image.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.10: Ensure secrets are not stored in Dockerfiles
    /// - NIST SP 800-190 4.1.4 (embedded clear text secrets)
    /// - CWE-798: Use of Hard-coded Credentials
    /// - Dockle CIS-DI-0010; Trivy secret scanning <https://trivy.dev/latest/docs/scanner/secret/>
    pub struct SecretInFile {
        code: "IM030",
        name: "image-secret-in-file",
        severity: Error,
        tags: ["secrets", "image", "cis-docker:4.10", "nist-800-190:4.1.4", "cwe:798", "seed:secrets"],
        equivalents: ["dockle:CIS-DI-0010", "cis-docker:4.10"],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    report_files(cx, out, &INFO, true);
}

use super::report_files;
use crate::image::{ImageContext, Pending};

declare_rule! {
    /// A credential is in a file that a later layer deleted: it is still in the image.
    ///
    /// ## What it does
    /// Reports credentials (the same detection as `IM030`) in files that a layer added and a
    /// later layer removed (a whiteout, `RUN rm`): the final filesystem no longer shows
    /// them, but the layer that added them is still part of the image, byte for byte. The
    /// finding names the layer that holds the file (layers count from 0, the base).
    ///
    /// ## Why
    /// `docker save`, `crane export` or any registry client extract every layer: deleting a
    /// file afterwards hides it from `ls` and from tools that only look at the final
    /// filesystem, not from anyone who pulls the image. This is the classic way credentials
    /// leak from images whose authors believed they cleaned up.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY credentials /root/.aws/credentials
    /// RUN aws s3 cp s3://bucket/artifact /opt/ && rm /root/.aws/credentials
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=aws,target=/root/.aws/credentials aws s3 cp s3://bucket/artifact /opt/
    /// ```
    ///
    /// ## Fix
    /// Rotate the credential, and keep it out of every layer: a build secret mount, or a
    /// build stage that is not the final one.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and the credential must be
    /// rotated whatever happens to the image.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.10: Ensure secrets are not stored in Dockerfiles
    /// - NIST SP 800-190 4.1.4 (embedded clear text secrets)
    /// - CWE-798: Use of Hard-coded Credentials; CWE-212: Improper Removal of Sensitive Information
    /// - Docker: Build secrets <https://docs.docker.com/build/building/secrets/>
    pub struct SecretInDeletedFile {
        code: "IM031",
        name: "image-secret-in-deleted-file",
        severity: Error,
        tags: ["secrets", "image", "cis-docker:4.10", "nist-800-190:4.1.4", "cwe:798", "cwe:212", "seed:secrets"],
        equivalents: ["cis-docker:4.10"],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    report_files(cx, out, &INFO, false);
}

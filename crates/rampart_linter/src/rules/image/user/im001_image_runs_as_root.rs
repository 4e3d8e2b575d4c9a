use super::uid_of;
use crate::image::{ImageContext, Pending, Target, path};

declare_rule! {
    /// The image runs as root.
    ///
    /// ## What it does
    /// Reads the `User` of the image configuration (what `docker run` and Kubernetes use when
    /// nothing overrides it) and reports an image whose user is root: no `User` at all, an
    /// empty one, `root`, `0`, either with any group (`0:0`, `root:root`), or a user name that
    /// `/etc/passwd` of the image maps to UID 0.
    ///
    /// ## Why
    /// A process running as root in a container is root on the host if it escapes: through a
    /// kernel bug, a mounted Docker socket, a writable host path or a missing capability
    /// drop. Kubernetes' `runAsNonRoot` (Pod Security Standards, restricted) refuses such
    /// images. This is what `DF001` checks in the Dockerfile, checked here on what was built
    /// (and on images whose Dockerfile you do not have).
    ///
    /// ## Example
    /// A configuration (`docker inspect`, `crane config`) with:
    /// ```json
    /// "User": ""
    /// ```
    /// Use instead, in the Dockerfile's final stage:
    /// ```dockerfile
    /// RUN groupadd --gid 10001 app && useradd --uid 10001 --gid 10001 --no-log-init app
    /// USER 10001:10001
    /// ```
    ///
    /// ## Fix
    /// Add a numeric `USER` to the final stage of the Dockerfile and rebuild (`DF001` offers
    /// that edit).
    ///
    /// ## Fix safety
    /// No automatic fix: an image is the output of a build, so the change belongs in the
    /// Dockerfile; editing the configuration of a built image would leave files the
    /// application writes owned by root.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.1: Ensure that a user for the container has been created
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - Dockle CIS-DI-0001; Trivy DS-0002 and hadolint DL3002 on Dockerfiles
    pub struct ImageRunsAsRoot {
        code: "IM001",
        name: "image-runs-as-root",
        severity: Error,
        tags: ["user", "image", "cis-docker:4.1", "nist-800-190:4.1.2", "cwe:250", "seed:non-root"],
        equivalents: ["dockle:CIS-DI-0001", "cis-docker:4.1"],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    let user = cx.run.user.as_deref().unwrap_or("").trim();
    let name = user.split(':').next().unwrap_or("");
    let why = if user.is_empty() && cx.run.user.is_some() {
        "`User` is empty, which means root".to_string()
    } else if user.is_empty() {
        "the configuration sets no user, which means root".to_string()
    } else if name == "root" || name.trim_start_matches('0').is_empty() {
        format!("the user `{user}` is root")
    } else if name.bytes().all(|b| b.is_ascii_digit()) {
        return;
    } else {
        match uid_of(cx, name) {
            Some(uid) if !uid.is_empty() && uid.trim_start_matches('0').is_empty() => {
                format!("the user `{name}` has UID 0 in /etc/passwd: it is root")
            }
            _ => return,
        }
    };
    let target = if cx.has(&path(&["config", "User"])) { path(&["config", "User"]) } else { path(&["config"]) };
    out.push(
        cx.finding(&INFO, Target::Config(target), format!("the image runs as root: {why}"))
            .with_label("root")
            .with_help(
                "add `USER <uid>:<gid>` with a non-root numeric user to the Dockerfile's final stage and rebuild",
            ),
    );
}

use super::uid_of;
use crate::image::{ImageContext, Pending, Target, path};

declare_rule! {
    /// The image's user is a name, not a numeric UID.
    ///
    /// ## What it does
    /// Reports an image whose configured `User` is a non-root user given by name (`app`,
    /// `app:app`) instead of a UID. When `/etc/passwd` of the image knows the name, the
    /// message gives its UID.
    ///
    /// ## Why
    /// Kubernetes' `runAsNonRoot` cannot resolve a name (it does not read the image's
    /// `/etc/passwd`), so it refuses to start the container ("image has non-numeric user,
    /// cannot verify user is non-root") unless `runAsUser` is set as well. A UID also keeps
    /// meaning the same user when `/etc/passwd` changes with the base image.
    ///
    /// ## Example
    /// ```json
    /// "User": "app"
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// USER 10001:10001
    /// ```
    ///
    /// ## Fix
    /// Replace the name with its UID (and GID) in the Dockerfile's `USER` and rebuild.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, where `DF002` reports the
    /// same `USER`.
    ///
    /// ## References
    /// - Kubernetes: Security context, `runAsNonRoot` <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    /// - CIS Docker Benchmark 4.1
    /// - hadolint DL3066 on Dockerfiles
    pub struct ImageUserNotNumeric {
        code: "IM002",
        name: "image-user-not-numeric",
        severity: Warning,
        tags: ["user", "image", "cis-docker:4.1", "seed:non-root"],
        equivalents: [],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    let user = cx.run.user.as_deref().unwrap_or("").trim();
    let name = user.split(':').next().unwrap_or("");
    if name.is_empty() || name == "root" || name.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    let uid = uid_of(cx, name).filter(|u| !u.is_empty() && u.bytes().all(|b| b.is_ascii_digit()));
    // A name that maps to UID 0 is IM001's.
    if uid.as_deref().is_some_and(|u| u.trim_start_matches('0').is_empty()) {
        return;
    }
    let help = match &uid {
        Some(uid) => format!("write `USER {uid}` (the UID of `{name}` in /etc/passwd) in the Dockerfile and rebuild"),
        None => format!("write the numeric UID of `{name}` in the Dockerfile's `USER` and rebuild"),
    };
    out.push(
        cx.finding(
            &INFO,
            Target::Config(path(&["config", "User"])),
            format!("the image runs as `{name}`, a name: Kubernetes' runAsNonRoot cannot verify it is not root"),
        )
        .with_label("not a numeric UID")
        .with_help(help),
    );
}

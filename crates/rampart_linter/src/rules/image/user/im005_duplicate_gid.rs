use super::im004_duplicate_uid::duplicates;
use crate::image::{ImageContext, Pending};

declare_rule! {
    /// Two groups of the image share a GID.
    ///
    /// ## What it does
    /// Reads `/etc/group` of the final filesystem and reports every group whose GID an
    /// earlier group already has, pointing at both lines.
    ///
    /// ## Why
    /// The kernel knows only the number: two group names for one GID are one group, so
    /// membership and file access granted to one silently apply to the other, and file
    /// listings show whichever name comes first.
    ///
    /// ## Example
    /// ```text
    /// shadow:x:42:
    /// app:x:42:
    /// ```
    /// Use instead: `groupadd --gid 10001 app`, never `groupadd -o`.
    ///
    /// ## Fix
    /// Remove the duplicate group or give it a free GID in the Dockerfile, and rebuild.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile.
    ///
    /// ## References
    /// - CWE-286: Incorrect User Management
    /// - Dockle DKL-LI-0002
    pub struct DuplicateGid {
        code: "IM005",
        name: "image-duplicate-gid",
        severity: Note,
        tags: ["user", "image", "cwe:286", "hygiene"],
        equivalents: ["dockle:DKL-LI-0002"],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    duplicates(cx, out, &INFO, "/etc/group", 2, "GID");
}

use super::{shell_copy, system_paths};
use crate::image::{AllowList, ImageContext, Pending, Target};

declare_rule! {
    /// An executable in the image is setgid, beyond the distribution's standard set.
    ///
    /// ## What it does
    /// Reports every executable regular file of the final filesystem with the setgid bit
    /// (`-rwxr-sr-x`), except the ones distributions ship setgid in their system directories:
    /// `chage`, `expiry`, `unix_chkpwd` (group `shadow`), `ssh-agent`, `wall`, `write`,
    /// `bsd-write`, `crontab`, `dotlockfile`. Setgid directories (group inheritance) are not
    /// files and are not reported. `[images.allow] setgid = [...]` adds paths or names.
    ///
    /// ## Why
    /// A setgid file runs with its group's privileges whoever starts it: setgid `shadow`
    /// reads every password hash, setgid `disk` reads raw devices, and a setgid copy of a
    /// shell hands its group to any user.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN chgrp shadow /usr/local/bin/tool && chmod 2755 /usr/local/bin/tool
    /// ```
    /// Use instead: no setgid bit (`chmod g-s`).
    ///
    /// ## Fix
    /// Drop the setgid bit or the file in the Dockerfile and rebuild; if it is needed, add
    /// it to `[images.allow] setgid`.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.8: Ensure setuid and setgid permissions are removed
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - Dockle CIS-DI-0008
    pub struct SetgidFile {
        code: "IM011",
        name: "image-setgid-file",
        severity: Warning,
        tags: ["permissions", "image", "cis-docker:4.8", "nist-800-190:4.1.2", "cwe:250", "seed:least-privilege"],
        equivalents: ["dockle:CIS-DI-0008", "cis-docker:4.8"],
        fix: None,
    }
}

const STANDARD: &[&str] =
    &["chage", "expiry", "unix_chkpwd", "ssh-agent", "wall", "write", "bsd-write", "crontab", "dotlockfile"];

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    let builtin = system_paths(STANDARD, &[]);
    let builtin: Vec<&str> = builtin.iter().map(String::as_str).collect();
    let allow = AllowList::new(&builtin, &cx.options.setgid);
    for entry in cx.image.fs.entries() {
        if !entry.is_setgid() || !entry.is_executable() || allow.allows(&entry.path) {
            continue;
        }
        let shell = shell_copy(cx, entry.size, &entry.path);
        out.push(
            cx.finding(
                &INFO,
                Target::File(entry.path.to_string()),
                format!("{} is setgid: it runs with GID {} for whoever executes it{shell}", entry.path, entry.gid),
            )
            .with_label("setgid")
            .with_help("remove the setgid bit (`chmod g-s`) or the file in the Dockerfile; if it is needed, add it to `[images.allow] setgid`"),
        );
    }
}

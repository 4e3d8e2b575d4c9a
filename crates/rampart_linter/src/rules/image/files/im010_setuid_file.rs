use super::{owner, shell_copy, system_paths};
use crate::image::{AllowList, ImageContext, Pending, Target};

declare_rule! {
    /// An executable in the image is setuid, beyond the distribution's standard set.
    ///
    /// ## What it does
    /// Reports every executable regular file of the final filesystem with the setuid bit
    /// (`-rwsr-xr-x`), except the ones distributions ship setuid on purpose in their system
    /// directories (`/bin`, `/sbin`, `/usr/bin`, `/usr/sbin`): `su`, `passwd`, `chsh`,
    /// `chfn`, `gpasswd`, `newgrp`, `mount`, `umount`, `unix_chkpwd` (Red Hat),
    /// `pam_timestamp_check`, `newuidmap`, `newgidmap`, Alpine's `bbsuid`, and
    /// `/usr/lib/openssh/ssh-keysign`, `/usr/lib/dbus-1.0/dbus-daemon-launch-helper`.
    /// A file with the size of a shell of the image is called out as a probable setuid shell.
    /// `[images.allow] setuid = [...]` in `rampart.toml` adds paths (globs) or names.
    ///
    /// ## Why
    /// A setuid file runs with its owner's privileges whoever starts it: a setuid-root copy
    /// of a shell is a root shell for any user, and any setuid-root program with a bug is a
    /// way from the unprivileged application user to root. Containers rarely need one
    /// (run with `--security-opt no-new-privileges` and they stop working anyway).
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY --chmod=4755 rootsh /usr/local/bin/rootsh
    /// ```
    /// Use instead: no setuid bit, and for the distribution's own setuid programs:
    /// ```dockerfile
    /// RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +
    /// ```
    ///
    /// ## Fix
    /// Drop the setuid bit (`chmod u-s`) or the file in the Dockerfile and rebuild; if the
    /// program really needs it, add it to `[images.allow] setuid`.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and whether the program
    /// still works without the bit is for a human to check.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.8: Ensure setuid and setgid permissions are removed
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - Dockle CIS-DI-0008
    pub struct SetuidFile {
        code: "IM010",
        name: "image-setuid-file",
        severity: Error,
        tags: ["permissions", "image", "cis-docker:4.8", "nist-800-190:4.1.2", "cwe:250", "seed:least-privilege"],
        equivalents: ["dockle:CIS-DI-0008", "cis-docker:4.8"],
        fix: None,
    }
}

const STANDARD: &[&str] = &[
    "su",
    "passwd",
    "chsh",
    "chfn",
    "gpasswd",
    "newgrp",
    "mount",
    "umount",
    "unix_chkpwd",
    "pam_timestamp_check",
    "newuidmap",
    "newgidmap",
    "bbsuid",
];

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    let builtin = system_paths(
        STANDARD,
        &[
            "/usr/lib/openssh/ssh-keysign",
            "/usr/lib/dbus-1.0/dbus-daemon-launch-helper",
            "/usr/libexec/openssh/ssh-keysign",
        ],
    );
    let builtin: Vec<&str> = builtin.iter().map(String::as_str).collect();
    let allow = AllowList::new(&builtin, &cx.options.setuid);
    for entry in cx.image.fs.entries() {
        if !entry.is_setuid() || !entry.is_executable() || allow.allows(&entry.path) {
            continue;
        }
        let shell = shell_copy(cx, entry.size, &entry.path);
        out.push(
            cx.finding(
                &INFO,
                Target::File(entry.path.to_string()),
                format!("{} is setuid: it runs as {} for whoever executes it{shell}", entry.path, owner(entry.uid)),
            )
            .with_label("setuid")
            .with_help("remove the setuid bit (`chmod u-s`) or the file in the Dockerfile; if it is needed, add it to `[images.allow] setuid`"),
        );
    }
}

use super::system_paths;
use crate::image::{AllowList, ImageContext, Pending, Target};

declare_rule! {
    /// A file in the image has file capabilities, beyond the distribution's standard set.
    ///
    /// ## What it does
    /// Reports every file of the final filesystem with a `security.capability` extended
    /// attribute (what `setcap` writes), rendered as `getcap` prints it
    /// (`cap_net_raw,cap_sys_admin+ep`). `ping` in the system directories with only
    /// `cap_net_raw` is accepted (Debian and Fedora ship it so). `[images.allow]
    /// capabilities = [...]` adds paths (globs) or names.
    ///
    /// ## Why
    /// File capabilities are setuid in slices: whoever runs the file gets them. With
    /// `cap_sys_admin`, `cap_dac_override`, `cap_setuid` or `cap_sys_ptrace` that is root in
    /// all but name, and even `cap_net_raw` lets the application user spoof traffic. They
    /// are easy to miss: `ls -l` does not show them.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN setcap cap_net_raw,cap_net_admin,cap_sys_admin+ep /usr/local/bin/netdiag
    /// ```
    /// Use instead: no file capabilities; grant what the process needs at run time
    /// (`securityContext.capabilities.add: [NET_BIND_SERVICE]`) and only that.
    ///
    /// ## Fix
    /// Remove the capabilities (`setcap -r FILE`) or the file in the Dockerfile and rebuild.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and the program may need
    /// the capability granted at run time instead.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.3 (restrict Linux kernel capabilities)
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - capabilities(7) <https://man7.org/linux/man-pages/man7/capabilities.7.html>
    pub struct FileCapabilities {
        code: "IM012",
        name: "image-file-capabilities",
        severity: Error,
        tags: ["permissions", "image", "nist-800-190:4.1.2", "cwe:250", "seed:least-privilege"],
        equivalents: [],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    let ping = system_paths(&["ping", "ping4", "ping6"], &[]);
    let allow = AllowList::new(&[], &cx.options.capabilities);
    for entry in cx.image.fs.entries() {
        let Some(caps) = &entry.capabilities else { continue };
        if caps.permitted.is_empty() && caps.inheritable.is_empty() {
            continue;
        }
        let standard_ping = ping.iter().any(|p| **p == *entry.path) && caps.permitted == ["cap_net_raw"];
        if standard_ping || allow.allows(&entry.path) {
            continue;
        }
        let rendered = caps.render();
        out.push(
            cx.finding(
                &INFO,
                Target::File(entry.path.to_string()),
                format!("{} has file capabilities {rendered}: whoever runs it gets them", entry.path),
            )
            .with_label(rendered)
            .with_help("remove them (`setcap -r`) in the Dockerfile and grant capabilities at run time instead; if they are needed, add the file to `[images.allow] capabilities`"),
        );
    }
}

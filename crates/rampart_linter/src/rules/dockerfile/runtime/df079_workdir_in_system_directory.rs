use rampart_dockerfile::Body;

use super::util::{ChainState, clean, is_windows_absolute, join};
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// `WORKDIR` is a system directory.
    ///
    /// ## What it does
    /// Reports `WORKDIR` (after expanding build arguments and resolving a relative path
    /// against the earlier `WORKDIR`) that is:
    /// - in a kernel or boot file system, or under it: `/proc`, `/sys`, `/dev`, `/boot`,
    ///   `/initrd`, `/lost+found` (the directories Trivy's DS-0030 checks), in any stage;
    /// - for the working directory the container starts in (the last `WORKDIR` of the
    ///   final image), a directory of executables or under it (`/bin`, `/sbin`, `/usr/bin`,
    ///   `/usr/sbin`, `/usr/local/bin`, `/usr/local/sbin`), or exactly a system directory
    ///   (`/etc`, `/lib`, `/lib32`, `/lib64`, `/libx32`, `/usr`, `/usr/lib`, `/usr/lib64`,
    ///   `/usr/libexec`).
    ///
    /// An application directory inside `/etc` or `/usr/lib` (`/etc/nginx`,
    /// `/usr/lib/app`) is not reported, and neither is a `WORKDIR /usr/local/bin` used
    /// only to download tools during the build, when a later `WORKDIR` sets where the
    /// application runs.
    ///
    /// ## Why
    /// `/proc`, `/sys` and `/dev` are replaced by kernel file systems when the container
    /// starts: files put there during the build disappear, and a process working there can
    /// write to the kernel's interfaces. An application that runs in a directory of
    /// executables or system files writes its files among them: it can overwrite binaries
    /// and configuration that other processes trust, and it mixes the application with the
    /// operating system.
    ///
    /// ## Example
    /// ```dockerfile
    /// WORKDIR /usr/bin
    /// COPY app .
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// WORKDIR /app
    /// COPY app .
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: where the application's files should live is the author's choice.
    ///
    /// ## References
    /// - Filesystem Hierarchy Standard: <https://refspecs.linuxfoundation.org/FHS_3.0/fhs/index.html>
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    pub struct WorkdirInSystemDirectory {
        code: "DF079",
        name: "workdir-in-system-directory",
        severity: Error,
        tags: ["runtime", "security", "cwe:732"],
        equivalents: ["trivy:DS-0030"],
        fix: None,
    }
}

const KERNEL: &[&str] = &["/proc", "/sys", "/dev", "/boot", "/initrd", "/lost+found"];
const BINARIES: &[&str] = &["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"];
const SYSTEM: &[&str] =
    &["/etc", "/lib", "/lib32", "/lib64", "/libx32", "/usr", "/usr/lib", "/usr/lib64", "/usr/libexec"];

fn under(path: &str, dir: &str) -> bool {
    path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Why `path` (absolute, cleaned) is a bad working directory; `true` when it is a bad one
/// for the build too (a kernel file system).
fn system_directory(path: &str) -> Option<(bool, String)> {
    if let Some(d) = KERNEL.iter().find(|d| under(path, d)) {
        let why = if matches!(*d, "/boot" | "/initrd" | "/lost+found") {
            format!("`{d}` belongs to the host's boot and file system tools")
        } else {
            format!("`{d}` is a kernel file system mounted over when the container starts")
        };
        return Some((true, why));
    }
    if let Some(d) = BINARIES.iter().find(|d| under(path, d)) {
        return Some((false, format!("`{d}` holds the system's executables")));
    }
    SYSTEM.iter().find(|d| path == **d).map(|d| (false, format!("`{d}` is a system directory")))
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    // The WORKDIR the container starts in.
    let runtime =
        cx.final_chain().flat_map(|s| s.body()).filter(|&i| matches!(cx.instruction(i).body, Body::Workdir(_))).last();
    let state = ChainState::new(cx);
    for (i, instr) in cx.instructions() {
        let Body::Workdir(word) = &instr.body else { continue };
        let value = cx.expand(i, word);
        let raw = value.value.trim();
        if !value.is_complete() || raw.is_empty() || is_windows_absolute(raw) {
            continue;
        }
        let absolute = if raw.starts_with('/') {
            raw.to_string()
        } else {
            match state.at(i).workdir.path {
                Some(base) if base.starts_with('/') => join(&base, raw),
                _ => continue,
            }
        };
        let path = clean(&absolute);
        let Some((always, why)) = system_directory(&path) else { continue };
        if !always && runtime != Some(i) {
            continue;
        }
        out.push(
            cx.finding(&INFO, word.span.clone(), format!("WORKDIR `{path}` is a system directory"))
                .with_label(why)
                .with_help("work in a directory of the application's own, such as `/app` or `/srv/<name>`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::system_directory;

    #[test]
    fn directories() {
        for p in
            ["/proc", "/proc/self/fd", "/sys/fs", "/dev", "/usr/bin", "/usr/local/bin/tools", "/etc", "/usr", "/lib"]
        {
            assert!(system_directory(p).is_some(), "{p}");
        }
        for p in [
            "/",
            "/app",
            "/etc/nginx",
            "/usr/lib/app",
            "/usr/local/app",
            "/usr/local",
            "/development",
            "/procfs",
            "/var/www",
            "/binaries",
        ] {
            assert!(system_directory(p).is_none(), "{p}");
        }
    }
}

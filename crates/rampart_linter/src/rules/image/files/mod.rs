//! Permissions of the final filesystem: setuid and setgid files, file capabilities,
//! world-writable paths.

pub mod im010_setuid_file;
pub mod im011_setgid_file;
pub mod im012_file_capabilities;
pub mod im013_world_writable;

use super::image_rules;
use crate::image::ImageContext;

image_rules!(
    im010_setuid_file::SetuidFile,
    im011_setgid_file::SetgidFile,
    im012_file_capabilities::FileCapabilities,
    im013_world_writable::WorldWritable,
);

const SYSTEM_DIRS: &[&str] = &["/bin", "/sbin", "/usr/bin", "/usr/sbin"];

/// `name` in each of `/bin`, `/sbin`, `/usr/bin`, `/usr/sbin` (merged-`/usr` or not).
pub(crate) fn system_paths(names: &[&str], extra: &[&'static str]) -> Vec<String> {
    let mut out: Vec<String> = names.iter().flat_map(|n| SYSTEM_DIRS.iter().map(move |d| format!("{d}/{n}"))).collect();
    out.extend(extra.iter().map(|s| s.to_string()));
    out
}

/// ` — the same size as /usr/bin/bash: probably a copy of that shell`, when a shell of the
/// image has exactly this size.
pub(crate) fn shell_copy(cx: &ImageContext<'_>, size: u64, path: &str) -> String {
    const SHELLS: &[&str] = &["bash", "dash", "sh", "zsh", "ash", "ksh", "busybox"];
    for shell in SHELLS {
        for dir in ["/bin", "/usr/bin"] {
            let candidate = format!("{dir}/{shell}");
            if let Ok(entry) = cx.image.fs.resolve(&candidate)
                && entry.size == size
                && size > 0
                && *entry.path != *path
            {
                return format!(" — the same size as {}: probably a copy of that shell", entry.path);
            }
        }
    }
    String::new()
}

/// `root` or `UID 1000`.
pub(crate) fn owner(uid: u64) -> String {
    if uid == 0 { "root".to_string() } else { format!("UID {uid}") }
}

use crate::image::{AllowList, ImageContext, Pending, Target};
use rampart_image::FileKind;

declare_rule! {
    /// A file or directory of the image is writable by every user.
    ///
    /// ## What it does
    /// Reports regular files and directories of the final filesystem whose mode lets
    /// "others" write (`-rw-rw-rw-`, `drwxrwxrwx`), except directories with the sticky bit
    /// (`/tmp`, `/var/tmp`: `drwxrwxrwt`, where users cannot remove each other's files).
    /// Symlinks (always `lrwxrwxrwx`), device nodes, FIFOs and anything under `/proc`,
    /// `/sys` and `/dev` are not reported. `[images.allow] world-writable = [...]` adds paths
    /// (globs).
    ///
    /// ## Why
    /// Whatever user a container process runs as can change a world-writable file: a
    /// configuration file becomes a way to change the application's behaviour, a script a
    /// way to run code as whoever executes it next, a directory without the sticky bit a way
    /// to replace or delete other users' files in it.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN mkdir -p /app/uploads && chmod 777 /app/uploads
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN install -d -o 10001 -g 10001 -m 0750 /app/uploads
    /// ```
    ///
    /// ## Fix
    /// Give the path to the user that writes it (`chown`, `COPY --chown`) with a mode
    /// without the "others" write bit, in the Dockerfile, and rebuild.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and which user must keep
    /// write access is for a human to say.
    ///
    /// ## References
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    pub struct WorldWritable {
        code: "IM013",
        name: "image-world-writable",
        severity: Warning,
        tags: ["permissions", "image", "nist-800-190:4.1.2", "cwe:732", "seed:least-privilege"],
        equivalents: [],
        fix: None,
    }
}

const PSEUDO: &[&str] = &["/proc", "/sys", "/dev"];

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    let allow = AllowList::new(&[], &cx.options.world_writable);
    for entry in cx.image.fs.entries() {
        if !entry.is_world_writable()
            || matches!(entry.kind, FileKind::Directory) && entry.is_sticky()
            || PSEUDO.iter().any(|p| rampart_image::path::is_within(&entry.path, p))
            || allow.matches_path(&entry.path)
        {
            continue;
        }
        let what = if matches!(entry.kind, FileKind::Directory) {
            "directory is writable by every user, without the sticky bit"
        } else {
            "file is writable by every user"
        };
        out.push(
            cx.finding(&INFO, Target::File(entry.path.to_string()), format!("{}: the {what}", entry.path))
                .with_label(entry.mode_string())
                .with_help("give it to the user that writes it and drop the \"others\" write bit (`chmod o-w`) in the Dockerfile"),
        );
    }
}

//! The image's filesystem as a container sees it: every layer's entries applied in order,
//! whiteouts and opaque directories honoured, held as one path-sorted index of metadata (no
//! contents). Symlinks resolve with chroot semantics: an absolute target starts at the image
//! root and `..` stops there, so resolution can never leave the image.

use std::collections::HashSet;

use crate::path::{self, is_within};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Regular,
    Directory,
    Symlink,
    /// A hard link: `link` names the path it shares its inode with.
    HardLink,
    CharDevice,
    BlockDevice,
    Fifo,
}

impl FileKind {
    /// The `ls -l` type letter.
    pub fn letter(self) -> char {
        match self {
            FileKind::Regular | FileKind::HardLink => '-',
            FileKind::Directory => 'd',
            FileKind::Symlink => 'l',
            FileKind::CharDevice => 'c',
            FileKind::BlockDevice => 'b',
            FileKind::Fifo => 'p',
        }
    }
}

/// File capabilities from the `security.capability` extended attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCapabilities {
    /// Capability names (`cap_net_raw`), permitted set.
    pub permitted: Vec<&'static str>,
    pub inheritable: Vec<&'static str>,
    /// Whether the effective bit is set (the capabilities are active at exec).
    pub effective: bool,
}

impl FileCapabilities {
    /// Decodes `vfs_cap_data` (versions 2 and 3; version 3 adds a root uid).
    pub fn decode(data: &[u8]) -> Option<FileCapabilities> {
        let word = |i: usize| -> Option<u32> {
            let bytes = data.get(i * 4..i * 4 + 4)?;
            Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
        };
        let magic = word(0)?;
        let version = magic & 0xFF00_0000;
        let words = match version {
            0x0100_0000 => 1,
            0x0200_0000 | 0x0300_0000 => 2,
            _ => return None,
        };
        let mut permitted = 0u64;
        let mut inheritable = 0u64;
        for w in 0..words {
            permitted |= u64::from(word(1 + w * 2)?) << (32 * w);
            inheritable |= u64::from(word(2 + w * 2)?) << (32 * w);
        }
        let names = |set: u64| -> Vec<&'static str> {
            (0..64)
                .filter(|bit| set & (1u64 << bit) != 0)
                .map(|bit| CAPABILITY_NAMES.get(bit).copied().unwrap_or("cap_unknown"))
                .collect()
        };
        Some(FileCapabilities {
            permitted: names(permitted),
            inheritable: names(inheritable),
            effective: magic & 1 != 0,
        })
    }

    /// `cap_net_admin,cap_net_raw+ep`, as `getcap` prints it.
    pub fn render(&self) -> String {
        let mut out = self.permitted.join(",");
        out.push('+');
        if self.effective {
            out.push('e');
        }
        out.push('p');
        if !self.inheritable.is_empty() {
            out.push_str(&format!(" {}+i", self.inheritable.join(",")));
        }
        out
    }
}

/// Linux capability numbers, from `include/uapi/linux/capability.h`.
pub const CAPABILITY_NAMES: &[&str] = &[
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
];

/// One entry of the image filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Normalised absolute path.
    pub path: Box<str>,
    pub kind: FileKind,
    /// Permission bits including setuid/setgid/sticky (`0o4755`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Content size in bytes (0 for anything but regular files).
    pub size: u64,
    /// Symlink target as written, or the normalised path a hard link points at.
    pub link: Option<Box<str>>,
    /// Index of the layer the entry comes from (0 is the base layer).
    pub layer: usize,
    pub capabilities: Option<Box<FileCapabilities>>,
}

impl FileEntry {
    pub fn is_setuid(&self) -> bool {
        self.is_file_like() && self.mode & 0o4000 != 0
    }

    pub fn is_setgid(&self) -> bool {
        self.is_file_like() && self.mode & 0o2000 != 0
    }

    pub fn is_executable(&self) -> bool {
        self.is_file_like() && self.mode & 0o111 != 0
    }

    pub fn is_world_writable(&self) -> bool {
        matches!(self.kind, FileKind::Regular | FileKind::HardLink | FileKind::Directory) && self.mode & 0o002 != 0
    }

    pub fn is_sticky(&self) -> bool {
        self.mode & 0o1000 != 0
    }

    fn is_file_like(&self) -> bool {
        matches!(self.kind, FileKind::Regular | FileKind::HardLink)
    }

    /// `-rwsr-xr-x`.
    pub fn mode_string(&self) -> String {
        let m = self.mode;
        let mut s = String::with_capacity(10);
        s.push(self.kind.letter());
        let triplet = |s: &mut String, r: u32, w: u32, x: u32, special: bool, special_char: char| {
            s.push(if m & r != 0 { 'r' } else { '-' });
            s.push(if m & w != 0 { 'w' } else { '-' });
            s.push(match (m & x != 0, special) {
                (true, true) => special_char,
                (false, true) => special_char.to_ascii_uppercase(),
                (true, false) => 'x',
                (false, false) => '-',
            });
        };
        triplet(&mut s, 0o400, 0o200, 0o100, m & 0o4000 != 0, 's');
        triplet(&mut s, 0o040, 0o020, 0o010, m & 0o2000 != 0, 's');
        triplet(&mut s, 0o004, 0o002, 0o001, m & 0o1000 != 0, 't');
        s
    }
}

/// What a layer does to the filesystem below it.
#[derive(Debug, Default)]
pub struct LayerChanges {
    /// Entries in path order; one per path (the last one in the tar wins, as on extraction).
    pub entries: Vec<FileEntry>,
    /// Paths removed by `.wh.NAME` markers.
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer contents are hidden (`.wh..wh..opq`).
    pub opaque: Vec<String>,
}

/// The final filesystem.
#[derive(Debug, Default)]
pub struct FileSystem {
    entries: Vec<FileEntry>,
}

/// Why a path could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    NotFound,
    /// More than [`MAX_SYMLINK_HOPS`] links: a loop, or a chain built to exhaust the resolver.
    TooManyLinks,
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ResolveError::NotFound => "no such file or directory",
            ResolveError::TooManyLinks => {
                "too many levels of symbolic links (more than 40: a loop, or a chain too long to follow)"
            }
        })
    }
}

impl std::error::Error for ResolveError {}

/// Linux gives up after 40 links (`ELOOP`).
pub const MAX_SYMLINK_HOPS: usize = 40;

/// At most this many symlinks are checked for loops after the walk (each check follows at
/// most [`MAX_SYMLINK_HOPS`] links, so a layer of a million chained links stays cheap).
const MAX_SYMLINKS_CHECKED: usize = 100_000;

impl FileSystem {
    /// Applies layers in order.
    pub fn from_layers(layers: impl IntoIterator<Item = LayerChanges>) -> FileSystem {
        FileSystem::from_layers_reporting(layers).0
    }

    /// Applies layers in order, and says which entries could not be kept or followed: hard
    /// links to nothing (containerd refuses such a layer; rampart reads on and says so) and
    /// symlinks that loop.
    pub fn from_layers_reporting(layers: impl IntoIterator<Item = LayerChanges>) -> (FileSystem, Vec<crate::Warning>) {
        let mut fs = FileSystem::default();
        let mut warnings = Vec::new();
        for layer in layers {
            fs.apply(layer, &mut warnings);
        }
        warnings.extend(fs.symlink_loops());
        (fs, warnings)
    }

    fn apply(&mut self, mut layer: LayerChanges, warnings: &mut Vec<crate::Warning>) {
        self.link_hard_links(&mut layer, warnings);
        if self.entries.is_empty() {
            // The base layer: nothing below to hide or merge with.
            self.entries = layer.entries;
            return;
        }
        // Everything at or under a removed path goes: whiteouts remove the path, an opaque
        // directory hides what lower layers put inside it, and a non-directory entry replaces
        // whatever was at its path, subtree included.
        let mut removed: HashSet<&str> = HashSet::new();
        let mut hidden_inside: HashSet<&str> = HashSet::new();
        for path in &layer.whiteouts {
            removed.insert(path.as_str());
        }
        for dir in &layer.opaque {
            hidden_inside.insert(dir.as_str());
        }
        for entry in &layer.entries {
            if entry.kind != FileKind::Directory {
                removed.insert(&entry.path);
            }
        }
        let doomed = |path: &str| -> bool {
            if removed.is_empty() && hidden_inside.is_empty() {
                return false;
            }
            let mut ancestor = path;
            let mut at_self = true;
            loop {
                if removed.contains(ancestor) || (!at_self && hidden_inside.contains(ancestor)) {
                    return true;
                }
                if ancestor == "/" {
                    return false;
                }
                ancestor = path::parent(ancestor);
                at_self = false;
            }
        };
        let lower = std::mem::take(&mut self.entries);
        let upper_has = |path: &str| layer.entries.binary_search_by(|e| (*e.path).cmp(path)).is_ok();
        // The upper entry wins at the same path; a directory over a directory keeps the children.
        let kept: Vec<FileEntry> = lower.into_iter().filter(|e| !upper_has(&e.path) && !doomed(&e.path)).collect();
        drop(removed);
        drop(hidden_inside);
        let mut merged = Vec::with_capacity(kept.len() + layer.entries.len());
        let mut upper = layer.entries.into_iter().peekable();
        for entry in kept {
            while let Some(next) = upper.next_if(|next| *next.path < *entry.path) {
                merged.push(next);
            }
            merged.push(entry);
        }
        merged.extend(upper);
        self.entries = merged;
    }

    pub fn entries(&self) -> &[FileEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at exactly `path` (no link following).
    pub fn get(&self, path: &str) -> Option<&FileEntry> {
        self.entries.binary_search_by(|e| (*e.path).cmp(path)).ok().map(|i| &self.entries[i])
    }

    /// Entries under `dir` (not `dir` itself), in path order.
    pub fn children_of<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a FileEntry> + 'a {
        let start = self.entries.partition_point(|e| *e.path <= *dir);
        self.entries[start..].iter().take_while(move |e| is_within(&e.path, dir) && *e.path != *dir)
    }

    /// Follows symlinks (in every component, and in the last one too) and hard links, as
    /// `open(2)` would inside a chroot at the image root.
    pub fn resolve(&self, path: &str) -> Result<&FileEntry, ResolveError> {
        let path = self.resolve_path(path)?;
        let mut entry = self.get(&path).ok_or(ResolveError::NotFound)?;
        // A hard link leads to its target while that is still the file it was linked to (a
        // later layer may have replaced it; the link then stands for itself).
        for _ in 0..8 {
            if entry.kind != FileKind::HardLink {
                break;
            }
            match entry.link.as_deref().and_then(|t| self.get(t)) {
                Some(target) if target.layer <= entry.layer => entry = target,
                _ => break,
            }
        }
        Ok(entry)
    }

    /// The path `path` leads to after following every symlink.
    pub fn resolve_path(&self, path: &str) -> Result<String, ResolveError> {
        let mut hops = 0usize;
        let mut pending: Vec<String> = path::split(path).rev().map(str::to_string).collect();
        let mut current = String::from("/");
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "." | "" => continue,
                ".." => {
                    current = path::parent(&current).to_string();
                    continue;
                }
                _ => {}
            }
            let candidate = if current == "/" { format!("/{part}") } else { format!("{current}/{part}") };
            match self.get(&candidate) {
                Some(entry) if entry.kind == FileKind::Symlink => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Err(ResolveError::TooManyLinks);
                    }
                    let target = entry.link.as_deref().unwrap_or("");
                    if target.starts_with('/') {
                        current = String::from("/");
                    }
                    pending.extend(path::split(target).rev().map(str::to_string));
                }
                Some(_) => current = candidate,
                // A directory the tar never listed, implied by the entries under it (layers
                // need not carry an entry for every parent).
                None if self.children_of(&candidate).next().is_some() => {
                    current = candidate;
                }
                None => {
                    // A missing component: the rest cannot exist either.
                    return Err(ResolveError::NotFound);
                }
            }
        }
        Ok(current)
    }

    /// Whether `path` names an executable regular file once links are followed.
    pub fn is_executable(&self, path: &str) -> bool {
        self.resolve(path).is_ok_and(|e| e.is_executable())
    }
}

impl FileSystem {
    /// Gives each hard link of `layer` its target's metadata, the target being the file at
    /// the link's target path in this layer or, failing that, in the layers below (the
    /// filesystem as it is before `layer` is applied: a link cannot name a file that a later
    /// layer adds). Links to nothing, to directories or to what is not a file are dropped
    /// with a warning, so that no entry claims contents it cannot have.
    fn link_hard_links(&self, layer: &mut LayerChanges, warnings: &mut Vec<crate::Warning>) {
        let upper = &layer.entries;
        let find = |path: &str| -> Option<&FileEntry> {
            match upper.binary_search_by(|e| (*e.path).cmp(path)) {
                Ok(i) => Some(&upper[i]),
                Err(_) => self.get(path),
            }
        };
        let mut fixes: Vec<(usize, Option<FileEntry>)> = Vec::new();
        for (index, entry) in upper.iter().enumerate() {
            if entry.kind != FileKind::HardLink {
                continue;
            }
            // A link to a link shares the same inode: follow, a few times at most.
            let mut target = entry.link.as_deref().and_then(find);
            for _ in 0..8 {
                match target {
                    Some(t) if t.kind == FileKind::HardLink && *t.path != *entry.path => {
                        target = t.link.as_deref().and_then(find);
                    }
                    _ => break,
                }
            }
            fixes.push((index, target.filter(|t| t.kind == FileKind::Regular).cloned()));
        }
        let mut dropped = Vec::new();
        for (index, target) in fixes {
            let entry = &mut layer.entries[index];
            match target {
                Some(target) => {
                    entry.mode = target.mode;
                    entry.uid = target.uid;
                    entry.gid = target.gid;
                    entry.size = target.size;
                    entry.capabilities = target.capabilities;
                }
                None => {
                    warnings.push(crate::Warning::layer(
                        entry.layer,
                        Some(entry.path.to_string()),
                        format!(
                            "hard link to `{}`, which is not a file in the image (at this layer); ignored",
                            entry.link.as_deref().unwrap_or("")
                        ),
                    ));
                    dropped.push(index);
                }
            }
        }
        if !dropped.is_empty() {
            let mut index = 0;
            layer.entries.retain(|_| {
                let keep = dropped.binary_search(&index).is_err();
                index += 1;
                keep
            });
        }
    }

    /// Symlinks that cannot be followed: loops, and chains longer than Linux follows.
    fn symlink_loops(&self) -> Vec<crate::Warning> {
        self.entries
            .iter()
            .filter(|e| e.kind == FileKind::Symlink)
            .take(MAX_SYMLINKS_CHECKED)
            .filter(|e| self.resolve_path(&e.path) == Err(ResolveError::TooManyLinks))
            .map(|e| {
                crate::Warning::layer(
                    e.layer,
                    Some(e.path.to_string()),
                    format!("symlink to `{}`: {}", e.link.as_deref().unwrap_or(""), ResolveError::TooManyLinks),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, kind: FileKind, layer: usize) -> FileEntry {
        FileEntry {
            path: path.into(),
            kind,
            mode: if kind == FileKind::Directory { 0o755 } else { 0o644 },
            uid: 0,
            gid: 0,
            size: 0,
            link: None,
            layer,
            capabilities: None,
        }
    }

    fn link(path: &str, target: &str, layer: usize) -> FileEntry {
        FileEntry { link: Some(target.into()), ..entry(path, FileKind::Symlink, layer) }
    }

    fn layer(mut entries: Vec<FileEntry>, whiteouts: &[&str], opaque: &[&str]) -> LayerChanges {
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        LayerChanges {
            entries,
            whiteouts: whiteouts.iter().map(|s| s.to_string()).collect(),
            opaque: opaque.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn paths(fs: &FileSystem) -> Vec<(&str, usize)> {
        fs.entries().iter().map(|e| (&*e.path, e.layer)).collect()
    }

    #[test]
    fn whiteouts_opaque_and_replacement() {
        use FileKind::*;
        let fs = FileSystem::from_layers([
            layer(
                vec![
                    entry("/a", Directory, 0),
                    entry("/a/1", Regular, 0),
                    entry("/a/2", Regular, 0),
                    entry("/b", Directory, 0),
                    entry("/b/x", Regular, 0),
                    entry("/c", Directory, 0),
                    entry("/c/y", Regular, 0),
                    entry("/d", Regular, 0),
                ],
                &[],
                &[],
            ),
            layer(
                vec![
                    entry("/a", Directory, 1),
                    entry("/b", Directory, 1),
                    entry("/b/z", Regular, 1),
                    entry("/c", Regular, 1),
                ],
                &["/a/1", "/d"],
                &["/b"],
            ),
        ]);
        assert_eq!(paths(&fs), [("/a", 1), ("/a/2", 0), ("/b", 1), ("/b/z", 1), ("/c", 1)]);
    }

    #[test]
    fn resolution_stays_in_the_root() {
        use FileKind::*;
        let fs = FileSystem::from_layers([layer(
            vec![
                entry("/usr", Directory, 0),
                entry("/usr/bin", Directory, 0),
                entry("/usr/bin/dash", Regular, 0),
                link("/bin", "usr/bin", 0),
                link("/usr/bin/sh", "dash", 0),
                link("/escape", "../../../../usr/bin/sh", 0),
                link("/loop1", "/loop2", 0),
                link("/loop2", "loop1", 0),
                link("/abs", "/bin/sh", 0),
            ],
            &[],
            &[],
        )]);
        assert_eq!(fs.resolve_path("/bin/sh").unwrap(), "/usr/bin/dash");
        assert_eq!(fs.resolve_path("/escape").unwrap(), "/usr/bin/dash");
        assert_eq!(fs.resolve_path("/abs").unwrap(), "/usr/bin/dash");
        assert_eq!(fs.resolve("/loop1"), Err(ResolveError::TooManyLinks));
        assert_eq!(fs.resolve("/nope/x"), Err(ResolveError::NotFound));
        assert_eq!(fs.children_of("/usr").count(), 3);
    }

    #[test]
    fn capabilities_decode() {
        // cap_net_raw,cap_net_admin,cap_sys_admin+ep as setcap writes it (v2).
        let mut data = vec![0x01, 0, 0, 0x02];
        let permitted: u32 = (1 << 12) | (1 << 13) | (1 << 21);
        data.extend(permitted.to_le_bytes());
        data.extend(0u32.to_le_bytes());
        data.extend(0u32.to_le_bytes());
        data.extend(0u32.to_le_bytes());
        let caps = FileCapabilities::decode(&data).unwrap();
        assert_eq!(caps.render(), "cap_net_admin,cap_net_raw,cap_sys_admin+ep");
        assert!(FileCapabilities::decode(&[1, 2]).is_none());
    }

    #[test]
    fn mode_strings() {
        let mut e = entry("/x", FileKind::Regular, 0);
        e.mode = 0o4755;
        assert_eq!(e.mode_string(), "-rwsr-xr-x");
        e.mode = 0o2644;
        assert_eq!(e.mode_string(), "-rw-r-Sr--");
        let mut d = entry("/tmp", FileKind::Directory, 0);
        d.mode = 0o1777;
        assert_eq!(d.mode_string(), "drwxrwxrwt");
    }
}

//! Programs present in the image: found by name in the standard executable directories,
//! following symlinks inside the image (`/bin/sh` → `/usr/bin/dash`, BusyBox applets), and
//! counted once per real executable file however many names lead to it.

use std::collections::BTreeMap;

use rampart_catalog::{Ecosystem, Package};
use rampart_image::{FileEntry, FileKind};

use super::{AllowList, ImageContext};

/// Where programs on `PATH` live.
pub const BIN_DIRS: &[&str] = &["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"];

/// A real executable and the names it is reached by.
#[derive(Debug)]
pub struct Present<'a> {
    pub entry: &'a FileEntry,
    /// Tool names that lead to it (`sh`, `dash`), in the order of the rule's list.
    pub names: Vec<&'static str>,
    /// Every path of a standard directory that leads to it.
    pub paths: Vec<String>,
}

impl Present<'_> {
    /// `dash (also as sh)`.
    pub fn describe(&self) -> String {
        let real = rampart_image::path::file_name(&self.entry.path);
        let others: Vec<&str> = self.names.iter().copied().filter(|n| *n != real).collect();
        if others.is_empty() {
            format!("`{real}`")
        } else {
            format!("`{real}` (run as {})", others.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))
        }
    }
}

/// The executables named in `names` that the image holds, minus the allowed ones.
pub fn find<'a>(cx: &ImageContext<'a>, names: &[&'static str], allow: &AllowList) -> Vec<Present<'a>> {
    let mut found: BTreeMap<&str, Present<'a>> = BTreeMap::new();
    for &name in names {
        for dir in BIN_DIRS {
            let path = format!("{dir}/{name}");
            let Ok(entry) = cx.image.fs.resolve(&path) else { continue };
            if !matches!(entry.kind, FileKind::Regular | FileKind::HardLink) || entry.mode & 0o111 == 0 {
                continue;
            }
            let present =
                found.entry(&entry.path).or_insert_with(|| Present { entry, names: Vec::new(), paths: Vec::new() });
            if !present.names.contains(&name) {
                present.names.push(name);
            }
            present.paths.push(path);
        }
    }
    found
        .into_values()
        .filter(|p| {
            let real_name = rampart_image::path::file_name(&p.entry.path);
            !(allow.matches_name(real_name)
                || p.names.iter().any(|n| allow.matches_name(n))
                || allow.matches_path(&p.entry.path)
                || p.paths.iter().any(|path| allow.matches_path(path)))
        })
        .collect()
}

/// Packages that commonly ship a program, beyond a package of the program's own name.
const PACKAGES: &[(&str, &[&str])] = &[
    ("sh", &["dash", "bash", "busybox"]),
    ("apt-get", &["apt"]),
    ("apk", &["apk-tools"]),
    ("sshd", &["openssh-server", "openssh"]),
    ("cc", &["gcc"]),
    ("c++", &["g++"]),
    ("rustc", &["rustc", "rust"]),
    ("go", &["golang-go", "go"]),
    ("pip", &["python3-pip", "py3-pip"]),
    ("pip3", &["python3-pip", "py3-pip"]),
    ("npm", &["npm", "nodejs"]),
];

fn is_os(ecosystem: Ecosystem) -> bool {
    matches!(ecosystem, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
}

/// The distribution package that most likely installed `present`, when the inventory has one
/// named like it: `gcc-12` for `gcc-12`, `apt` for `apt-get`. A guess from names only (the
/// walker does not read dpkg's file lists), so it is worded as "from the package".
pub fn package_of<'a>(cx: &ImageContext<'a>, present: &Present<'_>) -> Option<&'a Package> {
    let real = rampart_image::path::file_name(&present.entry.path);
    let mut candidates: Vec<&str> = vec![real];
    candidates.extend(present.names.iter().copied());
    for name in candidates.clone() {
        if let Some((_, extra)) = PACKAGES.iter().find(|(n, _)| *n == name) {
            candidates.extend(extra.iter().copied());
        }
    }
    let packages = &cx.image.inventory.packages;
    candidates.iter().find_map(|c| packages.iter().find(|p| is_os(p.ecosystem) && p.name == *c))
}

/// ` (from the deb package `curl` 7.88.1-10)` or nothing.
pub fn provenance(cx: &ImageContext<'_>, present: &Present<'_>) -> String {
    match package_of(cx, present) {
        Some(p) => format!(" (from the {} package `{}` {})", p.ecosystem.purl_type(), p.name, p.version),
        None => String::new(),
    }
}

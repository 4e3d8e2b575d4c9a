//! Go binaries: the build information the Go linker embeds (`go version -m` prints it). Found in
//! the `.go.buildinfo` section, or by searching the file for its magic when section headers were
//! stripped. Go ≥ 1.18 writes the strings inline (flags bit 2); older toolchains write two
//! pointers to Go string headers, which are followed through the ELF's address map.
//!
//! As Syft does: one package per module (the main module, `(devel)` unless VCS stamping gives a
//! pseudo-version; the path alone names it when there is no `mod` line, as in the Go
//! toolchain's own commands), one per `dep` with `=>` replacements taking its place, and
//! `stdlib` at the Go version (`go1.19.8`) for every binary that yields any module.

use super::elf::{Elf, is_elf};
use super::{MAX_BINARY, error};
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Package, Want};

#[derive(Debug)]
pub struct GoBinaryCataloger;

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_SIZE: usize = 32;
const ALIGN: usize = 16;
/// Go's own bound on a string read through the pointer format.
const MAX_STRING: u64 = 1 << 24;

/// Whether a file may be an executable worth reading: an x bit set, and a size an executable can
/// have. Shared with the Rust cataloger.
pub fn executable_candidate(file: &FileMeta<'_>) -> bool {
    file.mode & 0o111 != 0 && file.size >= 64 && file.size <= MAX_BINARY
}

impl Cataloger for GoBinaryCataloger {
    fn name(&self) -> &'static str {
        "go-binary"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if executable_candidate(file) { Want::Content { limit: MAX_BINARY } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        if !is_elf(content) {
            return Ok(());
        }
        let Some(elf) = Elf::parse(content) else { return Ok(()) };
        let Some((go_version, modinfo)) = build_info(&elf) else { return Ok(()) };
        let info = parse_modinfo(&modinfo);
        let before = found.len();
        let add = |name: &str, version: &str, found: &mut Vec<Found>| {
            if !name.is_empty() {
                found.push(Found::Package(Package::new(Ecosystem::Golang, name, version, location, "go-binary")));
            }
        };
        for dep in &info.deps {
            let module = dep.replace.as_ref().unwrap_or(&dep.module);
            add(&module.path, &module.version, found);
        }
        let main = match &info.main {
            Some(main) => Some(main.replace.as_ref().unwrap_or(&main.module).clone()),
            None if !info.path.is_empty() => Some(Module { path: info.path.clone(), version: DEVEL.into() }),
            None => None,
        };
        if let Some(mut main) = main {
            if main.version == DEVEL
                && let Some(version) = info.vcs_pseudo_version()
            {
                main.version = version;
            }
            add(&main.path, &main.version, found);
        }
        if found.len() > before {
            let version = go_version.split_whitespace().next().unwrap_or("");
            let mut stdlib = Package::new(Ecosystem::Golang, "stdlib", version, location, "go-binary");
            stdlib.licenses = vec!["BSD-3-Clause".into()];
            found.push(Found::Package(stdlib));
        }
        if found.len() == before && go_version.is_empty() {
            return Err(error("Go build info without a Go version"));
        }
        Ok(())
    }
}

const DEVEL: &str = "(devel)";

/// The Go version and the module information string (sentinels removed; empty when the binary
/// was not built in module mode).
pub fn build_info(elf: &Elf<'_>) -> Option<(String, String)> {
    let data = elf.section(".go.buildinfo").unwrap_or_else(|| elf.data());
    let header = find_header(data)?;
    let ptr_size = usize::from(*header.get(14)?);
    let flags = *header.get(15)?;
    let (version, modinfo) = if flags & 2 != 0 {
        let rest = header.get(HEADER_SIZE..)?;
        let (version, rest) = varint_string(rest)?;
        let (modinfo, _) = varint_string(rest).unwrap_or((&[], &[]));
        (String::from_utf8_lossy(version).into_owned(), modinfo.to_vec())
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return None;
        }
        let big_endian = flags & 1 != 0;
        let read_ptr = |bytes: &[u8]| -> Option<u64> {
            let bytes = bytes.get(..ptr_size)?;
            let mut value = 0u64;
            for (index, byte) in bytes.iter().enumerate() {
                let shift = if big_endian { (ptr_size - 1 - index) * 8 } else { index * 8 };
                value |= u64::from(*byte) << shift;
            }
            Some(value)
        };
        let read_string = |addr: u64| -> Option<Vec<u8>> {
            let string_header = elf.read_vaddr(addr, 2 * ptr_size as u64)?;
            let data = read_ptr(string_header)?;
            let len = read_ptr(string_header.get(ptr_size..)?)?;
            if len > MAX_STRING {
                return None;
            }
            let bytes = elf.read_vaddr(data, len)?;
            (bytes.len() as u64 == len).then(|| bytes.to_vec())
        };
        let version = read_string(read_ptr(header.get(16..)?)?)?;
        let modinfo = read_ptr(header.get(16 + ptr_size..)?).and_then(read_string).unwrap_or_default();
        (String::from_utf8_lossy(&version).into_owned(), modinfo)
    };
    if version.is_empty() {
        return None;
    }
    // The linker brackets modinfo with 16-byte sentinels so it can be found in a binary.
    let modinfo = if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        String::from_utf8_lossy(&modinfo[16..modinfo.len() - 16]).into_owned()
    } else {
        String::new()
    };
    Some((version, modinfo))
}

/// The build info header: the magic at a 16-byte aligned offset, with room for the header.
fn find_header(data: &[u8]) -> Option<&[u8]> {
    let mut start = 0usize;
    loop {
        let rest = data.get(start..)?;
        let at = start + memchr::memmem::find(rest, MAGIC)?;
        if data.len() - at < HEADER_SIZE {
            return None;
        }
        if at.is_multiple_of(ALIGN) {
            return data.get(at..);
        }
        start = at.checked_add(ALIGN - 1)? & !(ALIGN - 1);
    }
}

/// A uvarint-length-prefixed string, and what follows it.
fn varint_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut len = 0u64;
    let mut shift = 0u32;
    let mut used = 0usize;
    loop {
        let byte = *data.get(used)?;
        used += 1;
        if shift >= 64 {
            return None;
        }
        len |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let len = usize::try_from(len).ok()?;
    let end = used.checked_add(len)?;
    Some((data.get(used..end)?, data.get(end..)?))
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Module {
    path: String,
    version: String,
}

#[derive(Debug, PartialEq, Eq)]
struct Dep {
    module: Module,
    replace: Option<Module>,
}

#[derive(Debug, Default)]
struct ModInfo {
    path: String,
    main: Option<Dep>,
    deps: Vec<Dep>,
    settings: Vec<(String, String)>,
}

impl ModInfo {
    /// `v0.0.0-20230102150405-0123456789ab` from `vcs.revision` and `vcs.time`, as Syft gives a
    /// `(devel)` main module built from a checkout.
    fn vcs_pseudo_version(&self) -> Option<String> {
        let get = |key: &str| self.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let revision = get("vcs.revision")?;
        let revision: String = revision.chars().take(12).collect();
        let Some(time) = get("vcs.time") else { return Some(revision) };
        // RFC 3339 in UTC (`2023-01-02T15:04:05Z`), as the go command writes it.
        let digits: String = time.chars().take(19).filter(char::is_ascii_digit).collect();
        let stamp = if digits.len() == 14 && time.ends_with('Z') { digits } else { "00010101000000".into() };
        Some(format!("v0.0.0-{stamp}-{revision}"))
    }
}

fn parse_modinfo(text: &str) -> ModInfo {
    let mut info = ModInfo::default();
    // Which entry a `=>` line replaces: the main module or the last dep.
    let mut last_is_main = false;
    for line in text.lines() {
        let mut fields = line.split('\t');
        let kind = fields.next().unwrap_or("");
        let path = fields.next().unwrap_or("").to_string();
        let version = fields.next().unwrap_or("").to_string();
        match kind {
            "path" => info.path = path,
            "mod" => {
                info.main = Some(Dep { module: Module { path, version }, replace: None });
                last_is_main = true;
            }
            "dep" => {
                info.deps.push(Dep { module: Module { path, version }, replace: None });
                last_is_main = false;
            }
            "=>" => {
                let target = if last_is_main { info.main.as_mut() } else { info.deps.last_mut() };
                if let Some(dep) = target {
                    dep.replace = Some(Module { path, version });
                }
            }
            "build" => {
                let setting = line.strip_prefix("build\t").unwrap_or("");
                if let Some((key, value)) = setting.split_once('=') {
                    info.settings.push((key.to_string(), value.to_string()));
                }
            }
            _ => {}
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(content: &[u8]) -> Vec<(String, String)> {
        let mut found = Vec::new();
        GoBinaryCataloger
            .catalog(&Location { path: "/usr/local/bin/hello".into(), layer: 0 }, content, &mut found)
            .unwrap();
        found
            .into_iter()
            .filter_map(|f| match f {
                Found::Package(p) => Some((p.name, p.version)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn real_go_1_19_binary() {
        let packages = catalog(include_bytes!("../../tests/fixtures/go/hello-go.elf"));
        assert_eq!(
            packages,
            [
                ("../greet".into(), "(devel)".into()),
                ("example.com/hello".into(), "(devel)".into()),
                ("stdlib".into(), "go1.19.8".into())
            ]
        );
    }

    #[test]
    fn wants_executables_only() {
        let want = |mode, size| GoBinaryCataloger.wants(&FileMeta { path: "/bin/x", size, mode }) != Want::No;
        assert!(want(0o755, 1000));
        assert!(want(0o700, 1000));
        assert!(!want(0o644, 1000));
        assert!(!want(0o755, MAX_BINARY + 1));
        assert!(!want(0o755, 10));
    }

    #[test]
    fn toolchain_command_without_mod_line() {
        let info = parse_modinfo("path\tcmd/go\nbuild\t-compiler=gc\nbuild\tGOARCH=amd64\n");
        assert_eq!(info.path, "cmd/go");
        assert!(info.main.is_none());
        let info = parse_modinfo(
            "path\tx\nmod\tx\t(devel)\t\ndep\ta\tv1.0.0\th1:x\n=>\tb\tv2.0.0\th1:y\nbuild\tvcs.revision=0123456789abcdef\nbuild\tvcs.time=2023-01-02T15:04:05Z\n",
        );
        assert_eq!(info.deps[0].replace, Some(Module { path: "b".into(), version: "v2.0.0".into() }));
        assert_eq!(info.vcs_pseudo_version().as_deref(), Some("v0.0.0-20230102150405-0123456789ab"));
    }

    /// A Go < 1.18 style header: two pointers to string headers, resolved through a section.
    #[test]
    fn pointer_format() {
        let modinfo = format!("{}path\tx\nmod\tx\tv1.0.0\t\n{}", "0".repeat(16), "0123456789abcde\n");
        // Layout in one PROGBITS section at vaddr 0x1000, file offset 0x100.
        let mut section = vec![0u8; 0x100];
        section[..14].copy_from_slice(MAGIC);
        section[14] = 8;
        section[15] = 0;
        section[16..24].copy_from_slice(&0x1040u64.to_le_bytes());
        section[24..32].copy_from_slice(&0x1050u64.to_le_bytes());
        section[0x40..0x48].copy_from_slice(&0x1080u64.to_le_bytes());
        section[0x48..0x50].copy_from_slice(&8u64.to_le_bytes());
        section[0x50..0x58].copy_from_slice(&0x1090u64.to_le_bytes());
        section[0x58..0x60].copy_from_slice(&(modinfo.len() as u64).to_le_bytes());
        section[0x80..0x88].copy_from_slice(b"go1.16.3");
        section[0x90..0x90 + modinfo.len()].copy_from_slice(modinfo.as_bytes());
        let elf = minimal_elf64(&section, 0x1000);
        assert_eq!(catalog(&elf), [("x".into(), "v1.0.0".into()), ("stdlib".into(), "go1.16.3".into())]);
    }

    /// An ELF64 little-endian file with a null section, `.go.buildinfo` and `.shstrtab`.
    fn minimal_elf64(section: &[u8], addr: u64) -> Vec<u8> {
        let names = b"\0.go.buildinfo\0.shstrtab\0";
        let data_at = 0x100usize;
        let names_at = data_at + section.len();
        let shoff = (names_at + names.len()).next_multiple_of(8);
        let mut out = vec![0u8; shoff + 3 * 0x40];
        out[..6].copy_from_slice(b"\x7fELF\x02\x01");
        out[0x28..0x30].copy_from_slice(&(shoff as u64).to_le_bytes());
        out[0x3a..0x3c].copy_from_slice(&0x40u16.to_le_bytes());
        out[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        out[0x3e..0x40].copy_from_slice(&2u16.to_le_bytes());
        out[data_at..names_at].copy_from_slice(section);
        out[names_at..names_at + names.len()].copy_from_slice(names);
        let mut header = |index: usize, name: u32, kind: u32, addr: u64, offset: usize, size: usize| {
            let at = shoff + index * 0x40;
            out[at..at + 4].copy_from_slice(&name.to_le_bytes());
            out[at + 4..at + 8].copy_from_slice(&kind.to_le_bytes());
            out[at + 0x10..at + 0x18].copy_from_slice(&addr.to_le_bytes());
            out[at + 0x18..at + 0x20].copy_from_slice(&(offset as u64).to_le_bytes());
            out[at + 0x20..at + 0x28].copy_from_slice(&(size as u64).to_le_bytes());
        };
        header(1, 1, 1, addr, data_at, section.len());
        header(2, 15, 3, 0, names_at, names.len());
        out
    }

    #[test]
    fn garbage() {
        let real = include_bytes!("../../tests/fixtures/go/hello-go.elf");
        let mut found = Vec::new();
        let location = Location { path: "/x".into(), layer: 0 };
        for end in (0..real.len()).step_by(7) {
            let _ = GoBinaryCataloger.catalog(&location, &real[..end], &mut found);
        }
        let mut seed = 0x1234_5678_9abc_def1u64;
        for _ in 0..1000 {
            let mut bytes = real.to_vec();
            for _ in 0..8 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed as usize) % bytes.len();
                bytes[at] = (seed >> 40) as u8;
            }
            let _ = GoBinaryCataloger.catalog(&location, &bytes, &mut found);
        }
        // A header claiming a 2^63-byte version string.
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&[8, 2]);
        header.resize(32, 0);
        header.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
        let elf = minimal_elf64(&header, 0x1000);
        assert!(catalog(&elf).is_empty());
        assert_eq!(varint_string(&[0x80; 20]), None);
    }
}

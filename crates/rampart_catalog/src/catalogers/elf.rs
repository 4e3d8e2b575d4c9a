//! The little of ELF the binary catalogers need, read from untrusted bytes: section headers
//! (name, address, file range) and loadable segments, for both classes and byte orders. Every
//! offset comes from the file, so every read is checked; nothing here can panic.

/// A parsed ELF file: just enough to find a section's bytes or map a virtual address.
#[derive(Debug)]
pub struct Elf<'a> {
    data: &'a [u8],
    pub is_64: bool,
    pub little_endian: bool,
    sections: Vec<Section>,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
struct Section {
    name: String,
    kind: u32,
    addr: u64,
    offset: u64,
    size: u64,
}

#[derive(Debug, Clone)]
struct Segment {
    kind: u32,
    vaddr: u64,
    offset: u64,
    file_size: u64,
}

const SHT_NOBITS: u32 = 8;
const PT_LOAD: u32 = 1;
/// More headers than any real binary has (a large C++ binary has a few thousand sections).
const MAX_HEADERS: usize = 65_536;

/// Whether the bytes start with the ELF magic.
pub fn is_elf(data: &[u8]) -> bool {
    data.starts_with(b"\x7fELF")
}

impl<'a> Elf<'a> {
    /// Parses the headers, or `None` if this is not an ELF file or its header is unusable.
    /// Damaged section or program header tables are dropped, not fatal: the callers can still
    /// search the raw bytes.
    pub fn parse(data: &'a [u8]) -> Option<Elf<'a>> {
        if !is_elf(data) {
            return None;
        }
        let is_64 = match data.get(4)? {
            1 => false,
            2 => true,
            _ => return None,
        };
        let little_endian = match data.get(5)? {
            1 => true,
            2 => false,
            _ => return None,
        };
        let mut elf = Elf { data, is_64, little_endian, sections: Vec::new(), segments: Vec::new() };
        elf.sections = elf.read_sections().unwrap_or_default();
        elf.segments = elf.read_segments().unwrap_or_default();
        Some(elf)
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let bytes: [u8; 2] = self.data.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.little_endian { u16::from_le_bytes(bytes) } else { u16::from_be_bytes(bytes) })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let bytes: [u8; 4] = self.data.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.little_endian { u32::from_le_bytes(bytes) } else { u32::from_be_bytes(bytes) })
    }

    fn u64_at(&self, at: usize) -> Option<u64> {
        let bytes: [u8; 8] = self.data.get(at..at.checked_add(8)?)?.try_into().ok()?;
        Some(if self.little_endian { u64::from_le_bytes(bytes) } else { u64::from_be_bytes(bytes) })
    }

    /// A word of the file's class: 8 bytes in ELF64, 4 in ELF32.
    fn word_at(&self, at: usize) -> Option<u64> {
        if self.is_64 { self.u64_at(at) } else { self.u32_at(at).map(u64::from) }
    }

    /// Reads a pointer-sized value with this file's byte order.
    pub fn read_word(&self, bytes: &[u8], size: usize) -> Option<u64> {
        match size {
            4 => {
                let b: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
                Some(u64::from(if self.little_endian { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) }))
            }
            8 => {
                let b: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
                Some(if self.little_endian { u64::from_le_bytes(b) } else { u64::from_be_bytes(b) })
            }
            _ => None,
        }
    }

    fn read_sections(&self) -> Option<Vec<Section>> {
        let (shoff, entsize, mut count, mut strndx) = if self.is_64 {
            (self.u64_at(0x28)?, self.u16_at(0x3a)?, self.u16_at(0x3c)? as usize, self.u16_at(0x3e)? as usize)
        } else {
            (
                u64::from(self.u32_at(0x20)?),
                self.u16_at(0x2e)?,
                self.u16_at(0x30)? as usize,
                self.u16_at(0x32)? as usize,
            )
        };
        let shoff = usize::try_from(shoff).ok()?;
        let entsize = usize::from(entsize);
        if shoff == 0 || entsize < if self.is_64 { 0x40 } else { 0x28 } {
            return None;
        }
        // Extended numbering: more than 0xff00 sections keep their count and the string table
        // index in section 0.
        if count == 0 {
            count = usize::try_from(self.word_at(shoff.checked_add(if self.is_64 { 0x20 } else { 0x14 })?)?).ok()?;
        }
        if strndx == 0xffff {
            strndx = self.u32_at(shoff.checked_add(if self.is_64 { 0x28 } else { 0x18 })?)? as usize;
        }
        if count > MAX_HEADERS {
            return None;
        }
        let mut raw = Vec::with_capacity(count);
        for index in 0..count {
            let at = shoff.checked_add(index.checked_mul(entsize)?)?;
            let name = self.u32_at(at)?;
            let kind = self.u32_at(at + 4)?;
            let section = if self.is_64 {
                Section {
                    name: String::new(),
                    kind,
                    addr: self.u64_at(at + 0x10)?,
                    offset: self.u64_at(at + 0x18)?,
                    size: self.u64_at(at + 0x20)?,
                }
            } else {
                Section {
                    name: String::new(),
                    kind,
                    addr: u64::from(self.u32_at(at + 0x0c)?),
                    offset: u64::from(self.u32_at(at + 0x10)?),
                    size: u64::from(self.u32_at(at + 0x14)?),
                }
            };
            raw.push((name, section));
        }
        let names = raw.get(strndx).and_then(|(_, s)| self.file_range(s.offset, s.size));
        Some(
            raw.into_iter()
                .map(|(name, mut section)| {
                    if let Some(table) = names
                        && let Some(rest) = table.get(name as usize..)
                    {
                        let end = memchr::memchr(0, rest).unwrap_or(rest.len());
                        section.name = String::from_utf8_lossy(&rest[..end]).into_owned();
                    }
                    section
                })
                .collect(),
        )
    }

    fn read_segments(&self) -> Option<Vec<Segment>> {
        let (phoff, entsize, count) = if self.is_64 {
            (self.u64_at(0x20)?, self.u16_at(0x36)?, self.u16_at(0x38)?)
        } else {
            (u64::from(self.u32_at(0x1c)?), self.u16_at(0x2a)?, self.u16_at(0x2c)?)
        };
        let phoff = usize::try_from(phoff).ok()?;
        let entsize = usize::from(entsize);
        if phoff == 0 || entsize < if self.is_64 { 0x38 } else { 0x20 } {
            return None;
        }
        let mut out = Vec::with_capacity(usize::from(count));
        for index in 0..usize::from(count) {
            let at = phoff.checked_add(index.checked_mul(entsize)?)?;
            let kind = self.u32_at(at)?;
            let segment = if self.is_64 {
                Segment {
                    kind,
                    offset: self.u64_at(at + 8)?,
                    vaddr: self.u64_at(at + 0x10)?,
                    file_size: self.u64_at(at + 0x20)?,
                }
            } else {
                Segment {
                    kind,
                    offset: u64::from(self.u32_at(at + 4)?),
                    vaddr: u64::from(self.u32_at(at + 8)?),
                    file_size: u64::from(self.u32_at(at + 0x10)?),
                }
            };
            out.push(segment);
        }
        Some(out)
    }

    fn file_range(&self, offset: u64, size: u64) -> Option<&'a [u8]> {
        let start = usize::try_from(offset).ok()?;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        self.data.get(start..end)
    }

    /// The file bytes of the section with this name (`None` for a missing or `NOBITS` section,
    /// or one whose range lies outside the file).
    pub fn section(&self, name: &str) -> Option<&'a [u8]> {
        let section = self.sections.iter().find(|s| s.name == name && s.kind != SHT_NOBITS)?;
        self.file_range(section.offset, section.size)
    }

    /// Up to `len` bytes at a virtual address, from the section or loadable segment that holds
    /// it (shorter if the section ends first).
    pub fn read_vaddr(&self, addr: u64, len: u64) -> Option<&'a [u8]> {
        let ranges = self
            .sections
            .iter()
            .filter(|s| s.kind != SHT_NOBITS && s.addr != 0)
            .map(|s| (s.addr, s.offset, s.size))
            .chain(self.segments.iter().filter(|s| s.kind == PT_LOAD).map(|s| (s.vaddr, s.offset, s.file_size)));
        for (start, offset, size) in ranges {
            if addr >= start && addr - start < size {
                let skip = addr - start;
                let available = size - skip;
                return self.file_range(offset.checked_add(skip)?, len.min(available));
            }
        }
        None
    }

    /// The whole file.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_elf() {
        assert!(Elf::parse(b"").is_none());
        assert!(Elf::parse(b"\x7fELF").is_none());
        assert!(Elf::parse(b"\x7fELF\x03\x01").is_none());
        let elf = Elf::parse(b"\x7fELF\x02\x01").unwrap();
        assert!(elf.section(".text").is_none());
        assert!(elf.read_vaddr(0, 8).is_none());
    }

    #[test]
    fn garbage_headers_never_panic() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..3000 {
            let len = 64 + (next() % 512) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            bytes[..4].copy_from_slice(b"\x7fELF");
            bytes[4] = 1 + (round % 2) as u8;
            bytes[5] = 1 + (round / 2 % 2) as u8;
            // Small header offsets, so the tables land inside the buffer now and then.
            bytes[0x20] = (next() % 64) as u8;
            bytes[0x28] = (next() % 64) as u8;
            if let Some(elf) = Elf::parse(&bytes) {
                let _ = elf.section(".go.buildinfo");
                let _ = elf.read_vaddr(next() % 1024, next() % 1024);
            }
        }
    }
}

//! Hostile layers: each test writes a real OCI image layout whose layer tars are built byte
//! by byte (tar writers refuse most of what is here), scans it, and checks that rampart reads
//! it the way a container runtime would, says what was wrong and where, never writes a file,
//! and keeps its memory bounded. The memory cases run the scan in a child process (this test
//! binary again, see [`child_scan`]) and read its peak RSS.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rampart_image::{FileKind, ImageScan, NoProgress, ScanOptions, Warning, scan_reference};
use serde_json::json;
use sha2::{Digest as _, Sha256};

// ---------------------------------------------------------------------------------------------
// Raw tar headers

const BLOCK: usize = 512;

/// One tar header, written field by field so that any name, size or type can be expressed.
#[derive(Clone)]
struct Header {
    bytes: [u8; BLOCK],
}

impl Header {
    /// A ustar header (`gnu` gives the GNU magic, needed for GNU sparse entries).
    fn new(name: &[u8], kind: u8, size: u64, gnu: bool) -> Header {
        let mut h = Header { bytes: [0; BLOCK] };
        h.set_name(name);
        h.octal(100..108, if kind == b'5' { 0o755 } else { 0o644 });
        h.octal(108..116, 0);
        h.octal(116..124, 0);
        h.set_size(size);
        h.octal(136..148, 1_700_000_000);
        h.bytes[156] = kind;
        if gnu {
            h.bytes[257..265].copy_from_slice(b"ustar  \0");
        } else {
            h.bytes[257..265].copy_from_slice(b"ustar\x0000");
        }
        h.bytes[265..269].copy_from_slice(b"root");
        h.bytes[297..301].copy_from_slice(b"root");
        h
    }

    fn set_name(&mut self, name: &[u8]) {
        assert!(name.len() <= 100, "use a long name entry");
        self.bytes[..100].fill(0);
        self.bytes[..name.len()].copy_from_slice(name);
    }

    fn set_link(&mut self, link: &[u8]) {
        assert!(link.len() <= 100);
        self.bytes[157..157 + link.len()].copy_from_slice(link);
    }

    fn octal(&mut self, range: std::ops::Range<usize>, value: u64) {
        let width = range.len() - 1;
        let text = format!("{value:0width$o}");
        assert!(text.len() <= width, "{value} does not fit in {width} octal digits");
        self.bytes[range.start..range.start + width].copy_from_slice(text.as_bytes());
        self.bytes[range.end - 1] = 0;
    }

    /// Sizes over 8 GiB use GNU's base-256 form.
    fn number(&mut self, range: std::ops::Range<usize>, value: u64) {
        if value < 1 << 33 {
            self.octal(range, value);
        } else {
            let field = &mut self.bytes[range];
            field.fill(0);
            field[0] = 0x80;
            let len = field.len();
            field[len - 8..].copy_from_slice(&value.to_be_bytes());
        }
    }

    fn set_size(&mut self, size: u64) {
        self.number(124..136, size);
    }

    /// Fills in the checksum; call last.
    fn finish(mut self) -> [u8; BLOCK] {
        self.bytes[148..156].fill(b' ');
        let sum: u32 = self.bytes.iter().map(|&b| u32::from(b)).sum();
        let text = format!("{sum:06o}\0 ");
        self.bytes[148..156].copy_from_slice(text.as_bytes());
        self.bytes
    }
}

/// A tar stream under construction.
#[derive(Default)]
struct Tar {
    bytes: Vec<u8>,
}

impl Tar {
    fn raw(&mut self, header: [u8; BLOCK], data: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(&header);
        self.bytes.extend_from_slice(data);
        self.pad();
        self
    }

    fn pad(&mut self) {
        let rest = self.bytes.len() % BLOCK;
        if rest != 0 {
            self.bytes.resize(self.bytes.len() + BLOCK - rest, 0);
        }
    }

    fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.raw(Header::new(name.as_bytes(), b'0', data.len() as u64, false).finish(), data)
    }

    fn dir(&mut self, name: &str) -> &mut Self {
        self.raw(Header::new(name.as_bytes(), b'5', 0, false).finish(), &[])
    }

    fn link(&mut self, kind: u8, name: &str, target: &str) -> &mut Self {
        let mut header = Header::new(name.as_bytes(), kind, 0, false);
        header.set_link(target.as_bytes());
        self.raw(header.finish(), &[])
    }

    fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.link(b'2', name, target)
    }

    fn hardlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.link(b'1', name, target)
    }

    /// A PAX extended header for the next entry.
    fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
        let mut data = Vec::new();
        for (key, value) in records {
            let body = key.len() + value.len() + 3; // ' ', '=', '\n'
            let mut len = body + 1;
            while len != body + len.to_string().len() {
                len = body + len.to_string().len();
            }
            data.extend_from_slice(format!("{len} {key}=").as_bytes());
            data.extend_from_slice(value);
            data.push(b'\n');
        }
        self.raw(Header::new(b"././@PaxHeader", b'x', data.len() as u64, false).finish(), &data)
    }

    fn end(&mut self) -> Vec<u8> {
        self.bytes.extend_from_slice(&[0; 2 * BLOCK]);
        std::mem::take(&mut self.bytes)
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

// ---------------------------------------------------------------------------------------------
// OCI layouts

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A layer blob as it will be stored, with the digest of its uncompressed tar.
struct Blob {
    digest: String,
    size: u64,
    diff_id: String,
    media_type: &'static str,
}

const TAR_GZ: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const TAR_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
const TAR: &str = "application/vnd.oci.image.layer.v1.tar";

/// Writes an OCI image layout into a fresh temporary directory.
struct Layout {
    _temp: Option<tempfile::TempDir>,
    root: PathBuf,
    layers: Vec<Blob>,
}

impl Layout {
    fn new() -> Layout {
        let temp = tempfile::tempdir().unwrap();
        let mut layout = Layout::new_in(temp.path());
        layout._temp = Some(temp);
        layout
    }

    /// A layout at `root` (created), removed by whoever owns `root`.
    fn new_in(root: &Path) -> Layout {
        std::fs::create_dir_all(root.join("blobs/sha256")).unwrap();
        std::fs::write(root.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        Layout { _temp: None, root: root.to_path_buf(), layers: Vec::new() }
    }

    fn blob(&self, bytes: &[u8]) -> String {
        let hex = sha256_hex(bytes);
        std::fs::write(self.root.join("blobs/sha256").join(&hex), bytes).unwrap();
        format!("sha256:{hex}")
    }

    /// Adds a gzip layer holding `tar`.
    fn gzip_layer(&mut self, tar: &[u8]) -> &mut Self {
        let blob = gzip(tar);
        self.layer(&blob, sha256_hex(tar), TAR_GZ)
    }

    /// Adds a layer stored exactly as `blob` (compressed however the caller likes).
    fn layer(&mut self, blob: &[u8], diff_hex: String, media_type: &'static str) -> &mut Self {
        let digest = self.blob(blob);
        self.layers.push(Blob { digest, size: blob.len() as u64, diff_id: format!("sha256:{diff_hex}"), media_type });
        self
    }

    /// Adds a layer already written to `file` (moved into the layout).
    fn layer_file(&mut self, file: &Path, diff_hex: String, media_type: &'static str) -> &mut Self {
        let mut hasher = Sha256::new();
        let mut reader = std::fs::File::open(file).unwrap();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        let hex = hex(&hasher.finalize());
        let size = std::fs::metadata(file).unwrap().len();
        std::fs::rename(file, self.root.join("blobs/sha256").join(&hex)).unwrap();
        self.layers.push(Blob {
            digest: format!("sha256:{hex}"),
            size,
            diff_id: format!("sha256:{diff_hex}"),
            media_type,
        });
        self
    }

    /// Writes config, manifest and index; returns the layout directory.
    fn finish(&self) -> String {
        let arch = rampart_image::Platform::host().architecture;
        let config = serde_json::to_vec(&json!({
            "architecture": arch, "os": "linux",
            "config": {"User": "1000"},
            "rootfs": {"type": "layers", "diff_ids": self.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()},
        }))
        .unwrap();
        let config_digest = self.blob(&config);
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
            "layers": self.layers.iter().map(|l| json!({"mediaType": l.media_type, "digest": l.digest, "size": l.size})).collect::<Vec<_>>(),
        }))
        .unwrap();
        let manifest_digest = self.blob(&manifest);
        let index = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest,
                           "size": manifest.len(), "annotations": {"org.opencontainers.image.ref.name": "hostile"}}],
        }))
        .unwrap();
        std::fs::write(self.root.join("index.json"), index).unwrap();
        self.root.to_str().unwrap().to_string()
    }

    fn path(&self) -> &Path {
        &self.root
    }
}

/// Every file under `dir`, relative.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path.clone());
            }
            out.push(path.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    out.sort();
    out
}

fn scan(layout: &str) -> Result<ImageScan, String> {
    scan_reference(layout, &ScanOptions::default(), &NoProgress).map_err(|e| e.to_string())
}

fn warnings_about<'a>(scan: &'a ImageScan, path: &str) -> Vec<&'a Warning> {
    scan.warnings.iter().filter(|w| w.path.as_deref() == Some(path)).collect()
}

fn assert_warned(scan: &ImageScan, layer: usize, path: &str, needles: &[&str]) {
    let found = scan.warnings.iter().any(|w| {
        w.layer == Some(layer) && w.path.as_deref() == Some(path) && needles.iter().all(|n| w.to_string().contains(n))
    });
    assert!(found, "no warning on layer {layer} {path} with {needles:?}; warnings: {:#?}", scan.warnings);
}

/// Streams a tar of `count` empty files (`d123/f456`) through `out`; returns nothing but
/// the bytes written. Headers come from one template with the name and checksum patched.
fn many_files_tar(count: usize, out: &mut dyn Write) {
    let template = Header::new(b"", b'0', 0, false).finish();
    let mut base = template;
    base[..100].fill(0);
    base[148..156].fill(b' ');
    let base_sum: u32 = base.iter().map(|&b| u32::from(b)).sum();
    let mut chunk = Vec::with_capacity(BLOCK * 1024);
    for i in 0..count {
        let mut header = base;
        let name = format!("d{}/f{}", i / 1000, i % 1000);
        header[..name.len()].copy_from_slice(name.as_bytes());
        let sum = base_sum + name.bytes().map(u32::from).sum::<u32>();
        header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        chunk.extend_from_slice(&header);
        if chunk.len() == chunk.capacity() {
            out.write_all(&chunk).unwrap();
            chunk.clear();
        }
    }
    chunk.extend_from_slice(&[0; 2 * BLOCK]);
    out.write_all(&chunk).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Scans in a child process, to measure peak memory

const CHILD_ENV: &str = "RAMPART_HOSTILE_LAYOUT";
const MEMORY_LIMIT: u64 = 256 << 20;

/// Not a test on its own: [`scan_in_child`] runs it in a child process, which scans the
/// layout named by `RAMPART_HOSTILE_LAYOUT` and prints what it found and its peak RSS.
#[test]
#[ignore = "run by the memory tests in a child process"]
fn child_scan() {
    let Ok(layout) = std::env::var(CHILD_ENV) else { return };
    let summary = match scan(&layout) {
        Ok(scan) => {
            let sample = scan.fs.entries().last().map(|e| format!("{}:{}", e.path, e.size)).unwrap_or_default();
            let warnings: Vec<String> =
                scan.warnings.iter().take(5).map(|w| w.to_string().replace('\n', " ")).collect();
            format!(
                "OK entries={} warnings={} last={sample} first_warnings={}",
                scan.fs.len(),
                scan.warnings.len(),
                warnings.join(" | ")
            )
        }
        Err(e) => format!("ERR {}", e.replace('\n', " ")),
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).unwrap().trim().trim_end_matches(" kB").trim();
    println!("\nCHILD-RESULT {summary}");
    println!("CHILD-VMHWM-KIB {hwm}");
}

/// What the child scan printed: its result line and its peak RSS in bytes.
struct ChildScan {
    result: Result<String, String>,
    peak: u64,
    elapsed: Duration,
}

fn scan_in_child(layout: &str) -> ChildScan {
    let started = Instant::now();
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["child_scan", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, layout)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = |prefix: &str| stdout.lines().find_map(|l| l.split_once(prefix).map(|(_, rest)| rest.to_string()));
    let (Some(result), Some(hwm)) = (line("CHILD-RESULT "), line("CHILD-VMHWM-KIB ")) else {
        panic!("the child scan printed no result:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    };
    let peak = hwm.parse::<u64>().unwrap() * 1024;
    let result = match result.strip_prefix("OK ") {
        Some(ok) => Ok(ok.to_string()),
        None => Err(result.strip_prefix("ERR ").unwrap_or(&result).to_string()),
    };
    eprintln!("child scan: {result:?}, peak RSS {} MiB, {elapsed:?}", peak >> 20);
    ChildScan { result, peak, elapsed }
}

fn assert_bounded(child: &ChildScan) {
    assert!(child.peak < MEMORY_LIMIT, "peak RSS {} MiB is over 256 MiB", child.peak >> 20);
}

// ---------------------------------------------------------------------------------------------
// 5. A layer of a million tiny files

#[test]
fn a_million_tiny_files_are_indexed_in_bounded_memory() {
    let mut layout = Layout::new();
    let staging = layout.path().join("staging.tar.zst");
    let started = Instant::now();
    {
        let file = std::fs::File::create(&staging).unwrap();
        let mut encoder = zstd::stream::write::Encoder::new(io::BufWriter::new(file), 1).unwrap();
        many_files_tar(1_000_000, &mut encoder);
        encoder.finish().unwrap().flush().unwrap();
    }
    // rampart does not check diff_ids, and hashing 512 MB in a debug build takes long.
    layout.layer_file(&staging, "0".repeat(64), TAR_ZSTD);
    let dir = layout.finish();
    eprintln!("generated in {:?}", started.elapsed());
    let child = scan_in_child(&dir);
    let result = child.result.as_ref().unwrap();
    assert!(result.starts_with("entries=1000000 warnings=0 last=/d999/f999:0"), "{result}");
    assert_bounded(&child);
}

// ---------------------------------------------------------------------------------------------
// 1. Path traversal

#[test]
fn names_that_climb_out_or_are_absolute_land_inside_the_root() {
    // The layout sits two levels down, so a `../../` that escaped would land in `scratch`.
    let scratch = tempfile::tempdir().unwrap();
    let mut layout = Layout::new_in(&scratch.path().join("one/two/image"));
    let tar = Tar::default()
        .file("../../etc/evil", b"evil")
        .file("/abs/file", b"absolute")
        .file("a/../../b", b"b")
        .file("./x/../../../y", b"y")
        .file("etc/hostname", b"box\n")
        .end();
    layout.gzip_layer(&tar);
    let dir = layout.finish();
    let before = files_under(scratch.path());
    let scan = scan(&dir).unwrap();
    assert_eq!(files_under(scratch.path()), before, "the scan wrote files");

    for (path, size) in [("/etc/evil", 4), ("/abs/file", 8), ("/b", 1), ("/y", 1), ("/etc/hostname", 4)] {
        let entry = scan.fs.get(path).unwrap_or_else(|| panic!("{path} missing: {:?}", scan.fs.entries()));
        assert_eq!((entry.kind, entry.size, entry.layer), (FileKind::Regular, size, 0), "{path}");
    }
    assert_eq!(scan.fs.len(), 5, "{:?}", scan.fs.entries());
    assert_warned(
        &scan,
        0,
        "/etc/evil",
        &["layer 0", "`../../etc/evil`", "climbs out of the image root", "`/etc/evil`"],
    );
    assert_warned(&scan, 0, "/b", &["`a/../../b`", "climbs out"]);
    assert_warned(&scan, 0, "/y", &["`./x/../../../y`", "climbs out"]);
    assert_warned(&scan, 0, "/abs/file", &["`/abs/file`", "absolute"]);
    assert!(warnings_about(&scan, "/etc/hostname").is_empty(), "{:?}", scan.warnings);
}

// ---------------------------------------------------------------------------------------------
// 2. Symlinks

#[test]
fn symlinks_resolve_inside_the_image_and_loops_end() {
    let mut layout = Layout::new();
    let mut tar = Tar::default();
    tar.dir("etc")
        .dir("usr")
        .dir("usr/lib")
        .file("etc/passwd", b"root:x:0:0:image root:/root:/bin/sh\n")
        .file("etc/shadow", b"root:*:19000:0:99999:7:::\n")
        .file("usr/lib/os-release", b"ID=hostile\n")
        .symlink("etc/link", "/etc/passwd")
        .symlink("etc/os-release", "../../../../usr/lib/os-release")
        .symlink("shadowlink", "../../../../etc/shadow")
        // The host's /etc/group, as a runtime would never see it: resolves to itself.
        .symlink("etc/group", "../../../../../etc/group")
        // A directory link that climbs: /up/etc/passwd is /etc/passwd.
        .symlink("up", "../../../..")
        .symlink("a", "b")
        .symlink("b", "/a");
    for i in 0..100 {
        let target = if i == 99 { "/etc/passwd".to_string() } else { format!("c{}", i + 1) };
        tar.symlink(&format!("c{i}"), &target);
    }
    layout.gzip_layer(&tar.end());
    let started = Instant::now();
    let scan = scan(&layout.finish()).unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());

    let fs = &scan.fs;
    assert_eq!(fs.resolve_path("/etc/link").unwrap(), "/etc/passwd");
    assert_eq!(fs.resolve_path("/etc/os-release").unwrap(), "/usr/lib/os-release");
    assert_eq!(fs.resolve_path("/shadowlink").unwrap(), "/etc/shadow");
    assert_eq!(fs.resolve_path("/up/up/etc/link").unwrap(), "/etc/passwd");
    // Reads through links get the image's files, never the host's.
    assert_eq!(scan.retained_file("/etc/link"), Some(&b"root:x:0:0:image root:/root:/bin/sh\n"[..]));
    assert_eq!(scan.retained_file("/etc/os-release"), Some(&b"ID=hostile\n"[..]));
    assert_eq!(scan.retained_file("/shadowlink"), Some(&b"root:*:19000:0:99999:7:::\n"[..]));
    assert_eq!(scan.retained_file("/etc/group"), None);
    assert_eq!(scan.inventory.os.as_ref().map(|d| d.id.as_str()), Some("hostile"));

    // Loops and long chains stop after 40 links, as Linux does.
    let error = fs.resolve("/a").unwrap_err();
    assert_eq!(error, rampart_image::fs::ResolveError::TooManyLinks);
    assert!(error.to_string().contains("too many levels of symbolic links"), "{error}");
    assert_eq!(fs.resolve("/etc/group").unwrap_err(), rampart_image::fs::ResolveError::TooManyLinks);
    assert_eq!(fs.resolve("/c0").unwrap_err(), rampart_image::fs::ResolveError::TooManyLinks);
    assert_eq!(fs.resolve("/c59").unwrap_err(), rampart_image::fs::ResolveError::TooManyLinks);
    assert_eq!(fs.resolve_path("/c60").unwrap(), "/etc/passwd"); // exactly 40 links
    for path in ["/a", "/b", "/etc/group", "/c0", "/c59"] {
        assert_warned(&scan, 0, path, &["too many levels of symbolic links"]);
    }
    assert!(warnings_about(&scan, "/c60").is_empty());
    assert!(warnings_about(&scan, "/etc/link").is_empty());
}

// ---------------------------------------------------------------------------------------------
// 3. Hard links

#[test]
fn hard_links_to_nothing_outside_or_later_layers_are_dropped() {
    let mut layout = Layout::new();
    let lower = Tar::default()
        .file("t", b"target")
        .hardlink("h", "t")
        .hardlink("missing", "nowhere")
        .hardlink("out", "../../outside")
        .hardlink("early", "later")
        .dir("d")
        .hardlink("hd", "d")
        .end();
    let upper = Tar::default().file("later", &[7; 100]).hardlink("h2", "/t").hardlink("h3", "h").end();
    layout.gzip_layer(&lower).gzip_layer(&upper);
    let scan = scan(&layout.finish()).unwrap();
    let fs = &scan.fs;

    for (path, layer) in [("/h", 0), ("/h2", 1), ("/h3", 1)] {
        let entry = fs.get(path).unwrap();
        assert_eq!((entry.kind, entry.size, entry.layer), (FileKind::HardLink, 6, layer), "{path}");
        assert_eq!(fs.resolve(path).unwrap().path.as_ref(), "/t");
    }
    for path in ["/missing", "/out", "/early", "/hd"] {
        assert!(fs.get(path).is_none(), "{path} kept: {:?}", fs.get(path));
    }
    assert_warned(&scan, 0, "/missing", &["layer 0", "hard link to `/nowhere`", "not a file in the image"]);
    assert_warned(&scan, 0, "/out", &["`../../outside`", "climbs out"]);
    assert_warned(&scan, 0, "/out", &["hard link to `/outside`", "not a file in the image"]);
    assert_warned(&scan, 0, "/early", &["hard link to `/later`", "not a file in the image"]);
    assert_warned(&scan, 0, "/hd", &["hard link to `/d`", "not a file"]);
    assert_eq!(fs.get("/later").unwrap().size, 100);
}

// ---------------------------------------------------------------------------------------------
// 4. Decompression bombs

/// A gzip layer of many members, each 1 MiB of zeros compressed to about 1 KiB, behind the
/// header of a 1 GiB file: 200 MiB of tar from about 200 KiB.
fn gzip_bomb() -> Vec<u8> {
    let header = Header::new(b"zeros", b'0', 1 << 30, false).finish();
    let mut blob = gzip(&header);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0; 1 << 20]).unwrap();
    let member = encoder.finish().unwrap();
    for _ in 0..200 {
        blob.extend_from_slice(&member);
    }
    blob
}

/// zstd of the same header and 256 MiB of zeros: a few KiB.
fn zstd_bomb() -> Vec<u8> {
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    encoder.write_all(&Header::new(b"zeros", b'0', 1 << 30, false).finish()).unwrap();
    let zeros = vec![0; 1 << 20];
    for _ in 0..256 {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

fn assert_bomb_refused(blob: Vec<u8>, media_type: &'static str) {
    let mut layout = Layout::new();
    layout.gzip_layer(&Tar::default().file("etc/hostname", b"box\n").end());
    let size = blob.len();
    layout.layer(&blob, "0".repeat(64), media_type);
    let child = scan_in_child(&layout.finish());
    let error = child.result.as_ref().unwrap_err();
    assert!(
        error.contains("layer 1 (sha256:")
            && error.contains("a decompression bomb")
            && error.contains("250 times")
            && error.contains(&format!("{size} bytes compressed (a ratio over "))
            && error.contains(":1)"),
        "{error}"
    );
    assert!(child.elapsed < Duration::from_secs(30), "took {:?}", child.elapsed);
    assert_bounded(&child);
}

#[test]
fn a_gzip_bomb_is_stopped() {
    assert_bomb_refused(gzip_bomb(), TAR_GZ);
}

#[test]
fn a_zstd_bomb_is_stopped() {
    assert_bomb_refused(zstd_bomb(), TAR_ZSTD);
}

// ---------------------------------------------------------------------------------------------
// 6. Sparse files

const TEN_GIB: u64 = 10 << 30;

/// An old GNU sparse entry (type `S`): 10 GiB of which the last 512 bytes are stored.
fn gnu_sparse(name: &str) -> Vec<u8> {
    let mut header = Header::new(name.as_bytes(), b'S', 512, true);
    header.number(386..398, TEN_GIB - 512); // first sparse map entry: offset
    header.number(398..410, 512); // and length
    header.number(483..495, TEN_GIB); // real size
    let mut tar = Tar::default();
    tar.raw(header.finish(), &[b'x'; 512]);
    tar.bytes
}

/// A PAX 1.0 sparse entry (GNU tar's `--sparse-version=1.0`): the map is the start of the data.
fn pax_sparse(name: &str) -> Vec<u8> {
    let realsize = TEN_GIB.to_string();
    let mut tar = Tar::default();
    tar.pax(&[
        ("GNU.sparse.major", b"1"),
        ("GNU.sparse.minor", b"0"),
        ("GNU.sparse.name", name.as_bytes()),
        ("GNU.sparse.realsize", realsize.as_bytes()),
    ]);
    let mut data = format!("1\n{}\n1\n", TEN_GIB - 1).into_bytes();
    data.resize(BLOCK, 0);
    data.push(b'x');
    tar.raw(Header::new(format!("GNUSparseFile.0/{name}").as_bytes(), b'0', data.len() as u64, false).finish(), &data);
    tar.bytes
}

#[test]
fn sparse_ten_gib_files_are_indexed_not_read() {
    let mut layout = Layout::new();
    let mut tar = Tar::default();
    tar.bytes.extend(gnu_sparse("var/gnu.img"));
    tar.bytes.extend(pax_sparse("var/pax.img"));
    tar.file("etc/hostname", b"box\n");
    layout.gzip_layer(&tar.end());
    let dir = layout.finish();
    let started = Instant::now();
    let scan = scan(&dir).unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    for path in ["/var/gnu.img", "/var/pax.img"] {
        let entry = scan.fs.get(path).unwrap_or_else(|| panic!("{path} missing: {:?}", scan.fs.entries()));
        assert_eq!((entry.kind, entry.size), (FileKind::Regular, TEN_GIB), "{path}");
        assert_warned(&scan, 0, path, &["sparse file of 10.0 GiB", "not read"]);
    }
    assert!(scan.fs.get("/etc/hostname").is_some());
    assert_eq!(scan.fs.len(), 3, "{:?}", scan.fs.entries());

    let child = scan_in_child(&dir);
    assert!(child.result.as_ref().unwrap().starts_with("entries=3 "), "{:?}", child.result);
    assert_bounded(&child);
}

#[test]
fn a_ten_gib_file_cut_short_is_an_error() {
    let mut layout = Layout::new();
    let mut tar = Tar::default();
    tar.file("etc/hostname", b"box\n");
    let mut header = Header::new(b"big.img", b'0', 0, false);
    header.set_size(TEN_GIB);
    tar.raw(header.finish(), &[0; 4096]);
    layout.gzip_layer(&tar.bytes); // no end of archive either
    let error = scan(&layout.finish()).unwrap_err();
    assert!(
        error.contains("layer 0 (sha256:")
            && error.contains("`big.img`")
            && error.contains("10.0 GiB")
            && error.contains("ends"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------------
// 7. Other malformed input

fn single_layer_error(blob: &[u8]) -> String {
    let mut layout = Layout::new();
    layout.layer(blob, "0".repeat(64), TAR_GZ);
    scan(&layout.finish()).unwrap_err()
}

#[test]
fn a_truncated_gzip_layer_is_an_error() {
    let blob = gzip(&Tar::default().file("etc/hostname", &[b'x'; 100_000]).file("etc/motd", b"hi").end());
    let error = single_layer_error(&blob[..blob.len() / 2]);
    assert!(error.contains("layer 0 (sha256:"), "{error}");
    assert!(error.contains("gzip") || error.contains("deflate") || error.contains("EOF"), "{error}");
}

#[test]
fn a_corrupt_header_checksum_is_an_error() {
    let mut tar = Tar::default().file("etc/hostname", b"box\n").file("etc/motd", b"hi").end();
    tar[BLOCK * 2 + 10] ^= 1; // the second header's name
    let error = single_layer_error(&gzip(&tar));
    assert!(
        error.contains("layer 0 (sha256:") && error.contains("tar entry 2") && error.contains("checksum"),
        "{error}"
    );
}

#[test]
fn duplicate_entries_the_last_one_wins() {
    let mut layout = Layout::new();
    let tar = Tar::default()
        .file("etc/os-release", b"ID=first\n")
        .file("dup", b"one")
        .dir("dup")
        .file("etc/os-release", b"ID=second\n")
        .file("dup", b"three")
        .end();
    layout.layer(&tar, sha256_hex(&tar), TAR); // uncompressed, for once
    let scan = scan(&layout.finish()).unwrap();
    assert_eq!(scan.retained_file("/etc/os-release"), Some(&b"ID=second\n"[..]));
    let dup = scan.fs.get("/dup").unwrap();
    assert_eq!((dup.kind, dup.size), (FileKind::Regular, 5));
    assert_eq!(scan.fs.len(), 2);
}

#[test]
fn a_layer_that_does_not_match_its_digest_is_an_error() {
    let mut layout = Layout::new();
    let blob = gzip(&Tar::default().file("etc/hostname", b"box\n").end());
    layout.layer(&blob, "0".repeat(64), TAR_GZ);
    let dir = layout.finish();
    let digest = &layout.layers[0].digest;
    let path = layout.path().join("blobs/sha256").join(digest.strip_prefix("sha256:").unwrap());
    let mut tampered = gzip(&Tar::default().file("etc/hostname", b"BOX\n").end());
    tampered.resize(blob.len(), 0);
    std::fs::write(path, tampered).unwrap();
    let error = scan(&dir).unwrap_err();
    assert!(error.contains("layer 0 (sha256:") && error.contains("does not match its digest"), "{error}");
    assert!(error.contains(digest.as_str()), "{error}");
}

#[test]
fn a_path_that_is_not_utf8_is_read_lossily_and_reported() {
    let mut layout = Layout::new();
    let mut tar = Tar::default();
    tar.raw(Header::new(b"bin/caf\xe9", b'0', 2, false).finish(), b"hi");
    layout.gzip_layer(&tar.end());
    let scan = scan(&layout.finish()).unwrap();
    assert!(scan.fs.get("/bin/caf\u{FFFD}").is_some(), "{:?}", scan.fs.entries());
    assert_warned(&scan, 0, "/bin/caf\u{FFFD}", &["not UTF-8"]);
}

#[test]
fn huge_pax_paths_are_refused() {
    // Over the 1 MiB extension header limit: the layer cannot be read.
    let mut layout = Layout::new();
    let long = vec![b'a'; 2 << 20];
    let mut tar = Tar::default();
    tar.pax(&[("path", &long)]).file("placeholder", b"x");
    layout.gzip_layer(&tar.end());
    let error = scan(&layout.finish()).unwrap_err();
    assert!(
        error.contains("layer 0 (sha256:") && error.contains("extension header") && error.contains("limit"),
        "{error}"
    );

    // Under it but longer than PATH_MAX: the entry is skipped with a warning, the rest is read.
    let mut layout = Layout::new();
    let long = vec![b'a'; 100_000];
    let mut tar = Tar::default();
    tar.pax(&[("path", &long)]).file("placeholder", b"x").file("etc/hostname", b"box\n");
    layout.gzip_layer(&tar.end());
    let scan = scan(&layout.finish()).unwrap();
    assert_eq!(scan.fs.entries().iter().map(|e| &*e.path).collect::<Vec<_>>(), ["/etc/hostname"]);
    assert!(
        scan.warnings.iter().any(|w| w.layer == Some(0) && w.to_string().contains("entry 1: unusable path")),
        "{:?}",
        scan.warnings
    );
}

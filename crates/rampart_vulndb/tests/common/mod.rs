//! Test helpers: the hand-written records in `tests/data/osv/<Ecosystem>/<ID>.json`, packed into
//! `<Ecosystem>/all.zip` exactly as OSV.dev publishes them (one `<ID>.json` per entry, deflate).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

pub fn data_dir() -> PathBuf {
    // Through the parent directory, so that `rampart_cli`'s tests (which include this module)
    // find the same data.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../rampart_vulndb/tests/data/osv")
}

/// Writes a zip of `(entry name, bytes)` to `out`.
pub fn write_zip(out: &Path, entries: &[(String, Vec<u8>)]) {
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

/// Packs `tests/data/osv/<Ecosystem>/*.json` into `<out>/<Ecosystem>/all.zip`; returns the zips.
pub fn pack_all_zips(out: &Path) -> Vec<PathBuf> {
    let mut zips = Vec::new();
    let mut ecosystems: Vec<_> = std::fs::read_dir(data_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    ecosystems.sort();
    for eco in ecosystems {
        let mut entries: Vec<(String, Vec<u8>)> = std::fs::read_dir(&eco)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        entries.sort();
        let zip = out.join(eco.file_name().unwrap()).join("all.zip");
        write_zip(&zip, &entries);
        zips.push(zip);
    }
    zips
}

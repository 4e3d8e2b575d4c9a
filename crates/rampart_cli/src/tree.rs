//! Cataloguing a source tree for `rampart scan fs`: the lockfile and manifest catalogers over
//! every file the walk finds (`.gitignore` respected, links not followed), read only when a
//! cataloger wants it and up to its limit.

use std::io::Read;
use std::path::Path;

use rampart_catalog::{FileMeta, Found, Inventory, Location, Want};
use rayon::prelude::*;

/// The packages the lockfiles and manifests under `dir` declare. Paths are relative to `dir`.
pub fn catalog(dir: &Path) -> Result<Inventory, String> {
    let meta = std::fs::metadata(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if !meta.is_dir() {
        return Err(format!("{}: not a directory", dir.display()));
    }
    let catalogers = rampart_catalog::lockfile_catalogers();
    let files: Vec<(std::path::PathBuf, String, u64)> = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .follow_links(false)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?.to_string_lossy().replace('\\', "/");
            let size = e.metadata().ok()?.len();
            Some((e.path().to_path_buf(), rel, size))
        })
        .collect();
    let found: Vec<(Location, Found)> = files
        .par_iter()
        .flat_map_iter(|(path, rel, size)| {
            let file = FileMeta { path: rel, size: *size, mode: 0o644 };
            let mut out = Vec::new();
            // Read once, up to the largest limit of the catalogers that want the file.
            let wanting: Vec<(usize, u64)> = catalogers
                .iter()
                .enumerate()
                .filter_map(|(i, c)| match c.wants(&file) {
                    Want::Content { limit } => Some((i, limit)),
                    Want::No => None,
                })
                .collect();
            let Some(limit) = wanting.iter().map(|(_, limit)| *limit).max() else { return out };
            if *size > limit {
                eprintln!("rampart: warning: {rel}: larger than {} MiB, not read", limit >> 20);
                return out;
            }
            let mut bytes = Vec::new();
            if let Err(e) = std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes)) {
                eprintln!("rampart: warning: {rel}: {e}");
                return out;
            }
            let location = Location { path: rel.clone(), layer: 0 };
            for (i, limit) in wanting {
                if *size > limit {
                    continue;
                }
                let mut items = Vec::new();
                if let Err(e) = catalogers[i].catalog(&location, &bytes, &mut items) {
                    eprintln!("rampart: warning: {rel}: {e}");
                }
                out.extend(items.into_iter().map(|item| (location.clone(), item)));
            }
            out
        })
        .collect();
    Ok(rampart_catalog::finish(found))
}

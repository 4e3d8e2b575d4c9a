//! Applies every cataloger to an unpacked root filesystem, the way the image walker does to a
//! layer: regular files only (symlinks are not followed), `wants` from path, size and mode,
//! contents read up to the cataloger's limit. For checking the catalogers against real images
//! without the image crate:
//!
//! ```text
//! umoci raw unpack --image /tmp/images/oci/py-app:1.0 /tmp/me-rootfs
//! cargo run -p rampart_catalog --example catalog_dir -- /tmp/me-rootfs [--list | --json]
//! ```
//!
//! Prints the package count per ecosystem, then (`--list`) one `ecosystem name version purl`
//! line per package, or (`--json`) the whole inventory.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rampart_catalog::{FileMeta, Found, Location, Want, catalogers, finish};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: catalog_dir ROOT [--list | --json]");
        std::process::exit(2);
    };
    let catalogers = catalogers();
    let mut found: Vec<(Location, Found)> = Vec::new();
    let mut errors = 0usize;
    let mut stack = vec![(Path::new(root).to_path_buf(), String::new())];
    while let Some((dir, image_dir)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            let name = entry.file_name().to_string_lossy().into_owned();
            let image_path = format!("{image_dir}/{name}");
            if meta.is_dir() {
                stack.push((entry.path(), image_path));
                continue;
            }
            if !meta.is_file() {
                continue;
            }
            let file = FileMeta { path: &image_path, size: meta.len(), mode: meta.permissions().mode() & 0o7777 };
            let wanting: Vec<(usize, u64)> = catalogers
                .iter()
                .enumerate()
                .filter_map(|(i, c)| match c.wants(&file) {
                    Want::Content { limit } if meta.len() <= limit => Some((i, limit)),
                    _ => None,
                })
                .collect();
            if wanting.is_empty() {
                continue;
            }
            let mut content = Vec::new();
            let limit = wanting.iter().map(|(_, l)| *l).max().unwrap_or(0);
            if fs::File::open(entry.path()).and_then(|f| f.take(limit).read_to_end(&mut content)).is_err() {
                continue;
            }
            let location = Location { path: image_path.clone(), layer: 0 };
            for (index, _) in wanting {
                let mut out = Vec::new();
                if let Err(error) = catalogers[index].catalog(&location, &content, &mut out) {
                    errors += 1;
                    eprintln!("{}: {image_path}: {error}", catalogers[index].name());
                }
                found.extend(out.into_iter().map(|f| (location.clone(), f)));
            }
        }
    }
    let inventory = finish(found);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for package in &inventory.packages {
        *counts.entry(package.ecosystem.to_string()).or_default() += 1;
    }
    println!(
        "os: {}",
        inventory.os.as_ref().map_or("unknown".to_string(), |o| format!(
            "{} {}",
            o.id,
            o.version_id.clone().unwrap_or_default()
        ))
    );
    for (ecosystem, count) in &counts {
        println!("{ecosystem}: {count}");
    }
    println!("total: {} ({errors} files not understood)", inventory.packages.len());
    if args.iter().any(|a| a == "--list") {
        for p in &inventory.packages {
            println!("{}\t{}\t{}\t{}\t{}", p.ecosystem, p.name, p.version, p.purl, p.licenses.join(";"));
        }
    }
    if args.iter().any(|a| a == "--json") {
        println!("{}", serde_json::to_string_pretty(&inventory).unwrap_or_default());
    }
}

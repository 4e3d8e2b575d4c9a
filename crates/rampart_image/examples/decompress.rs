//! `cargo run --release -p rampart_image --example decompress -- OCI_LAYOUT`: only decompresses
//! every layer of the image's first manifest, in parallel, with the same decompressors as the
//! scan, and throws the bytes away. The benchmark's floor: a scan cannot be faster than this.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

fn blob(layout: &Path, digest: &str) -> PathBuf {
    let (algorithm, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
    layout.join("blobs").join(algorithm).join(hex)
}

fn json(path: &Path) -> Result<serde_json::Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn layers(layout: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let index = json(&layout.join("index.json"))?;
    let manifest = index["manifests"][0]["digest"].as_str().ok_or("index.json: no manifest")?;
    let manifest = json(&blob(layout, manifest))?;
    let layers = manifest["layers"].as_array().ok_or("manifest: no layers")?;
    Ok(layers
        .iter()
        .filter_map(|l| {
            let digest = l["digest"].as_str()?;
            Some((blob(layout, digest), l["mediaType"].as_str().unwrap_or_default().to_string()))
        })
        .collect())
}

fn decompress(path: &Path, media_type: &str) -> io::Result<u64> {
    let file = io::BufReader::with_capacity(256 * 1024, std::fs::File::open(path)?);
    let mut reader: Box<dyn Read> = if media_type.ends_with("gzip") {
        Box::new(flate2::bufread::MultiGzDecoder::new(file))
    } else if media_type.ends_with("zstd") {
        Box::new(zstd::stream::read::Decoder::with_buffer(file)?)
    } else {
        Box::new(file)
    };
    io::copy(&mut reader, &mut io::sink())
}

fn main() {
    let Some(layout) = std::env::args().nth(1) else {
        eprintln!("usage: decompress OCI_LAYOUT");
        std::process::exit(2);
    };
    let started = std::time::Instant::now();
    let layers = match layers(Path::new(&layout)) {
        Ok(layers) => layers,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let total: io::Result<u64> = layers.par_iter().map(|(path, media_type)| decompress(path, media_type)).sum();
    match total {
        Ok(bytes) => println!("{} layers, {bytes} bytes in {:?}", layers.len(), started.elapsed()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}

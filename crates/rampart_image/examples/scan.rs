//! `cargo run --release -p rampart_image --example scan -- IMAGE`: prints what a scan found.

fn main() {
    let Some(reference) = std::env::args().nth(1) else {
        eprintln!("usage: scan IMAGE");
        std::process::exit(2);
    };
    let started = std::time::Instant::now();
    match rampart_image::scan_reference(&reference, &rampart_image::ScanOptions::default(), &rampart_image::NoProgress)
    {
        Ok(image) => {
            println!("{} ({}) in {:?}", image.reference, image.kind.as_str(), started.elapsed());
            for layer in &image.layers {
                println!(
                    "  layer {:>10} -> {:>10}  {}",
                    layer.compressed_bytes,
                    layer.uncompressed_bytes,
                    layer.created_by.as_deref().unwrap_or("").chars().take(80).collect::<String>()
                );
            }
            println!("files: {}", image.fs.len());
            println!("os: {:?}", image.inventory.os);
            let mut counts = std::collections::BTreeMap::new();
            for p in &image.inventory.packages {
                *counts.entry(p.ecosystem.purl_type()).or_insert(0) += 1;
            }
            println!("packages: {counts:?}");
            for s in &image.secrets {
                println!(
                    "secret: {} layer {} line {} {} visible={} `{}`",
                    s.location.path, s.location.layer, s.line, s.kind.id, s.visible, s.excerpt
                );
            }
            for w in &image.warnings {
                println!("warning: {w}");
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}

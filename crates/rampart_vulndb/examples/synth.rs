//! Import benchmark: generates N synthetic OSV records (default 200 000) across ecosystems as
//! `<OUT>/<Ecosystem>/all.zip` (OSV's layout), imports them, prints records/s and sizes.
//!
//!     cargo run --release -p rampart_vulndb --example synth -- [OUT_DIR] [N] [--reuse]
//!
//! The records are shaped like real ones: GHSA-style ids with CVE aliases, a summary, a
//! `details` paragraph, 1–2 CVSS vectors, 3–6 references, 1–2 affected packages with ranges,
//! and for a third of them an explicit `versions` list.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const ECOSYSTEMS: &[(&str, u32)] = &[
    ("PyPI", 18),
    ("npm", 20),
    ("Go", 10),
    ("Maven", 12),
    ("crates.io", 4),
    ("RubyGems", 4),
    ("Packagist", 5),
    ("Debian:12", 15),
    ("Alpine:v3.19", 12),
];

/// xorshift: deterministic, dependency-free.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "buffer",
    "overflow",
    "remote",
    "attacker",
    "crafted",
    "request",
    "denial",
    "service",
    "memory",
    "heap",
    "validation",
    "input",
    "header",
    "parser",
    "allows",
    "execute",
    "arbitrary",
    "code",
    "via",
    "prototype",
    "pollution",
    "injection",
    "path",
    "traversal",
    "certificate",
    "verification",
    "redirect",
    "cookie",
    "authentication",
    "bypass",
    "sandbox",
    "escape",
    "integer",
    "out-of-bounds",
    "read",
    "write",
    "session",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    (0..words).map(|_| WORDS[rng.below(WORDS.len() as u64) as usize]).collect::<Vec<_>>().join(" ")
}

fn version(rng: &mut Rng, eco: &str) -> String {
    let (a, b, c) = (rng.below(10), rng.below(30), rng.below(20));
    if eco.starts_with("Debian") {
        format!("{a}.{b}.{c}-{}+deb12u{}", rng.below(5) + 1, rng.below(9) + 1)
    } else if eco.starts_with("Alpine") {
        format!("{a}.{b}.{c}-r{}", rng.below(9))
    } else {
        format!("{a}.{b}.{c}")
    }
}

fn record(i: u64, eco: &str, rng: &mut Rng) -> serde_json::Value {
    let id = if eco.starts_with("Debian") {
        format!("DEBIAN-CVE-{}-{}", 2000 + i % 25, 10000 + i)
    } else if eco.starts_with("Alpine") {
        format!("ALPINE-CVE-{}-{}", 2000 + i % 25, 10000 + i)
    } else {
        let c = b"23456789cfghjmpqrvwx";
        let mut s = String::from("GHSA");
        for _ in 0..3 {
            s.push('-');
            for _ in 0..4 {
                s.push(c[rng.below(c.len() as u64) as usize] as char);
            }
        }
        s
    };
    let cve = format!("CVE-{}-{}", 2000 + i % 25, 10000 + i);
    let n_aff = 1 + rng.below(2);
    let affected: Vec<_> = (0..n_aff)
        .map(|_| {
            let name = if eco == "Go" {
                format!("github.com/org{}/pkg{}", rng.below(5000), rng.below(50))
            } else if eco == "Maven" {
                format!("org.example{}:artifact-{}", rng.below(3000), rng.below(20))
            } else {
                format!("pkg-{}-{}", sentence(rng, 1), rng.below(20000))
            };
            let kind = if matches!(eco, "npm" | "Go" | "crates.io") { "SEMVER" } else { "ECOSYSTEM" };
            let mut a = serde_json::json!({
                "package": {"ecosystem": eco, "name": name, "purl": format!("pkg:generic/{name}")},
                "ranges": [{"type": kind, "events": [{"introduced": "0"}, {"fixed": version(rng, eco)}]}],
                "database_specific": {"source": format!("https://example.org/advisories/{id}.json")}
            });
            if rng.below(3) == 0 {
                let n = 5 + rng.below(40);
                let versions: Vec<String> = (0..n).map(|k| format!("1.{}.{k}", k / 10)).collect();
                a["versions"] = serde_json::json!(versions);
            }
            a
        })
        .collect();
    let refs: Vec<_> = (0..3 + rng.below(4))
        .map(|k| {
            serde_json::json!({"type": if k == 0 { "ADVISORY" } else { "WEB" },
                "url": format!("https://example.org/{}/{cve}/{}", sentence(rng, 1), rng.below(1_000_000))})
        })
        .collect();
    let mut severity = vec![serde_json::json!({"type": "CVSS_V3",
        "score": format!("CVSS:3.1/AV:N/AC:{}/PR:N/UI:{}/S:U/C:H/I:{}/A:N",
            ["L", "H"][rng.below(2) as usize], ["N", "R"][rng.below(2) as usize], ["N", "L", "H"][rng.below(3) as usize])})];
    if rng.below(2) == 0 {
        severity.push(serde_json::json!({"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"}));
    }
    let rating = ["LOW", "MODERATE", "HIGH", "CRITICAL"][rng.below(4) as usize];
    serde_json::json!({
        "schema_version": "1.6.0",
        "id": id,
        "modified": format!("2024-{:02}-{:02}T12:00:00Z", 1 + rng.below(12), 1 + rng.below(28)),
        "published": format!("20{:02}-01-01T00:00:00Z", 10 + i % 15),
        "aliases": [cve],
        "summary": sentence(rng, 8),
        "details": (0..4 + rng.below(8)).map(|_| sentence(rng, 12)).collect::<Vec<_>>().join(". "),
        "severity": severity,
        "affected": affected,
        "references": refs,
        "database_specific": {"severity": rating}
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = PathBuf::from(args.get(1).map_or("target/osv-synth", String::as_str));
    let total: u64 = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(200_000);
    let reuse = args.iter().any(|a| a == "--reuse");
    let weight: u32 = ECOSYSTEMS.iter().map(|(_, w)| w).sum();

    let gen_start = Instant::now();
    let mut zips = Vec::new();
    let mut zip_bytes = 0;
    let mut i = 0u64;
    for (k, (eco, w)) in ECOSYSTEMS.iter().enumerate() {
        let n = if k + 1 == ECOSYSTEMS.len() { total - i } else { total * u64::from(*w) / u64::from(weight) };
        let dir = out.join(eco.split(':').next().unwrap_or(eco));
        std::fs::create_dir_all(&dir).expect("create output dir");
        let path = dir.join("all.zip");
        // Reuse the zips of an earlier run of the same size (`--reuse`).
        if !(reuse && path.exists()) {
            write_zip(&path, eco, i, n);
        }
        zip_bytes += std::fs::metadata(&path).expect("zip written").len();
        zips.push(path);
        i += n;
    }
    eprintln!("generated {total} records in {} zips: {zip_bytes} bytes ({:.1?})", zips.len(), gen_start.elapsed());

    let db = out.join("osv.db");
    let start = Instant::now();
    let report = rampart_vulndb::import(&zips, &db, &rampart_vulndb::ImportOptions::default()).expect("import");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "imported {} records in {secs:.2} s = {:.0} records/s on {} threads; zips {zip_bytes} bytes, database {} bytes ({:.0}% of the zips)",
        report.records,
        report.records as f64 / secs,
        rayon::current_num_threads(),
        report.db_bytes,
        100.0 * report.db_bytes as f64 / zip_bytes as f64
    );

    // Query timing: every package name of a few thousand records.
    let db = rampart_vulndb::Db::open(&db).expect("open");
    let t = Instant::now();
    let mut found = 0;
    for n in 0..2000 {
        found += db.candidates("PyPI", &format!("pkg-{}-{n}", WORDS[n % WORDS.len()])).expect("query").len();
    }
    println!("2000 candidate queries: {:.1?} ({found} candidates)", t.elapsed());
}

fn write_zip(path: &Path, eco: &str, first: u64, n: u64) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ first.wrapping_add(1));
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create zip"));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in first..first + n {
        let rec = record(i, eco, &mut rng);
        let id = rec["id"].as_str().unwrap_or_default().to_owned();
        zip.start_file(format!("{id}-{i}.json"), options).expect("zip entry");
        zip.write_all(&serde_json::to_vec_pretty(&rec).expect("json")).expect("zip write");
    }
    zip.finish().expect("zip finish");
}

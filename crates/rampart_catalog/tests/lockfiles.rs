//! The lockfile catalogers over `examples/scan-fs`, walked the way `rampart scan fs` walks a
//! tree: every file offered to every cataloger, paths relative to the root.

use std::path::Path;

use rampart_catalog::{Ecosystem, FileMeta, Found, Location, Want, finish, lockfile_catalogers};

fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            files.push((relative, std::fs::read(&path).unwrap()));
        }
    }
}

#[test]
fn scan_fs_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/scan-fs");
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    let catalogers = lockfile_catalogers();
    let mut found = Vec::new();
    for (path, content) in &files {
        for cataloger in &catalogers {
            let meta = FileMeta { path, size: content.len() as u64, mode: 0o644 };
            if let Want::Content { limit } = cataloger.wants(&meta) {
                assert!(content.len() as u64 <= limit);
                let location = Location { path: path.clone(), layer: 0 };
                let mut out = Vec::new();
                cataloger.catalog(&location, content, &mut out).unwrap();
                found.extend(out.into_iter().map(|f| (location.clone(), f)));
            }
        }
    }
    assert!(found.iter().all(|(_, f)| matches!(f, Found::Package(_))));
    let inventory = finish(found);
    let got: Vec<(&str, &str, &str)> = inventory
        .packages
        .iter()
        .map(|p| (p.purl.as_str(), p.ecosystem.osv_ecosystem().unwrap(), p.locations[0].path.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            // Sorted by name as written, capitals first.
            ("pkg:pypi/jinja2@2.10", "PyPI", "service/requirements.txt"),
            ("pkg:pypi/markupsafe@1.1.1", "PyPI", "service/requirements.txt"),
            ("pkg:pypi/pyyaml@5.3", "PyPI", "service/requirements.txt"),
            ("pkg:pypi/certifi@2018.4.16", "PyPI", "service/requirements.txt"),
            ("pkg:pypi/chardet@3.0.4", "PyPI", "service/requirements.txt"),
            ("pkg:pypi/idna@2.7", "PyPI", "service/requirements.txt"),
            ("pkg:pypi/requests@2.19.0", "PyPI", "service/requirements.txt"),
            ("pkg:pypi/urllib3@1.24.1", "PyPI", "service/requirements.txt"),
            ("pkg:npm/lodash@4.17.4", "npm", "web/package-lock.json"),
            ("pkg:npm/minimist@1.2.0", "npm", "web/package-lock.json"),
            ("pkg:golang/github.com/gin-gonic/gin@v1.6.3", "Go", "tools/go-agent/go.mod"),
            ("pkg:golang/golang.org/x/text@v0.3.5", "Go", "tools/go-agent/go.mod"),
            ("pkg:cargo/smallvec@0.6.9", "crates.io", "tools/rust-cli/Cargo.lock"),
            ("pkg:cargo/time@0.1.43", "crates.io", "tools/rust-cli/Cargo.lock"),
        ]
    );
    // Names stay as written; the purl normalises.
    assert!(inventory.packages.iter().any(|p| p.name == "PyYAML"));
}

#[test]
fn osv_ecosystems() {
    let expected = [
        (Ecosystem::Deb, Some("Debian")),
        (Ecosystem::Apk, Some("Alpine")),
        (Ecosystem::Rpm, None),
        (Ecosystem::PyPI, Some("PyPI")),
        (Ecosystem::Npm, Some("npm")),
        (Ecosystem::Golang, Some("Go")),
        (Ecosystem::Cargo, Some("crates.io")),
        (Ecosystem::Maven, Some("Maven")),
        (Ecosystem::Gem, Some("RubyGems")),
        (Ecosystem::Composer, Some("Packagist")),
    ];
    for (ecosystem, name) in expected {
        assert_eq!(ecosystem.osv_ecosystem(), name, "{ecosystem}");
    }
}

#[test]
fn every_fixture_and_hostile_input_is_safe() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lock");
    let mut files = Vec::new();
    walk(&fixtures, &fixtures, &mut files);
    let catalogers = lockfile_catalogers();
    let names = [
        "Cargo.lock",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "requirements.txt",
        "poetry.lock",
        "uv.lock",
        "go.mod",
        "go.sum",
        "Gemfile.lock",
        "composer.lock",
        "pom.xml",
    ];
    for cataloger in &catalogers {
        let wanted = names.iter().filter(|n| cataloger.wants(&FileMeta { path: n, size: 1, mode: 0o644 }) != Want::No);
        assert_eq!(wanted.count(), 1, "{}", cataloger.name());
        // Every fixture, truncated at every 97th byte, through every cataloger: errors or
        // packages, never a panic.
        for (path, content) in &files {
            let location = Location { path: path.clone(), layer: 0 };
            for end in (0..content.len()).step_by(97).chain([content.len()]) {
                let _ = cataloger.catalog(&location, &content[..end], &mut Vec::new());
            }
        }
        for hostile in [&b"\xff\xfe\x00"[..], b"", b"{", b"[[package]]", b"<project>", "{[".repeat(50_000).as_bytes()] {
            let _ = cataloger.catalog(&Location { path: "x".into(), layer: 0 }, hostile, &mut Vec::new());
        }
    }
}

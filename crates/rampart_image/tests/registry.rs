//! Pulls from a real registry: Debian's `docker-registry` (distribution 2.8) started on an
//! ephemeral 127.0.0.1 port, images pushed with `skopeo` from OCI layouts built here.
//!
//! Needs `docker-registry`, `skopeo` and `openssl` (apt), and a bcrypt `htpasswd` line maker
//! (`htpasswd` from apt `apache2-utils`, else python3's `crypt` or `bcrypt`). Without them the
//! tests print a note and pass, unless `RAMPART_REQUIRE_EXTERNAL=1`.
#![cfg(feature = "registry")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use flate2::Compression;
use flate2::write::GzEncoder;
use rampart_image::{
    Credentials, Digest, ImageScan, NoProgress, Platform, RegistryOptions, ScanOptions, scan_reference,
};
use serde_json::json;

#[path = "support/registry.rs"]
mod support;
use support::*;

struct Shared {
    plain: Registry,
}

struct Layouts {
    single: PathBuf,
    multi: PathBuf,
    /// Without zstd, which Docker media types cannot say.
    docker: PathBuf,
}

fn layouts() -> &'static Layouts {
    static LAYOUTS: OnceLock<Layouts> = OnceLock::new();
    LAYOUTS.get_or_init(|| {
        // Deterministic content (tar headers without times, fixed compression), so rewriting
        // the same place on every run is harmless.
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("registry-layouts");
        let single = root.join("single");
        let manifest = image(&single, "amd64", None, true);
        write_layout(&single, "1.0", manifest);
        let docker = root.join("docker");
        let manifest = image(&docker, "amd64", None, false);
        write_layout(&docker, "1.0", manifest);
        let multi = root.join("multi");
        let amd64 = image(&multi, "amd64", None, true);
        let arm64 = image(&multi, "arm64", Some("v8"), true);
        let index = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [amd64, arm64],
        });
        let index = blob(&multi, "application/vnd.oci.image.index.v1+json", &serde_json::to_vec(&index).unwrap());
        write_layout(&multi, "2.0", index);
        Layouts { single, multi, docker }
    })
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let layouts = layouts();
        let plain = Registry::start(Setup::default());
        plain.push(&layouts.single, "1.0", "app:1.0", &[]);
        plain.push(&layouts.docker, "1.0", "docker-app:1.0", &["--format", "v2s2"]);
        plain.push(&layouts.multi, "2.0", "multi:2.0", &["--all"]);
        Shared { plain }
    })
}

// ---------------------------------------------------------------------------------------------
// Images

fn blob(layout: &Path, media_type: &str, bytes: &[u8]) -> serde_json::Value {
    let digest = Digest::sha256_of(bytes);
    let dir = layout.join("blobs/sha256");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(digest.hex()), bytes).unwrap();
    json!({ "mediaType": media_type, "digest": digest.to_string(), "size": bytes.len() })
}

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut dirs: Vec<&str> =
        files.iter().flat_map(|(path, _)| path.match_indices('/').map(|(at, _)| &path[..at])).collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_size(0);
        builder.append_data(&mut header, format!("{dir}/"), &[][..]).unwrap();
    }
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *content).unwrap();
    }
    builder.into_inner().unwrap()
}

const STATUS: &[u8] = b"Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\nMaintainer: x <x@example.org>\nDescription: greets\n\n";
const OS_RELEASE: &[u8] = b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
/// A file in an uncompressed layer.
const MARKER: &[u8] = b"rampart registry test: flip a byte of me";

/// An image with three layers (gzip, zstd or plain, plain tar) and a marker file naming its platform.
/// Returns the manifest's descriptor, with its platform.
fn image(layout: &Path, arch: &str, variant: Option<&str>, zstd: bool) -> serde_json::Value {
    let marker = format!("/arch-{arch}");
    let layers: [Vec<u8>; 3] = [
        tar_of(&[("etc/os-release", OS_RELEASE), ("var/lib/dpkg/status", STATUS)]),
        tar_of(&[(marker.trim_start_matches('/'), arch.as_bytes())]),
        tar_of(&[("srv/marker.txt", MARKER)]),
    ];
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&layers[0]).unwrap();
    let gz = gz.finish().unwrap();
    let second = if zstd {
        blob(layout, "application/vnd.oci.image.layer.v1.tar+zstd", &zstd::encode_all(&layers[1][..], 3).unwrap())
    } else {
        blob(layout, "application/vnd.oci.image.layer.v1.tar", &layers[1])
    };
    let descriptors = vec![
        blob(layout, "application/vnd.oci.image.layer.v1.tar+gzip", &gz),
        second,
        blob(layout, "application/vnd.oci.image.layer.v1.tar", &layers[2]),
    ];
    let diff_ids: Vec<String> = layers.iter().map(|l| Digest::sha256_of(l).to_string()).collect();
    let mut config = json!({
        "architecture": arch, "os": "linux",
        "config": {"User": "10001", "Env": ["PATH=/usr/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    });
    if let Some(v) = variant {
        config["variant"] = json!(v);
    }
    let config = blob(layout, "application/vnd.oci.image.config.v1+json", &serde_json::to_vec(&config).unwrap());
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config,
        "layers": descriptors,
    });
    let mut descriptor =
        blob(layout, "application/vnd.oci.image.manifest.v1+json", &serde_json::to_vec(&manifest).unwrap());
    let mut platform = json!({"os": "linux", "architecture": arch});
    if let Some(v) = variant {
        platform["variant"] = json!(v);
    }
    descriptor["platform"] = platform;
    descriptor
}

fn write_layout(layout: &Path, tag: &str, mut top: serde_json::Value) {
    top["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
    let index = json!({"schemaVersion": 2, "manifests": [top]});
    std::fs::write(layout.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    std::fs::write(layout.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Scanning

fn options(registry: RegistryOptions) -> ScanOptions {
    ScanOptions { registry, ..ScanOptions::default() }
}

fn insecure() -> RegistryOptions {
    RegistryOptions { insecure: true, ..RegistryOptions::default() }
}

fn scan(reference: &str, options: &ScanOptions) -> Result<ImageScan, String> {
    scan_reference(reference, options, &NoProgress).map_err(|e| e.to_string())
}

fn assert_is_test_image(scan: &ImageScan, arch: &str) {
    assert_eq!(scan.kind.as_str(), "registry");
    assert_eq!(scan.layers.len(), 3);
    assert!(scan.fs.get(&format!("/arch-{arch}")).is_some(), "no /arch-{arch} in {}", scan.reference);
    assert!(scan.fs.get("/srv/marker.txt").is_some());
    assert!(scan.inventory.packages.iter().any(|p| p.name == "hello" && p.version == "2.10-3"));
    assert_eq!(scan.config.architecture.as_deref(), Some(arch));
    assert!(scan.manifest_digest.is_some() && scan.config_digest.is_some());
    assert!(scan.retained_file("/etc/os-release").is_some());
}

fn expect_error(result: Result<ImageScan, String>, wanted: &[&str]) -> String {
    let error = match result {
        Ok(scan) => panic!("{} scanned, expected an error", scan.reference),
        Err(e) => e,
    };
    for w in wanted {
        assert!(error.contains(w), "`{w}` not in: {error}");
    }
    eprintln!("expected error: {error}");
    error
}

#[test]
fn pulls_by_tag_and_by_digest_over_plain_http() {
    if !tools_present() {
        return;
    }
    let registry = &shared().plain;
    let by_tag = scan(&registry.reference("app:1.0"), &options(insecure())).unwrap();
    assert_is_test_image(&by_tag, "amd64");
    assert_eq!(by_tag.tags, vec![registry.reference("app:1.0")]);
    let digest = by_tag.manifest_digest.clone().unwrap();
    let by_digest = scan(&registry.reference(&format!("app@{digest}")), &options(insecure())).unwrap();
    assert_is_test_image(&by_digest, "amd64");
    assert_eq!(by_digest.config_digest, by_tag.config_digest);
    assert_eq!(by_digest.manifest_digest, Some(digest));

    // skopeo --format v2s2: Docker media types for the manifest and layers.
    let docker = scan(&registry.reference("docker-app:1.0"), &options(insecure())).unwrap();
    assert_is_test_image(&docker, "amd64");
    assert!(docker.layers[0].desc.media_type.as_deref().unwrap_or("").contains("docker"));

    let missing = registry.reference("app:9.9");
    expect_error(scan(&missing, &options(insecure())), &[&missing, "not found", "MANIFEST_UNKNOWN"]);
    let wrong = format!("sha256:{}", "0".repeat(64));
    expect_error(scan(&registry.reference(&format!("app@{wrong}")), &options(insecure())), &["not found"]);
    expect_error(scan(&registry.reference("nothing-here:1"), &options(insecure())), &["not found"]);
    // Without --insecure rampart speaks TLS to a plain-HTTP registry, and says what to do.
    expect_error(scan(&registry.reference("app:1.0"), &ScanOptions::default()), &["--insecure"]);
}

#[test]
fn selects_each_platform_of_an_index_and_lists_them_when_missing() {
    if !tools_present() {
        return;
    }
    let registry = &shared().plain;
    let reference = registry.reference("multi:2.0");
    for (platform, arch) in [("linux/amd64", "amd64"), ("linux/arm64", "arm64"), ("linux/arm64/v8", "arm64")] {
        let options = ScanOptions { platform: Platform::parse(platform).unwrap(), ..options(insecure()) };
        let scan = scan(&reference, &options).unwrap();
        assert_is_test_image(&scan, arch);
    }
    let options = ScanOptions { platform: Platform::parse("linux/s390x").unwrap(), ..options(insecure()) };
    expect_error(scan(&reference, &options), &["linux/s390x", "linux/amd64", "linux/arm64/v8", "--platform"]);
}

/// Runs [`child_scan`] in a fresh process with only the given credential environment, since
/// the environment cannot be changed safely inside this (threaded) test process.
fn scan_in_child(reference: &str, env: &[(&str, &Path)]) -> Result<String, String> {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["child_scan", "--exact", "--nocapture", "--test-threads=1"]);
    for name in ["HOME", "DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR"] {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.env("RAMPART_TEST_CHILD_REF", reference);
    let output = run(&mut command);
    for line in output.lines() {
        // libtest prints `test child_scan ... ` on the same line.
        if let Some((_, ok)) = line.split_once("CHILD-OK ") {
            return Ok(ok.to_string());
        }
        if let Some((_, err)) = line.split_once("CHILD-ERR ") {
            return Err(err.to_string());
        }
    }
    Err(format!("child printed no result: {output}"))
}

/// Not a test on its own: [`scan_in_child`] runs it in a child process.
#[test]
fn child_scan() {
    let Ok(reference) = std::env::var("RAMPART_TEST_CHILD_REF") else { return };
    match scan(&reference, &options(insecure())) {
        Ok(scan) => println!("CHILD-OK {}", scan.manifest_digest.map(|d| d.to_string()).unwrap_or_default()),
        Err(e) => println!("CHILD-ERR {e}"),
    }
}

#[test]
fn basic_auth_with_credentials_from_docker_config() {
    if !tools_present() {
        return;
    }
    let registry = Registry::start(Setup { htpasswd: Some(htpasswd_line(USER, PASSWORD)), tls: false });
    registry.push(&layouts().single, "1.0", "private:1.0", &[]);
    let reference = registry.reference("private:1.0");
    let config = tempfile::tempdir().unwrap();
    let auth = base64_encode(format!("{USER}:{PASSWORD}").as_bytes());
    let config_json = json!({"auths": {format!("http://{}/v1/", registry.host): {"auth": auth}}});
    std::fs::write(config.path().join("config.json"), config_json.to_string()).unwrap();

    let digest = scan_in_child(&reference, &[("DOCKER_CONFIG", config.path())]).unwrap();
    assert!(digest.starts_with("sha256:"));
    // podman's auth.json, through $REGISTRY_AUTH_FILE.
    let podman = config.path().join("auth.json");
    std::fs::write(&podman, json!({"auths": {registry.host.clone(): {"auth": auth}}}).to_string()).unwrap();
    assert!(scan_in_child(&reference, &[("REGISTRY_AUTH_FILE", &podman)]).is_ok());

    let empty = tempfile::tempdir().unwrap();
    let error = scan_in_child(&reference, &[("DOCKER_CONFIG", empty.path())]).unwrap_err();
    for wanted in ["unauthorized", "anonymous", "config.json", &registry.host] {
        assert!(error.contains(wanted), "`{wanted}` not in: {error}");
    }

    // The same through the API: --authfile, and explicit credentials.
    let with_file = RegistryOptions { auth_file: Some(podman.clone()), ..insecure() };
    assert_is_test_image(&scan(&reference, &options(with_file)).unwrap(), "amd64");
    let good = Credentials { username: USER.into(), password: PASSWORD.into() };
    let explicit = RegistryOptions { credentials: Some(good), ..insecure() };
    assert!(scan(&reference, &options(explicit)).is_ok());
    let bad = Credentials { username: USER.into(), password: "wrong".into() };
    let wrong = RegistryOptions { credentials: Some(bad), ..insecure() };
    expect_error(scan(&reference, &options(wrong)), &["unauthorized", "the given username and password"]);
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn tls_with_a_private_ca() {
    if !tools_present() {
        return;
    }
    let registry = Registry::start(Setup { tls: true, ..Setup::default() });
    registry.push(&layouts().single, "1.0", "secure:1.0", &[]);
    let reference = registry.reference("secure:1.0");
    let with_ca = RegistryOptions { ca_certs: vec![registry.dir.join("ca.pem")], ..RegistryOptions::default() };
    assert_is_test_image(&scan(&reference, &options(with_ca)).unwrap(), "amd64");
    expect_error(scan(&reference, &ScanOptions::default()), &["TLS", "--ca-cert"]);
    // --insecure (plain HTTP) against a TLS registry.
    expect_error(scan(&reference, &options(insecure())), &["TLS"]);
    let not_pem = RegistryOptions { ca_certs: vec![registry.dir.join("config.yml")], ..RegistryOptions::default() };
    expect_error(scan(&reference, &options(not_pem)), &["CA certificate", "config.yml"]);
}

#[test]
fn a_corrupted_blob_is_a_digest_error() {
    if !tools_present() {
        return;
    }
    let registry = Registry::start(Setup::default());
    registry.push(&layouts().single, "1.0", "corrupt:1.0", &[]);
    let reference = registry.reference("corrupt:1.0");
    let scan_ok = scan(&reference, &options(insecure())).unwrap();
    // Change the gzip header's modification time in the first layer: the stream still
    // decompresses, only the digest can tell.
    let layer = scan_ok.layers[0].desc.digest.clone().unwrap().to_string();
    let file = registry.blob_file(&layer);
    let mut bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..3], &[0x1f, 0x8b, 8], "layer 0 is not gzip");
    bytes[4] ^= 1;
    std::fs::write(&file, bytes).unwrap();
    expect_error(scan(&reference, &options(insecure())), &["layer 0", "does not match its digest"]);

    // A corrupted configuration is caught before any layer is read.
    let config = scan_ok.config_digest.clone().unwrap().to_string();
    let file = registry.blob_file(&config);
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.windows(5).position(|w| w == b"10001").unwrap();
    bytes[at] = b'0';
    std::fs::write(&file, bytes).unwrap();
    expect_error(scan(&reference, &options(insecure())), &["config", "does not match its digest"]);
}

#[test]
fn local_paths_come_first_and_bad_references_say_so() {
    let layout = &layouts().single;
    let local = scan(&layout.display().to_string(), &ScanOptions::default()).unwrap();
    assert_eq!(local.kind.as_str(), "oci-dir");
    expect_error(scan("/no/such/dir", &ScanOptions::default()), &["no such file"]);
    expect_error(scan("Not A Reference", &ScanOptions::default()), &["no such file", "not an image reference"]);
}

//! A registry that misbehaves on purpose (a few lines of HTTP on 127.0.0.1): endless
//! manifests, configurations and layers must end in a clear error, with memory bounded.
#![cfg(feature = "registry")]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

use rampart_image::{Digest, NoProgress, RegistryOptions, ScanOptions, scan_reference};
use serde_json::json;

enum Reply {
    Body(&'static str, Vec<u8>),
    /// 200, no length, zeros until the client hangs up.
    Endless,
    NotFound,
}

/// Serves `route(path)` for every request, one request per connection.
fn serve(route: impl Fn(&str) -> Reply + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let route = std::sync::Arc::new(route);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let route = route.clone();
            std::thread::spawn(move || {
                let _ = answer(stream, &*route);
            });
        }
    });
    host
}

fn answer(mut stream: TcpStream, route: &dyn Fn(&str) -> Reply) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
    match route(&path) {
        Reply::Body(content_type, body) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)?;
        }
        Reply::NotFound => {
            stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")?;
        }
        Reply::Endless => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")?;
            let zeros = vec![0u8; 64 << 10];
            loop {
                stream.write_all(&zeros)?;
            }
        }
    }
    Ok(())
}

const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

fn image(config: &[u8], layer_size: u64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": Digest::sha256_of(config).to_string(), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": format!("sha256:{}", "1".repeat(64)), "size": layer_size}],
    }))
    .unwrap()
}

fn scan(host: &str) -> String {
    let options = ScanOptions {
        registry: RegistryOptions { insecure: true, ..RegistryOptions::default() },
        ..ScanOptions::default()
    };
    match scan_reference(&format!("{host}/evil:1"), &options, &NoProgress) {
        Ok(_) => panic!("a hostile registry was scanned without error"),
        Err(e) => e.to_string(),
    }
}

const CONFIG: &[u8] = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;

#[test]
fn an_endless_manifest_is_refused() {
    let host = serve(|path| match path {
        "/v2/" => Reply::Body("application/json", b"{}".to_vec()),
        _ if path.contains("/manifests/") => Reply::Endless,
        _ => Reply::NotFound,
    });
    let error = scan(&host);
    assert!(error.contains("larger than 8388608 bytes"), "{error}");
}

#[test]
fn an_endless_config_is_refused() {
    let host = serve(|path| match path {
        "/v2/" => Reply::Body("application/json", b"{}".to_vec()),
        _ if path.contains("/manifests/") => Reply::Body(MANIFEST_TYPE, image(CONFIG, 1024)),
        _ if path.contains("/blobs/") => Reply::Endless,
        _ => Reply::NotFound,
    });
    let error = scan(&host);
    assert!(error.contains("config blob") && error.contains("more than the"), "{error}");
}

#[test]
fn an_endless_layer_stops_at_its_declared_size() {
    let config_digest = Digest::sha256_of(CONFIG).to_string();
    let host = serve(move |path| match path {
        "/v2/" => Reply::Body("application/json", b"{}".to_vec()),
        _ if path.contains("/manifests/") => Reply::Body(MANIFEST_TYPE, image(CONFIG, 10240)),
        _ if path.ends_with(&config_digest) => Reply::Body("application/json", CONFIG.to_vec()),
        _ if path.contains("/blobs/") => Reply::Endless,
        _ => Reply::NotFound,
    });
    let error = scan(&host);
    assert!(error.contains("layer 0") && error.contains("more than the 10240 bytes"), "{error}");
}

#[test]
fn a_manifest_that_does_not_match_its_digest_is_refused() {
    let manifest = image(CONFIG, 10);
    let host = serve(move |path| match path {
        "/v2/" => Reply::Body("application/json", b"{}".to_vec()),
        _ if path.contains("/manifests/") => Reply::Body(MANIFEST_TYPE, manifest.clone()),
        _ => Reply::NotFound,
    });
    let wrong = format!("sha256:{}", "2".repeat(64));
    let options = ScanOptions {
        registry: RegistryOptions { insecure: true, ..RegistryOptions::default() },
        ..ScanOptions::default()
    };
    let error = scan_reference(&format!("{host}/evil@{wrong}"), &options, &NoProgress).unwrap_err().to_string();
    assert!(error.contains("does not match its digest") && error.contains("digest from the reference"), "{error}");
}

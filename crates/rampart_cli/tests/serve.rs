//! `rampart serve` as a process: it loads the configuration and the certificate, says where
//! it listens, answers over HTTPS, and stops cleanly on SIGTERM (as a pod is stopped). The
//! decisions themselves are tested in `rampart_webhook/tests/serve.rs`. Also: the deployment
//! manifests and the Dockerfile shipped in the repository pass rampart's own checks.
#![cfg(feature = "webhook")]

#[path = "../../rampart_image/tests/support/registry.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_shipped_deployment_passes_rampart_check() {
    let o = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .current_dir(root())
        .args(["check", "deploy", "Dockerfile", "--no-config", "--format", "concise"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.contains("error[") && !out.contains("warning["), "{out}");
}

#[test]
fn serve_starts_answers_and_stops_on_sigterm() {
    if Command::new("openssl").arg("version").output().is_err() {
        assert!(std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(), "needs openssl");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    support::make_certificates(dir.path());
    let config = dir.path().join("rampart.toml");
    std::fs::write(&config, "[rules]\nKS001 = \"off\"\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["serve", "--listen", "127.0.0.1:0", "--no-audit-log", "--config"])
        .arg(&config)
        .arg("--tls-cert")
        .arg(dir.path().join("cert.pem"))
        .arg("--tls-key")
        .arg(dir.path().join("key.pem"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("serving the admission webhook on https://127.0.0.1:"), "{line}");
    assert!(line.contains("rampart.toml"), "the configuration in effect is named: {line}");
    let port = line.split("127.0.0.1:").nth(1).and_then(|r| r.split('/').next()).unwrap().to_owned();

    // A TLS handshake with the CA's trust, and an HTTP answer, through openssl's client.
    let probe = Command::new("openssl")
        .args(["s_client", "-quiet", "-verify_return_error", "-connect", &format!("127.0.0.1:{port}")])
        .arg("-CAfile")
        .arg(dir.path().join("ca.pem"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = probe.stdin.as_ref().unwrap();
        stdin.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    }
    let answer = probe.wait_with_output().unwrap();
    let answer = String::from_utf8_lossy(&answer.stdout);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0), "a clean stop on SIGTERM");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "rampart serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

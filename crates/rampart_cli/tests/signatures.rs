//! `rampart key generate`, `rampart sign` and `rampart verify` against a real registry
//! (Debian's `docker-registry`, started on loopback by the shared harness), with the
//! `debian-min` reference image pushed by skopeo. Each way a verification fails is produced
//! for real: no signature, another key, a signature copied from another image.
#![cfg(feature = "registry")]

#[path = "../../rampart_image/tests/support/registry.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::show;
use support::{Registry, Setup, run, tools_present};

fn rampart() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rampart"));
    c.env("COSIGN_PASSWORD", "correct horse").env_remove("DOCKER_CONFIG").env_remove("REGISTRY_AUTH_FILE");
    c
}

fn debian_min() -> Option<PathBuf> {
    common::image("debian-min")
}

fn generate(prefix: &Path) {
    let o = rampart().args(["key", "generate", "--output-prefix"]).arg(prefix).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
}

fn verify(image: &str, key: &Path) -> (Output, Value) {
    let o = rampart().args(["verify", image, "--insecure", "--format", "json", "--key"]).arg(key).output().unwrap();
    let report = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}\n{}", show(&o)));
    (o, report)
}

fn outcomes(report: &Value) -> Vec<&str> {
    report["signatures"].as_array().unwrap().iter().map(|s| s["outcome"].as_str().unwrap()).collect()
}

#[test]
fn sign_then_verify_and_every_failure_explained() {
    if !tools_present() {
        return;
    }
    let Some(layout) = debian_min() else { return };
    let registry = Registry::start(Setup::default());
    registry.push(&layout, "12", "team/app:1", &[]);
    // The same image under Docker's media types: another manifest, another digest.
    registry.push(&layout, "12", "team/app:docker", &["--format", "v2s2"]);
    let (app, other) = (registry.reference("team/app:1"), registry.reference("team/app:docker"));
    let tmp = tempfile::tempdir().unwrap();
    let (ours, theirs) = (tmp.path().join("ours"), tmp.path().join("theirs"));
    generate(&ours);
    generate(&theirs);
    let (ours_key, ours_pub) = (ours.with_extension("key"), ours.with_extension("pub"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&ours_key).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&ours_pub).unwrap().permissions().mode() & 0o777, 0o644);
    }
    let again = rampart().args(["key", "generate", "--output-prefix"]).arg(&ours).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "an existing pair is kept: {}", show(&again));

    // Unsigned.
    let (o, report) = verify(&app, &ours_pub);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert_eq!(report["signatures_found"], false);
    let human = rampart().args(["verify", &app, "--insecure", "--key"]).arg(&ours_pub).output().unwrap();
    assert!(String::from_utf8_lossy(&human.stdout).contains("NOT verified: no signatures"), "{}", show(&human));

    // Signed with our key: verified, by tag and by digest.
    let sign = |image: &str, key: &Path| rampart().args(["sign", image, "--insecure", "--key"]).arg(key).output();
    let o = sign(&app, &ours_key).unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let (o, report) = verify(&app, &ours_pub);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(outcomes(&report), ["verified"]);
    assert_eq!(report["signatures"][0]["identity"], registry.reference("team/app"));
    let digest = report["digest"].as_str().unwrap().to_owned();
    let (o, _) = verify(&registry.reference(&format!("team/app@{digest}")), &ours_pub);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));

    // Someone else's key does not verify it; once they sign too, both signatures are there and
    // each key verifies its own.
    let (o, report) = verify(&app, &theirs.with_extension("pub"));
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert_eq!(outcomes(&report), ["wrong-key"]);
    let o = sign(&app, &theirs.with_extension("key")).unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let (_, report) = verify(&app, &ours_pub);
    assert_eq!(outcomes(&report), ["verified", "wrong-key"]);
    // Signing twice with the same key adds nothing.
    assert_eq!(sign(&app, &ours_key).unwrap().status.code(), Some(0));
    let (_, report) = verify(&app, &ours_pub);
    assert_eq!(outcomes(&report), ["verified", "wrong-key"]);

    // Our signatures copied onto another image: made by our key, but for another digest.
    let (_, unsigned) = verify(&other, &ours_pub);
    let other_digest = unsigned["digest"].as_str().unwrap().to_owned();
    assert_ne!(other_digest, digest);
    let tag = |d: &str| format!("{}.sig", d.replacen(':', "-", 1));
    run(Command::new("skopeo").args(["copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false"]).args([
        format!("docker://{}", registry.reference(&format!("team/app:{}", tag(&digest)))),
        format!("docker://{}", registry.reference(&format!("team/app:{}", tag(&other_digest)))),
    ]));
    let (o, report) = verify(&other, &ours_pub);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert_eq!(outcomes(&report), ["other-image", "wrong-key"]);
    assert!(report["signatures"][0]["reason"].as_str().unwrap().contains(&digest), "{report}");

    // A wrong password is a clear error, and nothing is pushed.
    let o = rampart()
        .env("COSIGN_PASSWORD", "battery staple")
        .args(["sign", &other, "--insecure", "--key"])
        .arg(&ours_key)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrong password"), "{}", show(&o));
}

/// POSTs `body` over HTTPS (trusting `ca`) with openssl's client; the raw HTTP answer.
fn https_post(port: u16, ca: &Path, path: &str, body: &str) -> String {
    use std::io::Write as _;
    let mut client = Command::new("openssl")
        .args(["s_client", "-quiet", "-verify_return_error", "-connect", &format!("127.0.0.1:{port}"), "-CAfile"])
        .arg(ca)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    client.stdin.as_mut().unwrap().write_all(request.as_bytes()).unwrap();
    let output = client.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn admission_review(image: &str) -> String {
    serde_json::json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "gate", "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "name": "app", "namespace": "team", "operation": "CREATE", "userInfo": {"username": "ci"},
            "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "team"},
                "spec": {"automountServiceAccountToken": false,
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{"name": "app", "image": image,
                        "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                                            "capabilities": {"drop": ["ALL"]}},
                        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "64Mi"}}}]}}
        }
    })
    .to_string()
}

#[test]
fn the_admission_gate_admits_only_images_signed_by_the_pinned_key() {
    if !tools_present() {
        return;
    }
    let Some(layout) = debian_min() else { return };
    let registry = Registry::start(Setup::default());
    registry.push(&layout, "12", "team/app:signed", &[]);
    registry.push(&layout, "12", "team/app:unsigned", &["--format", "v2s2"]);
    registry.push(&layout, "12", "other/app:1", &["--format", "v2s2"]);
    let tmp = tempfile::tempdir().unwrap();
    let ours = tmp.path().join("ours");
    generate(&ours);
    let signed = registry.reference("team/app:signed");
    let o = rampart().args(["sign", &signed, "--insecure", "--key"]).arg(ours.with_extension("key")).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));

    support::make_certificates(tmp.path());
    std::fs::write(
        tmp.path().join("rampart.toml"),
        format!("[[signatures]]\nimages = [\"{}/team/*\"]\nkeys = [\"ours.pub\"]\n", registry.host),
    )
    .unwrap();
    let mut server = rampart()
        .args(["serve", "--listen", "127.0.0.1:0", "--no-audit-log", "--insecure", "--config"])
        .arg(tmp.path().join("rampart.toml"))
        .arg("--tls-cert")
        .arg(tmp.path().join("cert.pem"))
        .arg("--tls-key")
        .arg(tmp.path().join("key.pem"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(server.stderr.take().unwrap()), &mut line).unwrap();
    let port: u16 = line.split("127.0.0.1:").nth(1).and_then(|r| r.split('/').next()).unwrap().parse().unwrap();
    let ca = tmp.path().join("ca.pem");
    let decide = |image: &str| {
        let answer = https_post(port, &ca, "/validate", &admission_review(image));
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
        serde_json::from_str::<Value>(&body).unwrap_or_else(|e| panic!("{e}: {answer}"))
    };

    let allowed = decide(&signed);
    assert_eq!(allowed["response"]["allowed"], true, "{allowed}");
    let denied = decide(&registry.reference("team/app:unsigned"));
    assert_eq!(denied["response"]["allowed"], false, "{denied}");
    let message = denied["response"]["status"]["message"].as_str().unwrap();
    assert!(message.contains("team/app:unsigned") && message.contains("is not signed"), "{message}");
    // Outside the policy's images: not the gate's business.
    let elsewhere = decide(&registry.reference("other/app:1"));
    assert_eq!(elsewhere["response"]["allowed"], true, "{elsewhere}");
    let _ = server.kill();
    let _ = server.wait();
}

//! The webhook over real HTTPS: `serve` on a loopback port with a certificate from a CA made
//! by `openssl` (the shared registry-test harness makes both), called as the API server calls
//! it, with `AdmissionReview` bodies for a privileged pod, a hardened one, a deletion and
//! garbage. Needs `openssl`; without it the test prints a note and passes, unless
//! `RAMPART_REQUIRE_EXTERNAL=1`.

#[path = "../../rampart_image/tests/support/registry.rs"]
mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use rampart_linter::{Linter, Settings};
use serde_json::{Value, json};

fn have_openssl() -> bool {
    if std::process::Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(), "the webhook test needs openssl");
    eprintln!("note: skipped: the webhook test needs openssl");
    false
}

fn pod(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop"}, "spec": spec})
}

fn hardened() -> Value {
    pod(
        "web",
        json!({
            "automountServiceAccountToken": false,
            "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{
                "name": "web",
                "image": "registry.example/web@sha256:0f8a3c5d7e9b1a2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a2b3c4d5e6f7a8b9c0d",
                "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                                    "privileged": false, "capabilities": {"drop": ["ALL"]}},
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                              "limits": {"cpu": "500m", "memory": "256Mi"}},
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
                "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}}
            }]
        }),
    )
}

fn privileged() -> Value {
    pod(
        "miner",
        json!({"hostNetwork": true, "hostPID": true,
               "containers": [{"name": "c", "image": "busybox", "securityContext": {"privileged": true}}]}),
    )
}

fn review(uid: &str, operation: &str, object: Option<Value>, old: Option<Value>) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
            "requestResource": {"group": "", "version": "v1", "resource": "pods"},
            "name": "x",
            "namespace": "shop",
            "operation": operation,
            "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": old,
            "dryRun": false,
            "options": null
        }
    })
}

fn start(dir: &Path) -> SocketAddr {
    support::make_certificates(dir);
    let options = rampart_webhook::ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls_cert: dir.join("cert.pem"),
        tls_key: dir.join("key.pem"),
        audit: rampart_webhook::AuditLog::File(dir.join("audit.jsonl")),
        mutate: rampart_webhook::FixMode::Unsafe,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    // The server lives as long as this test's process (nextest runs each test alone).
    std::thread::spawn(move || {
        let linter = Linter::new(&Settings::default());
        let result = rampart_webhook::serve(linter, None, &options, |address| {
            let _ = tx.send(Ok(address));
        });
        if let Err(e) = result {
            let _ = tx.send(Err(e));
        }
    });
    rx.recv_timeout(Duration::from_secs(30)).expect("the server did not start").expect("the server failed")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_webhook_decides_like_the_cli_over_https() {
    if !have_openssl() {
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let address = start(dir.path());
    let base = format!("https://localhost:{}", address.port());
    let ca = reqwest::Certificate::from_pem(&std::fs::read(dir.path().join("ca.pem")).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([ca])
        .resolve("localhost", address)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let post_to = |path: &str, body: Value| client.post(format!("{base}{path}")).json(&body).send();
    let post = |body: Value| post_to("/validate", body);

    // A privileged pod sharing the host: denied, every reason named.
    let answer = post(review("u-1", "CREATE", Some(privileged()), None)).await.unwrap();
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    let response = &answer["response"];
    assert_eq!(answer["kind"], "AdmissionReview");
    assert_eq!(response["uid"], "u-1");
    assert_eq!(response["allowed"], false);
    let message = response["status"]["message"].as_str().unwrap();
    for code in ["KS001", "KS002", "KS013", "KS014", "KS016", "KS017"] {
        assert!(message.contains(code), "{code} missing: {message}");
    }
    assert!(message.starts_with("rampart denied this Pod: "), "{message}");
    // Its warnings travel too.
    let warnings: Vec<&str> = response["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert!(warnings.iter().any(|w| w.starts_with("rampart KS020:")), "{warnings:?}");

    // A hardened pod: allowed, nothing to warn about.
    let answer: Value =
        post(review("u-2", "UPDATE", Some(hardened()), Some(privileged()))).await.unwrap().json().await.unwrap();
    assert_eq!(answer["response"]["allowed"], true, "{answer}");
    assert!(answer["response"].get("warnings").is_none(), "{answer}");

    // A deletion carries no object to judge.
    let answer: Value = post(review("u-3", "DELETE", None, Some(privileged()))).await.unwrap().json().await.unwrap();
    assert_eq!(answer["response"]["allowed"], true, "{answer}");

    // Garbage: refused as invalid, with a 400.
    let answer = client.post(format!("{base}/validate")).body("{\"kind\": ").send().await.unwrap();
    assert_eq!(answer.status(), 400);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["response"]["allowed"], false);
    assert_eq!(answer["response"]["status"]["reason"], "InvalidRequest");

    // Mutation (this server applies unsafe fixes too): a JSON Patch that hardens the pod;
    // never a denial.
    let answer: Value =
        post_to("/mutate", review("u-5", "CREATE", Some(privileged()), None)).await.unwrap().json().await.unwrap();
    let response = &answer["response"];
    assert_eq!((response["allowed"].as_bool(), response["patchType"].as_str()), (Some(true), Some("JSONPatch")));
    use base64::Engine as _;
    let patch = base64::engine::general_purpose::STANDARD.decode(response["patch"].as_str().unwrap()).unwrap();
    let patch: json_patch::Patch = serde_json::from_slice(&patch).unwrap();
    let mut patched = privileged();
    json_patch::patch(&mut patched, &patch).unwrap();
    let security = &patched["spec"]["containers"][0]["securityContext"];
    assert_eq!(security["capabilities"]["drop"], json!(["ALL"]), "{patched}");
    assert_eq!(patched["spec"]["securityContext"]["seccompProfile"]["type"], "RuntimeDefault", "{patched}");
    assert!(patched["spec"].get("hostNetwork").is_none() && patched["spec"].get("hostPID").is_none(), "{patched}");
    // Whether it must be privileged is left to a human, and the validation still says so.
    assert_eq!(security["privileged"], true, "{patched}");
    // What is left for a human is still denied by the validation.
    let answer: Value = post(review("u-7", "CREATE", Some(patched), None)).await.unwrap().json().await.unwrap();
    let left = answer["response"]["status"]["message"].as_str().unwrap_or_default().to_owned();
    let patched_allowed = answer["response"]["allowed"].as_bool().unwrap();
    for fixed in ["KS002", "KS014", "KS016", "KS017"] {
        assert!(!left.contains(fixed), "{fixed} still reported after the patch: {left}");
    }
    assert!(left.contains("KS001"), "{left}");
    // The hardened pod needs nothing.
    let answer: Value =
        post_to("/mutate", review("u-6", "CREATE", Some(hardened()), None)).await.unwrap().json().await.unwrap();
    assert!(answer["response"].get("patch").is_none(), "{answer}");

    // A body beyond the limit is refused before it is read whole. Its own connection: the
    // server closes it mid-upload, and a pooled connection closed so would fail the next
    // request of the shared client.
    let huge = vec![b' '; 9 << 20];
    let answer = client
        .post(format!("{base}/validate"))
        .header(reqwest::header::CONNECTION, "close")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);

    // Health and metrics.
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let metrics = client.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    let (allowed, denied) = if patched_allowed { (5, 1) } else { (4, 2) };
    for line in [
        format!("rampart_admission_requests_total{{decision=\"allowed\"}} {allowed}"),
        format!("rampart_admission_requests_total{{decision=\"denied\"}} {denied}"),
        "rampart_admission_requests_total{decision=\"invalid\"} 1".to_string(),
        "rampart_admission_mutations_total 1".to_string(),
    ] {
        assert!(metrics.contains(&line), "{line} missing:\n{metrics}");
    }

    // The audit log: one JSON line per decision.
    let log = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let lines: Vec<Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 7, "{log}");
    assert_eq!(lines[4]["endpoint"], "mutate");
    assert!(lines[4]["decision"]["fixed_by"].as_array().unwrap().iter().any(|c| c == "KS002"), "{}", lines[4]);
    let denied = &lines[0]["decision"];
    assert_eq!((denied["uid"].as_str(), denied["allowed"].as_bool()), (Some("u-1"), Some(false)));
    assert_eq!(denied["user"], "alice");
    assert!(denied["denied_by"].as_array().unwrap().iter().any(|c| c == "KS001"), "{denied}");
    assert_eq!(lines[2]["decision"]["operation"], "DELETE");
    assert!(lines[3]["decision"]["invalid"].is_string());

    // TLS is real: a client that does not trust the CA is refused.
    let stranger = reqwest::Client::builder().resolve("localhost", address).build().unwrap();
    let refused = stranger.get(format!("{base}/healthz")).send().await;
    assert!(refused.is_err(), "a client without the CA must not connect");
}

//! `rampart serve`: a Kubernetes validating admission webhook that applies rampart's rules
//! to every object the API server sends, with the same configuration as the CLI — how rampart
//! scales past one machine.
//!
//! * `POST /validate`: an `admission.k8s.io/v1` `AdmissionReview` in, the decision out
//!   ([`review::review`]). Findings at level error deny; warnings are returned as admission
//!   warnings (`kubectl` prints them).
//!   Images that `[[signatures]]` policies name must carry a signature by one of their keys
//!   ([`signatures::Gate`]; the registry is asked once per image, then the answer is kept).
//! * `POST /mutate`: the same review answered with rampart's fixes as a JSON Patch (the safe
//!   ones; all with `--unsafe-fixes`) ([`review::mutate`]); it never denies.
//! * `GET /healthz`, `GET /readyz`: liveness and readiness.
//! * `GET /metrics`: Prometheus text — requests by decision, invalid requests, time spent.
//! * An audit log: one JSON line per decision (uid, operation, object, user, decision, rule
//!   codes), to a file or standard output.
//!
//! HTTPS only (the API server calls webhooks over TLS): rustls with the ring provider, the
//! certificate and key read from PEM files and re-read when they change on disk, so that a
//! rotated certificate (cert-manager) is served without a restart. Nothing on the request path
//! touches the network or the disk besides the audit log.

pub mod review;
pub mod signatures;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rampart_linter::Linter;
pub use rampart_linter::fix::FixMode;

/// The API server sends objects of at most a few MiB (etcd's limit is 1.5 MiB per object).
const MAX_BODY: usize = 8 << 20;
/// How often the certificate files are looked at for a rotation.
const RELOAD_EVERY: Duration = Duration::from_secs(30);

/// Where the audit log goes.
#[derive(Debug, Clone)]
pub enum AuditLog {
    Stdout,
    File(PathBuf),
    Off,
}

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    pub audit: AuditLog,
    /// Which fixes `/mutate` applies.
    pub mutate: FixMode,
}

#[derive(Default)]
struct Metrics {
    allowed: AtomicU64,
    denied: AtomicU64,
    invalid: AtomicU64,
    mutated: AtomicU64,
    micros: AtomicU64,
}

struct App {
    linter: Linter,
    mutate: FixMode,
    gate: Option<signatures::Gate>,
    metrics: Metrics,
    audit: Option<Mutex<Box<dyn Write + Send>>>,
}

/// The router, for [`serve`] and for tests that bring their own listener.
pub fn router(
    linter: Linter,
    mutate: FixMode,
    gate: Option<signatures::Gate>,
    audit: Option<Box<dyn Write + Send>>,
) -> Router {
    let app = Arc::new(App { linter, mutate, gate, metrics: Metrics::default(), audit: audit.map(Mutex::new) });
    Router::new()
        .route("/validate", post(validate))
        .route("/mutate", post(mutate_handler))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

#[derive(Clone, Copy)]
enum Endpoint {
    Validate,
    Mutate,
}

async fn validate(State(app): State<Arc<App>>, body: Bytes) -> Response {
    answer(app, body, Endpoint::Validate).await
}

async fn mutate_handler(State(app): State<Arc<App>>, body: Bytes) -> Response {
    answer(app, body, Endpoint::Mutate).await
}

async fn answer(app: Arc<App>, body: Bytes, endpoint: Endpoint) -> Response {
    let started = Instant::now();
    // Linting is CPU work of milliseconds: off the async workers so that health checks and
    // other requests keep their latency under a burst.
    let worker = app.clone();
    let decided = tokio::task::spawn_blocking(move || match endpoint {
        Endpoint::Validate => review::review(&worker.linter, worker.gate.as_ref(), &body),
        Endpoint::Mutate => review::mutate(&worker.linter, &body, worker.mutate),
    })
    .await;
    let decision = match decided {
        Ok(d) => d,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "the review failed\n").into_response(),
    };
    let metrics = &app.metrics;
    let counter = match (&decision.audit.invalid, decision.allowed()) {
        (Some(_), _) => &metrics.invalid,
        (None, true) => &metrics.allowed,
        (None, false) => &metrics.denied,
    };
    counter.fetch_add(1, Ordering::Relaxed);
    if !decision.audit.fixed_by.is_empty() {
        metrics.mutated.fetch_add(1, Ordering::Relaxed);
    }
    metrics.micros.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    if let Some(audit) = &app.audit {
        let time = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let endpoint = match endpoint {
            Endpoint::Validate => "validate",
            Endpoint::Mutate => "mutate",
        };
        let line = serde_json::json!({
            "time_ms": time,
            "endpoint": endpoint,
            "micros": started.elapsed().as_micros() as u64,
            "decision": &decision.audit,
        });
        if let Ok(mut out) = audit.lock() {
            // A full disk must not stop admission; the metrics still count the request.
            let _ = writeln!(out, "{line}").and_then(|_| out.flush());
        }
    }
    let status = if decision.audit.invalid.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    match decision.to_json() {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "the response could not be written\n").into_response(),
    }
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let m = &app.metrics;
    let (allowed, denied, invalid) =
        (m.allowed.load(Ordering::Relaxed), m.denied.load(Ordering::Relaxed), m.invalid.load(Ordering::Relaxed));
    let mutated = m.mutated.load(Ordering::Relaxed);
    let seconds = m.micros.load(Ordering::Relaxed) as f64 / 1e6;
    let text = format!(
        "# HELP rampart_admission_requests_total Admission reviews answered, by decision.\n\
         # TYPE rampart_admission_requests_total counter\n\
         rampart_admission_requests_total{{decision=\"allowed\"}} {allowed}\n\
         rampart_admission_requests_total{{decision=\"denied\"}} {denied}\n\
         rampart_admission_requests_total{{decision=\"invalid\"}} {invalid}\n\
         # HELP rampart_admission_mutations_total Objects changed by rampart's safe fixes.\n\
         # TYPE rampart_admission_mutations_total counter\n\
         rampart_admission_mutations_total {mutated}\n\
         # HELP rampart_admission_review_seconds_total Time spent deciding admission reviews.\n\
         # TYPE rampart_admission_review_seconds_total counter\n\
         rampart_admission_review_seconds_total {seconds}\n"
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

fn install_crypto_provider() {
    // Another part of the process may have installed it already: that is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn audit_writer(audit: &AuditLog) -> Result<Option<Box<dyn Write + Send>>, String> {
    Ok(match audit {
        AuditLog::Off => None,
        AuditLog::Stdout => Some(Box::new(std::io::stdout())),
        AuditLog::File(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("audit log {}: {e}", path.display()))?;
            Some(Box::new(file))
        }
    })
}

/// Serves until interrupted (SIGINT or SIGTERM: in-flight requests finish first). `ready`
/// is called with the bound address once the server listens.
pub fn serve(
    linter: Linter,
    gate: Option<signatures::Gate>,
    options: &ServeOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    install_crypto_provider();
    let audit = audit_writer(&options.audit)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("rampart-serve")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server runtime: {e}"))?;
    runtime.block_on(async {
        let tls =
            axum_server::tls_rustls::RustlsConfig::from_pem_file(&options.tls_cert, &options.tls_key).await.map_err(
                |e| format!("TLS certificate {} / key {}: {e}", options.tls_cert.display(), options.tls_key.display()),
            )?;
        let handle = axum_server::Handle::new();
        tokio::spawn(reload_on_change(tls.clone(), options.tls_cert.clone(), options.tls_key.clone()));
        tokio::spawn(shutdown_on_signal(handle.clone()));
        let server = axum_server::bind_rustls(options.listen, tls)
            .handle(handle.clone())
            .serve(router(linter, options.mutate, gate, audit).into_make_service());
        let serving = tokio::spawn(server);
        if let Some(address) = handle.listening().await {
            ready(address);
        }
        match serving.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("listening on {}: {e}", options.listen)),
            Err(e) => Err(format!("the server stopped: {e}")),
        }
    })
}

async fn shutdown_on_signal(handle: axum_server::Handle<SocketAddr>) {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = interrupt.await;
            handle.graceful_shutdown(Some(Duration::from_secs(10)));
            return;
        }
    };
    tokio::select! {
        _ = interrupt => {}
        _ = terminate.recv() => {}
    }
    handle.graceful_shutdown(Some(Duration::from_secs(10)));
}

fn modified(path: &PathBuf) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Re-reads the certificate and key when either file changes (a rotated secret is a new file).
async fn reload_on_change(tls: axum_server::tls_rustls::RustlsConfig, cert: PathBuf, key: PathBuf) {
    let mut seen = (modified(&cert), modified(&key));
    loop {
        tokio::time::sleep(RELOAD_EVERY).await;
        let now = (modified(&cert), modified(&key));
        if now != seen {
            match tls.reload_from_pem_file(&cert, &key).await {
                Ok(()) => {
                    eprintln!("rampart: serve: reloaded the TLS certificate {}", cert.display());
                    seen = now;
                }
                // A half-written pair: keep serving the old one and look again next time.
                Err(e) => eprintln!("rampart: serve: the new TLS certificate is not usable yet: {e}"),
            }
        }
    }
}

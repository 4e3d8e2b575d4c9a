#!/usr/bin/env bash
# Admission webhook throughput and latency: `rampart serve` (release build) on loopback with an
# openssl-made certificate, driven by ApacheBench (apache2-utils) over HTTPS with
# AdmissionReview bodies of a privileged pod (denied, 7 rules) and a hardened one (allowed),
# and a Deployment (the pod template path).
#
#   bench/webhook.sh [REQUESTS] [CONCURRENCY]      (default 5000, 8)
#
# Never part of the tests. No peer runs here (Kyverno and Gatekeeper need a cluster); the
# number to compare is the API server's webhook timeout (10 s by default) and its own
# per-request budget of a few milliseconds.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5000}
C=${2:-8}
cargo build --release --locked -p rampart_cli
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
target/release/rampart serve --listen 127.0.0.1:18443 --no-config --no-audit-log \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 100); do grep -q serving "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
review() {  # review NAME SPEC
  printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"b","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"name":"%s","namespace":"bench","operation":"CREATE","userInfo":{},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"bench"},"spec":%s}}}' "$1" "$1" "$2"
}
review miner '{"hostNetwork":true,"hostPID":true,"containers":[{"name":"c","image":"busybox","securityContext":{"privileged":true}}]}' >"$work/privileged.json"
review web '{"automountServiceAccountToken":false,"securityContext":{"runAsNonRoot":true,"runAsUser":10001,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"web","image":"registry.example/web@sha256:0f8a3c5d7e9b1a2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a2b3c4d5e6f7a8b9c0d","securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}},"resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"500m","memory":"256Mi"}},"livenessProbe":{"httpGet":{"path":"/healthz","port":8080}},"readinessProbe":{"httpGet":{"path":"/readyz","port":8080}}}]}' >"$work/hardened.json"
for body in privileged hardened; do
  echo "== $body pod: $N reviews, $C at a time"
  ab -q -n "$N" -c "$C" -k -p "$work/$body.json" -T application/json https://127.0.0.1:18443/validate 2>&1 |
    grep -E "Requests per second|Time per request.*\(mean\)$|Failed requests|Non-2xx|  50%|  99%"
done
grep -E 'decision="(allowed|denied)"' <(curl -sk https://127.0.0.1:18443/metrics) || true

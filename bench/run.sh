#!/usr/bin/env bash
# Benchmark: rampart against hadolint and `trivy config` on the same files, one run.
#
#   bench/run.sh [COUNT] [RUNS]      (default 500 Dockerfiles, 5 runs per tool)
#
# Builds rampart in release mode, installs the peers with ../shared/tools/install-peers.sh
# (into /tmp/peers unless PEERS_DIR is set), generates the corpora (deterministic):
#   bench/corpus     COUNT Dockerfiles (gen_dockerfiles.py)
#   bench/manifests  300 generated multi-document manifest files (gen_manifests.py, about
#                    1 400 objects) plus the shared real-world corpus ../shared/corpora/k8s-examples
# and prints median wall time, peak memory and the ratios for each. Never part of the tests:
# timings are not asserted anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-500}
RUNS=${2:-5}
PEERS_DIR=${PEERS_DIR:-/tmp/peers}

cargo build --release --locked -p rampart_cli
if [ ! -x "$PEERS_DIR/bin/trivy" ] || [ ! -x "$PEERS_DIR/bin/hadolint" ]; then
  bash ../shared/tools/install-peers.sh "$PEERS_DIR"
fi
rm -rf bench/corpus
python3 bench/gen_dockerfiles.py bench/corpus --count "$COUNT"
mkdir -p bench/out
python3 bench/compare.py --corpus bench/corpus --rampart target/release/rampart --peers "$PEERS_DIR/bin" \
  --runs "$RUNS" --json bench/out/dockerfiles.json

rm -rf bench/manifests
python3 bench/gen_manifests.py bench/manifests/generated --files 300
if [ -d ../shared/corpora/k8s-examples ]; then
  cp -r ../shared/corpora/k8s-examples bench/manifests/k8s-examples
fi
echo
python3 bench/compare.py --kind kubernetes --corpus bench/manifests --rampart target/release/rampart \
  --peers "$PEERS_DIR/bin" --runs "$RUNS" --json bench/out/manifests.json

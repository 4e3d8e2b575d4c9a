#!/usr/bin/env bash
# Image benchmark: rampart's SBOM against Syft and Trivy (CycloneDX) on the `big` reference
# image (2.2 GB, 6 layers), plus the floor: decompressing the layers and nothing else.
#
#   bench/image.sh [IMAGE_DIR] [RUNS]     (default /tmp/images/oci/big, 3 runs per tool)
#
# Builds rampart and the `decompress` example in release mode, installs the peers with
# ../shared/tools/install-peers.sh (into /tmp/peers unless PEERS_DIR is set) and builds the
# image with ../shared/tools/build-images.sh when it is missing (root, a Debian mirror, minutes).
# See bench/image.py for what is measured. Never part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${1:-/tmp/images/oci/big}
RUNS=${2:-3}
PEERS_DIR=${PEERS_DIR:-/tmp/peers}

cargo build --release --locked -p rampart_cli
cargo build --release --locked -p rampart_image --example decompress
if [ ! -x "$PEERS_DIR/bin/trivy" ] || [ ! -x "$PEERS_DIR/bin/syft" ]; then
  bash ../shared/tools/install-peers.sh "$PEERS_DIR"
fi
if [ ! -f "$IMAGE/index.json" ]; then
  OUT=$(dirname "$(dirname "$IMAGE")") bash ../shared/tools/build-images.sh "$(basename "$IMAGE")"
fi
mkdir -p bench/out
python3 bench/image.py --image "$IMAGE" --rampart target/release/rampart \
  --decompress target/release/examples/decompress --peers "$PEERS_DIR/bin" --runs "$RUNS" \
  --json bench/out/image.json

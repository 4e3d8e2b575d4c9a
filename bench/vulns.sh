#!/usr/bin/env bash
# Vulnerability database benchmark (issue 6):
#   1. generate 200 000 synthetic OSV records across 9 ecosystems as OSV `all.zip` exports
#      (crates/rampart_vulndb/examples/synth.rs, deterministic),
#   2. `rampart db import` them: records/s, database size against the zips' size,
#   3. `rampart scan image` the `big` reference image against that database with
#      RAMPART_TIMINGS=1: the time to match every package once the database is open.
#
#   bench/vulns.sh [RECORDS] [IMAGE_DIR]      (default 200000, /tmp/images/oci/big)
#
# Never part of the tests: timings are not asserted anywhere. The data lives in
# $SYNTH (default /tmp/osv-synth, about 200 MB) and is reused when present.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${1:-200000}
IMAGE=${2:-/tmp/images/oci/big}
SYNTH=${SYNTH:-/tmp/osv-synth}

cargo build --release --locked -p rampart_cli
cargo build --release --locked -p rampart_vulndb --example synth
if [ ! -f "$SYNTH/PyPI/all.zip" ]; then
  target/release/examples/synth "$SYNTH" "$RECORDS" >/dev/null
fi
db=$(mktemp -d)/osv.db
echo "== import ($(du -ch "$SYNTH"/*/all.zip | tail -1 | cut -f1) of zips), 3 runs"
rates=()
for run in 1 2 3; do
  out=$(/usr/bin/time -f "wall %e s, user %U s, sys %S s, peak %M KiB" target/release/rampart db import "$SYNTH" --db "$db" 2>&1 | grep -v "^  ")
  echo "$out"
  rates+=("$(grep -o '([0-9]* records/s)' <<<"$out" | tr -dc 0-9)")
done
echo "median: $(printf '%s\n' "${rates[@]}" | sort -n | sed -n 2p) records/s"
echo "database: $(du -h "$db" | cut -f1)"
if [ -f "$IMAGE/index.json" ]; then
  echo "== matching every package of $(basename "$IMAGE")"
  RAMPART_TIMINGS=1 target/release/rampart scan image "$IMAGE" --db "$db" --no-config -q --format concise 2>&1 >/dev/null |
    grep 'timings:'
fi
rm -rf "$(dirname "$db")"

#!/usr/bin/env python3
"""Image benchmark: rampart's SBOM against Syft's and Trivy's on the same OCI layout, one run.

    bench/image.sh [IMAGE_DIR] [RUNS]       (the wrapper builds rampart and installs the peers)
    bench/image.py --image /tmp/images/oci/big --rampart target/release/rampart \
                   --decompress target/release/examples/decompress --peers /tmp/peers/bin --runs 3

Every tool reads the same OCI image layout and writes a CycloneDX JSON SBOM to a file:
  rampart  rampart sbom DIR -f cyclonedx-json -o FILE -q
  syft     syft scan oci-dir:DIR -o cyclonedx-json=FILE -q
  trivy    trivy image --input DIR --format cyclonedx --cache-backend memory -o FILE -q
           (memory cache: Trivy otherwise reuses its layer analysis from an earlier run)
and the floor, `decompress`, only decompresses every layer in parallel with the decompressors
rampart uses and discards the bytes. Runs are interleaved (tool A, B, C, A, B, C, ...) so a
noisy neighbour hurts all alike; reported are the median wall time and the largest peak RSS
(whole process, from /usr/bin/time), and ratios against rampart. Timings are never asserted.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def measure(argv, env):
    """Runs argv under /usr/bin/time; returns (seconds, peak KiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        proc = subprocess.run(
            ["/usr/bin/time", "-o", timing.name, "-f", "%e %M"] + argv,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if proc.returncode != 0:
            sys.exit(f"{argv[0]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        seconds, kib = timing.read().split()[-2:]
        return float(seconds), int(kib)


def components(path):
    with open(path) as f:
        return len(json.load(f).get("components", []))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", required=True, help="an OCI image layout directory")
    ap.add_argument("--rampart", required=True)
    ap.add_argument("--decompress", required=True)
    ap.add_argument("--peers", required=True, help="directory with syft and trivy")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()

    env = dict(os.environ, TRIVY_DISABLE_TELEMETRY="true", TRIVY_SKIP_VERSION_CHECK="true",
               SYFT_CHECK_FOR_APP_UPDATE="false")
    out = tempfile.mkdtemp(prefix="rampart-bench-")
    tools = {
        "rampart": [args.rampart, "sbom", args.image, "-f", "cyclonedx-json", "-o", f"{out}/rampart.json", "-q"],
        "decompress": [args.decompress, args.image],
        "syft": [f"{args.peers}/syft", "scan", f"oci-dir:{args.image}", "-o", f"cyclonedx-json={out}/syft.json",
                 "-q"],
        "trivy": [f"{args.peers}/trivy", "image", "--input", args.image, "--format", "cyclonedx", "--cache-backend",
                  "memory", "--output", f"{out}/trivy.json", "--quiet"],
    }
    times = {name: [] for name in tools}
    peaks = {name: 0 for name in tools}
    for run in range(args.runs):
        for name, argv in tools.items():
            seconds, kib = measure(argv, env)
            times[name].append(seconds)
            peaks[name] = max(peaks[name], kib)
            print(f"  run {run + 1} {name:<10} {seconds:7.2f} s {kib / 1024:8.1f} MiB", file=sys.stderr)

    base_time = statistics.median(times["rampart"])
    base_peak = peaks["rampart"]
    results = {}
    print(f"\n{os.path.basename(args.image.rstrip('/'))}: median of {args.runs} runs, whole process")
    print(f"{'tool':<11}{'time':>9}{'peak RSS':>12}{'time ×':>9}{'memory ×':>10}{'components':>12}")
    for name in tools:
        t = statistics.median(times[name])
        count = components(f"{out}/{name}.json") if name != "decompress" else None
        results[name] = {"median_seconds": t, "peak_kib": peaks[name], "components": count, "runs": times[name]}
        print(f"{name:<11}{t:8.2f}s{peaks[name] / 1024:10.1f}Mi{t / base_time:8.2f}×{peaks[name] / base_peak:9.2f}×"
              f"{'' if count is None else count:>12}")
    floor = statistics.median(times["decompress"])
    print(f"\nrampart vs decompression alone: {base_time / floor:.2f}× (target ≤ 1.3×)")
    print(f"syft / rampart: {statistics.median(times['syft']) / base_time:.1f}× time (target ≥ 10×), "
          f"{peaks['syft'] / base_peak:.1f}× memory (target ≥ 8×)")
    print(f"trivy / rampart: {statistics.median(times['trivy']) / base_time:.1f}× time (target ≥ 2×)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()

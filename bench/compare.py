#!/usr/bin/env python3
"""Time rampart against its peers on the same inputs, in one run, and print the ratios.

Each tool runs as a whole process (start-up included) over the whole corpus, writing its
default report to /dev/null; every command runs once to warm caches, then RUNS times; the
median wall time and the peak resident memory are reported. Ratios, not absolute times,
are the result: the machine is shared and noisy.

    compare.py --corpus DIR --rampart BIN [--kind dockerfile|kubernetes] [--peers DIR] [--runs N] [--json OUT]

For Dockerfiles the peers are hadolint (all files in one process) and `trivy config`; for
Kubernetes manifests, `trivy config`.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - t
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)
"""


def measure(cmd, env):
    """Wall seconds and peak RSS (KiB) of one run of cmd, in a fresh measuring process so
    RUSAGE_CHILDREN covers only this command."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], env=env, capture_output=True, text=True, check=True)
    wall, rss, rc = out.stdout.split()
    return float(wall), int(rss), int(rc)


def dockerfiles(corpus):
    found = []
    for root, _, files in os.walk(corpus):
        for f in files:
            if f == "Dockerfile":
                found.append(os.path.join(root, f))
    return sorted(found)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--rampart", required=True)
    ap.add_argument("--peers", default="/tmp/peers/bin")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--kind", choices=["dockerfile", "kubernetes"], default="dockerfile")
    a = ap.parse_args()

    if a.kind == "dockerfile":
        files = dockerfiles(a.corpus)
    else:
        files = [os.path.join(root, f) for root, _, fs in os.walk(a.corpus) for f in fs if f.endswith((".yaml", ".yml", ".json"))]
    env = dict(os.environ)
    cache = tempfile.mkdtemp(prefix="bench-trivy-cache-")
    env.update({"TRIVY_DISABLE_TELEMETRY": "true", "TRIVY_SKIP_VERSION_CHECK": "true", "TRIVY_CACHE_DIR": cache, "NO_COLOR": "1"})
    tools = [("rampart", [a.rampart, "check", "--no-config", a.corpus])]
    hadolint = os.path.join(a.peers, "hadolint")
    trivy = os.path.join(a.peers, "trivy")
    if os.path.exists(hadolint) and a.kind == "dockerfile":
        tools.append(("hadolint", [hadolint, "--no-fail", "--no-color", *files]))
    if os.path.exists(trivy):
        tools.append(("trivy config", [trivy, "config", "--skip-check-update", "--quiet", a.corpus]))
    if len(tools) == 1:
        print("no peers found in", a.peers, "- run ../shared/tools/install-peers.sh", file=sys.stderr)

    what = "Dockerfiles" if a.kind == "dockerfile" else "manifest files"
    print(f"corpus: {len(files)} {what}, {sum(os.path.getsize(f) for f in files) // 1024} KiB; {a.runs} runs each after a warm-up\n")
    results = {}
    for name, cmd in tools:
        measure(cmd, env)  # warm-up
        walls, rss = [], []
        for _ in range(a.runs):
            w, r, _ = measure(cmd, env)
            walls.append(w)
            rss.append(r)
        results[name] = {"median_s": statistics.median(walls), "min_s": min(walls), "max_rss_mib": max(rss) / 1024}
    base = results["rampart"]["median_s"]
    print(f"{'tool':<14} {'median':>10} {'min':>10} {'peak RSS':>10} {'vs rampart':>11}")
    for name, r in results.items():
        ratio = r["median_s"] / base if base > 0 else float("inf")
        print(f"{name:<14} {r['median_s'] * 1000:>8.1f}ms {r['min_s'] * 1000:>8.1f}ms {r['max_rss_mib']:>7.1f}MiB {ratio:>10.1f}x")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"files": len(files), "results": results}, f, indent=2)


if __name__ == "__main__":
    main()

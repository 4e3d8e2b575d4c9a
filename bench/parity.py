#!/usr/bin/env python3
"""Compare what rampart finds with what hadolint and `trivy config` find, on the same files.

Every rampart rule names its counterparts in `equivalents` (hadolint:DL3008, trivy:DS-0002,
...). For each peer check this script counts the files where the peer reports it, the files
where rampart reports an equivalent rule, and both — so a gap is either a rampart miss or a
peer false alarm, and the listed examples say which.

    parity.py --corpus DIR --rampart BIN [--peers DIR] [--examples N]
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile


def dockerfiles(corpus):
    out = []
    for root, _, files in os.walk(corpus):
        out += [os.path.join(root, f) for f in files if f == "Dockerfile"]
    return sorted(out)


def rampart(bin_, corpus):
    p = subprocess.run([bin_, "check", "--no-config", "--format", "json", corpus], capture_output=True, text=True)
    doc = json.loads(p.stdout)
    by_file = collections.defaultdict(list)
    for f in doc["findings"]:
        by_file[os.path.abspath(f["path"])].append(f)
    return by_file


def hadolint(bin_, files):
    p = subprocess.run([bin_, "--no-fail", "-f", "json", *files], capture_output=True, text=True)
    by_file = collections.defaultdict(list)
    for f in json.loads(p.stdout or "[]"):
        by_file[os.path.abspath(f["file"])].append((f["code"], f["line"], f["message"]))
    return by_file


def trivy(bin_, corpus):
    env = dict(os.environ, TRIVY_DISABLE_TELEMETRY="true", TRIVY_SKIP_VERSION_CHECK="true", TRIVY_CACHE_DIR=tempfile.mkdtemp())
    p = subprocess.run([bin_, "config", "--skip-check-update", "--quiet", "-f", "json", corpus], capture_output=True, text=True, env=env)
    by_file = collections.defaultdict(list)
    for r in json.loads(p.stdout).get("Results") or []:
        path = os.path.abspath(os.path.join(corpus, r["Target"]))
        for m in r.get("Misconfigurations") or []:
            line = (m.get("CauseMetadata") or {}).get("StartLine", 0)
            by_file[path].append((m["ID"], line, m["Title"]))
    return by_file


def compare(tool, peer, ours, files, examples):
    codes = sorted({c for fs in peer.values() for c, _, _ in fs})
    print(f"\n## {tool}\n")
    print(f"{'peer check':<10} {'peer files':>10} {'rampart files':>14} {'both':>6}  rampart rules")
    gaps = []
    for code in codes:
        tag = f"{tool}:{code}"
        peer_files = {f for f, fs in peer.items() if any(c == code for c, _, _ in fs)}
        ours_files = {f for f, fs in ours.items() if any(tag in x["equivalents"] for x in fs)}
        rules = sorted({x["code"] for fs in ours.values() for x in fs if tag in x["equivalents"]})
        both = peer_files & ours_files
        print(f"{code:<10} {len(peer_files):>10} {len(ours_files):>14} {len(both):>6}  {', '.join(rules) or '-'}")
        for f in sorted(peer_files - ours_files)[:examples]:
            line, msg = next((l, m) for c, l, m in peer[f] if c == code)
            gaps.append(f"  {code} only in {tool}: {os.path.relpath(f)}:{line} {msg[:90]}")
        for f in sorted(ours_files - peer_files)[:examples]:
            x = next(x for x in ours[f] if tag in x["equivalents"])
            gaps.append(f"  {code} only in rampart ({x['code']}): {os.path.relpath(f)}:{x['line']} {x['message'][:90]}")
    if gaps:
        print("\nexamples of differences:")
        print("\n".join(gaps))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--rampart", required=True)
    ap.add_argument("--peers", default="/tmp/peers/bin")
    ap.add_argument("--examples", type=int, default=2)
    a = ap.parse_args()
    files = dockerfiles(a.corpus)
    ours = rampart(a.rampart, a.corpus)
    total = sum(len(v) for v in ours.values())
    print(f"{len(files)} Dockerfiles; rampart: {total} findings")
    h = os.path.join(a.peers, "hadolint")
    t = os.path.join(a.peers, "trivy")
    if os.path.exists(h):
        compare("hadolint", hadolint(h, files), ours, files, a.examples)
    if os.path.exists(t):
        compare("trivy", trivy(t, a.corpus), ours, files, a.examples)


if __name__ == "__main__":
    sys.exit(main())

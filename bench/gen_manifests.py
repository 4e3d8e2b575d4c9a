#!/usr/bin/env python3
"""Generate realistic Kubernetes manifests for benchmarks and robustness runs.

Multi-document files mixing Deployments, StatefulSets, DaemonSets, CronJobs, Jobs, Pods,
Services, ConfigMaps, ServiceAccounts, Roles, RoleBindings, NetworkPolicies and Namespaces, with
the usual spread of security contexts: hardened, partly hardened, and none. Deterministic for a
given seed.

    gen_manifests.py OUT_DIR [--files N] [--seed S]
"""

import argparse
import os
import random

IMAGES = ["nginx:1.27", "nginx", "redis:7.4-alpine", "postgres:16", "ghcr.io/acme/api:2.3.1",
          "registry.example.com/team/worker:latest",
          "gcr.io/distroless/static-debian12@sha256:6ec5aa99dc335666e79dc64e4a6c8b89c33a543a1967f20d360922a80dd21f02",
          "busybox:1.36", "python:3.12-slim", "node:20-alpine"]
NAMESPACES = ["shop", "payments", "default", None, "monitoring", "batch"]


def sc_container(r):
    x = r.random()
    if x < 0.3:
        return ["        securityContext:", "          runAsNonRoot: true", "          allowPrivilegeEscalation: false",
                "          readOnlyRootFilesystem: true", "          capabilities:", "            drop: [\"ALL\"]",
                "          seccompProfile:", "            type: RuntimeDefault"]
    if x < 0.55:
        return ["        securityContext:", f"          runAsUser: {r.choice([0, 1000, 10001])}",
                f"          allowPrivilegeEscalation: {r.choice(['true', 'false'])}"]
    if x < 0.62:
        return ["        securityContext:", "          privileged: true", "          capabilities:", "            add: [\"NET_ADMIN\", \"SYS_ADMIN\"]"]
    return []


def container(r, name):
    """Lines of one container, relative to the pod spec (an item of `containers:`)."""
    img = r.choice(IMAGES)
    lines = [f"      - name: {name}", f"        image: {img}"]
    if r.random() < 0.7:
        lines += ["        ports:", f"          - containerPort: {r.choice([80, 8080, 5432, 6379, 3000])}"]
        if r.random() < 0.08:
            lines.append("            hostPort: 8080")
    if r.random() < 0.6:
        lines += ["        resources:", "          requests:", f"            cpu: {r.choice(['100m', '250m', '1'])}",
                  f"            memory: {r.choice(['128Mi', '256Mi', '1Gi'])}", "          limits:", "            memory: 512Mi"]
    if r.random() < 0.5:
        lines += ["        livenessProbe:", "          httpGet: {path: /healthz, port: 8080}", "        readinessProbe:",
                  "          httpGet: {path: /ready, port: 8080}"]
    if r.random() < 0.4:
        lines += ["        env:", "          - name: LOG_LEVEL", "            value: info"]
        if r.random() < 0.2:
            lines += ["          - name: DB_PASSWORD", "            value: s3cr3t-Pa55word"]
        else:
            lines += ["          - name: DB_PASSWORD", "            valueFrom:", "              secretKeyRef: {name: db, key: password}"]
    lines += sc_container(r)
    # Written at six/eight spaces above; under `containers:` they sit at two/four.
    return [l[4:] for l in lines]


def pod_spec(r, indent):
    lines = []
    if r.random() < 0.4:
        lines += ["securityContext:", "  runAsNonRoot: true", "  seccompProfile:", "    type: RuntimeDefault"]
    if r.random() < 0.05:
        lines.append("hostNetwork: true")
    if r.random() < 0.3:
        lines.append("automountServiceAccountToken: false")
    lines.append("containers:")
    for i in range(r.randint(1, 3)):
        lines += container(r, f"c{i}")
    volumes = []
    if r.random() < 0.2:
        volumes += ["  - name: data", "    emptyDir: {}"]
    if r.random() < 0.05:
        volumes += ["  - name: sock", "    hostPath:", "      path: /var/run/docker.sock"]
    if r.random() < 0.03:
        volumes += ["  - name: host", "    hostPath: {path: /etc}"]
    if volumes:
        lines += ["volumes:"] + volumes
    return [indent + l for l in lines]


def meta(r, kind, name):
    ns = r.choice(NAMESPACES)
    lines = ["metadata:", f"  name: {name}"]
    if ns:
        lines.append(f"  namespace: {ns}")
    lines += ["  labels:", f"    app: {name}"]
    return lines


def workload(r, i):
    kind = r.choice(["Deployment", "Deployment", "Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Pod"])
    name = f"svc-{i}"
    api = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "CronJob": "batch/v1", "Job": "batch/v1", "Pod": "v1"}[kind]
    out = [f"apiVersion: {api}", f"kind: {kind}"] + meta(r, kind, name)
    if kind == "Pod":
        out += ["spec:"] + pod_spec(r, "  ")
    elif kind == "CronJob":
        out += ["spec:", "  schedule: \"*/5 * * * *\"", "  jobTemplate:", "    spec:", "      template:", "        spec:",
                "          restartPolicy: OnFailure"] + pod_spec(r, "          ")
    else:
        out += ["spec:", f"  replicas: {r.randint(1, 5)}", "  selector:", "    matchLabels:", f"      app: {name}", "  template:",
                "    metadata:", "      labels:", f"        app: {name}", "    spec:"] + pod_spec(r, "      ")
    return out


def extras(r, i):
    name = f"svc-{i}"
    docs = []
    if r.random() < 0.7:
        docs.append(["apiVersion: v1", "kind: Service", "metadata:", f"  name: {name}", "spec:", "  selector:", f"    app: {name}",
                     "  ports:", "    - port: 80", "      targetPort: 8080"])
    if r.random() < 0.3:
        docs.append(["apiVersion: v1", "kind: ConfigMap", "metadata:", f"  name: {name}-config", "data:", "  LOG_LEVEL: info",
                     "  config.yaml: |", "    server:", "      port: 8080"])
    if r.random() < 0.2:
        resource = r.choice(["pods", "secrets", '"*"'])
        docs.append(["apiVersion: rbac.authorization.k8s.io/v1", "kind: Role", "metadata:", f"  name: {name}-reader", "rules:",
                     '  - apiGroups: [""]', f"    resources: [{resource}]", "    verbs: [get, list, watch]"])
    if r.random() < 0.15:
        docs.append(["apiVersion: networking.k8s.io/v1", "kind: NetworkPolicy", "metadata:", "  name: default-deny", "spec:",
                     "  podSelector: {}", "  policyTypes: [Ingress, Egress]"])
    return docs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20261128)
    a = ap.parse_args()
    r = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    objects = 0
    for f in range(a.files):
        docs = []
        for i in range(r.randint(1, 3)):
            n = f * 10 + i
            docs.append(workload(r, n))
            docs += extras(r, n)
        objects += len(docs)
        with open(os.path.join(a.out, f"app-{f:04d}.yaml"), "w") as fh:
            fh.write("\n---\n".join("\n".join(d) for d in docs) + "\n")
    print(f"wrote {a.files} files with {objects} objects to {a.out}")


if __name__ == "__main__":
    main()

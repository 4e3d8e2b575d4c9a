use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;
use rampart_posture::{ContainerPosture, ContainerRole, Format, VolumeKind, Workload};

use super::util::{by_format, is_windows, normalize_host_path};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_security_context::{
    Change, compose_service, editor, json_append, json_insert, k8s_container, pod_spec, to_edits, with_fix, write,
};
use crate::rules::posture::{oci_missing_at, oci_root as root_of};

declare_rule! {
    /// A container's root filesystem is writable.
    ///
    /// ## What it does
    /// Reports every container (regular and init; Compose services; the OCI process) whose
    /// root filesystem is not read-only: Kubernetes `securityContext.readOnlyRootFilesystem`
    /// unset or `false`, Compose `read_only` unset or `false`, OCI `root.readonly` not
    /// `true`. It points at the `false` when one is written, otherwise at the container's
    /// name (for an OCI config, at its `root` key).
    ///
    /// Not reported: ephemeral containers (interactive debugging sessions) and Windows pods
    /// (`os.name: windows` or HostProcess), where the setting does not exist.
    ///
    /// ## Why
    /// An attacker who gets code execution in a container with a writable root filesystem
    /// can download tools, replace the application's binaries or libraries, plant a web
    /// shell or a cron job, and keep it until the container is recreated. With a read-only
    /// root the image stays as built; what the application must write goes to explicit
    /// volumes (an `emptyDir` for `/tmp`, a cache directory), which can be size-limited and
    /// mounted `noexec`.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    /// ```
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.4.2
    ///     securityContext:
    ///       readOnlyRootFilesystem: true
    ///     volumeMounts:
    ///       - {name: tmp, mountPath: /tmp}
    /// volumes:
    ///   - {name: tmp, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
    /// ```
    ///
    /// ## Fix
    /// - Kubernetes: `readOnlyRootFilesystem: true` in the container's `securityContext`, and an
    ///   `emptyDir` volume mounted at `/tmp` unless something is mounted there already (named
    ///   `tmp` in a one-container pod, `<container>-tmp` otherwise). When a Dockerfile in the tree
    ///   builds the image, each of its `VOLUME` paths gets an `emptyDir` too: Docker makes them
    ///   writable volumes, Kubernetes does not, so they would become read-only. The image's
    ///   `WORKDIR` is not mounted over: an `emptyDir` there would hide the application's files.
    /// - Compose: `read_only: true` and `tmpfs: [/tmp]` (Docker already mounts a volume at each
    ///   `VOLUME` path).
    /// - OCI: `root.readonly: true` and a `tmpfs` mount at `/tmp`
    ///   (`nosuid`, `nodev`, `mode=1777`).
    ///
    /// ## Fix safety
    /// Unsafe: an application that writes anywhere else on its root filesystem (a PID file in
    /// `/run`, a cache under its home, logs beside its binary, `/var/cache/nginx`) fails at run
    /// time. Neither the manifest nor the image facts say where a process writes, so only a run
    /// of the workload shows which other paths need a volume.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.7.3 (apply security contexts); CIS Docker Benchmark 5.12
    ///   "Ensure that the container's root filesystem is mounted as read only"
    /// - NIST SP 800-190 §4.4.3 (runtime configuration)
    /// - Kubernetes: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    pub struct WritableRootFilesystem {
        code: "KS020",
        name: "writable-root-filesystem",
        severity: Warning,
        tags: ["runtime", "hardening", "cis-docker:5.12", "nist-800-190:4.4.3", "seed:read-only-root"],
        equivalents: [
            "kyverno:require-ro-rootfs",
            "trivy:KSV-0014",
            "kube-linter:no-read-only-root-fs",
            "polaris:notReadOnlyRootFilesystem",
            "checkov:CKV_K8S_22",
        ],
        fix: Unsafe,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        if is_windows(cx, w) {
            continue;
        }
        let field = by_format(w, "readOnlyRootFilesystem: true", "read_only: true", "root.readonly: true");
        let scratch = by_format(w, "an `emptyDir` volume", "a `tmpfs`", "a `tmpfs`");
        for c in w.containers.iter().filter(|c| c.role != ContainerRole::Ephemeral) {
            let setting = &c.read_only_root_filesystem;
            if setting.value == Some(true) {
                continue;
            }
            let (span, label) = match setting.span() {
                Some(span) if setting.value == Some(false) => (
                    span,
                    by_format(
                        w,
                        "the image's files can be changed at run time",
                        "the image's files can be changed at run time",
                        "the bundle's root filesystem can be changed at run time",
                    )
                    .to_string(),
                ),
                // OCI: `readonly` belongs in `root`, not in `process`.
                _ if w.format == Format::Oci => (
                    oci_missing_at(cx, w, &["root", "readonly"]).unwrap_or_else(|| w.span.clone()),
                    format!("no `{field}`"),
                ),
                _ => (c.anchor.clone(), format!("no `{field}`")),
            };
            out.push(with_fix(
                cx.finding(&INFO, span, format!("{} has a writable root filesystem", container_label(w, c)))
                    .with_label(label)
                    .with_help(format!(
                        "set `{field}`, and mount {scratch} where the application must write (`/tmp`, caches)"
                    )),
                fix(cx, w, c),
            ));
        }
    }
}

/// A Kubernetes volume name (a DNS label) for a path: `/var/lib/data` → `var-lib-data`.
fn volume_name(path: &str) -> String {
    let mut name = String::new();
    for ch in path.chars() {
        let ch = ch.to_ascii_lowercase();
        if ch.is_ascii_alphanumeric() {
            name.push(ch);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-');
    if name.is_empty() { "data".to_string() } else { name.chars().take(50).collect() }
}

/// Paths that must stay writable: `/tmp`, and the image's `VOLUME`s (Kubernetes only).
fn writable_paths(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> Vec<String> {
    let mut paths = vec!["/tmp".to_string()];
    if w.format == Format::Kubernetes
        && let Some(facts) = cx.image_facts(c)
    {
        for v in &facts.volumes {
            if let Some(p) = normalize_host_path(v)
                && p != "/"
                && !paths.contains(&p)
            {
                paths.push(p);
            }
        }
    }
    paths.retain(|p| !c.mounts.iter().any(|m| normalize_host_path(&m.target).as_deref() == Some(p.as_str())));
    paths
}

fn fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> Option<Fix> {
    match w.format {
        Format::Kubernetes => kubernetes_fix(cx, w, c),
        Format::Compose => compose_fix(cx, w, c),
        Format::Oci => oci_fix(cx, w, c),
    }
}

fn kubernetes_fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> Option<Fix> {
    let paths = writable_paths(cx, w, c);
    let single = w.containers.iter().filter(|x| x.role != ContainerRole::Ephemeral).count() == 1;
    let mut taken: Vec<String> = w.volumes.iter().map(|v| v.name.clone()).collect();
    let mut container_changes: Vec<(&[&str], Change)> =
        vec![(&["securityContext", "readOnlyRootFilesystem"], Change::Set(Val::Bool(true)))];
    let mut volumes = Vec::new();
    for path in &paths {
        let base = volume_name(path);
        let base = if single { base } else { format!("{}-{base}", volume_name(&c.name)) };
        // An emptyDir of that name no container mounts yet is reused; otherwise a new name.
        let unused_empty_dir = |name: &str| {
            w.volume(name).is_some_and(|v| v.kind == VolumeKind::EmptyDir)
                && !w.containers.iter().any(|x| x.mounts.iter().any(|m| m.volume == name))
        };
        let name = if unused_empty_dir(&base) {
            base
        } else {
            let mut n = 1;
            let mut name = base.clone();
            while taken.contains(&name) {
                n += 1;
                name = format!("{base}-{n}");
            }
            taken.push(name.clone());
            volumes.push(Val::Map(vec![("name".into(), Val::str(&name)), ("emptyDir".into(), Val::Map(Vec::new()))]));
            name
        };
        container_changes.push((
            &["volumeMounts"],
            Change::Add(Val::Map(vec![("name".into(), Val::str(name)), ("mountPath".into(), Val::str(path))])),
        ));
    }
    // The container's lines first: at the same offset, they belong before the pod's.
    let mut edits = write(cx.file.text(), k8s_container(cx, c)?, &container_changes)?;
    if !volumes.is_empty() {
        let changes: Vec<(&[&str], Change)> = volumes.into_iter().map(|v| (&["volumes"][..], Change::Add(v))).collect();
        edits.extend(write(cx.file.text(), pod_spec(cx, w)?, &changes)?);
    }
    let message = match paths.as_slice() {
        [] => "Set `readOnlyRootFilesystem: true`".to_string(),
        [one] => format!("Set `readOnlyRootFilesystem: true`, with an `emptyDir` at {one}"),
        more => format!("Set `readOnlyRootFilesystem: true`, with `emptyDir` volumes at {}", more.join(", ")),
    };
    Some(Fix::unsafe_(message, to_edits(edits)))
}

fn compose_fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> Option<Fix> {
    let ed = editor(cx);
    let svc = compose_service(cx, w)?;
    let tmp = !writable_paths(cx, w, c).is_empty();
    let mut edits = ed.set(svc, "read_only", &Val::Bool(true))?;
    if tmp {
        match svc.get("tmpfs") {
            // `tmpfs: /run`: a list of both.
            Some(one) if one.as_string().is_some() => {
                let existing = Val::str(one.as_string()?);
                edits.extend(ed.replace(one, &Val::List(vec![existing, Val::str("/tmp")]))?);
            }
            _ => edits.extend(write(cx.file.text(), svc, &[(&["tmpfs"], Change::Add(Val::str("/tmp")))])?),
        }
    }
    let message = if tmp { "Set `read_only: true`, with a `tmpfs` at /tmp" } else { "Set `read_only: true`" };
    Some(Fix::unsafe_(message, to_edits(edits)))
}

fn oci_fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> Option<Fix> {
    let ed = editor(cx);
    let root = root_of(cx, w)?;
    let fs = root.get("root").filter(|r| r.is_map())?;
    let mut edits = ed.set(fs, "readonly", &Val::Bool(true))?;
    let tmp = !writable_paths(cx, w, c).is_empty();
    if tmp {
        let mount = Val::Map(vec![
            ("destination".into(), Val::str("/tmp")),
            ("type".into(), Val::str("tmpfs")),
            ("source".into(), Val::str("tmpfs")),
            ("options".into(), Val::List(vec![Val::str("nosuid"), Val::str("nodev"), Val::str("mode=1777")])),
        ]);
        match root.get("mounts") {
            Some(list) => edits.extend(json_append(cx, list, &mount)?),
            None => edits.extend(json_insert(cx, root, "mounts", &Val::List(vec![mount]))?),
        }
    }
    let message =
        if tmp { "Set `root.readonly: true`, with a `tmpfs` mount at /tmp" } else { "Set `root.readonly: true`" };
    Some(Fix::unsafe_(message, to_edits(edits)))
}

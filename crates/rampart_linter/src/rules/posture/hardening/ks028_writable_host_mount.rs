use rampart_diagnostics::{Edit, Fix};
use rampart_posture::edit::Val;
use rampart_posture::{Format, Mount, VolumeKind, Workload};
use rampart_yaml::{Node, ScalarStyle};

use super::util::{by_format, node_at, normalize_host_path};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_pod::{self, FileEditor, within};

declare_rule! {
    /// A host path is mounted writable into a container.
    ///
    /// ## What it does
    /// Reports every mount of a `hostPath` volume (Kubernetes) or bind mount (Compose, OCI)
    /// into a container without `readOnly: true` (Compose `:ro` / `read_only: true`, OCI
    /// `ro`), in regular, init and ephemeral containers. It points at `readOnly: false` when
    /// written, otherwise at the mount path. Sockets (`*.sock`) are not reported: read-only
    /// does not stop a process from connecting to one (KS026 reports the runtimes' sockets).
    ///
    /// ## Why
    /// A writable host path lets the container change the node: plant a binary or a cron
    /// job where the host runs it, fill the node's disk, or leave a symlink that a
    /// privileged host process follows (the `/var/log` escape). It also survives the pod, so
    /// a compromise persists across restarts and leaks to the next workload scheduled there.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: agent
    ///     image: registry.example.com/agent:2.0.1
    ///     volumeMounts:
    ///       - {name: config, mountPath: /host/config}
    /// volumes:
    ///   - {name: config, hostPath: {path: /opt/agent/config}}
    /// ```
    /// Use instead:
    /// ```yaml
    ///     volumeMounts:
    ///       - {name: config, mountPath: /host/config, readOnly: true}
    /// ```
    ///
    /// ## Fix
    /// Makes the mount read-only in the file's own syntax: `readOnly: true` on the Kubernetes
    /// volume mount (replacing `readOnly: false`); in Compose, `:ro` appended to a short bind
    /// mount (`rw` replaced by `ro`, or `,ro` added to other modes such as `z`) or
    /// `read_only: true` on a long one; in an OCI config, `ro` in the mount's `options` (in
    /// place of the `rw` that decides). Compose mounts a service inherits through `extends`
    /// are not changed (the base may serve other services).
    ///
    /// ## Fix safety
    /// Unsafe: a workload that writes there (a log shipper's position file, a CSI driver, a
    /// backup agent restoring files) then fails with "read-only file system".
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.5; CIS Kubernetes Benchmark 5.7
    /// - NIST SP 800-190 §4.4.3 (runtime configuration)
    /// - CWE-668: Exposure of Resource to Wrong Sphere
    pub struct WritableHostMount {
        code: "KS028",
        name: "writable-host-mount",
        severity: Warning,
        tags: ["isolation", "cis-docker:5.5", "cwe:668", "nist-800-190:4.4.3", "seed:isolation"],
        equivalents: ["kube-linter:writable-host-mount"],
        fix: Unsafe,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        for c in &w.containers {
            for m in &c.mounts {
                if m.read_only.value {
                    continue;
                }
                let Some(VolumeKind::HostPath { path, .. }) = w.volume(&m.volume).map(|v| &v.kind) else { continue };
                let shown = normalize_host_path(path).unwrap_or_else(|| path.clone());
                if shown.ends_with(".sock") {
                    continue;
                }
                let (span, label) = match m.read_only.span() {
                    Some(span) => (
                        span,
                        by_format(
                            w,
                            "the container can change these files of the node",
                            "the container can change these files of the host",
                            "the container can change these files of the host",
                        )
                        .to_string(),
                    ),
                    None => {
                        let written = node_at(cx, &m.span);
                        // The mount's target: Kubernetes `mountPath`, OCI `destination`, the
                        // Compose long syntax's `target` (the short syntax is one string).
                        let target = written
                            .and_then(|n| {
                                n.get("mountPath").or_else(|| n.get("destination")).or_else(|| n.get("target"))
                            })
                            .map_or_else(|| m.span.clone(), |n| n.span.clone());
                        let long = written.is_some_and(|n| n.is_map());
                        let missing =
                            by_format(w, "readOnly: true", if long { "read_only: true" } else { ":ro" }, "ro");
                        (target, format!("no `{missing}`"))
                    }
                };
                let at = if m.target.is_empty() { String::new() } else { format!(" at `{}`", m.target) };
                let mut finding =
                    cx.finding(
                        &INFO,
                        span,
                        format!("{} mounts the host's `{shown}` writable{at}", container_label(w, c)),
                    )
                    .with_label(label)
                    .with_help(by_format(
                        w,
                        "add `readOnly: true` to the volume mount; if the workload must write, give it an `emptyDir` or a PersistentVolumeClaim instead",
                        if node_at(cx, &m.span).is_some_and(|n| n.is_map()) {
                            "set `read_only: true` on the bind mount; if the service must write, give it a named volume instead"
                        } else {
                            "add `:ro` to the bind mount; if the service must write, give it a named volume instead"
                        },
                        if m.read_only.is_explicit() { "replace `rw` with `ro` in the mount's options" } else { "add `ro` to the mount's options" },
                    ));
                if let Some(edits) = fix(cx, w, m) {
                    finding = finding.with_fix(Fix::unsafe_("Mount it read-only", edits));
                }
                out.push(finding);
            }
        }
    }
}

fn fix(cx: &ManifestContext<'_>, w: &Workload, m: &Mount) -> Option<Vec<Edit>> {
    let ed = FileEditor::new(cx);
    let mount = fix_pod::node(cx, &m.span)?;
    match w.format {
        Format::Kubernetes => ed.set(mount, "readOnly", &Val::Bool(true)),
        Format::Compose if !within(&w.span, &m.span) => None,
        Format::Compose if mount.is_map() => ed.set(mount, "read_only", &Val::Bool(true)),
        Format::Compose => compose_short(cx, &ed, mount),
        Format::Oci => match m.read_only.span().and_then(|s| fix_pod::node(cx, &s)) {
            Some(rw) => ed.replace(rw, &Val::str("ro")),
            None => ed.append(mount, &["options"], &Val::str("ro")),
        },
    }
}

/// `src:dst` → `src:dst:ro`, `src:dst:rw` → `src:dst:ro`, `src:dst:z` → `src:dst:z,ro`: a
/// byte-exact edit when the scalar's text is written as is, else the whole scalar rewritten.
fn compose_short(cx: &ManifestContext<'_>, ed: &FileEditor<'_>, mount: &Node) -> Option<Vec<Edit>> {
    let (text, style) = mount.scalar()?;
    let colons: Vec<usize> = text.match_indices(':').map(|(i, _)| i).collect();
    // A Windows drive (`C:\data`) is no separator.
    let drive = text.len() >= 3 && text.as_bytes()[0].is_ascii_alphabetic() && text[1..].starts_with(":\\");
    let colons: Vec<usize> = colons.into_iter().filter(|i| !(drive && *i == 1)).collect();
    // (offset in the text, bytes replaced, new text)
    let (at, len, insert) = match colons.as_slice() {
        [_] => (text.len(), 0, ":ro".to_string()),
        [_, mode, ..] => {
            let start = mode + 1;
            let opts: Vec<(usize, &str)> = text[start..]
                .split(',')
                .scan(start, |pos, o| {
                    let here = *pos;
                    *pos += o.len() + 1;
                    Some((here, o))
                })
                .collect();
            match opts.iter().rev().find(|(_, o)| o.trim() == "rw") {
                Some((pos, o)) => (*pos, o.len(), "ro".to_string()),
                None => (text.len(), 0, ",ro".to_string()),
            }
        }
        [] => return None,
    };
    let written = mount.span.end - mount.span.start;
    let offset = match style {
        ScalarStyle::Plain if written == text.len() => Some(0),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if written == text.len() + 2 => Some(1),
        _ => None,
    };
    let raw = cx.file.text().get(mount.span.clone())?;
    match offset {
        Some(o) if raw.get(o..o + text.len()) == Some(text) => {
            let start = mount.span.start + o + at;
            Some(vec![Edit::replace(rampart_diagnostics::Span::new(start, start + len), insert)])
        }
        _ => {
            let mut new = text.to_string();
            new.replace_range(at..at + len, &insert);
            ed.replace(mount, &Val::Str(new))
        }
    }
}

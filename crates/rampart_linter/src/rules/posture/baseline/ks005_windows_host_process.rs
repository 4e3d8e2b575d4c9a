use rampart_diagnostics::Fix;
use rampart_posture::edit::Val;

use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::fix_pod::{FileEditor, node};

declare_rule! {
    /// A pod or container runs as a Windows HostProcess container.
    ///
    /// ## What it does
    /// Reports `securityContext.windowsOptions.hostProcess: true` on the pod (it applies to
    /// every container) and on each container (regular, init and ephemeral) that sets it
    /// itself, at the value.
    ///
    /// ## Why
    /// A HostProcess container is not isolated at all: it runs directly on the Windows
    /// node, in the host's network, with the host's file system and as a host account such as
    /// `NT AUTHORITY\SYSTEM`. It is the Windows equivalent of a privileged container in the
    /// host's namespaces.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     windowsOptions:
    ///       hostProcess: true
    ///       runAsUserName: "NT AUTHORITY\\SYSTEM"
    ///   hostNetwork: true
    /// ```
    /// Use instead: remove `hostProcess` (and `hostNetwork`) and give the workload only the
    /// access it needs, through volumes and Services.
    ///
    /// ## Fix
    /// Writes `hostProcess: false` where `hostProcess: true` is written, on the pod and on
    /// each container that sets it (Kubernetes requires every container of a HostProcess
    /// pod to be one, so all of them are fixed together). `false` is what the baseline
    /// allows; the rest of `windowsOptions` (`runAsUserName`) is left alone.
    ///
    /// ## Fix safety
    /// Unsafe: node agents written as HostProcess containers need the host by design (they
    /// belong in a namespace whose Pod Security level is `privileged`); without it they run
    /// in a container and may no longer start, and a `runAsUserName` of a host account
    /// (`NT AUTHORITY\SYSTEM`) must then be changed to a container account.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: "HostProcess"
    ///   <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - CIS Kubernetes Benchmark 5.2.11
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/>
    pub struct WindowsHostProcess {
        code: "KS005",
        name: "windows-host-process",
        severity: Error,
        tags: ["pss:baseline", "pss-control:host-process", "privileges", "cwe:250", "seed:isolation"],
        equivalents: [
            "pss:baseline/host-process",
            "kyverno:disallow-host-process",
            "trivy:KSV-0103",
        ],
        fix: Unsafe,
    }
}

const LABEL: &str = "runs on the Windows node itself, with the host's network, files and accounts";

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        if let Some(pod) = &w.pod.windows_host_process
            && pod.value
            && let Some(span) = pod.span()
        {
            let finding = cx
                .finding(
                    &INFO,
                    span.clone(),
                    format!("{} runs its containers as Windows HostProcess containers", w.describe()),
                )
                .with_label(LABEL)
                .with_help("remove `hostProcess: true`");
            out.push(with_fix(cx, finding, &span));
        }
        for c in &w.containers {
            let setting = &c.windows_host_process;
            if setting.value == Some(true)
                && setting.is_explicit()
                && let Some(span) = setting.span()
            {
                let finding = cx
                    .finding(
                        &INFO,
                        span.clone(),
                        format!("{} runs as a Windows HostProcess container", container_label(w, c)),
                    )
                    .with_label(LABEL)
                    .with_help("remove `hostProcess: true`");
                out.push(with_fix(cx, finding, &span));
            }
        }
    }
}

/// `hostProcess: false` where `true` is written.
fn with_fix(cx: &ManifestContext<'_>, finding: Finding, span: &std::ops::Range<usize>) -> Finding {
    let edits = node(cx, span).and_then(|n| FileEditor::new(cx).replace(n, &Val::Bool(false)));
    match edits {
        Some(edits) => finding.with_fix(Fix::unsafe_("Set `hostProcess: false`", edits)),
        None => finding,
    }
}

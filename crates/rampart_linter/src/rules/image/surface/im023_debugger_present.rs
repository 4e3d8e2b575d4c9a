use super::{Tools, report};
use crate::image::{ImageContext, Pending};

declare_rule! {
    /// A debugger or tracer is present in the final image.
    ///
    /// ## What it does
    /// Looks for debuggers and tracers on the standard executable paths of the final
    /// filesystem: `gdb`, `gdbserver`, `lldb`, `strace`, `ltrace`, `valgrind`, `perf`, `dlv`.
    /// Each is reported once, symlinks followed inside the image. `[images.allow] debuggers =
    /// ["strace"]` accepts one.
    ///
    /// ## Why
    /// A debugger reads and rewrites the memory of the processes it can attach to: secrets,
    /// session keys, the application's code. In a container that runs with `SYS_PTRACE` (often
    /// added for exactly these tools) it is a ready-made way to take over the application.
    /// Debug with an ephemeral container (`kubectl debug`) instead of shipping the tools.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get install -y gdb strace
    /// ```
    /// Use instead: nothing in the image, and when needed
    /// `kubectl debug -it POD --image=busybox --target=app`.
    ///
    /// ## Fix
    /// Remove the packages from the Dockerfile (or move them to a debug variant of the image).
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3: Ensure that unnecessary packages are not installed in the container
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    /// - Kubernetes: ephemeral containers <https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container>
    pub struct DebuggerPresent {
        code: "IM023",
        name: "image-debugger-present",
        severity: Warning,
        tags: ["attack-surface", "image", "cis-docker:4.3", "nist-800-190:4.1.2", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

const TOOLS: Tools = Tools {
    groups: &[&["gdb"], &["gdbserver"], &["lldb"], &["strace"], &["ltrace"], &["valgrind"], &["perf"], &["dlv"]],
    what: "debugger",
    allow_key: "debuggers",
};

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    report(cx, out, &INFO, &TOOLS, &cx.options.debuggers);
}

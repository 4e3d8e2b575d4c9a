use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::Manager;

use super::common::{kept_packages, list, noun, report};

declare_rule! {
    /// Debuggers and network tools are installed in the final image.
    ///
    /// ## What it does
    /// Reports OS-package installs of debuggers and network tools — `gdb`, `strace`, `ltrace`,
    /// `valgrind`, `perf`/`linux-perf`, `bpftrace`, `tcpdump`, `ngrep`, `nmap`, netcat
    /// (`nc`, `netcat`, `netcat-openbsd`, `netcat-traditional`, `ncat`, `nmap-ncat`), `socat`
    /// and `telnet` — in a stage that ends up in the final image, unless a later command of
    /// the final image removes them. Builder stages that are only copied from are not
    /// reported.
    ///
    /// ## Why
    /// These are an attacker's toolkit, pre-installed: tracing and attaching to other
    /// processes to read their memory and secrets, sniffing traffic, scanning the cluster
    /// network, opening reverse shells and relaying connections. Production images should not
    /// carry them; debug a running container with an ephemeral debug container instead
    /// (`kubectl debug`, `docker debug`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y strace netcat-openbsd
    /// ```
    /// Use instead: leave them out, and attach them only when debugging:
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
    /// ```
    /// `kubectl debug -it pod/app --image=nicolaka/netshoot --target=app`
    ///
    /// ## Fix safety
    /// No automatic fix: whether the image relies on the tool needs a human.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 "Ensure that unnecessary packages are not installed in the container"
    /// - NIST SP 800-190 §4.1.1 (image vulnerabilities)
    /// - Ephemeral debug containers: <https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container>
    pub struct DebuggersInFinalStage {
        code: "DF022",
        name: "debuggers-in-final-stage",
        severity: Warning,
        tags: ["attack-surface", "cis-docker:4.3", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

pub(crate) fn is_debug_tool(_manager: Manager, name: &str) -> bool {
    matches!(
        name,
        "gdb"
            | "strace"
            | "ltrace"
            | "valgrind"
            | "tcpdump"
            | "perf"
            | "linux-perf"
            | "linux-tools-common"
            | "linux-tools-generic"
            | "bpftrace"
            | "ngrep"
            | "nmap"
            | "nc"
            | "netcat"
            | "netcat-openbsd"
            | "netcat-traditional"
            | "ncat"
            | "nmap-ncat"
            | "socat"
            | "telnet"
            | "inetutils-telnet"
    )
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for kept in kept_packages(cx, &is_debug_tool) {
        let message = format!(
            "{} {} installed in the final image",
            noun(&kept.names, "debugging/network tool", "debugging/network tools"),
            list(&kept.names)
        );
        out.push(report(cx, &INFO, &kept, message, "attacker tooling kept").with_help(
            "leave debugging tools out of the image; attach them when needed with an ephemeral debug container (`kubectl debug`)",
        ));
    }
}

use rampart_dockerfile::Body;

use super::util::parse_port;
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// An `EXPOSE` port is invalid.
    ///
    /// ## What it does
    /// Checks each `EXPOSE` argument, after expanding build arguments, as the builder reads
    /// it: a port from 0 to 65535 or a range `start-end` with `start <= end`, optionally
    /// followed by `/tcp`, `/udp` or `/sctp`. It reports numbers out of range, words that
    /// are not numbers, reversed ranges, unknown protocols, and host mappings such as
    /// `8080:80`, which `EXPOSE` does not support. Arguments with a build argument that has
    /// no value are skipped.
    ///
    /// ## Why
    /// An invalid port fails the build or, for a host mapping, is silently reduced to the
    /// container port: either way the Dockerfile does not say what the author meant, and
    /// tools that read the exposed ports (orchestrators, scanners) see something else.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 80800 8080:80 443/https
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 8080 80 443/tcp
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the intended port is not known.
    ///
    /// ## References
    /// - EXPOSE: <https://docs.docker.com/reference/dockerfile/#expose>
    pub struct ExposeInvalidPort {
        code: "DF071",
        name: "expose-invalid-port",
        severity: Error,
        tags: ["runtime", "correctness"],
        equivalents: ["hadolint:DL3011", "trivy:DS-0008"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for (i, instr) in cx.all_instructions() {
        let Body::Expose(words) = &instr.body else { continue };
        for word in words {
            let value = cx.expand(i, word);
            if !value.is_complete() {
                continue;
            }
            if let Err(why) = parse_port(&value.value) {
                out.push(
                    cx.finding(&INFO, word.span.clone(), format!("`EXPOSE {}` is not a valid port", value.value))
                        .with_label(why)
                        .with_help(
                            "write a port (0-65535) or a range `start-end`, optionally with `/tcp`, `/udp` or `/sctp`",
                        ),
                );
            }
        }
    }
}

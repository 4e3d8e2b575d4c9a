use rampart_dockerfile::Keyword;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// A `RUN` asks for an insecure build entitlement: `--security=insecure` or `--network=host`.
    ///
    /// ## What it does
    /// Reports `RUN --security=insecure` (the step runs as a privileged container) and
    /// `RUN --network=host` (the step shares the build host's network), in every stage and
    /// in `ONBUILD` triggers.
    ///
    /// ## Why
    /// Both need the builder to grant an entitlement (`--allow security.insecure`,
    /// `--allow network.host`) because they break the build sandbox. A privileged step has
    /// every capability and the host's devices: a compromised package or install script can
    /// take over the build machine, steal other builds' secrets and caches, or poison
    /// images. Host networking exposes services that listen only on the build host
    /// (cloud metadata endpoints, local registries, databases) to whatever the step runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN --security=insecure mount -t tmpfs none /mnt && ./build.sh
    /// RUN --network=host curl http://localhost:8080/artifact -o /app.tgz
    /// ```
    /// Use instead — do the privileged work outside the image build, and fetch artifacts
    /// from a reachable address:
    /// ```dockerfile
    /// RUN --mount=type=tmpfs,target=/mnt ./build.sh
    /// ADD --checksum=sha256:… https://artifacts.example.com/app.tgz /app.tgz
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the step needs the entitlement for something, which must be done
    /// another way.
    ///
    /// ## References
    /// - NIST SP 800-190 §4.4.3 (insecure container runtime configurations)
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - RUN --security and --network: <https://docs.docker.com/reference/dockerfile/#run---security>
    /// - Build entitlements: <https://docs.docker.com/reference/cli/docker/buildx/build/#allow>
    pub struct InsecureBuildEntitlement {
        code: "DF064",
        name: "insecure-build-entitlement",
        severity: Error,
        tags: ["security", "cwe:250", "nist-800-190:4.4.3"],
        equivalents: [],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for (_, instr) in cx.all_instructions() {
        if instr.keyword != Keyword::Run {
            continue;
        }
        for flag in &instr.flags {
            let value = flag.value.as_deref().unwrap_or("").trim().to_ascii_lowercase();
            let finding = match (flag.name.as_str(), value.as_str()) {
                ("security", "insecure") => cx
                    .finding(&INFO, flag.span.clone(), "`RUN --security=insecure` runs this step as a privileged container")
                    .with_label("full capabilities and host devices during the build")
                    .with_help("do the privileged work outside the image build; for a scratch file system use `--mount=type=tmpfs`"),
                ("network", "host") => cx
                    .finding(&INFO, flag.span.clone(), "`RUN --network=host` gives this step the build host's network")
                    .with_label("reaches services that only listen on the build host")
                    .with_help("fetch what the step needs from an address reachable from the default build network, or use `--network=none` where nothing is downloaded"),
                _ => continue,
            };
            out.push(finding);
        }
    }
}

use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::Manager;

use super::common::{kept_packages, list, noun, report, versioned};

declare_rule! {
    /// A compiler toolchain is installed in the final image.
    ///
    /// ## What it does
    /// Reports OS-package installs of compilers and build tools — `gcc`, `g++`, `cpp`, `clang`,
    /// `llvm` (and their versioned packages such as `gcc-12` or `clang17`), `build-essential`,
    /// Alpine's `build-base`, `gcc-c++`, `gfortran`, `make`, `cmake`, `autoconf`, `automake`,
    /// `libtool`, `nasm`, `golang`/`go`, `rustc`/`rust`/`cargo` — in a stage that ends up in
    /// the final image, unless a later command of the final image removes them (`apt-get
    /// purge`, `apk del` of the package or of its `apk add --virtual` group, `yum remove`, …).
    /// Builder stages that are only copied from are not reported. Header packages such as
    /// `musl-dev` or `libssl-dev` are not compilers and are not reported.
    ///
    /// ## Why
    /// A compiler in a running container lets an attacker who got a foothold build exploits
    /// and tools for the exact kernel and libraries at hand. Toolchains are also large and
    /// bring many packages whose vulnerabilities scanners will report against the image.
    /// Build in a separate stage and copy only the result.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y gcc libpq-dev && pip install psycopg2
    /// ```
    /// Use instead — a build stage, and only the runtime library in the final image:
    /// ```dockerfile
    /// FROM python:3.12-slim AS build
    /// RUN apt-get update && apt-get install -y gcc libpq-dev \
    ///  && pip wheel --wheel-dir /wheels psycopg2
    ///
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*
    /// COPY --from=build /wheels /wheels
    /// RUN pip install --no-index /wheels/*
    /// ```
    /// On Alpine, a virtual package removed in the same `RUN` also works:
    /// `apk add --virtual .build-deps gcc musl-dev && pip install … && apk del .build-deps`.
    ///
    /// ## Fix safety
    /// No automatic fix: moving the build to its own stage is a restructuring.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 "Ensure that unnecessary packages are not installed in the container"
    /// - NIST SP 800-190 §4.1.1 (image vulnerabilities) and §3.1.1 (minimal images)
    /// - Multi-stage builds: <https://docs.docker.com/build/building/multi-stage/>
    pub struct CompilersInFinalStage {
        code: "DF021",
        name: "compilers-in-final-stage",
        severity: Warning,
        tags: ["attack-surface", "cis-docker:4.3", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

pub(crate) fn is_toolchain(_manager: Manager, name: &str) -> bool {
    matches!(
        name,
        "gcc"
            | "g++"
            | "cpp"
            | "clang"
            | "llvm"
            | "build-essential"
            | "build-base"
            | "make"
            | "cmake"
            | "cmake3"
            | "autoconf"
            | "automake"
            | "libtool"
            | "gcc-c++"
            | "gcc-gfortran"
            | "gfortran"
            | "nasm"
            | "golang"
            | "golang-go"
            | "go"
            | "rustc"
            | "rust"
            | "cargo"
    ) || ["gcc", "g++", "cpp", "clang", "llvm", "gfortran", "golang", "gcc-toolset"].iter().any(|b| versioned(name, b))
        || name.strip_prefix("golang-").and_then(|v| v.strip_suffix("-go")).is_some_and(|v| versioned(v, ""))
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for kept in kept_packages(cx, &is_toolchain) {
        let message = format!(
            "{} {} installed in the final image",
            noun(&kept.names, "build tool", "build tools"),
            list(&kept.names)
        );
        out.push(report(cx, &INFO, &kept, message, "compiler toolchain kept").with_help(
            "build in a separate stage and `COPY --from` only the results, or remove the toolchain in the same `RUN` after building",
        ));
    }
}

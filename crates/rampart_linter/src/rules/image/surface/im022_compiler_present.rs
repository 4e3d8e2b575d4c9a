use super::{Tools, report};
use crate::image::{ImageContext, Pending};

declare_rule! {
    /// A compiler is present in the final image.
    ///
    /// ## What it does
    /// Looks for compilers on the standard executable paths of the final filesystem: `gcc`/`cc`,
    /// `g++`, `clang`, `tcc`, `rustc`, `go`, `javac`, `gfortran`. Symlinks are followed inside
    /// the image (`/usr/bin/gcc` → `gcc-12` → `x86_64-linux-gnu-gcc-12`); each compiler is
    /// reported once. `[images.allow] compilers = ["gcc"]` accepts one.
    ///
    /// ## Why
    /// A compiler in a runtime image lets an attacker build exploits and tools inside the
    /// container instead of smuggling binaries in, and it is a sign the build toolchain was
    /// shipped: hundreds of megabytes of packages with their own vulnerabilities.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23
    /// COPY . /src
    /// RUN go build -o /app /src
    /// ENTRYPOINT ["/app"]
    /// ```
    /// Use instead, a multi-stage build:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// COPY . /src
    /// RUN go build -o /app /src
    /// FROM gcr.io/distroless/static-debian12:nonroot
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Fix
    /// Build in a separate stage and copy only the artifacts into the final stage.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and some applications
    /// compile at run time (native extensions built at start-up).
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3: Ensure that unnecessary packages are not installed in the container
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    /// - Docker: Multi-stage builds <https://docs.docker.com/build/building/multi-stage/>
    pub struct CompilerPresent {
        code: "IM022",
        name: "image-compiler-present",
        severity: Warning,
        tags: ["attack-surface", "image", "cis-docker:4.3", "nist-800-190:4.1.2", "seed:multi-stage"],
        equivalents: [],
        fix: None,
    }
}

const TOOLS: Tools = Tools {
    groups: &[
        &["gcc", "cc", "c89", "c99"],
        &["g++", "c++"],
        &["clang", "clang++"],
        &["tcc"],
        &["rustc"],
        &["go"],
        &["javac"],
        &["gfortran"],
    ],
    what: "compiler",
    allow_key: "compilers",
};

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    report(cx, out, &INFO, &TOOLS, &cx.options.compilers);
}

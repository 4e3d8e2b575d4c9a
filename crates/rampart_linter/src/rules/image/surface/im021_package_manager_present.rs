use super::{Tools, report};
use crate::image::{ImageContext, Pending};

declare_rule! {
    /// A package manager is present in the final image.
    ///
    /// ## What it does
    /// Looks for package managers on the standard executable paths of the final filesystem:
    /// `apt`/`apt-get`, `dpkg`, `apk`, `yum`, `dnf`/`microdnf`, `rpm`, `zypper`, `pacman`, and
    /// the language ones `pip`, `npm`, `yarn`, `pnpm`, `gem`. Only real executables count,
    /// symlinks followed inside the image; each tool is reported once, naming the package that
    /// ships it when the inventory says. `[images.allow] package-managers = ["apt"]` accepts one.
    ///
    /// ## Why
    /// A package manager in a running container lets whoever controls it install anything
    /// (compilers, scanners, `nmap`), and keeps package databases in the image. Production
    /// images are rebuilt, not patched in place.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends python3
    /// ```
    /// Use instead: install in a build stage and copy the result into a base without a package
    /// manager:
    /// ```dockerfile
    /// FROM gcr.io/distroless/python3-debian12:nonroot
    /// COPY --from=build /app /app
    /// ```
    ///
    /// ## Fix
    /// Build the final stage from a base without a package manager (distroless, scratch,
    /// Chainguard), or remove it in the last step (`apk del apk-tools`).
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile, and images built on this one
    /// may need the package manager.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3: Ensure that unnecessary packages are not installed in the container
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    pub struct PackageManagerPresent {
        code: "IM021",
        name: "image-package-manager-present",
        severity: Note,
        tags: ["attack-surface", "image", "cis-docker:4.3", "nist-800-190:4.1.2", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

const TOOLS: Tools = Tools {
    groups: &[
        &["apt", "apt-get", "aptitude"],
        &["dpkg"],
        &["apk"],
        &["yum"],
        &["dnf", "dnf5", "microdnf"],
        &["rpm"],
        &["zypper"],
        &["pacman"],
        &["pip", "pip3"],
        &["npm", "npx"],
        &["yarn"],
        &["pnpm"],
        &["gem"],
    ],
    what: "package manager",
    allow_key: "package-managers",
};

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    report(cx, out, &INFO, &TOOLS, &cx.options.package_managers);
}

use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::packages::Manager;

use super::common::{kept_packages, list, noun, report, runtime_uses};

declare_rule! {
    /// A language package manager is installed in the final image.
    ///
    /// ## What it does
    /// Reports OS-package installs that add another package manager — `python3-pip`,
    /// `py3-pip`, `python-pip` (and versioned `python3.N-pip`), `npm`, `nodejs-npm`, `yarn`,
    /// `yarnpkg`, `rubygems`, `composer`, `maven`, `gradle` — in a stage that ends up in the
    /// final image, unless a later command removes it or the image's `ENTRYPOINT`, `CMD` or
    /// `HEALTHCHECK` runs it (`CMD ["npm", "start"]`). `cargo` and `go` are compiler
    /// toolchains, reported by `compilers-in-final-stage` (DF021).
    ///
    /// ## Why
    /// A package manager in the running image lets anyone who gets a shell install more tools
    /// in one command, and runs install scripts of whatever it fetches. It also weighs on
    /// the image and its vulnerability count. Install dependencies in a build stage and copy
    /// the installed result.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y python3 python3-pip \
    ///  && pip3 install --break-system-packages -r requirements.txt
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim AS build
    /// COPY requirements.txt .
    /// RUN python -m venv /venv && /venv/bin/pip install -r requirements.txt
    ///
    /// FROM python:3.12-slim
    /// COPY --from=build /venv /venv
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: moving the install to its own stage is a restructuring.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.3 "Ensure that unnecessary packages are not installed in the container"
    /// - NIST SP 800-190 §4.1.1 (image vulnerabilities)
    pub struct PackageManagerInstalledInFinalStage {
        code: "DF025",
        name: "package-manager-installed-in-final-stage",
        severity: Note,
        tags: ["attack-surface", "cis-docker:4.3", "seed:minimal-base"],
        equivalents: [],
        fix: None,
    }
}

/// The commands a package-manager package provides.
fn binaries(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "python3-pip" | "py3-pip" | "python-pip" | "python2-pip" => &["pip", "pip3", "pip2"],
        n if n
            .strip_prefix("python3.")
            .and_then(|v| v.strip_suffix("-pip"))
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit())) =>
        {
            &["pip", "pip3"]
        }
        "npm" | "nodejs-npm" => &["npm", "npx"],
        "yarn" | "yarnpkg" => &["yarn", "yarnpkg"],
        "rubygems" => &["gem"],
        "composer" => &["composer"],
        "maven" => &["mvn"],
        "gradle" => &["gradle"],
        _ => return None,
    })
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let wanted = |_: Manager, name: &str| binaries(name).is_some_and(|bins| !bins.iter().any(|b| runtime_uses(cx, b)));
    for kept in kept_packages(cx, &wanted) {
        let message = format!(
            "{} {} installed in the final image",
            noun(&kept.names, "package manager", "package managers"),
            list(&kept.names)
        );
        out.push(report(cx, &INFO, &kept, message, "kept after the build").with_help(
            "install dependencies in a build stage and `COPY --from` the result, or remove the package manager in the same `RUN`",
        ));
    }
}

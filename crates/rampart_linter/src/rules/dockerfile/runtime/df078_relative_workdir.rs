use rampart_diagnostics::{Edit, Fix, Span};
use rampart_dockerfile::{Body, StageRef};

use super::util::{ChainState, clean, is_windows_absolute, join};
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::rules::dockerfile::base::images::official_name;

declare_rule! {
    /// `WORKDIR` is a relative path.
    ///
    /// ## What it does
    /// Reports `WORKDIR` whose path, after expanding build arguments, is not absolute.
    /// Windows paths (`C:\app`, `c:/app`) are absolute. A `WORKDIR` with a build argument
    /// that has no value is skipped.
    ///
    /// ## Why
    /// A relative `WORKDIR` is resolved against the previous working directory, which may
    /// come from the base image and change when the base image does. The directory the
    /// files land in and the program starts in is then not written anywhere in the
    /// Dockerfile.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// ```
    ///
    /// ## Fix
    /// When an earlier `WORKDIR` of the stage (or of the stages it is built `FROM`) sets
    /// an absolute directory, writes the path joined to it (`WORKDIR /srv` then
    /// `WORKDIR app` becomes `WORKDIR /srv/app`); without one, joins it to the base image's
    /// working directory when known (`FROM golang` then `WORKDIR src` becomes
    /// `WORKDIR /go/src`), else writes it from `/` (`WORKDIR ./app` becomes `WORKDIR /app`; a
    /// path with a variable is prefixed with `/`).
    ///
    /// ## Fix safety
    /// Safe when a literal path is joined to a known earlier `WORKDIR`: it is the same
    /// directory; and when there is no earlier `WORKDIR` and the stage starts from `scratch`
    /// or an official image whose working directory is known (`/` for the distributions,
    /// `python` and `node`; `/go` for `golang`): the path joined to it is the same directory.
    /// Unsafe when the path uses a build argument (given an absolute value at build time, it
    /// would no longer replace the earlier directory), and when the base image is not known:
    /// it may set a working directory of its own, which the relative path was resolved
    /// against, and the fix writes the path from `/`. No fix for Windows images.
    ///
    /// ## References
    /// - WORKDIR: <https://docs.docker.com/reference/dockerfile/#workdir>
    /// - Dockerfile best practices, WORKDIR: <https://docs.docker.com/build/building/best-practices/#workdir>
    pub struct RelativeWorkdir {
        code: "DF078",
        name: "relative-workdir",
        severity: Warning,
        tags: ["runtime", "reproducibility"],
        equivalents: ["hadolint:DL3000", "trivy:DS-0009", "checkov:CKV_DOCKER_10"],
        fix: Varies,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let state = ChainState::new(cx);
    for (i, instr) in cx.instructions() {
        let Body::Workdir(word) = &instr.body else { continue };
        let value = cx.expand(i, word);
        let path = value.value.trim();
        if !value.is_complete() || path.is_empty() || path.starts_with('/') || is_windows_absolute(path) {
            continue;
        }
        let mut finding = cx
            .finding(&INFO, word.span.clone(), format!("WORKDIR `{path}` is relative"))
            .with_label("resolved against the previous working directory, which may come from the base image")
            .with_help("use an absolute path");
        let windows = state.is_windows(cx, i) || path.contains('\\');
        let earlier = state.at(i).workdir;
        let literal_raw = !word.raw.contains(['"', '\'', '\\', '$', '`']);
        if !windows {
            let at = Span::new(word.span.start, word.span.end);
            let fix = match earlier.path {
                Some(base) if earlier.literal && !base.contains(['"', '\'', '\\', '$', '`']) => {
                    if literal_raw {
                        let joined = join(&base, path);
                        Fix::safe(format!("Write the absolute path `{joined}`"), vec![Edit::replace(at, joined)])
                    } else {
                        // Keep the variables: `/opt/$DIR` (unsafe: `DIR` may be given an absolute path).
                        let joined = join(&base, &word.raw);
                        Fix::unsafe_(format!("Write the path as `{joined}`"), vec![Edit::replace(at, joined)])
                    }
                }
                _ if !earlier.set && literal_raw => {
                    // Resolved against the base image's working directory: `/` for the images
                    // known to set none.
                    match base_workdir(cx, &state, i) {
                        Some(base) => {
                            let absolute = clean(&join(base, path));
                            let message = format!("Write the absolute path `{absolute}`");
                            Fix::safe(message, vec![Edit::replace(at, absolute)])
                        }
                        None => {
                            let absolute = clean(&format!("/{path}"));
                            let message = format!("Write the path from `/`: `{absolute}`");
                            Fix::unsafe_(message, vec![Edit::replace(at, absolute)])
                        }
                    }
                }
                _ => Fix::unsafe_("Prefix the path with `/`", vec![Edit::insert(at.start, "/")]),
            };
            finding = finding.with_fix(fix);
        }
        out.push(finding);
    }
}

/// Official images known to leave the working directory at `/`.
const ROOT_WORKDIR: &[&str] = &[
    "almalinux",
    "alpine",
    "amazonlinux",
    "archlinux",
    "busybox",
    "centos",
    "debian",
    "fedora",
    "node",
    "oraclelinux",
    "python",
    "rockylinux",
    "ubuntu",
];

/// The working directory of the image instruction `i`'s stage chain starts from, when known.
fn base_workdir(cx: &DockerfileContext<'_>, state: &ChainState, i: usize) -> Option<&'static str> {
    let stage = cx.stage_of(i)?;
    match cx.stages.get(state.root(stage.index)).map(|s| &s.base) {
        Some(StageRef::Scratch) => Some("/"),
        Some(StageRef::Image(image)) => {
            let name = official_name(image)?;
            let tag = image.tag.as_deref().unwrap_or("").to_ascii_lowercase();
            if ["windows", "nanoserver", "servercore"].iter().any(|w| tag.contains(w)) {
                None
            } else if ROOT_WORKDIR.contains(&name.as_str()) {
                Some("/")
            } else if name == "golang" {
                // `WORKDIR $GOPATH`
                Some("/go")
            } else {
                None
            }
        }
        _ => None,
    }
}

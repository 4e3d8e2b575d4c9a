//! rampart's rule engine.
//!
//! Each rule lives in its own file under `src/rules/`, declared with [`declare_rule!`]: its
//! doc comment is its documentation (rendered to `docs/rules/`, `rampart rule CODE` and the
//! SARIF rule descriptions). The [`Linter`] runs the enabled rules on one file, applies
//! inline suppressions and configured levels, and returns findings; reading files, walking
//! directories and applying configuration exceptions (which need paths) is the caller's job.

#[macro_use]
mod declare;
pub mod dockerfile;
pub mod docs;
mod engine;
pub mod facts;
pub mod fix;
pub mod image;
pub mod manifest;
pub mod recognize;
pub mod registry;
pub mod rules;
mod settings;
pub mod suppress;
pub mod vuln;

pub use engine::{FileReport, Linter};
pub use image::ImageReport;
pub use rampart_diagnostics::{Finding, RuleInfo, Severity};
pub use recognize::FileKind;
pub use settings::{SelectorError, Settings};

/// Inputs larger than this are not parsed: a finding says so.
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;

/// What rules may consult besides the file itself.
#[derive(Clone, Debug, Default)]
pub struct RuleOptions {
    /// Registry hosts or repository prefixes images may come from; `None`: not checked.
    pub trusted_registries: Option<Vec<String>>,
    /// What is known about the images workloads run (for the safety of fixes).
    pub images: std::sync::Arc<facts::ImageCatalog>,
    /// `[images.allow]`: what the image rules accept beyond their built-in allow-lists.
    pub image: image::ImageOptions,
    /// `[fix]`: values fixes write where only the project knows them.
    pub fix: FixDefaults,
}

/// The values of `rampart.toml`'s `[fix]` section, checked when read: fixes that need a
/// number only the project knows (resource requests and limits, a PID limit) write these,
/// and are display-only without them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixDefaults {
    /// A Kubernetes quantity (`100m`).
    pub cpu_request: Option<String>,
    /// A Kubernetes quantity of whole bytes (`128Mi`).
    pub memory_request: Option<String>,
    /// A Kubernetes quantity of whole bytes (`256Mi`).
    pub memory_limit: Option<String>,
    /// At least 1.
    pub pids_limit: Option<i64>,
}

/// A rule: metadata plus a check per kind of artifact it understands.
pub trait Rule: Send + Sync + std::fmt::Debug {
    fn info(&self) -> &'static RuleInfo;

    /// Checks a Dockerfile. Rules for other artifacts leave this empty.
    fn check_dockerfile(&self, _cx: &dockerfile::DockerfileContext<'_>, _out: &mut Vec<Finding>) {}

    /// Checks a manifest: Kubernetes objects and workloads in the posture model.
    fn check_manifest(&self, _cx: &manifest::ManifestContext<'_>, _out: &mut Vec<Finding>) {}

    /// Checks every Kubernetes manifest given together (network policies across files).
    fn check_project(&self, _cx: &manifest::ProjectContext<'_>, _out: &mut Vec<Finding>) {}

    /// Checks a scanned container image. Findings are [`image::Pending`]: the documents they
    /// point into are written once every rule ran.
    fn check_image(&self, _cx: &image::ImageContext<'_>, _out: &mut Vec<image::Pending>) {}

    /// Whether the rule reports only from [`Rule::check_project`]: the check of one file
    /// then cannot tell that a suppression naming it is unused.
    fn checks_project(&self) -> bool {
        false
    }
}

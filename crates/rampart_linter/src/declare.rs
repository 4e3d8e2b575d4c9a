/// Declares a rule: a unit struct documented by its doc comment, and a module-level
/// `static INFO` holding its metadata. Use one per file:
///
/// ```ignore
/// declare_rule! {
///     /// The final stage runs as root.
///     ///
///     /// ## What it does
///     /// …
///     pub struct FinalStageRunsAsRoot {
///         code: "DF001",
///         name: "final-stage-runs-as-root",
///         severity: Error,
///         tags: ["user", "cis-docker:4.1"],
///         equivalents: ["hadolint:DL3002", "trivy:DS-0002"],
///         fix: Unsafe,
///     }
/// }
/// ```
///
/// `fix` is one of `None`, `Safe`, `Unsafe`, `DisplayOnly`, `Varies`. Add
/// `enabled: false,` after `severity` for a rule that only runs when selected.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            severity: $sev:ident,
            $(enabled: $enabled:literal,)?
            tags: [$($tag:literal),* $(,)?],
            equivalents: [$($eq:literal),* $(,)?],
            fix: $fix:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        /// This rule's metadata.
        pub static INFO: $crate::RuleInfo = $crate::RuleInfo {
            code: $code,
            name: $rname,
            default_severity: rampart_diagnostics::Severity::$sev,
            enabled_by_default: declare_rule!(@enabled $($enabled)?),
            tags: &[$($tag),*],
            equivalents: &[$($eq),*],
            fix: declare_rule!(@fix $fix),
            docs: concat!($($doc, "\n"),*),
        };
    };
    (@enabled) => { true };
    (@enabled $e:literal) => { $e };
    (@fix None) => { rampart_diagnostics::FixAvailability::None };
    (@fix Varies) => { rampart_diagnostics::FixAvailability::Varies };
    (@fix Safe) => { rampart_diagnostics::FixAvailability::Always(rampart_diagnostics::Applicability::Safe) };
    (@fix Unsafe) => { rampart_diagnostics::FixAvailability::Always(rampart_diagnostics::Applicability::Unsafe) };
    (@fix DisplayOnly) => { rampart_diagnostics::FixAvailability::Always(rampart_diagnostics::Applicability::DisplayOnly) };
}

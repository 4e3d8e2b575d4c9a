//! Known vulnerabilities of installed packages, one rule per severity band so `--select`,
//! `--ignore`, severity overrides and `--fail-on` work on them like on any rule. The matching
//! itself is `rampart_vuln`'s; [`crate::vuln`] turns its results into findings.

pub mod vn001_critical_vulnerability;
pub mod vn002_high_vulnerability;
pub mod vn003_medium_vulnerability;
pub mod vn004_low_vulnerability;

macro_rules! vuln_rules {
    ($($module:ident::$ty:ident),* $(,)?) => {
        $(impl crate::Rule for $module::$ty {
            fn info(&self) -> &'static crate::RuleInfo {
                &$module::INFO
            }
        })*
        pub(crate) static RULES: &[&dyn crate::Rule] = &[$(&$module::$ty),*];
    };
}

vuln_rules!(
    vn001_critical_vulnerability::CriticalVulnerability,
    vn002_high_vulnerability::HighVulnerability,
    vn003_medium_vulnerability::MediumVulnerability,
    vn004_low_vulnerability::LowVulnerability,
);

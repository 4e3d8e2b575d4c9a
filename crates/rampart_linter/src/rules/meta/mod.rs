//! Rules the engine reports itself: the file could not be read as what it claims to be, or
//! a suppression or configuration entry is wrong. They run whatever `--select` says.

pub mod dockerfile_syntax_error;
pub mod expired_exception;
pub mod input_too_large;
pub mod invalid_configuration;
pub mod invalid_encoding;
pub mod manifest_syntax_error;
pub mod suppression_without_reason;
pub mod unused_exception;
pub mod unused_suppression;

use crate::Rule;

macro_rules! engine_rule {
    ($($module:ident::$ty:ident),* $(,)?) => {
        $(impl Rule for $module::$ty {
            fn info(&self) -> &'static crate::RuleInfo {
                &$module::INFO
            }
        })*
        pub(crate) static RULES: &[&dyn Rule] = &[$(&$module::$ty),*];
    };
}

engine_rule!(
    dockerfile_syntax_error::DockerfileSyntaxError,
    manifest_syntax_error::ManifestSyntaxError,
    invalid_configuration::InvalidConfiguration,
    unused_exception::UnusedException,
    expired_exception::ExpiredException,
    unused_suppression::UnusedSuppression,
    suppression_without_reason::SuppressionWithoutReason,
    input_too_large::InputTooLarge,
    invalid_encoding::InvalidEncoding,
);

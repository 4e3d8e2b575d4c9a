//! Rules about built container images: who they run as, what their final filesystem holds
//! (setuid files, capabilities, shells, compilers, secrets) and how they are configured
//! (ports, healthcheck, tags). They run on a [`crate::image::ImageContext`] and point at the
//! synthesised documents described in [`crate::image`]. None has an automatic fix: an image
//! is rebuilt from its Dockerfile, which is where the `DF` rules fix things.

pub mod config;
pub mod files;
pub mod secrets;
pub mod surface;
pub mod user;

use crate::Rule;

pub(crate) fn rules() -> Vec<&'static dyn Rule> {
    [user::RULES, files::RULES, surface::RULES, secrets::RULES, config::RULES].concat()
}

/// Implements [`Rule`] for image rule structs whose module has `INFO` and a `check`
/// function taking a [`crate::image::ImageContext`].
macro_rules! image_rules {
    ($($module:ident::$ty:ident),* $(,)?) => {
        $(impl crate::Rule for $module::$ty {
            fn info(&self) -> &'static crate::RuleInfo {
                &$module::INFO
            }
            fn check_image(
                &self,
                cx: &crate::image::ImageContext<'_>,
                out: &mut Vec<crate::image::Pending>,
            ) {
                $module::check(cx, out)
            }
        })*
        pub(crate) static RULES: &[&dyn crate::Rule] = &[$(&$module::$ty),*];
    };
}
pub(crate) use image_rules;

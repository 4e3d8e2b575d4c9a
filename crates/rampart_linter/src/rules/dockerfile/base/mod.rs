//! Which images the build starts from, and how stages refer to each other.

pub(crate) mod images;

use super::dockerfile_rules;

dockerfile_rules!();

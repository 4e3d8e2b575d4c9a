//! Credentials that end up in the image, its history or its build log.

use super::dockerfile_rules;

dockerfile_rules!();

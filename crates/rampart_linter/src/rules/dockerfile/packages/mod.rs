//! Package-manager hygiene: non-interactive installs, no upgrades across releases, caches
//! and indexes left out of the image.

use super::dockerfile_rules;

dockerfile_rules!();

//! Package installs pinned to a version, so two builds of one Dockerfile install the same thing.

use super::dockerfile_rules;

dockerfile_rules!();

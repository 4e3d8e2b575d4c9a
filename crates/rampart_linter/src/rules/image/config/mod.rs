//! How the image is configured and named: exposed ports, healthcheck, tags.

pub mod im040_ssh_port_exposed;
pub mod im041_missing_healthcheck;
pub mod im042_latest_or_untagged;

use super::image_rules;

image_rules!(
    im040_ssh_port_exposed::SshPortExposed,
    im041_missing_healthcheck::MissingHealthcheck,
    im042_latest_or_untagged::LatestOrUntagged,
);

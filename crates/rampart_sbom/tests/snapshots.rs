//! The documents for a small inventory, with a fixed time and seed: any change to the output
//! shows up here for review.

mod common;

use common::{TOOL, fixed, small, subject};
use rampart_sbom::{cyclonedx_json, spdx_json};

#[test]
fn cyclonedx() {
    insta::assert_snapshot!(cyclonedx_json(&subject(), &small(), &TOOL, &fixed()));
}

#[test]
fn spdx() {
    insta::assert_snapshot!(spdx_json(&subject(), &small(), &TOOL, &fixed()));
}

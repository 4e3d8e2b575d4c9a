//! Which images the build starts from, and how stages refer to each other.

pub mod df010_base_image_untagged;
pub mod df011_base_image_latest;
pub mod df012_base_image_not_pinned_by_digest;
pub mod df013_base_image_untrusted_registry;
pub mod df014_final_stage_full_distribution;
pub mod df015_unknown_stage_reference;
pub mod df016_duplicate_stage_name;
pub mod df017_copy_entire_stage_filesystem;
pub(crate) mod images;
pub(crate) mod refs;

use super::dockerfile_rules;

dockerfile_rules!(
    df010_base_image_untagged::BaseImageUntagged,
    df011_base_image_latest::BaseImageLatest,
    df012_base_image_not_pinned_by_digest::BaseImageNotPinnedByDigest,
    df013_base_image_untrusted_registry::BaseImageUntrustedRegistry,
    df014_final_stage_full_distribution::FinalStageFullDistribution,
    df015_unknown_stage_reference::UnknownStageReference,
    df016_duplicate_stage_name::DuplicateStageName,
    df017_copy_entire_stage_filesystem::CopyEntireStageFilesystem,
);

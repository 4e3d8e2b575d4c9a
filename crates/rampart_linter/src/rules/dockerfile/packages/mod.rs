//! Package-manager hygiene: non-interactive installs, no upgrades across releases, caches
//! and indexes left out of the image.

mod common;
pub mod df044_distribution_upgrade;
pub mod df045_update_without_install;
pub mod df046_apt_instead_of_apt_get;
pub mod df047_apt_missing_yes;
pub mod df051_yum_dnf_missing_yes;
pub mod df053_zypper_missing_non_interactive;

use super::dockerfile_rules;

dockerfile_rules!(
    df044_distribution_upgrade::DistributionUpgrade,
    df045_update_without_install::UpdateWithoutInstall,
    df046_apt_instead_of_apt_get::AptInsteadOfAptGet,
    df047_apt_missing_yes::AptMissingYes,
    df051_yum_dnf_missing_yes::YumDnfMissingYes,
    df053_zypper_missing_non_interactive::ZypperMissingNonInteractive,
);

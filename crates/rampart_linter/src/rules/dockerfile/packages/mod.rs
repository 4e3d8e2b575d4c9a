//! Package-manager hygiene: non-interactive installs, no upgrades across releases, caches
//! and indexes left out of the image.

mod common;
pub mod df044_distribution_upgrade;
pub mod df045_update_without_install;
pub mod df046_apt_instead_of_apt_get;
pub mod df047_apt_missing_yes;
pub mod df048_apt_missing_no_install_recommends;
pub mod df049_apt_lists_not_removed;
pub mod df050_apk_missing_no_cache;
pub mod df051_yum_dnf_missing_yes;
pub mod df052_yum_dnf_cache_not_cleaned;
pub mod df053_zypper_missing_non_interactive;
pub mod df054_zypper_cache_not_cleaned;
pub mod df055_pip_missing_no_cache_dir;
pub mod df056_yarn_cache_not_cleaned;
pub mod df057_curl_and_wget;
pub mod df058_cd_instead_of_workdir;

use super::dockerfile_rules;

dockerfile_rules!(
    df044_distribution_upgrade::DistributionUpgrade,
    df045_update_without_install::UpdateWithoutInstall,
    df046_apt_instead_of_apt_get::AptInsteadOfAptGet,
    df047_apt_missing_yes::AptMissingYes,
    df048_apt_missing_no_install_recommends::AptMissingNoInstallRecommends,
    df049_apt_lists_not_removed::AptListsNotRemoved,
    df050_apk_missing_no_cache::ApkMissingNoCache,
    df051_yum_dnf_missing_yes::YumDnfMissingYes,
    df052_yum_dnf_cache_not_cleaned::YumDnfCacheNotCleaned,
    df053_zypper_missing_non_interactive::ZypperMissingNonInteractive,
    df054_zypper_cache_not_cleaned::ZypperCacheNotCleaned,
    df055_pip_missing_no_cache_dir::PipMissingNoCacheDir,
    df056_yarn_cache_not_cleaned::YarnCacheNotCleaned,
    df057_curl_and_wget::CurlAndWget,
    df058_cd_instead_of_workdir::CdInsteadOfWorkdir,
);

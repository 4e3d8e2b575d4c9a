//! Package installs pinned to a version, so two builds of one Dockerfile install the same thing.

mod common;
pub mod df036_apt_unpinned;
pub mod df037_apk_unpinned;
pub mod df038_yum_dnf_unpinned;
pub mod df039_zypper_unpinned;
pub mod df040_pip_unpinned;
pub mod df041_npm_unpinned;
pub mod df042_gem_unpinned;
pub mod df043_go_install_unpinned;

use super::dockerfile_rules;

dockerfile_rules!(
    df036_apt_unpinned::AptUnpinned,
    df037_apk_unpinned::ApkUnpinned,
    df038_yum_dnf_unpinned::YumDnfUnpinned,
    df039_zypper_unpinned::ZypperUnpinned,
    df040_pip_unpinned::PipUnpinned,
    df041_npm_unpinned::NpmUnpinned,
    df042_gem_unpinned::GemUnpinned,
    df043_go_install_unpinned::GoInstallUnpinned,
);

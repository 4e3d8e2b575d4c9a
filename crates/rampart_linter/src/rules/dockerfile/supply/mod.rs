//! Where the image's contents come from, and whether they can be trusted.

pub(crate) mod common;
pub mod df030_add_instead_of_copy;
pub mod df031_add_remote_without_checksum;
pub mod df032_pipe_to_shell;
pub mod df033_download_over_http;
pub mod df034_tls_verification_disabled;
pub mod df035_unsigned_packages_allowed;

use super::dockerfile_rules;

dockerfile_rules!(
    df030_add_instead_of_copy::AddInsteadOfCopy,
    df031_add_remote_without_checksum::AddRemoteWithoutChecksum,
    df032_pipe_to_shell::PipeToShell,
    df033_download_over_http::DownloadOverHttp,
    df034_tls_verification_disabled::TlsVerificationDisabled,
    df035_unsigned_packages_allowed::UnsignedPackagesAllowed,
);

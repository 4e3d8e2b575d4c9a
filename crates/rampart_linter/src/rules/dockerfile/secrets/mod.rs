//! Credentials that end up in the image, its history or its build log.

pub mod df060_secret_in_env_or_arg;
pub mod df061_secret_in_run;
pub mod df062_sensitive_file_copied;
pub mod df063_secret_mount_persisted;
pub mod df064_insecure_build_entitlement;
pub mod df065_git_directory_kept;
pub(crate) mod util;

use super::dockerfile_rules;

dockerfile_rules!(
    df060_secret_in_env_or_arg::SecretInEnvOrArg,
    df061_secret_in_run::SecretInRun,
    df062_sensitive_file_copied::SensitiveFileCopied,
    df063_secret_mount_persisted::SecretMountPersisted,
    df064_insecure_build_entitlement::InsecureBuildEntitlement,
    df065_git_directory_kept::GitDirectoryKept,
);

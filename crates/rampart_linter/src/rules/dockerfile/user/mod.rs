//! Who the container runs as.

pub(crate) mod accounts;
pub mod df001_final_stage_runs_as_root;
pub mod df002_user_not_numeric;
pub mod df003_sudo_in_run;
pub mod df004_dangerous_file_permissions;
pub mod df005_useradd_without_no_log_init;
pub(crate) mod run_as;

use super::dockerfile_rules;

dockerfile_rules!(
    df001_final_stage_runs_as_root::FinalStageRunsAsRoot,
    df002_user_not_numeric::UserNotNumeric,
    df003_sudo_in_run::SudoInRun,
    df004_dangerous_file_permissions::DangerousFilePermissions,
    df005_useradd_without_no_log_init::UseraddWithoutNoLogInit,
);

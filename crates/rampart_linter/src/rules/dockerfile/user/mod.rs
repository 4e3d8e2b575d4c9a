//! Who the container runs as.

pub(crate) mod accounts;
pub mod df001_final_stage_runs_as_root;
pub mod df002_user_not_numeric;
pub mod df003_sudo_in_run;

use super::dockerfile_rules;

dockerfile_rules!(
    df001_final_stage_runs_as_root::FinalStageRunsAsRoot,
    df002_user_not_numeric::UserNotNumeric,
    df003_sudo_in_run::SudoInRun,
);

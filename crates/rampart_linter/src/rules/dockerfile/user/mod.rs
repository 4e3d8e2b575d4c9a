//! Who the container runs as.

pub mod df001_final_stage_runs_as_root;

use super::dockerfile_rules;

dockerfile_rules!(df001_final_stage_runs_as_root::FinalStageRunsAsRoot);

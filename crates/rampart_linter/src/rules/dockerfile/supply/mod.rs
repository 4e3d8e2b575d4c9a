//! Where the image's contents come from, and whether they can be trusted.

pub mod df030_add_instead_of_copy;
pub mod df032_pipe_to_shell;

use super::dockerfile_rules;

dockerfile_rules!(df030_add_instead_of_copy::AddInsteadOfCopy, df032_pipe_to_shell::PipeToShell);

//! What Dockerfile rules see: the parsed file, its stages and variable scopes, and every
//! shell command its instructions run, analysed once and shared by all rules.

mod context;
pub mod facts;
pub mod packages;

pub use context::{Cmd, DockerfileContext, ShellRun};

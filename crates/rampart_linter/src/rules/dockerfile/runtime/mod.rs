//! How the image behaves when it runs: ports, health, PID 1, working directory, and
//! instruction-level correctness.

pub mod df070_expose_ssh_port;
pub mod df071_expose_invalid_port;
pub mod df072_missing_healthcheck;
pub mod df073_multiple_cmd;
pub mod df074_multiple_entrypoint;
pub mod df075_multiple_healthcheck;
pub mod df076_shell_form_entrypoint;
pub mod df077_pipe_without_pipefail;
pub mod df078_relative_workdir;
pub mod df079_workdir_in_system_directory;
pub mod df080_copy_multiple_sources_without_trailing_slash;
pub mod df081_copy_relative_destination_without_workdir;
pub mod df082_maintainer_deprecated;
pub mod df083_env_self_reference;
mod duplicates;
#[cfg(test)]
mod stress;
mod util;

use super::dockerfile_rules;

dockerfile_rules!(
    df070_expose_ssh_port::ExposeSshPort,
    df071_expose_invalid_port::ExposeInvalidPort,
    df072_missing_healthcheck::MissingHealthcheck,
    df073_multiple_cmd::MultipleCmd,
    df074_multiple_entrypoint::MultipleEntrypoint,
    df075_multiple_healthcheck::MultipleHealthcheck,
    df076_shell_form_entrypoint::ShellFormEntrypoint,
    df077_pipe_without_pipefail::PipeWithoutPipefail,
    df078_relative_workdir::RelativeWorkdir,
    df079_workdir_in_system_directory::WorkdirInSystemDirectory,
    df080_copy_multiple_sources_without_trailing_slash::CopyMultipleSourcesWithoutTrailingSlash,
    df081_copy_relative_destination_without_workdir::CopyRelativeDestinationWithoutWorkdir,
    df082_maintainer_deprecated::MaintainerDeprecated,
    df083_env_self_reference::EnvSelfReference,
);

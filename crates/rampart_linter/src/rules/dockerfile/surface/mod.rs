//! Tools left in the final image that an attacker could use: servers, compilers, debuggers,
//! downloaders, shells and package managers.

pub(crate) mod common;
pub mod df020_ssh_server_installed;
pub mod df021_compilers_in_final_stage;
pub mod df022_debuggers_in_final_stage;
pub mod df023_download_tools_in_final_stage;
pub mod df024_shell_installed_in_final_stage;
pub mod df025_package_manager_installed_in_final_stage;

use super::dockerfile_rules;

dockerfile_rules!(
    df020_ssh_server_installed::SshServerInstalled,
    df021_compilers_in_final_stage::CompilersInFinalStage,
    df022_debuggers_in_final_stage::DebuggersInFinalStage,
    df023_download_tools_in_final_stage::DownloadToolsInFinalStage,
    df024_shell_installed_in_final_stage::ShellInstalledInFinalStage,
    df025_package_manager_installed_in_final_stage::PackageManagerInstalledInFinalStage,
);

//! Hardening beyond the Pod Security Standards: read-only root filesystems, resources,
//! image pinning and provenance, host mounts and devices, service account tokens,
//! namespaces, probes, secrets in the environment, capabilities, seccomp profiles, writable
//! kernel filesystems.

pub mod ks019_host_devices;
pub mod ks020_writable_root_filesystem;
pub mod ks021_missing_resource_limits;
pub mod ks022_missing_pids_limit;
pub mod ks023_image_tag_mutable;
pub mod ks024_image_not_pinned_by_digest;
pub mod ks025_image_untrusted_registry;
pub mod ks026_container_runtime_socket_mounted;
pub mod ks027_sensitive_host_path_mounted;
pub mod ks028_writable_host_mount;
pub mod ks029_service_account_token_automounted;
pub mod ks030_default_namespace;
pub mod ks031_missing_probes;
pub mod ks032_secret_in_env;
pub mod ks033_host_aliases;
pub mod ks034_dangerous_capability_added;
pub mod ks035_net_raw_not_dropped;
pub mod ks036_seccomp_allows_dangerous_syscalls;
pub mod ks037_helm_tiller_deployed;
pub mod ks038_shared_host_namespaces;
pub mod ks039_no_user_namespace;
pub mod ks042_writable_kernel_filesystems;
mod util;

use crate::rules::manifest_rules;

manifest_rules!(
    ks019_host_devices::HostDevices,
    ks020_writable_root_filesystem::WritableRootFilesystem,
    ks021_missing_resource_limits::MissingResourceLimits,
    ks022_missing_pids_limit::MissingPidsLimit,
    ks023_image_tag_mutable::ImageTagMutable,
    ks024_image_not_pinned_by_digest::ImageNotPinnedByDigest,
    ks025_image_untrusted_registry::ImageUntrustedRegistry,
    ks026_container_runtime_socket_mounted::ContainerRuntimeSocketMounted,
    ks027_sensitive_host_path_mounted::SensitiveHostPathMounted,
    ks028_writable_host_mount::WritableHostMount,
    ks029_service_account_token_automounted::ServiceAccountTokenAutomounted,
    ks030_default_namespace::DefaultNamespace,
    ks031_missing_probes::MissingProbes,
    ks032_secret_in_env::SecretInEnv,
    ks033_host_aliases::HostAliases,
    ks034_dangerous_capability_added::DangerousCapabilityAdded,
    ks035_net_raw_not_dropped::NetRawNotDropped,
    ks036_seccomp_allows_dangerous_syscalls::SeccompAllowsDangerousSyscalls,
    ks037_helm_tiller_deployed::HelmTillerDeployed,
    ks038_shared_host_namespaces::SharedHostNamespaces,
    ks039_no_user_namespace::NoUserNamespace,
    ks042_writable_kernel_filesystems::WritableKernelFilesystems,
);

//! One posture model for every runtime format.
//!
//! Kubernetes workloads, Compose services and OCI runtime `config.json` files say the same
//! things in different words: who the process runs as, which capabilities it has, whether
//! the root filesystem is writable, which seccomp / AppArmor / SELinux profile applies, which
//! host namespaces and paths it shares, what resources it may use, which image it runs.
//! Each format's adapter reads its file into [`Workload`]s holding [`ContainerPosture`]s,
//! where every setting is a [`Setting`] with its [`Origin`]: written at a span, inherited
//! from the pod level, or left to the image or the runtime — whose default the adapter knows
//! (an unset seccomp profile is `Unconfined` under the kubelet and under runc, but Docker's
//! default profile under Compose). Rules are then written once, against the posture.
//!
//! No I/O: adapters take parsed [`rampart_yaml::Document`]s.

pub mod compose;
pub mod edit;
pub mod kubernetes;
mod model;
pub mod oci;
mod util;

pub use model::*;

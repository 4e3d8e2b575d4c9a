//! Runtime posture rules: written once against the posture model, they apply to Kubernetes
//! workloads, Compose services and OCI runtime configs alike, wherever the format has the
//! setting. `baseline` and `restricted` are the Pod Security Standards controls, exactly as
//! the Kubernetes documentation defines them; `hardening` goes beyond them.

pub mod baseline;
pub mod hardening;
pub mod restricted;

use crate::Rule;

pub(crate) fn rules() -> Vec<&'static dyn Rule> {
    [baseline::RULES, restricted::RULES, hardening::RULES].concat()
}

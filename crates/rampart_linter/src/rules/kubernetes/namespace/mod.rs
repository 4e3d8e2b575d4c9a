//! Namespaces: the Pod Security admission level they enforce.

pub mod ks040_namespace_pss_not_enforced;

use crate::rules::manifest_rules;

manifest_rules!(ks040_namespace_pss_not_enforced::NamespacePssNotEnforced);

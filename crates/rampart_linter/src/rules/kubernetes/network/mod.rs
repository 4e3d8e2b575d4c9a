use crate::rules::manifest_rules;

manifest_rules!();

use super::dockerfile_rules;

dockerfile_rules!();

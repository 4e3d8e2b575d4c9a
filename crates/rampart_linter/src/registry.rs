//! Every rule rampart has, in code order.

use std::sync::LazyLock;

use crate::Rule;
use crate::rules;

static ALL: LazyLock<Vec<&'static dyn Rule>> = LazyLock::new(|| {
    let mut all: Vec<&'static dyn Rule> = Vec::new();
    all.extend_from_slice(rules::meta::RULES);
    all.extend(rules::dockerfile::rules());
    all.extend(rules::posture::rules());
    all.extend(rules::kubernetes::rules());
    all.extend(rules::image::rules());
    all.extend_from_slice(rules::vuln::RULES);
    all.sort_by_key(|r| r.info().code);
    all
});

pub fn all() -> &'static [&'static dyn Rule] {
    &ALL
}

/// A rule by exact code (any case) or name.
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.info().code.eq_ignore_ascii_case(code_or_name) || r.info().name == code_or_name)
}

use std::ops::Range;

use rampart_config::{Config, ConfigError, Level};
use rampart_diagnostics::Severity;

use crate::{Rule, RuleOptions, registry};

/// Which rules run, at which level, with which options: the merge of `rampart.toml` and
/// the command line.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// When not empty, only rules matching one of these run (meta rules always run).
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// `[rules]`: a code or name and its level. Beats tag levels.
    pub rule_levels: Vec<(String, Level)>,
    /// `[tags]`: a tag and its level; when several tags of a rule have levels, the most
    /// severe wins.
    pub tag_levels: Vec<(String, Level)>,
    pub options: RuleOptions,
}

/// A selector (`--select`, `--ignore`, a `[rules]` key) that names no rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorError {
    pub message: String,
    /// Where it was written in `rampart.toml`, if it came from there.
    pub span: Option<Range<usize>>,
}

impl std::fmt::Display for SelectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Rules reported by the engine itself (syntax errors, suppression problems): they run
/// whatever `select` says, unless ignored or turned off explicitly.
pub(crate) fn is_meta(rule: &dyn Rule) -> bool {
    let code = rule.info().code;
    code.starts_with("RP") || code.ends_with("000")
}

fn selector_exists(selector: &str) -> bool {
    registry::all().iter().any(|r| r.info().matches(selector))
}

fn unknown(selector: &str, span: Option<Range<usize>>) -> SelectorError {
    SelectorError {
        message: format!(
            "`{selector}` names no rule: use a code (DF001), a code prefix (DF), a rule name or a tag; `rampart rules` lists them"
        ),
        span,
    }
}

impl Settings {
    /// Reads the rule-related parts of a configuration, checking every selector.
    pub fn from_config(cfg: &Config) -> Result<Settings, ConfigError> {
        let check = |sel: &rampart_config::Located<String>| {
            if selector_exists(&sel.value) {
                Ok(sel.value.clone())
            } else {
                Err(ConfigError { message: unknown(&sel.value, None).message, span: sel.span.clone() })
            }
        };
        let mut s = Settings::default();
        for sel in &cfg.select {
            s.select.push(check(sel)?);
        }
        for sel in &cfg.ignore {
            s.ignore.push(check(sel)?);
        }
        for setting in &cfg.rules {
            let name = &setting.selector.value;
            if !registry::all().iter().any(|r| r.info().code.eq_ignore_ascii_case(name) || r.info().name == name) {
                return Err(ConfigError {
                    message: format!("`{name}` is not a rule code or name; `rampart rules` lists them"),
                    span: setting.selector.span.clone(),
                });
            }
            s.rule_levels.push((name.clone(), setting.level.value));
        }
        for setting in &cfg.tags {
            let tag = &setting.selector.value;
            if !registry::all().iter().any(|r| r.info().tags.contains(&tag.as_str())) {
                return Err(ConfigError {
                    message: format!("no rule has the tag `{tag}`; `rampart rules` shows every rule's tags"),
                    span: setting.selector.span.clone(),
                });
            }
            s.tag_levels.push((tag.clone(), setting.level.value));
        }
        s.options.trusted_registries =
            cfg.trusted_registries.as_ref().map(|r| r.iter().map(|l| l.value.clone()).collect());
        s.options.image = crate::image::ImageOptions::from_config(&cfg.image_allow);
        let value = |v: &Option<rampart_config::Located<String>>| v.as_ref().map(|l| l.value.clone());
        s.options.fix = crate::FixDefaults {
            cpu_request: value(&cfg.fix.cpu_request),
            memory_request: value(&cfg.fix.memory_request),
            memory_limit: value(&cfg.fix.memory_limit),
            pids_limit: cfg.fix.pids_limit.as_ref().map(|l| l.value),
        };
        Ok(s)
    }

    /// Checks command-line selectors.
    pub fn validate_selectors(selectors: &[String]) -> Result<(), SelectorError> {
        for s in selectors {
            if !selector_exists(s) {
                return Err(unknown(s, None));
            }
        }
        Ok(())
    }

    /// The level configured for a rule, if any.
    fn configured_level(&self, rule: &dyn Rule) -> Option<Level> {
        let info = rule.info();
        if let Some((_, level)) =
            self.rule_levels.iter().rev().find(|(n, _)| info.code.eq_ignore_ascii_case(n) || info.name == n)
        {
            return Some(*level);
        }
        self.tag_levels.iter().filter(|(t, _)| info.tags.contains(&t.as_str())).map(|(_, l)| *l).max()
    }

    /// The enabled rules and the severity each reports at.
    pub fn resolve(&self) -> Vec<(&'static dyn Rule, Severity)> {
        let mut out = Vec::new();
        for &rule in registry::all() {
            let info = rule.info();
            let level = self.configured_level(rule);
            let mut enabled = if is_meta(rule) {
                true
            } else if !self.select.is_empty() {
                self.select.iter().any(|s| info.matches(s))
            } else {
                info.enabled_by_default || matches!(level, Some(l) if l != Level::Off)
            };
            if self.ignore.iter().any(|s| info.matches(s)) {
                enabled = false;
            }
            let severity = match level {
                Some(Level::Off) => None,
                Some(Level::Note) => Some(Severity::Note),
                Some(Level::Warning) => Some(Severity::Warning),
                Some(Level::Error) => Some(Severity::Error),
                None => Some(info.default_severity),
            };
            if let (true, Some(severity)) = (enabled, severity) {
                out.push((rule, severity));
            }
        }
        out
    }
}

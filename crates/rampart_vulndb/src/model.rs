//! The OSV record model (<https://ossf.github.io/osv-schema/>), tolerant: unknown fields are
//! ignored, unknown ecosystems and range types are kept as strings, every list may be absent.
//!
//! `ranges` and `versions` keep the OSV JSON shape exactly, so the matcher can convert them to
//! its own types (`rampart_versions::Range`) without this crate depending on it.

use serde::{Deserialize, Serialize};

/// One OSV record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Record {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// OSV 1.7 `upstream`: the ids this record derives from (Debian's `DEBIAN-CVE-…` → `CVE-…`).
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// `severity[]`: a scoring type (`CVSS_V3`, `CVSS_V4`, `Ubuntu`, …) and its vector or value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Severity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

/// `affected[]`: one package and the versions of it the record affects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Affected {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// `affected[].package`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Package {
    pub ecosystem: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// `affected[].ranges[]`: `type` is `ECOSYSTEM`, `SEMVER` or `GIT` (others kept verbatim).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub events: Vec<Event>,
}

/// One range event, in OSV's JSON shape: `{"introduced": "1.0"}`, `{"fixed": "1.2"}`,
/// `{"last_affected": "1.1"}`, `{"limit": "2.0"}`. An object with none of those keys (or with an
/// unknown one) is kept as [`Event::Unknown`] so that one odd event does not reject a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
    #[serde(untagged)]
    Unknown(serde_json::Value),
}

/// `references[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// `null` is as good as absent for OSV lists.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

impl Record {
    /// The database's own rating (`database_specific.severity`, as GHSA and others publish it),
    /// e.g. `HIGH`.
    pub fn database_rating(&self) -> Option<&str> {
        self.database_specific.as_ref()?.get("severity")?.as_str()
    }
}

/// The ecosystem without its release suffix: `Debian:12` → `Debian`, `Alpine:v3.19` → `Alpine`.
pub fn base_ecosystem(ecosystem: &str) -> &str {
    ecosystem.split_once(':').map_or(ecosystem, |(base, _)| base)
}

/// The package name as stored and queried: PyPI names per PEP 503 (lowercase, runs of `-_.`
/// become one `-`); every other ecosystem verbatim (names there are case-sensitive or already
/// canonical).
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    if base_ecosystem(ecosystem).eq_ignore_ascii_case("PyPI") {
        let mut out = String::with_capacity(name.len());
        let mut in_run = false;
        for c in name.trim().chars() {
            if matches!(c, '-' | '_' | '.') {
                if !in_run {
                    out.push('-');
                }
                in_run = true;
            } else {
                out.extend(c.to_lowercase());
                in_run = false;
            }
        }
        out
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503() {
        assert_eq!(normalize_name("PyPI", "Jinja2"), "jinja2");
        assert_eq!(normalize_name("PyPI", "zope.interface"), "zope-interface");
        assert_eq!(normalize_name("PyPI", "Foo__.-Bar"), "foo-bar");
        assert_eq!(normalize_name("npm", "Foo_Bar"), "Foo_Bar");
        assert_eq!(base_ecosystem("Debian:12"), "Debian");
        assert_eq!(base_ecosystem("npm"), "npm");
    }

    #[test]
    fn tolerant() {
        let r: Record = serde_json::from_str(
            r#"{"id":"X-1","aliases":null,"extra":{"a":1},"affected":[{"package":{"ecosystem":"Weird:9","name":"p"},
            "ranges":[{"type":"NEW","events":[{"introduced":"0"},{"fixed":"1"},{"strange":"2"}]}]}]}"#,
        )
        .unwrap();
        assert_eq!(r.affected[0].ranges[0].events[1], Event::Fixed("1".into()));
        assert!(matches!(r.affected[0].ranges[0].events[2], Event::Unknown(_)));
        let back = serde_json::to_string(&r.affected[0].ranges[0].events[..2]).unwrap();
        assert_eq!(back, r#"[{"introduced":"0"},{"fixed":"1"}]"#);
    }
}

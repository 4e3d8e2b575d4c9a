//! OSV records (<https://ossf.github.io/osv-schema/>) as [`Advisory`] values: one per
//! `affected` entry, so a record about several packages matches each on its own.

use serde_json::Value;

use crate::{Advisory, AdvisorySource};
use rampart_versions::{Event, Range, RangeKind, Scheme};

fn strings(value: &Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default()
}

/// The severity vectors of a `severity` array (`[{type: CVSS_V3, score: "CVSS:3.1/…"}]`).
fn vectors(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|s| s["type"].as_str().is_some_and(|t| t.starts_with("CVSS_")))
                .filter_map(|s| s["score"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The ranges of an `affected` entry; events it cannot read are dropped with their range.
pub fn ranges(value: &Value) -> Vec<Range> {
    let Some(list) = value.as_array() else { return Vec::new() };
    list.iter()
        .filter_map(|r| {
            let kind = match r["type"].as_str()? {
                "ECOSYSTEM" => RangeKind::Ecosystem,
                "SEMVER" => RangeKind::Semver,
                "GIT" => RangeKind::Git,
                _ => return None,
            };
            let events = r["events"]
                .as_array()?
                .iter()
                .map(|e| {
                    let e = e.as_object()?;
                    let (key, value) = e.iter().next()?;
                    let value = value.as_str()?.to_string();
                    Some(match key.as_str() {
                        "introduced" => Event::Introduced(value),
                        "fixed" => Event::Fixed(value),
                        "last_affected" => Event::LastAffected(value),
                        "limit" => Event::Limit(value),
                        _ => return None,
                    })
                })
                .collect::<Option<Vec<Event>>>()?;
            Some(Range { kind, events })
        })
        .collect()
}

/// Every affected entry of an OSV record as an advisory.
pub fn advisories(record: &Value) -> Vec<Advisory> {
    let Some(id) = record["id"].as_str() else { return Vec::new() };
    let record_vectors = vectors(&record["severity"]);
    let rating = record["database_specific"]["severity"].as_str().map(String::from);
    let urls: Vec<String> = record["references"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["url"].as_str().map(String::from)).collect())
        .unwrap_or_default();
    let Some(affected) = record["affected"].as_array() else { return Vec::new() };
    affected
        .iter()
        .filter_map(|a| {
            let ecosystem = a["package"]["ecosystem"].as_str()?.to_string();
            let mut cvss = record_vectors.clone();
            cvss.extend(vectors(&a["severity"]));
            Some(Advisory {
                id: id.to_string(),
                aliases: strings(&record["aliases"]),
                summary: record["summary"].as_str().map(String::from),
                cvss,
                rating: a["database_specific"]["severity"].as_str().map(String::from).or_else(|| rating.clone()),
                urls: urls.clone(),
                ranges: ranges(&a["ranges"]),
                versions: strings(&a["versions"]),
                withdrawn: record["withdrawn"].as_str().is_some_and(|w| !w.is_empty()),
                name: a["package"]["name"].as_str().map(String::from).unwrap_or_default(),
                ecosystem,
            })
        })
        .collect()
}

/// Advisories held in memory, looked up by ecosystem and normalised name (fixtures, tests,
/// small runs).
#[derive(Debug, Clone, Default)]
pub struct InMemory(pub Vec<Advisory>);

impl AdvisorySource for InMemory {
    fn advisories(&self, ecosystem: &str, name: &str) -> Result<Vec<Advisory>, String> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        Ok(self
            .0
            .iter()
            .filter(|a| a.ecosystem.split(':').next() == Some(base))
            .filter(|a| rampart_versions::normalize_name(Scheme::for_osv_ecosystem(&a.ecosystem), &a.name) == name)
            .cloned()
            .collect())
    }
}

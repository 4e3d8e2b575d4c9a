//! OpenVEX documents: statements that a vulnerability does not affect a product
//! (`not_affected`) or was fixed in it (`fixed`) remove the matching findings.
//!
//! A statement applies to a vulnerability when its `vulnerability` (the `name` or one of its
//! `aliases`; v0.0.1 documents spell it as a plain string) is one of the vulnerability's ids,
//! and to a package when it lists no products, or a product or subcomponent `@id` is the
//! package's purl (qualifiers and subpath ignored) or the scanned image or directory.
//! `affected` and `under_investigation` statements change nothing. When several statements
//! apply, the latest (by `timestamp`, then order in the file) wins, as the spec says.

use serde::Deserialize;
use serde_json::Value;

use crate::Vulnerability;

/// The statements of one or more OpenVEX documents.
#[derive(Debug, Clone, Default)]
pub struct Vex {
    statements: Vec<Statement>,
}

#[derive(Debug, Clone)]
struct Statement {
    ids: Vec<String>,
    products: Vec<String>,
    status: String,
    timestamp: String,
    justification: Option<String>,
}

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    statements: Vec<RawStatement>,
}

#[derive(Deserialize)]
struct RawStatement {
    vulnerability: Value,
    #[serde(default)]
    products: Vec<Value>,
    status: String,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
}

/// Why a vulnerability was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub id: String,
    pub status: String,
    pub justification: Option<String>,
}

impl Vex {
    /// Adds the statements of one document; `name` is used in error messages.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let doc: Document = serde_json::from_slice(bytes)
            .map_err(|e| format!("{name}: not an OpenVEX document: {e} (line {}, column {})", e.line(), e.column()))?;
        for (i, raw) in doc.statements.into_iter().enumerate() {
            let mut ids = Vec::new();
            match &raw.vulnerability {
                Value::String(s) => ids.push(s.clone()),
                Value::Object(map) => {
                    if let Some(Value::String(s)) = map.get("name") {
                        ids.push(s.clone());
                    }
                    if let Some(Value::Array(aliases)) = map.get("aliases") {
                        ids.extend(aliases.iter().filter_map(|a| a.as_str().map(String::from)));
                    }
                }
                _ => {}
            }
            if ids.is_empty() {
                return Err(format!("{name}: statement {} names no vulnerability", i + 1));
            }
            let mut products = Vec::new();
            for product in &raw.products {
                collect_ids(product, &mut products);
            }
            self.statements.push(Statement {
                ids,
                products,
                status: raw.status,
                timestamp: raw.timestamp.or_else(|| doc.timestamp.clone()).unwrap_or_default(),
                justification: raw.justification.or(raw.impact_statement),
            });
        }
        Ok(())
    }

    /// Removes the vulnerabilities the statements say are `not_affected` or `fixed`;
    /// returns what was removed and why.
    pub fn apply(&self, target: &str, vulnerabilities: &mut Vec<Vulnerability>) -> Vec<Suppression> {
        let mut removed = Vec::new();
        vulnerabilities.retain(|v| {
            let latest = self
                .statements
                .iter()
                .enumerate()
                .filter(|(_, s)| s.ids.iter().any(|id| v.ids.contains(id) || *id == v.id))
                .filter(|(_, s)| {
                    s.products.is_empty() || s.products.iter().any(|p| same_purl(p, &v.purl) || p == target)
                })
                .max_by(|(i, a), (j, b)| a.timestamp.cmp(&b.timestamp).then(i.cmp(j)));
            match latest {
                Some((_, s)) if s.status == "not_affected" || s.status == "fixed" => {
                    removed.push(Suppression {
                        id: v.id.clone(),
                        status: s.status.clone(),
                        justification: s.justification.clone(),
                    });
                    false
                }
                _ => true,
            }
        });
        removed
    }
}

/// A product's `@id` and its subcomponents' (a string product is its own id).
fn collect_ids(product: &Value, out: &mut Vec<String>) {
    match product {
        Value::String(s) => out.push(s.clone()),
        Value::Object(map) => {
            if let Some(Value::String(id)) = map.get("@id") {
                out.push(id.clone());
            }
            if let Some(Value::Object(identifiers)) = map.get("identifiers")
                && let Some(Value::String(purl)) = identifiers.get("purl")
            {
                out.push(purl.clone());
            }
            if let Some(Value::Array(subs)) = map.get("subcomponents") {
                for sub in subs {
                    collect_ids(sub, out);
                }
            }
        }
        _ => {}
    }
}

/// Purls equal up to qualifiers and subpath, with the version compared when both have one.
fn same_purl(a: &str, b: &str) -> bool {
    fn base(p: &str) -> &str {
        p.split(['?', '#']).next().unwrap_or(p)
    }
    let (a, b) = (base(a), base(b));
    if !a.starts_with("pkg:") || !b.starts_with("pkg:") {
        return false;
    }
    a.eq_ignore_ascii_case(b)
        || match (a.rsplit_once('@'), b.rsplit_once('@')) {
            (None, Some((name, _))) => a.eq_ignore_ascii_case(name),
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_catalog::Ecosystem;

    fn vuln(id: &str, ids: &[&str], purl: &str) -> Vulnerability {
        Vulnerability {
            id: id.into(),
            ids: ids.iter().map(|s| s.to_string()).collect(),
            package: "requests".into(),
            version: "2.19.0".into(),
            ecosystem: Ecosystem::PyPI,
            purl: purl.into(),
            matched_name: "requests".into(),
            matched_version: "2.19.0".into(),
            osv_ecosystem: "PyPI".into(),
            fixed: vec![],
            rating: None,
            score: None,
            vector: None,
            summary: None,
            urls: vec![],
            locations: vec![],
        }
    }

    const DOC: &str = r#"{
      "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
      "author": "sec", "timestamp": "2026-01-01T00:00:00Z", "version": 1,
      "statements": [
        {"vulnerability": {"name": "GHSA-x84v-xcm2-53pg", "aliases": ["CVE-2018-18074"]},
         "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": "pkg:pypi/requests@2.19.0"}]}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
        {"vulnerability": {"name": "CVE-2023-32681"}, "products": [{"@id": "pkg:pypi/requests"}], "status": "affected"},
        {"vulnerability": "CVE-2099-1", "status": "fixed"}
      ]
    }"#;

    #[test]
    fn not_affected_and_fixed_statements_remove_matching_vulnerabilities_only() {
        let mut vex = Vex::default();
        vex.add("vex.json", DOC.as_bytes()).unwrap();
        let purl = "pkg:pypi/requests@2.19.0";
        let mut found = vec![
            vuln("CVE-2018-18074", &["CVE-2018-18074", "PYSEC-2018-32"], purl),
            vuln("CVE-2023-32681", &["CVE-2023-32681"], purl),
            vuln("CVE-2099-1", &["CVE-2099-1"], "pkg:npm/x@1"),
            vuln("CVE-2018-18074", &["CVE-2018-18074"], "pkg:pypi/requests@2.31.0"),
        ];
        let removed = vex.apply("img", &mut found);
        let left: Vec<(&str, &str)> = found.iter().map(|v| (v.id.as_str(), v.purl.as_str())).collect();
        assert_eq!(left, [("CVE-2023-32681", purl), ("CVE-2018-18074", "pkg:pypi/requests@2.31.0")]);
        assert_eq!(removed.len(), 2);
        assert_eq!(removed[0].justification.as_deref(), Some("vulnerable_code_not_in_execute_path"));
    }

    #[test]
    fn malformed_documents_are_clear_errors() {
        let mut vex = Vex::default();
        let err = vex.add("bad.json", b"{\"statements\": [{\"status\": 1}]}").unwrap_err();
        assert!(err.starts_with("bad.json: not an OpenVEX document"), "{err}");
        let err = vex.add("empty.json", br#"{"statements": [{"vulnerability": {}, "status": "fixed"}]}"#).unwrap_err();
        assert!(err.contains("statement 1 names no vulnerability"), "{err}");
    }
}

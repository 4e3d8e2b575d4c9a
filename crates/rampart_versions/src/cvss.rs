//! CVSS base scores and qualitative ratings, so findings can be ranked and `--fail-on`
//! thresholds applied whether a record carries a vector, a score or only a word.
//!
//! Scoring is delegated to RustSec's `cvss` crate, which implements the v3.0/v3.1 base
//! formula and the v4.0 macrovector lookup of FIRST's reference implementation.

use std::str::FromStr;

/// The qualitative severity scale shared by CVSS v3.x and v4.0 (and by most databases'
/// own ratings), ordered so thresholds compare with `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    /// Score 0.0: no impact.
    None,
    /// Score 0.1–3.9.
    Low,
    /// Score 4.0–6.9.
    Medium,
    /// Score 7.0–8.9.
    High,
    /// Score 9.0–10.0.
    Critical,
}

/// A CVSS v3.0/v3.1 or v4.0 vector ("CVSS:3.1/AV:N/..." / "CVSS:4.0/AV:N/...") → base score
/// (one decimal) and rating; `None` if malformed, because a made-up score would mis-rank.
pub fn score(vector: &str) -> Option<(f64, Rating)> {
    let vector = vector.trim();
    let value = if vector.starts_with("CVSS:3.0/") || vector.starts_with("CVSS:3.1/") {
        if !has_all(vector, &V3_BASE) {
            return None;
        }
        cvss::v3::Vector::from_str(vector).ok()?.score().value()
    } else if vector.starts_with("CVSS:4.0/") {
        if !has_all(vector, &V4_BASE) {
            return None;
        }
        cvss::v4::Vector::from_str(vector).ok()?.score().value()
    } else {
        return None;
    };
    if !value.is_finite() || !(0.0..=10.0).contains(&value) {
        return None;
    }
    let value = (value * 10.0).round() / 10.0;
    Some((value, rating_of(value)))
}

/// Mandatory base metrics: the parser fills missing ones with defaults, which would turn a
/// truncated vector into a confident but invented score.
const V3_BASE: [&str; 8] = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
const V4_BASE: [&str; 11] = ["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"];

/// Whether every mandatory metric appears exactly once.
fn has_all(vector: &str, base: &[&str]) -> bool {
    let keys: Vec<&str> = vector.split('/').skip(1).map(|m| m.split(':').next().unwrap_or("")).collect();
    base.iter().all(|b| keys.iter().filter(|k| *k == b).count() == 1)
}

/// The rating band of a score (v3.x and v4.0 share the bands), for records that publish a
/// number without a vector; out-of-range or NaN scores rate `None`.
pub fn rating_of(score: f64) -> Rating {
    if !score.is_finite() || score <= 0.0 {
        Rating::None
    } else if score < 4.0 {
        Rating::Low
    } else if score < 7.0 {
        Rating::Medium
    } else if score < 9.0 {
        Rating::High
    } else {
        Rating::Critical
    }
}

/// A database's own severity word → rating, the fallback when a record has no CVSS vector:
/// "CRITICAL", "high", "Important" (Red Hat), "moderate" (GHSA), "medium", "low",
/// "negligible"/"unimportant" (Ubuntu/Debian, rated low rather than hidden), "none".
/// `None` for unknown words ("unknown", "not yet assigned"), so no severity is invented.
pub fn parse_rating(text: &str) -> Option<Rating> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "critical" => Rating::Critical,
        "high" | "important" => Rating::High,
        "moderate" | "medium" => Rating::Medium,
        "low" | "negligible" | "unimportant" | "minor" => Rating::Low,
        "none" | "informational" | "info" => Rating::None,
        _ => return None,
    })
}

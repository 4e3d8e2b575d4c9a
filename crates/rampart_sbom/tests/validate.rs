//! The SBOMs are valid for the official validators, and hold together on their own terms.
//!
//! The validators are Python tools (cyclonedx-python-lib, spdx-tools) run by
//! `.ci/validate-sbom.sh`; `.ci/run` sets `RAMPART_SBOM_VALIDATOR` to that script and
//! `RAMPART_REQUIRE_EXTERNAL=1`, which turns a missing validator into a failure instead of a skip.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{TOOL, fixed, realistic, small, subject};
use rampart_catalog::Inventory;
use rampart_sbom::{Options, Subject, cyclonedx_json, spdx_json};
use serde_json::Value;

fn validator() -> Option<PathBuf> {
    match std::env::var_os("RAMPART_SBOM_VALIDATOR").map(PathBuf::from) {
        Some(path) if path.exists() => Some(path),
        _ => {
            assert!(
                std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(),
                "RAMPART_REQUIRE_EXTERNAL is set but RAMPART_SBOM_VALIDATOR does not point at .ci/validate-sbom.sh"
            );
            eprintln!("skipped: set RAMPART_SBOM_VALIDATOR to .ci/validate-sbom.sh to run the official validators");
            None
        }
    }
}

/// The documents to validate: the realistic inventory, and the degenerate cases.
fn cases() -> Vec<(&'static str, Subject, Inventory, Options)> {
    let bare = Subject { name: "/tmp/images/oci/bare".into(), ..Default::default() };
    vec![
        ("realistic", subject(), realistic(), fixed()),
        ("realistic-random", subject(), realistic(), Options::default()),
        ("small", subject(), small(), fixed()),
        ("empty", bare.clone(), Inventory::default(), fixed()),
        ("unnamed", Subject::default(), small(), Options::default()),
        ("bare", bare, realistic(), fixed()),
    ]
}

fn write_all(dir: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    let mut files = Vec::new();
    for (name, subject, inventory, options) in cases() {
        let cdx = dir.join(format!("{name}.cdx.json"));
        std::fs::write(&cdx, cyclonedx_json(&subject, &inventory, &TOOL, &options)).unwrap();
        let spdx = dir.join(format!("{name}.spdx.json"));
        std::fs::write(&spdx, spdx_json(&subject, &inventory, &TOOL, &options)).unwrap();
        files.extend([cdx, spdx]);
    }
    // A BOM with a `vulnerabilities` section: one rated by a vector, one by the database only.
    let inventory = realistic();
    let purl = inventory.packages[0].purl.clone();
    let version = inventory.packages[0].version.clone();
    let vulnerabilities = [
        rampart_sbom::Vulnerability {
            id: "CVE-2018-18074".into(),
            aliases: vec!["GHSA-x84v-xcm2-53pg".into(), "PYSEC-2018-32".into()],
            purl: purl.clone(),
            version: version.clone(),
            severity: "high".into(),
            score: Some(7.5),
            vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into()),
            summary: Some("Insufficiently Protected Credentials".into()),
            fixed: vec!["2.20.0".into()],
            urls: vec!["https://nvd.nist.gov/vuln/detail/CVE-2018-18074".into()],
        },
        rampart_sbom::Vulnerability {
            id: "GHSA-0000-0000-0000".into(),
            purl,
            version,
            severity: "unknown".into(),
            ..Default::default()
        },
    ];
    let cdx = dir.join("vulnerabilities.cdx.json");
    let text =
        rampart_sbom::cyclonedx_json_with_vulnerabilities(&subject(), &inventory, &TOOL, &fixed(), &vulnerabilities);
    let bom: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(bom["vulnerabilities"].as_array().map(Vec::len), Some(2), "{text}");
    assert_eq!(bom["vulnerabilities"][0]["affects"][0]["ref"], bom["components"][1]["bom-ref"], "{text}");
    std::fs::write(&cdx, text).unwrap();
    files.push(cdx);
    files
}

#[test]
fn official_validators_accept_every_document() {
    let Some(validator) = validator() else { return };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rampart-sbom-validate-{}", std::process::id()));
    let files = write_all(&dir);
    let output = Command::new(&validator).args(&files).output().expect("run the SBOM validator");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{} rejected SBOMs in {}:\n{report}", validator.display(), dir.display());
    assert_eq!(report.matches(": valid ").count(), files.len(), "{report}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_validator_rejects_a_broken_document() {
    let Some(validator) = validator() else { return };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rampart-sbom-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cdx: Value = serde_json::from_str(&cyclonedx_json(&subject(), &small(), &TOOL, &fixed())).unwrap();
    cdx["components"][1]["licenses"] = serde_json::json!([{"license": {"id": "GPL-2+"}}]);
    let mut spdx: Value = serde_json::from_str(&spdx_json(&subject(), &small(), &TOOL, &fixed())).unwrap();
    spdx["packages"][2]["primaryPackagePurpose "] = "LIBRARY".into();
    let files = [dir.join("broken.cdx.json"), dir.join("broken.spdx.json")];
    std::fs::write(&files[0], cdx.to_string()).unwrap();
    std::fs::write(&files[1], spdx.to_string()).unwrap();
    for file in &files {
        let output = Command::new(&validator).arg(file).output().expect("run the SBOM validator");
        assert_eq!(output.status.code(), Some(1), "{} accepted {}", validator.display(), file.display());
    }
    std::fs::remove_dir_all(&dir).ok();
}

fn strings<'a>(values: impl IntoIterator<Item = &'a Value>, key: &str) -> Vec<String> {
    values.into_iter().map(|v| v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}")).to_string()).collect()
}

fn unique(items: &[String]) -> bool {
    items.iter().collect::<HashSet<_>>().len() == items.len()
}

#[test]
fn cyclonedx_references_hold_together() {
    for (name, subject, inventory, options) in cases() {
        let bom: Value = serde_json::from_str(&cyclonedx_json(&subject, &inventory, &TOOL, &options)).unwrap();
        let components = bom["components"].as_array().unwrap();
        let expected = inventory.packages.len() + usize::from(inventory.os.is_some());
        assert_eq!(components.len(), expected, "{name}");
        let mut refs = strings(components, "bom-ref");
        refs.push(bom["metadata"]["component"]["bom-ref"].as_str().unwrap().to_string());
        assert!(unique(&refs), "{name}: duplicate bom-refs {refs:?}");
        let dependencies = bom["dependencies"].as_array().unwrap();
        assert_eq!(dependencies.len(), 1, "{name}");
        assert_eq!(dependencies[0]["ref"], bom["metadata"]["component"]["bom-ref"], "{name}");
        let depends_on: Vec<String> =
            dependencies[0]["dependsOn"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        assert_eq!(depends_on, refs[..refs.len() - 1], "{name}: the image depends on every component");
    }
}

#[test]
fn spdx_references_hold_together() {
    for (name, subject, inventory, options) in cases() {
        let doc: Value = serde_json::from_str(&spdx_json(&subject, &inventory, &TOOL, &options)).unwrap();
        let packages = doc["packages"].as_array().unwrap();
        let ids = strings(packages, "SPDXID");
        assert!(unique(&ids), "{name}: duplicate SPDXIDs");
        for id in &ids {
            assert!(id.starts_with("SPDXRef-"), "{id}");
            assert!(
                id["SPDXRef-".len()..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'),
                "{id}"
            );
        }
        let relationships = doc["relationships"].as_array().unwrap();
        assert_eq!(relationships.len(), packages.len(), "{name}: DESCRIBES the image, which CONTAINS the rest");
        for relationship in relationships {
            assert!(ids.contains(&relationship["relatedSpdxElement"].as_str().unwrap().to_string()));
        }
        let defined =
            doc["hasExtractedLicensingInfos"].as_array().map(|infos| strings(infos, "licenseId")).unwrap_or_default();
        assert!(unique(&defined), "{name}: a LicenseRef defined twice");
        for package in packages {
            let declared = package["licenseDeclared"].as_str().unwrap();
            for word in declared.split([' ', '(', ')']).filter(|w| w.starts_with("LicenseRef-")) {
                assert!(defined.iter().any(|d| d == word), "{name}: {word} is used but not defined");
            }
        }
    }
}

#[test]
fn licences_are_sorted_into_ids_expressions_and_names() {
    let bom: Value = serde_json::from_str(&cyclonedx_json(&subject(), &realistic(), &TOOL, &fixed())).unwrap();
    let licenses = |name: &str| {
        let component = bom["components"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
        component.get("licenses").cloned().unwrap_or(Value::Null).to_string()
    };
    assert_eq!(licenses("libc6"), r#"[{"license":{"name":"GPL-2+"}},{"license":{"id":"LGPL-2.1-only"}}]"#);
    assert_eq!(licenses("passwd"), r#"[{"license":{"id":"GPL-2.0-or-later"}},{"license":{"id":"BSD-3-Clause"}}]"#);
    assert_eq!(licenses("@scope/pkg"), r#"[{"expression":"MIT OR Apache-2.0"}]"#);
    assert_eq!(licenses("stdlib"), r#"[{"license":{"id":"BSD-3-Clause"}}]"#);
    assert_eq!(
        licenses("libstdc++6"),
        r#"[{"license":{"name":"GPL-3.0-or-later WITH GCC-exception-3.1"}},{"license":{"name":"GFDL-NIV-1.3"}}]"#
    );
    assert_eq!(licenses("ring"), r#"[{"expression":"LicenseRef-ring"}]"#);
    assert_eq!(licenses("base-files"), "null");
    assert_eq!(licenses("long"), format!(r#"[{{"license":{{"name":"{}"}}}}]"#, "x".repeat(5_000)));
    assert_eq!(
        licenses("zlib1g"),
        r#"[{"license":{"id":"Zlib"}},{"license":{"name":"MIT OR Apache-2.0"}},{"license":{"name":"GPL-2+"}},{"license":{"id":"MIT"}}]"#
    );

    let doc: Value = serde_json::from_str(&spdx_json(&subject(), &realistic(), &TOOL, &fixed())).unwrap();
    let declared = |name: &str| {
        let package = doc["packages"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap();
        package["licenseDeclared"].as_str().unwrap().to_string()
    };
    assert_eq!(declared("@scope/pkg"), "MIT OR Apache-2.0");
    assert_eq!(declared("zlib1g"), "Zlib AND (MIT OR Apache-2.0) AND LicenseRef-GPL-2plus AND MIT");
    assert_eq!(declared("libc6"), "LicenseRef-GPL-2plus AND LGPL-2.1-only");
    assert_eq!(declared("tzdata"), "LicenseRef-public-domain");
    assert_eq!(declared("base-files"), "NOASSERTION");
    assert_eq!(declared("own-ref"), "MIT AND LicenseRef-Own-Terms");
}

#[test]
fn seeded_documents_are_reproducible_and_unseeded_ones_unique() {
    let (subject, inventory) = (subject(), realistic());
    for write in [cyclonedx_json, spdx_json] {
        assert_eq!(write(&subject, &inventory, &TOOL, &fixed()), write(&subject, &inventory, &TOOL, &fixed()));
        let other = Options { seed: Some("other".into()), ..fixed() };
        assert_ne!(write(&subject, &inventory, &TOOL, &fixed()), write(&subject, &inventory, &TOOL, &other));
        let now = Options::default();
        assert_ne!(write(&subject, &inventory, &TOOL, &now), write(&subject, &inventory, &TOOL, &now));
    }
}

//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>).

use std::collections::{BTreeMap, HashMap, HashSet};

use rampart_catalog::{Inventory, OsRelease, Package};
use serde::Serialize;

use crate::license::{Declared, classify};
use crate::{Options, Subject, ToolInfo, document_uuid, identity, ids, layer_name, os_name, to_json};

const NOASSERTION: &str = "NOASSERTION";
const IMAGE_ID: &str = "SPDXRef-Image";
const OS_ID: &str = "SPDXRef-OperatingSystem";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: &'a str,
    document_namespace: String,
    creation_info: CreationInfo,
    packages: Vec<SpdxPackage<'a>>,
    relationships: Vec<Relationship>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Serialize)]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage<'a> {
    name: &'a str,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<&'a str>,
    supplier: &'static str,
    download_location: &'static str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    license_concluded: &'static str,
    license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    primary_package_purpose: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum<'a> {
    algorithm: &'static str,
    checksum_value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: &'static str,
    related_spdx_element: String,
    relationship_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicense {
    license_id: String,
    extracted_text: String,
    name: String,
    comment: &'static str,
}

pub(crate) fn write(subject: &Subject, inventory: &Inventory, tool: &ToolInfo, options: &Options) -> String {
    let mut refs = LicenseRefs::default();
    let mut packages = Vec::with_capacity(inventory.packages.len() + 2);
    packages.push(image_package(subject));
    if let Some(os) = &inventory.os {
        packages.push(os_package(os));
    }
    let mut taken: HashSet<String> = [IMAGE_ID.to_string(), OS_ID.to_string()].into();
    for package in &inventory.packages {
        let spdx_id = package_id(package, &mut taken);
        packages.push(SpdxPackage {
            name: &package.name,
            spdx_id,
            version_info: Some(package.version.as_str()).filter(|v| !v.is_empty()),
            supplier: NOASSERTION,
            download_location: NOASSERTION,
            files_analyzed: false,
            checksums: Vec::new(),
            source_info: Some(source_info(subject, package)),
            license_concluded: NOASSERTION,
            license_declared: refs.declared(&package.licenses),
            copyright_text: NOASSERTION,
            description: None,
            comment: None,
            external_refs: purl_ref(&package.purl),
            primary_package_purpose: "LIBRARY",
        });
    }
    let mut relationships = vec![Relationship {
        spdx_element_id: "SPDXRef-DOCUMENT",
        related_spdx_element: IMAGE_ID.to_string(),
        relationship_type: "DESCRIBES",
    }];
    for package in &packages[1..] {
        relationships.push(Relationship {
            spdx_element_id: IMAGE_ID,
            related_spdx_element: package.spdx_id.clone(),
            relationship_type: "CONTAINS",
        });
    }
    let name = if subject.name.is_empty() { "image" } else { &subject.name };
    let mut document = Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name,
        document_namespace: String::new(),
        creation_info: CreationInfo {
            created: ids::timestamp(options.timestamp),
            creators: vec![format!("Tool: {}-{}", tool.name, tool.version)],
        },
        packages,
        relationships,
        has_extracted_licensing_infos: refs.infos.into_values().collect(),
    };
    let uuid = document_uuid(options, || to_json(&document));
    // The namespace only has to be a unique URI; it is not meant to resolve.
    document.document_namespace = format!("https://rampart.dev/spdxdocs/{}-{uuid}", slug(name));
    to_json(&document)
}

/// A readable, URI-safe stand-in for the image name in the namespace.
fn slug(name: &str) -> String {
    let slug = ids::idstring(name.rsplit('/').next().unwrap_or(name), 64);
    if slug.is_empty() { "image".to_string() } else { slug }
}

fn image_package(subject: &Subject) -> SpdxPackage<'_> {
    let mut comment = Vec::new();
    if let Some(config) = subject.config_digest.as_deref().filter(|c| !c.is_empty()) {
        comment.push(format!("config digest {config}"));
    }
    if !subject.layers.is_empty() {
        comment.push(format!("layers (base first) {}", subject.layers.join(", ")));
    }
    let platform: Vec<&str> = [subject.os.as_deref(), subject.architecture.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    if !platform.is_empty() {
        comment.push(format!("platform {}", platform.join("/")));
    }
    let digest = subject.digest.as_deref().filter(|d| !d.is_empty());
    SpdxPackage {
        name: if subject.name.is_empty() { "image" } else { &subject.name },
        spdx_id: IMAGE_ID.to_string(),
        version_info: digest,
        supplier: NOASSERTION,
        download_location: NOASSERTION,
        files_analyzed: false,
        // The manifest digest is the SHA-256 of the manifest, which is what identifies the image.
        checksums: digest
            .and_then(ids::sha256_hex)
            .map(|hex| vec![Checksum { algorithm: "SHA256", checksum_value: hex }])
            .unwrap_or_default(),
        source_info: None,
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION.to_string(),
        copyright_text: NOASSERTION,
        description: None,
        comment: (!comment.is_empty()).then(|| format!("Image {}.", comment.join("; "))),
        external_refs: ids::image_purl(subject).map(|purl| purl_ref(&purl)).unwrap_or_default(),
        primary_package_purpose: "CONTAINER",
    }
}

fn os_package(os: &OsRelease) -> SpdxPackage<'_> {
    SpdxPackage {
        name: os_name(os),
        spdx_id: OS_ID.to_string(),
        version_info: os.version_id.as_deref().filter(|v| !v.is_empty()),
        supplier: NOASSERTION,
        download_location: NOASSERTION,
        files_analyzed: false,
        checksums: Vec::new(),
        source_info: Some("acquired from os-release".to_string()),
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION.to_string(),
        copyright_text: NOASSERTION,
        description: os.pretty_name.as_deref().filter(|p| !p.is_empty()),
        comment: None,
        external_refs: Vec::new(),
        primary_package_purpose: "OPERATING-SYSTEM",
    }
}

fn purl_ref(purl: &str) -> Vec<ExternalRef> {
    if purl.is_empty() {
        return Vec::new();
    }
    vec![ExternalRef {
        reference_category: "PACKAGE-MANAGER",
        reference_type: "purl",
        reference_locator: purl.to_string(),
    }]
}

/// `found by the dpkg cataloger in /var/lib/dpkg/status (layer sha256:...); source package glibc 2.36-9`.
fn source_info(subject: &Subject, package: &Package) -> String {
    let mut text = format!("found by the rampart {} cataloger", package.cataloger);
    for (index, location) in package.locations.iter().enumerate() {
        text.push_str(if index == 0 { " in " } else { ", " });
        text.push_str(&location.path);
        text.push_str(" (layer ");
        text.push_str(&layer_name(subject, location.layer));
        text.push(')');
    }
    if let Some(source) = &package.source {
        text.push_str("; source package ");
        text.push_str(&source.name);
        if !source.version.is_empty() {
            text.push(' ');
            text.push_str(&source.version);
        }
    }
    text
}

/// `SPDXRef-Package-ECOSYSTEM-NAME-HASH`, unique in the document.
fn package_id(package: &Package, taken: &mut HashSet<String>) -> String {
    let name = ids::idstring(&package.name, 64);
    let hash = ids::short_hash(&identity(package));
    let ecosystem = package.ecosystem.purl_type();
    let stem = if name.is_empty() {
        format!("SPDXRef-Package-{ecosystem}-{hash}")
    } else {
        format!("SPDXRef-Package-{ecosystem}-{name}-{hash}")
    };
    let mut candidate = stem.clone();
    let mut counter = 2;
    while taken.contains(&candidate) {
        candidate = format!("{stem}-{counter}");
        counter += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// The `LicenseRef-`s a document uses, each defined once in `hasExtractedLicensingInfos`.
#[derive(Default)]
struct LicenseRefs {
    by_name: HashMap<String, String>,
    infos: BTreeMap<String, ExtractedLicense>,
}

impl LicenseRefs {
    /// `licenseDeclared` for a package: its declarations joined with `AND`.
    fn declared(&mut self, declared: &[String]) -> String {
        let mut terms: Vec<String> = Vec::new();
        let items: Vec<Declared> = declared.iter().filter_map(|raw| classify(raw)).collect();
        let several = items.len() > 1;
        for item in items {
            let term = match item {
                Declared::Id(id) => id,
                Declared::Expression(expression) => {
                    for license_ref in &expression.license_refs {
                        self.define_package_ref(license_ref);
                    }
                    if expression.compound && several { format!("({})", expression.text) } else { expression.text }
                }
                Declared::Name(name) => self.for_name(&name),
            };
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        if terms.is_empty() { NOASSERTION.to_string() } else { terms.join(" AND ") }
    }

    /// A `LicenseRef-` the package itself used in an SPDX expression.
    fn define_package_ref(&mut self, license_ref: &str) {
        self.infos.entry(license_ref.to_string()).or_insert_with(|| ExtractedLicense {
            license_id: license_ref.to_string(),
            extracted_text: license_ref.to_string(),
            name: license_ref.to_string(),
            comment: "The package's licence expression names this reference; rampart does not read licence texts.",
        });
    }

    /// The `LicenseRef-` standing for a licence name that is not SPDX: the name made into an
    /// idstring (`GPL-2+` → `LicenseRef-GPL-2plus`, `Apache 2.0` → `LicenseRef-Apache-2.0`), with
    /// a hash of the name when it had to be shortened or another name came out the same.
    fn for_name(&mut self, name: &str) -> String {
        if let Some(id) = self.by_name.get(name) {
            return id.clone();
        }
        let hash = &ids::short_hash(&[name])[..8];
        let clean = ids::idstring(&name.replace('+', "plus"), 49);
        let stem = if clean.is_empty() {
            format!("LicenseRef-{hash}")
        } else if clean.len() > 48 {
            format!("LicenseRef-{}-{hash}", clean[..48].trim_end_matches('-'))
        } else {
            format!("LicenseRef-{clean}")
        };
        let mut id = stem.clone();
        if self.infos.contains_key(&id) {
            id = format!("{stem}-{hash}");
        }
        let mut counter = 2;
        while self.infos.contains_key(&id) {
            id = format!("{stem}-{hash}-{counter}");
            counter += 1;
        }
        self.infos.insert(
            id.clone(),
            ExtractedLicense {
                license_id: id.clone(),
                extracted_text: name.to_string(),
                name: name.to_string(),
                comment: "Licence as the package declares it, not an SPDX expression; rampart does not read licence texts.",
            },
        );
        self.by_name.insert(name.to_string(), id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_names_become_readable_unique_refs() {
        let mut refs = LicenseRefs::default();
        assert_eq!(refs.for_name("GPL-2+"), "LicenseRef-GPL-2plus");
        assert_eq!(refs.for_name("Apache 2.0"), "LicenseRef-Apache-2.0");
        assert_eq!(refs.for_name("GPL-2+"), "LicenseRef-GPL-2plus");
        // Comes out the same as an earlier name: told apart by a hash of the name.
        let other = refs.for_name("Apache  2.0");
        assert!(other.starts_with("LicenseRef-Apache-2.0-") && other.len() == "LicenseRef-Apache-2.0-".len() + 8);
        assert_eq!(refs.for_name("Licence générale"), "LicenseRef-Licence-g-n-rale");
        assert!(refs.for_name("ü").starts_with("LicenseRef-"));
        let long = refs.for_name(&"x".repeat(10_000));
        assert_eq!(long.len(), "LicenseRef-".len() + 48 + 1 + 8);
        assert_eq!(refs.infos.len(), 6);
        for (id, info) in &refs.infos {
            assert_eq!(id, &info.license_id);
            assert!(id["LicenseRef-".len()..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'));
        }
    }

    #[test]
    fn declared_licences_join_with_and() {
        let mut refs = LicenseRefs::default();
        let declared = |refs: &mut LicenseRefs, items: &[&str]| {
            refs.declared(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(declared(&mut refs, &[]), "NOASSERTION");
        assert_eq!(declared(&mut refs, &["", "NONE"]), "NOASSERTION");
        assert_eq!(declared(&mut refs, &["MIT OR Apache-2.0"]), "MIT OR Apache-2.0");
        assert_eq!(declared(&mut refs, &["mit", "MIT", "MIT OR ISC"]), "MIT AND (MIT OR ISC)");
        assert_eq!(declared(&mut refs, &["GPL-2+", "LicenseRef-Own"]), "LicenseRef-GPL-2plus AND LicenseRef-Own");
        assert!(refs.infos.contains_key("LicenseRef-Own"));
    }
}

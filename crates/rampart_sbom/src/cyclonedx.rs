//! CycloneDX 1.6 JSON (<https://cyclonedx.org/docs/1.6/json/>).

use std::collections::{HashMap, HashSet};

use rampart_catalog::{Inventory, OsRelease, Package};
use serde::Serialize;

use crate::license::{Declared, classify};
use crate::{Options, Subject, ToolInfo, document_uuid, identity, ids, layer_name, os_name, to_json};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component<'a>>,
    dependencies: Vec<Dependency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Serialize)]
struct Vulnerability {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    id: String,
    source: Source,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ratings: Vec<Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    advisories: Vec<Advisory>,
    affects: Vec<Affects>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Reference {
    id: String,
    source: Source,
}

#[derive(Serialize)]
struct Rating {
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    severity: String,
    method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<String>,
}

#[derive(Serialize)]
struct Advisory {
    url: String,
}

#[derive(Serialize)]
struct Affects {
    #[serde(rename = "ref")]
    reference: String,
    versions: Vec<AffectedVersion>,
}

#[derive(Serialize)]
struct AffectedVersion {
    version: String,
    status: &'static str,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: String,
    tools: Tools<'a>,
    component: Component<'a>,
}

#[derive(Serialize)]
struct Tools<'a> {
    components: Vec<ToolComponent<'a>>,
}

#[derive(Serialize)]
struct ToolComponent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Component<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum LicenseChoice {
    License { license: License },
    Expression { expression: String },
}

#[derive(Serialize)]
struct License {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

fn property(name: &'static str, value: impl Into<String>) -> Property {
    Property { name, value: value.into() }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    depends_on: Vec<String>,
}

pub(crate) fn write(
    subject: &Subject,
    inventory: &Inventory,
    tool: &ToolInfo,
    options: &Options,
    vulnerabilities: &[crate::Vulnerability],
) -> String {
    let image_purl = ids::image_purl(subject);
    let image_ref = image_purl.clone().unwrap_or_else(|| "rampart:image".to_string());
    let os_ref = inventory.os.as_ref().map(os_ref);
    let mut taken: HashSet<String> = [Some(image_ref.clone()), os_ref.clone()].into_iter().flatten().collect();
    let package_refs = bom_refs(&inventory.packages, &mut taken);

    let mut components = Vec::with_capacity(inventory.packages.len() + 1);
    if let (Some(os), Some(os_ref)) = (&inventory.os, &os_ref) {
        components.push(os_component(os, os_ref.clone()));
    }
    let mut ref_of_purl: HashMap<&str, String> = HashMap::new();
    for (package, bom_ref) in inventory.packages.iter().zip(package_refs) {
        ref_of_purl.entry(package.purl.as_str()).or_insert_with(|| bom_ref.clone());
        components.push(package_component(subject, package, bom_ref));
    }
    let vulnerabilities = vulnerabilities
        .iter()
        .filter_map(|v| {
            let reference = ref_of_purl.get(v.purl.as_str())?.clone();
            let osv = |id: &str| Source { name: "OSV", url: format!("https://osv.dev/vulnerability/{id}") };
            Some(Vulnerability {
                bom_ref: format!("{}@{reference}", v.id),
                id: v.id.clone(),
                source: osv(&v.id),
                references: v
                    .aliases
                    .iter()
                    .filter(|a| **a != v.id)
                    .map(|a| Reference { id: a.clone(), source: osv(a) })
                    .collect(),
                ratings: vec![Rating {
                    score: v.score,
                    severity: v.severity.clone(),
                    method: match v.vector.as_deref() {
                        Some(x) if x.starts_with("CVSS:4") => "CVSSv4",
                        Some(x) if x.starts_with("CVSS:3.1") => "CVSSv31",
                        Some(x) if x.starts_with("CVSS:3") => "CVSSv3",
                        _ => "other",
                    },
                    vector: v.vector.clone(),
                }],
                description: v.summary.clone(),
                recommendation: (!v.fixed.is_empty()).then(|| format!("Upgrade to {}", v.fixed.join(" or "))),
                advisories: v.urls.iter().map(|u| Advisory { url: u.clone() }).collect(),
                affects: vec![Affects {
                    reference,
                    versions: vec![AffectedVersion { version: v.version.clone(), status: "affected" }],
                }],
            })
        })
        .collect();

    let image_component = image_component(subject, image_ref, image_purl);
    // The image depends on every component: all that is known without package relationships.
    let dependencies = vec![Dependency {
        reference: image_component.bom_ref.clone(),
        depends_on: components.iter().map(|c| c.bom_ref.clone()).collect(),
    }];
    let mut bom = Bom {
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: ids::timestamp(options.timestamp),
            tools: Tools {
                components: vec![ToolComponent { kind: "application", name: tool.name, version: tool.version }],
            },
            component: image_component,
        },
        components,
        dependencies,
        vulnerabilities,
    };
    let uuid = document_uuid(options, || to_json(&bom));
    bom.serial_number = format!("urn:uuid:{uuid}");
    to_json(&bom)
}

fn os_ref(os: &OsRelease) -> String {
    match os.version_id.as_deref().filter(|v| !v.is_empty()) {
        Some(version) => format!("os:{}@{version}", os_name(os)),
        None => format!("os:{}", os_name(os)),
    }
}

fn image_component(subject: &Subject, bom_ref: String, purl: Option<String>) -> Component<'_> {
    let mut properties = Vec::new();
    if let Some(config) = subject.config_digest.as_deref().filter(|c| !c.is_empty()) {
        properties.push(property("rampart:image:config_digest", config));
    }
    for layer in &subject.layers {
        properties.push(property("rampart:image:layer", layer.as_str()));
    }
    if let Some(os) = subject.os.as_deref().filter(|o| !o.is_empty()) {
        properties.push(property("rampart:image:os", os));
    }
    if let Some(arch) = subject.architecture.as_deref().filter(|a| !a.is_empty()) {
        properties.push(property("rampart:image:architecture", arch));
    }
    Component {
        bom_ref,
        kind: "container",
        name: if subject.name.is_empty() { "image" } else { &subject.name },
        version: subject.digest.as_deref().filter(|d| !d.is_empty()),
        description: None,
        licenses: Vec::new(),
        purl,
        properties,
    }
}

fn os_component(os: &OsRelease, bom_ref: String) -> Component<'_> {
    let mut properties = Vec::new();
    if !os.id_like.is_empty() {
        properties.push(property("rampart:os:id_like", os.id_like.join(" ")));
    }
    if let Some(codename) = os.version_codename.as_deref().filter(|c| !c.is_empty()) {
        properties.push(property("rampart:os:version_codename", codename));
    }
    Component {
        bom_ref,
        kind: "operating-system",
        name: os_name(os),
        version: os.version_id.as_deref().filter(|v| !v.is_empty()),
        description: os.pretty_name.as_deref().filter(|p| !p.is_empty()),
        licenses: Vec::new(),
        purl: None,
        properties,
    }
}

fn package_component<'a>(subject: &Subject, package: &'a Package, bom_ref: String) -> Component<'a> {
    let mut properties = vec![
        property("rampart:cataloger", package.cataloger),
        property("rampart:ecosystem", package.ecosystem.purl_type()),
    ];
    if let Some(source) = &package.source {
        properties.push(property("rampart:source:name", source.name.as_str()));
        if !source.version.is_empty() {
            properties.push(property("rampart:source:version", source.version.as_str()));
        }
    }
    for location in &package.locations {
        properties.push(property("rampart:path", location.path.as_str()));
        properties.push(property("rampart:layer", layer_name(subject, location.layer)));
    }
    Component {
        bom_ref,
        kind: "library",
        name: &package.name,
        version: Some(package.version.as_str()).filter(|v| !v.is_empty()),
        description: None,
        licenses: licenses(&package.licenses),
        purl: Some(package.purl.clone()).filter(|p| !p.is_empty()),
        properties,
    }
}

/// The component's licences. CycloneDX allows either a list of licences (each an SPDX id or a
/// name) or exactly one expression, never both.
fn licenses(declared: &[String]) -> Vec<LicenseChoice> {
    let mut sorted: Vec<Declared> = Vec::new();
    for item in declared.iter().filter_map(|raw| classify(raw)) {
        if !sorted.contains(&item) {
            sorted.push(item);
        }
    }
    let has_expression = sorted.iter().any(|d| matches!(d, Declared::Expression(_)));
    let has_name = sorted.iter().any(|d| matches!(d, Declared::Name(_)));
    if has_expression && !has_name {
        let single = sorted.len() == 1;
        let text = sorted
            .iter()
            .map(|d| match d {
                Declared::Id(id) => id.clone(),
                Declared::Expression(e) if e.compound && !single => format!("({})", e.text),
                Declared::Expression(e) => e.text.clone(),
                Declared::Name(name) => name.clone(),
            })
            .collect::<Vec<_>>()
            .join(" AND ");
        return vec![LicenseChoice::Expression { expression: text }];
    }
    sorted
        .into_iter()
        .map(|d| {
            let license = match d {
                Declared::Id(id) => License { id: Some(id), name: None },
                Declared::Expression(e) => License { id: None, name: Some(e.text) },
                Declared::Name(name) => License { id: None, name: Some(name) },
            };
            LicenseChoice::License { license }
        })
        .collect()
}

/// One unique `bom-ref` per package: its purl, or for packages that share one (or have none),
/// the purl with a `package-id` qualifier hashed from what tells them apart.
fn bom_refs(packages: &[Package], taken: &mut HashSet<String>) -> Vec<String> {
    let base = |package: &Package| {
        if package.purl.is_empty() {
            format!("rampart:{}/{}@{}", package.ecosystem.purl_type(), package.name, package.version)
        } else {
            package.purl.clone()
        }
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for package in packages {
        *counts.entry(base(package)).or_default() += 1;
    }
    let mut refs = Vec::with_capacity(packages.len());
    for package in packages {
        let base = base(package);
        let mut candidate = if counts.get(&base).copied().unwrap_or(0) > 1 || taken.contains(&base) {
            let separator = if base.contains('?') { '&' } else { '?' };
            format!("{base}{separator}package-id={}", ids::short_hash(&identity(package)))
        } else {
            base
        };
        let stem = candidate.clone();
        let mut counter = 2;
        while taken.contains(&candidate) {
            candidate = format!("{stem}-{counter}");
            counter += 1;
        }
        taken.insert(candidate.clone());
        refs.push(candidate);
    }
    refs
}

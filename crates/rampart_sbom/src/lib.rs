//! Software bills of materials for a container image: [CycloneDX 1.6 JSON](cyclonedx_json) and
//! [SPDX 2.3 JSON](spdx_json), written from the [`Inventory`] that `rampart_catalog` builds.
//!
//! The crate only serialises: no I/O, no clock or randomness beyond what [`Options`] leaves to
//! it. Documents are written with hand-written serde structs that follow the specifications
//! and are checked in CI against the official validators (`.ci/validate-sbom.sh`:
//! cyclonedx-python-lib's strict JSON schema validation, and spdx-tools).
//!
//! # What goes where
//!
//! | | CycloneDX | SPDX |
//! |---|---|---|
//! | image | `metadata.component`, type `container`, version = manifest digest, `pkg:oci` purl | package `SPDXRef-Image`, purpose `CONTAINER`, checksum = manifest digest, described by the document |
//! | OS (`os-release`) | component of type `operating-system`, `bom-ref` `os:ID@VERSION_ID` | package `SPDXRef-OperatingSystem`, purpose `OPERATING-SYSTEM` |
//! | package | component of type `library`, `bom-ref` = purl | package `SPDXRef-Package-ECOSYSTEM-NAME-HASH`, purpose `LIBRARY`, purl external reference |
//! | evidence | properties `rampart:path` and `rampart:layer` (layer diff ID, or index when unknown), one pair per file, in order | `sourceInfo` sentence naming each file and its layer |
//! | source package (Debian `Source:`, rpm, apk origin) | properties `rampart:source:name`, `rampart:source:version` | in `sourceInfo` |
//! | licences | see below | `licenseDeclared`; `licenseConcluded` is `NOASSERTION` |
//! | structure | `dependencies`: the image depends on every component | relationships: the document `DESCRIBES` the image, which `CONTAINS` every package |
//!
//! Licences: a string that is one SPDX identifier (matched case-insensitively, deprecated GNU
//! forms like `GPL-2.0+` renamed to `GPL-2.0-or-later`) becomes a CycloneDX `license.id`; a
//! valid SPDX expression becomes the component's one `expression`; anything else (`GPL-2+` in
//! Debian's style, `Apache 2.0`) is kept verbatim as a `license.name`, never guessed into an
//! SPDX identifier. CycloneDX cannot mix an expression with other licences, so a package with
//! several declarations of which one is an expression gets them joined with `AND` when all are
//! SPDX, and otherwise all as licences, the expression as a name. In SPDX all declarations are
//! joined with `AND` into `licenseDeclared`, each non-SPDX string as a `LicenseRef-` defined in
//! `hasExtractedLicensingInfos`.
//!
//! # Differences from Syft and Trivy
//!
//! Compared on the reference images (`syft scan oci-dir:... -o cyclonedx-json@1.6 / spdx-json`,
//! Syft 1.18; `trivy image --input ... -f cyclonedx / spdx-json`, Trivy 0.76, which writes
//! CycloneDX 1.7). The fields that vulnerability scanners and Dependency-Track read — component
//! type, name, version, purl, the operating-system component's name and version, licences —
//! are written the same way; the rest differs on purpose:
//!
//! - `bom-ref` is the purl itself, as Trivy does; Syft appends a `package-id` qualifier to
//!   every one. rampart appends `package-id=HASH` only to packages that share a purl (PyPI names
//!   differing only in case or punctuation), so refs stay unique.
//! - The OS component comes first with `bom-ref` `os:debian@12` (Syft's form, Trivy uses a
//!   UUID), name = `ID`, version = `VERSION_ID`, description = `PRETTY_NAME`.
//! - `dependencies` holds only what is known: the image depends on each component. Syft writes
//!   package-to-package edges from dpkg's `Depends:` (not in the model yet) and no image edge;
//!   Trivy nests OS packages under the OS component. No component gets an empty `dependsOn`,
//!   which CycloneDX reads as "has no dependencies".
//! - Debian licence short names are not translated (`GPL-2+` stays a name; Syft and Trivy turn it
//!   into `GPL-2.0-or-later`): translating is the cataloger's call, not the serialiser's.
//! - No CPEs (Syft guesses them from names; Grype matches on purls and the distro anyway), no
//!   `publisher`/`supplier` (not in the model), no file-level SPDX entries (Syft lists every
//!   file of every dpkg package, 5,965 `CONTAINS` relationships for py-app; rampart keeps
//!   `filesAnalyzed: false` and names the evidence in `sourceInfo`).
//! - The SPDX `documentNamespace` is `https://rampart.dev/spdxdocs/NAME-UUID`; the image package
//!   is `SPDXRef-Image` and its layers and config digest go in its `comment` (Trivy writes them
//!   as annotations).
//! - Timestamps are whole seconds in UTC with `Z`, the only form spdx-tools parses.

mod cyclonedx;
mod ids;
mod license;
mod spdx;

use rampart_catalog::{Inventory, Package};

/// The image an SBOM describes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// The image as the user named it (`registry.example/app:1.2`, `oci-dir:/path`, an archive
    /// path): the CycloneDX container's and the SPDX document's name.
    pub name: String,
    /// Manifest digest (`sha256:...`). Without one the image gets no package URL.
    pub digest: Option<String>,
    /// Config digest (`sha256:...`), the image ID as Docker shows it.
    pub config_digest: Option<String>,
    /// Layer diff IDs (or digests), base layer first: `Location::layer` indexes this list.
    pub layers: Vec<String>,
    /// Config `architecture` (`amd64`, `arm64`), for the purl's `arch` qualifier.
    pub architecture: Option<String>,
    /// Config `os` (`linux`).
    pub os: Option<String>,
    /// Repository the image was pulled from, when it came from a registry
    /// (`registry.example/team/app`): the purl's `repository_url`, whose last fragment names the
    /// purl. For local sources the purl name comes from `name`.
    pub repository: Option<String>,
    /// Tag the image was referred to by (`1.2`), for the purl's `tag` qualifier.
    pub tag: Option<String>,
}

/// The tool that wrote the SBOM, recorded in the document's creation information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

/// How an SBOM is made unique or reproducible.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Creation time in seconds since the Unix epoch, as in `SOURCE_DATE_EPOCH`; `None` is now.
    pub timestamp: Option<u64>,
    /// `None`: the CycloneDX serial number and the SPDX namespace are random UUIDs (version 4),
    /// so every run makes a new document, as CycloneDX asks. `Some(seed)`: they are UUIDs
    /// (version 5) derived from the seed and the document's content, so the same inputs (with a
    /// fixed `timestamp`) give byte-identical output, and different images still differ.
    pub seed: Option<String>,
}

/// The CycloneDX 1.6 JSON document (pretty-printed, with a final newline).
pub fn cyclonedx_json(subject: &Subject, inventory: &Inventory, tool: &ToolInfo, options: &Options) -> String {
    cyclonedx::write(subject, inventory, tool, options, &[])
}

/// The CycloneDX 1.6 JSON document with a `vulnerabilities` section: each vulnerability
/// `affects` the component whose purl it names (one it does not name is left out).
pub fn cyclonedx_json_with_vulnerabilities(
    subject: &Subject,
    inventory: &Inventory,
    tool: &ToolInfo,
    options: &Options,
    vulnerabilities: &[Vulnerability],
) -> String {
    cyclonedx::write(subject, inventory, tool, options, vulnerabilities)
}

/// A known vulnerability of one package, for the CycloneDX `vulnerabilities` section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vulnerability {
    /// The id shown first (the CVE when there is one).
    pub id: String,
    /// The other ids (GHSA, PYSEC, DSA…).
    pub aliases: Vec<String>,
    /// The affected package's purl, as in the inventory.
    pub purl: String,
    pub version: String,
    /// `critical`, `high`, `medium`, `low`, `none` or `unknown`.
    pub severity: String,
    pub score: Option<f64>,
    pub vector: Option<String>,
    pub summary: Option<String>,
    pub fixed: Vec<String>,
    pub urls: Vec<String>,
}

/// The SPDX 2.3 JSON document (pretty-printed, with a final newline).
pub fn spdx_json(subject: &Subject, inventory: &Inventory, tool: &ToolInfo, options: &Options) -> String {
    spdx::write(subject, inventory, tool, options)
}

/// A UUID for a document: random, or derived from the seed and the document's content (written
/// with the UUID left empty).
fn document_uuid(options: &Options, content: impl FnOnce() -> String) -> String {
    match &options.seed {
        Some(seed) => ids::uuid_v5(&format!("https://rampart.dev/sbom/{seed}\n{}", content())),
        None => ids::uuid_v4(&content()),
    }
}

/// What identifies one package for hashing: everything that can tell two entries apart.
fn identity(package: &Package) -> Vec<&str> {
    let mut parts = vec![
        package.ecosystem.purl_type(),
        package.name.as_str(),
        package.version.as_str(),
        package.arch.as_deref().unwrap_or(""),
        package.purl.as_str(),
    ];
    for location in &package.locations {
        parts.push(location.path.as_str());
    }
    parts
}

/// A layer as the SBOM names it: its diff ID when the subject lists it, else its index.
fn layer_name(subject: &Subject, index: usize) -> String {
    subject.layers.get(index).cloned().unwrap_or_else(|| index.to_string())
}

/// The OS name to write: `os-release` says a missing `ID` means `linux`.
fn os_name(os: &rampart_catalog::OsRelease) -> &str {
    if os.id.is_empty() { "linux" } else { &os.id }
}

fn to_json(value: &impl serde::Serialize) -> String {
    // Serialising these plain structs of strings cannot fail; an empty document would be
    // rejected by any validator rather than passing silently.
    let mut out = serde_json::to_string_pretty(value).unwrap_or_default();
    out.push('\n');
    out
}

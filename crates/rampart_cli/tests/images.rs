//! `rampart sbom` and `rampart scan image` on the reference images that
//! `../shared/tools/build-images.sh` builds without Docker (`debian-min`, `py-app`, `bad`).
//!
//! The images are looked for in `$RAMPART_REFERENCE_IMAGES` (the script's `OUT`), else
//! `/tmp/images`. Without them the tests print a note and pass, unless
//! `RAMPART_REQUIRE_EXTERNAL` is set (CI builds them first), which makes a missing image a
//! failure. Properties are asserted, not digests: the Debian mirror moves.
//!
//! Compared with Syft 1.18.1 on the same OCI layouts (`syft scan oci-dir:DIR -o syft-json`,
//! 2026-11-29): the sets of (type, name, version) are identical — debian-min 88 deb packages,
//! py-app 112 deb + 8 python + 3 npm (the two dependencies and the application's own
//! `package.json`, which Syft also lists), bad 106 deb — and so are the package URLs, character
//! for character (`pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc`,
//! PyPI names normalised: `pkg:pypi/jinja2@2.10`). Syft additionally records per-file
//! metadata (the dpkg file lists, hashes) that rampart leaves out of the SBOM.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::{image, show};

fn rampart() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rampart"));
    c.env_remove("NO_COLOR").env("RAMPART_TODAY", "2026-11-28").env("SOURCE_DATE_EPOCH", "1747699200");
    c
}

fn sbom(image: &str, format: &str, out: &Path) -> Value {
    let o = rampart().args(["sbom", image, "--format", format, "-o"]).arg(out).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

/// purl type → the `name@version` of every component of that type.
fn packages(bom: &Value, purl_type: &str) -> BTreeSet<String> {
    let prefix = format!("pkg:{purl_type}/");
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["purl"].as_str().is_some_and(|p| p.starts_with(&prefix)))
        .map(|c| format!("{}@{}", c["name"].as_str().unwrap(), c["version"].as_str().unwrap()))
        .collect()
}

fn property<'a>(component: &'a Value, name: &str) -> Option<&'a str> {
    component["properties"].as_array()?.iter().find(|p| p["name"] == name)?["value"].as_str()
}

fn component<'a>(bom: &'a Value, name: &str) -> &'a Value {
    bom["components"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn debian_min_lists_its_88_dpkg_packages_with_their_source_packages() {
    let Some(dir) = image("debian-min") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let bom = sbom(dir.to_str().unwrap(), "cyclonedx-json", &tmp.path().join("bom.json"));
    let debs = packages(&bom, "deb");
    assert_eq!(debs.len(), 88, "{debs:?}");
    for name in ["bash", "dpkg", "apt", "libc6", "coreutils", "base-files"] {
        assert!(debs.iter().any(|d| d.starts_with(&format!("{name}@"))), "{name} missing: {debs:?}");
    }
    assert!(packages(&bom, "pypi").is_empty() && packages(&bom, "npm").is_empty());
    // Debian binary packages carry their source package (what Debian's advisories name).
    let libc = component(&bom, "libc6");
    assert_eq!(property(libc, "rampart:source:name"), Some("glibc"));
    assert!(libc["purl"].as_str().unwrap().contains("distro=debian-12"), "{libc}");
    assert!(libc["purl"].as_str().unwrap().contains("upstream=glibc"), "{libc}");
    // The OS itself, from /etc/os-release.
    let os = bom["components"].as_array().unwrap().iter().find(|c| c["type"] == "operating-system").unwrap();
    assert_eq!((os["name"].as_str(), os["version"].as_str()), (Some("debian"), Some("12")), "{os}");
}

#[test]
fn py_app_lists_its_pypi_and_npm_packages_exactly() {
    let Some(dir) = image("py-app") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let bom = sbom(dir.to_str().unwrap(), "cyclonedx-json", &tmp.path().join("bom.json"));
    let pypi: Vec<String> = packages(&bom, "pypi").into_iter().collect();
    assert_eq!(
        pypi,
        [
            "certifi@2018.4.16",
            "chardet@3.0.4",
            "idna@2.7",
            "jinja2@2.10",
            "markupsafe@1.1.1",
            "pyyaml@5.3",
            "requests@2.19.0",
            "urllib3@1.24.1"
        ]
    );
    let npm: Vec<String> = packages(&bom, "npm").into_iter().collect();
    assert_eq!(npm, ["lodash@4.17.4", "minimist@1.2.0", "rampart-ref-py-app@1.0.0"]);
    let debs = packages(&bom, "deb");
    assert!(debs.len() > 88 && debs.iter().any(|d| d.starts_with("python3@")), "{debs:?}");
    // Evidence: where each package was found.
    let requests = component(&bom, "requests");
    let path = property(requests, "rampart:path").unwrap();
    assert!(path.starts_with("/usr/local/lib/python3.11/dist-packages/requests-2.19.0.dist-info/"), "{path}");
}

#[test]
fn the_docker_archive_gives_the_same_packages_as_the_oci_layout() {
    let Some(dir) = image("py-app") else { return };
    let archive = dir.parent().unwrap().parent().unwrap().join("py-app.docker.tar");
    if !archive.is_file() {
        eprintln!("skipped: {} is missing", archive.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let from_layout = sbom(dir.to_str().unwrap(), "cyclonedx-json", &tmp.path().join("a.json"));
    let from_archive =
        sbom(&format!("docker-archive:{}", archive.display()), "cyclonedx-json", &tmp.path().join("b.json"));
    for kind in ["deb", "pypi", "npm"] {
        assert_eq!(packages(&from_layout, kind), packages(&from_archive, kind), "{kind}");
    }
}

#[test]
fn the_sboms_of_the_reference_images_pass_the_official_validators() {
    let Some(validator) = std::env::var_os("RAMPART_SBOM_VALIDATOR").map(PathBuf::from) else {
        assert!(
            std::env::var_os("RAMPART_REQUIRE_EXTERNAL").is_none(),
            "RAMPART_REQUIRE_EXTERNAL is set but RAMPART_SBOM_VALIDATOR does not point at .ci/validate-sbom.sh"
        );
        eprintln!("skipped: set RAMPART_SBOM_VALIDATOR to .ci/validate-sbom.sh");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for name in ["debian-min", "py-app", "bad"] {
        let Some(dir) = image(name) else { return };
        for (format, ext) in [("cyclonedx-json", "cdx.json"), ("spdx-json", "spdx.json")] {
            let out = tmp.path().join(format!("{name}.{ext}"));
            sbom(dir.to_str().unwrap(), format, &out);
            files.push(out);
        }
    }
    let o = Command::new(&validator).args(&files).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
}

#[test]
fn scan_image_writes_the_same_sbom_as_rampart_sbom() {
    let Some(dir) = image("py-app") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let alone = tmp.path().join("alone.json");
    sbom(dir.to_str().unwrap(), "spdx-json", &alone);
    let together = tmp.path().join("together.json");
    let o = rampart()
        .args([
            "scan",
            "image",
            dir.to_str().unwrap(),
            "--no-config",
            "--format",
            "json",
            "--sbom-format",
            "spdx-json",
            "--sbom",
        ])
        .arg(&together)
        .output()
        .unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", show(&o));
    assert_eq!(std::fs::read_to_string(&alone).unwrap(), std::fs::read_to_string(&together).unwrap());
}

#[test]
fn a_missing_image_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    let o = rampart().args(["sbom", &format!("oci-dir:{}", missing.display())]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nope"), "{err}");
}

/// The rule codes of `rampart scan image IMAGE --format concise`, and the exit status.
fn scan_codes(image: &Path) -> (Option<i32>, BTreeSet<String>) {
    let o = rampart().args(["scan", "image", "--no-config", "--format", "concise"]).arg(image).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let codes = text.lines().filter_map(|l| Some(l.split_once('[')?.1.split_once(']')?.0.to_string())).collect();
    (o.status.code(), codes)
}

/// The problems `build-images.sh` plants in `bad` (see its header), as rule codes.
const PLANTED: &[&str] = &[
    "IM001", // runs as root
    "IM010", // setuid copy of bash
    "IM011", // setgid copy of bash
    "IM012", // busybox with cap_net_raw,cap_net_admin,cap_sys_admin
    "IM013", // world-writable directories and file
    "IM024", // curl
    "IM030", // private keys, .env, settings.ini
    "IM031", // /root/.aws/credentials, deleted by layer 4
    "IM032", // AWS and GitHub secrets in Env
    "IM033", // the same in the ENV step's history
    "IM040", // EXPOSE 22
    "IM041", // no healthcheck
    "IM042", // :latest
];

#[test]
fn scan_image_finds_every_problem_planted_in_bad_and_none_of_them_in_py_app() {
    let (Some(bad), Some(py_app)) = (image("bad"), image("py-app")) else { return };
    let (status, codes) = scan_codes(&bad);
    assert_eq!(status, Some(1), "{codes:?}");
    for code in PLANTED {
        assert!(codes.contains(*code), "{code} not reported on bad: {codes:?}");
    }
    let (status, codes) = scan_codes(&py_app);
    assert_eq!(status, Some(0), "{codes:?}");
    for code in PLANTED {
        assert!(!codes.contains(*code), "{code} reported on py-app: {codes:?}");
    }
    // What py-app does ship from its Debian base is reported, as notes: a shell and dpkg/apt.
    assert_eq!(codes, BTreeSet::from(["IM020".to_string(), "IM021".to_string()]));
}

//! `rampart scan image` and `rampart sbom`.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rampart_config::{Date, Level};
use rampart_diagnostics::render::Report;
use rampart_diagnostics::{Finding, RuleInfo, Severity, Summary};
use rampart_image::{ImageScan, LayerDesc, Platform, Progress, ScanOptions};
use rampart_linter::Settings;

use crate::check::emit_report;
use crate::cli::{
    FailOn, ImageSource, RegistryAccess, SbomArgs, SbomFormat, ScanFsArgs, ScanImageArgs, ScanReportArgs,
};
use crate::config::{self, Finder, LoadError, Loaded, Overrides};
use crate::{exceptions, fail, write_atomically};

/// `rampart scan image`.
pub fn scan(args: ScanImageArgs) -> ExitCode {
    let cfg = match prepare(&args.report) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let image = match read_image(&args.source, true) {
        Ok(image) => image,
        Err(message) => return fail(&message),
    };

    let vulnerabilities = match crate::vulns::find(&image.inventory, &args.vulns, &image.reference) {
        Ok(found) => found,
        Err(message) => return fail(&message),
    };

    if let Some(path) = &args.sbom {
        let listed = if args.sbom_vulnerabilities { vulnerabilities.as_deref() } else { None };
        let text = sbom_text(&image, args.sbom_format, listed);
        if let Err(e) = write_atomically(path, text.as_bytes()) {
            return fail(&format!("cannot write {}: {e}", path.display()));
        }
    }

    let checked = cfg.linter.check_image(&image);
    let suppressed = checked.suppressed;
    let mut all = checked.findings;
    if let Some(found) = &vulnerabilities {
        all.extend(rampart_linter::vuln::findings(&cfg.linter, &image.reference, found, true).0);
    }
    report(&cfg, all, suppressed, &image.reference, &args.report)
}

/// Checks the rule selectors and loads the configuration of a scan.
fn prepare(args: &ScanReportArgs) -> Result<Loaded, ExitCode> {
    let overrides = Overrides { select: args.select.clone(), ignore: args.ignore.clone() };
    let mut selectors = args.select.clone();
    selectors.extend(args.ignore.iter().cloned());
    Settings::validate_selectors(&selectors).map_err(|e| fail(&e.message))?;
    load_config(args.config.as_deref(), args.no_config, &overrides)
}

/// Applies the configuration's exceptions to `all`, renders the report and says how to exit.
fn report(cfg: &Loaded, all: Vec<Finding>, mut suppressed: usize, target: &str, out: &ScanReportArgs) -> ExitCode {
    let mut listed: Vec<_> = all.into_iter().map(|f| (f, target.to_string())).collect();
    let today = std::env::var("RAMPART_TODAY").ok().and_then(|d| Date::parse(&d)).unwrap_or_else(Date::today);
    let (hidden, meta) = exceptions::apply(cfg, &mut listed, today, false);
    suppressed += hidden;
    let mut findings: Vec<_> = listed.into_iter().map(|(f, _)| f).collect();
    findings.extend(meta);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let rules: Vec<&'static RuleInfo> = cfg.linter.enabled_rules();
    let summary = Summary::from_findings(&findings, 1, suppressed);
    let report =
        Report { findings: &findings, summary: &summary, rules: &rules, tool_version: env!("CARGO_PKG_VERSION") };
    if let Err(e) = emit_report(&report, out.format, out.output.as_deref(), out.color) {
        return fail(&e);
    }
    let fail_on = match out.fail_on {
        Some(FailOn::Note) => Severity::Note,
        Some(FailOn::Warning) => Severity::Warning,
        Some(FailOn::Error) => Severity::Error,
        None => match cfg.config.fail_on.as_ref().map(|l| l.value) {
            Some(Level::Note) => Severity::Note,
            Some(Level::Warning) => Severity::Warning,
            _ => Severity::Error,
        },
    };
    if findings.iter().any(|f| f.severity >= fail_on) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// `rampart scan fs DIR`: the known vulnerabilities of a source tree's dependencies.
pub fn scan_fs(args: ScanFsArgs) -> ExitCode {
    let cfg = match prepare(&args.report) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let inventory = match crate::tree::catalog(&args.dir) {
        Ok(inventory) => inventory,
        Err(message) => return fail(&message),
    };
    let target = args.dir.display().to_string();
    let found = match crate::vulns::find(&inventory, &args.vulns, &target) {
        Ok(found) => found,
        Err(message) => return fail(&message),
    };
    let findings = match &found {
        Some(found) => rampart_linter::vuln::findings(&cfg.linter, &target, found, false).0,
        None => Vec::new(),
    };
    report(&cfg, findings, 0, &target, &args.report)
}

/// `rampart sbom`.
pub fn sbom(args: SbomArgs) -> ExitCode {
    let image = match read_image(&args.source, false) {
        Ok(image) => image,
        Err(message) => return fail(&message),
    };
    let text = sbom_text(&image, args.format, None);
    match &args.output {
        Some(path) => match write_atomically(path, text.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!("cannot write {}: {e}", path.display())),
        },
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => fail(&e.to_string()),
            }
        }
    }
}

/// The configuration for an image scan: `--config`, else the nearest `rampart.toml` from the
/// current directory, else the defaults.
pub(crate) fn load_config(explicit: Option<&Path>, none: bool, overrides: &Overrides) -> Result<Loaded, ExitCode> {
    let found = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None if none => None,
        None => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            Finder::default().nearest(&cwd)
        }
    };
    match found {
        None => Ok(config::defaults(overrides)),
        Some(path) => match config::load_file(&path, overrides) {
            Ok(loaded) => Ok(loaded),
            Err(LoadError::Io(message)) => Err(fail(&message)),
            Err(LoadError::Invalid(invalid)) => Err(crate::check::report_invalid(vec![*invalid.0])),
        },
    }
}

/// Reads the image named by `source`, with a progress bar on a terminal. `secrets`: read files
/// for secrets too (the SBOM alone does not need them).
fn read_image(source: &ImageSource, secrets: bool) -> Result<ImageScan, String> {
    let platform = match &source.platform {
        Some(text) => Platform::parse(text).map_err(|e| format!("--platform {text}: {e}"))?,
        None => Platform::host(),
    };
    let registry = registry_options(&source.registry)?;
    let options = ScanOptions { platform, secrets, registry, ..ScanOptions::default() };
    let bar = Bar::new(!source.quiet && std::io::stderr().is_terminal());
    let image = rampart_image::scan_reference(&source.image, &options, &bar).map_err(|e| e.to_string())?;
    for warning in &image.warnings {
        eprintln!("rampart: warning: {}: {warning}", image.reference);
    }
    Ok(image)
}

/// Registry access from the command line: credentials, CAs, plain HTTP.
pub(crate) fn registry_options(source: &RegistryAccess) -> Result<rampart_image::RegistryOptions, String> {
    let mut options = rampart_image::RegistryOptions {
        insecure: source.insecure,
        ca_certs: source.ca_cert.clone(),
        auth_file: source.authfile.clone(),
        ..Default::default()
    };
    if let Some(username) = &source.username {
        let mut password = String::new();
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut password)
            .map_err(|e| format!("--password-stdin: cannot read stdin: {e}"))?;
        let password = password.trim_end_matches(['\n', '\r']).to_string();
        if password.is_empty() {
            return Err("--password-stdin: stdin was empty".to_string());
        }
        options.credentials = Some(rampart_image::Credentials { username: username.clone(), password });
    }
    Ok(options)
}

fn sbom_text(image: &ImageScan, format: SbomFormat, vulnerabilities: Option<&[rampart_vuln::Vulnerability]>) -> String {
    let subject = subject(image);
    let tool = rampart_sbom::ToolInfo { name: "rampart", version: env!("CARGO_PKG_VERSION") };
    let timestamp = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse().ok());
    // A fixed creation time asks for a reproducible document.
    let options = rampart_sbom::Options { timestamp, seed: timestamp.map(|_| image.reference.clone()) };
    match format {
        SbomFormat::CyclonedxJson => match vulnerabilities {
            Some(found) => {
                let listed: Vec<_> = found.iter().map(crate::vulns::for_sbom).collect();
                rampart_sbom::cyclonedx_json_with_vulnerabilities(&subject, &image.inventory, &tool, &options, &listed)
            }
            None => rampart_sbom::cyclonedx_json(&subject, &image.inventory, &tool, &options),
        },
        SbomFormat::SpdxJson => rampart_sbom::spdx_json(&subject, &image.inventory, &tool, &options),
    }
}

/// What the SBOM describes, from what the scan learnt about the image.
fn subject(image: &ImageScan) -> rampart_sbom::Subject {
    let layers = image
        .layers
        .iter()
        .filter_map(|l| l.desc.diff_id.as_ref().or(l.desc.digest.as_ref()).map(ToString::to_string))
        .collect();
    let (repository, tag) = match image.kind {
        rampart_image::SourceKind::Registry => split_reference(&image.reference),
        _ => (None, image.tags.first().map(|t| t.rsplit_once(':').map_or(t.as_str(), |(_, tag)| tag).to_string())),
    };
    rampart_sbom::Subject {
        name: image.reference.clone(),
        digest: image.manifest_digest.as_ref().map(ToString::to_string),
        config_digest: image.config_digest.as_ref().map(ToString::to_string),
        layers,
        architecture: image.config.architecture.clone(),
        os: image.config.os.clone(),
        repository,
        tag,
    }
}

/// `registry.example/team/app:1.2@sha256:…` → (`registry.example/team/app`, `1.2`).
fn split_reference(reference: &str) -> (Option<String>, Option<String>) {
    let name = reference.split_once('@').map_or(reference, |(name, _)| name);
    let slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[slash..].rsplit_once(':') {
        Some((_, tag)) => (Some(name[..name.len() - tag.len() - 1].to_string()), Some(tag.to_string())),
        None => (Some(name.to_string()), None),
    }
}

/// The progress bar: compressed bytes read across all layers, and layers done.
struct Bar {
    bar: ProgressBar,
    layers: AtomicUsize,
    done: AtomicUsize,
}

impl Bar {
    fn new(visible: bool) -> Bar {
        let target = if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({eta})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        Bar { bar, layers: AtomicUsize::new(0), done: AtomicUsize::new(0) }
    }

    fn message(&self) {
        let done = self.done.load(Ordering::Relaxed);
        let layers = self.layers.load(Ordering::Relaxed);
        self.bar.set_message(format!("layers {done}/{layers}"));
    }
}

impl Progress for Bar {
    fn start(&self, layers: &[LayerDesc]) {
        self.layers.store(layers.len(), Ordering::Relaxed);
        self.bar.set_length(layers.iter().filter_map(|l| l.size).sum());
        self.message();
    }

    fn bytes(&self, _layer: usize, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn layer_done(&self, _layer: usize) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.message();
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::split_reference;

    #[test]
    fn references_split_into_repository_and_tag() {
        let pair = |r, t: Option<&str>| (Some(String::from(r)), t.map(String::from));
        assert_eq!(split_reference("registry.example/team/app:1.2"), pair("registry.example/team/app", Some("1.2")));
        assert_eq!(split_reference("localhost:5000/app"), pair("localhost:5000/app", None));
        assert_eq!(split_reference("localhost:5000/app:v1@sha256:ab"), pair("localhost:5000/app", Some("v1")));
        assert_eq!(split_reference("app@sha256:ab"), pair("app", None));
    }
}

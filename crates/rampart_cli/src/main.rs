//! The `rampart` command.

mod check;
mod cli;
mod config;
mod exceptions;
mod image;
mod sign;
mod tree;
mod vulns;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use cli::{Cli, Command, RulesFormat};
use rampart_linter::{docs, registry};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Fix(mut args) => {
            args.fix = true;
            check::run(args)
        }
        Command::Scan(cli::ScanTarget::Image(args)) => image::scan(args),
        Command::Scan(cli::ScanTarget::Fs(args)) => image::scan_fs(args),
        Command::Db(command) => vulns::db(command),
        Command::Key(cli::KeyCommand::Generate { output_prefix, force }) => sign::generate(&output_prefix, force),
        Command::Sign(args) => sign::sign(&args),
        Command::Verify(args) => sign::verify(&args),
        Command::Serve(args) => serve(&args),
        Command::Sbom(args) => image::sbom(args),
        Command::Rule { code } => rule(&code),
        Command::Rules { format } => rules(format),
        Command::Init { dir, force } => init(&dir, force),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "rampart", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
    }
}

#[cfg(feature = "webhook")]
fn serve(args: &cli::ServeArgs) -> ExitCode {
    let loaded = match image::load_config(args.config.as_deref(), args.no_config, &config::Overrides::default()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let audit = match (args.no_audit_log, args.audit_log.as_str()) {
        (true, _) => rampart_webhook::AuditLog::Off,
        (false, "-") => rampart_webhook::AuditLog::Stdout,
        (false, path) => rampart_webhook::AuditLog::File(path.into()),
    };
    let options = rampart_webhook::ServeOptions {
        listen: args.listen,
        tls_cert: args.tls_cert.clone(),
        tls_key: args.tls_key.clone(),
        audit,
        mutate: if args.unsafe_fixes { rampart_webhook::FixMode::Unsafe } else { rampart_webhook::FixMode::Safe },
    };
    let gate = match signature_gate(&loaded, &args.registry) {
        Ok(g) => g,
        Err(e) => return fail(&e),
    };
    let rules = loaded.linter.enabled_rules().len();
    let shown = loaded.source.as_ref().map_or("the defaults".to_string(), |s| s.name().to_string());
    match rampart_webhook::serve(loaded.linter, gate, &options, |address| {
        eprintln!(
            "rampart: serving the admission webhook on https://{address}/validate and /mutate ({rules} rules, {shown})"
        );
    }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// The `[[signatures]]` policies of the configuration with their keys read (now, so that a
/// missing key stops the server from starting rather than admitting unchecked images).
#[cfg(feature = "webhook")]
fn signature_gate(
    loaded: &config::Loaded,
    access: &cli::RegistryAccess,
) -> Result<Option<rampart_webhook::signatures::Gate>, String> {
    use rampart_webhook::signatures::{Gate, ImagePolicy, RegistrySignatures};
    if loaded.config.signatures.is_empty() {
        return Ok(None);
    }
    let mut policies = Vec::new();
    for policy in &loaded.config.signatures {
        let mut keys = Vec::new();
        for key in &policy.keys {
            let path = loaded.root.join(&key.value);
            let pem = std::fs::read(&path).map_err(|e| format!("[[signatures]] key {}: {e}", path.display()))?;
            keys.push(
                rampart_sign::key::parse_public_key(&pem)
                    .map_err(|e| format!("[[signatures]] key {}: {e}", path.display()))?,
            );
        }
        policies.push(ImagePolicy { patterns: policy.images.iter().map(|p| p.value.clone()).collect(), keys });
    }
    let options = image::registry_options(access)?;
    Ok(Some(Gate::new(policies, Box::new(RegistrySignatures { options }))))
}

#[cfg(not(feature = "webhook"))]
fn serve(_args: &cli::ServeArgs) -> ExitCode {
    fail("this rampart was built without the admission webhook (cargo feature `webhook`)")
}

/// Reports a failure of rampart itself (exit status 2).
pub(crate) fn fail(message: &str) -> ExitCode {
    eprintln!("rampart: {message}");
    ExitCode::from(2)
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so a reader never sees a half-written file and an interrupted write loses nothing.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
        // Keep the owner too (when run as root on someone else's file); a user who may not
        // give the file away keeps it as their own.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
        }
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn rule(code: &str) -> ExitCode {
    let Some(rule) = registry::find(code) else {
        return fail(&format!("`{code}` is not a rule code or name; `rampart rules` lists them"));
    };
    let page = docs::rule_page(rule.info());
    // The generated-by comment is for the Markdown files only.
    let page = page.lines().filter(|l| !l.starts_with("<!--")).collect::<Vec<_>>().join("\n");
    println!("{}", page.trim_end());
    ExitCode::SUCCESS
}

fn rules(format: RulesFormat) -> ExitCode {
    let all = registry::all();
    let mut out = std::io::stdout().lock();
    let result = match format {
        RulesFormat::Json => {
            let list: Vec<_> = all
                .iter()
                .map(|r| {
                    let i = r.info();
                    serde_json::json!({
                        "code": i.code,
                        "name": i.name,
                        "summary": i.summary(),
                        "default_level": i.default_severity,
                        "enabled_by_default": i.enabled_by_default,
                        "fix": i.fix.as_str(),
                        "tags": i.tags,
                        "equivalents": i.equivalents,
                        "url": i.url(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list).map_err(std::io::Error::other).and_then(|_| writeln!(out))
        }
        RulesFormat::Table => {
            let name_width = all.iter().map(|r| r.info().name.len()).max().unwrap_or(4);
            let mut res = writeln!(out, "{:<6} {:<name_width$} {:<8} {:<12} TAGS", "CODE", "NAME", "LEVEL", "FIX");
            for r in all {
                let i = r.info();
                let level = if i.enabled_by_default {
                    i.default_severity.to_string()
                } else {
                    format!("({})", i.default_severity)
                };
                res = res.and_then(|_| {
                    writeln!(
                        out,
                        "{:<6} {:<name_width$} {:<8} {:<12} {}",
                        i.code,
                        i.name,
                        level,
                        i.fix.as_str(),
                        i.tags.join(",")
                    )
                });
            }
            res.and_then(|_| writeln!(out, "\n{} rules. `rampart rule CODE` explains one.", all.len()))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

fn init(dir: &Path, force: bool) -> ExitCode {
    let path = dir.join(rampart_config::FILE_NAME);
    if path.exists() && !force {
        return fail(&format!("{} already exists; use --force to overwrite it", path.display()));
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        return fail(&format!("cannot create {}: {e}", dir.display()));
    }
    match write_atomically(&path, rampart_config::TEMPLATE.as_bytes()) {
        Ok(()) => {
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("cannot write {}: {e}", path.display())),
    }
}

//! `rampart check`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rampart_config::{Date, Level};
use rampart_diagnostics::render::{Format, RenderOptions, Report, render};
use std::sync::Arc;

use rampart_diagnostics::{Finding, RuleInfo, Severity, SourceFile, Span, Summary};
use rampart_linter::fix::FixMode;
use rampart_linter::recognize::{self, FileKind};
use rampart_linter::rules::meta::{input_too_large, invalid_encoding};
use rampart_linter::{MAX_INPUT_BYTES, Settings};
use rayon::prelude::*;

use crate::cli::{CheckArgs, ColorChoice, FailOn, OutputFormat};
use crate::config::{self, Finder, LoadError, Loaded, Overrides, display_path};
use crate::{exceptions, fail, write_atomically};

/// One input to check.
#[derive(Debug)]
struct Job {
    input: Input,
    display: String,
    /// Kind known from the name (walked files always have one).
    kind: Option<FileKind>,
    /// Named on the command line (an unrecognised file is then mentioned on stderr).
    explicit: bool,
    /// Index into the loaded configurations.
    config: usize,
    /// Path relative to the configuration's root, for exceptions.
    rel: String,
}

#[derive(Debug)]
enum Input {
    File(PathBuf),
    Stdin,
}

/// What checking one job produced.
#[derive(Default)]
struct Outcome {
    findings: Vec<Finding>,
    suppressed: usize,
    checked: bool,
    error: Option<String>,
    /// A Kubernetes manifest and its documents, for the checks across files.
    manifest: Option<(Arc<SourceFile>, Vec<rampart_yaml::Document>)>,
    /// With `--fix`: what was done to the file.
    fixed: Option<Fixed>,
}

/// What fixing one file did.
struct Fixed {
    applied: usize,
    rejected: Vec<rampart_linter::fix::Rejected>,
    /// `--diff`: the unified diff (empty when nothing changed).
    diff: String,
    /// Stdin: the fixed text, written to stdout.
    stdout: Option<String>,
    converged: bool,
    /// Files created by the fixes (or, with `--diff`, that would be), and notes about those
    /// that were not.
    created: Vec<String>,
    notes: Vec<String>,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let overrides = Overrides { select: args.select.clone(), ignore: args.ignore.clone() };
    let mut cli_selectors = args.select.clone();
    cli_selectors.extend(args.ignore.iter().cloned());
    if let Err(e) = Settings::validate_selectors(&cli_selectors) {
        return fail(&e.message);
    }

    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut configs: Vec<Loaded> = Vec::new();
    let mut config_index: std::collections::HashMap<Option<PathBuf>, usize> = std::collections::HashMap::new();
    let mut invalid_configs: Vec<Finding> = Vec::new();
    let mut finder = Finder::default();
    let mut jobs: Vec<Job> = Vec::new();
    // Directories checked in full, for "unused exception" reporting.
    let mut walked_roots: Vec<PathBuf> = Vec::new();

    let forced = match &args.config {
        Some(p) => match config::load_file(p, &overrides) {
            Ok(l) => Some(l),
            Err(LoadError::Io(m)) => return fail(&m),
            Err(LoadError::Invalid(inv)) => return report_invalid_config(vec![*inv.0], &args),
        },
        None => None,
    };
    if let Some(l) = forced {
        configs.push(l);
        config_index.insert(None, 0);
    }

    let mut resolve_config = |dir: &Path, configs: &mut Vec<Loaded>, invalid: &mut Vec<Finding>| -> Option<usize> {
        if args.config.is_some() {
            return Some(0);
        }
        let found = if args.no_config { None } else { finder.nearest(dir) };
        if let Some(&i) = config_index.get(&found) {
            return Some(i);
        }
        let loaded = match &found {
            Some(p) => match config::load_file(p, &overrides) {
                Ok(l) => l,
                Err(LoadError::Io(m)) => {
                    eprintln!("rampart: {m}");
                    return None;
                }
                Err(LoadError::Invalid(inv)) => {
                    invalid.push(*inv.0);
                    return None;
                }
            },
            None => config::defaults(&overrides),
        };
        configs.push(loaded);
        config_index.insert(found, configs.len() - 1);
        Some(configs.len() - 1)
    };

    let mut stdin_seen = false;
    for path in &paths {
        if path.as_os_str() == "-" {
            if stdin_seen {
                continue;
            }
            stdin_seen = true;
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            let Some(ci) = resolve_config(&cwd, &mut configs, &mut invalid_configs) else { continue };
            let display = args.stdin_filename.clone().unwrap_or_else(|| "-".to_string());
            let kind = args.stdin_filename.as_deref().and_then(|n| recognize::by_name(Path::new(n)));
            jobs.push(Job {
                input: Input::Stdin,
                display: display.clone(),
                kind,
                explicit: true,
                config: ci,
                rel: display,
            });
            continue;
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => return fail(&format!("{}: {e}", path.display())),
        };
        if meta.is_dir() {
            let root = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            walked_roots.push(root.clone());
            for file in walk(path) {
                // Named like a Dockerfile; or YAML, JSON or without an extension, then recognised by content.
                let kind = recognize::by_name(&file);
                if kind.is_none() && !recognize::worth_sniffing(&file) {
                    continue;
                }
                // Links are not followed, so the walked path under the canonical root is canonical.
                let abs = match file.strip_prefix(path) {
                    Ok(rel) => root.join(rel),
                    Err(_) => std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone()),
                };
                let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
                let Some(ci) = resolve_config(&dir, &mut configs, &mut invalid_configs) else { continue };
                let rel = relative(&abs, &configs[ci].root);
                jobs.push(Job {
                    display: display_path(&file),
                    input: Input::File(file),
                    kind,
                    explicit: false,
                    config: ci,
                    rel,
                });
            }
        } else {
            let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
            let Some(ci) = resolve_config(&dir, &mut configs, &mut invalid_configs) else { continue };
            let rel = relative(&abs, &configs[ci].root);
            jobs.push(Job {
                display: display_path(path),
                kind: recognize::by_name(path),
                explicit: true,
                input: Input::File(path.clone()),
                config: ci,
                rel,
            });
        }
    }
    if !invalid_configs.is_empty() {
        return report_invalid_config(invalid_configs, &args);
    }

    // Config-level `exclude` globs.
    jobs.retain(|job| !excluded(&configs[job.config], &job.rel));
    // A file named twice (`Dockerfile ./Dockerfile .`) is checked once, and fixed once.
    let mut seen = std::collections::HashSet::new();
    jobs.retain(|job| match &job.input {
        Input::File(path) => seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())),
        Input::Stdin => true,
    });

    match image_catalog(&jobs, &args.image) {
        Ok(catalog) => {
            let catalog = Arc::new(catalog);
            for c in &mut configs {
                c.linter.set_images(Arc::clone(&catalog));
            }
        }
        Err(e) => return fail(&e),
    }

    let fix_mode = (args.fix || args.diff || args.unsafe_fixes).then_some(if args.unsafe_fixes {
        FixMode::Unsafe
    } else {
        FixMode::Safe
    });
    // When fixing, the Dockerfiles go first: the manifests' fixes then see the images as
    // the fixed Dockerfiles build them (their user, their ports), as a second run would.
    let dockerfiles_first = fix_mode.is_some() && !args.diff;
    let (first, rest): (Vec<usize>, Vec<usize>) =
        (0..jobs.len()).partition(|&i| dockerfiles_first && jobs[i].kind == Some(FileKind::Dockerfile));
    let mut slots: Vec<Option<Outcome>> = (0..jobs.len()).map(|_| None).collect();
    let run_jobs = |indices: &[usize], configs: &[Loaded]| -> Vec<(usize, Outcome)> {
        indices.par_iter().map(|&i| (i, check_job(&jobs[i], &configs[jobs[i].config], fix_mode, args.diff))).collect()
    };
    for (i, o) in run_jobs(&first, &configs) {
        slots[i] = Some(o);
    }
    if !first.is_empty()
        && let Ok(catalog) = image_catalog(&jobs, &args.image)
    {
        let catalog = Arc::new(catalog);
        for c in &mut configs {
            c.linter.set_images(Arc::clone(&catalog));
        }
    }
    for (i, o) in run_jobs(&rest, &configs) {
        slots[i] = Some(o);
    }
    let outcomes: Vec<Outcome> = slots.into_iter().map(Option::unwrap_or_default).collect();

    let mut errors = Vec::new();
    let mut suppressed = 0;
    let mut files = 0;
    let mut per_config: Vec<Vec<(Finding, String)>> = (0..configs.len()).map(|_| Vec::new()).collect();
    let mut manifests: Vec<Vec<(Arc<SourceFile>, Vec<rampart_yaml::Document>)>> =
        (0..configs.len()).map(|_| Vec::new()).collect();
    let mut rel_of: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut fixed_total = 0;
    let mut fixed_files = 0;
    let mut diffs = String::new();
    let mut fixed_stdout: Option<String> = None;
    for (job, outcome) in jobs.iter().zip(outcomes) {
        if let Some(f) = &outcome.fixed {
            fixed_total += f.applied;
            if f.applied > 0 {
                fixed_files += 1;
            }
            diffs.push_str(&f.diff);
            if let Some(out) = &f.stdout {
                fixed_stdout = Some(out.clone());
            }
            for r in &f.rejected {
                eprintln!("rampart: {}: not applied: {} ({}): {}", job.display, r.message, r.code, r.reason);
            }
            for n in &f.notes {
                eprintln!("rampart: {}: {n}", job.display);
            }
            for c in &f.created {
                eprintln!("rampart: {} {c}", if args.diff { "would create" } else { "created" });
            }
            if !f.converged {
                eprintln!(
                    "rampart: {}: fixes did not settle after {} passes",
                    job.display,
                    rampart_linter::fix::MAX_PASSES
                );
            }
        }
        if let Some(e) = outcome.error {
            errors.push(e);
        }
        if outcome.checked {
            files += 1;
        }
        suppressed += outcome.suppressed;
        per_config[job.config].extend(outcome.findings.into_iter().map(|f| (f, job.rel.clone())));
        if let Some(m) = outcome.manifest {
            rel_of.insert(m.0.name().to_string(), job.rel.clone());
            manifests[job.config].push(m);
        }
    }
    // Checks across the manifests given together (per configuration).
    for (ci, files) in manifests.iter().enumerate() {
        if files.is_empty() {
            continue;
        }
        let (mut found, mut hidden) = configs[ci].linter.check_project(files);
        if let Some(mode) = fix_mode {
            // Fixes across files only create files (a NetworkPolicy): write them, then check
            // again with them included.
            let mut extra: Vec<(Arc<SourceFile>, Vec<rampart_yaml::Document>)> = Vec::new();
            // Files already created in this pass (two findings may share one).
            let mut taken: Vec<PathBuf> = Vec::new();
            for f in &found {
                let Some(fix) = &f.fix else { continue };
                let allowed = match fix.applicability {
                    rampart_diagnostics::Applicability::Safe => true,
                    rampart_diagnostics::Applicability::Unsafe => mode == FixMode::Unsafe,
                    rampart_diagnostics::Applicability::DisplayOnly => false,
                };
                if !allowed || fix.new_files.is_empty() || !fix.edits.is_empty() {
                    continue;
                }
                let shown = Path::new(f.file.name()).parent().unwrap_or(Path::new("")).to_path_buf();
                let fresh: Vec<rampart_diagnostics::NewFile> =
                    fix.new_files.iter().filter(|n| !taken.contains(&shown.join(&n.path))).cloned().collect();
                if fresh.is_empty() {
                    fixed_total += 1;
                    continue;
                }
                taken.extend(fresh.iter().map(|n| shown.join(&n.path)));
                let r = write_new_files(&shown, &shown, &fresh, args.diff);
                diffs.push_str(&r.diff);
                for n in &r.notes {
                    eprintln!("rampart: {n}");
                }
                if !r.created.is_empty() {
                    fixed_total += 1;
                }
                for c in &r.created {
                    eprintln!("rampart: {} {c}", if args.diff { "would create" } else { "created" });
                    fixed_files += 1;
                    if let Some(nf) = fresh.iter().find(|n| shown.join(&n.path).to_string_lossy() == c.as_str()) {
                        let docs: Vec<_> = rampart_yaml::parse_stream(&nf.content).into_iter().flatten().collect();
                        extra.push((SourceFile::new(c.clone(), nf.content.clone()), docs));
                    }
                }
            }
            if !extra.is_empty() {
                let mut all = files.clone();
                all.extend(extra);
                (found, hidden) = configs[ci].linter.check_project(&all);
            }
        }
        suppressed += hidden;
        per_config[ci].extend(found.into_iter().map(|f| {
            let rel = rel_of.get(f.file.name()).cloned().unwrap_or_default();
            (f, rel)
        }));
    }
    let today = std::env::var("RAMPART_TODAY").ok().and_then(|d| Date::parse(&d)).unwrap_or_else(Date::today);
    let mut findings = Vec::new();
    for (ci, mut list) in per_config.into_iter().enumerate() {
        let cfg = &configs[ci];
        let covered = walked_roots.iter().any(|r| cfg.root.starts_with(r));
        let (hidden, meta) = exceptions::apply(cfg, &mut list, today, covered);
        suppressed += hidden;
        findings.extend(list.into_iter().map(|(f, _)| f));
        findings.extend(meta);
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let mut rules: Vec<&'static RuleInfo> = configs.iter().flat_map(|c| c.linter.enabled_rules()).collect();
    rules.sort_by_key(|r| r.code);
    rules.dedup_by_key(|r| r.code);

    let fail_on = match args.fail_on {
        Some(FailOn::Note) => Severity::Note,
        Some(FailOn::Warning) => Severity::Warning,
        Some(FailOn::Error) => Severity::Error,
        None => match configs.first().and_then(|c| c.config.fail_on.as_ref()).map(|l| l.value) {
            Some(Level::Note) => Severity::Note,
            Some(Level::Warning) => Severity::Warning,
            _ => Severity::Error,
        },
    };

    let mut summary = Summary::from_findings(&findings, files, suppressed);
    summary.fixed = fixed_total;
    let report =
        Report { findings: &findings, summary: &summary, rules: &rules, tool_version: env!("CARGO_PKG_VERSION") };
    if fix_mode.is_some() && (args.diff || fixed_stdout.is_some()) {
        // The diff (or the fixed stdin) is the output; the report goes to stderr.
        let mut out = std::io::stdout().lock();
        let body = if args.diff { diffs.as_bytes() } else { fixed_stdout.as_deref().unwrap_or("").as_bytes() };
        let _ = out.write_all(body);
        let _ = out.flush();
        let options = RenderOptions { color: false, width: None };
        let _ = render(Format::Concise, &report, options, &mut std::io::stderr().lock());
    } else if let Err(e) = emit(&report, &args) {
        return fail(&e);
    }
    if fix_mode.is_some() {
        let verb = if args.diff { "Would fix" } else { "Fixed" };
        eprintln!(
            "{verb} {} in {}.{}",
            rampart_diagnostics::render::plural(fixed_total, "finding"),
            rampart_diagnostics::render::plural(fixed_files, "file"),
            remaining_hint(&summary, fix_mode == Some(FixMode::Unsafe))
        );
    }
    for e in &errors {
        eprintln!("rampart: {e}");
    }
    if !errors.is_empty() {
        return ExitCode::from(2);
    }
    if findings.iter().any(|f| f.severity >= fail_on) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// What writing the files of fixes did.
#[derive(Default)]
struct Created {
    created: Vec<String>,
    notes: Vec<String>,
    diff: String,
}

/// Writes files created by fixes into `base` (shown as `shown`), never over an existing
/// file and never outside `base`; with `diff`, only describes them.
fn write_new_files(base: &Path, shown: &Path, files: &[rampart_diagnostics::NewFile], diff: bool) -> Created {
    let mut out = Created::default();
    for f in files {
        let rel = Path::new(&f.path);
        if rel.is_absolute() || rel.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            out.notes.push(format!("a fix wanted to create `{}`, outside the file's directory: not written", f.path));
            continue;
        }
        let target = base.join(rel);
        let display = shown.join(rel).to_string_lossy().into_owned();
        if target.exists() {
            out.notes
                .push(format!("{display} already exists: not overwritten (the fix's content is in the JSON report)"));
            continue;
        }
        if diff {
            out.diff.push_str(&rampart_diagnostics::render::unified_diff(&display, "", &f.content).replacen(
                &format!("--- a/{display}"),
                "--- /dev/null",
                1,
            ));
            out.created.push(display);
            continue;
        }
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| crate::write_atomically(&target, f.content.as_bytes()));
        match written {
            Ok(()) => out.created.push(display),
            Err(e) => out.notes.push(format!("cannot write {display}: {e}")),
        }
    }
    out
}

/// Facts about the images of this run: from the Dockerfiles being checked, from the
/// Dockerfiles of Compose `build:` contexts, and from `--image NAME=DOCKERFILE`.
fn image_catalog(jobs: &[Job], named: &[String]) -> Result<rampart_linter::facts::ImageCatalog, String> {
    use rampart_linter::facts::{ImageCatalog, ImageFacts};
    let mut catalog = ImageCatalog::default();
    let read = |path: &Path| std::fs::read_to_string(path).ok().filter(|t| t.len() <= MAX_INPUT_BYTES);
    for job in jobs {
        let Input::File(path) = &job.input else { continue };
        match job.kind {
            Some(FileKind::Dockerfile) => {
                if let Some(text) = read(path) {
                    catalog
                        .insert_dockerfile(Path::new(&job.display), ImageFacts::from_dockerfile(&job.display, &text));
                }
            }
            Some(FileKind::Compose) => {
                let Some(text) = read(path) else { continue };
                for doc in rampart_yaml::parse_stream(&text).into_iter().flatten() {
                    for w in rampart_posture::compose::workloads(&doc.root) {
                        for c in &w.containers {
                            let Some((context, dockerfile)) = &c.build else { continue };
                            let base = Path::new(&job.display).parent().unwrap_or(Path::new(""));
                            let file = base.join(context).join(dockerfile.as_deref().unwrap_or("Dockerfile"));
                            let on_disk = path
                                .parent()
                                .unwrap_or(Path::new(""))
                                .join(context)
                                .join(dockerfile.as_deref().unwrap_or("Dockerfile"));
                            if let Some(df) = read(&on_disk) {
                                let shown = file.to_string_lossy().into_owned();
                                catalog.insert_dockerfile(&file, ImageFacts::from_dockerfile(&shown, &df));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for spec in named {
        let Some((name, dockerfile)) = spec.split_once('=') else {
            return Err(format!("--image takes NAME=DOCKERFILE, not `{spec}`"));
        };
        let text = std::fs::read_to_string(dockerfile).map_err(|e| format!("--image {spec}: {e}"))?;
        catalog.insert_named(name, ImageFacts::from_dockerfile(dockerfile, &text));
    }
    Ok(catalog)
}

/// What the remaining findings' fixes need, for the line after a fix run.
fn remaining_hint(s: &Summary, unsafe_applied: bool) -> String {
    let mut parts = Vec::new();
    if s.fixable.unsafe_ > 0 && !unsafe_applied {
        parts.push(format!("{} with an unsafe fix (rerun with `--unsafe-fixes` to apply)", s.fixable.unsafe_));
    }
    if s.fixable.display_only > 0 {
        parts.push(format!("{} with a fix to apply by hand (shown in the report)", s.fixable.display_only));
    }
    if parts.is_empty() { String::new() } else { format!(" Remaining: {}.", parts.join("; ")) }
}

fn relative(abs: &Path, root: &Path) -> String {
    abs.strip_prefix(root).unwrap_or(abs).to_string_lossy().into_owned()
}

fn excluded(cfg: &Loaded, rel: &str) -> bool {
    cfg.config.exclude.iter().any(|pattern| {
        let p = pattern.value.trim_start_matches("./");
        let p = if p.contains('/') { p.to_string() } else { format!("**/{p}") };
        globset::Glob::new(&p).map(|g| g.compile_matcher().is_match(rel)).unwrap_or(false)
            || globset::Glob::new(&format!("{}/**", p.trim_end_matches('/')))
                .map(|g| g.compile_matcher().is_match(rel))
                .unwrap_or(false)
    })
}

/// Files under `dir`, honouring .gitignore/.ignore (also outside Git repositories), including
/// hidden directories such as `.devcontainer`, never descending into `.git`, never following
/// symbolic links.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker.flatten() {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            out.push(entry.into_path());
        }
    }
    out.sort();
    out
}

fn read_limited(mut reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader.by_ref().take(MAX_INPUT_BYTES as u64 + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Whether the first bytes of a candidate file look like something rampart checks.
fn sniff(path: &Path) -> bool {
    let mut head = Vec::with_capacity(8192);
    let Ok(file) = std::fs::File::open(path) else { return false };
    if file.take(8192).read_to_end(&mut head).is_err() {
        return false;
    }
    let text = match std::str::from_utf8(&head) {
        Ok(t) => t,
        // A character cut at the 8 KiB boundary is fine; anything else is not text.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
        Err(_) => return false,
    };
    recognize::by_content(text).is_some()
}

fn check_job(job: &Job, cfg: &Loaded, fix: Option<FixMode>, diff: bool) -> Outcome {
    let empty = |error: Option<String>| Outcome { error, ..Outcome::default() };
    if let (Input::File(path), None, false) = (&job.input, job.kind, job.explicit)
        && !sniff(path)
    {
        return empty(None);
    }
    let bytes = match &job.input {
        Input::Stdin => match read_limited(std::io::stdin().lock()) {
            Ok(b) => b,
            Err(e) => return empty(Some(format!("stdin: {e}"))),
        },
        Input::File(path) => {
            match std::fs::metadata(path) {
                Ok(m) if m.len() > MAX_INPUT_BYTES as u64 => {
                    let file = SourceFile::new(job.display.clone(), String::new());
                    let mut findings = vec![Finding::new(
                        &input_too_large::INFO,
                        file,
                        Span::empty(0),
                        format!(
                            "the file is {} bytes, more than the {MAX_INPUT_BYTES} bytes rampart parses; it was not checked",
                            m.len()
                        ),
                    )];
                    cfg.linter.finalize(&mut findings);
                    return Outcome { findings, checked: true, ..Outcome::default() };
                }
                Ok(_) => {}
                Err(e) => return empty(Some(format!("{}: {e}", job.display))),
            }
            match std::fs::File::open(path).and_then(read_limited) {
                Ok(b) => b,
                Err(e) => return empty(Some(format!("{}: {e}", job.display))),
            }
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            if job.kind.is_none() {
                // Not named like anything rampart checks, and not text: not ours.
                return empty(None);
            }
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = SourceFile::new(job.display.clone(), text);
            let mut findings = vec![Finding::new(
                &invalid_encoding::INFO,
                file,
                Span::new(at, at + 1),
                format!("byte {at} is not valid UTF-8"),
            )];
            cfg.linter.finalize(&mut findings);
            return Outcome { findings, checked: true, ..Outcome::default() };
        }
    };
    if text.len() > MAX_INPUT_BYTES {
        let file = SourceFile::new(job.display.clone(), String::new());
        let mut findings = vec![Finding::new(
            &input_too_large::INFO,
            file,
            Span::empty(0),
            format!("the input is more than the {MAX_INPUT_BYTES} bytes rampart parses; it was not checked"),
        )];
        cfg.linter.finalize(&mut findings);
        return Outcome { findings, checked: true, ..Outcome::default() };
    }
    let kind = match job.kind.or_else(|| recognize::by_content(&text)) {
        Some(k) => k,
        None => {
            let error = match job.input {
                Input::Stdin => Some(
                    "stdin is not a Dockerfile (no FROM instruction found); use --stdin-filename to name it"
                        .to_string(),
                ),
                Input::File(_) => {
                    if job.explicit {
                        eprintln!("rampart: skipping {}: not a file rampart checks", job.display);
                    }
                    None
                }
            };
            return empty(error);
        }
    };
    let mut write_error = None;
    let (text, fixed) = match fix {
        None => (text, None),
        Some(mode) => {
            let outcome = rampart_linter::fix::fix_text(&cfg.linter, &job.display, &text, kind, mode);
            let changed = outcome.changed(&text);
            let mut fixed = Fixed {
                applied: outcome.applied.len(),
                rejected: outcome.rejected,
                diff: String::new(),
                stdout: None,
                converged: outcome.converged,
                created: Vec::new(),
                notes: Vec::new(),
            };
            match &job.input {
                Input::File(path) => {
                    let base = path.parent().unwrap_or(Path::new(""));
                    let shown = Path::new(&job.display).parent().unwrap_or(Path::new("")).to_path_buf();
                    let r = write_new_files(base, &shown, &outcome.new_files, diff);
                    fixed.diff.push_str(&r.diff);
                    fixed.created = r.created;
                    fixed.notes = r.notes;
                }
                Input::Stdin if !outcome.new_files.is_empty() => {
                    fixed.notes.push("fixes that create files are not applied to stdin".to_string());
                }
                Input::Stdin => {}
            }
            let mut kept = diff;
            if changed && diff {
                fixed
                    .diff
                    .insert_str(0, &rampart_diagnostics::render::unified_diff(&job.display, &text, &outcome.text));
            } else if changed {
                match &job.input {
                    Input::Stdin => fixed.stdout = Some(outcome.text.clone()),
                    Input::File(path) => {
                        if let Err(e) = write_fixed(path, outcome.text.as_bytes()) {
                            // Nothing was written: report what the file still has.
                            write_error = Some(format!("cannot write {}: {e}", job.display));
                            fixed.applied = 0;
                            kept = true;
                        }
                    }
                }
            } else if matches!(job.input, Input::Stdin) {
                fixed.stdout = Some(outcome.text.clone());
            }
            // With --diff (or when the file could not be written) what is left is what the
            // original has.
            let text = if kept { text } else { outcome.text };
            (text, Some(fixed))
        }
    };
    let file = SourceFile::new(job.display.clone(), text);
    let report = cfg.linter.check(&file, kind);
    let manifest = (kind == FileKind::Kubernetes).then(|| (Arc::clone(&file), report.documents));
    Outcome {
        findings: report.findings,
        suppressed: report.suppressed,
        checked: true,
        error: write_error,
        manifest,
        fixed,
    }
}

/// Writes the fixed text of `path`: never over a read-only file (the user made it so; a
/// rename would replace it all the same), and through a symbolic link to the file it names
/// (a rename would replace the link itself).
fn write_fixed(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let link = std::fs::symlink_metadata(path)?;
    let target = if link.file_type().is_symlink() { std::fs::canonicalize(path)? } else { path.to_path_buf() };
    let meta = std::fs::metadata(&target)?;
    if meta.permissions().readonly() {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "the file is read-only"));
    }
    // Permission to write the file itself, not only its directory.
    std::fs::OpenOptions::new().append(true).open(&target)?;
    write_atomically(&target, bytes)
}

/// Whether to colour the report: `--color`, else only on a terminal without `NO_COLOR`.
pub(crate) fn color_enabled(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

fn emit(report: &Report<'_>, args: &CheckArgs) -> Result<(), String> {
    emit_report(report, args.format, args.output.as_deref(), args.color)
}

/// Renders `report` in `format` to `output` (atomically) or stdout.
pub(crate) fn emit_report(
    report: &Report<'_>,
    format: OutputFormat,
    output: Option<&Path>,
    color: ColorChoice,
) -> Result<(), String> {
    let format = match format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Concise => Format::Concise,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Github => Format::Github,
    };
    let options = RenderOptions { color: color_enabled(color, output.is_some()), width: None };
    match output {
        Some(path) => {
            let mut buf = Vec::new();
            render(format, report, options, &mut buf).map_err(|e| e.to_string())?;
            write_atomically(path, &buf).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            match render(format, report, options, &mut out).and_then(|_| out.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`rampart check | head`) is not a failure of the check.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(e.to_string()),
            }
        }
    }
}

fn report_invalid_config(findings: Vec<Finding>, args: &CheckArgs) -> ExitCode {
    report_invalid_with(findings, args.color)
}

/// Reports an invalid configuration on stderr (exit status 2: nothing was checked).
pub(crate) fn report_invalid(findings: Vec<Finding>) -> ExitCode {
    report_invalid_with(findings, ColorChoice::Auto)
}

fn report_invalid_with(findings: Vec<Finding>, color: ColorChoice) -> ExitCode {
    let findings: Vec<Finding> = findings.into_iter().map(|f| Finding { severity: Severity::Error, ..f }).collect();
    let summary = Summary::from_findings(&findings, 0, 0);
    let report = Report { findings: &findings, summary: &summary, rules: &[], tool_version: env!("CARGO_PKG_VERSION") };
    let options = RenderOptions { color: color_enabled(color, false) && std::io::stderr().is_terminal(), width: None };
    let mut err = std::io::stderr().lock();
    let _ = render(Format::Human, &report, options, &mut err);
    let _ = writeln!(err, "rampart: the configuration above is invalid; nothing was checked");
    ExitCode::from(2)
}

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// rampart makes containers hard to attack and shows the proof: it finds hardening problems
/// in Dockerfiles, explains them, and fixes what it can.
#[derive(Debug, Parser)]
#[command(name = "rampart", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files and directories (a directory is walked, respecting .gitignore).
    Check(CheckArgs),
    /// Fix what can be fixed, then report what is left (same options as `check`).
    Fix(CheckArgs),
    /// Scan an image: its configuration, its files and its packages.
    #[command(subcommand)]
    Scan(ScanTarget),
    /// Write the software bill of materials of an image (CycloneDX 1.6 or SPDX 2.3 JSON).
    Sbom(SbomArgs),
    /// The offline vulnerability database (OSV advisories in SQLite).
    #[command(subcommand)]
    Db(DbCommand),
    /// Signing keys (cosign's format).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Sign an image in its registry, as `cosign sign --key` does (the signature is stored
    /// beside the image; cosign, podman, skopeo and CRI-O read it).
    Sign(SignArgs),
    /// Verify an image's signatures against public keys, explaining each one that fails
    /// (exit 0: verified, 1: not verified, 2: error).
    Verify(VerifyArgs),
    /// Serve the Kubernetes validating admission webhook over HTTPS: the rules and
    /// rampart.toml of `check`, applied to every object the API server sends.
    Serve(ServeArgs),
    /// Show the documentation of one rule.
    Rule {
        /// A rule code (DF001) or name (final-stage-runs-as-root).
        code: String,
    },
    /// List every rule: code, name, default level, fix, tags.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// Write a commented rampart.toml template.
    Init {
        /// Directory to write rampart.toml into.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing rampart.toml.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Annotated source snippets, help, and fixes as diffs.
    Human,
    /// One line per finding.
    Concise,
    /// Versioned JSON (docs/json-output.md).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Note,
    Warning,
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads stdin. Default: the current directory.
    pub paths: Vec<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when a finding is at or above this level [default: error, or
    /// `check.fail-on` from rampart.toml].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Use this configuration file instead of looking for rampart.toml upward from each file.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore every rampart.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Run only these rules: codes (DF001), prefixes (DF), names or tags. Repeatable,
    /// comma-separated lists accepted. Replaces `check.select` from rampart.toml.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Do not run these rules (codes, prefixes, names or tags). Adds to `check.ignore`.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// The file name to use for stdin (decides the file kind and appears in the report).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Apply the safe fixes to the files, then report what is left (`rampart fix` does this).
    #[arg(long)]
    pub fix: bool,
    /// Apply unsafe fixes too: they improve the posture but may break a workload.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them (implies --fix).
    #[arg(long)]
    pub diff: bool,
    /// The Dockerfile that builds an image workloads run, as `NAME=DOCKERFILE` (NAME an image
    /// reference, with or without tag): its user and ports make fixes safer. Dockerfiles in
    /// the checked tree and Compose `build:` contexts are used without this.
    #[arg(long, value_name = "NAME=DOCKERFILE")]
    pub image: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ScanTarget {
    /// Find what an image ships that it should not, how it is configured to run, and the
    /// known vulnerabilities of its packages.
    Image(ScanImageArgs),
    /// Find the known vulnerabilities of a source tree's dependencies (lockfiles and manifests).
    Fs(ScanFsArgs),
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Build the database from OSV data: `all.zip` exports, directories of records, `.json` files.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The database (default: `$XDG_CACHE_HOME/rampart/osv.db` or `~/.cache/rampart/osv.db`).
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Download OSV's per-ecosystem exports and rebuild the database (conditional, resumable,
    /// checksummed; the old database stays until the new one is complete).
    Update {
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// Only these ecosystems (`Debian`, `PyPI`, …; default: those in the database, else a
        /// standard set).
        #[arg(long, value_delimiter = ',')]
        ecosystem: Vec<String>,
        /// Where the exports are (default: OSV's bucket, or `$RAMPART_OSV_MIRROR`).
        #[arg(long, value_name = "URL")]
        mirror: Option<String>,
    },
    /// Show the database: sources, advisories per ecosystem, age.
    Status {
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
}

/// Vulnerability matching options of `scan image` and `scan fs`.
#[derive(Debug, Args)]
pub struct VulnArgs {
    /// The vulnerability database (default: `$XDG_CACHE_HOME/rampart/osv.db` or `~/.cache/rampart/osv.db`).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Do not check vulnerabilities.
    #[arg(long)]
    pub skip_vulns: bool,
    /// OpenVEX documents: vulnerabilities they state `not_affected` or `fixed` are not reported (repeatable).
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
}

/// How `scan image` and `scan fs` report: the reporting options of `check`.
#[derive(Debug, Args)]
pub struct ScanReportArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes rampart exit with status 1 (default: the config's `fail-on`, else error).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Use this configuration file (default: the nearest rampart.toml from the current directory).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    pub no_config: bool,
    /// Only these rules (codes, names, prefixes or tags).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Not these rules.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct ScanFsArgs {
    /// The directory to scan (walked, .gitignore respected).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub vulns: VulnArgs,
    #[command(flatten)]
    pub report: ScanReportArgs,
}

/// Where an image comes from, and how to reach it.
#[derive(Debug, Args)]
pub struct ImageSource {
    /// The image: an OCI layout directory (`DIR` or `oci-dir:DIR[:TAG]`), an OCI archive
    /// (`oci-archive:FILE[:TAG]`), a `docker save` archive (`docker-archive:FILE` or a `.tar`),
    /// or a registry reference (`registry.example/app:1.2`, `app@sha256:...`).
    pub image: String,
    /// The platform to take from a multi-platform image (`linux/amd64`, `linux/arm64/v8`);
    /// the host's by default.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    #[command(flatten)]
    pub registry: RegistryAccess,
    /// Do not show the progress bar (it is shown only on a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// How to reach a registry: credentials, CAs, plain HTTP.
#[derive(Debug, Args)]
pub struct RegistryAccess {
    /// Registry user name (instead of the Docker or Podman credentials files).
    #[arg(long, requires = "password_stdin")]
    pub username: Option<String>,
    /// Read the registry password or token from stdin.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
    /// Read registry credentials only from this file (Docker `config.json` or Podman
    /// `auth.json` format) instead of the usual places.
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<PathBuf>,
    /// A PEM file of CA certificates to trust for the registry (repeatable).
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Vec<PathBuf>,
    /// Allow plain HTTP to the registry (for a registry on loopback).
    #[arg(long)]
    pub insecure: bool,
}

/// `rampart key`.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make an ECDSA P-256 key pair in cosign's format: PREFIX.key (sealed with the password in
    /// $COSIGN_PASSWORD, readable by the owner only) and PREFIX.pub.
    Generate {
        /// Where to write the pair.
        #[arg(long, value_name = "PREFIX", default_value = "cosign")]
        output_prefix: PathBuf,
        /// Replace an existing pair.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The image in its registry (`registry.example/app:1.2`, `…@sha256:…`); the digest the
    /// reference names is what is signed.
    pub image: String,
    /// The private key (cosign format); its password comes from $COSIGN_PASSWORD.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    #[command(flatten)]
    pub registry: RegistryAccess,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The image in its registry.
    pub image: String,
    /// A trusted public key (PEM `PUBLIC KEY`, as `cosign.pub`); repeatable: a signature by
    /// any of them verifies.
    #[arg(long, value_name = "FILE", required = true)]
    pub key: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
    pub format: VerifyFormat,
    #[command(flatten)]
    pub registry: RegistryAccess,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR:PORT", default_value = "0.0.0.0:8443")]
    pub listen: std::net::SocketAddr,
    /// The server certificate (PEM, with its chain); re-read when it changes on disk.
    #[arg(long, value_name = "PEM")]
    pub tls_cert: PathBuf,
    /// The certificate's private key (PEM).
    #[arg(long, value_name = "PEM")]
    pub tls_key: PathBuf,
    /// The configuration (default: the nearest rampart.toml from the working directory).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Use the default configuration.
    #[arg(long)]
    pub no_config: bool,
    /// Append one JSON line per decision to FILE (`-`: standard output, the default).
    #[arg(long, value_name = "FILE", default_value = "-", conflicts_with = "no_audit_log")]
    pub audit_log: String,
    /// Keep no audit log.
    #[arg(long)]
    pub no_audit_log: bool,
    /// Let `/mutate` apply unsafe fixes too (those that break a workload needing what they
    /// take away); by default it applies the safe ones only.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// How the signature gate (`[[signatures]]` in rampart.toml) reaches registries.
    #[command(flatten)]
    pub registry: RegistryAccess,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct ScanImageArgs {
    #[command(flatten)]
    pub source: ImageSource,
    #[command(flatten)]
    pub report: ScanReportArgs,
    /// Also write the image's SBOM to FILE, from the same pass.
    #[arg(long, value_name = "FILE")]
    pub sbom: Option<PathBuf>,
    /// The format of `--sbom`.
    #[arg(long, value_enum, default_value_t = SbomFormat::CyclonedxJson)]
    pub sbom_format: SbomFormat,
    /// Add a `vulnerabilities` section to the `--sbom` (CycloneDX only).
    #[arg(long)]
    pub sbom_vulnerabilities: bool,
    #[command(flatten)]
    pub vulns: VulnArgs,
}

#[derive(Debug, Args)]
pub struct SbomArgs {
    #[command(flatten)]
    pub source: ImageSource,
    #[arg(long, short = 'f', value_enum, default_value_t = SbomFormat::CyclonedxJson)]
    pub format: SbomFormat,
    /// Write the SBOM to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    CyclonedxJson,
    /// SPDX 2.3 JSON.
    SpdxJson,
}

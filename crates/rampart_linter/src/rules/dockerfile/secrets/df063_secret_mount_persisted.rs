use rampart_dockerfile::Keyword;
use rampart_shell::{Command, Word};

use super::util::{SecretMount, find_var_ref, mentions_path, scratch_mount_targets, secret_mounts, span};
use crate::Finding;
use crate::dockerfile::{DockerfileContext, ShellRun};

declare_rule! {
    /// A `RUN` copies a mounted build secret into the image layer.
    ///
    /// ## What it does
    /// For each `RUN` with `--mount=type=secret` (mounted at `target=`, by default
    /// `/run/secrets/<id>`, or exposed as the variable named by `env=`), follows the secret
    /// through the script and reports the command that writes it to a file of the layer:
    /// - `cp`, `install`, `rsync`, `mv`, `scp` or `dd` of the secret file;
    /// - `cat`, `echo`, `printf`, `sed`, `envsubst`, `base64`, `tee`, … whose output — with
    ///   the secret or a variable read from it — is redirected to a file
    ///   (`cat /run/secrets/npm > ~/.npmrc`, `echo "$NPM_TOKEN" > .token`), also through a
    ///   pipeline;
    /// - tools that store a credential in their configuration: `npm config set`,
    ///   `yarn config set`, `git config`, `pip config set`, `composer config`,
    ///   `aws configure set`, `docker login`, `helm registry login`, `gh auth login`.
    ///
    /// It is not reported when the same `RUN` deletes the file afterwards (`rm`, `shred -u`,
    /// `npm config delete`, `docker logout`, …), when the file is on a `cache`, `tmpfs` or
    /// `bind` mount of that `RUN`, or when the output of a command that merely *uses* the
    /// secret is saved (`curl -H "Authorization: Bearer $(cat /run/secrets/t)" … > pkg.tgz`).
    ///
    /// ## Why
    /// A secret mount exists only while its `RUN` runs and is never written to the image —
    /// unless the script copies it. A copy left in a layer ships with the image, and a
    /// later `RUN rm` does not help: the earlier layer still holds it.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc \
    ///     cp /run/secrets/npmrc /root/.npmrc && npm ci
    /// ```
    /// Use instead — mount the secret where the tool reads it:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    /// or delete the copy in the same `RUN`: `… && npm ci && rm -f /root/.npmrc`.
    ///
    /// ## Fix safety
    /// No automatic fix: whether to mount at the tool's path or to delete the copy depends on
    /// the tool.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory
    /// - Secret mounts: <https://docs.docker.com/reference/dockerfile/#run---mounttypesecret>
    pub struct SecretMountPersisted {
        code: "DF063",
        name: "secret-mount-persisted",
        severity: Error,
        tags: ["secrets", "security", "cis-docker:4.10", "cwe:538", "seed:secrets"],
        equivalents: [],
        fix: None,
    }
}

/// Commands that print what they are given (arguments or input) to standard output.
const EMITTERS: &[&str] = &[
    "cat", "echo", "printf", "sed", "awk", "gawk", "envsubst", "base64", "tr", "head", "tail", "cut", "jq", "yq",
    "tee", "xxd", "sort", "uniq", "grep", "xargs", "dd",
];

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for (i, instr) in cx.all_instructions() {
        if instr.keyword != Keyword::Run {
            continue;
        }
        let mounts = secret_mounts(instr);
        if mounts.is_empty() {
            continue;
        }
        let scratch = scratch_mount_targets(instr);
        for run in cx.shell_runs().iter().filter(|r| r.instruction == i && r.keyword == Keyword::Run) {
            analyse(cx, run, &mounts, &scratch, out);
        }
    }
}

/// What the script knows about the secret: the files it is at and the variables holding it.
struct Tracker<'m> {
    mounts: &'m [SecretMount],
    /// (variable, mount index)
    vars: Vec<(String, usize)>,
}

impl Tracker<'_> {
    /// The mount whose secret `text` reads (by path or variable), if any.
    fn reads(&self, text: &str) -> Option<usize> {
        self.reads_file(text).or_else(|| self.reads_var(text))
    }

    fn reads_var(&self, text: &str) -> Option<usize> {
        self.vars.iter().find(|(v, _)| find_var_ref(text, v).is_some()).map(|(_, m)| *m)
    }

    /// Variables count only where the shell expands them (not in `'${NPM_TOKEN}'`).
    fn reads_word(&self, w: &Word) -> Option<usize> {
        self.reads_file(&w.value).or_else(|| if w.expands { self.reads_var(&w.value) } else { None })
    }

    fn track(&mut self, name: &str, mount: usize) {
        if !self.vars.iter().any(|(v, _)| v == name) {
            self.vars.push((name.to_string(), mount));
        }
    }

    fn reads_file(&self, text: &str) -> Option<usize> {
        self.mounts.iter().position(|mount| mount.paths.iter().any(|p| mentions_path(text, p)))
    }
}

fn analyse(
    cx: &DockerfileContext<'_>,
    run: &ShellRun,
    mounts: &[SecretMount],
    scratch: &[String],
    out: &mut Vec<Finding>,
) {
    let script = run.script.as_str();
    let commands = &run.parsed.commands;
    let mut tracker = Tracker { mounts, vars: Vec::new() };
    let removals = removals(commands);
    for (m, mount) in mounts.iter().enumerate() {
        if let Some(env) = &mount.env {
            tracker.vars.push((env.clone(), m));
        }
    }
    // For each command: the mount whose secret it writes to standard output.
    let mut carries: Vec<Option<usize>> = vec![None; commands.len()];
    for (n, cmd) in commands.iter().enumerate() {
        let argv = rampart_shell::effective_argv(&cmd.words);
        let program = argv.first().map(|w| w.basename()).unwrap_or("");
        let args = argv.get(1..).unwrap_or(&[]);
        // What the command reads: its words, its input redirections and here-documents.
        let mut reads = argv.iter().find_map(|w| tracker.reads_word(w));
        for r in &cmd.redirects {
            if matches!(r.op.as_str(), "<" | "<<<")
                && let Some(t) = &r.target
            {
                reads = reads.or_else(|| tracker.reads_word(t));
            }
            if let Some(body) = &r.heredoc_body
                && let Some(text) = script.get(body.clone())
            {
                // A quoted delimiter (`<<'EOF'`) turns expansion off in the body.
                let expands = !r.target.as_ref().is_some_and(|t| t.quoted);
                reads = reads.or_else(|| if expands { tracker.reads(text) } else { tracker.reads_file(text) });
            }
        }
        let piped = if cmd.pipeline_index == 0 {
            None
        } else {
            commands[..n]
                .iter()
                .enumerate()
                .rev()
                .find(|(_, c)| c.pipeline == cmd.pipeline && c.pipeline_index + 1 == cmd.pipeline_index)
                .and_then(|(k, _)| carries[k])
        };
        let input = reads.or(piped);
        if EMITTERS.contains(&program) {
            carries[n] = input;
        }
        // Variables that receive the secret: `T=$(cat /run/secrets/t)`, `read -r T < …`.
        let declared: &[Word] = match program {
            "export" | "declare" | "typeset" | "readonly" | "local" => args,
            _ => &[],
        };
        for w in cmd.assignments.iter().chain(declared) {
            if let Some((name, _)) = w.value.split_once('=')
                && let Some(m) = tracker.reads_word(w)
            {
                tracker.track(name, m);
            }
        }
        if program == "read"
            && let Some(m) = input
        {
            for w in args.iter().filter(|w| !rampart_shell::is_option(w)) {
                tracker.track(&w.value, m);
            }
        }
        for (dest, how, m) in destinations(cmd, argv, &tracker, input, carries[n]) {
            let d = dest.as_str();
            if d.starts_with("/dev/")
                || d.starts_with("/proc/")
                || scratch.iter().any(|t| under(d, t))
                || mounts.iter().any(|mount| mount.paths.iter().any(|p| p == d))
                || removed_later(&removals, n, &dest, program)
            {
                continue;
            }
            let mount = &mounts[m];
            let message = match how {
                How::Writes => format!("secret `{}` is written to `{dest}`, which stays in the image layer", mount.id),
                How::Config(tool) => {
                    format!("secret `{}` is stored in `{dest}` by `{tool}`, which stays in the image layer", mount.id)
                }
            };
            out.push(
                cx.finding(&INFO, run.command_span(cmd), message)
                    .with_label("copies the mounted secret into the layer")
                    .with_related(cx.file.clone(), span(&mount.flag), "the secret is mounted here")
                    .with_help(format!(
                        "delete it before this RUN ends (`&& rm -f {dest}`), or mount the secret where the tool reads it (`--mount=type=secret,id={},target=…`)",
                        mount.id
                    )),
            );
        }
    }
}

enum How {
    Writes,
    Config(&'static str),
}

/// Files the command writes the secret to.
fn destinations(
    cmd: &Command,
    argv: &[Word],
    tracker: &Tracker<'_>,
    input: Option<usize>,
    carries: Option<usize>,
) -> Vec<(String, How, usize)> {
    let mut out = Vec::new();
    let program = argv.first().map(|w| w.basename()).unwrap_or("");
    let args = argv.get(1..).unwrap_or(&[]);
    let operands: Vec<&Word> = args.iter().filter(|w| !rampart_shell::is_option(w)).collect();
    match program {
        "cp" | "install" | "rsync" | "mv" | "scp" => {
            let target_dir = rampart_shell::option_value(args, &["-t", "--target-directory"]).map(|(_, v)| v);
            let (sources, dest): (&[&Word], Option<String>) = match target_dir {
                Some(t) => (&operands[..], Some(t)),
                None => match operands.split_last() {
                    Some((last, rest)) => (rest, Some(last.value.clone())),
                    None => (&[], None),
                },
            };
            if let Some(dest) = dest
                && let Some(m) = sources.iter().find_map(|w| tracker.reads_file(&w.value))
            {
                out.push((dest, How::Writes, m));
            }
        }
        "dd" => {
            let get = |k: &str| args.iter().find_map(|w| w.value.strip_prefix(k).map(str::to_string));
            let from = get("if=").and_then(|f| tracker.reads_file(&f)).or(input);
            if let (Some(m), Some(of)) = (from, get("of=")) {
                out.push((of, How::Writes, m));
            }
        }
        "tee" => {
            if let Some(m) = input {
                for w in &operands {
                    out.push((w.value.clone(), How::Writes, m));
                }
            }
        }
        _ => {}
    }
    if let Some(m) = carries {
        for r in &cmd.redirects {
            if matches!(r.op.as_str(), ">" | ">>" | ">|" | "&>" | "&>>")
                && r.fd.is_none_or(|fd| fd == 1)
                && let Some(t) = &r.target
            {
                out.push((t.value.clone(), How::Writes, m));
            }
        }
    }
    // Tools that save a credential in their configuration.
    let uses = argv.iter().find_map(|w| tracker.reads_word(w)).or(input);
    let sub = operands.first().map(|w| w.value.as_str());
    let config: Option<(&'static str, String)> = match (program, sub) {
        ("npm", Some("config")) | ("pnpm", Some("config")) if operands.get(1).is_some_and(|w| w.value == "set") => {
            Some(("npm config set", "~/.npmrc".into()))
        }
        ("yarn", Some("config")) if operands.get(1).is_some_and(|w| w.value == "set") => {
            Some(("yarn config set", "~/.yarnrc".into()))
        }
        ("pip" | "pip3", Some("config")) => Some(("pip config", "~/.config/pip/pip.conf".into())),
        ("git", Some("config")) => {
            let file = rampart_shell::option_value(args, &["-f", "--file"]).map(|(_, v)| v);
            Some(("git config", file.unwrap_or_else(|| "~/.gitconfig".into())))
        }
        ("composer", Some("config")) => Some(("composer config", "~/.composer/auth.json".into())),
        ("aws", Some("configure")) => Some(("aws configure", "~/.aws/credentials".into())),
        ("docker" | "nerdctl", Some("login")) => Some(("docker login", "~/.docker/config.json".into())),
        ("helm", Some("registry")) if operands.get(1).is_some_and(|w| w.value == "login") => {
            Some(("helm registry login", "~/.config/helm/registry/config.json".into()))
        }
        ("gh", Some("auth")) if operands.get(1).is_some_and(|w| w.value == "login") => {
            Some(("gh auth login", "~/.config/gh/hosts.yml".into()))
        }
        _ => None,
    };
    if let (Some((tool, dest)), Some(m)) = (config, uses) {
        out.push((dest, How::Config(tool), m));
    }
    out
}

fn normalize(path: &str) -> String {
    let p = path.trim_matches(|c| c == '"' || c == '\'');
    let p = if let Some(rest) = p.strip_prefix("${HOME}").or_else(|| p.strip_prefix("$HOME")) {
        format!("~{rest}")
    } else if let Some(rest) = p.strip_prefix("/root/") {
        format!("~/{rest}")
    } else {
        p.to_string()
    };
    p.strip_prefix("./").map(str::to_string).unwrap_or(p)
}

fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    !dir.is_empty() && (path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
}

fn basename(p: &str) -> &str {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or(p)
}

/// Whether `arg` (of `rm`) removes `dest`.
fn removes(arg: &str, dest: &str) -> bool {
    let a = normalize(arg);
    let d = normalize(dest);
    if a.is_empty() {
        return false;
    }
    if a == d || under(&d, &a) {
        return true;
    }
    if let Some(prefix) = a.strip_suffix('*') {
        return d.starts_with(prefix) || basename(&d).starts_with(basename(prefix));
    }
    let b = basename(&a);
    !b.is_empty() && b == basename(&d)
}

/// A command that deletes files, or undoes a tool's setting.
struct Removal<'a> {
    index: usize,
    program: &'a str,
    /// `rm`'s operands; empty for an undo (`npm config delete`, `docker logout`).
    paths: Vec<&'a str>,
}

fn removals(commands: &[Command]) -> Vec<Removal<'_>> {
    let mut out = Vec::new();
    for (index, c) in commands.iter().enumerate() {
        let argv = rampart_shell::effective_argv(&c.words);
        let Some(program) = argv.first().map(|w| w.basename()) else { continue };
        let args = &argv[1..];
        if matches!(program, "rm" | "unlink" | "shred") {
            let paths = args.iter().filter(|w| !rampart_shell::is_option(w)).map(|w| w.value.as_str()).collect();
            out.push(Removal { index, program, paths });
        } else if args.iter().any(|w| {
            matches!(
                w.value.as_str(),
                "delete" | "unset" | "rm" | "logout" | "--unset" | "--unset-all" | "--remove-section"
            )
        }) {
            out.push(Removal { index, program, paths: Vec::new() });
        }
    }
    out
}

/// Whether a later command of the script deletes `dest` (or undoes the tool's setting).
fn removed_later(removals: &[Removal<'_>], n: usize, dest: &str, program: &str) -> bool {
    removals.iter().filter(|r| r.index > n).any(|r| {
        if matches!(r.program, "rm" | "unlink" | "shred") {
            r.paths.iter().any(|p| removes(p, dest))
        } else {
            r.program == program
        }
    })
}

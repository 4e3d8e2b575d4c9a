use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rampart_dockerfile::Keyword;
use rampart_secrets::{assess_setting, redact, scan_text};
use rampart_shell::{Command, Word};

use super::util::{BuildArg, SecretArgs, find_var_ref, narrow, secret_mounts, span, word_sub_span};
use crate::Finding;
use crate::dockerfile::{DockerfileContext, ShellRun};

declare_rule! {
    /// A `RUN` command line holds a credential, or reads a secret build argument.
    ///
    /// ## What it does
    /// Looks at every `RUN` script (heredocs, `sh -c`, `$(…)` and `ONBUILD RUN` included),
    /// and at `CMD`, `ENTRYPOINT` and `HEALTHCHECK` commands, for:
    /// - known credential formats anywhere in the text: tokens (GitHub, GitLab, npm, PyPI,
    ///   AWS, Slack, …), private key blocks, passwords in URLs (`https://user:pass@host`);
    /// - `chpasswd` or `passwd` fed a literal password (`echo 'root:pass' | chpasswd`);
    /// - password and token options given a literal value: `mysql -pSECRET`,
    ///   `docker login -p …`, `curl -u user:pass`, `curl -H 'Authorization: Bearer …'`,
    ///   `wget --password=…`, `sshpass -p …`, `htpasswd -b file user pass`,
    ///   `openssl … -passout pass:…`, `keytool -storepass …`, `redis-cli -a …`,
    ///   `npm config set _authToken …`, and `--password=…`/`--token=…` on any program;
    /// - variables set to a literal credential: `TOKEN=… ./install`, `export DB_PASSWORD=…`;
    /// - in the final image, a build argument with a secret-like name (`ARG NPM_TOKEN`)
    ///   expanded by a `RUN` (`$NPM_TOKEN`, `${NPM_TOKEN}`), unless that `RUN` mounts a
    ///   secret for it (`--mount=type=secret,id=npm_token,env=NPM_TOKEN`); and, at its
    ///   `ARG`, one that later `RUN`s do not expand at all (tools may read it from the
    ///   environment) unless one of them mounts a secret for it.
    ///
    /// Values that are references (`$DB_PASSWORD`, `$(cat /run/secrets/db)`), placeholders
    /// and GPG key fingerprints are not reported; neither is `keytool -storepass changeit`,
    /// the documented default of the JDK's public trust store.
    ///
    /// ## Why
    /// The command line of every `RUN` is stored in the image history (`docker history
    /// --no-trunc`) and in the build log, and the Dockerfile itself is in source control.
    /// The builder also writes every build argument in scope, with the value passed to
    /// `--build-arg`, into the history entry of each `RUN` (`RUN |1 NPM_TOKEN=… /bin/sh -c
    /// …`). Anyone who can pull the image can read them. Builder stages that are only copied
    /// from are not shipped, so their build arguments are not reported.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    /// RUN echo 'root:Passw0rd!' | chpasswd
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \
    ///     npm config set //registry.npmjs.org/:_authToken='${NPM_TOKEN}' --location project && npm ci
    /// ```
    /// and `docker build --secret id=npm_token,env=NPM_TOKEN .`.
    ///
    /// ## Fix safety
    /// No automatic fix: the secret must be rotated and supplied as a build secret, which
    /// needs a change to how the image is built.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    /// - NIST SP 800-190 §4.1.4 (embedded clear-text secrets)
    /// - CWE-798: Use of Hard-coded Credentials
    /// - Build secrets: <https://docs.docker.com/build/building/secrets/>
    /// - Build arguments are visible in the image history: <https://docs.docker.com/reference/dockerfile/#arg>
    pub struct SecretInRun {
        code: "DF061",
        name: "secret-in-run",
        severity: Error,
        tags: ["secrets", "security", "cis-docker:4.10", "cwe:798", "nist-800-190:4.1.4", "seed:secrets"],
        equivalents: ["trivy:DS-0031", "checkov:CKV2_DOCKER_17"],
        fix: None,
    }
}

/// A literal credential at `range` of a script.
struct Hit {
    range: Range<usize>,
    secret: String,
    what: String,
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let args = SecretArgs::new(cx);
    let mut uses = ArgUse::default();
    for run in cx.shell_runs() {
        let script = run.script.as_str();
        let mut hits: Vec<Hit> = Vec::new();
        for m in scan_text(script) {
            let range = narrow(m.kind, script, m.span.clone());
            let secret = script.get(range.clone()).unwrap_or_default().to_string();
            // A key block's header says what it is; there is nothing to redact in it.
            let secret = if m.kind.id == rampart_secrets::PRIVATE_KEY.id { String::new() } else { secret };
            hits.push(Hit { range, secret, what: m.kind.description.to_string() });
        }
        let commands = &run.parsed.commands;
        for (n, cmd) in commands.iter().enumerate() {
            assignments(script, cmd, &mut hits);
            options(script, cmd, &mut hits);
            password_feed(script, commands, n, &mut hits);
        }
        // Sorted by start: a hit overlapping an earlier reported one starts before its end.
        let mut reported_end = 0;
        hits.sort_by_key(|h| (h.range.start, h.range.end));
        for h in hits {
            if h.range.start < reported_end {
                continue;
            }
            reported_end = h.range.end.max(h.range.start + 1);
            let kw = run.keyword.as_str();
            let label = if run.keyword == Keyword::Run {
                "stored in the image history and the build log"
            } else {
                "stored in the image configuration"
            };
            out.push(cx.finding(&INFO, run.span(h.range.clone()), shown(kw, &h)).with_label(label).with_help(
                "pass it as a build secret (`RUN --mount=type=secret,id=…,env=…`) and rotate this one: it is exposed",
            ));
        }
        if run.keyword == Keyword::Run && !run.onbuild && cx.in_final_image(run.instruction) {
            build_args(cx, &args, run, &mut uses, out);
        }
    }
    unused_args(cx, &uses, out);
}

fn shown(kw: &str, h: &Hit) -> String {
    if h.secret.is_empty() {
        format!("{kw} holds {}", h.what)
    } else {
        format!("{kw} holds {} (`{}`)", h.what, redact(&h.secret))
    }
}

/// A word holds a literal (no expansion, no command substitution).
fn literal_word(w: &Word) -> bool {
    !w.expands && !w.value.contains('$') && !w.value.contains('`')
}

fn hit(script: &str, w: &Word, sub: Range<usize>, what: impl Into<String>, hits: &mut Vec<Hit>) {
    let secret = w.value.get(sub.clone()).unwrap_or(&w.value).to_string();
    hits.push(Hit { range: word_sub_span(script, w, sub), secret, what: what.into() });
}

/// `TOKEN=… cmd`, `export TOKEN=…`, `env TOKEN=… cmd`.
fn assignments(script: &str, cmd: &Command, hits: &mut Vec<Hit>) {
    let argv = rampart_shell::effective_argv(&cmd.words);
    let wrapped = &cmd.words[..cmd.words.len() - argv.len()];
    let declared: &[Word] = match cmd.name() {
        Some("export" | "declare" | "typeset" | "readonly" | "local") => cmd.args(),
        _ => &[],
    };
    for w in cmd.assignments.iter().chain(wrapped).chain(declared) {
        let Some((name, value)) = w.value.split_once('=') else { continue };
        if !literal_word(w) || name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(a) = assess_setting(name, value) {
            let offset = name.len() + 1;
            hit(
                script,
                w,
                offset + a.span.start..offset + a.span.end,
                format!("{} in `{name}`", a.kind.description),
                hits,
            );
        }
    }
}

/// The value of `--name=value` or `--name value` among `args`.
fn long_option<'a>(args: &'a [Word], name: &str, separate: bool) -> Option<(&'a Word, Range<usize>)> {
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        if v == "--" {
            return None;
        }
        if let Some(rest) = v.strip_prefix(name) {
            if let Some(value) = rest.strip_prefix('=') {
                return Some((w, v.len() - value.len()..v.len()));
            }
            if rest.is_empty() && separate {
                return args.get(i + 1).map(|n| (n, 0..n.value.len()));
            }
        }
    }
    None
}

/// The value of `-x value` or `-xvalue`.
fn short_option<'a>(args: &'a [Word], flag: &str, separate: bool) -> Option<(&'a Word, Range<usize>)> {
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        if v == "--" {
            return None;
        }
        if v == flag && separate {
            return args.get(i + 1).map(|n| (n, 0..n.value.len()));
        }
        if v.len() > flag.len() && v.starts_with(flag) && !v.starts_with("--") {
            return Some((w, flag.len()..v.len()));
        }
    }
    None
}

fn is_placeholder_or_empty(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || assess_setting("PASSWORD", v).is_none()
}

/// Password and token options with literal values.
fn options(script: &str, cmd: &Command, hits: &mut Vec<Hit>) {
    let argv = rampart_shell::effective_argv(&cmd.words);
    let Some(program) = argv.first().map(|w| w.basename().to_ascii_lowercase()) else { return };
    let args = &argv[1..];
    let sub = args.iter().find(|w| !rampart_shell::is_option(w)).map(|w| w.value.as_str());
    let mut found: Vec<(&Word, Range<usize>, &str)> = Vec::new();
    let password = "a password";
    match program.as_str() {
        "mysql" | "mysqladmin" | "mysqldump" | "mysqlimport" | "mysqlshow" | "mysqlcheck" | "mysqlpump" | "mariadb"
        | "mariadb-admin" | "mariadb-dump" | "mariadb-import" | "mariadb-check" => {
            // `-p value` prompts and takes `value` as the database: only `-pvalue`.
            if let Some((w, r)) = short_option(args, "-p", false).or_else(|| long_option(args, "--password", false)) {
                found.push((w, r, password));
            }
        }
        "docker" | "podman" | "buildah" | "nerdctl" | "skopeo" | "oras" | "crane" | "regctl"
            if sub == Some("login") =>
        {
            if let Some((w, r)) = short_option(args, "-p", true).or_else(|| long_option(args, "--password", true)) {
                found.push((w, r, "a registry password"));
            }
        }
        "helm" if args.iter().any(|w| w.value == "login" || w.value == "add") => {
            if let Some((w, r)) = long_option(args, "--password", true) {
                found.push((w, r, "a registry password"));
            }
        }
        "sshpass" => {
            if let Some((w, r)) = short_option(args, "-p", true) {
                found.push((w, r, password));
            }
        }
        "redis-cli" => {
            if let Some((w, r)) = short_option(args, "-a", true).or_else(|| long_option(args, "--pass", true)) {
                found.push((w, r, password));
            }
        }
        "mongo" | "mongosh" | "mongodump" | "mongorestore" | "mongoimport" | "mongoexport" => {
            if let Some((w, r)) = short_option(args, "-p", true).or_else(|| long_option(args, "--password", true)) {
                found.push((w, r, password));
            }
        }
        "sqlcmd" => {
            if let Some((w, r)) = short_option(args, "-P", true) {
                found.push((w, r, password));
            }
        }
        "curl" => {
            if let Some((w, r)) = short_option(args, "-u", true).or_else(|| long_option(args, "--user", true)) {
                // `user:password`; `-u user` alone prompts.
                if let Some(colon) = w.value.get(r.clone()).and_then(|v| v.find(':')) {
                    found.push((w, r.start + colon + 1..r.end, password));
                }
            }
            if let Some((w, r)) = long_option(args, "--oauth2-bearer", true) {
                found.push((w, r, "a bearer token"));
            }
            headers(args, &["-H", "--header"], &mut found);
        }
        "wget" => {
            for name in ["--password", "--http-password", "--ftp-password", "--proxy-password"] {
                if let Some((w, r)) = long_option(args, name, true) {
                    found.push((w, r, password));
                }
            }
            headers(args, &["--header"], &mut found);
        }
        "htpasswd" if rampart_shell::short_flags(args).any(|c| c == 'b') => {
            // `htpasswd -b[c] file user password` / `htpasswd -nb user password`.
            let operands: Vec<&Word> = args.iter().filter(|w| !rampart_shell::is_option(w)).collect();
            let needed = if rampart_shell::short_flags(args).any(|c| c == 'n') { 2 } else { 3 };
            if operands.len() >= needed
                && let Some(w) = operands.last()
            {
                found.push((w, 0..w.value.len(), password));
            }
        }
        "openssl" => {
            for (i, w) in args.iter().enumerate() {
                if matches!(w.value.as_str(), "-passin" | "-passout" | "-pass" | "-password" | "-passwd")
                    && let Some(next) = args.get(i + 1)
                    && let Some(value) = next.value.strip_prefix("pass:")
                {
                    let start = next.value.len() - value.len();
                    found.push((next, start..next.value.len(), password));
                }
            }
        }
        "keytool" => {
            for (i, w) in args.iter().enumerate() {
                let v = w.value.to_ascii_lowercase();
                if matches!(v.as_str(), "-storepass" | "-keypass" | "-srcstorepass" | "-deststorepass" | "-srckeypass" | "-destkeypass")
                    && let Some(next) = args.get(i + 1)
                    // The JDK trust store's documented default: public, not a secret.
                    && next.value != "changeit"
                    && !next.value.starts_with(':')
                {
                    found.push((next, 0..next.value.len(), "a keystore password"));
                }
            }
        }
        "npm" | "pnpm" | "yarn" if sub == Some("config") => {
            // `npm config set //host/:_authToken value`, `yarn config set npmAuthToken value`.
            let operands: Vec<&Word> = args.iter().filter(|w| !rampart_shell::is_option(w)).collect();
            if operands.len() >= 4 && operands[1].value == "set" {
                let key = operands[2].value.to_ascii_lowercase();
                if ["_authtoken", "_auth", "_password", "npmauthtoken", "npmauthident"].iter().any(|k| key.ends_with(k))
                {
                    let w = operands[3];
                    found.push((w, 0..w.value.len(), "a registry token"));
                }
            }
        }
        _ => {}
    }
    // `--password=…` and friends on any program.
    for w in args {
        let Some((name, value)) = w.value.split_once('=') else { continue };
        let Some(bare) = name.strip_prefix("--") else { continue };
        let bare = bare.to_ascii_lowercase();
        if !matches!(
            bare.as_str(),
            "password"
                | "passwd"
                | "pass"
                | "token"
                | "api-key"
                | "apikey"
                | "api-token"
                | "secret"
                | "client-secret"
                | "auth-token"
                | "access-token"
                | "secret-key"
                | "access-key-secret"
                | "private-token"
        ) {
            continue;
        }
        if found.iter().any(|(f, _, _)| std::ptr::eq(*f, w)) {
            continue;
        }
        if literal_word(w)
            && let Some(a) = assess_setting(&bare.replace('-', "_"), value)
        {
            let start = name.len() + 1;
            found.push((w, start + a.span.start..start + a.span.end, a.kind.description));
        }
    }
    for (w, r, what) in found {
        let value = w.value.get(r.clone()).unwrap_or_default();
        if literal_word(w) && !is_placeholder_or_empty(value) {
            hit(script, w, r, what, hits);
        }
    }
}

/// `-H 'Authorization: Bearer …'`, `-H 'X-Api-Key: …'`.
fn headers<'a>(args: &'a [Word], names: &[&str], found: &mut Vec<(&'a Word, Range<usize>, &'static str)>) {
    for (i, w) in args.iter().enumerate() {
        let (header, value_word) = if names.contains(&w.value.as_str()) {
            match args.get(i + 1) {
                Some(n) => (n.value.as_str(), n),
                None => continue,
            }
        } else if let Some(rest) = names.iter().find_map(|n| {
            w.value.strip_prefix(n).and_then(|r| if n.starts_with("--") { r.strip_prefix('=') } else { Some(r) })
        }) {
            (rest, w)
        } else {
            continue;
        };
        if header.is_empty() {
            continue;
        }
        let Some((name, value)) = header.split_once(':') else { continue };
        let lname = name.trim().to_ascii_lowercase();
        let credential = lname == "authorization"
            || lname == "proxy-authorization"
            || lname.ends_with("-token")
            || lname.ends_with("api-key")
            || lname.ends_with("apikey")
            || lname.ends_with("-auth");
        if !credential {
            continue;
        }
        let trimmed = value.trim_start();
        // Skip the scheme (`Bearer`, `Basic`, `token`).
        let secret = match trimmed.split_once(' ') {
            Some((scheme, rest))
                if lname.contains("authorization") && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
            {
                rest.trim()
            }
            _ => trimmed.trim(),
        };
        if secret.len() < 8 {
            continue;
        }
        // `secret` is a slice of `header`, itself the end of the word's value.
        let start = value_word.value.len() - header.len() + (secret.as_ptr() as usize - header.as_ptr() as usize);
        found.push((value_word, start..start + secret.len(), "a credential in an HTTP header"));
    }
}

/// `echo 'root:pass' | chpasswd`, `chpasswd <<< 'root:pass'`, `echo -e 'pw\npw' | passwd`.
fn password_feed(script: &str, commands: &[Command], n: usize, hits: &mut Vec<Hit>) {
    let cmd = &commands[n];
    let argv = rampart_shell::effective_argv(&cmd.words);
    let Some(program) = argv.first().map(|w| w.basename()) else { return };
    let chpasswd = program == "chpasswd";
    if !chpasswd && program != "passwd" {
        return;
    }
    let what = if chpasswd && rampart_shell::short_flags(&argv[1..]).any(|c| c == 'e') {
        "a password hash fed to `chpasswd`"
    } else if chpasswd {
        "a password fed to `chpasswd`"
    } else {
        "a password fed to `passwd`"
    };
    // The password part of a `user:password` line for chpasswd, the whole line for passwd.
    let password_of = |line: &str| -> Option<Range<usize>> {
        if chpasswd {
            let colon = line.find(':')?;
            let rest = line[colon + 1..].trim_end();
            (!rest.is_empty()).then(|| colon + 1..colon + 1 + rest.len())
        } else {
            let t = line.trim_end();
            (!t.is_empty()).then_some(0..t.len())
        }
    };
    // Here-strings and heredocs.
    for r in &cmd.redirects {
        if r.op == "<<<"
            && let Some(t) = &r.target
            && literal_word(t)
            && let Some(p) = password_of(&t.value)
        {
            hit(script, t, p, what, hits);
        }
        if let Some(body) = &r.heredoc_body
            && let Some(text) = script.get(body.clone())
            && !text.contains('$')
            && let Some(line) = text.lines().find(|l| !l.trim().is_empty())
            && let Some(p) = password_of(line)
        {
            let line_start = body.start + (line.as_ptr() as usize - text.as_ptr() as usize);
            let range = line_start + p.start..line_start + p.end;
            let secret = line.get(p).unwrap_or(line).to_string();
            hits.push(Hit { range, secret, what: what.to_string() });
        }
    }
    // `echo … | chpasswd`.
    if cmd.pipeline_index == 0 {
        return;
    }
    let Some(producer) =
        commands[..n].iter().rev().find(|c| c.pipeline == cmd.pipeline && c.pipeline_index + 1 == cmd.pipeline_index)
    else {
        return;
    };
    let pargv = rampart_shell::effective_argv(&producer.words);
    if !matches!(pargv.first().map(|w| w.basename()), Some("echo" | "printf")) {
        return;
    }
    let Some(w) = pargv[1..].iter().find(|w| !rampart_shell::is_option(w)) else { return };
    if !literal_word(w) {
        return;
    }
    let first_line = w.value.split("\\n").next().unwrap_or(&w.value);
    let first_line = first_line.split('\n').next().unwrap_or(first_line);
    if let Some(p) = password_of(first_line)
        && !is_placeholder_or_empty(&first_line[p.clone()])
    {
        hit(script, w, p, what, hits);
    }
}

/// How the secret-named build arguments of the final image are used by its `RUN`s.
#[derive(Default)]
struct ArgUse {
    /// (instruction, argument) pairs already reported.
    seen: HashSet<(usize, String)>,
    /// Declarations (by start offset) a later `RUN` sees, and those it expands or mounts.
    followed: HashMap<usize, BuildArg>,
    used: HashSet<usize>,
}

/// A secret-named build argument expanded in a `RUN` of the final image.
fn build_args(
    cx: &DockerfileContext<'_>,
    args: &SecretArgs,
    run: &ShellRun,
    uses: &mut ArgUse,
    out: &mut Vec<Finding>,
) {
    let instr = cx.instruction(run.instruction);
    let mounts = secret_mounts(instr);
    let script = run.script.as_str();
    for arg in args.at(cx, run.instruction) {
        let mounted =
            mounts.iter().any(|m| m.env.as_deref() == Some(arg.name.as_str()) || m.id.eq_ignore_ascii_case(&arg.name));
        let reference = if script.contains('$') { find_var_ref(script, &arg.name) } else { None };
        if mounted || reference.is_some() {
            uses.used.insert(arg.decl.start);
        }
        uses.followed.entry(arg.decl.start).or_insert_with(|| arg.clone());
        let Some(at) = reference.filter(|_| !mounted) else { continue };
        // One finding per argument and instruction (heredoc scripts are separate runs).
        if !uses.seen.insert((run.instruction, arg.name.clone())) {
            continue;
        }
        out.push(
            cx.finding(
                &INFO,
                run.span(at),
                format!("build argument `{}` is used by RUN: its value is recorded in the image history", arg.name),
            )
            .with_label("expands the build argument")
            .with_related(cx.file.clone(), span(&arg.decl), "declared as a build argument here")
            .with_help(secret_help(&arg.name)),
        );
    }
}

fn secret_help(name: &str) -> String {
    let id = name.to_ascii_lowercase();
    format!(
        "pass it as a build secret instead: `RUN --mount=type=secret,id={id},env={name} …` and `docker build --secret id={id},env={name}`"
    )
}

/// Secret-named build arguments that `RUN`s of the final image follow without using them:
/// the builder still writes every build argument in scope into each `RUN`'s history entry.
fn unused_args(cx: &DockerfileContext<'_>, uses: &ArgUse, out: &mut Vec<Finding>) {
    let mut unused: Vec<&BuildArg> =
        uses.followed.iter().filter(|(start, _)| !uses.used.contains(start)).map(|(_, a)| a).collect();
    unused.sort_by_key(|a| a.decl.start);
    let text = cx.file.text();
    for arg in unused {
        // A literal default is DF060's business.
        let decl = text.get(arg.decl.clone()).unwrap_or("");
        if decl.split_once('=').is_some_and(|(_, v)| assess_setting(&arg.name, v).is_some()) {
            continue;
        }
        let name_span = arg.decl.start..arg.decl.start + arg.name.len().min(arg.decl.len());
        out.push(
            cx.finding(
                &INFO,
                name_span,
                format!("build argument `{}` is recorded in the history of every later RUN", arg.name),
            )
            .with_label("a value passed with `--build-arg` is stored in the image history")
            .with_help(secret_help(&arg.name)),
        );
    }
}

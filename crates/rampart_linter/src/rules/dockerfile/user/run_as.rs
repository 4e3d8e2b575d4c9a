//! Choosing the unprivileged user a fix switches the final image to: an account the
//! Dockerfile already makes, or one the fix creates when the base image's family is known,
//! and the copied application files it should own.

use rampart_diagnostics::Edit;
use rampart_dockerfile::{Body, ImageRef, Keyword, StageRef};

use super::accounts::{AccountKind, account, numeric_id, shell_str, shell_value, verbatim_span};
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::facts::is_root_user;
use crate::rules::dockerfile::base::images::official_name;

/// The UID (and GID) a fix gives the application when the Dockerfile names none.
pub(crate) const DEFAULT_ID: u64 = 10001;

/// How a base image's userland creates accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// shadow's `groupadd`/`useradd` (Debian, Ubuntu: the `passwd` package is required).
    Debian,
    /// shadow's `groupadd`/`useradd` (Fedora, CentOS, Rocky, Alma, Oracle Linux full images).
    Rhel,
    /// BusyBox `addgroup`/`adduser` (Alpine, BusyBox).
    BusyBox,
}

/// Language images of the Docker Official Images whose default variants are Debian or
/// Ubuntu (their `-alpine` variants are Alpine).
const DEBIAN_LANGUAGES: &[&str] = &[
    "buildpack-deps",
    "eclipse-temurin",
    "elixir",
    "erlang",
    "gcc",
    "golang",
    "julia",
    "node",
    "perl",
    "php",
    "pypy",
    "python",
    "r-base",
    "ruby",
    "rust",
];

/// The account tools of an official base image, when known. Minimal variants (`-minimal`,
/// Oracle `-slim`) lack shadow-utils, Windows images have no such accounts, and other
/// images (distroless, Chainguard, UBI, vendor images) are not guessed.
pub(crate) fn family(image: &ImageRef) -> Option<Family> {
    let name = official_name(image)?;
    let tag = image.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    if ["windows", "nanoserver", "servercore", "ltsc"].iter().any(|w| tag.contains(w)) {
        return None;
    }
    match name.as_str() {
        "alpine" | "busybox" => Some(Family::BusyBox),
        "debian" | "ubuntu" => Some(Family::Debian),
        "fedora" | "centos" | "rockylinux" | "almalinux" | "oraclelinux"
            if !tag.contains("minimal") && !tag.contains("slim") =>
        {
            Some(Family::Rhel)
        }
        n if DEBIAN_LANGUAGES.contains(&n) => {
            if tag.contains("alpine") {
                Some(Family::BusyBox)
            } else if ["ubi", "oracle", "corretto", "amazon", "windows", "distroless"].iter().any(|w| tag.contains(w)) {
                None
            } else {
                Some(Family::Debian)
            }
        }
        _ => None,
    }
}

/// The `RUN` script creating group and user `name` with `id` in `family`, on two lines
/// joined with the file's escape character.
fn create_script(family: Family, name: &str, id: u64, escape: char) -> String {
    match family {
        Family::Debian | Family::Rhel => format!(
            "groupadd --gid {id} {name} {escape}\n    && useradd --uid {id} --gid {id} --no-log-init --no-create-home --shell /usr/sbin/nologin {name}"
        ),
        Family::BusyBox => {
            format!("addgroup -g {id} {name} {escape}\n    && adduser -D -H -u {id} -G {name} -s /sbin/nologin {name}")
        }
    }
}

/// The user a fix switches to, and what else it changes to get there.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The `USER` value: `10001:10001`, or `1000` when the group comes from `/etc/passwd`.
    pub user: String,
    /// The `--chown` value for application files.
    pub chown: String,
    /// A `RUN` script creating the account (without the keyword).
    pub create: Option<String>,
    /// The account's name, for messages.
    pub name: Option<String>,
    /// Edits to the Dockerfile's own account commands (`useradd app` → `useradd --uid 10001 app`).
    pub edits: Vec<Edit>,
}

/// Whether the stage chain of the final image switches to a non-POSIX shell, or the file uses
/// the Windows escape character: no Unix account can be created (or used).
pub(crate) fn windows(cx: &DockerfileContext<'_>) -> bool {
    if cx.df.escape == '`' {
        return true;
    }
    let tag_or_repo = |r: &ImageRef| {
        let s = format!("{}:{}", r.canonical_repository(), r.tag.as_deref().unwrap_or("")).to_ascii_lowercase();
        ["windows", "nanoserver", "servercore", "ltsc20"].iter().any(|w| s.contains(w))
    };
    if cx.final_chain().next().is_some_and(|s| matches!(&s.base, StageRef::Image(r) if tag_or_repo(r))) {
        return true;
    }
    cx.final_chain().flat_map(|s| s.body()).any(|i| match &cx.instruction(i).body {
        Body::Shell(words) => words.first().is_some_and(|w| {
            let p = w.value.rsplit(['/', '\\']).next().unwrap_or("").to_ascii_lowercase();
            matches!(p.as_str(), "powershell" | "powershell.exe" | "pwsh" | "pwsh.exe" | "cmd" | "cmd.exe")
        }),
        _ => false,
    })
}

/// Decides the user from the facts of the Dockerfile, in order:
/// 1. an earlier numeric non-root `USER` of the final image (`USER 1000` … `USER root`);
/// 2. a user the final image's `RUN`s create with a known UID (`useradd -u 1001 app`): reused;
/// 3. a user they create without a UID (`useradd app`): given `--uid 10001`;
/// 4. none: user `app` (UID and GID 10001) is created when the base image's family is known;
/// 5. otherwise `10001:10001` without an account (a numeric `USER` needs no `/etc/passwd`).
pub(crate) fn plan(cx: &DockerfileContext<'_>) -> Plan {
    let chain: Vec<usize> = cx.final_chain().flat_map(|s| s.body()).collect();
    // 1. An earlier non-root numeric USER.
    let mut earlier_user: Option<String> = None;
    for &i in &chain {
        if let Body::User(word) = &cx.instruction(i).body {
            let e = cx.expand(i, word);
            let v = e.value.trim();
            if e.is_complete() && !v.is_empty() && !is_root_user(v) {
                earlier_user = Some(v.to_string());
            }
        }
    }
    if let Some(user) = &earlier_user {
        let name = user.split(':').next().unwrap_or(user);
        if numeric_id(name).is_some() && user.split(':').nth(1).is_none_or(|g| numeric_id(g).is_some()) {
            return Plan { user: user.clone(), chown: user.clone(), create: None, name: None, edits: Vec::new() };
        }
    }
    // 2. and 3. Accounts the image's RUN steps create.
    let mut users = Vec::new();
    let mut groups: Vec<(String, Option<u64>)> = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for cmd in cx.run_commands() {
        let i = cmd.run.instruction;
        if cmd.run.onbuild || !chain.contains(&i) {
            continue;
        }
        let Some(acc) = account(&cmd) else { continue };
        let Some(name) = shell_value(cx, i, acc.name) else { continue };
        taken.push(name.clone());
        let id = acc.id.as_deref().and_then(|id| shell_str(cx, i, id)).and_then(|id| numeric_id(&id));
        match acc.kind {
            AccountKind::Group => groups.push((name, id)),
            AccountKind::User => users.push((cmd, acc, name, id)),
        }
    }
    // Prefer the account an earlier `USER name` ran as; else the last one created.
    let wanted = earlier_user.as_deref().map(|u| u.split(':').next().unwrap_or(u).to_string());
    let chosen =
        users.iter().rev().find(|(_, _, name, _)| wanted.as_deref() == Some(name.as_str())).or_else(|| users.last());
    if let Some((cmd, acc, name, id)) = chosen {
        match (id, acc.id.is_some()) {
            (Some(uid), _) if *uid != 0 => {
                let gid = group_of(cx, cmd, name, &groups);
                // A UID from a build argument stays one: `USER ${APP_UID}`.
                let last = cx.final_stage().map_or(0, |s| s.end.saturating_sub(1));
                let same_at_user = |raw: &str| {
                    let e = cx.scopes.at(last).expand(raw, cx.df.escape);
                    e.is_complete() && e.value == uid.to_string()
                };
                let written = match acc.id.as_deref() {
                    Some(raw) if raw.contains('$') && !raw.contains(['"', '\'', '`', ' ']) && same_at_user(raw) => {
                        raw.to_string()
                    }
                    _ => uid.to_string(),
                };
                let user = gid.map_or(written.clone(), |g| format!("{written}:{g}"));
                return Plan { chown: user.clone(), user, create: None, name: Some(name.clone()), edits: Vec::new() };
            }
            (None, false) => {
                // `useradd app`: give it the UID the image will run as.
                let program = cmd.argv.first();
                let option = match (cmd.program(), final_family(cx)) {
                    ("useradd", _) => Some("--uid"),
                    ("adduser", Some(Family::BusyBox)) => Some("-u"),
                    ("adduser", Some(Family::Debian)) => Some("--uid"),
                    _ => None,
                };
                if let (Some(program), Some(option)) = (program, option)
                    && let Some(span) = verbatim_span(cx, cmd.run, program)
                {
                    let user = DEFAULT_ID.to_string();
                    return Plan {
                        chown: user.clone(),
                        user,
                        create: None,
                        name: Some(name.clone()),
                        edits: vec![Edit::insert(span.end, format!(" {option} {DEFAULT_ID}"))],
                    };
                }
            }
            _ => {}
        }
        // A UID from an unknown build argument, or UID 0: not guessed; run as a fresh UID.
        let user = format!("{DEFAULT_ID}:{DEFAULT_ID}");
        return Plan { chown: user.clone(), user, create: None, name: None, edits: Vec::new() };
    }
    // 4. and 5.
    let user = format!("{DEFAULT_ID}:{DEFAULT_ID}");
    let name = ["app", "appuser", "app10001"].into_iter().find(|n| !taken.iter().any(|t| t == n)).unwrap_or("app10001");
    let create = final_family(cx).map(|f| create_script(f, name, DEFAULT_ID, cx.df.escape));
    Plan { chown: user.clone(), user, name: create.as_ref().map(|_| name.to_string()), create, edits: Vec::new() }
}

/// The family of the image at the root of the final stage chain.
fn final_family(cx: &DockerfileContext<'_>) -> Option<Family> {
    match &cx.final_chain().next()?.base {
        StageRef::Image(r) => family(r),
        _ => None,
    }
}

/// The numeric GID of the user created by `cmd`: its `-g`/`--gid` (`-G` for BusyBox
/// `adduser`) when numeric or the name of a group created with a GID, else a group of the
/// user's own name created with a GID.
fn group_of(
    cx: &DockerfileContext<'_>,
    cmd: &crate::dockerfile::Cmd<'_>,
    name: &str,
    groups: &[(String, Option<u64>)],
) -> Option<u64> {
    let i = cmd.run.instruction;
    let args = cmd.args();
    let value_of = |names: &[&str]| -> Option<String> {
        let mut found = None;
        let mut k = 0;
        while k < args.len() {
            let v = args[k].value.as_str();
            if names.contains(&v) {
                found = args.get(k + 1).and_then(|w| shell_value(cx, i, w));
                k += 1;
            } else if let Some(rest) = names.iter().find_map(|n| v.strip_prefix(&format!("{n}="))) {
                found = shell_str(cx, i, rest);
            }
            k += 1;
        }
        found
    };
    let group = match cmd.program() {
        "useradd" => value_of(&["-g", "--gid"]),
        "adduser" => value_of(&["-G", "--gid", "--ingroup"]),
        _ => None,
    };
    let lookup = |g: &str| groups.iter().rev().find(|(n, _)| n == g).and_then(|(_, id)| *id);
    match group {
        Some(g) => numeric_id(&g).or_else(|| lookup(&g)),
        None => lookup(name),
    }
}

/// Top-level directories whose files must stay root's: programs, libraries, configuration.
const SYSTEM_DIRS: &[&str] =
    &["bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "root", "run", "sbin", "sys", "usr"];

/// Whether files copied to `dest` (absolute) are the application's own, not the system's.
pub(crate) fn application_dir(dest: &str) -> bool {
    let mut parts = dest.split('/').filter(|p| !p.is_empty() && *p != ".");
    match parts.next() {
        None => false,
        Some(first) => !SYSTEM_DIRS.contains(&first) && !first.contains("..") && !dest.contains("/../"),
    }
}

/// The absolute directory a relative path of instruction `at` resolves against, from the
/// final image's `WORKDIR`s before it; `None` when unknown (no `WORKDIR`: the base image's).
fn workdir_at(cx: &DockerfileContext<'_>, chain: &[usize], at: usize) -> Option<String> {
    let mut wd: Option<String> = None;
    for &j in chain.iter().filter(|&&j| j < at) {
        let Body::Workdir(word) = &cx.instruction(j).body else { continue };
        let e = cx.expand(j, word);
        let v = e.value.trim();
        if !e.is_complete() || v.is_empty() {
            wd = None;
        } else if v.starts_with('/') {
            wd = Some(v.to_string());
        } else {
            wd = wd.map(|base| format!("{}/{}", base.trim_end_matches('/'), v.trim_start_matches("./")));
        }
    }
    wd
}

/// Insertions of `--chown=<chown>` into the final image's `COPY`/`ADD` instructions that put
/// application files outside the system directories and do not choose an owner already.
pub(crate) fn chown_edits(cx: &DockerfileContext<'_>, chown: &str) -> Vec<Edit> {
    let chain: Vec<usize> = cx.final_chain().flat_map(|s| s.body()).collect();
    let mut edits = Vec::new();
    for &i in &chain {
        let instr = cx.instruction(i);
        let (Body::Copy(copy) | Body::Add(copy)) = &instr.body else { continue };
        if !matches!(instr.keyword, Keyword::Copy | Keyword::Add) || instr.flag("chown").is_some() {
            continue;
        }
        // A misspelt flag (`--chmown`) is the user's to correct first.
        if instr.flags.iter().any(|f| !instr.keyword.allowed_flags().contains(&f.name.as_str())) {
            continue;
        }
        let Some(dest) = &copy.dest else { continue };
        let e = cx.expand(i, dest);
        let d = e.value.trim();
        if !e.is_complete() || d.is_empty() {
            continue;
        }
        let absolute = if d.starts_with('/') {
            d.to_string()
        } else {
            match workdir_at(cx, &chain, i) {
                Some(wd) => format!("{}/{}", wd.trim_end_matches('/'), d),
                None => continue,
            }
        };
        if application_dir(&absolute) {
            let end = instr.keyword_span.end;
            edits.push(Edit::insert(end, format!(" --chown={chown}")));
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn families() {
        assert_eq!(family(&r("debian:12-slim")), Some(Family::Debian));
        assert_eq!(family(&r("python:3.12-slim")), Some(Family::Debian));
        assert_eq!(family(&r("node:20-alpine")), Some(Family::BusyBox));
        assert_eq!(family(&r("alpine:3.20")), Some(Family::BusyBox));
        assert_eq!(family(&r("rockylinux:9")), Some(Family::Rhel));
        assert_eq!(family(&r("rockylinux:9-minimal")), None);
        assert_eq!(family(&r("eclipse-temurin:21-ubi9-minimal")), None);
        assert_eq!(family(&r("golang:1.23-windowsservercore-ltsc2022")), None);
        assert_eq!(family(&r("gcr.io/distroless/static-debian12")), None);
        assert_eq!(family(&r("nginx:1.27")), None);
    }

    #[test]
    fn application_dirs() {
        for app in ["/app", "/srv/www/", "/opt/tool", "/home/app/data", "/var/www/html", "/data"] {
            assert!(application_dir(app), "{app}");
        }
        for sys in ["/", "/usr/local/bin/app", "/etc/nginx/conf.d/", "/bin", "/lib64/x", "/root/.ssh", "/app/../etc"] {
            assert!(!application_dir(sys), "{sys}");
        }
    }
}

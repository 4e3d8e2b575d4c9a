//! Package-manager commands in `RUN` scripts, read the way each manager reads its argv:
//! which action (`install`, `update`, `clean`, …), which options, which package arguments.

use rampart_shell::Word;

use super::{Cmd, DockerfileContext};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Manager {
    AptGet,
    Apt,
    Aptitude,
    Apk,
    Yum,
    Dnf,
    Microdnf,
    Tdnf,
    Zypper,
    Pip,
    Npm,
    Yarn,
    Pnpm,
    Gem,
    Go,
}

impl Manager {
    pub fn is_os(self) -> bool {
        matches!(
            self,
            Manager::AptGet
                | Manager::Apt
                | Manager::Aptitude
                | Manager::Apk
                | Manager::Yum
                | Manager::Dnf
                | Manager::Microdnf
                | Manager::Tdnf
                | Manager::Zypper
        )
    }

    pub fn is_apt(self) -> bool {
        matches!(self, Manager::AptGet | Manager::Apt | Manager::Aptitude)
    }

    pub fn is_rpm(self) -> bool {
        matches!(self, Manager::Yum | Manager::Dnf | Manager::Microdnf | Manager::Tdnf)
    }

    /// Options that take the next word as their value (so it is not a package).
    fn options_with_value(self) -> &'static [&'static str] {
        match self {
            Manager::AptGet | Manager::Apt | Manager::Aptitude => &[
                "-o",
                "--option",
                "-t",
                "--target-release",
                "--default-release",
                "-c",
                "--config-file",
                "-a",
                "--host-architecture",
            ],
            Manager::Apk => &[
                "-t",
                "--virtual",
                "-X",
                "--repository",
                "-p",
                "--root",
                "--arch",
                "--cache-dir",
                "--keys-dir",
                "--repositories-file",
            ],
            Manager::Yum | Manager::Dnf | Manager::Microdnf | Manager::Tdnf => &[
                "-c",
                "--config",
                "--installroot",
                "--releasever",
                "-x",
                "--exclude",
                "--repo",
                "--repoid",
                "--enablerepo",
                "--disablerepo",
                "--setopt",
                "-d",
                "--debuglevel",
                "-e",
                "--errorlevel",
                "--forcearch",
            ],
            Manager::Zypper => &[
                "-r",
                "--repo",
                "-t",
                "--type",
                "--root",
                "-R",
                "--from",
                "-p",
                "--plus-repo",
                "--config",
                "--download",
                "--reposd-dir",
                "--cache-dir",
            ],
            Manager::Pip => &[
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
                "-t",
                "--target",
                "--prefix",
                "--root",
                "--trusted-host",
                "--src",
                "--upgrade-strategy",
                "--platform",
                "--python-version",
                "--implementation",
                "--abi",
                "--progress-bar",
                "--cache-dir",
                "--log",
                "--proxy",
                "--retries",
                "--timeout",
                "--exists-action",
                "--cert",
                "--client-cert",
                "-e",
                "--editable",
                "-C",
                "--config-settings",
                "--global-option",
                "--install-option",
                "--no-binary",
                "--only-binary",
                "--python",
                "--report",
                "--root-user-action",
                "--use-feature",
                "--use-deprecated",
                "--keyring-provider",
                "--group",
            ],
            Manager::Npm | Manager::Pnpm => &[
                "--prefix",
                "--registry",
                "--cache",
                "--tag",
                "-w",
                "--workspace",
                "--userconfig",
                "--loglevel",
                "--omit",
                "--include",
                "--only",
                "--install-strategy",
                "-C",
                "--dir",
                "--filter",
                "-F",
            ],
            Manager::Yarn => &["--cwd", "--registry", "--cache-folder", "--modules-folder", "--network-timeout"],
            Manager::Gem => &[
                "-v",
                "--version",
                "-i",
                "--install-dir",
                "-n",
                "--bindir",
                "--source",
                "-s",
                "-p",
                "--http-proxy",
                "--platform",
                "-g",
                "--file",
                "-P",
                "--trust-policy",
            ],
            Manager::Go => &[
                "-o",
                "-p",
                "-mod",
                "-modfile",
                "-tags",
                "-ldflags",
                "-gcflags",
                "-C",
                "-asmflags",
                "-buildmode",
                "-compiler",
                "-gccgoflags",
                "-installsuffix",
                "-overlay",
                "-pgo",
                "-pkgdir",
                "-toolexec",
            ],
        }
    }
}

/// What a package-manager command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Install,
    Remove,
    /// Refreshes the package index (`apt-get update`, `apk update`).
    Update,
    /// Upgrades installed packages (`apt-get upgrade`, `yum update` without arguments).
    Upgrade,
    /// Upgrades across releases or with dependency changes (`dist-upgrade`, `full-upgrade`, `dup`).
    DistUpgrade,
    Clean,
    Other,
}

/// A package-manager command.
#[derive(Clone, Debug)]
pub struct PackageCommand<'a> {
    pub manager: Manager,
    pub cmd: Cmd<'a>,
    pub action: Action,
    /// The word naming the action (`install`).
    pub action_word: Option<&'a Word>,
    /// Arguments of the manager (after `-m pip` for `python -m pip`).
    pub args: &'a [Word],
    /// Package arguments of an install or remove.
    pub packages: Vec<&'a Word>,
}

impl<'a> PackageCommand<'a> {
    /// Whether an option (exact, or `--opt=value`) is present.
    pub fn has_option(&self, names: &[&str]) -> bool {
        self.args.iter().take_while(|w| w.value != "--").any(|w| {
            let v = w.value.as_str();
            names.iter().any(|n| v == *n || (n.starts_with("--") && v.starts_with(n) && v[n.len()..].starts_with('=')))
        })
    }

    pub fn has_short_flag(&self, c: char) -> bool {
        rampart_shell::short_flags(self.args).any(|f| f == c)
    }
}

fn manager_of(argv: &[Word]) -> Option<(Manager, &[Word])> {
    let first = argv.first()?;
    let name = first.basename();
    let rest = argv.get(1..).unwrap_or(&[]);
    let m = match name {
        "apt-get" => Manager::AptGet,
        "apt" => Manager::Apt,
        "aptitude" => Manager::Aptitude,
        "apk" => Manager::Apk,
        "yum" => Manager::Yum,
        "dnf" | "dnf5" | "dnf-3" => Manager::Dnf,
        "microdnf" => Manager::Microdnf,
        "tdnf" => Manager::Tdnf,
        "zypper" => Manager::Zypper,
        "npm" => Manager::Npm,
        "yarn" | "yarnpkg" => Manager::Yarn,
        "pnpm" => Manager::Pnpm,
        "gem" => Manager::Gem,
        "go" => Manager::Go,
        n if n == "pip" || is_versioned(n, "pip") => Manager::Pip,
        n if n == "python" || is_versioned(n, "python") => {
            // python -m pip install …
            let mut i = 0;
            while i < rest.len() {
                let v = rest[i].value.as_str();
                if v == "-m" {
                    return match rest.get(i + 1) {
                        Some(w) if w.value == "pip" || is_versioned(&w.value, "pip") => {
                            Some((Manager::Pip, rest.get(i + 2..).unwrap_or(&[])))
                        }
                        _ => None,
                    };
                }
                if !v.starts_with('-') {
                    return None;
                }
                i += 1;
            }
            return None;
        }
        _ => return None,
    };
    Some((m, rest))
}

/// `pip3`, `pip3.12`, `python3.11`.
fn is_versioned(name: &str, base: &str) -> bool {
    name.strip_prefix(base).is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn action_of(manager: Manager, word: &str, has_packages: bool) -> Action {
    use Action::*;
    match manager {
        Manager::AptGet | Manager::Apt | Manager::Aptitude => match word {
            "install" | "reinstall" => Install,
            "remove" | "purge" | "autoremove" => Remove,
            "update" => Update,
            "upgrade" | "safe-upgrade" => Upgrade,
            "dist-upgrade" | "full-upgrade" => DistUpgrade,
            "clean" | "autoclean" => Clean,
            _ => Other,
        },
        Manager::Apk => match word {
            "add" => Install,
            "del" => Remove,
            "update" => Update,
            "upgrade" => Upgrade,
            "cache" => Clean,
            _ => Other,
        },
        Manager::Yum | Manager::Dnf | Manager::Microdnf | Manager::Tdnf => match word {
            "install" | "reinstall" | "localinstall" | "groupinstall" | "in" => Install,
            "remove" | "erase" | "autoremove" | "rm" => Remove,
            "makecache" => Update,
            "update" | "upgrade" | "up" if !has_packages => Upgrade,
            "update" | "upgrade" | "up" => Install,
            "distro-sync" | "distribution-synchronization" | "dsync" => DistUpgrade,
            "clean" => Clean,
            _ => Other,
        },
        Manager::Zypper => match word {
            "install" | "in" => Install,
            "remove" | "rm" => Remove,
            "refresh" | "ref" => Update,
            "update" | "up" | "patch" => Upgrade,
            "dist-upgrade" | "dup" => DistUpgrade,
            "clean" | "cc" => Clean,
            _ => Other,
        },
        Manager::Pip => match word {
            "install" => Install,
            "uninstall" => Remove,
            _ => Other,
        },
        Manager::Npm | Manager::Pnpm => match word {
            "install" | "i" | "add" | "in" | "isntall" | "ci" => Install,
            "uninstall" | "remove" | "rm" | "un" | "unlink" | "r" => Remove,
            "cache" => Clean,
            _ => Other,
        },
        Manager::Yarn => match word {
            "add" | "install" => Install,
            "remove" => Remove,
            "cache" => Clean,
            _ => Other,
        },
        Manager::Gem => match word {
            "install" | "i" => Install,
            "uninstall" => Remove,
            "cleanup" => Clean,
            _ => Other,
        },
        Manager::Go => match word {
            "install" | "get" => Install,
            "clean" => Clean,
            _ => Other,
        },
    }
}

/// Reads one command as a package-manager command.
pub fn classify<'a>(cmd: Cmd<'a>) -> Option<PackageCommand<'a>> {
    let (manager, args) = manager_of(cmd.argv)?;
    let with_value = manager.options_with_value();
    // Find the action word, skipping options and their values.
    let mut i = 0;
    let mut action_index = None;
    while i < args.len() {
        let v = args[i].value.as_str();
        if v == "--" {
            i += 1;
            continue;
        }
        if v.starts_with('-') && v.len() > 1 {
            // Before zypper's subcommand `-t` is the global `--terse`, which takes no value.
            let takes_value = with_value.contains(&v) && !(manager == Manager::Zypper && v == "-t");
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        action_index = Some(i);
        break;
    }
    // `yarn global add x`
    if manager == Manager::Yarn
        && let Some(ai) = action_index
        && args[ai].value == "global"
    {
        action_index =
            args.get(ai + 1..).and_then(|r| r.iter().position(|w| !w.value.starts_with('-'))).map(|p| ai + 1 + p);
    }
    let mut packages = Vec::new();
    if let Some(ai) = action_index {
        let mut j = ai + 1;
        while j < args.len() {
            let v = args[j].value.as_str();
            if v.starts_with('-') && v.len() > 1 {
                j += if with_value.contains(&v) { 2 } else { 1 };
                continue;
            }
            packages.push(&args[j]);
            j += 1;
        }
    }
    let action_word = action_index.map(|i| &args[i]);
    let action = match action_word {
        Some(w) => action_of(manager, &w.value, !packages.is_empty()),
        // `yarn` alone installs from the lockfile.
        None if manager == Manager::Yarn => Action::Install,
        None => Action::Other,
    };
    Some(PackageCommand { manager, cmd, action, action_word, args, packages })
}

/// Every package-manager command in `RUN` scripts, in order.
pub fn package_commands<'a>(cx: &'a DockerfileContext<'_>) -> Vec<PackageCommand<'a>> {
    cx.run_commands().filter_map(classify).collect()
}

/// Commands that come after `cmd` in the same script (in reading order: nested commands of
/// a `sh -c` string share one span, so order is taken from the command list, not spans).
pub fn later_in_script<'a>(cmd: &Cmd<'a>) -> impl Iterator<Item = Cmd<'a>> + 'a {
    let run = cmd.run;
    let position = run.parsed.commands.iter().position(|c| std::ptr::eq(c, cmd.command)).unwrap_or(usize::MAX);
    run.parsed.commands.iter().skip(position.saturating_add(1)).map(move |command| Cmd {
        run,
        command,
        argv: rampart_shell::effective_argv(&command.words),
    })
}

/// The package name without version or release qualifiers, lower-cased:
/// `curl=7.88.1-10` → `curl`, `openssh-server:amd64` → `openssh-server`.
pub fn package_name(manager: Manager, arg: &str) -> String {
    let base = match manager {
        Manager::AptGet | Manager::Apt | Manager::Aptitude => arg.split(['=', '/']).next().unwrap_or(arg),
        Manager::Apk => arg.split(['=', '~', '<', '>']).next().unwrap_or(arg),
        Manager::Zypper => arg.split(['=', '<', '>']).next().unwrap_or(arg),
        _ => arg,
    };
    let base = base.split(':').next().unwrap_or(base);
    base.to_ascii_lowercase()
}

/// Whether a mount flag keeps `path` out of the image layer (`--mount=type=cache` or a tmpfs).
pub fn mounted_as_cache(cx: &DockerfileContext<'_>, instruction: usize, path: &str) -> bool {
    let instr = cx.instruction(instruction);
    // An `ONBUILD RUN --mount=…` carries its flags on the inner instruction.
    let instr = match &instr.body {
        rampart_dockerfile::Body::Onbuild(inner) => inner.as_ref(),
        _ => instr,
    };
    instr.flags_named("mount").any(|m| {
        let kind = m.option("type").unwrap_or_else(|| "bind".to_string());
        let target = m.option("target").or_else(|| m.option("dst")).or_else(|| m.option("destination"));
        (kind == "cache" || kind == "tmpfs")
            && target.is_some_and(|t| {
                let t = t.trim_end_matches('/');
                let p = path.trim_end_matches('/');
                p == t || p.starts_with(&format!("{t}/"))
            })
    })
}

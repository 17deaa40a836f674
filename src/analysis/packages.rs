//! The package-manager model: what a command does with a package manager — install, refresh
//! the index, upgrade, remove, clean a cache — with which packages (and which of them pin a
//! version), and which options. Rules about package managers (pins, `-y`,
//! `--no-install-recommends`, `--no-cache`, caches left in a layer, index refreshes in their own
//! layer, unsigned packages) are queries over [`PackageCommand`].
//!
//! Covered: apt-get, apt, aptitude; apk; yum, dnf, microdnf, tdnf; zypper; pacman; dpkg; rpm;
//! pip, pip3 and `python -m pip`; npm, yarn, pnpm; gem; `go install`/`go get`. Wrappers (`sudo`,
//! `env A=b`, `xargs`, …) are already seen through by the command ([`Command::name`]).

use crate::analysis::command::{Command, Word, basename};
use crate::source::{Edit, Span};

/// A package manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Manager {
    /// apt-get, apt, aptitude.
    Apt,
    Apk,
    Yum,
    /// dnf, microdnf, tdnf.
    Dnf,
    Zypper,
    Pacman,
    Dpkg,
    Rpm,
    /// pip, pip3, `python -m pip`.
    Pip,
    Npm,
    Yarn,
    Pnpm,
    Gem,
    /// `go install`, `go get`.
    Go,
}

impl Manager {
    pub fn as_str(self) -> &'static str {
        match self {
            Manager::Apt => "apt",
            Manager::Apk => "apk",
            Manager::Yum => "yum",
            Manager::Dnf => "dnf",
            Manager::Zypper => "zypper",
            Manager::Pacman => "pacman",
            Manager::Dpkg => "dpkg",
            Manager::Rpm => "rpm",
            Manager::Pip => "pip",
            Manager::Npm => "npm",
            Manager::Yarn => "yarn",
            Manager::Pnpm => "pnpm",
            Manager::Gem => "gem",
            Manager::Go => "go",
        }
    }

    /// The manager a command name belongs to (`python`/`python3` only with `-m pip`, which
    /// [`classify`] checks).
    fn of_program(name: &str) -> Option<Manager> {
        Some(match name {
            "apt-get" | "apt" | "aptitude" => Manager::Apt,
            "apk" => Manager::Apk,
            "yum" => Manager::Yum,
            "dnf" | "microdnf" | "tdnf" => Manager::Dnf,
            "zypper" => Manager::Zypper,
            "pacman" => Manager::Pacman,
            "dpkg" => Manager::Dpkg,
            "rpm" => Manager::Rpm,
            "npm" => Manager::Npm,
            "yarn" => Manager::Yarn,
            "pnpm" => Manager::Pnpm,
            "gem" => Manager::Gem,
            "go" => Manager::Go,
            _ if is_pip(name) => Manager::Pip,
            _ => return None,
        })
    }

    /// Options of this manager that take the next word as their value (so that the value is
    /// not read as a subcommand or a package).
    fn value_options(self) -> &'static [&'static str] {
        match self {
            Manager::Apt => &[
                "-o",
                "-c",
                "-t",
                "--option",
                "--config-file",
                "--target-release",
                "--default-release",
            ],
            Manager::Apk => &[
                "-X",
                "--repository",
                "-p",
                "--root",
                "--arch",
                "--cache-dir",
                "-t",
                "--virtual",
                "--repositories-file",
                "--keys-dir",
            ],
            Manager::Yum | Manager::Dnf => &[
                "-c",
                "--config",
                "--installroot",
                "--releasever",
                "-d",
                "-e",
                "-x",
                "--exclude",
                "--enablerepo",
                "--disablerepo",
                "--repo",
                "--repoid",
                "--setopt",
                "--downloaddir",
                "--destdir",
                "--forcearch",
            ],
            Manager::Zypper => &[
                "-c",
                "--config",
                "-R",
                "--root",
                "--reposd-dir",
                "-r",
                "--repo",
            ],
            Manager::Pacman => &["--root", "-r", "--dbpath", "-b", "--cachedir", "--config"],
            Manager::Dpkg | Manager::Rpm => &["--root", "--dbpath", "--admindir", "--instdir"],
            Manager::Pip => &[
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-e",
                "--editable",
                "-i",
                "--index-url",
                "--extra-index-url",
                "--trusted-host",
                "-f",
                "--find-links",
                "-t",
                "--target",
                "--prefix",
                "--root",
                "--platform",
                "--python-version",
                "--implementation",
                "--abi",
                "--src",
                "--cache-dir",
                "--log",
                "--proxy",
                "--retries",
                "--timeout",
                "--cert",
                "--client-cert",
                "--upgrade-strategy",
                "--progress-bar",
                "--only-binary",
                "--no-binary",
                "--config-settings",
                "-C",
                "--global-option",
            ],
            Manager::Npm | Manager::Pnpm => &[
                "--registry",
                "--cache",
                "--prefix",
                "-C",
                "--dir",
                "--userconfig",
                "--loglevel",
                "--filter",
                "-F",
                "--workspace",
                "-w",
                "--tag",
            ],
            Manager::Yarn => &[
                "--registry",
                "--cache-folder",
                "--modules-folder",
                "--cwd",
                "--network-timeout",
                "--mutex",
                "--global-folder",
            ],
            Manager::Gem => &[
                "-v",
                "--version",
                "-i",
                "--install-dir",
                "-n",
                "--bindir",
                "-s",
                "--source",
                "--platform",
                "-P",
                "--trust-policy",
            ],
            Manager::Go => &[
                "-o", "-C", "-modfile", "-tags", "-ldflags", "-gcflags", "-p",
            ],
        }
    }
}

/// `pip`, `pip3`, `pip3.12`.
fn is_pip(name: &str) -> bool {
    name.strip_prefix("pip")
        .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// `python`, `python3`, `python3.12`.
fn is_python(name: &str) -> bool {
    name.strip_prefix("python")
        .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// What a package-manager command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Installs packages (`apt-get install`, `apk add`, `pip install`, `npm ci`).
    Install,
    /// Refreshes the package index (`apt-get update`, `apk update`, `yum makecache`,
    /// `zypper refresh`).
    Update,
    /// Upgrades what is installed (`apt-get upgrade`/`dist-upgrade`, `apk upgrade`,
    /// `yum update`/`upgrade`, `pacman -Syu`).
    Upgrade,
    /// Removes packages.
    Remove,
    /// Cleans the package cache or index (`apt-get clean`, `yum clean all`, `apk cache clean`,
    /// `npm cache clean`, `rm -rf /var/lib/apt/lists/*`).
    Clean,
    /// Anything else the manager does (`apt-cache`, `pip download`, `npm run`).
    Other,
}

/// One package named on an install (or remove) command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Package<'c> {
    /// The word as written.
    pub word: &'c Word<'c>,
    /// The package name (`curl`, `requests`, `@types/node`).
    pub name: &'c str,
    /// The version constraint as written after the name (`=7.88.1-10`, `==2.31.0`, `@1.2.3`,
    /// `>=1.0`), or `None`.
    pub version: Option<&'c str>,
    /// The version is exact (`=`, `==`, `@1.2.3`, `-v 1.2`, `name-1.2` for rpm managers), not a
    /// range or a moving tag (`@latest`).
    pub exact: bool,
}

impl Package<'_> {
    /// Whether the package pins a version: exactly, or through a variable the build supplies
    /// (`curl=${CURL_VERSION}`), which is a pin the file cannot see.
    pub fn is_pinned(&self) -> bool {
        self.exact || self.version.is_some_and(|v| v.contains('$'))
    }

    /// Whether the word is a variable, a file, a directory or a URL rather than a package name
    /// (`$PKGS`, `./app.deb`, `.`, `git+https://…`): not a package a pin could apply to.
    pub fn is_not_a_name(&self) -> bool {
        let w = self.word.as_str();
        self.word.has_expansion && self.name.contains('$')
            || w.starts_with('.')
            || w.starts_with('/')
            || w.starts_with('~')
            || w.contains("://")
            || w.starts_with("git+")
            || w.starts_with("file:")
            || [
                ".deb", ".rpm", ".apk", ".whl", ".tar.gz", ".tgz", ".zip", ".gem",
            ]
            .iter()
            .any(|ext| w.ends_with(ext))
    }
}

/// A command that runs a package manager.
#[derive(Clone, Debug)]
pub struct PackageCommand<'c> {
    pub command: &'c Command<'c>,
    pub manager: Manager,
    pub action: Action,
    /// The subcommand word (`install` in `apt-get -y install curl`), for managers with
    /// subcommands; for pacman, dpkg and rpm the operation flag (`-S`, `-i`).
    pub subcommand: Option<&'c Word<'c>>,
    /// The packages named, for installs and removals (empty when it installs from a manifest:
    /// `npm ci`, `pip install -r requirements.txt`).
    pub packages: Vec<Package<'c>>,
}

impl<'c> PackageCommand<'c> {
    /// Whether `flag` is given (`-y` also in a cluster such as `-qy`; `--yes` also as
    /// `--yes=…`).
    pub fn has_flag(&self, flag: &str) -> bool {
        self.command.has_flag(flag)
    }

    pub fn has_any_flag(&self, flags: &[&str]) -> bool {
        self.command.has_any_flag(flags)
    }

    /// The value of an option that takes one (`-o Dpkg::Options=…`, `--virtual .deps`).
    pub fn flag_value(&self, flag: &str) -> Option<crate::syntax::shell::FlagValue<'_>> {
        self.command.flag_value(flag)
    }

    /// Whether it installs or upgrades packages, filling the package cache.
    pub fn installs(&self) -> bool {
        matches!(self.action, Action::Install | Action::Upgrade)
    }

    /// The span from the program's name to its subcommand (`apt-get dist-upgrade`,
    /// `zypper --non-interactive dup`), for findings about what the subcommand does.
    pub fn name_to_subcommand(&self) -> Option<Span> {
        let sub = self.subcommand?;
        Some(
            self.command
                .name_word()
                .map_or(sub.span, |w| w.span.cover(sub.span)),
        )
    }

    /// Whether it upgrades the whole distribution, replacing or removing packages as the new
    /// release needs: `apt-get dist-upgrade`/`full-upgrade`, `zypper dist-upgrade`/`dup`,
    /// `dnf distro-sync`/`system-upgrade`.
    pub fn is_distribution_upgrade(&self) -> bool {
        let sub = self.subcommand.map_or("", |w| w.as_str());
        match self.manager {
            Manager::Apt => matches!(sub, "dist-upgrade" | "full-upgrade"),
            Manager::Zypper => matches!(sub, "dist-upgrade" | "dup"),
            Manager::Yum | Manager::Dnf => matches!(sub, "distro-sync" | "system-upgrade"),
            _ => false,
        }
    }

    /// Whether it upgrades every installed package of a system package manager (apt, apk,
    /// yum, dnf, zypper) rather than the packages it names: `apt-get upgrade`, `apk upgrade`,
    /// `dnf update`, `zypper patch`; distribution upgrades included.
    pub fn upgrades_everything(&self) -> bool {
        let system = matches!(
            self.manager,
            Manager::Apt | Manager::Apk | Manager::Yum | Manager::Dnf | Manager::Zypper
        );
        system
            && (self.is_distribution_upgrade()
                || (self.action == Action::Upgrade && self.packages.is_empty()))
    }

    /// Whether it installs, upgrades or removes without any of `yes_flags`: the manager then
    /// asks for a confirmation, which no one gives in a build.
    pub fn prompts(&self, yes_flags: &[&str]) -> bool {
        matches!(
            self.action,
            Action::Install | Action::Upgrade | Action::Remove
        ) && !self.has_any_flag(yes_flags)
    }

    /// The packages an install names without pinning a version: not pinned exactly or through
    /// a variable, and not a file, URL or variable standing for packages.
    pub fn unpinned(&self) -> impl Iterator<Item = &Package<'c>> {
        let install = self.action == Action::Install;
        self.packages
            .iter()
            .filter(move |p| install && !p.is_pinned() && !p.is_not_a_name())
    }

    /// An edit adding `flag` right after the subcommand word (`pip install` → `pip install
    /// --no-cache-dir`), when that word is written plainly in `text` (so its span is exact:
    /// not quoted, escaped or rebuilt from an `sh -c` string with escapes).
    pub fn insert_after_subcommand(&self, text: &str, flag: &str) -> Option<Edit> {
        let sub = self.subcommand?;
        (sub.is_literal() && sub.span.text(text) == sub.as_str())
            .then(|| Edit::insert(sub.span.end as usize, format!(" {flag}")))
    }

    /// The operation as the layer rules group it, for the index-based system managers (apt,
    /// apk, yum, dnf, zypper); `None` otherwise.
    pub fn op(&self) -> Option<PkgOp> {
        op_of(self.manager, self.action)
    }
}

/// What a command does to a system package manager's index and cache, as the layer rules see
/// it: refreshing the index, filling the cache (installs and upgrades), cleaning it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PkgOp {
    Update(Manager),
    Install(Manager),
    Cleanup(Manager),
}

impl PkgOp {
    pub fn manager(self) -> Manager {
        match self {
            PkgOp::Update(m) | PkgOp::Install(m) | PkgOp::Cleanup(m) => m,
        }
    }
}

fn op_of(manager: Manager, action: Action) -> Option<PkgOp> {
    if !matches!(
        manager,
        Manager::Apt | Manager::Apk | Manager::Yum | Manager::Dnf | Manager::Zypper
    ) {
        return None;
    }
    match action {
        Action::Update => Some(PkgOp::Update(manager)),
        Action::Install | Action::Upgrade => Some(PkgOp::Install(manager)),
        Action::Clean => Some(PkgOp::Cleanup(manager)),
        Action::Remove | Action::Other => None,
    }
}

/// The layer rules' view of a command: [`PackageCommand::op`], or an `rm` of a system
/// manager's index or cache directory.
pub fn op(cmd: &Command<'_>) -> Option<PkgOp> {
    if cmd.is("rm") {
        return cache_removal(cmd).map(PkgOp::Cleanup);
    }
    let head = head(cmd)?;
    op_of(head.manager, head.action)
}

/// Reads a command as a package-manager command, if it is one.
pub fn classify<'c>(cmd: &'c Command<'c>) -> Option<PackageCommand<'c>> {
    let Head {
        manager,
        action,
        subcommand,
        rest,
    } = head(cmd)?;
    let sub = subcommand.map(|w| w.as_str()).unwrap_or("");
    let mut packages = Vec::new();
    if matches!(action, Action::Install | Action::Remove | Action::Upgrade) {
        let rest = match (manager, sub) {
            // `yarn global add x`, `go mod download` and the like: skip the second word.
            (Manager::Yarn, "global") => skip_operand(rest, manager.value_options()),
            _ => rest,
        };
        for word in operands(rest, manager.value_options()) {
            packages.push(package(manager, word));
        }
        if manager == Manager::Gem
            && let Some(v) = cmd.flag_value("-v").or_else(|| cmd.flag_value("--version"))
            && let [one] = packages.as_mut_slice()
        {
            // `gem install rails -v 7.1.3` pins the one gem it names.
            one.exact = !v.value.contains(['<', '>', '~', '*']);
        }
    }
    Some(PackageCommand {
        command: cmd,
        manager,
        action,
        subcommand,
        packages,
    })
}

/// What [`classify`] reads before the packages: enough for [`op`] and the clean-up checks,
/// which ask on every command and need no package list.
pub struct Head<'c> {
    pub manager: Manager,
    pub action: Action,
    pub subcommand: Option<&'c Word<'c>>,
    /// The words after the subcommand.
    rest: &'c [Word<'c>],
}

/// [`classify`] without the packages (see [`Head`]).
pub fn head<'c>(cmd: &'c Command<'c>) -> Option<Head<'c>> {
    let name_word = cmd.name_word()?;
    if name_word.has_expansion {
        return None;
    }
    let name = basename(name_word.as_str());
    let mut args: &'c [Word<'c>] = cmd.args();
    let manager = if is_python(name) {
        // `python3 -m pip install …`: the words after `pip` are pip's.
        let at = args
            .windows(2)
            .position(|w| w[0].is("-m") && is_pip(w[1].as_str()))?;
        args = args.get(at + 2..).unwrap_or(&[]);
        Manager::Pip
    } else {
        Manager::of_program(name)?
    };
    let (subcommand, rest) = match manager {
        Manager::Pacman | Manager::Dpkg | Manager::Rpm => operation_flag(manager, args),
        _ => subcommand(args, manager.value_options()),
    };
    let sub = subcommand.map(|w| w.as_str()).unwrap_or("");
    let action = action(manager, sub, args, cmd);
    Some(Head {
        manager,
        action,
        subcommand,
        rest,
    })
}

/// The first operand after the options, and the words after it.
fn subcommand<'c>(
    args: &'c [Word<'c>],
    value_options: &[&str],
) -> (Option<&'c Word<'c>>, &'c [Word<'c>]) {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let v = w.as_str();
        if value_options.contains(&v) {
            i += 2;
        } else if v.starts_with('-') && v.len() > 1 {
            i += 1;
        } else {
            return (Some(w), args.get(i + 1..).unwrap_or(&[]));
        }
    }
    (None, &[])
}

/// pacman, dpkg and rpm say what to do with an option (`-S`, `-Syu`, `-i`, `--install`).
fn operation_flag<'c>(
    manager: Manager,
    args: &'c [Word<'c>],
) -> (Option<&'c Word<'c>>, &'c [Word<'c>]) {
    let is_op = |v: &str| match manager {
        Manager::Pacman => {
            v.len() > 1
                && v.starts_with('-')
                && !v.starts_with("--")
                && v[1..].starts_with(['S', 'U', 'R', 'Q', 'D', 'F', 'T'])
        }
        Manager::Dpkg => matches!(
            v,
            "-i" | "--install" | "-r" | "--remove" | "-P" | "--purge" | "--unpack"
        ),
        _ => {
            v.len() > 1
                && v.starts_with('-')
                && !v.starts_with("--")
                && v[1..].starts_with(['i', 'U', 'F', 'e'])
                || matches!(v, "--install" | "--upgrade" | "--freshen" | "--erase")
        }
    };
    match args.iter().position(|w| is_op(w.as_str())) {
        Some(i) => (args.get(i), args.get(i + 1..).unwrap_or(&[])),
        None => (None, args),
    }
}

fn action(manager: Manager, sub: &str, args: &[Word<'_>], cmd: &Command<'_>) -> Action {
    let has = |w: &str| args.iter().any(|a| a.is(w));
    match manager {
        Manager::Apt => match sub {
            "install" | "build-dep" | "reinstall" => Action::Install,
            "update" => Action::Update,
            "upgrade" | "dist-upgrade" | "full-upgrade" | "safe-upgrade" => Action::Upgrade,
            "remove" | "purge" | "autoremove" => Action::Remove,
            "clean" | "autoclean" | "dist-clean" => Action::Clean,
            _ => Action::Other,
        },
        Manager::Apk => match sub {
            "add" => Action::Install,
            "update" => Action::Update,
            "upgrade" => Action::Upgrade,
            "del" => Action::Remove,
            "cache" if has("clean") || has("purge") => Action::Clean,
            _ => Action::Other,
        },
        Manager::Yum | Manager::Dnf => match sub {
            "install" | "groupinstall" | "reinstall" | "localinstall" => Action::Install,
            "makecache" => Action::Update,
            "update" | "upgrade" | "distro-sync" | "upgrade-minimal" | "system-upgrade" => {
                Action::Upgrade
            }
            "remove" | "erase" | "autoremove" => Action::Remove,
            "clean" => Action::Clean,
            _ => Action::Other,
        },
        Manager::Zypper => match sub {
            "install" | "in" => Action::Install,
            "refresh" | "ref" => Action::Update,
            "update" | "up" | "dist-upgrade" | "dup" | "patch" => Action::Upgrade,
            "remove" | "rm" => Action::Remove,
            "clean" | "cc" => Action::Clean,
            _ => Action::Other,
        },
        Manager::Pacman => {
            let Some(flags) = sub.strip_prefix('-') else {
                return Action::Other;
            };
            match flags.chars().next() {
                Some('S') if flags.contains('c') => Action::Clean,
                Some('S') if flags.contains('u') => Action::Upgrade,
                Some('S')
                    if flags.contains('y') && args.iter().all(|a| a.as_str().starts_with('-')) =>
                {
                    Action::Update
                }
                Some('S' | 'U') => Action::Install,
                Some('R') => Action::Remove,
                _ => Action::Other,
            }
        }
        Manager::Dpkg => match sub {
            "-i" | "--install" | "--unpack" => Action::Install,
            "-r" | "--remove" | "-P" | "--purge" => Action::Remove,
            _ => Action::Other,
        },
        Manager::Rpm => {
            if sub.starts_with("-e") || sub == "--erase" {
                Action::Remove
            } else if sub.starts_with("-i")
                || sub.starts_with("-U")
                || sub.starts_with("-F")
                || matches!(sub, "--install" | "--upgrade" | "--freshen")
            {
                Action::Install
            } else {
                Action::Other
            }
        }
        Manager::Pip => match sub {
            "install" if cmd.has_any_flag(&["-U", "--upgrade"]) && !has_operand_packages(args) => {
                Action::Upgrade
            }
            "install" => Action::Install,
            "uninstall" => Action::Remove,
            "cache" if has("purge") || has("remove") => Action::Clean,
            _ => Action::Other,
        },
        Manager::Npm | Manager::Pnpm => match sub {
            "install" | "i" | "ci" | "add" | "in" | "isntall" => Action::Install,
            "update" | "up" | "upgrade" => Action::Upgrade,
            "uninstall" | "remove" | "rm" | "un" => Action::Remove,
            "cache" if has("clean") || has("prune") => Action::Clean,
            "store" if has("prune") => Action::Clean,
            _ => Action::Other,
        },
        Manager::Yarn => match sub {
            "add" | "install" | "" => Action::Install,
            "global" if has("add") => Action::Install,
            "upgrade" | "up" => Action::Upgrade,
            "remove" => Action::Remove,
            "cache" if has("clean") => Action::Clean,
            _ => Action::Other,
        },
        Manager::Gem => match sub {
            "install" | "i" => Action::Install,
            "update" => Action::Upgrade,
            "uninstall" => Action::Remove,
            "cleanup" => Action::Clean,
            _ => Action::Other,
        },
        Manager::Go => match sub {
            "install" | "get" => Action::Install,
            "clean" if cmd.has_any_flag(&["-modcache", "-cache"]) => Action::Clean,
            _ => Action::Other,
        },
    }
}

fn has_operand_packages(args: &[Word<'_>]) -> bool {
    operands(
        subcommand(args, Manager::Pip.value_options()).1,
        Manager::Pip.value_options(),
    )
    .next()
    .is_some()
}

fn skip_operand<'c>(words: &'c [Word<'c>], value_options: &[&str]) -> &'c [Word<'c>] {
    subcommand(words, value_options).1
}

/// The package-manager commands of a RUN (or the RUN an ONBUILD wraps) as a POSIX shell runs
/// them (see [`crate::analysis::Analysis::posix_run_commands`]), wrappers seen through.
pub fn run_package_commands<'s, 'a>(
    analysis: &'s crate::analysis::Analysis<'a>,
    index: usize,
    onbuild: bool,
) -> impl Iterator<Item = &'s PackageCommand<'a>> {
    analysis
        .package_commands(index, onbuild)
        .iter()
        .filter_map(Option::as_ref)
}

/// Each package that an install by one of `managers` in a RUN names without a version pin
/// (see [`PackageCommand::unpinned`]), with the command installing it.
pub fn unpinned_installs<'a>(
    analysis: &'a crate::analysis::Analysis<'a>,
    index: usize,
    onbuild: bool,
    managers: &[Manager],
) -> Vec<(&'a Command<'a>, Package<'a>)> {
    let mut out = Vec::new();
    for pc in run_package_commands(analysis, index, onbuild) {
        if managers.contains(&pc.manager) {
            out.extend(pc.unpinned().map(|p| (pc.command, *p)));
        }
    }
    out
}

/// Whether what a RUN leaves under `dir` (a package cache, index lists) ends up in the image
/// `docker build` produces: the RUN is in a stage the final image is built on (see
/// [`crate::model::dockerfile::Dockerfile::in_final_image`]), is not wrapped by ONBUILD (it
/// runs in another build), and mounts no cache or tmpfs over a path containing `dir`.
pub fn leaves_in_image(
    df: &crate::model::dockerfile::Dockerfile,
    ins: &crate::model::dockerfile::Instr,
    stage: Option<&crate::model::dockerfile::Stage>,
    onbuild: bool,
    dir: &str,
) -> bool {
    let mounted = ins
        .flags
        .iter()
        .any(|f| f.name == "mount" && f.value.as_ref().is_some_and(|v| v.text.contains(dir)));
    !onbuild && !mounted && stage.is_some_and(|s| df.in_final_image(s.index))
}

/// The first command of `commands` (one RUN) that installs with one of `managers` when none of
/// them cleans a cache of one of `cleaners` (`yum clean all`, `rm -rf /var/cache/dnf`,
/// `yarn cache clean`): the install's downloads then stay in the layer.
pub fn uncleaned_install<'c>(
    commands: &'c [Command<'c>],
    managers: &[Manager],
    cleaners: &[Manager],
) -> Option<&'c Command<'c>> {
    let mut install = None;
    for command in commands {
        let (manager, action) = if command.is("rm") {
            match cache_removal(command) {
                Some(m) => (m, Action::Clean),
                None => continue,
            }
        } else {
            match head(command) {
                Some(h) => (h.manager, h.action),
                None => continue,
            }
        };
        if action == Action::Clean && cleaners.contains(&manager) {
            return None;
        }
        if install.is_none()
            && matches!(action, Action::Install | Action::Upgrade)
            && managers.contains(&manager)
        {
            install = Some(command);
        }
    }
    install
}

/// The operands among `words`: not options, not option values; everything after `--`.
fn operands<'c>(
    words: &'c [Word<'c>],
    value_options: &'c [&'c str],
) -> impl Iterator<Item = &'c Word<'c>> {
    let mut skip_next = false;
    let mut after_dd = false;
    words.iter().filter(move |w| {
        let v = w.as_str();
        if skip_next {
            skip_next = false;
            return false;
        }
        if after_dd {
            return true;
        }
        if v == "--" {
            after_dd = true;
            return false;
        }
        if value_options.contains(&v) {
            skip_next = true;
            return false;
        }
        !(v.starts_with('-') && v.len() > 1)
    })
}

/// Splits a package word into name and version, as the manager writes versions.
fn package<'c>(manager: Manager, word: &'c Word<'c>) -> Package<'c> {
    let w = word.as_str();
    // The first byte where one of `seps` starts: the same as the least `w.find(sep)`, without
    // building a substring searcher per separator (that setup was a tenth of a corpus run).
    let split_at = |seps: &[&str]| -> Option<usize> {
        let bytes = w.as_bytes();
        (0..bytes.len()).find(|&i| {
            let rest = &bytes[i..];
            seps.iter().any(|s| rest.starts_with(s.as_bytes()))
        })
    };
    let (at, exact_ops): (Option<usize>, &[&str]) = match manager {
        Manager::Apt => (w.find('='), &["="]),
        Manager::Apk => (split_at(&["=", "~", ">", "<"]), &["="]),
        Manager::Zypper => (split_at(&["=", ">", "<"]), &["=", "=="]),
        Manager::Pip => (
            split_at(&["==", ">=", "<=", "~=", "!=", ">", "<", "==="]),
            &["==", "==="],
        ),
        Manager::Npm | Manager::Yarn | Manager::Pnpm => {
            // `name@1.2.3`, `@scope/name@1.2.3`: the `@` after the first character.
            (w.get(1..).and_then(|r| r.find('@')).map(|i| i + 1), &["@"])
        }
        Manager::Go => (w.find('@'), &["@"]),
        Manager::Gem => (w.find(':'), &[":"]),
        Manager::Yum | Manager::Dnf => {
            // `name-1.2.3`, `name-1.2.3-4.el9`, `name-${VERSION}`: a `-` followed by a digit
            // (or a variable) starts the version.
            let bytes = w.as_bytes();
            let at = (1..bytes.len())
                .find(|&i| bytes[i - 1] == b'-' && (bytes[i].is_ascii_digit() || bytes[i] == b'$'))
                .map(|i| i - 1);
            let at = at.or_else(|| split_at(&["=", ">", "<"]));
            (at, &["-", "="])
        }
        Manager::Pacman | Manager::Dpkg | Manager::Rpm => (split_at(&["=", ">", "<"]), &["="]),
    };
    let Some(at) = at else {
        return Package {
            word,
            name: w,
            version: None,
            exact: false,
        };
    };
    let name = w.get(..at).unwrap_or(w);
    let version = w.get(at..).unwrap_or("");
    let op_len = version
        .bytes()
        .take_while(|b| matches!(b, b'=' | b'<' | b'>' | b'~' | b'!' | b'@' | b':' | b'-'))
        .count();
    let op = version.get(..op_len).unwrap_or("");
    let value = version.get(op_len..).unwrap_or("");
    let moving = matches!(
        value,
        "latest" | "next" | "canary" | "beta" | "*" | "x" | ""
    );
    let exact = exact_ops.contains(&op) && !moving && !value.contains(['*', '^', '~', '>', '<']);
    Package {
        word,
        name,
        version: Some(version),
        exact,
    }
}

/// A package-manager option or setting that lets unverified packages or connections through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckOff {
    /// pip `--trusted-host`, `pip config set global.trusted-host`: the host is used without a
    /// valid certificate (or over plain HTTP).
    PipTrustedHost,
    /// npm/pnpm/yarn `strict-ssl` set to false: registry certificates are not verified.
    NpmStrictSsl,
    /// apk `--allow-untrusted`: packages without a trusted signature are installed.
    ApkAllowUntrusted,
    /// apt `--allow-unauthenticated`, `--allow-insecure-repositories` and their `-o` settings.
    AptUnauthenticated,
    /// apt `--force-yes` (deprecated; among other things installs unauthenticated packages).
    AptForceYes,
    /// yum/dnf `--nogpgcheck`, `--setopt=gpgcheck=0`; zypper `--no-gpg-checks`.
    RpmGpgCheck,
    /// rpm `--nosignature`, `--nodigest`, `--noverify`, `--nofiledigest` when installing.
    RpmNoSignature,
    /// yum/dnf `--setopt=sslverify=0`; apt `-o Acquire::https::Verify-Peer=false`: the
    /// repository's TLS certificate is not verified.
    RepoSslVerify,
}

/// A check switched off, where it is written and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOffAt {
    pub check: CheckOff,
    pub span: Span,
    /// The option as written (`--nogpgcheck`, `-o APT::Get::AllowUnauthenticated=true`).
    pub text: String,
}

/// Whether a command whose program is `program` (its [`literal_name`]) has a word
/// [`checks_off`] could report: a cheap test that spares classifying the many commands that
/// cannot switch a check off.
///
/// [`literal_name`]: crate::analysis::command::literal_name
pub fn may_switch_checks_off(program: &str, cmd: &Command<'_>) -> bool {
    const PREFIXES: &[&str] = &[
        "--allow-unauthenticated",
        "--allow-insecure-repositories",
        "--allow-downgrade-to-insecure-repositories",
        "--allow-untrusted",
        "--force-yes",
        "--nogpgcheck",
        "--no-gpg-check",
        "--nosignature",
        "--nodigest",
        "--noverify",
        "--nofiledigest",
        "--trusted-host",
        "--strict-ssl",
        "--no-strict-ssl",
        "--setopt",
        "-o",
        "--option",
    ];
    (Manager::of_program(program).is_some() || is_python(program))
        && cmd.args().iter().any(|w| {
            let v = w.as_str();
            matches!(v, "config" | "set" | "c") || PREFIXES.iter().any(|p| v.starts_with(p))
        })
}

/// Every verification a package-manager command switches off.
pub fn checks_off(pc: &PackageCommand<'_>) -> Vec<CheckOffAt> {
    let cmd = pc.command;
    let mut out = Vec::new();
    let mut flag = |check: CheckOff, flags: &[&str]| {
        for w in cmd.args() {
            let v = w.as_str();
            if flags
                .iter()
                .any(|f| v == *f || v.strip_prefix(f).is_some_and(|r| r.starts_with('=')))
            {
                out.push(CheckOffAt {
                    check,
                    span: w.span,
                    text: v.to_string(),
                });
            }
        }
    };
    match pc.manager {
        Manager::Pip => flag(CheckOff::PipTrustedHost, &["--trusted-host"]),
        Manager::Apk => flag(CheckOff::ApkAllowUntrusted, &["--allow-untrusted"]),
        Manager::Apt => {
            flag(
                CheckOff::AptUnauthenticated,
                &[
                    "--allow-unauthenticated",
                    "--allow-insecure-repositories",
                    "--allow-downgrade-to-insecure-repositories",
                ],
            );
            flag(CheckOff::AptForceYes, &["--force-yes"]);
        }
        Manager::Yum | Manager::Dnf => flag(CheckOff::RpmGpgCheck, &["--nogpgcheck"]),
        Manager::Zypper => flag(
            CheckOff::RpmGpgCheck,
            &["--no-gpg-checks", "--no-gpg-check"],
        ),
        Manager::Rpm if pc.action == Action::Install => flag(
            CheckOff::RpmNoSignature,
            &[
                "--nosignature",
                "--nodigest",
                "--noverify",
                "--nofiledigest",
            ],
        ),
        Manager::Npm | Manager::Pnpm | Manager::Yarn => {
            for w in cmd.args() {
                let v = w.as_str();
                let off = v == "--no-strict-ssl"
                    || v.strip_prefix("--strict-ssl=")
                        .is_some_and(crate::analysis::download::is_off);
                if off {
                    out.push(CheckOffAt {
                        check: CheckOff::NpmStrictSsl,
                        span: w.span,
                        text: v.to_string(),
                    });
                }
            }
        }
        _ => {}
    }
    match pc.manager {
        Manager::Apt => {
            for (value, span) in crate::analysis::command::flag_values(cmd, &["-o", "--option"]) {
                if let Some(check) = apt_setting(value) {
                    out.push(CheckOffAt {
                        check,
                        span,
                        text: format!("-o {value}"),
                    });
                }
            }
        }
        Manager::Yum | Manager::Dnf => {
            for (value, span) in crate::analysis::command::flag_values(cmd, &["--setopt"]) {
                if let Some(check) = rpm_repo_setting(value) {
                    out.push(CheckOffAt {
                        check,
                        span,
                        text: format!("--setopt={value}"),
                    });
                }
            }
        }
        _ => {}
    }
    if let Some((check, span, text)) = config_set(pc) {
        out.push(CheckOffAt { check, span, text });
    }
    out
}

/// An apt configuration item (`-o Name=value`, or a line of an apt.conf file) that lets
/// unauthenticated packages in or turns TLS verification off.
pub fn apt_setting(item: &str) -> Option<CheckOff> {
    let (name, value) = item
        .split_once('=')
        .or_else(|| item.trim().split_once(char::is_whitespace))?;
    let name = name.trim().to_ascii_lowercase();
    let value = value.trim().trim_end_matches(';').trim().trim_matches('"');
    let on = ["true", "yes", "1", "on"]
        .iter()
        .any(|t| value.eq_ignore_ascii_case(t));
    let off = crate::analysis::download::is_off(value);
    let last = name.rsplit("::").next().unwrap_or(&name);
    match last {
        "allowunauthenticated"
        | "allowinsecurerepositories"
        | "allowdowngradetoinsecurerepositories"
            if on =>
        {
            Some(CheckOff::AptUnauthenticated)
        }
        "force-yes" if on => Some(CheckOff::AptForceYes),
        "verify-peer" | "verify-host" if off && name.starts_with("acquire::https") => {
            Some(CheckOff::RepoSslVerify)
        }
        _ => None,
    }
}

/// A yum/dnf repository setting (`--setopt` value, or a line of yum.conf, dnf.conf or a
/// `.repo` file) turning signature or TLS checks off: `gpgcheck=0`, `*.sslverify=false`.
pub fn rpm_repo_setting(item: &str) -> Option<CheckOff> {
    let (name, value) = item.split_once('=')?;
    let key = name
        .trim()
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if !crate::analysis::download::is_off(value) {
        return None;
    }
    match key.as_str() {
        "gpgcheck" => Some(CheckOff::RpmGpgCheck),
        "sslverify" => Some(CheckOff::RepoSslVerify),
        _ => None,
    }
}

/// `npm config set strict-ssl false` (also `npm set`, `npm c set`, `key=value`, pnpm, yarn, and
/// yarn 2's `enableStrictSsl`), `pip config set global.trusted-host …`.
fn config_set(pc: &PackageCommand<'_>) -> Option<(CheckOff, Span, String)> {
    let sub = pc.subcommand?;
    let mut after = pc
        .command
        .operands()
        .skip_while(|w| !std::ptr::eq(*w, sub))
        .skip(1);
    match sub.as_str() {
        "config" | "c" if after.next()?.is("set") => {}
        "set" if pc.manager != Manager::Pip => {}
        _ => return None,
    }
    let key = after.next()?;
    let (k, value, last) = match key.as_str().split_once('=') {
        Some((k, v)) => (k, v, key),
        None => {
            let v = after.next()?;
            (key.as_str(), v.as_str(), v)
        }
    };
    let span = key.span.cover(last.span);
    let setting = if std::ptr::eq(key, last) {
        key.as_str().to_string()
    } else {
        format!("{k} {value}")
    };
    let text = match sub.as_str() {
        "set" => format!("set {setting}"),
        other => format!("{other} set {setting}"),
    };
    let check = match pc.manager {
        Manager::Npm | Manager::Pnpm | Manager::Yarn
            if (k.eq_ignore_ascii_case("strict-ssl") || k == "enableStrictSsl")
                && crate::analysis::download::is_off(value) =>
        {
            CheckOff::NpmStrictSsl
        }
        Manager::Pip if k.rsplit('.').next() == Some("trusted-host") && !value.is_empty() => {
            CheckOff::PipTrustedHost
        }
        _ => return None,
    };
    Some((check, span, text))
}

/// `rm` of a system manager's index or cache directory.
fn cache_removal(cmd: &Command<'_>) -> Option<Manager> {
    cmd.args()
        .iter()
        .filter(|a| !a.as_str().starts_with('-'))
        .find_map(|a| {
            let a = a.as_str().trim_end_matches(['*', '/']);
            if a.starts_with("/var/lib/apt/lists") || a.starts_with("/var/cache/apt") {
                Some(Manager::Apt)
            } else if a.starts_with("/var/cache/apk") {
                Some(Manager::Apk)
            } else if a.starts_with("/var/cache/yum") {
                Some(Manager::Yum)
            } else if a.starts_with("/var/cache/dnf") {
                Some(Manager::Dnf)
            } else if a.starts_with("/var/cache/zypp") {
                Some(Manager::Zypper)
            } else {
                None
            }
        })
}

/// The package-index and cache operations of one RUN (see [`stage_runs`]).
#[derive(Clone, Debug)]
pub struct RunOps {
    /// The RUN's index in the Dockerfile model.
    pub index: usize,
    /// The RUN keyword, for related spans.
    pub keyword_span: crate::source::Span,
    /// Each operation with the span of the command doing it, in order.
    pub ops: Vec<(crate::source::Span, PkgOp)>,
}

impl RunOps {
    /// Whether the RUN fills `manager`'s cache or index (installs or refreshes).
    pub fn fills(&self, manager: Manager) -> bool {
        self.ops
            .iter()
            .any(|(_, op)| matches!(op, PkgOp::Install(m) | PkgOp::Update(m) if *m == manager))
    }

    /// Whether the RUN installs with `manager`.
    pub fn installs(&self, manager: Manager) -> bool {
        self.ops
            .iter()
            .any(|(_, op)| *op == PkgOp::Install(manager))
    }
}

/// The RUN instructions of a stage with their package-index and cache operations, in order.
pub fn stage_runs(
    analysis: &crate::analysis::Analysis<'_>,
    stage: &crate::model::dockerfile::Stage,
) -> Vec<RunOps> {
    let Some(df) = analysis.dockerfile else {
        return Vec::new();
    };
    stage
        .instrs
        .clone()
        .filter_map(|index| {
            let ins = df.instrs.get(index)?;
            (ins.kind == crate::syntax::dockerfile::InstructionKind::Run).then(|| RunOps {
                index,
                keyword_span: ins.keyword_span,
                ops: analysis
                    .run_commands(index, false)
                    .iter()
                    .filter_map(|c| {
                        let first = c.name_word()?.span;
                        Some((
                            crate::source::Span::new(
                                first.start as usize,
                                c.span.end.max(first.end) as usize,
                            ),
                            op(c)?,
                        ))
                    })
                    .collect(),
            })
        })
        .collect()
}

/// One package operation of a RUN, with the other RUNs of its stage.
pub struct OpAt<'r> {
    /// The command doing it.
    pub span: crate::source::Span,
    pub op: PkgOp,
    pub run: &'r RunOps,
    /// The stage's RUNs before this one, in order.
    pub before: &'r [RunOps],
    /// The stage's RUNs after this one, in order.
    pub after: &'r [RunOps],
}

/// Calls `f` for every package operation of every RUN, stage by stage, in order.
pub fn for_each_op(
    analysis: &crate::analysis::Analysis<'_>,
    df: &crate::model::dockerfile::Dockerfile,
    mut f: impl FnMut(OpAt<'_>),
) {
    for stage in &df.stages {
        let runs = stage_runs(analysis, stage);
        for (i, run) in runs.iter().enumerate() {
            for &(span, op) in &run.ops {
                f(OpAt {
                    span,
                    op,
                    run,
                    before: runs.get(..i).unwrap_or(&[]),
                    after: runs.get(i + 1..).unwrap_or(&[]),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::command::shell_commands;

    fn first(s: &str) -> Command<'_> {
        shell_commands(s, 0).into_iter().next().unwrap()
    }

    fn op_of_text(s: &str) -> Option<PkgOp> {
        op(&first(s))
    }

    #[test]
    fn layer_operations_of_system_managers() {
        use Manager::*;
        let c = op_of_text;
        assert_eq!(c("apt-get update"), Some(PkgOp::Update(Apt)));
        assert_eq!(c("apt-get -qq update"), Some(PkgOp::Update(Apt)));
        assert_eq!(
            c("sudo DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Options::=x install -y a"),
            Some(PkgOp::Install(Apt))
        );
        assert_eq!(c("apk update"), Some(PkgOp::Update(Apk)));
        assert_eq!(c("apk add --no-cache curl"), Some(PkgOp::Install(Apk)));
        assert_eq!(c("apk cache clean"), Some(PkgOp::Cleanup(Apk)));
        assert_eq!(c("yum makecache"), Some(PkgOp::Update(Yum)));
        assert_eq!(c("yum -y install x"), Some(PkgOp::Install(Yum)));
        assert_eq!(c("dnf clean all"), Some(PkgOp::Cleanup(Dnf)));
        assert_eq!(c("/usr/bin/microdnf makecache"), Some(PkgOp::Update(Dnf)));
        assert_eq!(c("rm -rf /var/lib/apt/lists/*"), Some(PkgOp::Cleanup(Apt)));
        assert_eq!(c("rm -rf /tmp/x"), None);
        assert_eq!(c("echo apt-get update"), None);
        assert_eq!(c("yum update"), Some(PkgOp::Install(Yum)));
        assert_eq!(c("zypper refresh"), Some(PkgOp::Update(Zypper)));
        assert_eq!(c("pip install x"), None, "pip has no index layer");
    }

    fn packages(s: &str) -> Vec<(String, Option<String>, bool)> {
        let cmd = first(s);
        let pc = classify(&cmd).unwrap();
        pc.packages
            .iter()
            .map(|p| {
                (
                    p.name.to_string(),
                    p.version.map(str::to_string),
                    p.is_pinned(),
                )
            })
            .collect()
    }

    fn p(name: &str, version: Option<&str>, pinned: bool) -> (String, Option<String>, bool) {
        (name.to_string(), version.map(str::to_string), pinned)
    }

    #[test]
    fn packages_and_their_pins() {
        assert_eq!(
            packages("apt-get install -y --no-install-recommends curl=7.88.1-10 git"),
            [p("curl", Some("=7.88.1-10"), true), p("git", None, false)]
        );
        assert_eq!(
            packages("apt-get -o Dpkg::Options::=--force-confnew install -t bookworm-backports x"),
            [p("x", None, false)]
        );
        assert_eq!(
            packages("apt-get install foo=${FOO_VERSION}"),
            [p("foo", Some("=${FOO_VERSION}"), true)]
        );
        assert_eq!(
            packages("apk add --no-cache --virtual .build-deps gcc=13.2.1-r0 musl-dev~1.2"),
            [
                p("gcc", Some("=13.2.1-r0"), true),
                p("musl-dev", Some("~1.2"), false)
            ]
        );
        assert_eq!(
            packages("pip install --no-cache-dir -r req.txt requests==2.31.0 'flask>=2'"),
            [
                p("requests", Some("==2.31.0"), true),
                p("flask", Some(">=2"), false)
            ]
        );
        assert_eq!(
            packages("python3 -m pip install -U pip==24.0"),
            [p("pip", Some("==24.0"), true)]
        );
        assert_eq!(
            packages("npm install -g @angular/cli@17.3.0 typescript@latest left-pad"),
            [
                p("@angular/cli", Some("@17.3.0"), true),
                p("typescript", Some("@latest"), false),
                p("left-pad", None, false)
            ]
        );
        assert_eq!(
            packages("yarn global add serve@14.2.1"),
            [p("serve", Some("@14.2.1"), true)]
        );
        assert_eq!(
            packages("gem install bundler -v 2.5.6"),
            [p("bundler", None, true)]
        );
        assert_eq!(
            packages("gem install rake:13.1.0"),
            [p("rake", Some(":13.1.0"), true)]
        );
        assert_eq!(
            packages("go install golang.org/x/tools/gopls@v0.15.2"),
            [p("golang.org/x/tools/gopls", Some("@v0.15.2"), true)]
        );
        assert_eq!(
            packages("dnf install -y --setopt=tsflags=nodocs httpd-2.4.57 mod_ssl"),
            [p("httpd", Some("-2.4.57"), true), p("mod_ssl", None, false)]
        );
        assert_eq!(
            packages("yum install -y mod_ssl-${SSL_VERSION} shadow-utils"),
            [
                p("mod_ssl", Some("-${SSL_VERSION}"), true),
                p("shadow-utils", None, false)
            ]
        );
        assert_eq!(
            packages("zypper -n install curl=8.0"),
            [p("curl", Some("=8.0"), true)]
        );
    }

    #[test]
    fn unpinned_packages_and_flag_insertion() {
        let text = "apt-get install -y curl=1 git ./x.deb $PKGS wget=${V}";
        let cmd = first(text);
        let pc = classify(&cmd).unwrap();
        let names: Vec<&str> = pc.unpinned().map(|p| p.name).collect();
        assert_eq!(names, ["git"]);
        let edit = pc
            .insert_after_subcommand(text, "--no-install-recommends")
            .unwrap();
        assert_eq!(edit.span.start as usize, "apt-get install".len());
        assert_eq!(
            pc.name_to_subcommand(),
            Some(Span::new(0, "apt-get install".len()))
        );
        assert!(!pc.prompts(&["-y"]));
        let text = "sudo yum install x";
        let cmd = first(text);
        let pc = classify(&cmd).unwrap();
        assert!(pc.prompts(&["-y", "--assumeyes"]));
        assert_eq!(pc.name_to_subcommand(), Some(Span::new(5, text.len() - 2)));
        let text = "apt-get update";
        let cmd = first(text);
        assert_eq!(classify(&cmd).unwrap().unpinned().count(), 0);
        let text = "pip 'install' x";
        let cmd = first(text);
        assert!(
            classify(&cmd)
                .unwrap()
                .insert_after_subcommand(text, "-q")
                .is_none()
        );
    }

    #[test]
    fn installs_left_uncleaned() {
        use Manager::*;
        let run = |s: &str, m: &[Manager], c: &[Manager]| {
            let commands = shell_commands(s, 0);
            uncleaned_install(&commands, m, c).and_then(|c| c.name().map(str::to_string))
        };
        assert_eq!(
            run("yum -y install x && yum clean all", &[Yum], &[Yum]),
            None
        );
        assert_eq!(
            run("yum -y install x", &[Yum], &[Yum]).as_deref(),
            Some("yum")
        );
        assert_eq!(
            run("dnf -y install x && rm -rf /var/cache/dnf", &[Dnf], &[Dnf]),
            None
        );
        assert_eq!(
            run("yum -y install x && dnf clean all", &[Yum], &[Yum, Dnf]),
            None
        );
        assert_eq!(
            run("yarn install && yarn cache clean", &[Yarn], &[Yarn]),
            None
        );
        assert_eq!(run("yarn add x", &[Yarn], &[Yarn]).as_deref(), Some("yarn"));
        assert_eq!(run("apt-get install -y x", &[Yum], &[Yum]), None);
    }

    #[test]
    fn actions_and_flags() {
        let a = |s: &str| {
            let cmd = first(s);
            classify(&cmd).map(|c| (c.manager, c.action))
        };
        use Action::*;
        assert_eq!(a("apt-get dist-upgrade -y"), Some((Manager::Apt, Upgrade)));
        assert_eq!(a("apt-get autoremove -y"), Some((Manager::Apt, Remove)));
        assert_eq!(a("apt-get dist-clean"), Some((Manager::Apt, Clean)));
        assert_eq!(a("apk del .build-deps"), Some((Manager::Apk, Remove)));
        assert_eq!(a("npm ci"), Some((Manager::Npm, Install)));
        assert_eq!(a("npm cache clean --force"), Some((Manager::Npm, Clean)));
        assert_eq!(a("yarn"), Some((Manager::Yarn, Install)));
        assert_eq!(
            a("pacman -Syu --noconfirm"),
            Some((Manager::Pacman, Upgrade))
        );
        assert_eq!(
            a("pacman -S --noconfirm git"),
            Some((Manager::Pacman, Install))
        );
        assert_eq!(a("pacman -Scc"), Some((Manager::Pacman, Clean)));
        assert_eq!(a("dpkg -i /tmp/x.deb"), Some((Manager::Dpkg, Install)));
        assert_eq!(a("rpm -Uvh x.rpm"), Some((Manager::Rpm, Install)));
        assert_eq!(
            a("pip3 install --upgrade pip"),
            Some((Manager::Pip, Install))
        );
        assert_eq!(a("pip install --upgrade"), Some((Manager::Pip, Upgrade)));
        assert_eq!(a("python -m venv x"), None);
        assert_eq!(a("go build ./..."), Some((Manager::Go, Other)));
        assert_eq!(a("$APT install x"), None);

        let cmd = first("sudo apt-get -qy install --no-install-recommends curl");
        let pc = classify(&cmd).unwrap();
        assert!(pc.has_flag("-y") && pc.has_flag("--no-install-recommends"));
        assert!(!pc.has_flag("--no-cache"));
        let cmd = first("apk add --virtual .deps gcc");
        let pc = classify(&cmd).unwrap();
        assert_eq!(pc.flag_value("--virtual").map(|v| v.value), Some(".deps"));
        assert!(!pc.packages[0].is_not_a_name());
        let cmd = first("dpkg -i ./x.deb");
        assert!(classify(&cmd).unwrap().packages[0].is_not_a_name());
    }

    #[test]
    fn checks_switched_off() {
        let off = |s: &str| {
            let cmd = first(s);
            checks_off(&classify(&cmd).unwrap())
                .into_iter()
                .map(|c| (c.check, c.span.text(s).to_string(), c.text))
                .collect::<Vec<_>>()
        };
        let c = |k: CheckOff, at: &str, t: &str| (k, at.to_string(), t.to_string());
        use CheckOff::*;
        assert_eq!(
            off("apt-get install -y --allow-unauthenticated --force-yes x"),
            [
                c(
                    AptUnauthenticated,
                    "--allow-unauthenticated",
                    "--allow-unauthenticated"
                ),
                c(AptForceYes, "--force-yes", "--force-yes")
            ]
        );
        assert_eq!(
            off(
                "apt-get -o Acquire::https::Verify-Peer=false -o APT::Get::AllowUnauthenticated=1 update"
            ),
            [
                c(
                    RepoSslVerify,
                    "Acquire::https::Verify-Peer=false",
                    "-o Acquire::https::Verify-Peer=false"
                ),
                c(
                    AptUnauthenticated,
                    "APT::Get::AllowUnauthenticated=1",
                    "-o APT::Get::AllowUnauthenticated=1"
                )
            ]
        );
        assert_eq!(
            off("dnf --setopt=gpgcheck=0 --setopt=r.sslverify=False install x"),
            [
                c(RpmGpgCheck, "gpgcheck=0", "--setopt=gpgcheck=0"),
                c(
                    RepoSslVerify,
                    "r.sslverify=False",
                    "--setopt=r.sslverify=False"
                )
            ]
        );
        assert_eq!(off("rpm -ivh --nosignature x.rpm")[0].0, RpmNoSignature);
        assert_eq!(off("rpm -qa --nosignature"), []);
        assert_eq!(off("zypper --no-gpg-checks in x")[0].0, RpmGpgCheck);
        assert_eq!(
            off("apk add --allow-untrusted x.apk")[0].0,
            ApkAllowUntrusted
        );
        assert_eq!(
            off("npm config set strict-ssl false"),
            [c(
                NpmStrictSsl,
                "strict-ssl false",
                "config set strict-ssl false"
            )]
        );
        assert_eq!(
            off("yarn config set enableStrictSsl=false"),
            [c(
                NpmStrictSsl,
                "enableStrictSsl=false",
                "config set enableStrictSsl=false"
            )]
        );
        assert_eq!(off("npm config set strict-ssl true"), []);
        assert_eq!(
            off("pip3 config set global.trusted-host pypi.example"),
            [c(
                PipTrustedHost,
                "global.trusted-host pypi.example",
                "config set global.trusted-host pypi.example"
            )]
        );
        assert_eq!(off("pip install --trusted-host=h x")[0].0, PipTrustedHost);
        assert_eq!(off("pip install --no-cache-dir x"), []);
    }

    #[test]
    fn distribution_and_whole_system_upgrades() {
        let up = |s: &str| {
            let cmd = first(s);
            let pc = classify(&cmd).unwrap();
            (pc.is_distribution_upgrade(), pc.upgrades_everything())
        };
        assert_eq!(up("apt-get dist-upgrade -y"), (true, true));
        assert_eq!(up("apt full-upgrade"), (true, true));
        assert_eq!(up("zypper -n dup"), (true, true));
        assert_eq!(up("dnf distro-sync"), (true, true));
        assert_eq!(up("apt-get upgrade -y"), (false, true));
        assert_eq!(up("apk upgrade --no-cache"), (false, true));
        assert_eq!(up("yum -y update"), (false, true));
        assert_eq!(up("apk upgrade openssl"), (false, false));
        assert_eq!(up("pip install --upgrade"), (false, false));
        assert_eq!(up("apt-get install -y curl"), (false, false));
    }
}

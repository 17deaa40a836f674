//! Package-manager commands as the layer rules (and the setuid policy) read them: refreshing the
//! package index, installing, and cleaning caches, per manager.

/// A package manager whose index and caches live in the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Manager {
    Apt,
    Apk,
    Yum,
    Dnf,
    Zypper,
}

impl Manager {
    pub fn as_str(self) -> &'static str {
        match self {
            Manager::Apt => "apt",
            Manager::Apk => "apk",
            Manager::Yum => "yum",
            Manager::Dnf => "dnf",
            Manager::Zypper => "zypper",
        }
    }
}

/// What one simple command does with a package manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PkgOp {
    /// Refreshes the package index (`apt-get update`, `apk update`, `yum makecache`).
    Update(Manager),
    /// Installs or upgrades packages (`apt-get install`, `apk add`, `dnf upgrade`).
    Install(Manager),
    /// Removes the index or caches (`rm -rf /var/lib/apt/lists/*`, `yum clean all`).
    Cleanup(Manager),
}

impl PkgOp {
    pub fn manager(self) -> Manager {
        match self {
            PkgOp::Update(m) | PkgOp::Install(m) | PkgOp::Cleanup(m) => m,
        }
    }
}

/// The commands of each instruction (empty for all but `RUN`), each with its [`classify`].
pub fn classify_runs(
    instrs: &[crate::model::dockerfile::Instr],
) -> Vec<Vec<(&crate::model::dockerfile::SimpleCommand, Option<PkgOp>)>> {
    instrs
        .iter()
        .map(|ins| {
            if ins.keyword != "RUN" {
                return Vec::new();
            }
            ins.commands
                .iter()
                .map(|c| (c, classify(&c.strs())))
                .collect()
        })
        .collect()
}

/// Classifies a simple command given as its words (quotes removed). Leading `sudo`, `env` and
/// `NAME=value` assignments are skipped; options before the subcommand are skipped too
/// (including the argument of `-o`/`-c`/`-t`-style options that take one).
pub fn classify(words: &[&str]) -> Option<PkgOp> {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let is_assignment = w.split_once('=').is_some_and(|(n, _)| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        if *w == "sudo" || *w == "env" || *w == "command" || *w == "exec" || is_assignment {
            i += 1;
        } else {
            break;
        }
    }
    let program = words.get(i)?;
    let program = crate::rules::secret::command::command_name(program);
    let rest = words.get(i + 1..).unwrap_or(&[]);
    if program == "rm" {
        return cache_removal(rest);
    }
    let manager = match program {
        "apt-get" | "apt" | "aptitude" => Manager::Apt,
        "apk" => Manager::Apk,
        "yum" => Manager::Yum,
        "dnf" | "microdnf" | "tdnf" => Manager::Dnf,
        "zypper" => Manager::Zypper,
        _ => return None,
    };
    let sub = subcommand(rest, manager)?;
    let op = match (manager, sub) {
        (_, "update") if matches!(manager, Manager::Apt | Manager::Apk) => PkgOp::Update(manager),
        (Manager::Yum | Manager::Dnf, "makecache") => PkgOp::Update(manager),
        (Manager::Zypper, "refresh" | "ref") => PkgOp::Update(manager),
        (Manager::Apt, "install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep") => {
            PkgOp::Install(manager)
        }
        (Manager::Apk, "add" | "upgrade") => PkgOp::Install(manager),
        (
            Manager::Yum | Manager::Dnf,
            "install" | "update" | "upgrade" | "groupinstall" | "reinstall" | "localinstall",
        ) => PkgOp::Install(manager),
        (Manager::Zypper, "install" | "in" | "update" | "up" | "dist-upgrade" | "dup") => {
            PkgOp::Install(manager)
        }
        (Manager::Apt, "clean" | "autoclean") => PkgOp::Cleanup(manager),
        (Manager::Apk, "cache") if rest.contains(&"clean") || rest.contains(&"purge") => {
            PkgOp::Cleanup(manager)
        }
        (Manager::Yum | Manager::Dnf, "clean") => PkgOp::Cleanup(manager),
        (Manager::Zypper, "clean" | "cc") => PkgOp::Cleanup(manager),
        _ => return None,
    };
    Some(op)
}

/// The first word after the options.
fn subcommand<'a>(rest: &[&'a str], manager: Manager) -> Option<&'a str> {
    let takes_arg: &[&str] = match manager {
        Manager::Apt => &[
            "-o",
            "-c",
            "-t",
            "--option",
            "--config-file",
            "--target-release",
        ],
        Manager::Apk => &[
            "-X",
            "--repository",
            "-p",
            "--root",
            "--arch",
            "--cache-dir",
        ],
        Manager::Yum | Manager::Dnf => &[
            "-c",
            "--config",
            "--installroot",
            "--releasever",
            "-d",
            "-e",
        ],
        Manager::Zypper => &["-c", "--config", "-R", "--root", "--reposd-dir"],
    };
    let mut iter = rest.iter();
    while let Some(w) = iter.next() {
        if takes_arg.contains(w) {
            iter.next();
        } else if !w.starts_with('-') {
            return Some(w);
        }
    }
    None
}

/// `rm` removing a package index or cache directory.
fn cache_removal(args: &[&str]) -> Option<PkgOp> {
    args.iter().filter(|a| !a.starts_with('-')).find_map(|a| {
        let a = a.trim_end_matches(['*', '/']);
        if a.starts_with("/var/lib/apt/lists") || a.starts_with("/var/cache/apt") {
            Some(PkgOp::Cleanup(Manager::Apt))
        } else if a.starts_with("/var/cache/apk") {
            Some(PkgOp::Cleanup(Manager::Apk))
        } else if a.starts_with("/var/cache/yum") {
            Some(PkgOp::Cleanup(Manager::Yum))
        } else if a.starts_with("/var/cache/dnf") {
            Some(PkgOp::Cleanup(Manager::Dnf))
        } else if a.starts_with("/var/cache/zypp") {
            Some(PkgOp::Cleanup(Manager::Zypper))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Option<PkgOp> {
        classify(&s.split_whitespace().collect::<Vec<_>>())
    }

    #[test]
    fn classifies_package_commands() {
        use Manager::*;
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
    }
}

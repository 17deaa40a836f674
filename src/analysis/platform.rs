//! What each stage runs on, as far as the Dockerfile says: a Windows or a Linux base image, and
//! the shell a `RUN`'s shell form is handed to (`/bin/sh -c` by default, `cmd /S /C` on Windows,
//! or the `SHELL` in effect). Rules that rewrite or judge shell text (joining RUNs, root users,
//! setuid bits) ask here rather than assume a POSIX shell on Linux.
//!
//! hadolint's `# hadolint shell=<program>` comment declares the shell where the Dockerfile does
//! not (a base image whose configuration sets `SHELL`, such as PowerShell images): it counts as
//! a `SHELL` of that program. Above the first `FROM`, it is the shell every stage starts with
//! (a stage built on another still starts with that stage's shell); anywhere else, it holds from
//! the next instruction to the end of its stage or the next `SHELL`, so placed above a later
//! `FROM` it declares that stage's shell. (hadolint 2.15 reads the last case as a comment at the
//! end of the stage before, which changes nothing.)

use crate::model::dockerfile::{Dockerfile, ImageTarget, InstructionKind};
use crate::syntax::image_ref::ImageRef;
use crate::syntax::shell::basename;

/// The kind of shell a `RUN`'s shell form runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellFamily {
    /// `sh`, `bash`, `dash`, `ash`, `zsh`, `ksh`, `mksh`: `&&`, `||`, `;`, `{ …; }` and
    /// `( … )` mean what POSIX says.
    Posix,
    /// `powershell`, `pwsh`.
    PowerShell,
    /// `cmd`: Windows' command interpreter.
    Cmd,
    /// Any other program (`fish`, a custom interpreter).
    Other,
}

impl ShellFamily {
    /// The family of a `SHELL` program (`/bin/bash`, `powershell.exe`, `C:\\Windows\\cmd`).
    pub fn of_program(program: &str) -> ShellFamily {
        let base = basename(program);
        let base = base
            .rsplit('\\')
            .next()
            .unwrap_or(base)
            .to_ascii_lowercase();
        let base = base.strip_suffix(".exe").unwrap_or(&base);
        if crate::syntax::shell::SHELLS.contains(&base) {
            ShellFamily::Posix
        } else if matches!(base, "powershell" | "pwsh") {
            ShellFamily::PowerShell
        } else if base == "cmd" {
            ShellFamily::Cmd
        } else {
            ShellFamily::Other
        }
    }
}

/// Which Windows base a stage is built on, when it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowsBase {
    /// Nano Server: containers run as `ContainerUser` (not an administrator) by default.
    NanoServer,
    /// Server Core, Server or Windows: containers run as `ContainerAdministrator` by default.
    Other,
}

/// What one stage runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct StagePlatform {
    /// `Some` when the stage's base (through earlier stages) is a Windows image, or its
    /// `--platform` names Windows.
    pub windows: Option<WindowsBase>,
}

/// The platform of every stage and the shell of every instruction of a Dockerfile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Platform {
    /// By stage index.
    pub stages: Vec<StagePlatform>,
    /// By instruction index ([`Dockerfile::instrs`]): the shell a `RUN` there is given to.
    pub shells: Vec<ShellFamily>,
    /// By instruction index: the program of the `SHELL` in effect there (`/bin/bash`), `None`
    /// for the platform's default (`/bin/sh`, or `cmd` on Windows).
    pub programs: Vec<Option<String>>,
}

impl Platform {
    /// The shell family for instruction `index` (POSIX for an index out of range).
    pub fn shell_at(&self, index: usize) -> ShellFamily {
        self.shells
            .get(index)
            .copied()
            .unwrap_or(ShellFamily::Posix)
    }

    /// The `SHELL` program in effect at instruction `index` (`None`: the platform's default).
    pub fn program_at(&self, index: usize) -> Option<&str> {
        self.programs.get(index).and_then(|p| p.as_deref())
    }
}

/// Whether an image reference names a Windows image: `mcr.microsoft.com/windows/…`, the old
/// `microsoft/windowsservercore` and `microsoft/nanoserver`, or a tag built on one
/// (`python:3.13-windowsservercore-ltsc2022`, `dotnet/sdk:8.0-nanoserver-1809`).
pub fn windows_base(reference: &str) -> Option<WindowsBase> {
    let r = ImageRef::parse(reference).ok()?;
    let repo = r.repository_str().to_ascii_lowercase();
    let tag = r.tag_str().unwrap_or("").to_ascii_lowercase();
    let nano = repo.ends_with("nanoserver") || tag.contains("nanoserver");
    if nano {
        return Some(WindowsBase::NanoServer);
    }
    let microsoft = r.domain().eq_ignore_ascii_case("mcr.microsoft.com");
    let windows_repo = (microsoft && (repo == "windows" || repo.starts_with("windows/")))
        || repo == "microsoft/windowsservercore"
        || repo.ends_with("/windowsservercore");
    let windows_tag = tag
        .split(['-', '_', '.'])
        .any(|w| matches!(w, "windowsservercore" | "servercore" | "windows"));
    (windows_repo || windows_tag).then_some(WindowsBase::Other)
}

/// A `# hadolint shell=<program>` comment: where it is written, and the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellPragma {
    /// Byte offset of the comment.
    pub at: u32,
    pub program: String,
}

/// The `# hadolint shell=…` comments of a Dockerfile's syntax tree, in file order.
pub fn shell_pragmas(tree: &crate::syntax::dockerfile::Dockerfile) -> Vec<ShellPragma> {
    tree.comments
        .iter()
        .filter_map(|c| {
            let rest = c.text.strip_prefix("hadolint")?;
            let rest = rest.trim_start_matches([' ', '\t']);
            // `hadolint` and `shell=` are separate words.
            if rest.len() == c.text.len() - "hadolint".len() {
                return None;
            }
            let program = rest.strip_prefix("shell=")?.split([' ', '\t']).next()?;
            (!program.is_empty()).then(|| ShellPragma {
                at: c.span.start,
                program: program.to_string(),
            })
        })
        .collect()
}

/// Computes [`Platform`] for a Dockerfile.
pub fn platform(df: &Dockerfile) -> Platform {
    platform_with(df, &[])
}

/// Computes [`Platform`] for a Dockerfile with its `# hadolint shell=` comments (in file order).
pub fn platform_with(df: &Dockerfile, pragmas: &[ShellPragma]) -> Platform {
    // The pragma declaring the shell each instruction starts from (the last one between it and
    // the instruction before), and the one above the first `FROM` (every stage's default).
    let mut pragma_before: Vec<Option<&str>> = vec![None; df.instrs.len()];
    let mut first_from_at = None;
    if !pragmas.is_empty() {
        let mut next = 0;
        let mut previous_end = 0;
        for (index, ins) in df.instrs.iter().enumerate() {
            while let Some(p) = pragmas.get(next)
                && p.at < ins.span.start
            {
                if p.at >= previous_end
                    && let Some(slot) = pragma_before.get_mut(index)
                {
                    *slot = Some(p.program.as_str());
                }
                next += 1;
            }
            previous_end = ins.span.end;
        }
        first_from_at = df
            .stages
            .first()
            .and_then(|s| df.instrs.get(s.from))
            .map(|i| i.span.start);
    }
    let global = first_from_at.and_then(|at| {
        pragmas
            .iter()
            .take_while(|p| p.at < at)
            .last()
            .map(|p| p.program.as_str())
    });
    let mut stages: Vec<StagePlatform> = Vec::with_capacity(df.stages.len());
    // The shell in effect at the end of each stage, inherited by stages built on it.
    let mut stage_end_shells: Vec<(ShellFamily, Option<String>)> =
        Vec::with_capacity(df.stages.len());
    let mut shells = vec![ShellFamily::Posix; df.instrs.len()];
    let mut programs: Vec<Option<String>> = vec![None; df.instrs.len()];
    for stage in &df.stages {
        let base = df.images.get(stage.base);
        let from_platform = stage
            .platform
            .as_deref()
            .is_some_and(|p| p.to_ascii_lowercase().starts_with("windows"));
        let (windows, mut shell) = match base.map(|b| (&b.target, b.resolved.as_str())) {
            Some((ImageTarget::Stage(i), _)) => (
                stages.get(*i).and_then(|s| s.windows),
                stage_end_shells.get(*i).cloned(),
            ),
            Some((ImageTarget::External, resolved)) => (windows_base(resolved), None),
            _ => (None, None),
        };
        let windows = windows.or(from_platform.then_some(WindowsBase::Other));
        let default = if let Some(p) = global {
            (ShellFamily::of_program(p), Some(p.to_string()))
        } else if windows.is_some() {
            (ShellFamily::Cmd, None)
        } else {
            (ShellFamily::Posix, None)
        };
        let (mut current, mut program) = shell.take().unwrap_or(default);
        for index in stage.instrs.clone() {
            let Some(ins) = df.instrs.get(index) else {
                continue;
            };
            if let Some(Some(p)) = pragma_before.get(index) {
                current = ShellFamily::of_program(p);
                program = Some((*p).to_string());
            }
            if ins.kind == InstructionKind::Shell
                && ins.is_exec_form()
                && let Some(first) = ins.args.first()
            {
                current = ShellFamily::of_program(&first.text);
                program = Some(first.text.clone());
            }
            if let Some(slot) = shells.get_mut(index) {
                *slot = current;
            }
            if let Some(slot) = programs.get_mut(index) {
                slot.clone_from(&program);
            }
        }
        stages.push(StagePlatform { windows });
        stage_end_shells.push((current, program));
    }
    Platform {
        stages,
        shells,
        programs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Dockerfile {
        let tree = crate::syntax::dockerfile::parse(text);
        crate::model::dockerfile::from_tree(&tree, text)
    }

    #[test]
    fn windows_images() {
        for (r, want) in [
            (
                "mcr.microsoft.com/windows/servercore:ltsc2022",
                Some(WindowsBase::Other),
            ),
            (
                "mcr.microsoft.com/windows/nanoserver:ltsc2022",
                Some(WindowsBase::NanoServer),
            ),
            ("mcr.microsoft.com/windows:1809", Some(WindowsBase::Other)),
            (
                "mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022",
                Some(WindowsBase::NanoServer),
            ),
            (
                "python:3.13-windowsservercore-ltsc2022",
                Some(WindowsBase::Other),
            ),
            ("microsoft/windowsservercore", Some(WindowsBase::Other)),
            ("golang:1.23-windowsservercore", Some(WindowsBase::Other)),
            ("debian:12", None),
            ("mcr.microsoft.com/dotnet/sdk:8.0", None),
            ("windowsfan/tool:1", None),
            ("$BASE", None),
        ] {
            assert_eq!(windows_base(r), want, "{r}");
        }
    }

    /// The shell of each RUN of `text`, `# hadolint shell=` comments read.
    fn run_shells(text: &str) -> Vec<(ShellFamily, Option<String>)> {
        let tree = crate::syntax::dockerfile::parse(text);
        let df = crate::model::dockerfile::from_tree(&tree, text);
        let p = platform_with(&df, &shell_pragmas(&tree));
        df.instrs
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == InstructionKind::Run)
            .map(|(n, _)| (p.shell_at(n), p.program_at(n).map(str::to_string)))
            .collect()
    }

    #[test]
    fn shell_pragmas_declare_the_shell() {
        use ShellFamily::*;
        let pwsh = || (PowerShell, Some("powershell".to_string()));
        let sh = || (Posix, None);
        // In a stage: from the next instruction to a SHELL or the stage's end.
        let text = "FROM debian:12\nRUN a\n# hadolint shell=powershell\nRUN b\nSHELL [\"/bin/sh\", \"-c\"]\nRUN c\n# hadolint shell=powershell\nRUN d\nFROM debian:12\nRUN e\n";
        assert_eq!(
            run_shells(text),
            [sh(), pwsh(), (Posix, Some("/bin/sh".into())), pwsh(), sh()]
        );
        // Above the first FROM: every stage starts with it; a stage built on another starts
        // with that one's shell.
        let text = "#hadolint   shell=powershell\nARG V=12\nFROM debian:$V AS a\nRUN a\nSHELL [\"bash\", \"-c\"]\nFROM debian:12\nRUN b\nFROM a\nRUN c\n";
        assert_eq!(
            run_shells(text),
            [pwsh(), pwsh(), (Posix, Some("bash".into()))]
        );
        // Above a later FROM: that stage. A Windows stage's default gives way to it too.
        let text = "FROM debian:12\nRUN a\n# hadolint shell=bash\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN b\n";
        assert_eq!(run_shells(text), [sh(), (Posix, Some("bash".into()))]);
        // Not pragmas: another tool's comment, no program, a comment inside a continuation.
        let text = "FROM debian:12\n# plimsoll shell=powershell\nRUN a\n# hadolint shell=\nRUN b\n# hadolintshell=pwsh\nRUN c \\\n# hadolint shell=pwsh\n  d\nRUN e\n";
        assert_eq!(run_shells(text), [sh(), sh(), sh(), sh()]);
    }

    #[test]
    fn shells_follow_shell_instructions_and_stages() {
        let text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\nRUN dir\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-Item x\nFROM win\nRUN y\nFROM debian:12 AS lin\nRUN a\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN b\nSHELL [\"/usr/bin/fish\", \"-c\"]\nRUN c\nFROM --platform=windows/amd64 $UNKNOWN\nRUN d\n";
        let df = model(text);
        let p = platform(&df);
        use ShellFamily::*;
        let runs: Vec<ShellFamily> = df
            .instrs
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == InstructionKind::Run)
            .map(|(n, _)| p.shell_at(n))
            .collect();
        assert_eq!(
            runs,
            [Cmd, PowerShell, PowerShell, Posix, Posix, Other, Cmd]
        );
        let programs: Vec<Option<&str>> = df
            .instrs
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == InstructionKind::Run)
            .map(|(n, _)| p.program_at(n))
            .collect();
        assert_eq!(
            programs,
            [
                None,
                Some("powershell"),
                Some("powershell"),
                None,
                Some("/bin/bash"),
                Some("/usr/bin/fish"),
                None
            ]
        );
        let windows: Vec<bool> = p.stages.iter().map(|s| s.windows.is_some()).collect();
        assert_eq!(windows, [true, true, false, true]);
        assert_eq!(ShellFamily::of_program("C:\\Windows\\cmd.exe"), Cmd);
        assert_eq!(ShellFamily::of_program("pwsh"), PowerShell);
    }
}

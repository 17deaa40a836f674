//! Analyses: what several rules need to know about a file, computed once per file on first use
//! and shared by every rule that asks. Between the model and the rules in the one-way flow
//! (bytes → syntax → model → analysis → rules → findings): analyses know the model and the
//! shared vocabularies (command words and wrappers, package managers, file modes, secrets,
//! image references) and nothing of rules, findings or output.
//!
//! - [`command`]: the commands a RUN, CMD or compose `command:` runs.
//! - [`compose`]: what compose services reach on the host (bind sources, runtime sockets,
//!   capabilities, `security_opt`, published ports), each shared value reported once.
//! - [`packages`]: the package-manager model.
//! - [`images`]: every place a file names an image; [`image_match`]: references against an
//!   organisation's patterns (allowed registries, banned images).
//! - [`labels`]: the labels an image carries and the value formats a label schema asks for.
//! - [`permissions`] and [`mode`]: setuid and setgid bits granted and stripped.
//! - [`secret`]: credentials in text, names that hold secrets, credential files.
//! - [`pin`]: where an image reference takes a digest, for `plimsoll pin` and its fixes.
//! - [`variables`]: what `ARG` and `ENV` declare, and what the expander sees at an instruction.
//! - [`dispatch`]: what BuildKit's dispatch sees at each instruction (environment, declared
//!   `ARG`s, expanded words, undefined variables).
//! - [`context`]: the build context's `.dockerignore`.
//! - [`shell_join`]: whether two RUNs' scripts can be joined without changing the build.
//! - [`platform`]: Windows or Linux stages, and the shell each `RUN` is given to.
//! - [`download`]: what RUN downloads, and downloaded scripts run straight away.
//! - [`trust`]: TLS and signature checks the build turns off.
//! - [`remote_source`]: what an `ADD` source is (a Git repository, an HTTP file, a path).
//! - [`labels`]: the labels each stage carries, and the value formats of a label schema.
//! - [`stages`]: the stages that make up the final image, the user in effect at an instruction.
//! - [`compose_layout`]: a compose file's collections as written, and the edits that reorder or
//!   re-quote their entries in place.
//! - [`shell_scripts`]: the scripts each `RUN` hands its shell (heredocs included), with the
//!   way back from every script byte to the file.

pub mod command;
pub mod compose;
pub mod compose_layout;
pub mod context;
pub mod dispatch;
pub mod download;
pub mod image_match;
pub mod images;
pub mod labels;
pub mod mode;
pub mod packages;
pub mod permissions;
pub mod pin;
pub mod platform;
pub mod remote_source;
pub mod secret;
pub mod shell_join;
pub mod shell_scripts;
pub mod stages;
pub mod trust;
pub mod variables;

use crate::model::build_inputs::BuildInputs;
use crate::model::compose::ComposeFile;
use crate::model::dockerfile::{Dockerfile, ImageUse, Instr};
use crate::source::SourceFile;
use crate::syntax::expand::Budget;
use command::Command;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::Arc;

/// One file, parsed, with its analyses computed lazily. Built by the engine for each file and
/// shared (read-only) by every rule that runs on it.
pub struct Analysis<'a> {
    pub file: &'a SourceFile,
    /// The Dockerfile syntax tree (every token with its span), for a Dockerfile.
    pub tree: Option<&'a crate::syntax::dockerfile::Dockerfile>,
    /// The Dockerfile model, for a Dockerfile.
    pub dockerfile: Option<&'a Dockerfile>,
    /// The compose model, for a compose file.
    pub compose: Option<&'a ComposeFile>,
    secret_allowlist: &'a [String],
    /// What the build is given (build arguments, platforms).
    pub build: &'a BuildInputs,
    images: OnceCell<Cow<'a, [ImageUse]>>,
    commands: &'a CommandStore<'a>,
    packages: OnceCell<Packages<'a>>,
    secrets: OnceCell<secret::detect::FileSecrets>,
    allowlist: OnceCell<Arc<secret::allowlist::Allowlist>>,
    weakenings: OnceCell<Vec<trust::Weakened>>,
    dispatch: OnceCell<dispatch::Dispatch>,
    global_args: OnceCell<dispatch::GlobalArgs>,
    dockerignore: OnceCell<Option<context::ContextIgnore>>,
    platform: OnceCell<platform::Platform>,
}

/// The commands of each instruction (empty for all but RUN), top-level and ONBUILD-wrapped.
struct Runs<'a> {
    top: Vec<Vec<Command<'a>>>,
    onbuild: Vec<Vec<Command<'a>>>,
}

/// Where a file's RUN commands live while it is linted, outside the [`Analysis`] that reads
/// them, so that analyses of those commands ([`Analysis::package_commands`]) can be kept in the
/// `Analysis` and borrow them. The caller makes one per file and lends it to [`Analysis::new`].
#[derive(Default)]
pub struct CommandStore<'a> {
    runs: OnceCell<Runs<'a>>,
}

/// The package-manager reading of each command of [`Runs`], in the same shape.
struct Packages<'a> {
    top: Vec<Vec<Option<packages::PackageCommand<'a>>>>,
    onbuild: Vec<Vec<Option<packages::PackageCommand<'a>>>>,
}

impl<'a> Analysis<'a> {
    pub fn new(
        file: &'a SourceFile,
        tree: Option<&'a crate::syntax::dockerfile::Dockerfile>,
        dockerfile: Option<&'a Dockerfile>,
        compose: Option<&'a ComposeFile>,
        secret_allowlist: &'a [String],
        build: &'a BuildInputs,
        commands: &'a CommandStore<'a>,
    ) -> Analysis<'a> {
        Analysis {
            file,
            tree,
            dockerfile,
            compose,
            secret_allowlist,
            build,
            images: OnceCell::new(),
            commands,
            packages: OnceCell::new(),
            secrets: OnceCell::new(),
            allowlist: OnceCell::new(),
            weakenings: OnceCell::new(),
            dispatch: OnceCell::new(),
            global_args: OnceCell::new(),
            dockerignore: OnceCell::new(),
            platform: OnceCell::new(),
        }
    }

    /// What BuildKit's dispatch sees (see [`dispatch`]); empty for a compose file.
    pub fn dispatch(&self) -> &dispatch::Dispatch {
        self.dispatch.get_or_init(|| match self.dockerfile {
            Some(df) => {
                let budget = Budget::for_text(self.text().len());
                dispatch::dispatch(df, self.text(), self.build, self.global_args(), budget)
            }
            None => dispatch::Dispatch::default(),
        })
    }

    /// BuildKit's global ARGs, with which it expands FROM (see [`dispatch::global_args`]).
    pub fn global_args(&self) -> &dispatch::GlobalArgs {
        self.global_args.get_or_init(|| match self.dockerfile {
            Some(df) => {
                let budget = Budget::for_text(self.text().len());
                dispatch::global_args(df, self.build, budget)
            }
            None => dispatch::GlobalArgs::default(),
        })
    }

    /// The `.dockerignore` of the Dockerfile's build context (read on first use).
    pub fn dockerignore(&self) -> Option<&context::ContextIgnore> {
        self.dockerignore
            .get_or_init(|| context::dockerignore_for(&self.file.path))
            .as_ref()
    }

    /// The whole source text.
    pub fn text(&self) -> &'a str {
        &self.file.text
    }

    /// Every place the file names an image (see [`images::image_uses`]).
    pub fn image_uses(&self) -> &[ImageUse] {
        self.images
            .get_or_init(|| images::image_uses(self.dockerfile, self.compose))
    }

    /// The simple commands of instruction `index` of the Dockerfile model (or of the
    /// instruction it wraps, with `onbuild`): a shell-form RUN's commands, heredoc bodies fed
    /// to a shell included, or an exec-form RUN as one command. Empty for other instructions.
    pub fn run_commands(&self, index: usize, onbuild: bool) -> &'a [Command<'a>] {
        let runs = self.runs();
        let list = if onbuild { &runs.onbuild } else { &runs.top };
        list.get(index).map_or(&[], Vec::as_slice)
    }

    fn runs(&self) -> &'a Runs<'a> {
        let store: &'a CommandStore<'a> = self.commands;
        store.runs.get_or_init(|| self.parse_runs())
    }

    /// [`packages::classify`] of each of [`Analysis::posix_run_commands`], in the same order:
    /// read once per file, where a score of rules ask for it (reading each package of a long
    /// `apt-get install` again for each rule was a tenth of a corpus run).
    pub fn package_commands(
        &self,
        index: usize,
        onbuild: bool,
    ) -> &[Option<packages::PackageCommand<'a>>] {
        if self.posix_run_commands(index, onbuild).is_empty() {
            return &[];
        }
        let packages = self.packages.get_or_init(|| {
            let runs = self.runs();
            let read = |lists: &'a [Vec<Command<'a>>]| -> Vec<Vec<_>> {
                lists
                    .iter()
                    .map(|list| list.iter().map(packages::classify).collect())
                    .collect()
            };
            Packages {
                top: read(&runs.top),
                onbuild: read(&runs.onbuild),
            }
        });
        let list = if onbuild {
            &packages.onbuild
        } else {
            &packages.top
        };
        list.get(index).map_or(&[], Vec::as_slice)
    }

    /// [`Analysis::run_commands`] when a POSIX shell reads them: a shell-form RUN in a stage
    /// whose `SHELL` (or Windows default) is PowerShell, `cmd` or another program runs text
    /// this tokenizer does not describe, so it yields nothing there. Exec-form RUNs run without
    /// a shell and are always read.
    pub fn posix_run_commands(&self, index: usize, onbuild: bool) -> &'a [Command<'a>] {
        let exec_form = self
            .dockerfile
            .and_then(|df| df.instrs.get(index))
            .and_then(|ins| {
                if onbuild {
                    ins.onbuild.as_deref()
                } else {
                    Some(ins)
                }
            })
            .is_some_and(Instr::is_exec_form);
        if !exec_form && self.platform().shell_at(index) != platform::ShellFamily::Posix {
            return &[];
        }
        self.run_commands(index, onbuild)
    }

    /// [`Analysis::run_commands`] of an instruction the caller holds (a top-level one or the
    /// one an ONBUILD wraps).
    pub fn commands_of(&self, ins: &Instr) -> &'a [Command<'a>] {
        let Some(df) = self.dockerfile else {
            return &[];
        };
        for (i, top) in df.instrs.iter().enumerate() {
            if std::ptr::eq(top, ins) {
                return self.run_commands(i, false);
            }
            if top
                .onbuild
                .as_deref()
                .is_some_and(|inner| std::ptr::eq(inner, ins))
            {
                return self.run_commands(i, true);
            }
        }
        &[]
    }

    fn parse_runs(&self) -> Runs<'a> {
        let text = self.text();
        let of = |ins: &'a Instr| {
            if ins.kind == crate::syntax::dockerfile::InstructionKind::Run {
                command::run_commands(ins, text)
            } else {
                Vec::new()
            }
        };
        let instrs: &'a [Instr] = self.dockerfile.map_or(&[], |df| df.instrs.as_slice());
        Runs {
            top: instrs.iter().map(of).collect(),
            onbuild: instrs
                .iter()
                .map(|i| i.onbuild.as_deref().map(of).unwrap_or_default())
                .collect(),
        }
    }

    /// The TLS and signature checks the Dockerfile turns off (see [`trust::weakenings`]).
    pub fn weakenings(&self) -> &[trust::Weakened] {
        self.weakenings.get_or_init(|| trust::weakenings(self))
    }

    /// Each stage's platform and each instruction's shell, `# hadolint shell=` comments
    /// included (see [`platform::platform_with`]); empty for a compose file.
    pub fn platform(&self) -> &platform::Platform {
        self.platform.get_or_init(|| {
            let Some(df) = self.dockerfile else {
                return platform::Platform::default();
            };
            let pragmas = self.tree.map(platform::shell_pragmas).unwrap_or_default();
            platform::platform_with(df, &pragmas)
        })
    }

    /// The configured secret allow-list, compiled (cached across files with the same list).
    pub fn secret_allowlist(&self) -> &Arc<secret::allowlist::Allowlist> {
        self.allowlist
            .get_or_init(|| secret::allowlist::Allowlist::cached(self.secret_allowlist))
    }

    /// The credentials found in the file's text (one scan for every secret rule).
    pub fn secrets(&self) -> &secret::detect::FileSecrets {
        self.secrets
            .get_or_init(|| secret::detect::scan_file(self.text(), self.secret_allowlist()))
    }
}

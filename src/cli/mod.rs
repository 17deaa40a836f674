//! Command-line interface: clap definitions and one module per subcommand.
//!
//! Exit codes (the contract scripts rely on): 0 nothing at or above the fail level; 1 findings at
//! or above it; 2 usage, configuration or I/O error.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

mod build_flags;
pub mod check;
pub mod debug;
pub mod init;
pub mod lsp_cmd;
pub mod output;
pub mod pin;
pub mod policy_cmd;
pub mod rule_info;
pub mod rules_cmd;

/// The outcome of a command, mapped to the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing at or above the fail level.
    Success = 0,
    /// Findings at or above the fail level (or `pin --check` found drift).
    Failure = 1,
    /// Usage, configuration or I/O error.
    Error = 2,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(s as u8)
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "plimsoll",
    version,
    about = "A fast linter and policy engine for Dockerfiles and Docker Compose files",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Arguments of `check`, the default command.
    #[command(flatten)]
    pub check: CheckArgs,
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Dockerfiles and compose files (the default command).
    Check(CheckArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Show a rule's documentation.
    Explain(ExplainArgs),
    /// Write a commented plimsoll.toml in the current directory.
    Init(InitArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
    /// Pin image references to digests resolved from their registries.
    Pin(PinArgs),
    /// Run the language server over stdio.
    Lsp(LspArgs),
    /// Tools for Rego policy authors: run their tests, show the input they see.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Developer tools.
    #[command(subcommand)]
    Debug(DebugCommand),
}

#[derive(Debug, Default, Args)]
pub struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input. Defaults to the current directory.
    pub paths: Vec<PathBuf>,
    /// Output format (default: human, or the config's `output-format`).
    #[arg(long, value_enum)]
    pub format: Option<crate::report::Format>,
    /// Rules to enable, by code or name (`ALL` for every rule, including those off by default).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Rules to disable, by code or name.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Use this configuration file instead of discovering plimsoll.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The file name to report for, and to detect the kind of, standard input.
    #[arg(long)]
    pub stdin_filename: Option<PathBuf>,
    /// Treat every named file as this kind (dockerfile or compose).
    #[arg(long)]
    pub file_kind: Option<String>,
    /// Lowest severity that makes the exit code 1: error, warning (the default), info, style,
    /// or none (never fail on findings; they are still reported).
    #[arg(long, value_name = "LEVEL")]
    pub fail_level: Option<String>,
    /// Report only findings not in this baseline file.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Write the current findings to this baseline file.
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// Apply safe fixes.
    #[arg(long)]
    pub fix: bool,
    /// Apply unsafe fixes too.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff and write nothing.
    #[arg(long)]
    pub diff: bool,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Print a count of findings per rule.
    #[arg(long)]
    pub statistics: bool,
    /// Report suppression comments that suppress nothing.
    #[arg(long)]
    pub report_unused_suppressions: bool,
    /// Also run rules in preview (new rules not yet stable; see `plimsoll rules`).
    #[arg(long)]
    pub preview: bool,
    /// Download the files `ADD <url>` instructions fetch, so that add-url-checksum can offer
    /// a fix writing their `--checksum=sha256:…` (network access; never done otherwise).
    #[arg(long)]
    pub fetch_checksums: bool,
    /// Do not read any configuration file.
    #[arg(long)]
    pub isolated: bool,
    /// Interpolate compose files from `.env` and `${VAR:-default}`s only, not from this
    /// process's environment, so results do not depend on the machine.
    #[arg(long)]
    pub ignore_env: bool,
    /// Lint on this many threads (default: one per core, or `RAYON_NUM_THREADS`).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<std::num::NonZeroUsize>,
    /// A build argument, as `docker build --build-arg NAME=VALUE` (`NAME` alone takes the value
    /// from the environment): ARGs take it, so `FROM $BASE` is judged as it is built.
    /// `BUILDKIT_DOCKERFILE_CHECK` configures BuildKit's checks, as in `docker build`.
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,
    /// The platform images are built for, as `docker build --platform` (default: the
    /// configuration's `platform`, else the host's architecture on Linux).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// The stage built, as `docker build --target STAGE`: the rules about the image (its user,
    /// health check, labels) judge that stage rather than the last. Wins over a compose
    /// service's `build.target`.
    #[arg(long = "target", value_name = "STAGE")]
    pub target_stage: Option<String>,
    /// Ask registries for the platforms of base images that plimsoll.lock does not record
    /// (invalid-base-image-platform); without it, linting never uses the network.
    #[arg(long)]
    pub online: bool,
    /// Walk into directories that symbolic links in the tree name (loops are reported).
    #[arg(long)]
    pub follow_links: bool,
    /// Also run the Rego policies in this `.rego` file or directory (package `main`, plimsoll
    /// input; `[[policy]]` in plimsoll.toml configures more). Repeatable.
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// A compose file of the project, as `docker compose -f`: repeat it to merge several in
    /// order (later files override earlier ones); the files are linted as one project.
    #[arg(long = "compose-file", short = 'f', value_name = "FILE")]
    pub compose_files: Vec<PathBuf>,
    /// Lint only the compose services this profile enables, as `docker compose --profile`
    /// (repeatable; `*` enables all). Without it `COMPOSE_PROFILES` (comma-separated) is read;
    /// with neither, every service is linted, whatever its `profiles:` (a linter judges all
    /// of them).
    #[arg(long = "profile", value_name = "NAME")]
    pub profiles: Vec<String>,
}

#[derive(Debug, Default, Args)]
pub struct LspArgs {
    /// Use this configuration file for every document instead of discovering plimsoll.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Do not read any configuration file.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
    /// Also run the Rego policies in this `.rego` file or directory (package `main`, plimsoll
    /// input), as `plimsoll check --policy`; recompiled when a `.rego` file changes. Repeatable.
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "human")]
    pub format: RulesFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule code, name, or alias (hadolint DL code, BuildKit check name).
    pub rule: String,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing plimsoll.toml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct PinArgs {
    /// Files or directories whose image references to pin. Defaults to the current directory.
    pub paths: Vec<PathBuf>,
    /// Change nothing; exit 1 when a reference is unpinned or disagrees with the lock file.
    #[arg(long)]
    pub check: bool,
    /// Write or update plimsoll.lock with the resolved digests.
    #[arg(long)]
    pub lock: bool,
    /// Resolve digests from plimsoll.lock only; never contact a registry.
    #[arg(long)]
    pub offline: bool,
    /// Re-resolve references that are already pinned.
    #[arg(long)]
    pub update: bool,
    /// Allow plain HTTP to this registry (loopback registries are always allowed).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub insecure_registry: Vec<String>,
    /// Write `image@sha256:…` with a `# image:tag` comment instead of `image:tag@sha256:…`.
    #[arg(long)]
    pub digest_only: bool,
    /// Print the changes as a unified diff and write nothing.
    #[arg(long)]
    pub diff: bool,
    /// Lock file path (default: plimsoll.lock beside the first path, or in the current directory).
    #[arg(long)]
    pub lock_file: Option<PathBuf>,
    /// Walk into directories that symbolic links in the tree name (loops are reported).
    #[arg(long)]
    pub follow_links: bool,
    /// Seconds a registry may take to answer one request (default 30).
    #[arg(long, value_name = "SECONDS")]
    pub registry_timeout: Option<std::num::NonZeroU64>,
    /// Write nothing unless every reference resolves (the behaviour before partial pinning).
    #[arg(long)]
    pub all_or_nothing: bool,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run the `test_*` rules of Rego policies (as `opa test`); exit 1 when one fails, 2 when
    /// one cannot be evaluated or a policy does not load.
    Test(PolicyTestArgs),
    /// Print the document a policy sees as `input` for a file.
    Input(PolicyInputArgs),
    /// Print the JSON Schema of plimsoll's input document.
    Schema,
}

#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    /// `.rego` files or directories, policies and tests together (default: the `[[policy]]`
    /// paths of the configuration here, else `policy/`).
    pub paths: Vec<PathBuf>,
    /// Also list the tests that pass.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Seconds one test may take (default 2).
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<f64>,
}

#[derive(Debug, Args)]
pub struct PolicyInputArgs {
    /// The Dockerfile or compose file.
    pub file: PathBuf,
    /// `plimsoll` (the default) or `conftest`.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// Treat the file as this kind (dockerfile or compose).
    #[arg(long)]
    pub file_kind: Option<String>,
    /// Use this configuration file instead of discovering plimsoll.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Do not read any configuration file.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
    /// Also run the Rego policies in this `.rego` file or directory (package `main`, plimsoll
    /// input), as `plimsoll check --policy`; recompiled when a `.rego` file changes. Repeatable.
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Print a Dockerfile's syntax tree.
    Ast(DebugAstArgs),
}

#[derive(Debug, Args)]
pub struct DebugAstArgs {
    /// `tree` (plimsoll's own tree) or `buildkit` (BuildKit's AST dump, byte for byte).
    #[arg(long, default_value = "tree")]
    pub format: String,
    pub file: PathBuf,
}

/// Entry point used by `main.rs`.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(subcommand_first(std::env::args_os().collect())) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
            let _ = e.print();
            return code.into();
        }
    };
    run(cli).into()
}

/// The arguments with any options written before a subcommand moved to just after it, so that
/// `plimsoll --isolated lsp` and `plimsoll -j 1 check` mean `plimsoll lsp --isolated` and
/// `plimsoll check -j 1`: options are accepted before and after the subcommand. Without this,
/// clap reads options before a subcommand as the default command's, and the subcommand's name
/// as a path to lint. The first argument that is neither an option nor an option's value
/// decides: a subcommand's name is moved to the front; anything else is a path, and nothing
/// moves.
pub fn subcommand_first(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    // Only an option first can put anything before a subcommand; building clap's command to
    // find out costs more than a small check, so the usual case skips it.
    if !args
        .get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| a.starts_with('-') && a != "-" && a != "--")
    {
        return args;
    }
    let cmd = Cli::command();
    let takes_value = |long: Option<&str>, short: Option<char>| {
        cmd.get_arguments().any(|a| {
            a.get_action().takes_values()
                && ((long.is_some() && a.get_long() == long)
                    || (short.is_some() && a.get_short() == short))
        })
    };
    let is_subcommand = |word: &str| {
        cmd.get_subcommands()
            .any(|c| c.get_name() == word || c.get_all_aliases().any(|a| a == word))
    };
    let mut i = 1;
    while let Some(arg) = args.get(i) {
        let Some(word) = arg.to_str() else {
            return args;
        };
        if word == "--" {
            return args;
        }
        if let Some(long) = word.strip_prefix("--") {
            let value_follows = !long.contains('=') && takes_value(Some(long), None);
            i += if value_follows { 2 } else { 1 };
            continue;
        }
        if let Some(shorts) = word.strip_prefix('-')
            && !shorts.is_empty()
        {
            // `-j 1` has its value next; `-j1` and flag clusters do not.
            let value_follows =
                shorts.chars().count() == 1 && takes_value(None, shorts.chars().next());
            i += if value_follows { 2 } else { 1 };
            continue;
        }
        if i == 1 || !is_subcommand(word) {
            return args;
        }
        let mut moved = Vec::with_capacity(args.len());
        moved.push(args[0].clone());
        moved.push(arg.clone());
        moved.extend(args[1..i].iter().cloned());
        moved.extend(args[i + 1..].iter().cloned());
        return moved;
    }
    args
}

pub fn run(cli: Cli) -> ExitStatus {
    match cli.command {
        None => {
            // `plimsoll chekc` is a mistyped subcommand more often than a path to lint.
            if let Some(hint) = mistyped_subcommand(&cli.check.paths) {
                return fail(hint);
            }
            check::run(cli.check)
        }
        Some(Command::Check(args)) => check::run(args),
        Some(Command::Rules(args)) => rules_cmd::rules(args),
        Some(Command::Explain(args)) => rules_cmd::explain(args),
        Some(Command::Init(args)) => init::run(args),
        Some(Command::Completions(args)) => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            clap_complete::generate(args.shell, &mut cmd, "plimsoll", &mut std::io::stdout());
            ExitStatus::Success
        }
        Some(Command::Pin(args)) => pin::run(args),
        Some(Command::Lsp(args)) => lsp_cmd::run(args),
        Some(Command::Policy(PolicyCommand::Test(args))) => policy_cmd::test(args),
        Some(Command::Policy(PolicyCommand::Input(args))) => policy_cmd::input(args),
        Some(Command::Policy(PolicyCommand::Schema)) => policy_cmd::schema(),
        Some(Command::Debug(DebugCommand::Ast(args))) => debug::ast(args),
    }
}

/// When the first path given to the default command does not exist and its name is close to a
/// subcommand's, the message that says so.
fn mistyped_subcommand(paths: &[PathBuf]) -> Option<String> {
    use clap::CommandFactory;
    let first = paths.first()?;
    let word = first.to_str()?;
    if word.contains(['/', '\\', '.']) || word == "-" || first.exists() {
        return None;
    }
    let cmd = Cli::command();
    let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
    let suggestion = crate::config::did_you_mean(word, names)?;
    Some(format!(
        "`{word}` is neither a file nor a subcommand; did you mean `plimsoll {suggestion}`?"
    ))
}

/// Prints an error as `plimsoll: error: …` on stderr and returns exit status 2.
pub fn fail(message: impl std::fmt::Display) -> ExitStatus {
    eprintln!("plimsoll: error: {message}");
    ExitStatus::Error
}

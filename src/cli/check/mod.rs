//! `plimsoll check`: discover → read → lint (in parallel) → suppressions → baseline → report.
//!
//! Each file's result is written, in file order, as soon as it and every file before it are
//! done ([`ordered`]): a run holds the findings of the files in flight, not of every file, so
//! its memory does not grow with the number of findings. Formats whose header needs every file
//! first (SARIF, JUnit) keep the reports until the end.
//!
//! Exit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 a usage,
//! configuration or I/O error. An unreadable path does not stop the run: it is reported on
//! stderr, every other file is linted and reported, and the exit code is 2.

mod baseline;
mod ordered;
mod statistics;

use super::build_flags::{BuildFlags, Online};
use super::output::Output;
use super::{CheckArgs, ExitStatus};
use crate::config::FailLevel;
use crate::discover::{self, Loaded, Target};
use crate::file_settings::{SettingsOptions, SettingsSource};
use crate::finding::FileReport;
use crate::fix::{
    FileFixed, FixMode, FixTo, MAX_PASSES, fix_file_checked, fix_until_stable, fixes_of,
};
use crate::fsio::{FileSnapshot, Roots};
use crate::report::{self, Format, Totals};
use crate::source::{FileKind, SourceFile};
use statistics::Statistics;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use crate::lint::{INVALID_UTF8_CODE, INVALID_UTF8_NAME};

impl CheckArgs {
    /// What the command line says about where settings come from.
    pub fn settings_options(&self) -> SettingsOptions {
        SettingsOptions {
            config: self.config.clone(),
            isolated: self.isolated,
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            preview: self.preview,
            ignore_env: self.ignore_env,
            cache_files: true,
            fetch_checksums: self.fetch_checksums,
            policies: self.policies.clone(),
            compose_project: self.compose_files.clone(),
            // `COMPOSE_PROFILES` is compose's own setting: read as compose reads it, unless
            // the environment is left out.
            compose_profiles: crate::model::compose::profiles::active(
                &self.profiles,
                (!self.ignore_env)
                    .then(|| std::env::var("COMPOSE_PROFILES").ok())
                    .flatten()
                    .as_deref(),
            ),
        }
    }
}

/// What a run writes: one of these, never two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The findings, in a format.
    Report(Format),
    /// `--statistics`: counts per rule.
    Statistics(Format),
    /// `--write-baseline`: the baseline file, and no report.
    WriteBaseline,
    /// `--diff`: the fixes as a unified diff, and no report.
    Diff,
}

pub fn run(args: CheckArgs) -> ExitStatus {
    // A misspelt rule would otherwise select (or ignore) nothing without a word.
    let named = [("--select", &args.select), ("--ignore", &args.ignore)];
    for (option, selectors) in named {
        if let Some(message) = selectors
            .iter()
            .find_map(|s| crate::config::unknown_selector(s))
        {
            return super::fail(format!("{message} in {option}"));
        }
        for s in selectors {
            if let crate::rules::catalog::SelectorCheck::Deprecated { rule, replaced_by } =
                crate::rules::catalog::check_selector(s)
            {
                let instead = replaced_by.map_or(String::new(), |r| format!("; use `{r}`"));
                eprintln!("plimsoll: warning: rule `{rule}` in {option} is deprecated{instead}");
            }
        }
    }
    let build_flags = match BuildFlags::parse(&args) {
        Ok(b) => b,
        Err(e) => return super::fail(e),
    };
    let online = args.online.then(Online::new);
    // A run reads each directory as it is now: ignore files are looked up in one listing.
    crate::analysis::context::snapshot_directories();
    start_workers(&args);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut source = match SettingsSource::new(&args.settings_options(), cwd.clone()) {
        Ok(s) => s,
        Err(e) => return super::fail(e),
    };
    let resolver = source.resolver();
    let global = match resolver.for_dir(&cwd) {
        Ok(c) => c,
        Err(e) => return super::fail(e),
    };
    let format = args
        .format
        .or(global.output_format)
        .unwrap_or(Format::Human);
    let fail_level = match &args.fail_level {
        Some(s) => match FailLevel::parse(s) {
            Some(l) => l,
            None => {
                return super::fail(format!(
                    "invalid --fail-level `{s}` (expected error, warning, info, style or none)"
                ));
            }
        },
        None => global.fail_level.unwrap_or_default(),
    };
    let file_kind = match args.file_kind.as_deref().map(|k| (k, FileKind::parse(k))) {
        None => None,
        Some((_, Some(k))) => Some(k),
        Some((k, None)) => {
            return super::fail(format!(
                "invalid --file-kind `{k}` (expected dockerfile or compose)"
            ));
        }
    };
    let fixing = FixRun::of(&args);
    let mode = if fixing.is_some_and(|f| f.diff) {
        Mode::Diff
    } else if args.write_baseline.is_some() {
        Mode::WriteBaseline
    } else if args.statistics {
        Mode::Statistics(format)
    } else {
        Mode::Report(format)
    };
    let known = match (&args.baseline, mode) {
        (Some(path), Mode::Report(_) | Mode::Statistics(_)) => {
            match std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|t| baseline::read(&t))
            {
                Ok(k) => Some(k),
                Err(e) => return super::fail(format!("{}: invalid baseline: {e}", path.display())),
            }
        }
        _ => None,
    };

    // Discover.
    let mut paths = args.paths.clone();
    // `-f a.yaml -f b.yaml` names files to lint, and makes them one project.
    paths.extend(args.compose_files.iter().cloned());
    if paths.is_empty() && args.stdin_filename.is_some() {
        paths.push(PathBuf::from("-"));
    }
    let kind_for = |p: &Path| resolver.for_file(p).ok().and_then(|c| c.kind_for(p));
    let exclude = source.excluder();
    let mut found = discover::discover(
        &paths,
        &discover::Options {
            file_kind,
            stdin_filename: args.stdin_filename.clone(),
            kind_for: &kind_for,
            exclude: Some(exclude.clone()),
            follow_links: args.follow_links,
        },
    );
    // A compose project is linted with the dotenv files it reads (not when `--file-kind`
    // says what every named file is).
    if file_kind.is_none() {
        // Included files are loaded as their including project reads them (project
        // directory, dotenv files): walked once here, before anything is linted.
        let roots: Vec<PathBuf> = found
            .targets
            .iter()
            .filter(|t| t.kind == FileKind::Compose && !t.stdin)
            .map(|t| t.path.clone())
            .collect();
        let included = std::sync::Arc::new(crate::model::compose::include::resolve(
            &roots,
            source.compose_files(),
        ));
        discover::add_project_env_files(&mut found, Some(&exclude), Some(&included));
        source.set_compose_includes(included);
    }
    let targets = found.targets;
    // A Dockerfile a compose service builds is linted with the service's `build.args` and
    // `build.target`: the services are looked for in the compose files checked here and in
    // the nearest compose project above the Dockerfile (`model::compose::builds`), each
    // project read once for the run. Not when `--file-kind` says what every named file is.
    let compose_builds = if file_kind.is_none() {
        crate::model::compose::builds::ComposeBuilds::for_run(
            targets
                .iter()
                .filter(|t| t.kind == FileKind::Compose && !t.stdin)
                .map(|t| t.path.clone())
                .collect(),
        )
    } else {
        crate::model::compose::builds::ComposeBuilds::default()
    };

    // Standard output carries a fixed standard input, so the report goes to standard error.
    let fixes_stdin = fixing.is_some_and(|f| !f.diff) && targets.iter().any(|t| t.stdin);
    let out = match (mode, &args.output) {
        (Mode::Diff | Mode::WriteBaseline, _) => Output::stdout(),
        (_, Some(path)) => match Output::file(path) {
            Ok(o) => o,
            Err(e) => return super::fail(format!("{}: {e}", path.display())),
        },
        (_, None) if fixes_stdin => Output::stderr(),
        (_, None) => Output::stdout(),
    };
    let lookup = super::rule_info::rule_info;
    let mut ctx = report::Context::new(&lookup);
    ctx.color = format == Format::Human && args.output.is_none() && report::stdout_wants_color();

    // Read, lint and fix in parallel; take each file's result in order.
    let mut run = Run::new(mode, out, found.errors, &ctx);
    // Only a run that writes fixes needs them: resolving each named path costs a `readlink`
    // per component (2,300 system calls for the 454 corpus files on the command line). The
    // empty roots allow no file.
    let roots = match fixing {
        Some(f) if !f.diff => Roots::of(&paths),
        _ => Roots::default(),
    };
    let per_file = PerFile {
        source: &source,
        args: &args,
        build: (&build_flags, online.as_ref()),
        compose_builds: &compose_builds,
        roots: &roots,
        fixing,
        mode,
        fail_level,
        known: known.as_ref(),
        ctx: &ctx,
    };
    // One file lints on this thread: asking rayon about threads would start its pool.
    let parallel = targets.len() > 1 && rayon::current_num_threads() > 1;
    ordered::for_each(
        targets.len(),
        parallel,
        |i| per_file.run(&targets[i]),
        |i, done| run.take(&targets[i], done),
    );
    run.finish(&args, fixing, &source.compose_notes())
}

/// What the workers share to lint one file and prepare its part of the output.
struct PerFile<'a> {
    source: &'a SettingsSource,
    args: &'a CheckArgs,
    /// `--build-arg`/`--platform` over each file's settings, and `--online`'s registry client.
    build: (&'a BuildFlags, Option<&'a Online>),
    /// Where the compose services that build a Dockerfile are looked for.
    compose_builds: &'a crate::model::compose::builds::ComposeBuilds,
    /// `--fix` never writes outside the paths named on the command line (a symbolic link can
    /// point anywhere).
    roots: &'a Roots,
    fixing: Option<FixRun>,
    mode: Mode,
    fail_level: FailLevel,
    known: Option<&'a baseline::Known>,
    ctx: &'a report::Context<'a>,
}

/// One file's contribution to the run, ready to be written.
#[derive(Default)]
struct Done {
    errors: Vec<String>,
    /// Fixes applied (with `--diff`: that would be).
    applied: usize,
    /// The file was rewritten (with `--diff`: would be).
    changed: bool,
    /// Its part of a report written file by file, or its diff.
    bytes: Vec<u8>,
    totals: Totals,
    /// A finding at or above the fail level.
    fails: bool,
    /// The file was refused for exceeding a safety limit.
    refused: bool,
    /// For a format written only once every file is in.
    report: Option<FileReport>,
    statistics: Option<Statistics>,
    baseline: Vec<baseline::Entry>,
    /// `--fix` on standard input: the fixed text, for standard output.
    fixed_stdin: Option<String>,
}

impl PerFile<'_> {
    fn run(&self, t: &Target) -> Result<Done, String> {
        let o = lint_target(
            t,
            self.source,
            self.args,
            self.build,
            self.compose_builds,
            self.fixing,
            self.roots,
        )?;
        let mut report = o.report;
        if let Some(known) = self.known {
            known.filter(&mut report);
        }
        let mut done = Done {
            errors: o.errors,
            applied: o.applied,
            changed: o.changed,
            totals: Totals::of(&report),
            fails: report
                .findings
                .iter()
                .any(|f| self.fail_level.fails(f.severity)),
            // A policy that failed on the file did not judge it: an error, as a refused file.
            refused: report.findings.iter().any(|f| {
                f.code == crate::rules::engine::INPUT_LIMIT
                    || f.code == crate::rules::RuleId::PolicyError.code()
            }),
            fixed_stdin: o.fixed_stdin,
            ..Done::default()
        };
        match self.mode {
            // Made with secrets kept out (`crate::lint::masked_diff`).
            Mode::Diff => done.bytes = o.diff.into_bytes(),
            Mode::WriteBaseline => done.baseline = baseline::entries(&report),
            Mode::Statistics(_) => done.statistics = Some(Statistics::of(&report)),
            Mode::Report(format) if report::has_file_parts(format) => {
                done.bytes = report::render_file_part(format, &report, self.ctx)
                    .map_err(|e| e.to_string())?;
            }
            Mode::Report(_) => done.report = Some(report),
        }
        Ok(done)
    }
}

/// The run's state as the files' results are taken in order.
struct Run<'c> {
    mode: Mode,
    out: Output,
    /// The report written file by file, when the format allows it.
    stream: Option<report::Stream>,
    /// The reports of a format written once every file is in.
    reports: Vec<FileReport>,
    statistics: Statistics,
    baseline: Vec<baseline::Entry>,
    errors: Vec<String>,
    /// Why writing the output failed; nothing more is written after it.
    write_error: Option<std::io::Error>,
    fixed: usize,
    changed_files: usize,
    fails: bool,
    refused: bool,
    fixed_stdin: Option<String>,
    ctx: &'c report::Context<'c>,
}

impl<'c> Run<'c> {
    fn new(mode: Mode, mut out: Output, errors: Vec<String>, ctx: &'c report::Context<'c>) -> Self {
        let mut write_error = None;
        let stream = match mode {
            Mode::Report(format) if report::has_file_parts(format) => {
                match report::Stream::start(format, &mut out) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        write_error = Some(e);
                        None
                    }
                }
            }
            _ => None,
        };
        Run {
            mode,
            out,
            stream,
            reports: Vec::new(),
            statistics: Statistics::default(),
            baseline: Vec::new(),
            errors,
            write_error,
            fixed: 0,
            changed_files: 0,
            fails: false,
            refused: false,
            fixed_stdin: None,
            ctx,
        }
    }

    /// Takes one file's result, in file order, and writes what it can of it.
    fn take(&mut self, t: &Target, done: Option<Result<Done, String>>) {
        let done = match done {
            Some(Ok(d)) => d,
            Some(Err(e)) => return self.errors.push(e),
            None => {
                return self.errors.push(format!(
                    "{}: internal error while linting this file; please report it",
                    t.path.display()
                ));
            }
        };
        self.errors.extend(done.errors);
        self.fixed += done.applied;
        self.changed_files += usize::from(done.changed);
        self.fails |= done.fails;
        self.refused |= done.refused;
        if done.fixed_stdin.is_some() {
            self.fixed_stdin = done.fixed_stdin;
        }
        if let Some(s) = done.statistics {
            self.statistics.add(s);
        }
        self.baseline.extend(done.baseline);
        self.reports.extend(done.report);
        let written = match (&mut self.stream, self.mode) {
            (Some(stream), _) => stream.file(&done.bytes, done.totals, &mut self.out),
            (None, Mode::Diff) => self.out.write_all(&done.bytes),
            _ => Ok(()),
        };
        self.wrote(written);
    }

    /// Records a failed write; a closed pipe (`| head`) is not an error worth a message.
    fn wrote(&mut self, r: std::io::Result<()>) {
        if let Err(e) = r
            && self.write_error.is_none()
        {
            self.write_error = Some(e);
        }
    }

    /// Writes what follows the files, reports errors, and settles the exit status.
    fn finish(mut self, args: &CheckArgs, fixing: Option<FixRun>, notes: &[String]) -> ExitStatus {
        // A configuration error is shared by every file under it: say it once.
        self.errors.sort();
        self.errors.dedup();
        for e in &self.errors {
            eprintln!("plimsoll: error: {e}");
        }
        for note in notes {
            eprintln!("plimsoll: note: {note}");
        }
        if let Some(note) = crate::external::shellcheck::take_skipped_note() {
            eprintln!("plimsoll: info: {note}");
        }
        if let Some(run) = fixing {
            let s = |n: usize| if n == 1 { "" } else { "s" };
            let verb = if run.diff { "would apply" } else { "applied" };
            eprintln!(
                "plimsoll: {verb} {} fix{} in {} file{}",
                self.fixed,
                if self.fixed == 1 { "" } else { "es" },
                self.changed_files,
                s(self.changed_files)
            );
        }
        let ended = match self.mode {
            Mode::Report(_) if self.write_error.is_none() => match self.stream.take() {
                // Nothing was checked because of an error: no summary that reads as success.
                Some(stream)
                    if stream.totals().files == 0
                        && !self.errors.is_empty()
                        && self.mode == Mode::Report(Format::Human) =>
                {
                    Ok(())
                }
                Some(stream) => stream.finish(self.ctx, &mut self.out),
                None => {
                    let reports = std::mem::take(&mut self.reports);
                    let format = match self.mode {
                        Mode::Report(f) => f,
                        _ => Format::Human,
                    };
                    report::render_parallel(format, &reports, self.ctx, &mut self.out)
                }
            },
            Mode::Statistics(format) if self.write_error.is_none() => {
                self.statistics.write(format, &mut self.out)
            }
            _ => Ok(()),
        };
        self.wrote(ended);
        if self.mode == Mode::WriteBaseline
            && let Some(path) = &args.write_baseline
        {
            let n = self.baseline.len();
            let text = baseline::write(std::mem::take(&mut self.baseline));
            if let Err(e) = crate::fsio::write_output(path, text.as_bytes()) {
                return super::fail(format!("{}: {e}", path.display()));
            }
            eprintln!(
                "plimsoll: wrote {n} finding{} to {}",
                if n == 1 { "" } else { "s" },
                path.display()
            );
            return if self.errors.is_empty() {
                ExitStatus::Success
            } else {
                ExitStatus::Error
            };
        }
        // Nothing is written after this: standard output stands in for what was finished.
        let finished = std::mem::replace(&mut self.out, Output::stdout()).finish();
        self.wrote(finished);
        if let Some(e) = self.write_error.take()
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            return match &args.output {
                Some(path) if self.mode != Mode::Diff => {
                    super::fail(format!("{}: {e}", path.display()))
                }
                _ => super::fail(e),
            };
        }
        if let Some(text) = self.fixed_stdin.take() {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return super::fail(e);
            }
        }
        // A file refused for exceeding a safety limit was not checked: like an unreadable
        // file, that is an input error, so a CI gate cannot pass it.
        if !self.errors.is_empty() || self.refused {
            ExitStatus::Error
        } else if self.fails {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        }
    }
}

/// Starts the worker pool when several files are to be linted (`--threads` sizes it), so its
/// threads start while this one reads configuration and finds the files. One named file, or
/// standard input, lints on this thread and never starts the pool.
fn start_workers(args: &CheckArgs) {
    let several = match args.paths.as_slice() {
        [] => args.stdin_filename.is_none(),
        [one] => one.as_os_str() != "-" && one.is_dir(),
        _ => true,
    };
    if several || args.threads.is_some() {
        // This thread is one of the workers: it would otherwise wait, idle, for the others.
        // Each new worker warms up (builds the rules' shared tables) while this thread finds
        // the files.
        let mut pool = rayon::ThreadPoolBuilder::new()
            .use_current_thread()
            .start_handler(|_| crate::rules::engine::warm_up());
        if let Some(n) = args.threads {
            pool = pool.num_threads(n.get());
        }
        // Fails only if the pool already exists (an embedding that ran a check before).
        let _ = pool.build_global();
    }
}

/// `--fix` / `--unsafe-fixes` / `--diff`. `--unsafe-fixes` alone fixes, as with `--fix`.
#[derive(Clone, Copy, Debug)]
struct FixRun {
    mode: FixMode,
    diff: bool,
}

impl FixRun {
    fn of(args: &CheckArgs) -> Option<FixRun> {
        (args.fix || args.unsafe_fixes || args.diff).then_some(FixRun {
            mode: if args.unsafe_fixes {
                FixMode::Unsafe
            } else {
                FixMode::Safe
            },
            diff: args.diff,
        })
    }
}

/// One file linted (and fixed, when asked).
struct Outcome {
    /// The findings (after fixing: those that remain, positioned in the fixed text).
    report: FileReport,
    /// Problems that make the exit code 2 (a fix not written, a bad lock file).
    errors: Vec<String>,
    /// Fixes applied (with `--diff`: that would be).
    applied: usize,
    /// The file was rewritten (with `--diff`: would be).
    changed: bool,
    /// `--diff`: the file's unified diff.
    diff: String,
    /// `--fix` on standard input: the fixed text, for standard output.
    fixed_stdin: Option<String>,
}

/// Reads, lints and filters one file, and fixes it when asked.
fn lint_target(
    t: &Target,
    source: &SettingsSource,
    args: &CheckArgs,
    (build_flags, online): (&BuildFlags, Option<&Online>),
    compose_builds: &crate::model::compose::builds::ComposeBuilds,
    fixing: Option<FixRun>,
    roots: &Roots,
) -> Result<Outcome, String> {
    let resolved = source.settings_for(&t.path).map_err(|e| e.to_string())?;
    let mut settings = resolved.settings;
    build_flags.apply(&mut settings);
    if !t.stdin {
        settings.compose_builds = compose_builds.clone();
    }
    let Loaded { mut file, bad_utf8 } = discover::read(t)?;
    if t.stdin && args.stdin_filename.is_none() && args.file_kind.is_none() {
        // Nothing names standard input's kind: its content says, and the user is told.
        let kind = FileKind::sniff(&file.text);
        eprintln!(
            "plimsoll: note: standard input read as a {} by its content (name it with \
             --stdin-filename, or say --file-kind)",
            match kind {
                FileKind::Dockerfile => "Dockerfile",
                FileKind::Compose => "compose file",
                FileKind::Env => "dotenv file",
            }
        );
        if kind != file.kind {
            file = SourceFile::new(file.path.to_path_buf(), file.text.clone(), kind);
        }
    }
    if let Some(online) = online {
        online.fill(&file, &mut settings);
    }
    let report = lint_file(&file, bad_utf8, &settings, args).report;
    let mut out = Outcome {
        report,
        errors: resolved.problems,
        applied: 0,
        changed: false,
        diff: String::new(),
        fixed_stdin: None,
    };
    let Some(run) = fixing else {
        return Ok(out);
    };
    if bad_utf8.is_some() {
        // The text is a lossy decoding: writing it back would destroy the invalid bytes.
        let fixable = out.report.findings.iter().any(|f| {
            f.fix
                .as_ref()
                .is_some_and(|x| run.mode.allows(x.applicability))
        });
        if fixable || (t.stdin && !run.diff) {
            out.errors
                .push(format!("{}: not valid UTF-8; not fixed", t.path.display()));
        }
        return Ok(out);
    }
    let fixes = fixes_of(&out.report.findings);
    let relint = |text: &str| {
        let f = SourceFile::new(file.path.to_path_buf(), text.to_string(), file.kind);
        fixes_of(&lint_file(&f, None, &settings, args).report.findings)
    };
    // Before anything is written or shown, the fixed text is read again: it must parse and
    // must not hold a finding worse than the worst one a fix was offered for. Its report is
    // the one shown afterwards.
    let fixed_severity = out
        .report
        .findings
        .iter()
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|x| run.mode.allows(x.applicability))
        })
        .map(|f| f.severity)
        .max();
    let mut fixed_report = None;
    let original = out.report.findings.clone();
    let mut accept = |fixed: &str| {
        let f = SourceFile::new(file.path.to_path_buf(), fixed.to_string(), file.kind);
        let report = lint_file(&f, None, &settings, args).report;
        let verdict = crate::fix::check_fixed(
            file.kind,
            (&file.text, &original),
            (fixed, &report.findings),
            fixed_severity,
        );
        fixed_report = Some(report);
        verdict
    };
    let refused = |why: String| {
        format!(
            "{}: not fixed: {why}; nothing was written",
            t.path.display()
        )
    };
    let label = t.path.to_string_lossy().into_owned();
    // A diff shows the file's own bytes but never a secret (`crate::lint::masked_diff`).
    let diff_of = |new: &str| {
        crate::lint::masked_diff(&label, &file.path, file.kind, &file.text, new, &settings)
    };
    if t.stdin {
        let outcome = fix_until_stable(&file.text, fixes, run.mode, MAX_PASSES, relint);
        let changed = *outcome.text != *file.text;
        if changed && let Err(why) = accept(&outcome.text) {
            out.errors.push(refused(why));
            if !run.diff {
                // Standard output still carries the text: the original, unchanged.
                out.fixed_stdin = Some(file.text.to_string());
            }
            return Ok(out);
        }
        out.applied = outcome.applied;
        out.changed = changed;
        if run.diff {
            out.diff = diff_of(&outcome.text);
            return Ok(out);
        }
        out.fixed_stdin = Some(outcome.text);
    } else {
        let snapshot = FileSnapshot {
            path: t.path.clone(),
            bytes: file.text.as_bytes().to_vec(),
        };
        let (outcome, result) = fix_file_checked(
            &snapshot,
            &file.text,
            fixes,
            run.mode,
            if run.diff {
                FixTo::Preview
            } else {
                FixTo::Disk(roots)
            },
            relint,
            &mut accept,
        );
        match result {
            FileFixed::Unchanged => return Ok(out),
            FileFixed::Preview => {
                out.applied = outcome.applied;
                out.changed = true;
                out.diff = diff_of(&outcome.text);
                return Ok(out);
            }
            FileFixed::Failed(e) => {
                out.errors.push(e.to_string());
                return Ok(out);
            }
            FileFixed::Refused(why) => {
                out.errors.push(refused(why));
                return Ok(out);
            }
            FileFixed::Written => {
                out.applied = outcome.applied;
                out.changed = true;
            }
        }
    }
    if let Some(report) = fixed_report {
        out.report = report;
    }
    Ok(out)
}

/// Lints one decoded file as `check` settles it ([`crate::lint::lint_file`]).
fn lint_file(
    file: &SourceFile,
    invalid_utf8_at: Option<usize>,
    settings: &crate::rules::settings::LintSettings,
    args: &CheckArgs,
) -> crate::lint::Linted {
    let opts = crate::lint::LintOptions {
        report_unused_suppressions: args.report_unused_suppressions,
        invalid_utf8_at,
    };
    crate::lint::lint_file(file, settings, opts)
}

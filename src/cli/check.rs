//! `plimsoll check`: discover → read → lint (in parallel) → suppressions → baseline → report,
//! and `plimsoll init`.
//!
//! Exit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 a usage,
//! configuration or I/O error. An unreadable path does not stop the run: it is reported on
//! stderr, every other file is linted and reported, and the exit code is 2.

use super::{CheckArgs, ExitStatus, InitArgs};
use crate::config::{self, Config, FailLevel, Resolver};
use crate::discover::{self, Loaded, Target};
use crate::finding::{FileReport, Finding, Severity};
use crate::fix::{
    FileFixed, FileSnapshot, FixMode, MAX_PASSES, fix_file, fix_until_stable, fixes_of,
};
use crate::model::compose::Env as ComposeEnv;
use crate::registry::{LOCK_FILE_NAME, LockFile};
use crate::report::{self, Format, RuleInfo};
use crate::rules::catalog;
use crate::source::{FileKind, SourceFile};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use crate::lint::{INVALID_UTF8_CODE, INVALID_UTF8_NAME};

/// Rule metadata for reporters, from the embedded catalog.
pub fn rule_info(code: &str) -> Option<RuleInfo> {
    let meta = catalog::by_code(code)?;
    Some(RuleInfo {
        code: meta.code.to_string(),
        name: meta.name.to_string(),
        summary: meta.summary.to_string(),
        help_uri: Some(catalog::doc_url(meta)),
        default_severity: meta.severity,
        security: meta.is_security(),
    })
}

pub fn run(args: CheckArgs) -> ExitStatus {
    start_workers(&args);
    let resolver = if args.isolated {
        Resolver::fixed(Config::default())
    } else if let Some(path) = &args.config {
        match config::load(path) {
            Ok(c) => Resolver::fixed(c),
            Err(e) => return super::fail(e),
        }
    } else {
        Resolver::discover()
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
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

    // Discover.
    let mut paths = args.paths.clone();
    if paths.is_empty() && args.stdin_filename.is_some() {
        paths.push(PathBuf::from("-"));
    }
    let kind_for = |p: &Path| resolver.for_file(p).ok().and_then(|c| c.kind_for(p));
    let found = discover::discover(
        &paths,
        &discover::Options {
            file_kind,
            stdin_filename: args.stdin_filename.clone(),
            kind_for: &kind_for,
        },
    );
    let mut errors = found.errors;

    // Read, lint and fix in parallel.
    let fixing = FixRun::of(&args);
    let locks = Locks::new(cwd.clone());
    // Compose interpolation sees this process's environment, as `docker compose` does.
    let compose_env = Arc::new(if args.ignore_env {
        ComposeEnv::new()
    } else {
        ComposeEnv::from_process()
    });
    let lookup = rule_info;
    let mut ctx = report::Context::new(&lookup);
    ctx.color = format == Format::Human && args.output.is_none() && report::stdout_wants_color();
    // When nothing changes the findings after linting (no baseline, no fixes, no statistics), a
    // line-oriented report is rendered file by file where each file is linted, in parallel.
    let render_early = report::has_file_parts(format)
        && !args.statistics
        && args.baseline.is_none()
        && args.write_baseline.is_none()
        && fixing.is_none();
    let lint = |t: &discover::Target| {
        let mut o = lint_target(t, &resolver, &args, fixing, &locks, &compose_env)?;
        if render_early {
            o.part =
                Some(report::render_file_part(format, &o.report, &ctx).map_err(|e| e.to_string())?);
        }
        Ok(o)
    };
    // One file (the pre-commit and editor case) runs on this thread: starting the worker pool
    // costs more than the file itself.
    let outcomes: Vec<Result<Outcome, String>> = if found.targets.len() < 2 {
        found.targets.iter().map(lint).collect()
    } else {
        // One file per job: rayon otherwise hands each thread long runs of files, and a thread
        // done early sleeps while another works through its run.
        found.targets.par_iter().with_max_len(1).map(lint).collect()
    };
    let mut reports = Vec::with_capacity(outcomes.len());
    let (mut fixed, mut changed_files) = (0usize, 0usize);
    let mut diffs = String::new();
    let mut fixed_stdin: Option<String> = None;
    let mut parts = Vec::new();
    for o in outcomes {
        match o {
            Ok(o) => {
                errors.extend(o.errors);
                fixed += o.applied;
                changed_files += usize::from(o.changed);
                // A diff quotes source lines: mask the secrets the findings marked in them.
                let secrets = crate::finding::secret_values(&o.report);
                diffs.push_str(&crate::finding::redact_values(&o.diff, &secrets));
                if o.fixed_stdin.is_some() {
                    fixed_stdin = o.fixed_stdin;
                }
                reports.push(o.report);
                parts.extend(o.part);
            }
            Err(e) => errors.push(e),
        }
    }
    // Targets come sorted from discovery and `collect` keeps their order: reports are in order.
    // A configuration error is shared by every file under it: say it once.
    errors.sort();
    errors.dedup();
    for e in &errors {
        eprintln!("plimsoll: error: {e}");
    }
    if let Some(run) = fixing {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        let verb = if run.diff { "would apply" } else { "applied" };
        eprintln!(
            "plimsoll: {verb} {fixed} fix{} in {changed_files} file{}",
            if fixed == 1 { "" } else { "es" },
            s(changed_files)
        );
        if run.diff {
            // The diff is the whole output (it can be fed to `patch`); the exit code is check's.
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(diffs.as_bytes())
                .and_then(|_| stdout.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return super::fail(e);
            }
            return exit_status(&errors, &reports, fail_level);
        }
    }

    // Baseline.
    if let Some(path) = &args.write_baseline {
        let n: usize = reports.iter().map(|r| r.findings.len()).sum();
        if let Err(e) = atomic_write(path, baseline::write(&reports).as_bytes()) {
            return super::fail(format!("{}: {e}", path.display()));
        }
        eprintln!(
            "plimsoll: wrote {n} finding{} to {}",
            if n == 1 { "" } else { "s" },
            path.display()
        );
        return if errors.is_empty() {
            ExitStatus::Success
        } else {
            ExitStatus::Error
        };
    }
    if let Some(path) = &args.baseline {
        let known = match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| baseline::read(&t))
        {
            Ok(k) => k,
            Err(e) => return super::fail(format!("{}: invalid baseline: {e}", path.display())),
        };
        baseline::filter(&mut reports, known);
    }

    // Report.
    let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum::<usize>() + 4096);
    let rendered = if args.statistics {
        statistics(&reports, format, &mut out)
    } else if render_early {
        report::render_from_parts(format, &reports, &parts, &ctx, &mut out)
    } else {
        report::render_parallel(format, &reports, &ctx, &mut out)
    };
    if let Err(e) = rendered {
        return super::fail(e);
    }
    let written = match &args.output {
        Some(path) => atomic_write(path, &out).map_err(|e| format!("{}: {e}", path.display())),
        // Standard output carries the fixed text, so the report goes to standard error.
        None if fixed_stdin.is_some() => {
            let text = fixed_stdin.take().unwrap_or_default();
            let mut stdout = std::io::stdout().lock();
            let r = stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush());
            let _ = std::io::stderr().write_all(&out);
            r.map_err(|e| e.to_string())
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&out).and_then(|_| stdout.flush()) {
                // A closed pipe (`| head`) is not an error worth a message.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.map_err(|e| e.to_string()),
            }
        }
    };
    if let Err(e) = written {
        return super::fail(e);
    }
    if let Some(text) = fixed_stdin {
        // `--output` took the report: the fixed text still goes to standard output.
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush())
        {
            return super::fail(e);
        }
    }
    exit_status(&errors, &reports, fail_level)
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

fn exit_status(errors: &[String], reports: &[FileReport], fail_level: FailLevel) -> ExitStatus {
    // A file refused for exceeding a safety limit was not checked: like an unreadable file, that
    // is an input error, so a CI gate cannot pass it.
    let refused = || {
        reports
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.code == crate::rules::engine::INPUT_LIMIT)
    };
    if !errors.is_empty() || refused() {
        ExitStatus::Error
    } else if reports
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| fail_level.fails(f.severity))
    {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
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

/// One file's result.
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
    /// The file's part of a line-oriented report, rendered where it was linted.
    part: Option<Vec<u8>>,
}

/// A lock file's digests by canonical reference, or why it could not be read.
type LockDigests = Result<Arc<BTreeMap<String, String>>, String>;

/// Digests of the nearest `plimsoll.lock` (up the tree from a file, else in the current
/// directory), read once per lock file, for unpinned-digest's fix.
struct Locks {
    cwd: PathBuf,
    cache: Mutex<HashMap<PathBuf, LockDigests>>,
    /// Directory -> its nearest lock file.
    dirs: Mutex<HashMap<std::ffi::OsString, Option<PathBuf>>>,
}

impl Locks {
    fn new(cwd: PathBuf) -> Locks {
        Locks {
            cwd,
            cache: Mutex::new(HashMap::new()),
            dirs: Mutex::new(HashMap::new()),
        }
    }

    /// The lock file for `file`, looked up once per directory (as written: the current
    /// directory does not change during a run).
    fn nearest(&self, file: &Path) -> Option<PathBuf> {
        let written = file.parent()?.as_os_str();
        if let Some(found) = self.dirs.lock().ok().and_then(|d| d.get(written).cloned()) {
            return found;
        }
        let abs = self.cwd.join(file);
        let found = abs
            .parent()?
            .ancestors()
            .map(|d| d.join(LOCK_FILE_NAME))
            .chain(std::iter::once(self.cwd.join(LOCK_FILE_NAME)))
            .find(|p| p.is_file());
        if let Ok(mut d) = self.dirs.lock() {
            d.insert(written.to_owned(), found.clone());
        }
        found
    }

    fn for_file(&self, file: &Path) -> LockDigests {
        let Some(lock) = self.nearest(file) else {
            return Ok(Arc::default());
        };
        let cached = self.cache.lock().ok().and_then(|c| c.get(&lock).cloned());
        if let Some(c) = cached {
            return c;
        }
        let loaded = LockFile::read(&lock)
            .map(|l| {
                Arc::new(
                    l.entries()
                        .map(|e| (e.reference.clone(), e.digest.clone()))
                        .collect(),
                )
            })
            .map_err(|e| e.to_string());
        if let Ok(mut c) = self.cache.lock() {
            c.insert(lock, loaded.clone());
        }
        loaded
    }
}

/// Reads, lints and filters one file, and fixes it when asked.
fn lint_target(
    t: &Target,
    resolver: &Resolver,
    args: &CheckArgs,
    fixing: Option<FixRun>,
    locks: &Locks,
    compose_env: &Arc<ComposeEnv>,
) -> Result<Outcome, String> {
    let config = resolver.for_file(&t.path).map_err(|e| e.to_string())?;
    let mut settings = config.settings_for(&t.path);
    settings.compose_env = compose_env.clone();
    if !args.select.is_empty() {
        settings.select = args.select.clone();
        settings.extend_select.clear();
    }
    settings.ignore.extend(args.ignore.iter().cloned());
    settings.preview |= args.preview;
    let mut errors = Vec::new();
    match locks.for_file(&t.path) {
        Ok(digests) => settings.options.pinned_digests = digests,
        Err(e) => errors.push(e),
    }
    let Loaded { file, bad_utf8 } = discover::read(t)?;
    let report = lint_file(&file, bad_utf8, &settings, args).report;
    let mut out = Outcome {
        report,
        errors,
        applied: 0,
        changed: false,
        diff: String::new(),
        fixed_stdin: None,
        part: None,
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
    let label = t.path.to_string_lossy().into_owned();
    let new_text = if t.stdin {
        let outcome = fix_until_stable(&file.text, fixes, run.mode, MAX_PASSES, relint);
        out.applied = outcome.applied;
        out.changed = *outcome.text != *file.text;
        if run.diff {
            out.diff = crate::fix::unified_diff(&label, &file.text, &outcome.text);
            return Ok(out);
        }
        out.fixed_stdin = Some(outcome.text.clone());
        outcome.text
    } else {
        let snapshot = FileSnapshot {
            path: t.path.clone(),
            bytes: file.text.as_bytes().to_vec(),
        };
        let (outcome, result) = fix_file(&snapshot, &file.text, fixes, run.mode, run.diff, relint);
        match result {
            FileFixed::Unchanged => return Ok(out),
            FileFixed::Diff(d) => {
                out.applied = outcome.applied;
                out.changed = true;
                out.diff = d;
                return Ok(out);
            }
            FileFixed::Failed(e) => {
                out.errors.push(e.to_string());
                return Ok(out);
            }
            FileFixed::Written => {
                out.applied = outcome.applied;
                out.changed = true;
                outcome.text
            }
        }
    };
    if *new_text != *file.text {
        let fixed = SourceFile::new(file.path.to_path_buf(), new_text, file.kind);
        out.report = lint_file(&fixed, None, &settings, args).report;
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

/// `--statistics`: findings per rule, most frequent first.
fn statistics(reports: &[FileReport], format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    let mut counts: BTreeMap<(&str, &str), (usize, Severity)> = BTreeMap::new();
    for f in reports.iter().flat_map(|r| &r.findings) {
        let e = counts.entry((f.code, f.name)).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.max(f.severity);
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    if format == Format::Json {
        let list: Vec<_> = rows
            .iter()
            .map(|((code, name), (count, sev))| {
                serde_json::json!({ "code": code, "name": name, "count": count, "severity": sev })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &list)?;
        return writeln!(out);
    }
    for ((code, name), (count, sev)) in &rows {
        writeln!(out, "{count:>6}  {code:<6} {name:<28} {sev}")?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same directory, renamed over the
/// target, so a reader never sees a half-written report.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

pub fn init(args: InitArgs) -> ExitStatus {
    let path = Path::new(config::CONFIG_NAMES[0]);
    if !args.force
        && let Some(existing) = config::CONFIG_NAMES
            .iter()
            .map(Path::new)
            .find(|p| p.exists())
    {
        return super::fail(format!(
            "{} already exists (use --force to overwrite it)",
            existing.display()
        ));
    }
    match atomic_write(path, config::INIT_TEMPLATE.as_bytes()) {
        Ok(()) => {
            eprintln!("plimsoll: wrote {}", path.display());
            ExitStatus::Success
        }
        Err(e) => super::fail(format!("{}: {e}", path.display())),
    }
}

/// Baselines: findings keyed by file, rule code and a hash of the flagged text and its line
/// (not the line number), so a line shift does not make a known finding new. Identical keys
/// are counted, so one more copy of a known problem is new.
pub mod baseline {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize)]
    struct Entry {
        file: String,
        code: String,
        hash: String,
        /// For people reading the file; not part of the key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<u32>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        version: u32,
        findings: Vec<Entry>,
    }

    type Key = (String, String, String);

    fn key(r: &FileReport, f: &Finding) -> Key {
        let hash = report::stable_hash(&[report::context_text(&r.file, f).as_bytes()]);
        (
            r.file.path.to_string_lossy().replace('\\', "/"),
            f.code.to_string(),
            hash,
        )
    }

    pub fn write(reports: &[FileReport]) -> String {
        let findings = reports
            .iter()
            .flat_map(|r| {
                r.findings.iter().map(move |f| {
                    let (file, code, hash) = key(r, f);
                    Entry {
                        file,
                        code,
                        hash,
                        line: Some(r.file.line_col(f.span.start as usize).line),
                    }
                })
            })
            .collect();
        let file = File {
            version: 1,
            findings,
        };
        serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
    }

    /// Known findings with their counts.
    pub fn read(text: &str) -> Result<HashMap<Key, usize>, String> {
        let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.version != 1 {
            return Err(format!("unsupported version {}", file.version));
        }
        let mut known = HashMap::new();
        for e in file.findings {
            // A finding recorded under a rule's former code (`PL010`) is the same finding.
            let code = catalog::current_code(&e.code).map_or(e.code, str::to_string);
            *known.entry((e.file, code, e.hash)).or_insert(0) += 1;
        }
        Ok(known)
    }

    /// Drops findings the baseline knows.
    pub fn filter(reports: &mut [FileReport], mut known: HashMap<Key, usize>) {
        for r in reports {
            let findings = std::mem::take(&mut r.findings);
            r.findings = findings
                .into_iter()
                .filter(|f| match known.get_mut(&key(r, f)) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                })
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, Span};

    #[test]
    fn baseline_survives_line_shifts_and_counts_copies() {
        let mk = |text: &str| {
            let file = SourceFile::new("Dockerfile", text.to_string(), FileKind::Dockerfile);
            let findings = text
                .match_indices("a:latest")
                .map(|(at, s)| {
                    Finding::new(
                        "PL101",
                        "latest-tag",
                        Severity::Warning,
                        Span::new(at, at + s.len()),
                        "m",
                    )
                })
                .collect();
            FileReport { file, findings }
        };
        let before = vec![mk("FROM a:latest\n")];
        let known = baseline::read(&baseline::write(&before)).unwrap();
        let mut after = vec![mk("# moved\n\nFROM a:latest\nFROM a:latest\n")];
        baseline::filter(&mut after, known);
        assert_eq!(
            after[0].findings.len(),
            1,
            "one copy is known, the other is new"
        );
        assert!(baseline::read("{\"version\":2,\"findings\":[]}").is_err());
    }
}

//! `plimsoll pin`: resolve every external image reference to its digest and rewrite it as
//! `name:tag@sha256:…`, or check that every reference is pinned and agrees with `plimsoll.lock`.
//!
//! What resolves is pinned: a reference that cannot be resolved (a missing tag, auth, a registry
//! that does not answer, a `# syntax=` image on a registry out of reach) leaves its sites as they
//! are, every such reference is reported at the end with where it is named, and the exit status
//! is 2. `--all-or-nothing` writes nothing (no file, no lock) unless every reference resolves.
//! References that cannot be pinned statically (scratch, stage names, build-argument values) are
//! skipped and reported.

use super::{ExitStatus, PinArgs};
use crate::analysis::pin::extract_sites;
use crate::finding::{Applicability, Fix};
use crate::fix::pin::{PinOptions, PinSite, Plan, Skip, classify, pin_edits};
use crate::fix::{FixMode, MAX_PASSES, fix_until_stable};
use crate::fsio::{FileSnapshot, ReadError, Roots};
use crate::registry::{Client, ClientOptions, LOCK_FILE_NAME, LockFile, Resolved, Target};
use crate::source::{FileKind, LineIndex, Span};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::SystemTime;

pub fn run(args: PinArgs) -> ExitStatus {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut opts = ClientOptions {
        insecure_registries: args.insecure_registry.clone(),
        ..ClientOptions::from_environment()
    };
    if let Some(secs) = args.registry_timeout {
        opts.timeout = std::time::Duration::from_secs(secs.get());
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match crate::config::Resolver::discover().for_dir(&cwd) {
        Ok(config) => add_config_mirrors(&mut opts, &config),
        Err(e) => return super::fail(e),
    }
    run_with(&args, opts, &mut stdout.lock(), &mut stderr.lock())
}

/// The configuration's `registry-mirrors`, tried after those of `PLIMSOLL_REGISTRY_MIRRORS`.
fn add_config_mirrors(opts: &mut ClientOptions, config: &crate::config::Config) {
    for (registry, mirrors) in &config.registry_mirrors {
        for m in mirrors {
            opts.add_mirror(registry, m);
        }
    }
}

/// One file to pin.
struct Input {
    path: PathBuf,
    kind: FileKind,
    snapshot: FileSnapshot,
    text: String,
    line_index: LineIndex,
}

impl Input {
    fn at(&self, span: Span) -> String {
        let lc = self.line_index.line_col(span.start as usize, &self.text);
        format!("{}:{}:{}", self.path.display(), lc.line, lc.column)
    }
}

/// The files `paths` name, found as `check` finds them ([`crate::discover`]). Standard input
/// cannot be rewritten, so `-` is an error.
fn collect(paths: &[PathBuf], follow_links: bool) -> (Vec<(PathBuf, FileKind)>, Vec<String>) {
    let resolver = std::sync::Arc::new(crate::config::Resolver::discover());
    let opts = crate::discover::Options {
        file_kind: None,
        stdin_filename: None,
        kind_for: &|_| None,
        // Vendored directories a configuration excludes are not pinned either.
        exclude: Some(std::sync::Arc::new(crate::config::excluder(resolver))),
        follow_links,
    };
    let found = crate::discover::discover(paths, &opts);
    let mut errors = found.errors;
    let mut files = Vec::new();
    for t in found.targets {
        if t.stdin {
            errors.push("-: `pin` rewrites files; standard input is not supported".to_string());
        } else {
            files.push((t.path, t.kind));
        }
    }
    (files, errors)
}

/// `--lock-file`, else `plimsoll.lock` in the first named directory (or beside the first named
/// file), else in the current directory.
fn lock_path(args: &PinArgs) -> PathBuf {
    if let Some(p) = &args.lock_file {
        return p.clone();
    }
    match args.paths.first() {
        Some(p) if p.is_dir() => p.join(LOCK_FILE_NAME),
        Some(p) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(|d| d.join(LOCK_FILE_NAME))
            .unwrap_or_else(|| PathBuf::from(LOCK_FILE_NAME)),
        None => PathBuf::from(LOCK_FILE_NAME),
    }
}

/// Fixes pinning every site of `text` whose target is in `resolved` (by canonical reference).
fn fixes_for(
    kind: FileKind,
    path: &std::path::Path,
    text: &str,
    resolved: &HashMap<String, Resolved>,
    update: bool,
    opts: PinOptions,
) -> Vec<Fix> {
    let (sites, _) = extract_sites(kind, path, text);
    let mut fixes = Vec::new();
    for site in &sites {
        let target = match classify(text, site) {
            Ok(Plan::Pin { target }) => target,
            Ok(Plan::Pinned {
                target: Some(target),
                ..
            }) if update => target,
            _ => continue,
        };
        let Some(r) = resolved.get(&target.to_string()) else {
            continue;
        };
        let edits = pin_edits(text, site, &r.digest, opts);
        if !edits.is_empty() {
            fixes.push(Fix {
                description: format!("pin {} to {}", site.text, r.digest),
                applicability: Applicability::Safe,
                edits,
            });
        }
    }
    fixes
}

/// `pin` with its output streams and client options injected (for tests).
pub fn run_with(
    args: &PinArgs,
    client_opts: ClientOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    let (files, mut errors) = collect(&args.paths, args.follow_links);
    // Files are rewritten only inside the paths named (a symbolic link can point anywhere).
    let roots = Roots::of(&args.paths);
    let mut inputs = Vec::new();
    for (path, kind) in files {
        match FileSnapshot::read(&path) {
            // Discovery does not `stat` a path named like a file: a directory shows up here.
            Err(ReadError::Directory) => errors.push(crate::discover::is_a_directory(&path)),
            Err(e) => errors.push(format!("{}: {e}", path.display())),
            Ok(snapshot) => match String::from_utf8(snapshot.bytes.clone()) {
                Err(_) => errors.push(format!("{}: not valid UTF-8; not pinned", path.display())),
                Ok(text) => inputs.push(Input {
                    path,
                    kind,
                    line_index: LineIndex::new(&text),
                    snapshot,
                    text,
                }),
            },
        }
    }
    let lock_path = lock_path(args);
    let (mut lock, lock_bytes) = if args.lock || args.offline || args.check {
        match LockFile::read_with_bytes(&lock_path) {
            Ok(read) => read,
            Err(e) => {
                let _ = writeln!(err, "plimsoll: error: {e}");
                return ExitStatus::Error;
            }
        }
    } else {
        (LockFile::new(), None)
    };

    // Classify every site.
    let mut plans: Vec<(usize, PinSite, Plan)> = Vec::new();
    let mut skips: Vec<(usize, Skip)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let (sites, skipped) = extract_sites(input.kind, &input.path, &input.text);
        skips.extend(skipped.into_iter().map(|s| (i, s)));
        for site in sites {
            match classify(&input.text, &site) {
                Ok(plan) => plans.push((i, site, plan)),
                Err(s) => skips.push((i, s)),
            }
        }
    }
    for (i, s) in &skips {
        let _ = writeln!(
            err,
            "{}: skipped `{}`: {}",
            inputs[*i].at(s.span),
            s.text,
            s.reason
        );
    }

    if args.check {
        return check(&inputs, &plans, &lock, &errors, err);
    }

    // What to resolve.
    let mut wanted: Vec<Target> = Vec::new();
    for (i, site, plan) in &plans {
        match plan {
            Plan::Pin { target } => wanted.push(target.clone()),
            Plan::Pinned {
                target: Some(t), ..
            } if args.update => wanted.push(t.clone()),
            Plan::Pinned { target: None, .. } if args.update => {
                let _ = writeln!(
                    err,
                    "{}: skipped `{}`: pinned by digest without a tag; nothing to update from",
                    inputs[*i].at(site.span),
                    site.text
                );
            }
            Plan::Pinned { .. } => {}
        }
    }
    // Where each target is first named, to locate errors.
    let mut first_use: HashMap<String, String> = HashMap::new();
    for (i, site, plan) in &plans {
        let t = match plan {
            Plan::Pin { target } => target,
            Plan::Pinned {
                target: Some(t), ..
            } => t,
            Plan::Pinned { target: None, .. } => continue,
        };
        first_use
            .entry(t.to_string())
            .or_insert_with(|| inputs[*i].at(site.span));
    }
    let located = |t: &Target, msg: String| match first_use.get(&t.to_string()) {
        Some(at) => format!("{at}: {msg}"),
        None => msg,
    };
    let mut distinct = wanted.clone();
    distinct.sort();
    distinct.dedup();

    let mut resolved: HashMap<String, Resolved> = HashMap::new();
    // For `--lock`: the platforms each image is published for (invalid-base-image-platform
    // reads them from the lock).
    let mut platforms: HashMap<String, Vec<String>> = HashMap::new();
    let mut failures: Vec<String> = Vec::new();
    if args.offline {
        for t in &distinct {
            match lock.get(&t.to_string()) {
                Some(e) => {
                    resolved.insert(
                        t.to_string(),
                        Resolved {
                            digest: e.digest.clone(),
                            kind: e.kind,
                            media_type: None,
                        },
                    );
                }
                None => failures.push(located(
                    t,
                    format!(
                        "{t}: not in {} (run `plimsoll pin --lock` with registry access first)",
                        lock_path.display()
                    ),
                )),
            }
        }
    } else if !distinct.is_empty() {
        let client = Client::new(client_opts);
        let bar = progress_bar(distinct.len());
        let results = client.resolve_many(&distinct, &|_| {
            if let Some(b) = &bar {
                b.inc(1);
            }
        });
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        for (t, r) in distinct.iter().zip(results) {
            match r {
                Ok(r) => {
                    if args.lock
                        && let Ok(p) = client.platforms(t)
                    {
                        platforms.insert(t.to_string(), p);
                    }
                    resolved.insert(t.to_string(), r);
                }
                Err(e) => failures.push(located(t, e.to_string())),
            }
        }
    }
    if args.all_or_nothing && (!failures.is_empty() || !errors.is_empty()) {
        for e in errors.iter().chain(&failures) {
            let _ = writeln!(err, "plimsoll: error: {e}");
        }
        let _ = writeln!(err, "plimsoll: nothing written (--all-or-nothing)");
        return ExitStatus::Error;
    }

    // Rewrite each file to a fixed point.
    let pin_opts = PinOptions {
        digest_only: args.digest_only,
    };
    let mut changed: Vec<(usize, String)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let relint =
            |t: &str| fixes_for(input.kind, &input.path, t, &resolved, args.update, pin_opts);
        let outcome = fix_until_stable(
            &input.text,
            relint(&input.text),
            FixMode::Safe,
            MAX_PASSES,
            relint,
        );
        if outcome.text != input.text {
            changed.push((i, outcome.text));
        }
    }
    let mut pinned = 0usize;
    for (i, site, plan) in &plans {
        let target = match plan {
            Plan::Pin { target } => target,
            Plan::Pinned {
                target: Some(t),
                digest,
            } if args.update => {
                if resolved
                    .get(&t.to_string())
                    .is_some_and(|r| &r.digest == digest)
                {
                    continue;
                }
                t
            }
            _ => continue,
        };
        if let Some(r) = resolved.get(&target.to_string()) {
            pinned += 1;
            // A dry run pins nothing: it says what a run would do.
            let verb = if args.diff { "would pin" } else { "pinned" };
            let _ = writeln!(
                err,
                "{}: {verb} `{}` to {} ({})",
                inputs[*i].at(site.span),
                site.text,
                r.digest,
                r.kind.as_str()
            );
        }
    }

    if args.diff {
        for (i, new) in &changed {
            let label = inputs[*i].path.to_string_lossy();
            let input = &inputs[*i];
            let settings = crate::rules::settings::LintSettings::default();
            let diff = crate::lint::masked_diff(
                &label,
                &input.path,
                input.kind,
                &input.text,
                new,
                &settings,
            );
            let _ = write!(out, "{diff}");
        }
        let _ = writeln!(
            err,
            "plimsoll: would pin {pinned} reference{} in {} file{}; {} skipped; nothing written (--diff)",
            if pinned == 1 { "" } else { "s" },
            changed.len(),
            if changed.len() == 1 { "" } else { "s" },
            skips.len()
        );
        return unresolved(&errors, &failures, err).unwrap_or(ExitStatus::Success);
    }

    let mut write_errors = Vec::new();
    for (i, new) in &changed {
        if let Err(e) = crate::fsio::rewrite(&inputs[*i].snapshot, new.as_bytes(), &roots) {
            write_errors.push(e.to_string());
        }
    }
    if args.lock && !args.offline {
        let now = SystemTime::now();
        let mut dirty = false;
        for t in &distinct {
            if let Some(r) = resolved.get(&t.to_string()) {
                dirty |= lock.insert(&t.to_string(), r, now);
                if let Some(p) = platforms.remove(&t.to_string()) {
                    dirty |= lock.set_platforms(&t.to_string(), p);
                }
            }
        }
        if (dirty || (lock_bytes.is_none() && !resolved.is_empty()))
            && let Err(e) = lock.write(&lock_path, lock_bytes.as_deref())
        {
            write_errors.push(e.to_string());
        }
    }
    let _ = writeln!(
        err,
        "plimsoll: pinned {pinned} reference{} in {} file{}; {} skipped",
        if pinned == 1 { "" } else { "s" },
        changed.len(),
        if changed.len() == 1 { "" } else { "s" },
        skips.len()
    );
    for e in &write_errors {
        let _ = writeln!(err, "plimsoll: error: {e}");
    }
    match unresolved(&errors, &failures, err) {
        Some(status) => status,
        None if write_errors.is_empty() => ExitStatus::Success,
        None => ExitStatus::Error,
    }
}

/// Reports, after everything that could be done is done, the files that could not be read and
/// every reference that could not be resolved (each where it is first named). `None` when
/// there were none.
fn unresolved(errors: &[String], failures: &[String], err: &mut dyn Write) -> Option<ExitStatus> {
    if errors.is_empty() && failures.is_empty() {
        return None;
    }
    for e in errors {
        let _ = writeln!(err, "plimsoll: error: {e}");
    }
    if !failures.is_empty() {
        let n = failures.len();
        let _ = writeln!(
            err,
            "plimsoll: error: {n} reference{} could not be resolved and {} not pinned:",
            if n == 1 { "" } else { "s" },
            if n == 1 { "was" } else { "were" }
        );
        for f in failures {
            let _ = writeln!(err, "  {f}");
        }
    }
    Some(ExitStatus::Error)
}

/// `--check`: unpinned references, or pins that disagree with the lock, fail (exit 1). No network.
fn check(
    inputs: &[Input],
    plans: &[(usize, PinSite, Plan)],
    lock: &LockFile,
    errors: &[String],
    err: &mut dyn Write,
) -> ExitStatus {
    let mut problems = 0;
    for (i, site, plan) in plans {
        let at = inputs[*i].at(site.span);
        match plan {
            Plan::Pin { .. } => {
                problems += 1;
                let _ = writeln!(err, "{at}: `{}` is not pinned to a digest", site.text);
            }
            Plan::Pinned {
                digest,
                target: Some(t),
            } => {
                if let Some(e) = lock.get(&t.to_string())
                    && &e.digest != digest
                {
                    problems += 1;
                    let _ = writeln!(
                        err,
                        "{at}: `{}` disagrees with the lock file ({t} is {})",
                        site.text, e.digest
                    );
                }
            }
            Plan::Pinned { target: None, .. } => {}
        }
    }
    for e in errors {
        let _ = writeln!(err, "plimsoll: error: {e}");
    }
    if !errors.is_empty() {
        return ExitStatus::Error;
    }
    if problems > 0 {
        let _ = writeln!(
            err,
            "plimsoll: {problems} reference{} not pinned or not as locked",
            if problems == 1 { "" } else { "s" }
        );
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// Fewer references than this resolve too fast for a progress bar to help.
const PROGRESS_MIN: usize = 5;

/// A progress bar on standard error when it is a terminal and many references resolve; never
/// on a pipe or file (logs stay clean).
fn progress_bar(n: usize) -> Option<indicatif::ProgressBar> {
    if !wants_progress(n, std::io::stderr().is_terminal()) {
        return None;
    }
    let bar = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("resolving {bar:30} {pos}/{len} {wide_msg}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

fn wants_progress(n: usize, stderr_is_terminal: bool) -> bool {
    stderr_is_terminal && n >= PROGRESS_MIN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_only_on_a_terminal_for_many_references() {
        assert!(!wants_progress(200, false));
        assert!(!wants_progress(PROGRESS_MIN - 1, true));
        assert!(wants_progress(PROGRESS_MIN, true));
        // Without a terminal (as under `cargo test`) no bar is made at all.
        if !std::io::stderr().is_terminal() {
            assert!(progress_bar(200).is_none());
        }
    }

    #[test]
    fn configured_mirrors_follow_the_environments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plimsoll.toml");
        std::fs::write(
            &path,
            "registry-mirrors = { \"index.docker.io\" = [\"mirror.example:5000\"], \"ghcr.io\" = [\"m2.example\"] }\n",
        )
        .unwrap();
        let config = crate::config::load(&path).unwrap();
        let mut opts = ClientOptions::default();
        opts.add_mirrors("docker.io=env.example");
        add_config_mirrors(&mut opts, &config);
        assert_eq!(
            opts.mirrors.get("docker.io").unwrap(),
            &vec!["env.example".to_string(), "mirror.example:5000".to_string()]
        );
        assert_eq!(
            opts.mirrors.get("ghcr.io").unwrap(),
            &vec!["m2.example".to_string()]
        );
    }
}

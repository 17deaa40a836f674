//! `plimsoll policy`: tools for policy authors, as OPA gives them.
//!
//! - `plimsoll policy test [PATH]...` runs the `test_*` rules of the policies (`opa test`).
//! - `plimsoll policy input FILE` prints the document a policy sees as `input` for a file.
//! - `plimsoll policy schema` prints the JSON Schema of plimsoll's input document.

use super::{ExitStatus, PolicyInputArgs, PolicyTestArgs};
use crate::file_settings::{SettingsOptions, SettingsSource};
use crate::policy::testing::{self, Outcome};
use crate::policy::{InputFormat, load::DEFAULT_TIME_LIMIT};
use crate::source::{FileKind, SourceFile};
use std::path::{Path, PathBuf};

/// Where `policy test` looks when no path is given: the `[[policy]]` paths of the
/// configuration that applies in the current directory, else `policy/` (conftest's default).
fn default_test_paths(cwd: &Path) -> Result<Vec<PathBuf>, String> {
    let resolver = crate::config::Resolver::discover();
    let config = resolver.for_dir(cwd).map_err(|e| e.to_string())?;
    let configured: Vec<PathBuf> = config
        .policy_specs()
        .iter()
        .flat_map(|s| s.paths.iter().cloned())
        .collect();
    Ok(if configured.is_empty() {
        vec![PathBuf::from("policy")]
    } else {
        configured
    })
}

pub fn test(args: PolicyTestArgs) -> ExitStatus {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let paths = if args.paths.is_empty() {
        match default_test_paths(&cwd) {
            Ok(p) => p,
            Err(e) => return super::fail(e),
        }
    } else {
        args.paths.clone()
    };
    let limit = match args.time_limit {
        Some(secs) if secs > 0.0 && secs <= 600.0 => std::time::Duration::from_secs_f64(secs),
        Some(secs) => {
            return super::fail(format!(
                "--time-limit is in seconds, more than 0 and at most 600, not {secs}"
            ));
        }
        None => DEFAULT_TIME_LIMIT,
    };
    let results = match testing::run(&paths, limit) {
        Ok(r) => r,
        Err(e) => return super::fail(crate::config::policy_config_error(e)),
    };
    let (mut passed, mut failed, mut errors) = (0, 0, 0);
    // Written at once, at the end: a closed pipe (`| head`) is then one error to ignore.
    let mut out = String::new();
    if args.json {
        let list: Vec<serde_json::Value> = results
            .iter()
            .map(|r| {
                let (outcome, error) = match &r.outcome {
                    Outcome::Pass => ("pass", None),
                    Outcome::Fail => ("fail", None),
                    Outcome::Error(e) => ("error", Some(one_line(e))),
                };
                serde_json::json!({
                    "name": r.name, "location": r.location, "outcome": outcome, "error": error,
                })
            })
            .collect();
        out.push_str(&serde_json::to_string_pretty(&list).unwrap_or_default());
        out.push('\n');
    }
    for r in &results {
        let line = match &r.outcome {
            Outcome::Pass => {
                passed += 1;
                if !args.verbose {
                    continue;
                }
                format!("PASS  {}  ({})", r.name, r.location)
            }
            Outcome::Fail => {
                failed += 1;
                format!("FAIL  {}  ({})", r.name, r.location)
            }
            Outcome::Error(e) => {
                errors += 1;
                format!("ERROR {}  ({}): {}", r.name, r.location, one_line(e))
            }
        };
        if !args.json {
            out.push_str(&line);
            out.push('\n');
        }
    }
    let summary = format!(
        "{passed} passed, {failed} failed, {errors} error{} ({} test{} in {})",
        if errors == 1 { "" } else { "s" },
        results.len(),
        if results.len() == 1 { "" } else { "s" },
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if args.json {
        eprintln!("{summary}");
    } else {
        out.push_str(&summary);
        out.push('\n');
    }
    if let Err(e) = write_stdout(&out) {
        return super::fail(e);
    }
    if results.is_empty() {
        eprintln!("plimsoll: warning: no test_* rules found");
    }
    if errors > 0 {
        ExitStatus::Error
    } else if failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// A regorus error on one line, located when it says where.
fn one_line(e: &str) -> String {
    match crate::policy::load::located(e) {
        Some((at, what)) => format!("{at}: {what}"),
        None => e.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

pub fn input(args: PolicyInputArgs) -> ExitStatus {
    let format = match args.input_format.as_deref().map(InputFormat::parse) {
        None => InputFormat::Plimsoll,
        Some(Some(f)) => f,
        Some(None) => {
            return super::fail(format!(
                "invalid --input-format `{}` (expected plimsoll or conftest)",
                args.input_format.as_deref().unwrap_or_default()
            ));
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let opts = SettingsOptions {
        config: args.config.clone(),
        isolated: args.isolated,
        cache_files: true,
        ..SettingsOptions::default()
    };
    let source = match SettingsSource::new(&opts, cwd) {
        Ok(s) => s,
        Err(e) => return super::fail(e),
    };
    let path = &args.file;
    let kind = match args.file_kind.as_deref() {
        Some(k) => match FileKind::parse(k) {
            Some(k) => Some(k),
            None => {
                return super::fail(format!(
                    "invalid --file-kind `{k}` (expected dockerfile or compose)"
                ));
            }
        },
        None => source
            .resolver()
            .for_file(path)
            .ok()
            .and_then(|c| c.kind_for(path))
            .or_else(|| FileKind::detect(path)),
    };
    let Some(kind) = kind else {
        return super::fail(format!(
            "{}: not a Dockerfile or compose file by its name (use --file-kind)",
            path.display()
        ));
    };
    let bytes = match crate::fsio::read_regular(path, crate::source::MAX_FILE_SIZE) {
        Ok(b) => b,
        Err(e) => return super::fail(format!("{}: {e}", path.display())),
    };
    let (text, _) = crate::source::decode(bytes);
    let settings = match source.settings_for(path) {
        Ok(s) => s.settings,
        Err(e) => return super::fail(e),
    };
    let file = SourceFile::new(path.clone(), text, kind);
    let doc = crate::rules::engine::policy_input(&file, &settings, format);
    match serde_json::to_string_pretty(&doc) {
        Ok(s) => match write_stdout(&(s + "\n")) {
            Ok(()) => ExitStatus::Success,
            Err(e) => super::fail(e),
        },
        Err(e) => super::fail(e),
    }
}

pub fn schema() -> ExitStatus {
    match write_stdout(&(crate::policy::input::schema_json() + "\n")) {
        Ok(()) => ExitStatus::Success,
        Err(e) => super::fail(e),
    }
}

/// Writes `s` to standard output. A closed pipe (`plimsoll policy input Dockerfile | head`) is
/// not an error worth reporting, and must not panic as `println!` does.
fn write_stdout(s: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

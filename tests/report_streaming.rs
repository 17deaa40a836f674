//! `plimsoll check` writes each file's part of a report as soon as it and the files before it
//! are linted. Its output must be, byte for byte, the whole report rendered at once from every
//! file's findings (what `check` wrote before it streamed), in every format and on any number
//! of threads.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::discover::{self, Options};
use plimsoll::finding::FileReport;
use plimsoll::output_format::Format;
use plimsoll::report::{self, Context};
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};
use std::path::{Path, PathBuf};
use std::process::Command;

const FORMATS: [(&str, Format); 8] = [
    ("human", Format::Human),
    ("concise", Format::Concise),
    ("json", Format::Json),
    ("sarif", Format::Sarif),
    ("checkstyle", Format::Checkstyle),
    ("gitlab", Format::Gitlab),
    ("github", Format::Github),
    ("junit", Format::Junit),
];

/// Every file under `path` (relative to `dir`), linted and reported by the library in one go,
/// with the paths `check` run in `dir` reports.
fn whole_reports(dir: &Path, path: &str) -> Vec<FileReport> {
    // A compose file names files (build contexts, secrets' files, `extends`) relative to its
    // directory, found from the reported path as `check` run in `dir` finds them: lint from
    // `dir`. The working directory is the process's, so the two tests take turns.
    static CWD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = CWD.lock().unwrap_or_else(|e| e.into_inner());
    let before = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir).unwrap();
    let reports = whole_reports_here(dir, path);
    std::env::set_current_dir(before).unwrap();
    reports
}

fn whole_reports_here(dir: &Path, path: &str) -> Vec<FileReport> {
    let no_kinds = |_: &Path| -> Option<FileKind> { None };
    let found = discover::discover(
        &[dir.join(path)],
        &Options {
            file_kind: None,
            stdin_filename: None,
            kind_for: &no_kinds,
            exclude: None,
            follow_links: false,
        },
    );
    found
        .targets
        .iter()
        .map(|t| {
            let loaded = discover::read(t).unwrap();
            let relative = t.path.strip_prefix(dir).unwrap().to_path_buf();
            let file = SourceFile::new(relative, loaded.file.text.clone(), loaded.file.kind);
            plimsoll::lint::lint_file(
                &file,
                &LintSettings::default(),
                plimsoll::lint::LintOptions {
                    invalid_utf8_at: loaded.bad_utf8,
                    ..Default::default()
                },
            )
            .report
        })
        .collect()
}

fn check_output(dir: &Path, path: &str, format: &str, threads: &str) -> Vec<u8> {
    let out = Command::new(support::plimsoll_bin())
        .current_dir(dir)
        .args([
            "check",
            "--isolated",
            "--ignore-env",
            "--fail-level",
            "none",
            "-j",
            threads,
            "--format",
            format,
            path,
        ])
        .env_remove("NO_COLOR")
        .output()
        .expect("run plimsoll");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn assert_streamed_equals_whole(dir: &Path, path: &str) {
    let reports = whole_reports(dir, path);
    assert!(reports.len() > 2, "too few files under {path}");
    let lookup = plimsoll::cli::rule_info::rule_info;
    let ctx = Context::new(&lookup);
    for (name, format) in FORMATS {
        let mut whole = Vec::new();
        report::render(format, &reports, &ctx, &mut whole).unwrap();
        for threads in ["1", "3"] {
            let streamed = check_output(dir, path, name, threads);
            assert!(
                streamed == whole,
                "{name} on {threads} threads differs from the whole report ({} vs {} bytes)",
                streamed.len(),
                whole.len()
            );
        }
    }
}

#[test]
fn streamed_report_is_the_whole_report_on_the_fixtures() {
    let fixtures = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"));
    assert_streamed_equals_whole(&fixtures, "cli");
}

#[test]
fn streamed_report_is_the_whole_report_on_the_corpus() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    assert_streamed_equals_whole(&shared, "corpus");
}

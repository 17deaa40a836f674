//! The shared corpus: no rule fails on any real file, and the output does not depend on the
//! number of threads.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::finding::FileReport;
use plimsoll::rules::RuleId;
use plimsoll::rules::lint_files;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile, decode};
use std::path::Path;

fn corpus(shared: &Path) -> Vec<SourceFile> {
    let mut files = Vec::new();
    for (dir, kind) in [
        ("corpus/dockerfiles", FileKind::Dockerfile),
        ("corpus/compose", FileKind::Compose),
    ] {
        let mut entries: Vec<_> = std::fs::read_dir(shared.join(dir))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        entries.sort();
        for path in entries {
            let (text, _) = decode(std::fs::read(&path).unwrap());
            files.push(SourceFile::new(path, text, kind));
        }
    }
    files
}

/// Everything a JSON report shows, as comparable text.
fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let loc = f.location(&r.file);
            out.push_str(&format!(
                "{}:{}:{}-{}:{} {} {} {} {:?} {:?}\n",
                r.file.path.display(),
                loc.line,
                loc.column,
                loc.end_line,
                loc.end_column,
                f.code,
                f.severity,
                f.message,
                f.related,
                f.fix
            ));
        }
    }
    out
}

fn run_with_threads(files: &[SourceFile], threads: usize) -> Vec<FileReport> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let all = LintSettings {
        select: vec!["ALL".into()],
        ..LintSettings::default()
    };
    pool.install(|| lint_files(files.to_vec(), |_| all.clone()))
}

#[test]
fn corpus_has_no_internal_errors_and_is_deterministic() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let files = corpus(&shared);
    assert!(files.len() > 100, "corpus too small: {}", files.len());
    let one = run_with_threads(&files, 1);
    let two = run_with_threads(&files, 2);
    let internal: Vec<String> = one
        .iter()
        .flat_map(|r| {
            r.findings
                .iter()
                .filter(|f| f.code == RuleId::InternalError.code())
                .map(move |f| format!("{}: {}", r.file.path.display(), f.message))
        })
        .collect();
    assert!(
        internal.is_empty(),
        "internal errors:\n{}",
        internal.join("\n")
    );
    assert_eq!(one.len(), files.len());
    let (a, b) = (render(&one), render(&two));
    assert!(a == b, "output differs between 1 and 2 threads");
    // The corpus is real-world: the default families must find something in it.
    for prefix in ["PL1", "PL2", "PL3"] {
        assert!(
            one.iter()
                .flat_map(|r| &r.findings)
                .any(|f| f.code.starts_with(prefix)),
            "no {prefix}xx finding in the whole corpus"
        );
    }
}

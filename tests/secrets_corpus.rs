//! The secret and setuid families over the shared corpus of real Dockerfiles and compose files:
//! no internal error, no message that shows a whole secret, and a throughput figure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::rules::RuleId;
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};
use std::collections::BTreeMap;
use std::time::Instant;

#[test]
fn corpus_runs_clean() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let settings = LintSettings {
        select: vec!["secret".to_string(), "setuid".to_string()],
        ..LintSettings::default()
    };
    let mut files = Vec::new();
    for (dir, kind) in [
        ("corpus/dockerfiles", FileKind::Dockerfile),
        ("corpus/compose", FileKind::Compose),
    ] {
        let Ok(entries) = std::fs::read_dir(shared.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                files.push(SourceFile::new(e.path(), text, kind));
            }
        }
    }
    assert!(!files.is_empty(), "the corpus is empty");
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let start = Instant::now();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for file in &files {
        let report = lint_source(file, &settings);
        for f in &report.findings {
            assert_ne!(
                f.code,
                RuleId::InternalError.code(),
                "{}: {}",
                file.path.display(),
                f.message
            );
            *counts.entry(f.name).or_default() += 1;
            if let Some(secret) = f.secret {
                let whole = secret.text(&file.text);
                // A value that also appears elsewhere in the file (a service or user name)
                // may show in a message through that other use.
                let unique = file.text.matches(whole).count() == 1;
                assert!(
                    !unique || whole.chars().count() <= 4 || !f.message.contains(whole),
                    "{}: message shows a secret: {}",
                    file.path.display(),
                    f.message
                );
            }
            if std::env::var_os("PLIMSOLL_SHOW").is_some() {
                eprintln!(
                    "{}:{} {} {}",
                    file.path.display(),
                    f.location(file).line,
                    f.code,
                    f.message
                );
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{} files, {} KB in {:.3}s ({:.1} MB/s, parse included); findings: {counts:?}",
        files.len(),
        bytes / 1024,
        secs,
        bytes as f64 / 1e6 / secs.max(1e-9)
    );
}

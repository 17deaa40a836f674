//! Twenty Rego rules (`benches/policy/twenty.rego`) over the shared corpus, both kinds, compiled
//! once, against the built-in rules alone on the same files: single thread, median wall time
//! per round of the corpus. Run: `PLIMSOLL_SHARED=../shared cargo bench --bench policy`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a failed step should panic with its message

use plimsoll::policy::{Policies, PolicySpec};
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};
use std::time::Instant;
#[path = "support/common.rs"]
mod common;

/// Median seconds per round of `files` (at least five rounds and two seconds).
fn round_seconds(files: &[SourceFile], settings: &LintSettings) -> (f64, usize) {
    let mut times = Vec::new();
    let mut findings = 0;
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < 2.0 || times.len() < 5 {
        let t = Instant::now();
        findings = files
            .iter()
            .map(|f| lint_source(f, settings).findings.len())
            .sum();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], findings)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it once as a smoke test.
    let quick = !std::env::args().any(|a| a == "--bench");
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/policy/twenty.rego");
    let t = Instant::now();
    let policies = Policies::load(&[PolicySpec::new(vec![policy.into()])]).unwrap();
    let compile = t.elapsed().as_secs_f64();
    let queried: usize = policies.sets().iter().map(|s| s.rules.len()).sum();
    assert_eq!(queried, 20, "the bench policy has twenty rules");
    eprintln!(
        "20 Rego rules parsed and compiled once: {:.2} ms",
        compile * 1e3
    );
    let builtin = LintSettings::default();
    let with_policies = LintSettings {
        policies,
        ..LintSettings::default()
    };
    for (name, sub, kind) in [
        (
            "dockerfile corpus",
            "corpus/dockerfiles",
            FileKind::Dockerfile,
        ),
        ("compose corpus", "corpus/compose", FileKind::Compose),
    ] {
        let mut files = common::corpus_files(sub, kind);
        if files.is_empty() {
            continue;
        }
        if quick {
            files.truncate(5);
            for f in &files {
                lint_source(f, &with_policies);
            }
            continue;
        }
        let bytes: usize = files.iter().map(|f| f.text.len()).sum();
        let (base, base_n) = round_seconds(&files, &builtin);
        let (with, with_n) = round_seconds(&files, &with_policies);
        eprintln!(
            "{name} ({} files, {:.1} MB), 1 thread: built-in rules {:.1} ms ({base_n} findings); \
             with 20 Rego rules {:.1} ms ({with_n} findings): the policies add {:.1} ms, {:.0} µs per file",
            files.len(),
            bytes as f64 / 1e6,
            base * 1e3,
            with * 1e3,
            (with - base) * 1e3,
            (with - base) * 1e6 / files.len() as f64,
        );
    }
}

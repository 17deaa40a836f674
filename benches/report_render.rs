//! Rendering 10,000 findings in every output format (`crate::report::render`).
//!
//! The findings are real ones: all default rules over the shared corpus (Dockerfiles and compose,
//! `$PLIMSOLL_SHARED` or `../shared`), repeated over the files until there are 10,000.
//! Run: `PLIMSOLL_SHARED=../shared cargo bench --bench report_render`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use plimsoll::cli::rule_info::rule_info;
use plimsoll::finding::FileReport;
use plimsoll::report::{self, Context, Format};
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile, decode};
#[path = "support/common.rs"]
mod common;

const FINDINGS: usize = 10_000;

fn linted(sub: &str, kind: FileKind, settings: &LintSettings) -> Vec<FileReport> {
    common::corpus_paths(sub)
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            Some(lint_source(
                &SourceFile::new(p, decode(bytes).0, kind),
                settings,
            ))
        })
        .filter(|r| !r.findings.is_empty())
        .collect()
}

/// Exactly [`FINDINGS`] findings, cycling over the corpus' reports (the last one truncated).
fn ten_thousand() -> Vec<FileReport> {
    let settings = LintSettings::default();
    let mut pool = linted("corpus/dockerfiles", FileKind::Dockerfile, &settings);
    pool.extend(linted("corpus/compose", FileKind::Compose, &settings));
    let mut out = Vec::new();
    let mut n = 0;
    'fill: loop {
        if pool.is_empty() {
            break;
        }
        for r in &pool {
            let mut r = r.clone();
            r.findings.truncate(FINDINGS - n);
            n += r.findings.len();
            out.push(r);
            if n == FINDINGS {
                break 'fill;
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let reports = ten_thousand();
    if reports.is_empty() {
        eprintln!("skipping: corpus not found (set PLIMSOLL_SHARED)");
        return;
    }
    let lookup = rule_info;
    let ctx = Context::new(&lookup);
    let mut group = c.benchmark_group("report_render");
    group.throughput(Throughput::Elements(FINDINGS as u64));
    group.sample_size(20);
    for (name, format) in [
        ("human", Format::Human),
        ("sarif", Format::Sarif),
        ("json", Format::Json),
        ("concise", Format::Concise),
        ("checkstyle", Format::Checkstyle),
        ("gitlab", Format::Gitlab),
        ("github", Format::Github),
        ("junit", Format::Junit),
    ] {
        let mut out = Vec::with_capacity(1 << 20);
        group.bench_with_input(BenchmarkId::new(name, FINDINGS), &format, |b, &f| {
            b.iter(|| {
                out.clear();
                report::render(f, &reports, &ctx, &mut out).map(|_| out.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

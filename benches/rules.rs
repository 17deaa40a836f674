//! All default rules over the shared Dockerfile corpus (parse + model + rules), single thread.
//! Run: `PLIMSOLL_SHARED=../shared cargo bench --bench rules`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile, decode};
#[path = "support/common.rs"]
mod common;

fn corpus(sub: &str, kind: FileKind) -> Vec<SourceFile> {
    common::corpus_paths(sub)
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            Some(SourceFile::new(p, decode(bytes).0, kind))
        })
        .collect()
}

fn report_cpu_throughput(name: &str, files: &[SourceFile], settings: &LintSettings) {
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let Some(start) = common::thread_cpu_seconds() else {
        return;
    };
    let mut rounds = 0usize;
    let mut used = 0.0;
    while used < 3.0 {
        for f in files {
            std::hint::black_box(lint_source(f, settings));
        }
        rounds += 1;
        used = common::thread_cpu_seconds().unwrap_or(start + 3.0) - start;
    }
    let mb = (bytes * rounds) as f64 / 1e6;
    eprintln!(
        "{name}: {:.1} MB per CPU-second ({rounds} rounds, {used:.2} s CPU)",
        mb / used
    );
}

/// Wall time per round of the corpus on a pool of `threads` threads (median of rounds run for
/// about a second), the files linted in parallel as `plimsoll check` does (a job per file).
fn round_seconds(files: &[SourceFile], settings: &LintSettings, threads: usize) -> Option<f64> {
    use rayon::prelude::*;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .ok()?;
    let mut times = Vec::new();
    let start = std::time::Instant::now();
    while start.elapsed().as_secs_f64() < 1.5 || times.len() < 5 {
        let t = std::time::Instant::now();
        pool.install(|| {
            let n: usize = files
                .par_iter()
                .with_max_len(1)
                .map(|f| lint_source(f, settings).findings.len())
                .sum();
            std::hint::black_box(n)
        });
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied()
}

/// The engine's scaling from one thread to two (without process start-up, which a whole
/// `plimsoll check` run adds as a serial part).
fn report_thread_scaling(name: &str, files: &[SourceFile], settings: &LintSettings) {
    if let (Some(one), Some(two)) = (
        round_seconds(files, settings, 1),
        round_seconds(files, settings, 2),
    ) {
        eprintln!(
            "{name}: 1 thread {:.2} ms, 2 threads {:.2} ms per round: {:.2}x",
            one * 1e3,
            two * 1e3,
            one / two
        );
    }
}

fn bench(c: &mut Criterion) {
    let settings = LintSettings::default();
    for (name, sub, kind) in [
        (
            "dockerfile corpus, default rules",
            "corpus/dockerfiles",
            FileKind::Dockerfile,
        ),
        (
            "compose corpus, default rules",
            "corpus/compose",
            FileKind::Compose,
        ),
    ] {
        let files = corpus(sub, kind);
        if files.is_empty() {
            continue;
        }
        report_cpu_throughput(name, &files, &settings);
        if kind == FileKind::Dockerfile {
            // The same without the supply-chain family and the two sudo/password user rules:
            // what the corpus cost before they existed, to keep their share in view.
            let without = LintSettings {
                ignore: ["supply-chain", "root-user-sudo", "root-user-password"]
                    .map(String::from)
                    .to_vec(),
                ..LintSettings::default()
            };
            report_cpu_throughput(
                "dockerfile corpus, default rules but supply-chain and PL210/PL211",
                &files,
                &without,
            );
            // The same without BuildKit's build checks (issue 20 asks that they cost at most a
            // tenth of the corpus time).
            let without_buildkit = LintSettings {
                ignore: plimsoll::rules::all()
                    .iter()
                    .filter(|m| plimsoll::rules::buildkit::check_of(m).is_some())
                    .map(|m| m.code.to_string())
                    .collect(),
                ..LintSettings::default()
            };
            report_cpu_throughput(
                "dockerfile corpus, default rules but BuildKit's checks",
                &files,
                &without_buildkit,
            );
        }
        report_thread_scaling(name, &files, &settings);
        let bytes: usize = files.iter().map(|f| f.text.len()).sum();
        let mut group = c.benchmark_group("lint");
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0;
                for f in &files {
                    n += lint_source(f, &settings).findings.len();
                }
                n
            })
        });
        if kind == FileKind::Dockerfile {
            group.bench_function("dockerfile corpus, parse + model only", |b| {
                b.iter(|| {
                    let mut n = 0;
                    for f in &files {
                        let tree = plimsoll::syntax::dockerfile::parse(&f.text);
                        n += plimsoll::model::dockerfile::from_tree(&tree, &f.text)
                            .stages
                            .len();
                    }
                    n
                })
            });
            group.bench_function("dockerfile corpus, parse only", |b| {
                b.iter(|| {
                    let mut n = 0;
                    for f in &files {
                        n += plimsoll::syntax::dockerfile::parse(&f.text)
                            .instructions
                            .len();
                    }
                    n
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

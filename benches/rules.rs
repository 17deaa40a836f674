//! All default rules over the shared Dockerfile corpus (parse + model + rules), single thread.
//! Run: `PLIMSOLL_SHARED=../shared cargo bench --bench rules`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile, decode};
use std::path::PathBuf;

fn corpus(sub: &str, kind: FileKind) -> Vec<SourceFile> {
    let shared = std::env::var_os("PLIMSOLL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")));
    let Ok(entries) = std::fs::read_dir(shared.join(sub)) else {
        eprintln!("skipping: {} is absent", shared.join(sub).display());
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            Some(SourceFile::new(p, decode(bytes).0, kind))
        })
        .collect()
}

/// CPU time this thread has used, in seconds (Linux; `None` elsewhere). The machine the
/// benchmark runs on is often shared, so wall time overstates the cost: MB per CPU-second is
/// the per-core figure.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn report_cpu_throughput(name: &str, files: &[SourceFile], settings: &LintSettings) {
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let Some(start) = thread_cpu_seconds() else {
        return;
    };
    let mut rounds = 0usize;
    let mut used = 0.0;
    while used < 3.0 {
        for f in files {
            std::hint::black_box(lint_source(f, settings));
        }
        rounds += 1;
        used = thread_cpu_seconds().unwrap_or(start + 3.0) - start;
    }
    let mb = (bytes * rounds) as f64 / 1e6;
    eprintln!(
        "{name}: {:.1} MB per CPU-second ({rounds} rounds, {used:.2} s CPU)",
        mb / used
    );
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

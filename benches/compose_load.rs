//! Loading the shared compose corpus (`../shared/corpus/compose` or `$PLIMSOLL_SHARED`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
use std::path::PathBuf;

#[path = "support/common.rs"]
mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plimsoll::model::compose::{Env, load};

fn corpus() -> Vec<(PathBuf, String)> {
    common::corpus_paths("corpus/compose")
        .into_iter()
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(&p).ok()?)))
        .collect()
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    if files.is_empty() {
        eprintln!("skipping: compose corpus not found (set PLIMSOLL_SHARED)");
        return;
    }
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let env = Env::new();
    if let Some(start) = common::thread_cpu_seconds() {
        let (mut rounds, mut used) = (0usize, 0.0);
        while used < 3.0 {
            for (path, text) in &files {
                std::hint::black_box(load(text, path, &env));
            }
            rounds += 1;
            used = common::thread_cpu_seconds().unwrap_or(start + 3.0) - start;
        }
        eprintln!(
            "compose_load: {:.1} MB per CPU-second ({rounds} rounds, {used:.2} s CPU)",
            (bytes * rounds) as f64 / 1e6 / used
        );
    }
    let mut group = c.benchmark_group("compose_load");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            let mut n = 0;
            for (path, text) in &files {
                n += load(text, path, &env).services().count();
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

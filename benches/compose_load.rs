//! Loading the shared compose corpus (`../shared/corpus/compose` or `$PLIMSOLL_SHARED`).
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plimsoll::model::compose::{Env, load};

fn corpus() -> Vec<(PathBuf, String)> {
    let dir = std::env::var_os("PLIMSOLL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")))
        .join("corpus/compose");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
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

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

/// CPU time this thread has used, in seconds (Linux; `None` elsewhere): on a shared machine wall
/// time overstates the cost, so MB per CPU-second is the per-core figure.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    if files.is_empty() {
        eprintln!("skipping: compose corpus not found (set PLIMSOLL_SHARED)");
        return;
    }
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let env = Env::new();
    if let Some(start) = thread_cpu_seconds() {
        let (mut rounds, mut used) = (0usize, 0.0);
        while used < 3.0 {
            for (path, text) in &files {
                std::hint::black_box(load(text, path, &env));
            }
            rounds += 1;
            used = thread_cpu_seconds().unwrap_or(start + 3.0) - start;
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

//! Parsing throughput over the shared Dockerfile corpus (read at run time from
//! `$PLIMSOLL_SHARED/corpus/dockerfiles` or `../shared/corpus/dockerfiles`).
//!
//! `cargo bench --bench dockerfile_parse`; target: at least 100 MB/s on one core.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
#[path = "support/common.rs"]
mod common;

fn corpus() -> Vec<String> {
    common::corpus_paths("corpus/dockerfiles")
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "tsv"))
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| plimsoll::source::decode(b).0)
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    if texts.is_empty() {
        return;
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("dockerfile_parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(
        format!("corpus ({} files, {bytes} bytes)", texts.len()),
        |b| {
            b.iter(|| {
                let mut n = 0;
                for t in &texts {
                    n += plimsoll::syntax::dockerfile::parse(black_box(t))
                        .instructions
                        .len();
                }
                n
            })
        },
    );
    group.finish();
    report_cpu_throughput(&texts, bytes);
}

/// On-CPU time of this thread in nanoseconds (Linux `schedstat`), if available.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Wall-clock throughput is meaningless on a machine shared with other jobs; this also reports
/// throughput per second of CPU time actually given to the parsing thread.
fn report_cpu_throughput(texts: &[String], bytes: usize) {
    let Some(before) = thread_cpu_ns() else {
        return;
    };
    let wall = std::time::Instant::now();
    let rounds = 300;
    for _ in 0..rounds {
        for t in texts {
            black_box(plimsoll::syntax::dockerfile::parse(black_box(t)));
        }
    }
    let Some(after) = thread_cpu_ns() else {
        return;
    };
    let cpu_s = (after - before) as f64 / 1e9;
    let mb = (bytes * rounds) as f64 / 1e6;
    eprintln!(
        "dockerfile_parse: {:.0} MB/s per CPU-second ({rounds} rounds, {:.2} s on CPU, {:.2} s wall)",
        mb / cpu_s,
        cpu_s,
        wall.elapsed().as_secs_f64()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

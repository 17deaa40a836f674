//! Parsing throughput over the shared Dockerfile corpus (read at run time from
//! `$PLIMSOLL_SHARED/corpus/dockerfiles` or `../shared/corpus/dockerfiles`).
//!
//! `cargo bench --bench dockerfile_parse`; target: at least 100 MB/s on one core.

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use std::path::PathBuf;

fn corpus() -> Vec<String> {
    let shared = std::env::var_os("PLIMSOLL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")));
    let dir = shared.join("corpus/dockerfiles");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "skipping: {} is absent (set PLIMSOLL_SHARED)",
            dir.display()
        );
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "tsv"))
        .collect();
    files.sort();
    files
        .iter()
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
}

criterion_group!(benches, bench);
criterion_main!(benches);

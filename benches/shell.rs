//! Throughput of the shell tokenizer on the corpus RUN text, and of the expander and image
//! reference parser on typical inputs.
//!
//! `PLIMSOLL_SHARED=/work/shared cargo bench --bench shell`

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

#[path = "support/shell_runs.rs"]
mod runs;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plimsoll::syntax::expand::Expander;
use plimsoll::syntax::image_ref::ImageRef;
use plimsoll::syntax::shell;

fn bench_shell(c: &mut Criterion) {
    let Some(shared) = runs::shared_dir() else {
        eprintln!("skipping shell corpus bench: shared corpus absent (set PLIMSOLL_SHARED)");
        return;
    };
    let runs = runs::corpus_runs(&shared);
    let bytes: usize = runs.iter().map(|(_, t)| t.len()).sum();
    let mut g = c.benchmark_group("shell");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("corpus_runs", |b| {
        b.iter(|| {
            let mut n = 0;
            for (_, text) in &runs {
                n += shell::parse(black_box(text), 0).commands.len();
            }
            n
        })
    });
    g.finish();
}

fn bench_expand(c: &mut Criterion) {
    let env: Vec<(String, String)> = [("BASE", "debian"), ("TAG", "12-slim"), ("PATH", "/usr/bin")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let inputs = [
        "${BASE}:${TAG:-latest}",
        "\"$PATH:/opt/bin\"",
        "${PATH##*/} ${TAG%-*} ${BASE/deb/DEB}",
        "plain-word-without-variables",
    ];
    let bytes: usize = inputs.iter().map(|s| s.len()).sum();
    let mut g = c.benchmark_group("expand");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("words", |b| {
        let ex = Expander::new(&env);
        b.iter(|| {
            inputs
                .iter()
                .map(|s| ex.expand_words(black_box(s)).map_or(0, |w| w.len()))
                .sum::<usize>()
        })
    });
    g.finish();
}

fn bench_image_ref(c: &mut Criterion) {
    let inputs = [
        "debian:12-slim",
        "ghcr.io/owner/app:v1.2.3",
        "localhost:5000/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "${REGISTRY}/app:${TAG}",
    ];
    c.bench_function("image_ref/parse", |b| {
        b.iter(|| {
            inputs
                .iter()
                .filter(|s| ImageRef::parse(black_box(s)).is_ok())
                .count()
        })
    });
}

criterion_group!(benches, bench_shell, bench_expand, bench_image_ref);
criterion_main!(benches);

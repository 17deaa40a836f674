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

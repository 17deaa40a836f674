//! What the corpus benches share: the corpus files and the CPU time of the benchmark thread.
#![allow(dead_code)]

use std::path::PathBuf;

/// The files under `sub` of `$PLIMSOLL_SHARED` (or `../shared` beside the checkout), sorted;
/// empty, with a message, when the folder is absent.
pub fn corpus_paths(sub: &str) -> Vec<PathBuf> {
    let dir = std::env::var_os("PLIMSOLL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")))
        .join(sub);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "skipping: {} is absent (set PLIMSOLL_SHARED)",
            dir.display()
        );
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
}

/// CPU time this thread has used, in seconds (Linux; `None` elsewhere). The machine a benchmark
/// runs on is often shared, so wall time overstates the cost: MB per CPU-second is the per-core
/// figure.
pub fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The files under `sub` (see [`corpus_paths`]) read as `kind`; unreadable files are left out.
pub fn corpus_files(
    sub: &str,
    kind: plimsoll::source::FileKind,
) -> Vec<plimsoll::source::SourceFile> {
    corpus_paths(sub)
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            Some(plimsoll::source::SourceFile::new(
                p,
                plimsoll::source::decode(bytes).0,
                kind,
            ))
        })
        .collect()
}

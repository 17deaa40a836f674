//! Crude extraction of RUN shell text from Dockerfiles, for the shell benches and corpus test.
//! (Not the Dockerfile parser: continuation lines are joined with their `\`+newline kept,
//! comment and blank lines inside a continuation dropped, leading `--flags` skipped, exec form
//! and Dockerfile-level heredoc RUNs left out.)
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `$PLIMSOLL_SHARED` or `../shared` beside the checkout.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PLIMSOLL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")));
    dir.is_dir().then_some(dir)
}

/// The RUN texts of every corpus Dockerfile: (file name, text).
pub fn corpus_runs(shared: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(shared.join("corpus/dockerfiles")) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for run in run_texts(&text) {
            out.push((name.clone(), run));
        }
    }
    out
}

pub fn run_texts(dockerfile: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = dockerfile.lines();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        let is_run =
            t.len() > 3 && t[..3].eq_ignore_ascii_case("run") && t[3..].starts_with([' ', '\t']);
        if !is_run {
            continue;
        }
        let mut text = t[3..].trim_start().to_string();
        while text.trim_end().ends_with('\\') {
            let Some(next) = lines.next() else { break };
            let n = next.trim_start();
            if n.starts_with('#') || n.is_empty() {
                // BuildKit drops these inside a continuation; keep joining.
                continue;
            }
            text.push('\n');
            text.push_str(next);
        }
        // Leading flags (--mount=…, --network=…).
        let mut rest = text.as_str();
        while rest.starts_with("--") {
            rest = rest
                .split_once([' ', '\t', '\n'])
                .map_or("", |(_, r)| r)
                .trim_start_matches([' ', '\t', '\\', '\n']);
        }
        if rest.starts_with('[') || rest.starts_with("<<") || rest.trim().is_empty() {
            continue;
        }
        out.push(rest.to_string());
    }
    out
}

//! Replays saved inputs (tests/fuzz_regressions/<target>/*) through the same check the fuzz
//! target runs (fuzz/checks.rs), in a plain `cargo test`, without nightly or cargo-fuzz: every
//! input a fuzzer ever failed on (name it after the bug), plus one hand-written edge case per
//! target so that each check is exercised end to end even when no crash is on file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 6] = [
    ("dockerfile_parse", checks::dockerfile_parse),
    ("compose_load", checks::compose_load),
    ("lint_file", checks::lint_file),
    ("fix_apply", checks::fix_apply),
    ("expansion", checks::expansion),
    ("git_index", checks::git_index),
];

#[test]
fn saved_fuzz_inputs_pass_their_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, check) in TARGETS {
        let entries = std::fs::read_dir(root.join(target)).expect("a directory per target");
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        assert!(!paths.is_empty(), "no saved input for {target}");
        for path in paths {
            let data = std::fs::read(&path).expect("read a saved input");
            replayed += 1;
            if std::panic::catch_unwind(|| check(&data)).is_err() {
                failures.push(path.display().to_string());
            }
        }
    }
    eprintln!("replayed {replayed} saved fuzz inputs");
    assert!(failures.is_empty(), "failing inputs: {failures:#?}");
}

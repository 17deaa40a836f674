//! `--fix` through the command line never writes a file that reads worse than before: after
//! fixing, every file of the corpus (Dockerfiles and compose files) parses wherever it did (no
//! new syntax error, no line that is no instruction), a fix that would break a file is refused
//! with a message, and fixing twice changes nothing the second time. (`fix_safety.rs` checks
//! the fixes themselves, below the command line, for the build's exit behaviour.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::source::FileKind;
use plimsoll::syntax::compose::{YamlErrorKind, yaml};
use plimsoll::syntax::dockerfile::{self, InstructionKind};
use std::path::Path;

/// Syntax problems of a text: parse errors, and (Dockerfiles) words BuildKit would refuse as
/// instructions.
fn problems(kind: FileKind, text: &str) -> usize {
    match kind {
        FileKind::Dockerfile => {
            let tree = dockerfile::parse(text);
            tree.errors.len()
                + tree
                    .instructions
                    .iter()
                    .filter(|i| i.kind == InstructionKind::Unknown)
                    .count()
        }
        FileKind::Compose => yaml::parse(text)
            .errors
            .iter()
            .filter(|e| e.kind == YamlErrorKind::Syntax)
            .count(),
        FileKind::Env => 0,
    }
}

#[test]
fn a_fix_that_would_break_the_file_writes_nothing_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    // Under `# escape=\``, a joined RUN continued with `\` is no continuation at all.
    let text = "# escape=`\nFROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n";
    std::fs::write(tmp.path().join("Dockerfile"), text).unwrap();
    let r = support::run_plimsoll(
        tmp.path(),
        &["check", "--isolated", "--fix", "Dockerfile"],
        None,
    );
    let after = std::fs::read_to_string(tmp.path().join("Dockerfile")).unwrap();
    assert_eq!(problems(FileKind::Dockerfile, &after), 0, "{after}");
    if after == text {
        // Refused (rather than fixed correctly): the user is told, and the run fails.
        assert!(
            r.stderr
                .contains("Dockerfile: not fixed: the fixed text would not parse"),
            "{}",
            r.stderr
        );
        assert_eq!(r.code, 2);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            let copy = to.join(e.file_name());
            std::fs::copy(&p, &copy).unwrap();
            // shared/ may be read-only; its copy must be writable to be fixed.
            let mut perms = std::fs::metadata(&copy).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&copy, perms).unwrap();
        }
    }
}

#[test]
fn fixing_the_corpus_keeps_every_file_readable_and_is_stable() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (dir, kind) in [
        ("dockerfiles", FileKind::Dockerfile),
        ("compose", FileKind::Compose),
    ] {
        let to = tmp.path().join(dir);
        copy_dir(&shared.join("corpus").join(dir), &to);
        for e in std::fs::read_dir(&to).unwrap().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                files.push((e.path(), kind, text));
            }
        }
    }
    let kind_args = |kind: FileKind| ["--file-kind", kind.as_str()];
    for (dir, kind) in [
        ("dockerfiles", FileKind::Dockerfile),
        ("compose", FileKind::Compose),
    ] {
        let mut args = vec![
            "check",
            "--isolated",
            "--ignore-env",
            "--fix",
            "--fail-level",
            "none",
        ];
        args.extend(kind_args(kind));
        let paths: Vec<String> = files
            .iter()
            .filter(|f| f.1 == kind)
            .map(|f| f.0.strip_prefix(tmp.path()).unwrap().display().to_string())
            .collect();
        let mut all = args.clone();
        all.extend(paths.iter().map(String::as_str));
        let first = support::run_plimsoll(tmp.path(), &all, None);
        assert!(
            first.stderr.contains("applied") && !first.stderr.contains("error"),
            "{dir}: {}",
            first.stderr
        );
        let second = support::run_plimsoll(tmp.path(), &all, None);
        assert!(
            second.stderr.contains("applied 0 fixes in 0 files"),
            "{dir}: the second --fix changed something: {}",
            second.stderr
        );
    }
    let mut changed = 0;
    for (path, kind, before) in &files {
        let after = std::fs::read_to_string(path).unwrap();
        changed += usize::from(after != *before);
        assert!(
            problems(*kind, &after) <= problems(*kind, before),
            "{}: fixing made it unreadable:\n{after}",
            path.display()
        );
    }
    eprintln!("{changed} of {} corpus files fixed", files.len());
    assert!(changed > 0, "no fix was applied: the test fixed nothing");
}

//! `plimsoll check --fix` / `--diff` end to end: fixes applied to a fixed point, every byte
//! outside the edits kept, idempotence, diffs, files that cannot be written, standard input,
//! MAINTAINER → LABEL, and unpinned-digest pinned from `plimsoll.lock`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::rules::RuleId;
use std::path::Path;

use support::Run;

fn plimsoll(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    support::run_plimsoll(dir, args, stdin)
}

/// A temporary project whose `plimsoll.toml` selects `rules` only.
fn project(rules: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = format!("select = [{rules}]\n");
    std::fs::write(tmp.path().join("plimsoll.toml"), config).expect("write");
    for (name, body) in files {
        let p = tmp.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    }
    tmp
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).expect("read")
}

const SPLIT: &str =
    "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\nRUN curl -V\n";

#[test]
fn split_run_merges_all_consecutive_runs() {
    let p = project("\"split-run\"", &[("Dockerfile", SPLIT.as_bytes())]);
    let r = plimsoll(p.path(), &["check", "--fix", "--format", "concise"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        String::from_utf8(read(p.path(), "Dockerfile")).unwrap(),
        "FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    curl -V\n"
    );
    assert!(r.stdout.is_empty(), "nothing remains: {}", r.stdout);
    assert!(
        r.stderr.contains("applied 2 fixes in 1 file"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_second_fix_changes_nothing() {
    let text = "FROM debian:12\nMAINTAINER Jo <jo@x.org>\nRUN a\nRUN b\n";
    let p = project(
        "\"split-run\", \"maintainer-deprecated\"",
        &[("Dockerfile", text.as_bytes())],
    );
    let first = plimsoll(p.path(), &["check", "--fix"], None);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let once = read(p.path(), "Dockerfile");
    assert_ne!(once, text.as_bytes());
    let second = plimsoll(p.path(), &["check", "--fix"], None);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    assert!(
        second.stderr.contains("applied 0 fixes in 0 files"),
        "{}",
        second.stderr
    );
    assert_eq!(read(p.path(), "Dockerfile"), once);
    let diff = plimsoll(p.path(), &["check", "--diff"], None);
    assert!(diff.stdout.is_empty(), "{}", diff.stdout);
}

#[test]
fn crlf_tabs_and_comments_outside_the_edits_are_kept() {
    let text = "# syntax=docker/dockerfile:1\r\n\r\nFROM\tdebian:12   # base\r\n\tRUN\tapt-get update  \r\n# why: one layer\r\nrun  apt-get install -y\tcurl\r\n\r\nMAINTAINER\tJo\r\nCMD [\"x\"]\t\r\n";
    let p = project(
        "\"split-run\", \"maintainer-deprecated\"",
        &[("Dockerfile", text.as_bytes())],
    );
    let r = plimsoll(p.path(), &["check", "--fix"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let expected = "# syntax=docker/dockerfile:1\r\n\r\nFROM\tdebian:12   # base\r\n\tRUN\tapt-get update && \\  \r\n# why: one layer\r\n    apt-get install -y\tcurl\r\n\r\nLABEL org.opencontainers.image.authors=\"Jo\"\r\nCMD [\"x\"]\t\r\n";
    assert_eq!(
        String::from_utf8(read(p.path(), "Dockerfile")).unwrap(),
        expected
    );
}

#[test]
fn diff_prints_a_unified_diff_and_writes_nothing() {
    let p = project("\"split-run\"", &[("Dockerfile", SPLIT.as_bytes())]);
    let r = plimsoll(
        p.path(),
        &["check", "--diff", "--fail-level", "info", "Dockerfile"],
        None,
    );
    assert_eq!(r.code, 1, "findings remain unfixed: {}", r.stderr);
    assert_eq!(read(p.path(), "Dockerfile"), SPLIT.as_bytes());
    assert!(
        r.stderr.contains("would apply 2 fixes in 1 file"),
        "{}",
        r.stderr
    );
    support::snapshot_settings().bind(|| insta::assert_snapshot!("fix_cli_diff", r.stdout));
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_reported_and_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let p = project("\"split-run\"", &[("Dockerfile", SPLIT.as_bytes())]);
    let path = p.path().join("Dockerfile");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let r = plimsoll(p.path(), &["check", "--fix", "--format", "concise"], None);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("read-only"), "{}", r.stderr);
    assert_eq!(read(p.path(), "Dockerfile"), SPLIT.as_bytes());
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o444
    );
    // The findings that were not fixed are still reported.
    assert_eq!(
        r.stdout.matches(RuleId::SplitRun.code()).count(),
        2,
        "{}",
        r.stdout
    );
}

#[test]
fn standard_input_prints_the_fixed_text() {
    let p = project("\"split-run\"", &[]);
    let r = plimsoll(
        p.path(),
        &["check", "--fix", "--stdin-filename", "Dockerfile", "-"],
        Some(SPLIT.as_bytes()),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    curl -V\n"
    );
    // Nothing to fix: the text comes back unchanged, findings go to standard error.
    let text = "FROM debian:12\nRUN a;\nRUN c\n";
    let r = plimsoll(
        p.path(),
        &["check", "--fix", "--fail-level", "info", "-"],
        Some(text.as_bytes()),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, text);
    assert!(r.stderr.contains(RuleId::SplitRun.code()), "{}", r.stderr);
}

#[test]
fn invalid_utf8_is_never_fixed() {
    let bytes: &[u8] = b"FROM debian:12\nRUN echo \xff\nRUN b\n";
    let p = project("\"split-run\", \"PL09\"", &[("Dockerfile", bytes)]);
    let r = plimsoll(p.path(), &["check", "--fix", "--format", "concise"], None);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("not valid UTF-8; not fixed"),
        "{}",
        r.stderr
    );
    assert_eq!(read(p.path(), "Dockerfile"), bytes);
    assert!(
        r.stdout.contains(RuleId::InvalidUtf8.code()) && r.stdout.contains(RuleId::SplitRun.code()),
        "{}",
        r.stdout
    );
}

#[test]
fn maintainer_becomes_an_authors_label_read_back_literally() {
    let text = "FROM debian:12\nMAINTAINER Jo \"J\" Doe <jo@x.org> $HOME\\n\n";
    let p = project("\"PL010\"", &[("Dockerfile", text.as_bytes())]);
    let before = plimsoll(p.path(), &["check", "--format", "json"], None);
    assert_eq!(before.code, 1);
    let v: serde_json::Value = serde_json::from_str(&before.stdout).unwrap();
    assert_eq!(v[0]["name"], "maintainer-deprecated");
    assert_eq!(v[0]["fix"]["applicability"], "safe", "{}", before.stdout);
    let r = plimsoll(p.path(), &["check", "--fix"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        String::from_utf8(read(p.path(), "Dockerfile")).unwrap(),
        "FROM debian:12\nLABEL org.opencontainers.image.authors=\"Jo \\\"J\\\" Doe <jo@x.org> \\$HOME\\\\n\"\n"
    );
}

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

fn lock(entries: &[(&str, &str)]) -> String {
    entries
        .iter()
        .map(|(r, d)| {
            format!(
                "[[image]]\nreference = \"{r}\"\ndigest = \"{d}\"\nresolved-at = \"2026-01-02T03:04:05Z\"\nkind = \"index\"\n\n"
            )
        })
        .collect()
}

#[test]
fn unpinned_digest_is_fixed_from_the_nearest_lock_file() {
    let lock_text = lock(&[
        ("docker.io/library/alpine:3.20", D1),
        ("ghcr.io/acme/tool:1", D2),
    ]);
    let df =
        "ARG BASE=alpine:3.20\nFROM $BASE\nCOPY --from=ghcr.io/acme/tool:1 /t /t\nFROM debian:12\n";
    let compose = "services:\n  web:\n    image: \"alpine:3.20\" # keep\n";
    let p = project(
        "\"unpinned-digest\"",
        &[
            ("plimsoll.lock", lock_text.as_bytes()),
            ("app/Dockerfile", df.as_bytes()),
            ("app/compose.yaml", compose.as_bytes()),
        ],
    );
    let r = plimsoll(
        p.path(),
        &[
            "check",
            "--fix",
            "--fail-level",
            "info",
            "--format",
            "concise",
            "app",
        ],
        None,
    );
    assert_eq!(
        r.code, 1,
        "debian:12 is not in the lock: {}{}",
        r.stdout, r.stderr
    );
    assert_eq!(
        String::from_utf8(read(p.path(), "app/Dockerfile")).unwrap(),
        format!(
            "ARG BASE=alpine:3.20@{D1}\nFROM $BASE\nCOPY --from=ghcr.io/acme/tool:1@{D2} /t /t\nFROM debian:12\n"
        )
    );
    assert_eq!(
        String::from_utf8(read(p.path(), "app/compose.yaml")).unwrap(),
        format!("services:\n  web:\n    image: \"alpine:3.20@{D1}\" # keep\n")
    );
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(r.stdout.contains("debian:12"), "{}", r.stdout);
    assert!(
        r.stderr.contains("applied 3 fixes in 2 files"),
        "{}",
        r.stderr
    );

    // A nearer lock file wins over the one above it.
    std::fs::write(
        p.path().join("app/plimsoll.lock"),
        lock(&[("docker.io/library/debian:12", D2)]),
    )
    .unwrap();
    let r = plimsoll(p.path(), &["check", "--fix", "app/Dockerfile"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let fixed = String::from_utf8(read(p.path(), "app/Dockerfile")).unwrap();
    assert!(
        fixed.ends_with(&format!("FROM debian:12@{D2}\n")),
        "{fixed}"
    );
}

#[test]
fn without_a_lock_entry_there_is_no_fix() {
    let p = project(
        "\"unpinned-digest\"",
        &[("Dockerfile", b"FROM alpine:3.20\n")],
    );
    let r = plimsoll(p.path(), &["check", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["name"], "unpinned-digest");
    assert!(v[0].get("fix").is_none_or(|f| f.is_null()), "{}", r.stdout);
    std::fs::write(p.path().join("plimsoll.lock"), "not = [toml").unwrap();
    let r = plimsoll(p.path(), &["check"], None);
    assert_eq!(r.code, 2, "a broken lock file is an error: {}", r.stderr);
    assert!(r.stderr.contains("plimsoll.lock"), "{}", r.stderr);
}

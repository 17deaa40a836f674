//! `plimsoll debug ast` from the command line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::process::Command;

fn run(args: &[&str], file_text: &[u8]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, file_text).expect("write");
    let out = Command::new(support::plimsoll_bin())
        .args(["debug", "ast"])
        .args(args)
        .arg(&path)
        .output()
        .expect("run plimsoll");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn tree_is_the_default_format() {
    let (code, out, _) = run(&[], b"FROM alpine:3.20 AS base\nRUN echo hi\n");
    assert_eq!(code, Some(0));
    assert!(out.contains("FROM [1-1] @0..24"), "{out}");
    assert!(out.contains("\"alpine:3.20\" @5..16"), "{out}");
    assert!(out.contains("text \"echo hi\" @29..36"), "{out}");
}

#[test]
fn tree_reports_errors_and_invalid_utf8() {
    let (code, out, _) = run(&["--format", "tree"], b"FROM a\nENV x\nRUN \xff\n");
    // The tree is printed even where BuildKit would refuse the file.
    assert_eq!(code, Some(0));
    assert!(out.contains("invalid UTF-8 at byte offset 17"), "{out}");
    assert!(
        out.contains("error @11..12: ENV must have two arguments"),
        "{out}"
    );
}

#[test]
fn buildkit_format_prints_raw_bytes_as_go_does() {
    let (code, out, _) = run(
        &["--format", "buildkit"],
        b"FROM a\nRUN echo \"\x01\xff\"\n",
    );
    assert_eq!(code, Some(0));
    assert_eq!(out, "(from \"a\")\n(run \"echo \\\"\\x01\\xff\\\"\")\n");
}

#[test]
fn buildkit_format_rejects_what_buildkit_rejects() {
    let (code, out, err) = run(&["--format", "buildkit"], b"FROM a\nRUN <<EOF\nx\n");
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert!(
        err.contains("plimsoll: error:") && err.contains("unterminated heredoc"),
        "{err}"
    );
}

#[test]
fn unknown_format_and_missing_file_are_errors() {
    let (code, _, err) = run(&["--format", "yaml"], b"FROM a\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown format"), "{err}");
    let out = Command::new(support::plimsoll_bin())
        .args(["debug", "ast", "/nonexistent/Dockerfile"])
        .output()
        .expect("run plimsoll");
    assert_eq!(out.status.code(), Some(2));
}

//! The real `pre-commit` tool installs this repository's `plimsoll` hook (`language: rust`)
//! in a temporary git repository, fails on a bad Dockerfile and passes on a good one.
//! Uses the checkout's HEAD commit: pre-commit clones the hook repository at a revision.
//! Skips when `pre-commit` or `git` is absent (`pip install pre-commit`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::path::Path;
use std::process::{Command, Output};

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn hook_fails_on_bad_dockerfile_and_passes_on_good() {
    if !support::have_tool("pre-commit") || !support::have_tool("git") {
        return;
    }
    let this_repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rev = String::from_utf8(git(this_repo, &["rev-parse", "HEAD"]).stdout)
        .expect("sha")
        .trim()
        .to_string();
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q"]);
    git(&repo, &["config", "user.email", "test@example.com"]);
    git(&repo, &["config", "user.name", "test"]);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: plimsoll\n",
        this_repo.display()
    );
    std::fs::write(repo.join(".pre-commit-config.yaml"), config).expect("write config");
    // Invalid UTF-8 is an error whatever rules exist.
    std::fs::write(repo.join("Dockerfile"), b"FROM debian:12\nRUN echo \xff\n").expect("write");
    std::fs::write(repo.join("README.md"), "not linted\n").expect("write");
    git(&repo, &["add", "."]);

    let run = |files: &[&str]| {
        let mut cmd = Command::new("pre-commit");
        cmd.current_dir(&repo)
            .args(["run", "--color", "never", "--files"])
            .args(files)
            .env("PRE_COMMIT_HOME", tmp.path().join("cache"))
            // Build the hook once in this checkout's target dir and quickly (no LTO).
            .env(
                "CARGO_TARGET_DIR",
                this_repo.join("target").join("precommit"),
            )
            .env("CARGO_PROFILE_RELEASE_LTO", "off")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1");
        let out = cmd.output().expect("run pre-commit");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    };

    let (code, text) = run(&["Dockerfile", "README.md"]);
    assert_eq!(
        code,
        Some(1),
        "the hook must fail on a bad Dockerfile:\n{text}"
    );
    assert!(
        text.contains("plimsoll") && text.contains("Failed"),
        "{text}"
    );
    assert!(
        text.contains("invalid UTF-8"),
        "plimsoll's report is shown:\n{text}"
    );

    // Pinned by digest, non-root: clean under every rule.
    let good = format!(
        "FROM gcr.io/distroless/static-debian12:nonroot@sha256:{}\nCOPY app /app\nUSER 65532\n",
        "0123456789abcdef".repeat(4)
    );
    std::fs::write(repo.join("Dockerfile"), good).expect("write");
    git(&repo, &["add", "."]);
    let (code, text) = run(&["Dockerfile", "README.md"]);
    assert_eq!(
        code,
        Some(0),
        "the hook must pass on a good Dockerfile:\n{text}"
    );
    assert!(text.contains("Passed"), "{text}");
}

//! Every output format of `plimsoll check` on the fixture set in tests/fixtures/cli, as insta
//! snapshots. Run from the fixture directory so reported paths are relative and stable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::path::PathBuf;
use std::process::Command;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cli"))
}

fn check(format: &str) -> (String, i32) {
    let out = Command::new(support::plimsoll_bin())
        .current_dir(fixtures())
        .args([
            "check",
            "--format",
            format,
            "--report-unused-suppressions",
            ".",
        ])
        .env_remove("NO_COLOR")
        .output()
        .expect("run plimsoll");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "unexpected stderr: {stderr}");
    (
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

fn snapshot(format: &str) -> String {
    let (out, code) = check(format);
    // Findings at or above the fixture's fail level (warning) exist: exit 1.
    assert_eq!(code, 1, "{format}: exit code\n{out}");
    let name = format!("cli_format_{format}");
    support::snapshot_settings().bind(|| insta::assert_snapshot!(name, out));
    out
}

/// Hidden and `.ignore`d files are not linted; every other fixture file is.
fn assert_files(out: &str) {
    assert!(!out.contains(".hidden"), "hidden files are skipped");
    assert!(!out.contains("vendor/"), ".ignore is honoured");
    assert!(
        out.contains("broken/Dockerfile"),
        "invalid UTF-8 is reported"
    );
    assert!(!out.contains("ghp_abcdefghijklmnop"), "no secret in output");
    assert!(!out.contains("AKIAIOSFODNN7EXAMPLE"), "no secret in output");
}

#[test]
fn human() {
    let out = snapshot("human");
    assert_files(&out);
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn concise() {
    let out = snapshot("concise");
    assert_files(&out);
    for line in out.lines() {
        let parts: Vec<&str> = line.splitn(4, ':').collect();
        assert_eq!(parts.len(), 4, "file:line:col: rest in {line}");
        assert!(
            parts[1].parse::<u32>().is_ok() && parts[2].parse::<u32>().is_ok(),
            "{line}"
        );
    }
}

#[test]
fn json() {
    let out = snapshot("json");
    assert_files(&out);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    for f in v.as_array().expect("an array") {
        for key in [
            "file",
            "code",
            "name",
            "severity",
            "message",
            "line",
            "column",
            "end_line",
            "end_column",
        ] {
            assert!(f.get(key).is_some(), "missing {key} in {f}");
        }
    }
}

#[test]
fn sarif() {
    let out = snapshot("sarif");
    assert_files(&out);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().expect("results");
    let rules = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for r in results {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(r["partialFingerprints"].is_object());
    }
}

#[test]
fn checkstyle() {
    let out = snapshot("checkstyle");
    assert_files(&out);
    assert!(out.starts_with("<?xml"));
}

#[test]
fn gitlab() {
    let out = snapshot("gitlab");
    assert_files(&out);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    for i in v.as_array().expect("an array") {
        assert!(i["fingerprint"].as_str().is_some_and(|f| !f.is_empty()));
        assert!(i["location"]["path"].is_string());
    }
}

#[test]
fn github() {
    let out = snapshot("github");
    assert_files(&out);
    for line in out.lines() {
        assert!(line.starts_with("::"), "{line}");
        assert!(
            line.contains(",line=") && line.contains(",endColumn="),
            "{line}"
        );
    }
}

#[test]
fn junit() {
    let out = snapshot("junit");
    assert_files(&out);
    assert!(out.contains("<testsuites"));
}

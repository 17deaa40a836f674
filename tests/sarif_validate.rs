//! The SARIF output passes Microsoft's SARIF Multitool (`sarif-multitool validate`) with no
//! errors. Skips when the tool is absent (`npm install -g @microsoft/sarif-multitool`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::process::Command;

#[test]
fn sarif_multitool_finds_no_errors() {
    if !support::have_tool("sarif-multitool") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let sarif = tmp.path().join("plimsoll.sarif");
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cli");
    let status = Command::new(support::plimsoll_bin())
        .current_dir(fixtures)
        .args([
            "check",
            "--format",
            "sarif",
            "--report-unused-suppressions",
            "--output",
        ])
        .arg(&sarif)
        .arg(".")
        .status()
        .expect("run plimsoll");
    assert_ne!(status.code(), Some(2), "plimsoll failed");
    let report = tmp.path().join("validation.sarif");
    let out = Command::new("sarif-multitool")
        .arg("validate")
        .arg(&sarif)
        .arg("--output")
        .arg(&report)
        .args(["--log", "ForceOverwrite"])
        .output()
        .expect("run sarif-multitool");
    let console = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "sarif-multitool failed:\n{console}");
    let text = std::fs::read_to_string(&report).expect("validation log");
    let log: serde_json::Value = serde_json::from_str(&text).expect("validation log is JSON");
    let results = log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let errors: Vec<String> = results
        .iter()
        .filter(|r| r["level"] == "error")
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    for r in &results {
        eprintln!(
            "sarif-multitool: {} {} {}",
            r["level"], r["ruleId"], r["message"]
        );
    }
    assert!(
        errors.is_empty(),
        "SARIF validation errors:\n{}",
        errors.join("\n")
    );
}

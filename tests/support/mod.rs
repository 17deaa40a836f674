//! Shared helpers for integration tests.
#![allow(dead_code)]

pub mod differential;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// insta settings that store snapshots in `<crate>/snapshots/`.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings
}

/// `../shared` beside the checkout (or `$PLIMSOLL_SHARED`), if present. Tests that read it call
/// this and skip, saying so, when it is absent.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PLIMSOLL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")));
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(
            !tools_required(),
            "{} is absent but PLIMSOLL_REQUIRE_TOOLS is set (CI must run every suite)",
            dir.display()
        );
        eprintln!(
            "skipping: {} is absent (set PLIMSOLL_SHARED to run the conformance tests)",
            dir.display()
        );
        None
    }
}

/// Path of the built `plimsoll` binary, for CLI tests.
pub fn plimsoll_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_plimsoll"))
}

/// Whether an external tool is on PATH; prints a skip message when it is not.
pub fn have_tool(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|p| p.join(name).is_file()))
        .unwrap_or(false);
    if !found {
        assert!(
            !tools_required(),
            "`{name}` is not installed but PLIMSOLL_REQUIRE_TOOLS is set (CI must run every suite)"
        );
        eprintln!("skipping: `{name}` is not installed");
    }
    found
}

/// Set by `.ci/run`: there a missing tool or shared/ is a failure, not a skip, so CI cannot pass
/// by skipping what it was meant to run.
pub fn tools_required() -> bool {
    std::env::var_os("PLIMSOLL_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// What a run of the `plimsoll` binary printed and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the built `plimsoll` in `dir` with `args`, feeding `stdin` when given.
pub fn run_plimsoll(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    use std::io::Write;
    let mut child = Command::new(plimsoll_bin())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run plimsoll");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// plimsoll rule code -> the DL codes it lists as aliases.
pub fn dl_aliases() -> std::collections::BTreeMap<String, Vec<String>> {
    let out = Command::new(plimsoll_bin())
        .args(["rules", "--format", "json"])
        .output()
        .expect("run plimsoll rules");
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).expect("rules JSON");
    let mut map = std::collections::BTreeMap::new();
    for rule in rules.as_array().expect("an array of rules") {
        let dls: Vec<String> = rule["aliases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .filter(|a| a.starts_with("DL"))
            .map(str::to_string)
            .collect();
        if !dls.is_empty() {
            map.insert(rule["code"].as_str().unwrap().to_string(), dls);
        }
    }
    map
}

/// A `plimsoll check --format json` run as text for a snapshot: one finding a line
/// (`file:line:column code name: message`), its related spans below it (a note about another
/// file says where: `-> file:line:column`), then standard error. Fails unless the run exited 0
/// or 1.
#[allow(dead_code)] // not every test file that includes this module renders findings
pub fn render_findings(run: &Run) -> String {
    use std::fmt::Write;
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}{}",
        run.code,
        run.stdout,
        run.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json report");
    let mut out = String::new();
    for f in json.as_array().expect("an array") {
        let _ = writeln!(
            out,
            "{}:{}:{} {} {}: {}",
            f["file"].as_str().unwrap_or_default(),
            f["line"],
            f["column"],
            f["code"].as_str().unwrap_or_default(),
            f["name"].as_str().unwrap_or_default(),
            f["message"].as_str().unwrap_or_default()
        );
        for r in f["related"].as_array().into_iter().flatten() {
            let elsewhere = match r.get("elsewhere") {
                Some(e) => format!(
                    " -> {}:{}:{}",
                    e["file"].as_str().unwrap_or_default(),
                    e["line"],
                    e["column"]
                ),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "    related {}:{}{elsewhere}: {}",
                r["line"],
                r["column"],
                r["label"].as_str().unwrap_or_default()
            );
        }
    }
    if !run.stderr.is_empty() {
        let _ = writeln!(out, "stderr: {}", run.stderr.trim_end());
    }
    out
}

/// The directories directly under `root` (one fixture case each), sorted.
#[allow(dead_code)] // not every test file that includes this module has fixture cases
pub fn case_dirs(root: impl AsRef<Path>) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("read the fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// `hadolint -f json ARGS` in `dir`: its findings and its exit code. Fails when it prints no
/// JSON.
#[allow(dead_code)] // only the hadolint comparisons run hadolint
pub fn hadolint_json(dir: &Path, args: &[&str]) -> (serde_json::Value, i32) {
    let out = std::process::Command::new("hadolint")
        .current_dir(dir)
        .args(["-f", "json"])
        .args(args)
        .output()
        .expect("run hadolint");
    let findings = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "hadolint printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (findings, out.status.code().unwrap_or(-1))
}

//! A `.hadolint.yaml` as a hadolint user writes it gives the same findings under plimsoll as
//! under hadolint: label schema and strict labels, trusted registries, `ignored`, `override`,
//! `failure-threshold`, `no-fail`, `disable-ignore-pragma`, and the `# hadolint ignore=` and
//! `# hadolint global ignore=` pragmas.
//!
//! Each directory of `tests/fixtures/hadolint-config/` holds a `.hadolint.yaml` and a
//! `Dockerfile`. Both tools lint the Dockerfile from inside the directory, each finding its
//! configuration there, and must agree on: the hadolint `DL` findings by (code, line), where a
//! plimsoll finding counts under each DL code its rule lists as an alias, at the first line of
//! its instruction; the severity of every code the configuration names (its `override`); and
//! the exit status (0 or 1: `failure-threshold`, `no-fail`). ShellCheck's `SC` findings are left
//! out (plimsoll runs ShellCheck only when it is installed). Skips, saying so, without hadolint
//! (fails instead under PLIMSOLL_REQUIRE_TOOLS=1).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/hadolint-config"
);

/// (DL code, line) -> severity as the tool prints it (`error`, `warning`, `info`, `style`).
type Findings = BTreeMap<(String, u32), String>;

#[test]
fn hadolint_configurations_give_the_same_findings_under_plimsoll() {
    if !support::have_tool("hadolint") {
        return;
    }
    let aliases = support::dl_aliases();
    let cases = support::case_dirs(FIXTURES);
    assert!(cases.len() >= 5, "the fixture set is incomplete");
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let config = std::fs::read_to_string(dir.join(".hadolint.yaml")).expect("a .hadolint.yaml");
        let (theirs, their_exit) = hadolint(dir);
        let (ours, our_exit) = plimsoll(dir, &aliases);
        assert!(
            !theirs.is_empty() || name == "empty",
            "{name}: hadolint found nothing: the case tests nothing"
        );
        let keys = |f: &Findings| f.keys().cloned().collect::<BTreeSet<_>>();
        let (t, o) = (keys(&theirs), keys(&ours));
        for k in t.difference(&o) {
            failures.push(format!(
                "{name}: hadolint reports {} on line {}, plimsoll does not",
                k.0, k.1
            ));
        }
        for k in o.difference(&t) {
            failures.push(format!(
                "{name}: plimsoll reports {} on line {}, hadolint does not",
                k.0, k.1
            ));
        }
        for (k, sev) in &theirs {
            // Severities are compared where the configuration sets them; elsewhere each tool
            // keeps its own default.
            if config.contains(k.0.as_str())
                && let Some(our) = ours.get(k)
                && our != sev
            {
                failures.push(format!(
                    "{name}: {} on line {} is {sev} under hadolint, {our} under plimsoll",
                    k.0, k.1
                ));
            }
        }
        if their_exit != our_exit {
            failures.push(format!(
                "{name}: hadolint exits {their_exit}, plimsoll {our_exit}"
            ));
        }
        eprintln!("{name}: {} finding(s) agree", t.intersection(&o).count());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn hadolint(dir: &Path) -> (Findings, i32) {
    let (findings, code) = support::hadolint_json(dir, &["-c", ".hadolint.yaml", "Dockerfile"]);
    let mut map = Findings::new();
    for f in findings.as_array().expect("an array") {
        let code = f["code"].as_str().unwrap_or("");
        if code.starts_with("DL") {
            let line = f["line"].as_u64().unwrap_or(0) as u32;
            map.insert(
                (code.to_string(), line),
                f["level"].as_str().unwrap_or("").to_string(),
            );
        }
    }
    (map, code)
}

fn plimsoll(dir: &Path, aliases: &BTreeMap<String, Vec<String>>) -> (Findings, i32) {
    let out = Command::new(support::plimsoll_bin())
        .current_dir(dir)
        .args(["check", "--format", "json", "Dockerfile"])
        .output()
        .expect("run plimsoll");
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "plimsoll printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    let tree = plimsoll::syntax::dockerfile::parse(&text);
    let mut map = Findings::new();
    for f in findings.as_array().expect("an array") {
        let byte = f["start_byte"].as_u64().unwrap_or(0) as u32;
        // hadolint reports at the first line of the instruction.
        let line = tree
            .instructions
            .iter()
            .find(|i| i.span.start <= byte && byte <= i.span.end)
            .map(|i| i.start_line)
            .unwrap_or_else(|| f["line"].as_u64().unwrap_or(0) as u32);
        let code = f["code"].as_str().unwrap_or("");
        for dl in aliases.get(code).into_iter().flatten() {
            map.insert(
                (dl.clone(), line),
                f["severity"].as_str().unwrap_or("").to_string(),
            );
        }
    }
    (map, out.status.code().unwrap_or(-1))
}

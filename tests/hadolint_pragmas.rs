//! hadolint's `# hadolint stage ignore=…` and `# hadolint shell=…` comments give the same
//! findings under plimsoll as under hadolint, except where a case says why not.
//!
//! Each directory of `tests/fixtures/hadolint-pragmas/` holds a `Dockerfile` and, when the tools
//! disagree there on purpose, a `differences` file: one disagreement a line,
//! `CODE LINE SIDE why…`, SIDE `hadolint-only` or `plimsoll-only`. Both tools lint the
//! Dockerfile with no configuration; their `DL` findings (a plimsoll finding counting under each
//! DL code its rule lists as an alias) and ShellCheck's `SC` findings are compared by (code,
//! first line of the instruction). The test fails on a disagreement the case does not list and
//! on a listed one that no longer happens. Needs hadolint and ShellCheck (plimsoll runs
//! ShellCheck only when it is installed); skips, saying so, without them (fails instead under
//! PLIMSOLL_REQUIRE_TOOLS=1).
//!
//! The differences are plimsoll reading what the comments say where hadolint 2.15 is off: a
//! stage ignore starts one line late and runs on to the next stage's `FROM`, a comment a blank
//! line above a `FROM` is read as the end of the stage before, and a shell comment above a later
//! `FROM` changes nothing. PowerShell RUNs are not given POSIX shell rules (pipefail, split-run).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/hadolint-pragmas"
);

/// (code, line) of every finding compared.
type Findings = BTreeSet<(String, u32)>;

#[test]
fn pragmas_give_hadolints_findings_or_the_case_says_why_not() {
    if !support::have_tool("hadolint") || !support::have_tool("shellcheck") {
        return;
    }
    let aliases = support::dl_aliases();
    let cases = support::case_dirs(FIXTURES);
    assert!(cases.len() >= 4, "the fixture set is incomplete");
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(dir.join("Dockerfile")).expect("a Dockerfile");
        assert!(
            text.contains("# hadolint stage ignore=") || text.contains("# hadolint shell="),
            "{name}: the case has no pragma to test"
        );
        let listed = differences(dir);
        let theirs = hadolint(dir);
        let ours = plimsoll(dir, &text, &aliases);
        assert!(
            !theirs.is_empty() && !ours.is_empty(),
            "{name}: a tool found nothing: the case tests nothing"
        );
        let mut seen = BTreeSet::new();
        for (side, only) in [
            ("hadolint-only", theirs.difference(&ours)),
            ("plimsoll-only", ours.difference(&theirs)),
        ] {
            for (code, line) in only {
                let key = (code.clone(), *line, side.to_string());
                if listed.contains_key(&key) {
                    seen.insert(key);
                } else {
                    failures.push(format!("{name}: {code} line {line} {side}, not listed"));
                }
            }
        }
        for (key, why) in &listed {
            if !seen.contains(key) {
                failures.push(format!(
                    "{name}: listed {} line {} {} ({why}) no longer happens",
                    key.0, key.1, key.2
                ));
            }
        }
        eprintln!(
            "{name}: {} finding(s) agree, {} listed difference(s)",
            theirs.intersection(&ours).count(),
            listed.len()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A case's listed disagreements: (code, line, side) -> why.
fn differences(dir: &Path) -> BTreeMap<(String, u32, String), String> {
    let Ok(text) = std::fs::read_to_string(dir.join("differences")) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(4, ' ');
        let (Some(code), Some(at), Some(side), Some(why)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            panic!("{}: `{line}` is not `CODE LINE SIDE why`", dir.display());
        };
        assert!(
            side == "hadolint-only" || side == "plimsoll-only",
            "{}: side `{side}`",
            dir.display()
        );
        let at: u32 = at.parse().expect("a line number");
        out.insert((code.to_string(), at, side.to_string()), why.to_string());
    }
    out
}

fn hadolint(dir: &Path) -> Findings {
    let (findings, _) = support::hadolint_json(dir, &["Dockerfile"]);
    findings
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0) as u32,
            )
        })
        .filter(|(code, _)| code.starts_with("DL") || code.starts_with("SC"))
        .collect()
}

fn plimsoll(dir: &Path, text: &str, aliases: &BTreeMap<String, Vec<String>>) -> Findings {
    let out = Command::new(support::plimsoll_bin())
        .current_dir(dir)
        .args(["check", "--isolated", "--format", "json", "Dockerfile"])
        .output()
        .expect("run plimsoll");
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "plimsoll printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let tree = plimsoll::syntax::dockerfile::parse(text);
    let mut set = Findings::new();
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
        if code.starts_with("SC") {
            set.insert((code.to_string(), line));
        }
        for dl in aliases.get(code).into_iter().flatten() {
            set.insert((dl.clone(), line));
        }
    }
    set
}

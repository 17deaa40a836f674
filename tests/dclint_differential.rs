//! plimsoll against the real dclint on the shared compose corpus.
//!
//! For each of dclint's 15 rules (the plimsoll rules that list the name in their `aliases`, read
//! from `plimsoll rules --format json`), both tools lint every file of `corpus/compose`, both
//! with every one of those rules on (dclint's default), and their findings are compared by
//! (rule, file, line). Where dclint reports at a key and plimsoll at the offending item, the
//! plimsoll finding counts at the line dclint uses:
//!
//! - `ports` items (unbound interfaces, duplicate host ports): the `ports:` key above them;
//! - require-project-name-field: line 1 (dclint reports the file, plimsoll its first key);
//!
//! and a finding at a key counts where dclint puts a key: the line of a scalar value, but the
//! line before a collection value starts (so the line above a flow `[...]` written on the key's
//! line, or the comment line just above a block's first entry).
//!
//! Every disagreement must be listed, with its reason, in `tests/dclint_differences.txt`; the test
//! fails on a disagreement not listed there and on a listed one that no longer happens. Files
//! dclint refuses (`invalid-yaml`, `invalid-schema`: it then runs no rule) are left out.
//!
//! Cost: one dclint process over the corpus (JSON output, an empty configuration so no user or
//! directory configuration counts) and one plimsoll process. Skips, saying so, when dclint or
//! the shared corpus is absent (fails instead under PLIMSOLL_REQUIRE_TOOLS=1).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// (dclint rule, file name, line).
use support::differential::{self, Key};

const DIFFERENCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dclint_differences.txt");

const REASONS: &[&str] = &["dclint-false-positive", "deliberate", "plimsoll-bug"];

#[test]
fn plimsoll_agrees_with_dclint_on_the_corpus_or_says_why_not() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    if !support::have_tool("dclint") {
        return;
    }
    let corpus = shared.join("corpus/compose");
    let mut files: Vec<String> = std::fs::read_dir(&corpus)
        .expect("read the corpus")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "{} holds no compose files",
        corpus.display()
    );

    let aliases =
        differential::aliases_by_rule(false, |a| plimsoll::rules::dclint::RULE_NAMES.contains(&a));
    let names: BTreeSet<&str> = aliases.values().flatten().map(String::as_str).collect();
    assert_eq!(
        names.len(),
        15,
        "every dclint rule is some plimsoll rule's alias: {names:?}"
    );

    let (dclint, refused) = run_dclint(&corpus, &files, &names);
    let plimsoll = run_plimsoll(&corpus, &files, &aliases, &refused);

    let listed = differential::read_differences(DIFFERENCES, "dclint", REASONS);
    eprintln!(
        "dclint differential over {} files ({} left out: dclint refuses them)",
        files.len(),
        refused.len()
    );
    differential::assert_explained("dclint", DIFFERENCES, &names, &dclint, &plimsoll, &listed);
}

/// dclint's findings of its rules, and the files it refused.
fn run_dclint(
    corpus: &Path,
    files: &[String],
    names: &BTreeSet<&str>,
) -> (BTreeSet<Key>, BTreeSet<String>) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = dir.path().join("dclintrc.json");
    std::fs::write(&config, "{\"rules\": {}}\n").expect("write an empty dclint config");
    // Through a file: node cuts a large report written to a pipe short when dclint exits.
    let report = dir.path().join("report.json");
    let out = Command::new("dclint")
        .current_dir(corpus)
        .args(["-f", "json", "--color", "false", "-c"])
        .arg(&config)
        .arg("-o")
        .arg(&report)
        .args(files)
        .output()
        .expect("run dclint");
    let written = std::fs::read(&report).unwrap_or_default();
    let results: Value = serde_json::from_slice(&written).unwrap_or_else(|e| {
        panic!(
            "dclint printed no JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut keys = BTreeSet::new();
    let mut refused = BTreeSet::new();
    for file in results.as_array().expect("an array of file results") {
        let path = file["filePath"].as_str().unwrap_or("").to_string();
        for m in file["messages"].as_array().into_iter().flatten() {
            let rule = m["rule"].as_str().unwrap_or("");
            if matches!(rule, "invalid-yaml" | "invalid-schema" | "unknown-error") {
                refused.insert(path.clone());
            } else if names.contains(rule) {
                let line = m["line"].as_u64().unwrap_or(0) as u32;
                keys.insert((rule.to_string(), path.clone(), line));
            }
        }
    }
    keys.retain(|k| !refused.contains(&k.1));
    (keys, refused)
}

/// plimsoll's findings of the rules with dclint aliases, as (dclint rule, file, line dclint
/// would use).
fn run_plimsoll(
    corpus: &Path,
    files: &[String],
    aliases: &BTreeMap<String, Vec<String>>,
    refused: &BTreeSet<String>,
) -> BTreeSet<Key> {
    let select = aliases.keys().cloned().collect::<Vec<_>>().join(",");
    let out = Command::new(support::plimsoll_bin())
        .current_dir(corpus)
        .args([
            "check",
            "--isolated",
            "--ignore-env",
            "--format",
            "json",
            "--fail-level",
            "none",
            "--select",
            &select,
        ])
        .args(files)
        .output()
        .expect("run plimsoll");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "plimsoll check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings: Value = serde_json::from_slice(&out.stdout).expect("plimsoll JSON");
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut keys = BTreeSet::new();
    for f in findings.as_array().expect("an array of findings") {
        let file = f["file"].as_str().unwrap_or("").to_string();
        if refused.contains(&file) {
            continue;
        }
        let code = f["code"].as_str().unwrap_or("");
        let line = f["line"].as_u64().unwrap_or(0) as u32;
        let text = texts
            .entry(file.clone())
            .or_insert_with(|| std::fs::read_to_string(corpus.join(&file)).unwrap_or_default());
        for name in aliases.get(code).into_iter().flatten() {
            let line = match name.as_str() {
                "no-unbound-port-interfaces" | "no-duplicate-exported-ports" => {
                    dclint_key_line(text, key_line_above(text, line, "ports:"))
                }
                "require-project-name-field" => 1,
                "no-build-and-image"
                | "service-keys-order"
                | "services-alphabetical-order"
                | "service-dependencies-alphabetical-order"
                | "service-ports-alphabetical-order" => dclint_key_line(text, line),
                _ => line,
            };
            keys.insert((name.clone(), file.clone(), line));
        }
    }
    keys
}

/// The nearest line at or above 1-based `line` that starts (after blanks) with `key`; `line`
/// itself when there is none.
fn key_line_above(text: &str, line: u32, key: &str) -> u32 {
    let lines: Vec<&str> = text.lines().collect();
    (1..=line)
        .rev()
        .find(|&l| {
            lines
                .get(l as usize - 1)
                .is_some_and(|t| t.trim_start().starts_with(key))
        })
        .unwrap_or(line)
}

/// The line dclint gives a finding about the key on 1-based line `key_line`: the line of its
/// value when that is a scalar, else the line before the one its collection starts on.
fn dclint_key_line(text: &str, key_line: u32) -> u32 {
    let lines: Vec<&str> = text.lines().collect();
    let Some(key) = lines.get(key_line as usize - 1) else {
        return key_line;
    };
    let after = key
        .split_once(':')
        .map_or("", |(_, v)| v)
        .split(" #")
        .next()
        .unwrap_or("")
        .trim();
    if after.starts_with('[') || after.starts_with('{') {
        return key_line - 1;
    }
    if !after.is_empty() {
        return key_line;
    }
    (key_line as usize..lines.len())
        .find(|&i| {
            let t = lines[i].trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .map_or(key_line, |i| i as u32)
}

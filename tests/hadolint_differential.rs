//! plimsoll against the real hadolint on the shared Dockerfile corpus.
//!
//! For every hadolint `DL` code that some plimsoll rule lists in its `aliases` (read from
//! `plimsoll rules --format json`, so the comparison follows the catalog), both tools lint every
//! file of `corpus/dockerfiles` and their findings are compared by (code, file, line). hadolint
//! reports a finding at the first line of its instruction, so a plimsoll finding counts at the
//! first line of the instruction holding it (the token plimsoll points at may sit on a
//! continuation line or in a heredoc body).
//!
//! Every disagreement must be listed, with its reason, in `tests/hadolint_differences.txt`; the
//! test fails on a disagreement not listed there and on a listed one that no longer happens, so
//! the list stays exactly the set of differences. Files hadolint cannot parse (its DL1000) are
//! left out of the comparison: hadolint gives no verdict on them at all.
//!
//! Cost: one hadolint process over the whole corpus (JSON output) and one plimsoll process;
//! nothing is cached in the repository. Skips, saying so, when hadolint or the shared corpus is
//! absent (fails instead under PLIMSOLL_REQUIRE_TOOLS=1).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// (DL code, file name, line).
use support::differential::{self, Key};

const DIFFERENCES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/hadolint_differences.txt"
);

const REASONS: &[&str] = &["hadolint-false-positive", "deliberate", "plimsoll-bug"];

#[test]
fn plimsoll_agrees_with_hadolint_on_the_corpus_or_says_why_not() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    if !support::have_tool("hadolint") {
        return;
    }
    let corpus = shared.join("corpus/dockerfiles");
    let mut files: Vec<String> = std::fs::read_dir(&corpus)
        .expect("read the corpus")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "{} holds no Dockerfiles",
        corpus.display()
    );

    // Both tools are compared as they run unconfigured: a rule plimsoll keeps off by default
    // stands for a hadolint check its defaults do not report either (DL3057, HEALTHCHECK
    // missing: no finding on the whole corpus).
    let aliases = differential::aliases_by_rule(true, is_dl_code);
    assert!(
        !aliases.is_empty(),
        "no plimsoll rule lists a hadolint DL code in its aliases: nothing to compare"
    );
    let dl_codes: BTreeSet<&str> = aliases.values().flatten().map(String::as_str).collect();

    let (hadolint, unparsed) = run_hadolint(&corpus, &files, &dl_codes);
    let plimsoll = run_plimsoll(&corpus, &files, &aliases, &unparsed);

    let listed = differential::read_differences(DIFFERENCES, "hadolint", REASONS);
    eprintln!(
        "hadolint differential over {} files ({} left out: hadolint cannot parse them)",
        files.len(),
        unparsed.len()
    );
    differential::assert_explained(
        "hadolint",
        DIFFERENCES,
        &dl_codes,
        &hadolint,
        &plimsoll,
        &listed,
    );
}

fn is_dl_code(s: &str) -> bool {
    s.strip_prefix("DL")
        .is_some_and(|n| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// hadolint's findings for `dl_codes`, and the files it could not parse. One process over every
/// file, with an empty configuration so that no user or directory config changes the result.
fn run_hadolint(
    corpus: &Path,
    files: &[String],
    dl_codes: &BTreeSet<&str>,
) -> (BTreeSet<Key>, BTreeSet<String>) {
    let config = temp_dir().join("hadolint.yaml");
    std::fs::write(&config, "{}\n").expect("write an empty hadolint config");
    let out = Command::new("hadolint")
        .current_dir(corpus)
        .args(["--no-fail", "--no-color", "-f", "json", "-t", "style", "-c"])
        .arg(&config)
        .args(files)
        .output()
        .expect("run hadolint");
    let _ = std::fs::remove_dir_all(config.parent().unwrap_or(&config));
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "hadolint printed no JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut keys = BTreeSet::new();
    let mut unparsed = BTreeSet::new();
    for f in findings.as_array().expect("an array of findings") {
        let code = f["code"].as_str().unwrap_or("");
        let file = f["file"].as_str().unwrap_or("").to_string();
        if code == "DL1000" {
            unparsed.insert(file);
        } else if dl_codes.contains(code) {
            let line = f["line"].as_u64().unwrap_or(0) as u32;
            keys.insert((code.to_string(), file, line));
        }
    }
    keys.retain(|k| !unparsed.contains(&k.1));
    (keys, unparsed)
}

/// plimsoll's findings of the rules with DL aliases, as (DL code, file, instruction line). A
/// finding folded into another as a note (`also <name> (<code>): …`) still counts.
fn run_plimsoll(
    corpus: &Path,
    files: &[String],
    aliases: &BTreeMap<String, Vec<String>>,
    unparsed: &BTreeSet<String>,
) -> BTreeSet<Key> {
    let select = aliases.keys().cloned().collect::<Vec<_>>().join(",");
    let out = Command::new(support::plimsoll_bin())
        .current_dir(corpus)
        .args([
            "check",
            "--isolated",
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
    let mut texts: BTreeMap<String, Option<plimsoll::syntax::dockerfile::Dockerfile>> =
        BTreeMap::new();
    let mut keys = BTreeSet::new();
    for f in findings.as_array().expect("an array of findings") {
        let file = f["file"].as_str().unwrap_or("").to_string();
        if unparsed.contains(&file) {
            continue;
        }
        let mut codes = vec![f["code"].as_str().unwrap_or("").to_string()];
        for r in f["related"].as_array().into_iter().flatten() {
            if let Some(code) = r["label"].as_str().and_then(folded_code) {
                codes.push(code.to_string());
            }
        }
        let tree = texts.entry(file.clone()).or_insert_with(|| {
            std::fs::read_to_string(corpus.join(&file))
                .ok()
                .map(|t| plimsoll::syntax::dockerfile::parse(&t))
        });
        let byte = f["start_byte"].as_u64().unwrap_or(0) as u32;
        let line = tree
            .as_ref()
            .and_then(|t| {
                t.instructions
                    .iter()
                    .find(|i| i.span.start <= byte && byte <= i.span.end)
            })
            .map(|i| i.start_line)
            .unwrap_or_else(|| f["line"].as_u64().unwrap_or(0) as u32);
        for code in codes {
            for dl in aliases.get(&code).into_iter().flatten() {
                keys.insert((dl.clone(), file.clone(), line));
            }
        }
    }
    keys
}

/// `also unpinned-digest (PL110): …` -> `PL110`.
fn folded_code(label: &str) -> Option<&str> {
    let rest = label.strip_prefix("also ")?;
    let open = rest.find(" (")?;
    let rest = &rest[open + 2..];
    rest.get(..rest.find(')')?)
}

/// A private directory for the empty hadolint configuration (removed after the run).
fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plimsoll-hadolint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

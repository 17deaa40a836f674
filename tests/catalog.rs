//! The catalog runs itself: every bad example raises its rule on exactly the marked lines, every
//! good example raises nothing, and every rule has a page (and every page a rule).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use plimsoll::finding::Severity;
use plimsoll::rules::catalog::{self, Example};
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};
use std::collections::BTreeSet;

fn run(code: &str, ex: &Example) -> Vec<u32> {
    let name = match ex.kind {
        FileKind::Dockerfile => "Dockerfile",
        FileKind::Compose => "compose.yaml",
    };
    let file = SourceFile::new(name, ex.text.as_str(), ex.kind);
    let settings = LintSettings {
        select: vec![code.to_string()],
        ..LintSettings::default()
    };
    let report = lint_source(&file, &settings);
    let internal: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == "PL009")
        .collect();
    assert!(internal.is_empty(), "{code}: internal error {internal:?}");
    report
        .findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| f.location(&file).line)
        .collect()
}

#[test]
fn catalog_pages_load() {
    assert_eq!(catalog::load_errors(), &[] as &[String]);
}

#[test]
fn every_example_behaves() {
    let mut failures = Vec::new();
    let mut count = 0;
    for rule in catalog::all() {
        for ex in rule.examples() {
            count += 1;
            let lines: BTreeSet<u32> = run(&rule.code, &ex).into_iter().collect();
            let want: BTreeSet<u32> = ex.flagged_lines.iter().copied().collect();
            if ex.bad && want.is_empty() {
                failures.push(format!(
                    "{} ({}) page line {}: bad example has no `# ←` marker",
                    rule.name, rule.code, ex.page_line
                ));
            } else if lines != want {
                failures.push(format!(
                    "{} ({}) page line {}: {} example flagged lines {:?}, expected {:?}\n{}",
                    rule.name,
                    rule.code,
                    ex.page_line,
                    if ex.bad { "bad" } else { "good" },
                    lines,
                    want,
                    ex.text
                ));
            }
        }
    }
    assert!(count > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_page_and_every_page_a_rule() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    let pages: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .map(|n| n.trim_end_matches(".md").to_string())
        .collect();
    let rules: BTreeSet<String> = catalog::all().iter().map(|r| r.name.clone()).collect();
    assert_eq!(pages, rules);
    for rule in catalog::all() {
        let page = std::fs::read_to_string(format!("{dir}/{}.md", rule.name)).unwrap();
        assert_eq!(page, rule.rule.doc(), "{} embeds another page", rule.name);
    }
}

#[test]
fn each_family_has_bad_and_good_examples_for_its_file_kinds() {
    let families = ["latest-tag", "unpinned-digest", "root-user", "split-run"];
    for family in families {
        let rules: Vec<_> = catalog::resolve(family)
            .into_iter()
            .filter(|r| r.name.starts_with(family))
            .collect();
        assert!(!rules.is_empty(), "no rule in family {family}");
        let kinds: BTreeSet<FileKind> = rules.iter().flat_map(|r| r.file_kinds.clone()).collect();
        for kind in kinds {
            for bad in [true, false] {
                let found = rules
                    .iter()
                    .flat_map(|r| r.examples())
                    .any(|e| e.kind == kind && e.bad == bad);
                assert!(
                    found,
                    "family {family}: no {} {} example",
                    if bad { "bad" } else { "good" },
                    kind.as_str()
                );
            }
        }
    }
}

#[test]
fn metadata_is_consistent() {
    for rule in catalog::all() {
        let family_ok = match &rule.code[..3] {
            "PL0" => true,
            "PL1" => {
                rule.name.starts_with("latest-tag") || rule.name.starts_with("unpinned-digest")
            }
            "PL2" => rule.name.starts_with("root-user"),
            "PL3" => rule.name.starts_with("split-run"),
            "PL4" => rule.name.starts_with("setuid"),
            "PL5" => rule.name.starts_with("secret"),
            _ => false,
        };
        assert!(
            family_ok,
            "{} {} is outside its code range",
            rule.code, rule.name
        );
        assert!(!rule.summary.is_empty());
        assert!(!rule.file_kinds.is_empty());
        assert!(Severity::ALL.contains(&rule.severity));
    }
}

mod support;

#[test]
fn rules_command_lists_the_catalog_as_json() {
    let out = std::process::Command::new(support::plimsoll_bin())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), catalog::all().len());
    for (item, rule) in list.iter().zip(catalog::all()) {
        assert_eq!(item["code"], rule.code.as_str());
        assert_eq!(item["name"], rule.name.as_str());
        assert_eq!(item["severity"], rule.severity.as_str());
        assert_eq!(item["summary"], rule.summary.as_str());
        assert_eq!(item["fixable"], rule.fixable);
        assert!(item["aliases"].is_array() && item["file_kinds"].is_array());
    }
}

#[test]
fn explain_accepts_code_name_and_alias() {
    for sel in ["PL101", "latest-tag", "dl3007"] {
        let out = std::process::Command::new(support::plimsoll_bin())
            .args(["explain", sel])
            .output()
            .unwrap();
        assert!(out.status.success(), "{sel}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("latest-tag (PL101)"), "{text}");
        assert!(text.contains("## Examples"));
    }
    let out = std::process::Command::new(support::plimsoll_bin())
        .args(["explain", "no-such-rule"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

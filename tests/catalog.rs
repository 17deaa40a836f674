//! The catalog runs itself: every bad example raises its rule on exactly the marked lines, every
//! good example raises nothing, each rule's findings on its examples match its snapshot
//! (`snapshots/rules/<name>.snap`), a rule offers fixes exactly when its page says so, and the
//! families table, the pages and the README agree.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::finding::{Finding, Severity};
use plimsoll::fix::{apply_edits, unified_diff};
use plimsoll::lint::{LintOptions, lint_file};
use plimsoll::registry::LockFile;
use plimsoll::rules::catalog::{self, Example, FAMILIES, RuleId};
use plimsoll::rules::settings::{ChecksumSource, LintSettings};
use plimsoll::rules::{Lifecycle, RuleMeta};
use plimsoll::source::{FileKind, SourceFile};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;

/// The settings an example is linted with: its page's configuration, lock file and served files,
/// if any, with the rule selected (preview rules too).
fn settings(rule: &RuleMeta, ex: &Example) -> LintSettings {
    let mut settings = match &ex.config {
        Some(text) => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("plimsoll.toml");
            std::fs::write(&path, text).unwrap();
            // Policy files the configuration names; compiled as it is read.
            for (name, body) in &ex.files {
                let file = dir.path().join(name);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(file, body).unwrap();
            }
            let config = plimsoll::config::load(&path)
                .unwrap_or_else(|e| panic!("{}: the example's configuration: {e}", rule.name));
            config.settings_for(&dir.path().join(file_name(ex.kind)))
        }
        None => LintSettings::default(),
    };
    settings.select = vec![rule.code.to_string()];
    if rule.id == RuleId::PolicyError {
        // Policies are evaluated only when their rule (`rego`) is selected; policy-error is
        // what a failing evaluation reports.
        settings.select.push(RuleId::Rego.code().to_string());
    }
    settings.extend_select.clear();
    settings.ignore.clear();
    settings.preview = true;
    if let Some(text) = &ex.lock {
        let lock = LockFile::parse(text).unwrap_or_else(|e| panic!("{}: lock: {e}", rule.name));
        let digests: BTreeMap<String, String> = lock
            .entries()
            .map(|e| (e.reference.clone(), e.digest.clone()))
            .collect();
        settings.options.pinned_digests = Arc::new(digests);
        settings.options.image_platforms = Arc::new(lock.platforms());
    }
    if !ex.served.is_empty() {
        // The page's `text served <url>` blocks stand in for the downloads
        // `check --fetch-checksums` would make.
        let files = plimsoll::fetch::ServedFiles(ex.served.iter().cloned().collect());
        settings.options.url_checksums = ChecksumSource::new(Arc::new(files));
    }
    settings
}

fn file_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Dockerfile => "Dockerfile",
        FileKind::Compose => "compose.yaml",
        FileKind::Env => ".env",
    }
}

/// The rule's findings on an example (an internal error fails the test). An example with a
/// `.dockerignore` is linted from a directory holding both files.
fn run(rule: &RuleMeta, ex: &Example) -> (SourceFile, Vec<Finding>) {
    let dir = tempfile::tempdir().unwrap();
    let path = match &ex.dockerignore {
        Some(text) => {
            std::fs::write(dir.path().join(".dockerignore"), text).unwrap();
            dir.path().join(file_name(ex.kind))
        }
        None => std::path::PathBuf::from(file_name(ex.kind)),
    };
    let file = SourceFile::new(path, ex.text.as_str(), ex.kind);
    // As `plimsoll check` lints a file: inline suppressions (`# hadolint stage ignore=`) apply.
    let report = lint_file(&file, &settings(rule, ex), LintOptions::default()).report;
    let internal: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == RuleId::InternalError.code())
        .collect();
    assert!(
        internal.is_empty(),
        "{}: internal error {internal:?}",
        rule.name
    );
    // A rule reporting foreign codes (ShellCheck's `SC2086`) owns them too.
    let findings = report
        .findings
        .into_iter()
        .filter(|f| catalog::rule_of(f.code).is_some_and(|m| m.id == rule.id))
        .collect();
    (file, findings)
}

/// Whether a rule's examples can run here: the `shellcheck` rule needs ShellCheck (skipped,
/// saying so, when it is absent; CI installs it).
fn runs_here(rule: &RuleMeta) -> bool {
    rule.id != RuleId::Shellcheck || support::have_tool("shellcheck")
}

#[test]
fn every_example_behaves() {
    let mut failures = Vec::new();
    let mut count = 0;
    for rule in catalog::all().iter().filter(|r| runs_here(r)) {
        for ex in rule.examples() {
            count += 1;
            let (file, found) = run(rule, &ex);
            let lines: BTreeSet<u32> = found.iter().map(|f| f.location(&file).line).collect();
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

/// The findings of a rule on its examples, as a reviewer reads them: message, span and the
/// diff of each fix.
fn render(rule: &RuleMeta) -> String {
    let mut out = String::new();
    for (i, ex) in rule.examples().iter().enumerate() {
        let verdict = if ex.bad { "bad" } else { "good" };
        let _ = writeln!(
            out,
            "## example {} ({} {verdict}, page line {})",
            i + 1,
            ex.kind.as_str(),
            ex.page_line
        );
        let (file, found) = run(rule, ex);
        for f in &found {
            let l = f.location(&file);
            let _ = writeln!(
                out,
                "{}:{}-{}:{} {} {}",
                l.line,
                l.column,
                l.end_line,
                l.end_column,
                f.severity.as_str(),
                f.message
            );
            if let Some(fix) = &f.fix {
                let _ = writeln!(
                    out,
                    "  fix ({}): {}",
                    fix.applicability.as_str(),
                    fix.description
                );
                let fixed = apply_edits(&ex.text, &fix.edits);
                for line in unified_diff(file_name(ex.kind), &ex.text, &fixed).lines() {
                    let _ = writeln!(out, "  {line}");
                }
            }
        }
    }
    out
}

#[test]
fn each_rule_matches_its_snapshot() {
    let mut settings = support::snapshot_settings();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/rules"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    for rule in catalog::all() {
        if rule.examples().is_empty() || !runs_here(rule) {
            continue;
        }
        let rendered = render(rule);
        settings.set_description(format!(
            "{} ({}), rules/{}",
            rule.name, rule.code, rule.page
        ));
        settings.bind(|| insta::assert_snapshot!(rule.name, rendered));
    }
}

#[test]
fn a_rule_offers_fixes_exactly_when_its_page_says_so() {
    let mut wrong = Vec::new();
    for rule in catalog::all().iter().filter(|r| runs_here(r)) {
        let fixes = rule
            .examples()
            .iter()
            .any(|ex| run(rule, ex).1.iter().any(|f| f.fix.is_some()));
        if fixes != rule.fixable {
            wrong.push(format!(
                "{}: the page says fixable = {}, but its examples produce {}",
                rule.name,
                rule.fixable,
                if fixes { "a fix" } else { "no fix" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_page_is_in_the_catalog_with_its_text() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    let mut pages = BTreeSet::new();
    for family in FAMILIES.iter() {
        let Ok(entries) = std::fs::read_dir(format!("{dir}/{}", family.name)) else {
            continue;
        };
        for e in entries.filter_map(|e| e.ok()) {
            let name = e.file_name().into_string().unwrap();
            pages.insert(format!("{}/{name}", family.name));
        }
    }
    let catalogued: BTreeSet<String> = catalog::all().iter().map(|r| r.page.to_string()).collect();
    assert_eq!(pages, catalogued);
    for rule in catalog::all() {
        let page = std::fs::read_to_string(format!("{dir}/{}", rule.page)).unwrap();
        assert_eq!(page, rule.doc, "{} embeds another page", rule.name);
        assert!(rule.doc.ends_with(rule.body()));
    }
}

#[test]
fn codes_names_and_families_are_consistent() {
    // The family prefixes tests outside the crate rely on.
    let mission = [
        ("latest-tag", "image"),
        ("unpinned-digest", "image"),
        ("root-user", "user"),
        ("split-run", "layer"),
        ("setuid", "setuid"),
        ("secret", "secret"),
    ];
    for rule in catalog::all() {
        assert!(
            rule.family.owns(rule.code),
            "{} {} is outside its family's range",
            rule.code,
            rule.name
        );
        for (prefix, family) in mission {
            if rule.name.starts_with(prefix) {
                assert_eq!(rule.family.name, family, "{}", rule.name);
            }
        }
        assert!(!rule.summary.is_empty());
        assert!(!rule.file_kinds.is_empty());
        assert!(Severity::ALL.contains(&rule.severity));
        assert_eq!(
            rule.implementation.is_none(),
            rule.family.engine || rule.lifecycle == Lifecycle::Removed,
            "{}",
            rule.name
        );
        if !rule.family.engine {
            assert!(
                !rule.examples().is_empty(),
                "{} has no examples on its page",
                rule.name
            );
        }
    }
    for (prefix, _) in mission {
        assert!(
            catalog::all().iter().any(|r| r.name.starts_with(prefix)),
            "no rule in the {prefix} family"
        );
    }
}

#[test]
fn each_mission_family_has_bad_and_good_examples_for_its_file_kinds() {
    for family in ["latest-tag", "unpinned-digest", "root-user", "split-run"] {
        let rules: Vec<_> = catalog::all()
            .iter()
            .filter(|r| r.name.starts_with(family))
            .collect();
        let kinds: BTreeSet<FileKind> = rules
            .iter()
            .flat_map(|r| r.file_kinds.iter().copied())
            .collect();
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

/// The families table as the README shows it (no rule counts: adding a rule must not touch the
/// README).
fn families_markdown() -> String {
    let mut out = String::from(
        "| Family | Codes | Default category | Security findings | What it checks |\n|---|---|---|---|---|\n",
    );
    for f in FAMILIES.iter() {
        let _ = writeln!(
            out,
            "| `{}` | {}–{} | {} | {} | {} |",
            f.name,
            f.first_code,
            f.last_code,
            f.category.as_str(),
            if f.security { "all" } else { "by category" },
            f.summary
        );
    }
    out
}

#[test]
fn the_readme_shows_the_families_table() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start =
        "<!-- families: generated from rules/families.toml; tests/catalog.rs checks it -->\n";
    let end = "<!-- end of families -->";
    let at = readme
        .find(start)
        .expect("the README's families table marker")
        + start.len();
    let to = readme[at..].find(end).expect("the end marker") + at;
    let want = families_markdown();
    assert_eq!(
        &readme[at..to],
        want,
        "README.md's families table is stale; replace it with:\n{want}"
    );
}

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
        assert_eq!(item["code"], rule.code);
        assert_eq!(item["name"], rule.name);
        assert_eq!(item["severity"], rule.severity.as_str());
        assert_eq!(item["summary"], rule.summary);
        assert_eq!(item["fixable"], rule.fixable);
        assert_eq!(item["family"], rule.family.name);
        assert_eq!(item["category"], rule.category.as_str());
        assert_eq!(item["lifecycle"], rule.lifecycle.as_str());
        let aliases: Vec<&str> = item["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(aliases, rule.aliases);
        assert!(item["file_kinds"].is_array());
    }
}

#[test]
fn explain_accepts_code_name_alias_and_former_code() {
    let latest = RuleId::LatestTag.meta();
    for sel in [latest.code, "latest-tag", "dl3007"] {
        let out = std::process::Command::new(support::plimsoll_bin())
            .args(["explain", sel])
            .output()
            .unwrap();
        assert!(out.status.success(), "{sel}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with(&format!("latest-tag ({})", latest.code)),
            "{text}"
        );
        assert!(text.contains("## Examples"));
    }
    let moved = RuleId::MaintainerDeprecated.meta();
    let out = std::process::Command::new(support::plimsoll_bin())
        .args(["explain", "PL010"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(&format!("maintainer-deprecated ({})", moved.code)));
    let out = std::process::Command::new(support::plimsoll_bin())
        .args(["explain", "no-such-rule"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

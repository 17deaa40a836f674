//! conftest conformance: conftest's own Dockerfile and compose examples (`../shared/conformance/
//! conftest/`) run through plimsoll with `input-format = "conftest"` must report exactly the
//! failure and warning messages conftest's acceptance tests expect (as multisets), and
//! plimsoll's conftest-format input of each parser case must equal the JSON conftest builds.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::finding::Severity;
use plimsoll::policy::{InputFormat, Policies, PolicySpec};
use plimsoll::rules::catalog::RuleId;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};
use serde_json::Value;
use std::path::Path;

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    out.sort();
    out
}

fn source_file(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap();
    let kind = FileKind::detect(path).unwrap_or(FileKind::Compose);
    SourceFile::new(path, text, kind)
}

#[test]
fn conftest_examples_give_the_results_conftest_expects() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let root = shared.join("conformance/conftest");
    let mut cases = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let expect_path = dir.join("expect.json");
        if !expect_path.is_file() {
            continue;
        }
        let expect = read_json(&expect_path);
        let mut spec = PolicySpec::new(vec![dir.join(expect["policy_dir"].as_str().unwrap())]);
        spec.input_format = InputFormat::Conftest;
        spec.namespaces = vec![expect["namespace"].as_str().unwrap().to_string()];
        // Each case gets codes of its own, so that the cases cannot see each other's rules.
        spec.code_prefix = format!("conftest-{}", dir.file_name().unwrap().to_string_lossy());
        let settings = LintSettings {
            policies: Policies::load(&[spec]).unwrap(),
            ..LintSettings::default()
        };
        let (mut failures, mut warnings) = (Vec::new(), Vec::new());
        for input in expect["inputs"].as_array().unwrap() {
            let file = source_file(&dir.join(input.as_str().unwrap()));
            let report = plimsoll::rules::engine::lint_source(&file, &settings);
            assert!(
                !report
                    .findings
                    .iter()
                    .any(|f| f.code == RuleId::PolicyError.code()),
                "{}: {:?}",
                dir.display(),
                report.findings
            );
            for f in report.findings.iter().filter(|f| f.name == "rego") {
                match f.severity {
                    Severity::Error => failures.push(f.message.clone()),
                    _ => warnings.push(f.message.clone()),
                }
            }
        }
        failures.sort();
        warnings.sort();
        assert_eq!(failures, strings(&expect["failures"]), "{}", dir.display());
        assert_eq!(warnings, strings(&expect["warnings"]), "{}", dir.display());
        let exit = i64::from(!failures.is_empty());
        assert_eq!(
            Some(exit),
            expect["exit_code"].as_i64(),
            "{}",
            dir.display()
        );
        cases += 1;
    }
    assert_eq!(cases, 8, "every policy case of {} ran", root.display());
}

#[test]
fn conftest_format_input_equals_what_conftest_builds() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let root = shared.join("conformance/conftest");
    let mut cases = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("parser-docker"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    // The policy cases carry conftest's input of their files too.
    for entry in std::fs::read_dir(&root).unwrap() {
        dirs.push(entry.unwrap().path());
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let expected_path = entry.unwrap().path();
            let name = expected_path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            let Some(input_name) = name.strip_suffix(".input.json") else {
                continue;
            };
            let file = source_file(&dir.join(input_name));
            let got = plimsoll::rules::engine::policy_input(
                &file,
                &LintSettings::default(),
                InputFormat::Conftest,
            );
            assert_eq!(
                got,
                read_json(&expected_path),
                "{}",
                expected_path.display()
            );
            cases += 1;
        }
    }
    assert!(cases >= 13, "only {cases} inputs compared");
}

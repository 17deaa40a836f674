//! BuildKit's own build-check cases (`conformance/buildkit-checks`): each case's Dockerfile,
//! linted from its folder (so its `.dockerignore` applies) with its build arguments and
//! platform, must raise exactly the warnings BuildKit's lint request returns, each check named
//! by the BuildKit alias of the plimsoll rule that reports it, and an error-level finding
//! exactly where BuildKit's lint request returns an error.
//!
//! Lines: BuildKit reports an instruction (its first line, or for NoEmptyContinuation its last);
//! plimsoll reports the token at fault. A finding matches an expected line when the instruction
//! holding the finding spans that line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::finding::Severity;
use plimsoll::model::build_inputs::BuildInputs;
use plimsoll::rules::buildkit::check_of;
use plimsoll::rules::engine::lint_source_with_statements;
use plimsoll::rules::settings::LintSettings;
use plimsoll::rules::{RuleId, catalog};
use plimsoll::source::{FileKind, SourceFile};
use plimsoll::syntax::platform::Platform;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Cases that cannot pass, with the reason. The acceptance excludes the cases that need a
/// registry (BuildKit's test pushes an image there first); nothing else is listed.
fn cannot_pass(case: &Value) -> Option<String> {
    let needs: Vec<&str> = case["needs"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    needs.contains(&"registry").then(|| {
        "needs a registry: BuildKit's test pushes the base image it then pulls".to_string()
    })
}

/// What the lint request checks: every rule that is one of BuildKit's checks, the errors
/// BuildKit raises at build time, and the parser's own errors. Preview mode stays off: the
/// experimental check runs only where the case's `# check=experimental=` turns it on.
fn settings(case: &Value) -> LintSettings {
    let mut select: Vec<String> = catalog::all()
        .iter()
        .filter(|m| check_of(m).is_some())
        .map(|m| m.code.to_string())
        .collect();
    select.extend(
        [
            RuleId::DockerfileSyntax,
            RuleId::UnknownInstruction,
            RuleId::InstructionArguments,
            RuleId::InvalidFlag,
            RuleId::CopyFromLaterStage,
            RuleId::InvalidPlatform,
            RuleId::InvalidBaseImage,
            RuleId::InstructionBeforeFrom,
        ]
        .iter()
        .map(|id| id.code().to_string()),
    );
    let args: BTreeMap<String, String> = case["build_args"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let platform = case["platform"]
        .as_str()
        .map(|p| Platform::parse(p).expect("the case's platform"));
    LintSettings {
        select,
        build: Arc::new(BuildInputs::new(args, platform)),
        ..LintSettings::default()
    }
}

/// Runs one case; `Err` says what differs.
fn run_case(dir: &Path, case: &Value) -> Result<(), String> {
    let path = dir.join("Dockerfile");
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let file = SourceFile::new(&path, text, FileKind::Dockerfile);
    let (report, statements) = lint_source_with_statements(&file, &settings(case));
    // Each check finding: BuildKit's name, its line and the lines of its instruction.
    let mut found: Vec<(&'static str, u32, (u32, u32), String)> = Vec::new();
    for f in &report.findings {
        let Some(check) = catalog::by_code(f.code).and_then(check_of) else {
            continue;
        };
        let line = f.location(&file).line;
        let range = statements.containing(line).unwrap_or((line, line));
        found.push((check.name, line, range, f.message.clone()));
    }
    let lines_asserted = case["check_warnings_lines_asserted"].as_bool() == Some(true);
    let mut problems = Vec::new();
    let mut used = vec![false; found.len()];
    for w in case["check_warnings"].as_array().into_iter().flatten() {
        let rule = w["rule"].as_str().unwrap_or_default();
        let line = w["line"].as_u64().unwrap_or(0) as u32;
        let hit = found
            .iter()
            .enumerate()
            .position(|(i, (name, _, (s, e), _))| {
                !used[i] && *name == rule && (!lines_asserted || (*s <= line && line <= *e))
            });
        match hit {
            Some(i) => used[i] = true,
            None => problems.push(format!("missing {rule} at line {line}: {}", w["detail"])),
        }
    }
    for (i, (name, line, _, message)) in found.iter().enumerate() {
        if !used[i] {
            problems.push(format!("unexpected {name} at line {line}: {message}"));
        }
    }
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{} line {}: {}", f.name, f.location(&file).line, f.message))
        .collect();
    match (
        case["check_error"].as_bool() == Some(true),
        errors.is_empty(),
    ) {
        (true, true) => problems.push(format!(
            "no error-level finding; BuildKit: {}",
            case["build_error"]
        )),
        (false, false) => problems.push(format!("unexpected errors: {}", errors.join("; "))),
        _ => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n    "))
    }
}

#[test]
fn buildkit_check_cases() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let root = shared.join("conformance/buildkit-checks");
    let Ok(entries) = std::fs::read_dir(&root) else {
        eprintln!("skipping: {} is absent", root.display());
        return;
    };
    let mut dirs: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    dirs.sort();
    let (mut passed, mut skipped, mut failures) = (0usize, Vec::new(), Vec::new());
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
        if let Some(reason) = cannot_pass(&case) {
            skipped.push(format!("{name}: {reason}"));
            continue;
        }
        match run_case(dir, &case) {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!("{name}:\n    {why}")),
        }
    }
    for s in &skipped {
        println!("buildkit-checks: not run: {s}");
    }
    println!(
        "buildkit-checks: {passed} passed, {} failed, {} skipped",
        failures.len(),
        skipped.len()
    );
    assert!(passed >= 80, "too few cases read: {passed}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

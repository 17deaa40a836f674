//! Rego policies over the plimsoll input: results point at the token they are about, a policy
//! reads the built-in findings, `policy test` runs `test_*` rules, and broken or runaway
//! policies are reported with their location instead of stopping the run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use plimsoll::finding::{Finding, Severity};
use plimsoll::policy::testing::{self, Outcome};
use plimsoll::policy::{Policies, PolicySpec};
use plimsoll::rules::catalog::RuleId;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};
use std::time::Duration;

/// Writes `policy` as `<package>.rego` in a new directory and loads it with codes under
/// `prefix` (each test its own, as codes are registered process-wide).
fn load(prefix: &str, policy: &str) -> (tempfile::TempDir, Result<Policies, String>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.rego"), policy).unwrap();
    let mut spec = PolicySpec::new(vec![dir.path().to_path_buf()]);
    spec.code_prefix = prefix.into();
    spec.time_limit = Duration::from_millis(500);
    let loaded = Policies::load(&[spec]).map_err(|e| e.to_string());
    (dir, loaded)
}

fn lint(policies: Policies, path: &str, text: &str) -> (SourceFile, Vec<Finding>) {
    let kind = FileKind::detect(std::path::Path::new(path)).unwrap();
    let file = SourceFile::new(path, text, kind);
    let settings = LintSettings {
        policies,
        ..LintSettings::default()
    };
    let report = plimsoll::rules::engine::lint_source(&file, &settings);
    (file, report.findings)
}

fn policy_findings<'f>(findings: &'f [Finding], prefix: &str) -> Vec<&'f Finding> {
    findings
        .iter()
        .filter(|f| f.code.starts_with(prefix))
        .collect()
}

#[test]
fn a_deny_on_images_outside_the_registry_points_at_the_image_token() {
    let (_dir, policies) = load(
        "t-registry",
        r#"package main
import rego.v1

deny contains {"msg": sprintf("%s is not from registry.acme.io", [img.resolved]), "node": img} if {
    some img in input.images
    img.site == "from"
    img.reference.registry != "registry.acme.io"
}
"#,
    );
    let text = "ARG BASE=docker.io/library/debian:12\nFROM registry.acme.io/base:1 AS ok\nFROM $BASE\nRUN true\n";
    let (file, findings) = lint(policies.unwrap(), "Dockerfile", text);
    let got = policy_findings(&findings, "t-registry/");
    assert_eq!(got.len(), 1, "{findings:?}");
    assert_eq!(got[0].code, "t-registry/main/deny");
    assert_eq!(got[0].severity, Severity::Error);
    assert_eq!(file.slice(got[0].span), "$BASE");
    assert_eq!(
        got[0].message,
        "docker.io/library/debian:12 is not from registry.acme.io"
    );
}

#[test]
fn a_compose_policy_points_at_the_value_an_anchor_brought_in() {
    let (_dir, policies) = load(
        "t-anchor",
        r#"package main
import rego.v1

warn contains {"msg": sprintf("service %s uses a latest tag", [name]), "path": ["services", name, "config", "image"]} if {
    some name, svc in input.services
    endswith(svc.config.image, ":latest")
}
"#,
    );
    let text = "x-base: &base\n  image: redis:latest\nservices:\n  cache:\n    <<: *base\n  web:\n    image: nginx:1.27\n";
    let (file, findings) = lint(policies.unwrap(), "compose.yaml", text);
    let got = policy_findings(&findings, "t-anchor/");
    assert_eq!(got.len(), 1, "{findings:?}");
    assert_eq!(got[0].severity, Severity::Warning);
    assert_eq!(got[0].message, "service cache uses a latest tag");
    // The value lives under the anchor, not under the service.
    assert_eq!(file.slice(got[0].span), "redis:latest");
}

#[test]
fn a_policy_escalates_a_built_in_finding() {
    let (_dir, policies) = load(
        "t-findings",
        r#"package main
import rego.v1

deny contains {"msg": sprintf("release images must not use moving tags: %s", [f.message]), "span": f.span} if {
    some f in input.findings
    f.name == "latest-tag"
}
"#,
    );
    let text = "FROM alpine:latest\nUSER 1000\n";
    let (file, findings) = lint(policies.unwrap(), "Dockerfile", text);
    let builtin: Vec<_> = findings
        .iter()
        .filter(|f| f.code == RuleId::LatestTag.code())
        .collect();
    assert_eq!(builtin.len(), 1, "{findings:?}");
    let got = policy_findings(&findings, "t-findings/");
    assert_eq!(got.len(), 1, "{findings:?}");
    assert_eq!(got[0].span, builtin[0].span);
    assert!(file.slice(got[0].span).contains("latest"));
}

#[test]
fn a_result_without_location_points_at_the_file_start_and_line_is_honoured() {
    let (_dir, policies) = load(
        "t-lines",
        r#"package main
import rego.v1

deny contains "no location" if true
warn contains {"msg": "line two", "line": 2} if true
"#,
    );
    let (file, findings) = lint(policies.unwrap(), "Dockerfile", "FROM a:1\nRUN make\n");
    let got = policy_findings(&findings, "t-lines/");
    assert_eq!(got.len(), 2, "{findings:?}");
    let at = |m: &str| got.iter().find(|f| f.message == m).unwrap().span;
    assert_eq!(at("no location").start, 0);
    assert_eq!(file.slice(at("line two")), "RUN make");
}

#[test]
fn policy_test_reports_passing_and_failing_tests() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("images.rego"),
        "package images\nimport rego.v1\n\ndeny contains \"latest\" if endswith(input.image, \":latest\")\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("images_test.rego"),
        r#"package images
import rego.v1

test_latest_denied if {
    deny with input as {"image": "a:latest"}
    count(deny) == 1 with input as {"image": "a:latest"}
}

test_pinned_allowed if {
    count(deny) == 0 with input as {"image": "a:1"}
}

test_wrong_expectation if {
    count(deny) == 1 with input as {"image": "a:1"}
}
"#,
    )
    .unwrap();
    let results = testing::run(&[dir.path().to_path_buf()], Duration::from_secs(2)).unwrap();
    let outcome = |n: &str| {
        results
            .iter()
            .find(|r| r.name == format!("data.images.{n}"))
            .map(|r| r.outcome.clone())
    };
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(outcome("test_latest_denied"), Some(Outcome::Pass));
    assert_eq!(outcome("test_pinned_allowed"), Some(Outcome::Pass));
    assert_eq!(outcome("test_wrong_expectation"), Some(Outcome::Fail));
    assert!(results[0].location.contains("images_test.rego:"));
}

#[test]
fn a_syntax_error_names_the_policy_file_line_and_column() {
    let (dir, loaded) = load(
        "t-syntax",
        "package main\nimport rego.v1\n\ndeny contains msg if {\n    msg := \"x\" +\n}\n",
    );
    let err = loaded.unwrap_err();
    let path = dir.path().join("policy.rego");
    // Line 5 column 9: the assignment whose right-hand side never ends.
    assert_eq!(
        err,
        format!(
            "policy error: {}:5:9: expecting `}}` while parsing set",
            path.display()
        )
    );
}

#[test]
fn an_evaluation_past_the_limit_is_stopped_and_the_file_still_lints() {
    let (_dir, policies) = load(
        "t-limit",
        r#"package main
import rego.v1

deny contains "never" if {
    some i in numbers.range(1, 100000)
    some j in numbers.range(1, 100000)
    i + j < 0
}
"#,
    );
    let policies = policies.unwrap();
    let (_file, findings) = lint(policies.clone(), "Dockerfile", "FROM alpine:latest\n");
    let errors: Vec<_> = findings
        .iter()
        .filter(|f| f.code == RuleId::PolicyError.code())
        .collect();
    assert_eq!(errors.len(), 1, "{findings:?}");
    assert!(
        errors[0].message.contains("t-limit/main/deny"),
        "{}",
        errors[0].message
    );
    assert!(errors[0].message.contains("limit"), "{}", errors[0].message);
    // The built-in rules still ran.
    assert!(findings.iter().any(|f| f.code == RuleId::LatestTag.code()));
    // A huge range is refused outright rather than built.
    let (_dir2, huge) = load(
        "t-range",
        "package main\nimport rego.v1\n\ndeny contains \"x\" if count(numbers.range(1, 1000000000)) > 0\n",
    );
    let (_f, findings) = lint(huge.unwrap(), "Dockerfile", "FROM alpine:3.20\n");
    let errors: Vec<_> = findings
        .iter()
        .filter(|f| f.code == RuleId::PolicyError.code())
        .collect();
    assert_eq!(errors.len(), 1, "{findings:?}");
    assert!(
        errors[0].message.contains("numbers.range"),
        "{}",
        errors[0].message
    );
}

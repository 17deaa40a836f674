//! The rule platform seen from the command line: selectors by category and family, former codes
//! in baselines and suppressions, and the `engine` rules that the pipeline reports.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::rules::RuleId;
use support::{Run, run_plimsoll};

fn project(dockerfile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}

fn check(dir: &tempfile::TempDir, args: &[&str]) -> Run {
    let mut all = vec!["check", "--isolated", "--format", "concise"];
    all.extend_from_slice(args);
    run_plimsoll(dir.path(), &all, None)
}

const MAINTAINER: &str = "FROM alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d\nMAINTAINER Jo <jo@example.com>\nUSER 1000\n";

#[test]
fn a_baseline_written_under_a_former_code_still_matches() {
    let dir = project(MAINTAINER);
    let moved = RuleId::MaintainerDeprecated;
    let r = check(&dir, &["--write-baseline", "baseline.json", "Dockerfile"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let path = dir.path().join("baseline.json");
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains(moved.code()), "{written}");
    // The baseline as a release before the move wrote it.
    std::fs::write(&path, written.replace(moved.code(), "PL010")).unwrap();
    let r = check(&dir, &["--baseline", "baseline.json", "Dockerfile"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn a_suppression_of_a_former_code_still_suppresses() {
    let text = MAINTAINER.replace("MAINTAINER", "# plimsoll ignore=PL010\nMAINTAINER");
    let dir = project(&text);
    let r = check(&dir, &["--report-unused-suppressions", "Dockerfile"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn categories_and_families_select_rules() {
    let dir = project(
        "FROM node:latest\nENV API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\nUSER root\n",
    );
    let codes = |args: &[&str]| -> Vec<String> {
        let r = check(&dir, args);
        let mut codes: Vec<String> = r
            .stdout
            .lines()
            .filter_map(|l| l.split_whitespace().nth(2))
            .map(str::to_string)
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    let security = codes(&["--select", "security", "Dockerfile"]);
    assert!(
        security.contains(&RuleId::SecretToken.code().to_string()),
        "{security:?}"
    );
    assert!(
        security.contains(&RuleId::RootUser.code().to_string()),
        "{security:?}"
    );
    assert!(
        !security.contains(&RuleId::LatestTag.code().to_string()),
        "{security:?}"
    );
    let image = codes(&["--select", "image", "Dockerfile"]);
    assert!(
        image.contains(&RuleId::LatestTag.code().to_string()),
        "{image:?}"
    );
    assert!(image.iter().all(|c| c.starts_with("PL1")), "{image:?}");
}

#[test]
fn invalid_utf8_is_a_catalog_rule_that_can_be_ignored_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        b"FROM alpine:3.20\nLABEL x=\"\xff\"\n",
    )
    .unwrap();
    let rule = RuleId::InvalidUtf8;
    let r = check(&dir, &["--select", rule.name(), "Dockerfile"]);
    assert!(r.stdout.contains(rule.code()), "{}", r.stdout);
    let r = check(
        &dir,
        &[
            "--select",
            rule.name(),
            "--ignore",
            rule.code(),
            "Dockerfile",
        ],
    );
    assert!(!r.stdout.contains(rule.code()), "{}", r.stdout);
    let r = run_plimsoll(
        dir.path(),
        &["explain", RuleId::UnusedSuppression.code()],
        None,
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("unused-suppression"), "{}", r.stdout);
}

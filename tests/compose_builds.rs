//! A Dockerfile linted as the compose services that build it do (`build.args`, `build.target`),
//! and a compose `image:` that names a build result rather than a registry's image. Each fixture
//! under `tests/fixtures/compose-builds/<case>/` is checked with the binary, and its findings
//! (file, position, rule, message and related spans) are a snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
mod support;

use std::path::{Path, PathBuf};

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/compose-builds")
        .join(case)
}

/// `plimsoll check --format json ARGS` in the fixture's directory, one finding a line with its
/// related spans below it.
fn findings(case: &str, args: &[&str]) -> String {
    let dir = fixture(case);
    let mut all = vec!["check", "--isolated", "--format", "json"];
    all.extend_from_slice(args);
    let run = support::run_plimsoll(&dir, &all, None);
    support::render_findings(&run)
}

fn snap(name: &str, rendered: String) {
    support::snapshot_settings().bind(|| insta::assert_snapshot!(name, rendered));
}

/// The findings on one file (lines starting with its path).
fn on<'a>(out: &'a str, file: &str) -> Vec<&'a str> {
    out.lines().filter(|l| l.starts_with(file)).collect()
}

#[test]
fn build_args_resolve_from_base() {
    let out = findings("args-base", &["."]);
    let df: Vec<&str> = on(&out, "app/Dockerfile");
    // `web` passes a digest-pinned BASE; `legacy` and `legacy-debug` (another build: it also
    // passes DEBUG) pass `debian:latest`: the latest tag is reported once, naming both, and the
    // ARG default `debian` (what a plain build would use) is not judged: no service builds
    // with it.
    assert_eq!(
        df.iter()
            .filter(|l| l.contains("PL101 latest-tag:"))
            .count(),
        1,
        "{out}"
    );
    assert!(!out.contains("latest-tag-implicit"), "{out}");
    assert!(
        out.contains("as service `legacy` (compose.yaml:10:7), service `legacy-debug`"),
        "{out}"
    );
    assert!(!out.contains("as service `web`"), "{out}");
    snap("compose_builds_args_base", out);
}

#[test]
fn the_command_line_build_arg_wins_over_compose() {
    let d = format!("debian:13@sha256:{}", "ab".repeat(32));
    let arg = format!("BASE={d}");
    let out = findings("args-base", &["--build-arg", &arg, "."]);
    assert!(!out.contains("latest-tag"), "{out}");
}

#[test]
fn build_target_chooses_the_stage_judged() {
    let out = findings("target-stage", &["."]);
    // The last stage runs as `app`; compose builds `dev`, which runs as root: the Dockerfile's
    // root-user rule judges `dev`, and says compose's target made it so; the compose file's
    // root-user-built reports the service.
    assert!(
        on(&out, "Dockerfile:3:")
            .iter()
            .any(|l| l.contains("root-user")),
        "{out}"
    );
    assert!(out.contains("build.target dev"), "{out}");
    assert!(
        on(&out, "compose.yaml").iter().any(|l| l.contains("PL203")),
        "{out}"
    );
    snap("compose_builds_target_stage", out);
}

#[test]
fn the_command_line_target_wins_over_compose() {
    let out = findings("target-stage", &["--target", "prod", "Dockerfile"]);
    assert!(
        on(&out, "Dockerfile")
            .iter()
            .all(|l| !l.contains("root-user")),
        "{out}"
    );
}

#[test]
fn a_dockerfile_alone_is_linted_with_the_compose_project_above_it() {
    // Only the Dockerfile is named: the compose project beside it still says how it is built.
    let out = findings("target-stage", &["Dockerfile"]);
    assert!(out.contains("build.target dev"), "{out}");
    assert!(
        on(&out, "compose.yaml").is_empty(),
        "the compose file is not linted: {out}"
    );
}

#[test]
fn an_image_naming_a_build_result_is_not_a_pull() {
    let out = findings("image-built", &["."]);
    // `app` builds `myorg/app`; `worker` (same file) and `migrate` (the override) use it;
    // `redis` is pulled.
    let image_rules = |l: &&str| l.contains("latest-tag") || l.contains("unpinned-digest");
    let flagged: Vec<&str> = out.lines().filter(image_rules).collect();
    assert!(flagged.iter().all(|l| l.contains("redis")), "{out}");
    assert!(flagged.iter().any(|l| l.contains("redis")), "{out}");
    snap("compose_builds_image_built", out);
}

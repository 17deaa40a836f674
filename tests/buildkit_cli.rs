//! BuildKit's checks through the command line: `--fix` for the mechanical ones, the `# check=`
//! directive's `error=true` in the exit code, `BUILDKIT_DOCKERFILE_CHECK`, build arguments and
//! the platform from the command line and the configuration.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::rules::catalog::RuleId;
use support::run_plimsoll;

fn dir_with(dockerfile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}

#[test]
fn fix_applies_the_safe_fixes_and_unsafe_ones_on_request() {
    let text = "FROM alpine:3.20 as Build\ncopy a \\\n\n    /a\nENV APP_HOME /srv/app\nEXPOSE 80/TCP\nFROM --platform=$TARGETPLATFORM alpine:3.20\nCMD run --now\n";
    let dir = dir_with(text);
    let run = run_plimsoll(
        dir.path(),
        &["check", "--isolated", "--fix", "Dockerfile"],
        None,
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(
        fixed,
        "FROM alpine:3.20 AS build\nCOPY a \\\n    /a\nENV APP_HOME=/srv/app\nEXPOSE 80/tcp\nFROM --platform=$TARGETPLATFORM alpine:3.20\nCMD run --now\n"
    );
    let run = run_plimsoll(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--fix",
            "--unsafe-fixes",
            "Dockerfile",
        ],
        None,
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        fixed.ends_with("FROM alpine:3.20\nCMD [\"run\", \"--now\"]\n"),
        "{fixed}"
    );
}

#[test]
fn error_true_makes_check_findings_errors_and_the_exit_code_says_so() {
    let text = "#check=skip=ConsistentInstructionCasing;error=true\nFROM scratch as base\ncopy Dockerfile .\n";
    let dir = dir_with(text);
    let args = [
        "check",
        "--isolated",
        "--format",
        "concise",
        "--fail-level",
        "error",
        "Dockerfile",
    ];
    let run = run_plimsoll(dir.path(), &args, None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let from_as = RuleId::FromAsCasing.code();
    let casing = RuleId::ConsistentInstructionCasing.code();
    assert!(
        run.stdout.contains(&format!(":2:14: error {from_as}")),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(casing), "skipped: {}", run.stdout);
    // The build argument replaces the directive.
    let mut with_arg = args.to_vec();
    with_arg.extend(["--build-arg", "BUILDKIT_DOCKERFILE_CHECK=skip=all"]);
    let run = run_plimsoll(dir.path(), &with_arg, None);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        !run.stdout.contains(from_as) && !run.stdout.contains(casing),
        "{}",
        run.stdout
    );
    // A malformed directive is reported, as BuildKit refuses it.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "# check=skip=all;erorr=true\nFROM scratch\n",
    )
    .unwrap();
    let run = run_plimsoll(dir.path(), &args, None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let syntax = RuleId::DockerfileSyntax.code();
    assert!(
        run.stdout.contains(&format!(":1:9: error {syntax}")),
        "{}",
        run.stdout
    );
    // An invalid build argument is a usage error.
    let mut bad = args.to_vec();
    bad.extend(["--build-arg", "BUILDKIT_DOCKERFILE_CHECK=skip"]);
    assert_eq!(run_plimsoll(dir.path(), &bad, None).code, 2);
}

#[test]
fn build_arguments_and_platform_from_the_command_line_and_the_configuration() {
    let dir = dir_with(
        "ARG BASE=alpine:3.20\nFROM $BASE\nFROM --platform=$BUILDPLATFORM busybox:${TARGETARCH} AS t\n",
    );
    let lint = |extra: &[&str]| {
        let mut args = vec!["check", "--format", "concise", "--select", "latest-tag"];
        args.extend_from_slice(extra);
        args.push("Dockerfile");
        run_plimsoll(dir.path(), &args, None)
    };
    let plain = lint(&["--platform", "linux/amd64"]);
    assert_eq!(plain.code, 0, "{}{}", plain.stdout, plain.stderr);
    let latest = lint(&["--build-arg", "BASE=debian:latest"]);
    assert!(
        latest
            .stdout
            .contains(&format!(":2:6: warning {}", RuleId::LatestTag.code())),
        "{}",
        latest.stdout
    );
    // TARGETARCH follows --platform: `busybox:latest` for an architecture named `latest`.
    let odd = lint(&["--build-arg", "TARGETARCH=latest"]);
    assert!(odd.stdout.contains(":3:"), "{}", odd.stdout);
    std::fs::write(
        dir.path().join("plimsoll.toml"),
        "build-args = { BASE = \"debian:latest\" }\nplatform = \"linux/arm64\"\n",
    )
    .unwrap();
    let configured = lint(&[]);
    assert!(
        configured
            .stdout
            .contains(&format!(":2:6: warning {}", RuleId::LatestTag.code())),
        "{}",
        configured.stdout
    );
    // The command line wins over the configuration.
    let overridden = lint(&["--build-arg", "BASE=debian:12"]);
    assert_eq!(
        overridden.code, 0,
        "{}{}",
        overridden.stdout, overridden.stderr
    );
    std::fs::write(dir.path().join("plimsoll.toml"), "platform = \"linux/\"\n").unwrap();
    let invalid = lint(&[]);
    assert_eq!(invalid.code, 2, "{}{}", invalid.stdout, invalid.stderr);
    assert!(
        invalid.stderr.contains("plimsoll.toml:1:"),
        "{}",
        invalid.stderr
    );
}

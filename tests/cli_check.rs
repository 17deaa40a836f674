//! `plimsoll check` end to end: exit codes, fail levels, configuration errors, baselines,
//! `--output`, `--statistics`, standard input, hadolint configuration, and `plimsoll init`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::rules::RuleId;
use std::path::Path;

use support::Run;

fn plimsoll(dir: &Path, args: &[&str]) -> Run {
    plimsoll_stdin(dir, args, None)
}

fn plimsoll_stdin(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    support::run_plimsoll(dir, args, stdin)
}

/// A temporary directory with a root `plimsoll.toml` (so no configuration above it applies)
/// that selects only the findings `check` itself makes, so these tests of the command's
/// mechanics do not change as rules are added.
fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("plimsoll.toml"), SELECT_LOCAL).expect("write");
    for (name, body) in files {
        let p = tmp.path().join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    }
    tmp
}

const BAD: &[u8] = b"FROM debian:12\nRUN echo \xff\n";
/// Clean under every rule: pinned by digest, non-root.
const CLEAN: &[u8] = b"FROM gcr.io/distroless/static-debian12:nonroot@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nUSER 65532\n";
const SELECT_LOCAL: &str = "select = [\"PL09\"]\n";

#[test]
fn exit_codes_follow_the_contract() {
    let p = project(&[("Dockerfile", CLEAN), ("bad/Dockerfile", BAD)]);
    let ok = plimsoll(p.path(), &["check", "Dockerfile"]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("No findings"), "{}", ok.stdout);
    let bad = plimsoll(p.path(), &["check", "--format", "concise"]);
    assert_eq!(bad.code, 1, "{}{}", bad.stdout, bad.stderr);
    assert!(
        bad.stdout
            .starts_with("bad/Dockerfile:2:10: error PL090 invalid UTF-8 at byte 24"),
        "{}",
        bad.stdout
    );
    // Fail level above the finding, or none: exit 0 but the finding is still shown.
    let never = plimsoll(
        p.path(),
        &["check", "--fail-level", "none", "--format", "concise"],
    );
    assert_eq!(never.code, 0);
    assert!(never.stdout.contains(RuleId::InvalidUtf8.code()));
    // An I/O error wins over findings: exit 2, and the other files are still reported.
    let missing = plimsoll(
        p.path(),
        &["check", "--format", "concise", "nope", "bad/Dockerfile"],
    );
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("plimsoll: error: nope:"),
        "{}",
        missing.stderr
    );
    assert!(
        missing.stdout.contains(RuleId::InvalidUtf8.code()),
        "{}",
        missing.stdout
    );
    let usage = plimsoll(p.path(), &["check", "--fail-level", "loud"]);
    assert_eq!(usage.code, 2);
    let usage = plimsoll(p.path(), &["check", "--format", "xml"]);
    assert_eq!(usage.code, 2);
}

#[test]
fn ignore_and_select_on_the_command_line() {
    let p = project(&[("Dockerfile", BAD)]);
    let r = plimsoll(
        p.path(),
        &[
            "check",
            "--ignore",
            RuleId::InvalidUtf8.code(),
            "--format",
            "concise",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.stdout, "");
}

#[test]
fn bad_config_names_file_line_and_column() {
    let p = project(&[("Dockerfile", CLEAN)]);
    std::fs::write(
        p.path().join("plimsoll.toml"),
        "select = []\n[options]\nmoving-tag = []\n",
    )
    .expect("write");
    let r = plimsoll(p.path(), &["check"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("plimsoll.toml:3:1:"), "{}", r.stderr);
    assert!(r.stderr.contains("moving-tag"), "{}", r.stderr);
    // A nested configuration with an error only affects its own files, but still exits 2.
    std::fs::write(p.path().join("plimsoll.toml"), SELECT_LOCAL).expect("write");
    std::fs::create_dir_all(p.path().join("sub")).expect("mkdir");
    std::fs::write(p.path().join("sub/Dockerfile"), CLEAN).expect("write");
    std::fs::write(p.path().join("sub/.plimsoll.toml"), "fail-level = 3\n").expect("write");
    let r = plimsoll(p.path(), &["check"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(".plimsoll.toml:1:14:"), "{}", r.stderr);
}

#[test]
fn config_fail_level_and_output_format_apply() {
    let p = project(&[("Dockerfile", BAD)]);
    std::fs::write(
        p.path().join("plimsoll.toml"),
        format!("{SELECT_LOCAL}fail-level = \"none\"\noutput-format = \"json\"\n"),
    )
    .expect("write");
    let r = plimsoll(p.path(), &["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json output");
    assert_eq!(v[0]["code"], RuleId::InvalidUtf8.code());
}

#[test]
fn hadolint_config_is_used_without_plimsoll_config() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("Dockerfile"), BAD).expect("write");
    std::fs::write(
        tmp.path().join(".hadolint.yaml"),
        "failure-threshold: none\n",
    )
    .expect("write");
    let r = plimsoll(tmp.path(), &["check", "--format", "concise"]);
    assert!(
        r.stdout.contains(RuleId::InvalidUtf8.code()),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.code, 0,
        "hadolint's failure-threshold applies: {}",
        r.stderr
    );
    std::fs::write(
        tmp.path().join(".hadolint.yaml"),
        "ignored:\n  - [DL3007]\n",
    )
    .expect("write");
    let r = plimsoll(tmp.path(), &["check"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(".hadolint.yaml:2:5:"), "{}", r.stderr);
}

#[test]
fn baseline_hides_known_findings_across_line_shifts() {
    let p = project(&[("Dockerfile", BAD)]);
    let w = plimsoll(p.path(), &["check", "--write-baseline", "baseline.json"]);
    assert_eq!(w.code, 0, "{}", w.stderr);
    assert!(w.stderr.contains("wrote 1 finding"), "{}", w.stderr);
    let r = plimsoll(p.path(), &["check", "--baseline", "baseline.json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // Lines inserted above: still known.
    let mut shifted = b"# a comment\n\n".to_vec();
    shifted.extend_from_slice(BAD);
    std::fs::write(p.path().join("Dockerfile"), &shifted).expect("write");
    let r = plimsoll(p.path(), &["check", "--baseline", "baseline.json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // A new problem is reported.
    std::fs::write(p.path().join("Dockerfile"), b"FROM a\nRUN \xfe new\n").expect("write");
    let r = plimsoll(
        p.path(),
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--format",
            "concise",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    let r = plimsoll(p.path(), &["check", "--baseline", "missing.json"]);
    assert_eq!(r.code, 2);
}

#[test]
fn output_file_and_statistics() {
    let p = project(&[("Dockerfile", BAD), ("a/Dockerfile", BAD)]);
    let r = plimsoll(
        p.path(),
        &["check", "--format", "sarif", "--output", "out/report.sarif"],
    );
    assert_eq!(r.code, 2, "missing directory is an error: {}", r.stderr);
    let r = plimsoll(
        p.path(),
        &["check", "--format", "sarif", "--output", "report.sarif"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    let text = std::fs::read_to_string(p.path().join("report.sarif")).expect("report written");
    let v: serde_json::Value = serde_json::from_str(&text).expect("sarif json");
    assert_eq!(v["runs"][0]["results"].as_array().map(Vec::len), Some(2));
    let r = plimsoll(p.path(), &["check", "--statistics"]);
    assert_eq!(
        r.stdout,
        "     2  PL090  invalid-utf8                 error\n"
    );
    let r = plimsoll(p.path(), &["check", "--statistics", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v[0]["count"], 2);
}

#[test]
fn stdin_with_a_filename() {
    let p = project(&[]);
    let r = plimsoll_stdin(
        p.path(),
        &[
            "check",
            "--stdin-filename",
            "svc/Dockerfile",
            "--format",
            "concise",
            "-",
        ],
        Some(BAD),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("svc/Dockerfile:2:10: error PL090"),
        "{}",
        r.stdout
    );
    let r = plimsoll_stdin(p.path(), &["check", "-"], Some(CLEAN));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn suppressions_in_files() {
    let mut text =
        b"# plimsoll ignore=invalid-utf8 -- vendored\nRUN echo \xff\nRUN \xfe\n".to_vec();
    text.extend_from_slice(b"");
    let p = project(&[("Dockerfile", &text)]);
    let r = plimsoll(p.path(), &["check", "--format", "concise"]);
    // Only the first bad byte is reported (line 2), and it is suppressed.
    assert_eq!(r.code, 0, "{}", r.stdout);
    let p = project(&[("Dockerfile", b"# hadolint global ignore=PL090\nRUN \xff\n")]);
    assert_eq!(plimsoll(p.path(), &["check"]).code, 0);
    let p = project(&[("Dockerfile", b"# plimsoll ignore=PL090\nFROM a\n")]);
    let r = plimsoll(p.path(), &["check", "--format", "concise"]);
    assert_eq!(r.code, 0, "unused suppressions are off by default");
    let r = plimsoll(
        p.path(),
        &[
            "check",
            "--format",
            "concise",
            "--report-unused-suppressions",
        ],
    );
    assert_eq!(
        r.stdout,
        "Dockerfile:1:19: warning PL091 unused suppression: `PL090` suppresses nothing here\n"
    );
}

#[test]
fn directory_named_dockerfile_is_an_error() {
    let p = project(&[("Dockerfile/x", CLEAN)]);
    let r = plimsoll(p.path(), &["check", "Dockerfile"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("Dockerfile: is a directory"),
        "{}",
        r.stderr
    );
}

#[test]
fn init_writes_a_config_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = plimsoll(tmp.path(), &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(tmp.path().join("plimsoll.toml")).expect("written");
    assert!(text.contains("fail-level"));
    let r = plimsoll(tmp.path(), &["init"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(plimsoll(tmp.path(), &["init", "--force"]).code, 0);
    // The written file is a valid configuration.
    std::fs::write(tmp.path().join("Dockerfile"), CLEAN).expect("write");
    assert_eq!(plimsoll(tmp.path(), &["check"]).code, 0);
}

/// An alias bomb: nine anchors, each nine aliases of the one before (9^9 nodes expanded).
fn alias_bomb() -> String {
    let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let mut prev = 'a';
    for name in 'b'..='i' {
        let aliases = vec![format!("*{prev}"); 9].join(", ");
        text.push_str(&format!("{name}: &{name} [{aliases}]\n"));
        prev = name;
    }
    text.push_str("services:\n  web:\n    image: x\n    labels: *i\n");
    text
}

#[test]
fn an_alias_bomb_is_refused_with_exit_code_2() {
    let tmp = project(&[("compose.yaml", alias_bomb().as_bytes())]);
    // Even with every rule ignored, a refused file is reported: it was not checked.
    let run = plimsoll(
        tmp.path(),
        &["check", "--format", "concise", "--ignore", "ALL"],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("compose.yaml:") && run.stdout.contains(RuleId::InputLimit.code()),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("alias bomb"), "{}", run.stdout);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    // The same anchors used sparingly are fine.
    let tame = "a: &a [lol]\nb: &b [*a, *a]\nservices:\n  web:\n    image: x\n    labels: *b\n";
    let tmp = project(&[("compose.yaml", tame.as_bytes())]);
    let run = plimsoll(tmp.path(), &["check", "--format", "concise"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// Compose interpolation reads the process environment over `.env`, as `docker compose` does;
/// `--ignore-env` leaves it out. (Image rules judge `${TAG:-latest}` by its default whatever the
/// environment: the machine that runs compose is not the one that lints.)
#[test]
fn compose_interpolation_sees_the_process_environment() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("plimsoll.toml"),
        "select = [\"root-user\", \"compose-unset-variable\"]\n",
    )
    .expect("write");
    std::fs::write(
        tmp.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx\n    user: \"${PLIMSOLL_TEST_USER}\"\n  db:\n    image: postgres\n    user: \"${PLIMSOLL_TEST_DB_USER}\"\n",
    )
    .expect("write");
    std::fs::write(tmp.path().join(".env"), "PLIMSOLL_TEST_DB_USER=postgres\n").expect("write");
    let run = |extra: &[&str], envs: &[(&str, &str)]| {
        let out = std::process::Command::new(support::plimsoll_bin())
            .current_dir(tmp.path())
            .args(["check", "--format", "concise"])
            .args(extra)
            .env_remove("PLIMSOLL_TEST_USER")
            .env_remove("PLIMSOLL_TEST_DB_USER")
            .envs(envs.iter().copied())
            .output()
            .expect("run plimsoll");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // `web`'s user is unset; `db`'s comes from `.env`.
    let bare = run(&[], &[]);
    assert!(
        bare.contains("PL006 variable `PLIMSOLL_TEST_USER`"),
        "{bare}"
    );
    assert!(!bare.contains(RuleId::RootUser.code()), "{bare}");
    // The environment fills the unset variable and wins over `.env`.
    let set = [
        ("PLIMSOLL_TEST_USER", "1000"),
        ("PLIMSOLL_TEST_DB_USER", "root"),
    ];
    let with_env = run(&[], &set);
    assert!(
        !with_env.contains(RuleId::ComposeUnsetVariable.code()),
        "{with_env}"
    );
    assert!(
        with_env.contains("PL201 service `db` runs as root"),
        "{with_env}"
    );
    // `--ignore-env`: back to `.env`.
    let ignored = run(&["--ignore-env"], &set);
    assert!(
        ignored.contains("PL006 variable `PLIMSOLL_TEST_USER`"),
        "{ignored}"
    );
    assert!(!ignored.contains(RuleId::RootUser.code()), "{ignored}");
}

#[test]
fn any_thread_count_gives_the_same_sorted_report_and_lints_a_file_once() {
    let names = [
        "b/Dockerfile",
        "a/z/Dockerfile",
        "a/Dockerfile",
        "c.dockerfile",
    ];
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (*n, BAD)).collect();
    let p = project(&files);
    // Named out of order, one of them twice and also walked through its directory.
    let args = |threads: &'static str| {
        vec![
            "check",
            "--format",
            "concise",
            "--threads",
            threads,
            "c.dockerfile",
            "b/",
            "a/",
            "c.dockerfile",
            "b/Dockerfile",
        ]
    };
    let one = plimsoll(p.path(), &args("1"));
    assert_eq!(one.code, 1, "{}{}", one.stdout, one.stderr);
    let paths: Vec<&str> = one
        .stdout
        .lines()
        .filter_map(|l| l.split(':').next())
        .collect();
    assert_eq!(
        paths,
        [
            "a/Dockerfile",
            "a/z/Dockerfile",
            "b/Dockerfile",
            "c.dockerfile"
        ],
        "{}",
        one.stdout
    );
    for threads in ["2", "3"] {
        let many = plimsoll(p.path(), &args(threads));
        assert_eq!(
            (many.code, &many.stdout),
            (one.code, &one.stdout),
            "{threads} threads"
        );
    }
    let zero = plimsoll(p.path(), &args("0"));
    assert_eq!(zero.code, 2, "{}", zero.stderr);
}

#[test]
fn hadolint_stage_ignore_and_shell_pragmas() {
    // Lines 3-4: the build stage's stage ignore. Line 8: a PowerShell RUN, declared by the
    // shell pragma, has no POSIX pipe to judge. Lines 6 and 10 stay flagged.
    let dockerfile = b"FROM debian:12-slim AS build
# hadolint stage ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends gcc
RUN apt-get install -y --no-install-recommends make
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
# hadolint shell=pwsh
RUN Get-ChildItem /etc | Select-Object -First 3
FROM debian:12-slim
RUN curl -fsSL https://example.com/x | sh
";
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("Dockerfile"), dockerfile).expect("write");
    let (unpinned, pipefail) = (RuleId::AptUnpinned.code(), RuleId::Pipefail.code());
    let flagged = |extra: &[&str]| -> Vec<(u32, String)> {
        let mut args = vec!["check", "--format", "concise", "--select"];
        let select = format!("{unpinned},{pipefail}");
        args.push(&select);
        args.extend_from_slice(extra);
        args.push("Dockerfile");
        let r = plimsoll(tmp.path(), &args);
        assert!(r.code <= 1, "{}{}", r.stdout, r.stderr);
        r.stdout
            .lines()
            .filter_map(|l| {
                let mut parts = l.split(':');
                let _file = parts.next()?;
                let line = parts.next()?.parse().ok()?;
                let code = l.split_whitespace().nth(2)?;
                Some((line, code.to_string()))
            })
            .collect()
    };
    let want = vec![(6, unpinned.to_string()), (10, pipefail.to_string())];
    assert_eq!(flagged(&["--isolated"]), want);
    // The stage ignore is used: not reported as unused.
    assert_eq!(
        flagged(&["--isolated", "--report-unused-suppressions"]),
        want
    );
    // hadolint's `disable-ignore-pragma` turns the stage ignore off, not the shell pragma.
    std::fs::write(
        tmp.path().join(".hadolint.yaml"),
        "disable-ignore-pragma: true\n",
    )
    .expect("write");
    assert_eq!(
        flagged(&[]),
        vec![
            (3, unpinned.to_string()),
            (4, unpinned.to_string()),
            (6, unpinned.to_string()),
            (10, pipefail.to_string())
        ]
    );
}

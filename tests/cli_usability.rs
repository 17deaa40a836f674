//! The command line never fails silently: misspelt rules and subcommands are errors with a
//! suggestion, options go before or after a subcommand, nothing reads as success when nothing
//! was checked, the default fail level lets a team adopt plimsoll, and the summary counts what
//! it says it counts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::rules::RuleId;
use std::path::Path;
use support::Run;

fn plimsoll(dir: &Path, args: &[&str]) -> Run {
    support::run_plimsoll(dir, args, None)
}

/// A directory with a root configuration (so none above it applies) and `files`.
fn project(config: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("plimsoll.toml"), config).unwrap();
    for (name, body) in files {
        let p = tmp.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    tmp
}

/// A latest tag (a warning) and, pinned by tag but not digest, an info finding.
const LATEST: &str = "FROM debian:latest\nUSER 1000\n";
/// Only an info finding: a tag without a digest.
const INFO_ONLY: &str = "FROM debian:12\nUSER 1000\n";

#[test]
fn a_misspelt_rule_is_an_error_with_a_suggestion() {
    let p = project("", &[("Dockerfile", LATEST)]);
    let r = plimsoll(p.path(), &["check", "--select", "latset-tag", "Dockerfile"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("unknown rule `latset-tag`; did you mean `latest-tag`? in --select"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let r = plimsoll(
        p.path(),
        &["check", "--ignore", "split-run,nonsense", "Dockerfile"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("unknown rule `nonsense`"), "{}", r.stderr);
    // Codes, prefixes, aliases and families are not misspellings.
    let r = plimsoll(
        p.path(),
        &[
            "check",
            "--select",
            "PL1,DL3007,secret,latest-tag",
            "Dockerfile",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // In the configuration: located, with the suggestion.
    let p = project("ignore = [\"root-usr\"]\n", &[("Dockerfile", LATEST)]);
    let r = plimsoll(p.path(), &["check", "Dockerfile"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "plimsoll.toml:1:11: unknown rule `root-usr`; did you mean `root-user`? in `ignore`"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn options_go_before_or_after_the_subcommand() {
    let p = project("ignore = [\"latest-tag\"]\n", &[("Dockerfile", LATEST)]);
    let after = plimsoll(
        p.path(),
        &[
            "check",
            "-j",
            "1",
            "--isolated",
            "--format",
            "concise",
            "Dockerfile",
        ],
    );
    let before = plimsoll(
        p.path(),
        &[
            "-j",
            "1",
            "--isolated",
            "--format",
            "concise",
            "check",
            "Dockerfile",
        ],
    );
    assert_eq!(after.code, 1, "{}", after.stderr);
    assert!(
        after.stdout.contains(RuleId::LatestTag.code()),
        "--isolated applied: {}",
        after.stdout
    );
    assert_eq!(
        (before.code, &before.stdout, &before.stderr),
        (after.code, &after.stdout, &after.stderr)
    );
    // `--format=json` carries its value; the subcommand after it is still found.
    let json = plimsoll(
        p.path(),
        &["--format=json", "--isolated", "check", "Dockerfile"],
    );
    assert!(json.stdout.starts_with('['), "{}", json.stdout);
    // `plimsoll --isolated lsp` is the language server (it ends, exit 1, when its input closes
    // without a shutdown), not a check of a path named `lsp`.
    let lsp = plimsoll(p.path(), &["--isolated", "lsp"]);
    assert_eq!(lsp.code, 1, "{}{}", lsp.stdout, lsp.stderr);
    assert!(!lsp.stderr.contains("lsp:"), "{}", lsp.stderr);
    let lsp = plimsoll(p.path(), &["lsp", "--config", "plimsoll.toml"]);
    assert_eq!(lsp.code, 1, "{}", lsp.stderr);
    // A path is still a path: nothing moves.
    let path = plimsoll(
        p.path(),
        &["--isolated", "--format", "concise", "Dockerfile"],
    );
    assert_eq!(path.stdout, after.stdout);
}

#[test]
fn a_mistyped_subcommand_or_a_missing_path_never_reads_as_success() {
    let p = project("", &[("Dockerfile", LATEST)]);
    let r = plimsoll(p.path(), &["chekc"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("`chekc` is neither a file nor a subcommand; did you mean `plimsoll check`?"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    for args in [&["check", "missing"][..], &["missing/"][..]] {
        let r = plimsoll(p.path(), args);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains("missing"), "{}", r.stderr);
        assert!(!r.stdout.contains("No findings"), "{args:?}: {}", r.stdout);
    }
    // A path named like a subcommand that exists is linted.
    std::fs::write(p.path().join("chekc"), LATEST).unwrap();
    let r = plimsoll(p.path(), &["chekc", "--format", "concise"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.starts_with("chekc:1:"), "{}", r.stdout);
}

#[test]
fn the_default_fail_level_is_warning_and_none_is_documented() {
    let p = project(
        "",
        &[("Dockerfile", INFO_ONLY), ("latest/Dockerfile", LATEST)],
    );
    let info = plimsoll(p.path(), &["check", "--format", "concise", "Dockerfile"]);
    assert_eq!(info.code, 0, "info findings do not fail: {}", info.stdout);
    assert!(info.stdout.contains(" info "), "{}", info.stdout);
    let strict = plimsoll(p.path(), &["check", "--fail-level", "info", "Dockerfile"]);
    assert_eq!(strict.code, 1);
    let warning = plimsoll(p.path(), &["check", "latest/Dockerfile"]);
    assert_eq!(warning.code, 1);
    let help = plimsoll(p.path(), &["check", "--help"]);
    assert!(
        help.stdout.contains("none (never fail on findings"),
        "{}",
        help.stdout
    );
}

#[test]
fn the_summary_counts_files_checked_and_files_with_findings() {
    let clean = "FROM gcr.io/distroless/static-debian12:nonroot@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nUSER 65532\n";
    let p = project(
        "",
        &[
            ("a/Dockerfile", clean),
            ("b/Dockerfile", clean),
            ("c/Dockerfile", LATEST),
        ],
    );
    let r = plimsoll(p.path(), &["check", "."]);
    let last = r.stdout.lines().last().unwrap_or_default();
    assert!(
        // `unpinned-digest` on the same token is a note of the latest-tag finding.
        last.starts_with("Found 1 finding in 1 of 3 files ("),
        "{}",
        r.stdout
    );
    let r = plimsoll(p.path(), &["check", "a", "b"]);
    assert_eq!(r.stdout, "No findings in 2 files.\n");
}

#[test]
fn compose_yaml_docker_compose_accepts_is_read_and_broken_yaml_is_linted_up_to_the_error() {
    // Sentry's docker-compose.yml closes a flow sequence at its key's column; go-yaml (docker
    // compose's reader) accepts it, so the services after it must be linted too.
    let sentry = "services:\n  web:\n    image: nginx:1.25\n    healthcheck:\n      test: [\n        \"CMD\", \"true\"\n      ]\n      interval: 5s\n  db:\n    image: postgres:latest\n";
    let broken = "services:\n  web:\n    image: nginx:latest\n    environment:\n      A: 1\n     B: 2\n  db:\n    image: postgres:latest\n";
    let p = project(
        "",
        &[
            ("compose.yaml", sentry),
            ("crlf/compose.yaml", &sentry.replace('\n', "\r\n")),
            ("broken/compose.yaml", broken),
        ],
    );
    for file in ["compose.yaml", "crlf/compose.yaml"] {
        let r = plimsoll(p.path(), &["check", "--format", "concise", file]);
        assert!(
            !r.stdout.contains(RuleId::YamlSyntax.code()),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout.contains(&format!(
                "{file}:10:12: warning PL101 service `db`: `postgres:latest`"
            )),
            "{}",
            r.stdout
        );
    }
    let r = plimsoll(
        p.path(),
        &["check", "--format", "concise", "broken/compose.yaml"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("broken/compose.yaml:6:6: error PL002"),
        "{}",
        r.stdout
    );
    // What comes before the error is linted.
    assert!(
        r.stdout
            .contains("broken/compose.yaml:3:12: warning PL101 service `web`: `nginx:latest`"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_required_compose_variable_missing_here_is_no_error() {
    let compose = "services:\n  web:\n    image: \"nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n    user: \"1000\"\n    environment:\n      DB_HOST: ${PLIMSOLL_TEST_SURELY_UNSET_HOST:?set the database host}\n";
    let p = project("", &[("compose.yaml", compose)]);
    let r = plimsoll(p.path(), &["check", "--format", "concise", "compose.yaml"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        !r.stdout.contains(RuleId::ComposeInterpolation.code()),
        "{}",
        r.stdout
    );
    // Asked for, it is the unset-variable note (info), naming compose's own message.
    let r = plimsoll(
        p.path(),
        &[
            "check",
            "--format",
            "concise",
            "--select",
            RuleId::ComposeUnsetVariable.code(),
            "--fail-level",
            "info",
            "compose.yaml",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("info PL006 required variable `PLIMSOLL_TEST_SURELY_UNSET_HOST` is not set in this environment"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("set the database host"), "{}", r.stdout);
    // With the environment left out it is expected to be missing: not even a note.
    let r = plimsoll(
        p.path(),
        &[
            "check",
            "--format",
            "concise",
            "--select",
            RuleId::ComposeUnsetVariable.code(),
            "--ignore-env",
            "compose.yaml",
        ],
    );
    assert_eq!(r.stdout, "", "{}", r.stderr);
}

#[test]
fn backups_and_excluded_directories_are_skipped_unless_named() {
    let p = project(
        "extend-exclude = [\"vendor\", \"generated/*.Dockerfile\"]\n",
        &[
            ("Dockerfile", LATEST),
            ("Dockerfile.orig", LATEST),
            ("Dockerfile~", LATEST),
            ("app/Dockerfile.dpkg-old", LATEST),
            ("app/Dockerfile.rej", LATEST),
            ("vendor/lib/Dockerfile", LATEST),
            ("generated/x.Dockerfile", LATEST),
            ("generated/keep/Dockerfile", LATEST),
        ],
    );
    let files = |r: &Run| -> Vec<String> {
        let mut v: Vec<String> = r
            .stdout
            .lines()
            .filter_map(|l| l.split(':').next())
            .map(str::to_string)
            .collect();
        v.dedup();
        v
    };
    let r = plimsoll(p.path(), &["check", "--format", "concise", "."]);
    assert_eq!(
        files(&r),
        ["Dockerfile", "generated/keep/Dockerfile"],
        "{}",
        r.stderr
    );
    // `--fix` rewrites no backup and nothing excluded.
    let r = plimsoll(p.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert!(r.code <= 1, "{}", r.stderr);
    for untouched in ["Dockerfile.orig", "Dockerfile~", "vendor/lib/Dockerfile"] {
        assert_eq!(
            std::fs::read_to_string(p.path().join(untouched)).unwrap(),
            LATEST,
            "{untouched}"
        );
    }
    // Named, they are linted.
    let r = plimsoll(
        p.path(),
        &[
            "check",
            "--format",
            "concise",
            "Dockerfile.orig",
            "vendor/lib/Dockerfile",
            "vendor/",
        ],
    );
    assert_eq!(
        files(&r),
        ["Dockerfile.orig", "vendor/lib/Dockerfile"],
        "{}",
        r.stderr
    );
    // `pin --check` skips them too (it only reads: `--offline` without a lock pins nothing).
    let r = plimsoll(p.path(), &["pin", "--check", "--offline", "."]);
    assert!(
        !r.stdout.contains("orig") && !r.stderr.contains("orig"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(
        !r.stdout.contains("vendor") && !r.stderr.contains("vendor"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(
        r.stdout.contains("Dockerfile") || r.stderr.contains("Dockerfile"),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn compose_on_standard_input_is_read_as_compose_and_the_user_is_told() {
    let p = project("", &[]);
    let compose = b"services:\n  web:\n    image: nginx:latest\n";
    let r = support::run_plimsoll(
        p.path(),
        &["check", "--format", "concise", "-"],
        Some(compose),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("-:3:12: warning PL101 service `web`: `nginx:latest`"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains(RuleId::DockerfileSyntax.code()),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("standard input read as a compose file by its content"),
        "{}",
        r.stderr
    );
    let r = support::run_plimsoll(
        p.path(),
        &["check", "--format", "concise", "-"],
        Some(LATEST.as_bytes()),
    );
    assert!(r.stdout.contains("-:1:6: warning PL101"), "{}", r.stdout);
    assert!(r.stderr.contains("read as a Dockerfile"), "{}", r.stderr);
    // Named, nothing is guessed and nothing is said.
    let r = support::run_plimsoll(
        p.path(),
        &["check", "--stdin-filename", "compose.yaml", "-"],
        Some(compose),
    );
    assert!(!r.stderr.contains("note"), "{}", r.stderr);
}

#[test]
fn secrets_are_masked_in_every_output_whether_or_not_the_secret_rules_run() {
    let text = "FROM debian:12\nRUN echo hi\n# plimsoll ignore=secret-token\nRUN curl -u admin:S3cr3tP4ssw0rdXyz https://example.com/x?access_token=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n";
    let p = project("", &[("Dockerfile", text)]);
    let secrets = [
        "S3cr3tP4ssw0rdXyz",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    ];
    for format in [
        "human",
        "concise",
        "json",
        "sarif",
        "checkstyle",
        "gitlab",
        "github",
        "junit",
    ] {
        for ignore in [
            &[][..],
            &["--ignore", "secret"][..],
            &["--select", "split-run"][..],
        ] {
            let mut args = vec!["check", "--format", format, "Dockerfile"];
            args.extend_from_slice(ignore);
            let r = plimsoll(p.path(), &args);
            assert!(r.code <= 1, "{format} {ignore:?}: {}", r.stderr);
            for secret in secrets {
                assert!(
                    !r.stdout.contains(secret),
                    "{format} {ignore:?} shows {secret}:\n{}",
                    r.stdout
                );
            }
        }
    }
    // The split-run finding quotes the line (human), masked.
    let r = plimsoll(p.path(), &["check", "--ignore", "secret", "Dockerfile"]);
    assert!(r.stdout.contains("-u admin:S3cr… https://"), "{}", r.stdout);
    assert!(r.stdout.contains("access_token=ghp_…"), "{}", r.stdout);
}

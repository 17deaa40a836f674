//! The compose project as `docker compose` reads it: each fixture under
//! `tests/fixtures/compose-project/<case>/` is checked with the binary, and its findings (file,
//! position, rule, message and related spans) are a snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
mod support;

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/compose-project")
        .join(case)
}

/// `plimsoll check --format json ARGS` in the fixture's directory, rendered one finding a line
/// with its related spans below it.
fn findings(case: &str, args: &[&str]) -> String {
    let dir = fixture(case);
    let mut all = vec!["check", "--isolated", "--format", "json"];
    all.extend_from_slice(args);
    let run = support::run_plimsoll(&dir, &all, None);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}{}",
        run.code,
        run.stdout,
        run.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json report");
    let mut out = String::new();
    for f in json.as_array().expect("an array") {
        let _ = writeln!(
            out,
            "{}:{}:{} {} {}: {}",
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"],
            f["code"].as_str().unwrap(),
            f["name"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        );
        for r in f["related"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "    related {}:{}: {}",
                r["line"],
                r["column"],
                r["label"].as_str().unwrap()
            );
        }
    }
    if !run.stderr.is_empty() {
        let _ = writeln!(out, "stderr: {}", run.stderr.trim_end());
    }
    out
}

fn starts_a_line(out: &str, prefix: &str) -> bool {
    out.lines().any(|l| l.starts_with(prefix))
}

fn snap(name: &str, rendered: String) {
    support::snapshot_settings().bind(|| insta::assert_snapshot!(name, rendered));
}

#[test]
fn a_dotenv_secret_is_reported_once_where_it_lives() {
    let out = findings("dotenv-secret", &["."]);
    // The compose file interpolates `${DB_PASSWORD}`: no finding there, one on the `.env` line.
    assert_eq!(out.matches("DB_PASSWORD").count(), 1, "{out}");
    assert!(out.contains(".env:3:13 PL501"), "{out}");
    assert!(out.contains("config/db.env:2:15 PL503"), "{out}");
    // `changeme` is a placeholder; the optional env file is absent and allowed to be.
    assert!(!out.contains("SMTP_PASSWORD"), "{out}");
    assert!(!out.contains("optional.env"), "{out}");
    snap("compose_project_dotenv_secret", out);
}

#[test]
fn naming_the_compose_file_brings_its_dotenv_files() {
    let out = findings("dotenv-secret", &["compose.yaml"]);
    assert!(out.contains(".env:3:13 PL501"), "{out}");
    assert!(out.contains("config/db.env:2:15 PL503"), "{out}");
    // `--file-kind` says what each named file is: nothing else is brought in.
    let only = findings("dotenv-secret", &["--file-kind", "compose", "compose.yaml"]);
    assert!(!only.contains(".env"), "{only}");
}

#[test]
fn an_ignored_dotenv_is_not_committed_and_not_reported() {
    let out = findings("dotenv-ignored", &["."]);
    assert!(!out.contains(".env"), "{out}");
    // Named explicitly, it is linted like any named file.
    let named = findings("dotenv-ignored", &[".env"]);
    assert!(named.contains(".env:1:13 PL501"), "{named}");
}

#[test]
fn missing_files_are_findings() {
    let out = findings("missing-files", &["."]);
    for expected in [
        "compose.yaml:5:19 PL011",  // build.dockerfile
        "compose.yaml:7:15 PL011",  // env_file
        "compose.yaml:11:12 PL011", // build context
        "compose.yaml:18:11 PL011", // secret file
    ] {
        assert!(out.contains(expected), "{expected} in {out}");
    }
    // The config file exists, the `web` service's context has a Dockerfile, and a path with
    // an unset variable is unknown here.
    assert_eq!(out.matches("PL011").count(), 4, "{out}");
    assert!(!out.contains("PL501"), "`secrets:` lists names: {out}");
    snap("compose_project_missing_files", out);
}

const MERGE_RULES: &str = "latest-tag,unpinned-digest,privileged,service-healthcheck-missing,\
read-only-missing,port-all-interfaces,cap-add-dangerous,root-user";

#[test]
fn an_override_file_beside_the_base_is_merged() {
    let out = findings("override", &["--select", MERGE_RULES, "."]);
    // The base's `nginx:1.27` and `postgres:latest` are replaced, its `privileged: true` is
    // turned off: none of them is what runs.
    assert!(!starts_a_line(&out, "compose.yaml:3:12"), "{out}");
    assert!(!starts_a_line(&out, "compose.yaml:8:12"), "{out}");
    assert!(!out.contains("PL800"), "{out}");
    // The override's `nginx:latest` is reported where it is written, naming what it replaces.
    assert!(
        out.contains("compose.override.yaml:4:12 PL101")
            && out.contains("replaces `nginx:1.27` from compose.yaml:3:12"),
        "{out}"
    );
    // `web` gets a healthcheck from the override and `read_only` from the base; `db` has
    // neither anywhere: reported once, in the base, naming the other file.
    assert_eq!(out.matches("PL826").count(), 1, "{out}");
    assert_eq!(out.matches("PL816").count(), 1, "{out}");
    assert!(out.contains("compose.yaml:7:3 PL816"), "{out}");
    // Ports append: both files' ports stand.
    assert_eq!(out.matches("PL818").count(), 2, "{out}");
    snap("compose_project_override", out);
}

#[test]
fn a_compose_file_list_is_merged_in_order_with_reset_and_override() {
    let merged = findings(
        "flist",
        &["--select", MERGE_RULES, "-f", "a.yaml", "-f", "b.yaml"],
    );
    // `ports: !reset []` and `cap_add: !override [...]` in b.yaml: a.yaml's are gone.
    assert!(!merged.contains("PL818"), "{merged}");
    assert!(!merged.contains("PL809"), "{merged}");
    assert!(merged.contains("b.yaml:6:11 PL201"), "{merged}");
    // The service's absences are reported once, in the first file that defines it.
    assert_eq!(merged.matches("PL816").count(), 1, "{merged}");
    // Named without -f, each file stands alone.
    let alone = findings("flist", &["--select", MERGE_RULES, "a.yaml", "b.yaml"]);
    assert!(alone.contains("a.yaml:5:13 PL818"), "{alone}");
    assert!(alone.contains("a.yaml:6:15 PL809"), "{alone}");
    assert!(alone.contains("a.yaml:2:3 PL816"), "{alone}");
    // The order matters: b.yaml first, then a.yaml brings the ports and capabilities back.
    let reversed = findings(
        "flist",
        &["--select", MERGE_RULES, "-f", "b.yaml", "-f", "a.yaml"],
    );
    assert!(reversed.contains("a.yaml:5:13 PL818"), "{reversed}");
    snap("compose_project_flist", merged);
}

#[test]
fn a_version_1_file_is_reported_once_and_its_services_linted() {
    let out = findings("v1-layout", &["."]);
    assert_eq!(out.matches("PL012").count(), 1, "{out}");
    assert!(starts_a_line(&out, "docker-compose.yml:2:1 PL012"), "{out}");
    // The services are read: their image, secret and privilege findings are there, and the
    // services are not unknown top-level keys.
    assert!(out.contains("docker-compose.yml:3:10 PL101"), "{out}");
    assert!(out.contains("docker-compose.yml:7:19 PL501"), "{out}");
    assert!(out.contains("docker-compose.yml:10:15 PL800"), "{out}");
    assert!(!out.contains("unknown key `web`"), "{out}");
    // A key only version 1 knew is unknown to current compose.
    assert!(out.contains("unknown key `db.net`"), "{out}");
    snap("compose_project_v1_layout", out);
}

#[test]
fn a_built_service_is_judged_by_the_stage_compose_builds() {
    let out = findings("build-target", &["--select", "root-user-built", "."]);
    // `app` targets `runtime` (USER app); `app-as-user` sets `user:`.
    assert!(!out.contains("service `app` "), "{out}");
    assert!(!out.contains("app-as-user"), "{out}");
    // The last stage `debug` is `USER root`.
    assert!(
        out.contains("service `app-debug`") && out.contains("`USER root` (line 9)"),
        "{out}"
    );
    // `FROM ${BASE}` resolves through the service's `build.args`.
    assert!(
        out.contains("service `tools`") && out.contains("`busybox:1.36`'s user"),
        "{out}"
    );
    assert_eq!(out.matches("PL203").count(), 2, "{out}");
    snap("compose_project_build_target", out);
}

#[test]
fn included_files_are_linted_with_the_project() {
    let out = findings("include", &["compose.yaml"]);
    // Named alone, compose.yaml brings the file it includes (a name no walk recognises) and
    // the `.env` beside that file, which interpolates it.
    assert!(out.contains("infra/services.yml:3:12 PL101"), "{out}");
    assert!(out.contains("infra/.env:1:16 PL501"), "{out}");
    // An include that does not exist is a finding.
    assert!(out.contains("compose.yaml:5:5 PL011"), "{out}");
    snap("compose_project_include", out);
}

//! The compose project as `docker compose` reads it: each fixture under
//! `tests/fixtures/compose-project/<case>/` is checked with the binary, and its findings (file,
//! position, rule, message and related spans) are a snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
mod support;

use std::path::{Path, PathBuf};

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/compose-project")
        .join(case)
}

/// `plimsoll check --format json ARGS` in the fixture's directory, rendered one finding a line
/// with its related spans below it.
fn findings(case: &str, args: &[&str]) -> String {
    findings_in(&fixture(case), args, &[])
}

/// As [`findings`], in `dir`, with `vars` set in plimsoll's environment (and
/// `COMPOSE_PROFILES` unset unless given).
fn findings_in(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> String {
    let mut all = vec!["check", "--isolated", "--format", "json"];
    all.extend_from_slice(args);
    let mut cmd = std::process::Command::new(support::plimsoll_bin());
    cmd.current_dir(dir)
        .args(&all)
        .env_remove("COMPOSE_PROFILES");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run plimsoll");
    let run = support::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    support::render_findings(&run)
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

/// A copy of a fixture in a new temporary directory (outside this repository).
fn copy_fixture(case: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture(case)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), tmp.path().join(entry.file_name())).unwrap();
    }
    tmp
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn an_ignored_dotenv_is_not_committed_and_not_reported() {
    // Outside any repository, the `.gitignore` rules decide.
    let tmp = copy_fixture("dotenv-ignored");
    let out = findings_in(tmp.path(), &["."], &[]);
    assert!(!out.contains(".env"), "{out}");
    // Named explicitly, it is linted like any named file.
    let named = findings_in(tmp.path(), &[".env"], &[]);
    assert!(named.contains(".env:1:13 PL501"), "{named}");
}

#[test]
fn a_tracked_dotenv_is_committed_whatever_gitignore_says() {
    if !support::have_tool("git") {
        eprintln!("skipping: git is not installed to make a repository");
        return;
    }
    let tmp = copy_fixture("dotenv-ignored");
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "."]);
    // Ignored and untracked: not committed.
    let out = findings_in(tmp.path(), &["."], &[]);
    assert!(!out.contains(".env"), "{out}");
    // `git add -f`: the index tracks it, `.gitignore` notwithstanding.
    git(tmp.path(), &["add", "-f", ".env"]);
    let out = findings_in(tmp.path(), &["."], &[]);
    assert!(out.contains(".env:1:13 PL501"), "{out}");
    // Index version 4 (prefix-compressed paths) reads the same.
    git(tmp.path(), &["update-index", "--index-version", "4"]);
    let out = findings_in(tmp.path(), &["."], &[]);
    assert!(out.contains(".env:1:13 PL501"), "{out}");
    // Neither tracked nor ignored: one `git add .` away from being committed.
    std::fs::remove_file(tmp.path().join(".gitignore")).unwrap();
    git(tmp.path(), &["rm", "-q", "--cached", ".env"]);
    let out = findings_in(tmp.path(), &["."], &[]);
    assert!(out.contains(".env:1:13 PL501"), "{out}");
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

#[test]
fn an_included_file_reads_its_project_directory_and_env_file() {
    const RULES: &str =
        "compose-unset-variable,compose-missing-file,compose-extends,secret-in-variable";
    let out = findings("include-project", &["--select", RULES, "."]);
    // Every variable is set: DB_TAG and DB_CONF by this project's `.env`, DB_PASSWORD by the
    // include's env_file config/db.env, WEB_ENV by web/.env (the default for web/web.yaml).
    assert!(!out.contains("PL005"), "{out}");
    // stack/db.yaml's `env_file: ${DB_CONF}` is db-extra.env (this project's `.env` wins over
    // the include's env_file), read from its project directory, data/, where it exists.
    assert!(!out.contains("stack/db.yaml"), "{out}");
    // Its `extends.file: base.yaml` is data/base.yaml, found (no compose-extends).
    assert!(!out.contains("PL007"), "{out}");
    // web/web.yaml reads its own directory's `.env`: `web.env`, which web/ lacks.
    assert!(
        starts_a_line(&out, "web/web.yaml:4:15 PL011") && out.contains("`web.env`"),
        "{out}"
    );
    // The secret is reported once, where it lives.
    assert!(starts_a_line(&out, "config/db.env:3:13 PL501"), "{out}");
    assert_eq!(out.matches("DB_PASSWORD").count(), 1, "{out}");
    // The `.env` beside stack/db.yaml is not its project directory's: compose never reads it.
    assert!(!out.contains("stack/.env"), "{out}");
    // An include entry's later paths are merged over its first, as override files are.
    let images = findings(
        "include-project",
        &["--select", "latest-tag,unpinned-digest", "."],
    );
    assert!(
        starts_a_line(&images, "web/web.override.yaml:3:12 PL101")
            && images.contains("replaces `nginx:1.27` from web/web.yaml:3:12"),
        "{images}"
    );
    assert!(!starts_a_line(&images, "web/web.yaml:3:12"), "{images}");
    // Linted alone, as no project includes it, the same file has none of those variables.
    let alone = findings("include-project", &["--select", RULES, "stack/db.yaml"]);
    assert_eq!(alone.matches("PL006").count(), 3, "{alone}");
    assert!(alone.contains("PL007"), "{alone}");
    snap("compose_project_include_project", out);
}

#[test]
fn the_include_comparison_fixture_resolves_every_variable() {
    // tests/compose_docker_config.rs compares it with `docker compose config` (v2): its
    // values must come from the include's env_file and the included directory's `.env`.
    let out = findings(
        "include-config",
        &[
            "--select",
            "compose-unset-variable,compose-missing-file",
            ".",
        ],
    );
    assert_eq!(out, "", "{out}");
    let alone = findings(
        "include-config",
        &[
            "--select",
            "compose-unset-variable",
            "sub/app.yaml",
            "other/worker.yaml",
        ],
    );
    // Alone, sub/app.yaml reads no env file (other/worker.yaml still has the `.env` beside it).
    assert_eq!(alone.matches("PL006").count(), 3, "{alone}");
}

#[test]
fn an_include_cycle_is_reported_and_the_run_ends() {
    let out = findings("include-cycle", &["."]);
    assert!(starts_a_line(&out, "parts/b.yaml:2:5 PL013"), "{out}");
    assert_eq!(out.matches("PL013").count(), 1, "{out}");
    assert!(out.contains("forms a cycle"), "{out}");
    snap("compose_project_include_cycle", out);
}

const PROFILE_RULES: &str =
    "latest-tag,privileged,root-user,port-all-interfaces,compose-profile-dependency";

#[test]
fn profiles_restrict_the_project_to_the_services_compose_starts() {
    let all = findings("profiles", &["--select", PROFILE_RULES, "."]);
    // Without a profile every service is linted.
    for service in ["debug", "test", "admin"] {
        assert!(
            all.contains(&format!("service `{service}`")),
            "{service}: {all}"
        );
    }
    let debug = findings(
        "profiles",
        &["--select", PROFILE_RULES, "--profile", "debug", "."],
    );
    assert!(debug.contains("service `debug`"), "{debug}");
    assert!(!debug.contains("service `test`"), "{debug}");
    // `admin` takes its profile from the override file.
    assert!(!debug.contains("service `admin`"), "{debug}");
    // `web` has no profile: always there.
    assert!(debug.contains("compose.yaml:8:9 PL818"), "{debug}");
    // `debug` depends on `test`, which `debug` alone leaves out: compose refuses that.
    assert!(starts_a_line(&debug, "compose.yaml:13:18 PL014"), "{debug}");
    let both = findings(
        "profiles",
        &[
            "--select",
            PROFILE_RULES,
            "--profile",
            "debug",
            "--profile",
            "test",
            ".",
        ],
    );
    assert!(!both.contains("PL014"), "{both}");
    // Reported in a file with no other finding too.
    let only = findings(
        "profiles",
        &[
            "--select",
            "compose-profile-dependency",
            "--profile",
            "debug",
            ".",
        ],
    );
    assert!(starts_a_line(&only, "compose.yaml:13:18 PL014"), "{only}");
    assert!(!all.contains("PL014"), "{all}");
    // COMPOSE_PROFILES, comma-separated, when no --profile is given.
    let env = findings_in(
        &fixture("profiles"),
        &["--select", PROFILE_RULES, "."],
        &[("COMPOSE_PROFILES", "test,tools")],
    );
    assert!(!env.contains("service `debug`"), "{env}");
    assert!(
        env.contains("service `test`") && env.contains("service `admin`"),
        "{env}"
    );
    let flag_wins = findings_in(
        &fixture("profiles"),
        &["--select", PROFILE_RULES, "--profile", "debug", "."],
        &[("COMPOSE_PROFILES", "test")],
    );
    assert_eq!(flag_wins, debug);
    // `*` enables every profile.
    let every = findings(
        "profiles",
        &["--select", PROFILE_RULES, "--profile", "*", "."],
    );
    assert_eq!(every, all);
    snap("compose_project_profiles_debug", debug);
}

#[test]
fn extends_is_resolved_per_file_before_the_override_merges() {
    let out = findings("extends-override", &["--select", MERGE_RULES, "."]);
    // `base` keeps `nginx:latest` and `root`: reported for it.
    assert!(out.contains("service `base`: `nginx:latest`"), "{out}");
    assert!(out.contains("service `base`"), "{out}");
    // `web` inherited them, and the override replaces both for `web`: nothing for `web`.
    assert!(!out.contains("service `web`: `nginx:latest`"), "{out}");
    assert!(!out.contains("service `web` runs as root"), "{out}");
    // `api` inherited `node:latest` from common.yaml; the override gives it `node:22.1`.
    assert!(!out.contains("service `api`: `node:latest`"), "{out}");
    // The override's own `worker` extends common.yaml: its `node:latest` stands.
    assert!(out.contains("service `worker`: `node:latest`"), "{out}");
    snap("compose_project_extends_override", out);
}

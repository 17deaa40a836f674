//! `plimsoll pin --offline` and `--check` from a lock file: no registry, no network.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::path::Path;
use std::process::{Command, Output};

const D_FRONT: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D_BASE: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const D_NGINX: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

const LOCK: &str = r#"# a lock written by hand for the test
[[image]]
reference = "registry.example.com/frontend:1"
digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
resolved-at = "2026-01-01T00:00:00Z"
kind = "manifest"

[[image]]
reference = "docker.io/library/alpine:3.19"
digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
resolved-at = "2026-01-01T00:00:00Z"
kind = "index"

[[image]]
reference = "docker.io/library/nginx:1.25"
digest = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
resolved-at = "2026-01-01T00:00:00Z"
kind = "index"
"#;

const DOCKERFILE: &str = "# syntax=registry.example.com/frontend:1\n\
FROM alpine:3.19 AS build\n\
\tRUN echo hi\n\
FROM build\n";

const COMPOSE: &str = "services:\r\n  web:\r\n    image: nginx:1.25 # web\r\n";

fn pin(dir: &Path, args: &[&str]) -> Output {
    Command::new(support::plimsoll_bin())
        .arg("pin")
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("DOCKER_CONFIG")
        .output()
        .expect("run plimsoll")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plimsoll.lock"), LOCK).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    dir
}

#[test]
fn offline_pins_from_the_lock_and_check_agrees() {
    let dir = project();
    let before = pin(dir.path(), &["--check"]);
    assert_eq!(before.status.code(), Some(1), "{}", stderr(&before));

    let diff = pin(dir.path(), &["--offline", "--diff"]);
    assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
    let diff_text = String::from_utf8_lossy(&diff.stdout).into_owned();
    support::snapshot_settings().bind(|| insta::assert_snapshot!("pin_offline_diff", diff_text));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        DOCKERFILE
    );

    let o = pin(dir.path(), &["--offline"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        DOCKERFILE
            .replace("frontend:1\n", &format!("frontend:1@{D_FRONT}\n"))
            .replace("alpine:3.19", &format!("alpine:3.19@{D_BASE}"))
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap(),
        COMPOSE.replace("nginx:1.25", &format!("nginx:1.25@{D_NGINX}"))
    );
    let after = pin(dir.path(), &["--check"]);
    assert_eq!(after.status.code(), Some(0), "{}", stderr(&after));
    // The lock is read, never rewritten, offline.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("plimsoll.lock")).unwrap(),
        LOCK
    );
}

#[test]
fn offline_without_a_lock_entry_writes_nothing() {
    let dir = project();
    let text = "# syntax=registry.example.com/frontend:2\nFROM scratch\n";
    std::fs::write(dir.path().join("Dockerfile"), text).unwrap();
    let o = pin(dir.path(), &["--offline", "Dockerfile"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("registry.example.com/frontend:2: not in plimsoll.lock"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("skipped `scratch`"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );
}

#[test]
fn a_read_only_file_is_reported_and_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let text = "# syntax=registry.example.com/frontend:1\nFROM scratch\n";
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let o = pin(dir.path(), &["--offline", "Dockerfile"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_corrupt_lock_is_an_error() {
    let dir = project();
    std::fs::write(dir.path().join("plimsoll.lock"), "[[image]\n").unwrap();
    let o = pin(dir.path(), &["--check"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not a valid lock file"),
        "{}",
        stderr(&o)
    );
}

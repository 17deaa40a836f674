//! `plimsoll pin` end to end against a real registry (docker-registry + skopeo).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod registry_support;

use registry_support::*;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `plimsoll pin ARGS` in `dir` with no Docker config or registry variables from the host.
fn pin(dir: &Path, args: &[&str]) -> Output {
    let home = dir.join(".home");
    std::fs::create_dir_all(&home).unwrap();
    Command::new(plimsoll_bin())
        .arg("pin")
        .args(args)
        .current_dir(dir)
        .env("HOME", &home)
        .env_remove("DOCKER_CONFIG")
        .env_remove("PLIMSOLL_REGISTRY_HOST")
        .env_remove("PLIMSOLL_REGISTRY_MIRRORS")
        .output()
        .expect("run plimsoll")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// A registry holding `base:1` (single-platform), `multi:2` (index), `tools:1` and
/// `frontend:1` (used as a `# syntax=` image).
struct Fixture {
    reg: Registry,
    host: String,
    base: String,
    multi: String,
    tools: String,
    frontend: String,
}

fn fixture() -> Fixture {
    let reg = Registry::start(None);
    let host = reg.host();
    build_and_push(&host, "base", "1", "base", false, None);
    build_and_push(&host, "multi", "2", "multi", true, None);
    build_and_push(&host, "tools", "1", "tools", false, None);
    build_and_push(&host, "frontend", "1", "frontend", false, None);
    let d = |r: &str| raw_digest(&format!("{host}/{r}"), None);
    Fixture {
        base: d("base:1"),
        multi: d("multi:2"),
        tools: d("tools:1"),
        frontend: d("frontend:1"),
        host,
        reg,
    }
}

fn dockerfile(h: &str) -> String {
    format!(
        "# syntax={h}/frontend:1\r\n\
         ARG BASE={h}/base:1\r\n\
         FROM ${{BASE}} AS build\r\n\
         COPY --from={h}/tools:1 /x /x\r\n\
         RUN --mount=type=bind,from={h}/tools:1,target=/t \\\r\n\
         \ttrue # keep\r\n\
         FROM scratch AS empty\r\n\
         COPY --from=build /a /a\r\n\
         FROM {h}/multi:2\r\n"
    )
}

fn compose(h: &str) -> String {
    format!(
        "services:\n\
         \x20 web:\n\
         \x20   image: \"{h}/multi:2\"   # the web tier\n\
         \x20 app:\n\
         \x20   build: .\n\
         \x20   image: {h}/myapp:dev\n\
         \x20 db: {{ image: '{h}/base:1' }}\n"
    )
}

fn pinned_dockerfile(f: &Fixture) -> String {
    let h = &f.host;
    format!(
        "# syntax={h}/frontend:1@{}\r\n\
         ARG BASE={h}/base:1@{}\r\n\
         FROM ${{BASE}} AS build\r\n\
         COPY --from={h}/tools:1@{} /x /x\r\n\
         RUN --mount=type=bind,from={h}/tools:1@{},target=/t \\\r\n\
         \ttrue # keep\r\n\
         FROM scratch AS empty\r\n\
         COPY --from=build /a /a\r\n\
         FROM {h}/multi:2@{}\r\n",
        f.frontend, f.base, f.tools, f.tools, f.multi
    )
}

fn pinned_compose(f: &Fixture) -> String {
    let h = &f.host;
    format!(
        "services:\n\
         \x20 web:\n\
         \x20   image: \"{h}/multi:2@{}\"   # the web tier\n\
         \x20 app:\n\
         \x20   build: .\n\
         \x20   image: {h}/myapp:dev\n\
         \x20 db: {{ image: '{h}/base:1@{}' }}\n",
        f.multi, f.base
    )
}

fn write_project(dir: &Path, h: &str) {
    std::fs::write(dir.join("Dockerfile"), dockerfile(h)).unwrap();
    std::fs::write(dir.join("compose.yaml"), compose(h)).unwrap();
}

#[test]
fn pins_dockerfile_and_compose_together_idempotently() {
    if !available() {
        return;
    }
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), &f.host);

    let first = pin(dir.path(), &[]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let err = stderr(&first);
    assert!(err.contains("skipped `scratch`"), "{err}");
    assert!(err.contains("skipped `build`"), "{err}");
    assert!(err.contains("myapp:dev"), "{err}");
    let df = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(df, pinned_dockerfile(&f));
    let cf = std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap();
    assert_eq!(cf, pinned_compose(&f));
    // The multi-platform image is pinned to its index digest.
    assert!(err.contains(&format!("{} (index)", f.multi)), "{err}");

    // Pinning again changes nothing.
    let second = pin(dir.path(), &[]);
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    assert!(
        stderr(&second).contains("pinned 0 references in 0 files"),
        "{}",
        stderr(&second)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        df
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap(),
        cf
    );
}

#[test]
fn check_fails_before_and_passes_after() {
    if !available() {
        return;
    }
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), &f.host);
    let before = pin(dir.path(), &["--check"]);
    assert_eq!(code(&before), 1, "{}", stderr(&before));
    assert!(
        stderr(&before).contains("is not pinned"),
        "{}",
        stderr(&before)
    );
    // --check writes nothing.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        dockerfile(&f.host)
    );
    assert_eq!(code(&pin(dir.path(), &["--lock"])), 0);
    let after = pin(dir.path(), &["--check"]);
    assert_eq!(code(&after), 0, "{}", stderr(&after));

    // A pin that disagrees with the lock fails the check.
    let df = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), df.replace(&f.tools, &f.base)).unwrap();
    let drift = pin(dir.path(), &["--check"]);
    assert_eq!(code(&drift), 1, "{}", stderr(&drift));
    assert!(
        stderr(&drift).contains("disagrees with the lock"),
        "{}",
        stderr(&drift)
    );
}

#[test]
fn lock_then_offline_with_the_registry_stopped() {
    if !available() {
        return;
    }
    let mut f = fixture();
    let online = tempfile::tempdir().unwrap();
    let offline = tempfile::tempdir().unwrap();
    write_project(online.path(), &f.host);
    write_project(offline.path(), &f.host);
    let locked = pin(online.path(), &["--lock"]);
    assert_eq!(code(&locked), 0, "{}", stderr(&locked));
    let lock_path = online.path().join("plimsoll.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    assert!(
        lock.contains(&format!("reference = \"{}/multi:2\"", f.host)),
        "{lock}"
    );
    assert!(lock.contains("kind = \"index\""), "{lock}");

    f.reg.stop();
    let lock_arg = lock_path.to_string_lossy().into_owned();
    let o = pin(offline.path(), &["--offline", "--lock-file", &lock_arg]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for name in ["Dockerfile", "compose.yaml"] {
        assert_eq!(
            std::fs::read_to_string(offline.path().join(name)).unwrap(),
            std::fs::read_to_string(online.path().join(name)).unwrap(),
            "{name}"
        );
    }

    // Online without the registry: a clear error for every reference, and nothing written.
    let again = tempfile::tempdir().unwrap();
    write_project(again.path(), &f.host);
    let o = pin(again.path(), &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("could not be resolved"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("pinned 0 references"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(again.path().join("Dockerfile")).unwrap(),
        dockerfile(&f.host)
    );
}

#[test]
fn a_missing_tag_is_reported_and_the_rest_is_pinned() {
    if !available() {
        return;
    }
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let text = format!("FROM {h}/base:1\nFROM {h}/base:nope\n", h = f.host);
    std::fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    // --all-or-nothing: today's behaviour before partial pinning, nothing written.
    let o = pin(dir.path(), &["--lock", "--all-or-nothing"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}/base:nope: manifest unknown", f.host)),
        "{err}"
    );
    assert!(err.contains("nothing written"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );
    assert!(!dir.path().join("plimsoll.lock").exists());
    // By default what resolves is pinned and locked; the rest is reported at the end, exit 2.
    let o = pin(dir.path(), &["--lock"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    let tail = err.rsplit("could not be resolved").next().unwrap_or("");
    assert!(
        tail.contains(&format!(
            "Dockerfile:2:6: {}/base:nope: manifest unknown",
            f.host
        )),
        "{err}"
    );
    let pinned = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(
        pinned.starts_with(&format!("FROM {}/base:1@sha256:", f.host)),
        "{pinned}"
    );
    assert!(
        pinned.ends_with(&format!("FROM {}/base:nope\n", f.host)),
        "{pinned}"
    );
    let lock = std::fs::read_to_string(dir.path().join("plimsoll.lock")).unwrap();
    assert!(lock.contains("/base:1\""), "{lock}");
    assert!(!lock.contains("nope"), "{lock}");
}

#[test]
fn diff_prints_and_writes_nothing_and_digest_only_leaves_a_comment() {
    if !available() {
        return;
    }
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let text = format!("FROM {}/multi:2\n", f.host);
    std::fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    let o = pin(dir.path(), &["--diff"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A dry run says what it would do, never that it pinned.
    assert!(stderr(&o).contains("would pin"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(" pinned "), "{}", stderr(&o));
    let diff = String::from_utf8_lossy(&o.stdout);
    assert!(diff.contains("--- a/Dockerfile"), "{diff}");
    assert!(
        diff.contains(&format!("+FROM {}/multi:2@{}", f.host, f.multi)),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );

    let o = pin(dir.path(), &["--digest-only"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        format!("# {h}/multi:2\nFROM {h}/multi@{}\n", f.multi, h = f.host)
    );
    // --update re-resolves through the comment and finds nothing to change.
    let o = pin(dir.path(), &["--update", "--digest-only"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("pinned 0 references"), "{}", stderr(&o));
}

#[test]
fn update_re_resolves_a_moved_tag() {
    if !available() {
        return;
    }
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let text = format!("# syntax={}/frontend:1\nFROM scratch\n", f.host);
    std::fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    assert_eq!(code(&pin(dir.path(), &[])), 0);
    let pinned = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(pinned.contains(&f.frontend), "{pinned}");
    // Move the tag to another image; without --update the pin stays, with it the digest moves.
    build_and_push(&f.host, "frontend", "1", "frontend-v2", false, None);
    let moved = raw_digest(&format!("{}/frontend:1", f.host), None);
    assert_ne!(moved, f.frontend);
    assert_eq!(code(&pin(dir.path(), &[])), 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        pinned
    );
    let o = pin(dir.path(), &["--update"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        pinned.replace(&f.frontend, &moved)
    );
}

#[test]
fn credentials_from_docker_config_and_environment() {
    use base64::Engine;
    if !available() {
        return;
    }
    let auth_dir = tempfile::tempdir().unwrap();
    let Some(auth) = htpasswd_auth(auth_dir.path(), "ci", "s3cret-pass") else {
        return;
    };
    let reg = Registry::start(Some(&auth));
    let host = reg.host();
    build_and_push(
        &host,
        "private",
        "1",
        "private",
        false,
        Some("ci:s3cret-pass"),
    );
    let digest = raw_digest(&format!("{host}/private:1"), Some("ci:s3cret-pass"));
    let text = format!("FROM {host}/private:1\n");

    // Anonymous: refused, with no file written.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    let o = pin(dir.path(), &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("access denied"), "{}", stderr(&o));

    // ~/.docker/config.json with a base64 `auth`.
    let docker = dir.path().join(".home/.docker");
    std::fs::create_dir_all(&docker).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode("ci:s3cret-pass");
    std::fs::write(
        docker.join("config.json"),
        format!(r#"{{"auths":{{"{host}":{{"auth":"{b64}"}}}}}}"#),
    )
    .unwrap();
    let o = pin(dir.path(), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        format!("FROM {host}/private:1@{digest}\n")
    );

    // PLIMSOLL_REGISTRY_* variables; a wrong password is refused and never printed.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    let run = |password: &str| {
        Command::new(plimsoll_bin())
            .args(["pin", "Dockerfile"])
            .current_dir(dir.path())
            .env("HOME", dir.path())
            .env_remove("DOCKER_CONFIG")
            .env("PLIMSOLL_REGISTRY_HOST", &host)
            .env("PLIMSOLL_REGISTRY_USER", "ci")
            .env("PLIMSOLL_REGISTRY_PASSWORD", password)
            .output()
            .unwrap()
    };
    let o = run("wrong-pass-123");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let all = format!("{}{}", stderr(&o), String::from_utf8_lossy(&o.stdout));
    assert!(!all.contains("wrong-pass-123"), "{all}");
    let o = run("s3cret-pass");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("s3cret-pass"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        format!("FROM {host}/private:1@{digest}\n")
    );
}

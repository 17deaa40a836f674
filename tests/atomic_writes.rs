//! Files plimsoll rewrites are never left half-written: `plimsoll pin --offline` on a large file is
//! killed (SIGKILL) at random moments, and after every kill the file holds exactly the old or
//! the new bytes. A read-only file is reported and left alone.
//! (`check --fix` shares `fix::write_atomic` with `pin`; its own kill test belongs with it once
//! the flag is available.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const DIGEST: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

fn lock() -> String {
    format!(
        "[[image]]\nreference = \"docker.io/library/alpine:3.19\"\ndigest = \"{DIGEST}\"\n\
         resolved-at = \"2026-01-01T00:00:00Z\"\nkind = \"index\"\n"
    )
}

/// A large Dockerfile (about 8 MB) so that reading, pinning and writing it takes long enough
/// for kills to land inside the write.
fn big_dockerfile() -> Vec<u8> {
    let mut text = String::from("FROM alpine:3.19\n");
    let line = format!("# {}\n", "padding ".repeat(12));
    while text.len() < 8 << 20 {
        text.push_str(&line);
    }
    text.push_str("RUN echo done\n");
    text.into_bytes()
}

fn pin_cmd(dir: &Path) -> Command {
    let mut c = Command::new(support::plimsoll_bin());
    c.args(["pin", "--offline", "Dockerfile"])
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("DOCKER_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

const KILLS: usize = 25;

#[test]
fn killed_pin_leaves_old_or_new_never_partial() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Dockerfile");
    std::fs::write(dir.path().join("plimsoll.lock"), lock()).expect("lock");
    let old = big_dockerfile();

    // One complete run: the new content and how long a run takes.
    std::fs::write(&path, &old).expect("write");
    // Watch for the temporary file to learn when the write starts.
    let start = Instant::now();
    let mut child = pin_cmd(dir.path()).spawn().expect("run plimsoll");
    let mut write_starts = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if write_starts.is_none() && has_temp_file(dir.path()) {
            write_starts = Some(start.elapsed());
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    };
    let full = start.elapsed();
    assert!(status.success(), "pin failed: {status}");
    // Kills land from a little before the write starts to the end of the run.
    let write_starts = write_starts.unwrap_or(full.mul_f64(0.5));
    let from = write_starts.saturating_sub(std::time::Duration::from_millis(20));
    let window = full.saturating_sub(from);
    let new = std::fs::read(&path).expect("read");
    assert_ne!(new, old, "pin changed nothing");
    assert!(
        new.starts_with(format!("FROM alpine:3.19@{DIGEST}\n").as_bytes()),
        "unexpected pin result"
    );

    // xorshift seeded from the clock: different kill moments on every run.
    let mut x = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64))
        | 1;
    let (mut saw_old, mut saw_new) = (0, 0);
    for _ in 0..KILLS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::fs::write(&path, &old).expect("restore");
        let at = from + window.mul_f64((x % 1000) as f64 / 1000.0);
        let mut child = pin_cmd(dir.path()).spawn().expect("spawn");
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL; the run may already have finished
        let _ = child.wait();
        let now = std::fs::read(&path).expect("read after kill");
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            panic!(
                "file is neither old nor new after a kill at {at:?} (len {}, old {}, new {})",
                now.len(),
                old.len(),
                new.len()
            );
        }
    }
    eprintln!(
        "run {full:?}, write from {write_starts:?}; after {KILLS} kills: {saw_old} old, {saw_new} new"
    );
    // Leftover temporary files from killed runs are the only trace; never the target.
    for entry in std::fs::read_dir(dir.path()).expect("read dir").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            ["Dockerfile", "plimsoll.lock"].contains(&name.as_str())
                || name.starts_with(".plimsoll-"),
            "unexpected file {name}"
        );
    }
}

fn has_temp_file(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(".plimsoll-"))
    })
}

#[cfg(unix)]
#[test]
fn read_only_file_is_reported_not_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Dockerfile");
    std::fs::write(dir.path().join("plimsoll.lock"), lock()).expect("lock");
    let old = b"FROM alpine:3.19\nRUN echo hi\n";
    std::fs::write(&path, old).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let out = pin_cmd(dir.path())
        .stderr(Stdio::piped())
        .output()
        .expect("run plimsoll");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Dockerfile") && stderr.contains("read-only"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(std::fs::read(&path).expect("read"), old);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".plimsoll-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

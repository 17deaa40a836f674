//! plimsoll writes only what the user asked for, where they asked, as they had it: through the
//! real binary, `-o`, `--write-baseline`, `--lock-file` and `--fix` on symbolic links, devices,
//! FIFOs, hard links, files of another owner and setuid files; directory links in the tree;
//! and diffs that never print a secret yet still apply.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
#![cfg(unix)]

mod support;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::process::{Command, Stdio};
use support::{Run, have_tool, run_plimsoll};

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn is_root() -> bool {
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

fn check(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check", "--isolated"];
    all.extend_from_slice(args);
    run_plimsoll(dir, &all, None)
}

const DOCKERFILE: &str = "FROM alpine:3.20\nRUN apk add curl\nRUN echo done\n";

#[test]
fn output_files_go_through_links_and_keep_their_mode() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    for flag in ["-o", "--write-baseline"] {
        let real = dir.path().join(format!("real{flag}.txt"));
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join(format!("link{flag}.txt"));
        symlink(&real, &link).unwrap();
        let r = check(dir.path(), &[flag, link.to_str().unwrap(), "Dockerfile"]);
        assert!(r.code <= 1, "{flag}: {}", r.stderr);
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{flag}: the link was replaced"
        );
        assert_ne!(fs::read_to_string(&real).unwrap(), "old", "{flag}");
        assert_eq!(mode(&real), 0o640, "{flag}: mode not kept");
    }
    // A new file gets the usual mode for new files (0666 less the umask), not 0600.
    let r = check(dir.path(), &["-o", "new.txt", "Dockerfile"]);
    assert!(r.code <= 1, "{}", r.stderr);
    assert_ne!(mode(&dir.path().join("new.txt")), 0o600);
}

#[test]
fn devices_and_fifos_are_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    // `-o /dev/null` (as root, the old writer replaced the device node with a regular file).
    let r = check(dir.path(), &["-o", "/dev/null", "Dockerfile"]);
    assert!(r.code <= 1, "{}", r.stderr);
    let meta = fs::metadata("/dev/null").unwrap();
    assert!(
        std::os::unix::fs::FileTypeExt::is_char_device(&meta.file_type()),
        "/dev/null is no longer a device"
    );
    // A FIFO: the report arrives through it, and it stays a FIFO.
    let fifo = dir.path().join("report.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let r = check(
        dir.path(),
        &[
            "--format",
            "json",
            "-o",
            fifo.to_str().unwrap(),
            "Dockerfile",
        ],
    );
    assert!(r.code <= 1, "{}", r.stderr);
    let got = reader.join().unwrap();
    assert!(got.trim_start().starts_with('['), "{got}");
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(
        &fs::symlink_metadata(&fifo).unwrap().file_type()
    ));
}

/// `vendor -> /elsewhere` was walked and `check --fix .` rewrote a file outside the tree.
#[test]
fn directory_links_are_not_walked_and_fix_stays_inside_the_roots() {
    let outside = tempfile::tempdir().unwrap();
    let fixable = "FROM alpine:3.20\nMAINTAINER someone\n";
    fs::write(outside.path().join("Dockerfile"), fixable).unwrap();
    let repo = tempfile::tempdir().unwrap();
    fs::write(repo.path().join("Dockerfile"), "FROM alpine:3.20\n").unwrap();
    symlink(outside.path(), repo.path().join("vendor")).unwrap();
    symlink("/", repo.path().join("root")).unwrap();
    let r = check(repo.path(), &["--format", "concise", "--fix", "."]);
    assert!(!r.stdout.contains("vendor"), "{}", r.stdout);
    assert!(!r.stdout.contains("root/"), "{}", r.stdout);
    assert_eq!(
        fs::read_to_string(outside.path().join("Dockerfile")).unwrap(),
        fixable
    );
    // Opted in: walked and linted, but never rewritten outside the root named.
    let only_vendor = tempfile::tempdir().unwrap();
    fs::write(only_vendor.path().join("compose.yaml"), "services: {}\n").unwrap();
    symlink(outside.path(), only_vendor.path().join("vendor")).unwrap();
    let r = check(
        only_vendor.path(),
        &["--format", "concise", "--follow-links", "--fix", "."],
    );
    assert!(
        r.stdout.contains("vendor/Dockerfile"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(
        r.stderr
            .contains("outside the paths named on the command line"),
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(outside.path().join("Dockerfile")).unwrap(),
        fixable
    );
}

#[test]
fn fix_keeps_hard_links_mode_owner_and_setuid_bits() {
    let dir = tempfile::tempdir().unwrap();
    let fixable = "FROM alpine:3.20\nMAINTAINER someone\n";
    let a = dir.path().join("Dockerfile");
    fs::write(&a, fixable).unwrap();
    let b = dir.path().join("other-name");
    fs::hard_link(&a, &b).unwrap();
    fs::set_permissions(&a, fs::Permissions::from_mode(0o640)).unwrap();
    let r = check(dir.path(), &["--fix", "Dockerfile"]);
    assert!(r.code <= 1, "{}", r.stderr);
    let fixed = fs::read_to_string(&a).unwrap();
    assert_ne!(fixed, fixable);
    assert_eq!(fs::read_to_string(&b).unwrap(), fixed, "hard link broken");
    assert_eq!(mode(&a), 0o640);
    if !is_root() {
        eprintln!("skipping the owner cases: they need root");
        return;
    }
    // Another user's setuid file, fixed by root: still theirs, still setuid.
    let c = dir.path().join("Dockerfile.setuid");
    fs::write(&c, fixable).unwrap();
    std::os::unix::fs::chown(&c, Some(1234), Some(1234)).unwrap();
    fs::set_permissions(&c, fs::Permissions::from_mode(0o4755)).unwrap();
    let r = check(dir.path(), &["--fix", "Dockerfile.setuid"]);
    assert!(r.code <= 1, "{}", r.stderr);
    assert_ne!(fs::read_to_string(&c).unwrap(), fixable);
    let m = fs::metadata(&c).unwrap();
    assert_eq!((m.uid(), m.gid()), (1234, 1234), "owner changed");
    assert_eq!(m.mode() & 0o7777, 0o4755, "mode changed");
}

/// Not root, in a directory it may write, on a file it may write but does not own: written in
/// place (owner kept). On a file it may not write: refused with a message, not replaced.
#[test]
fn fix_as_another_user_keeps_the_owner_or_refuses() {
    if !is_root() || !have_tool("setpriv") {
        eprintln!("skipping: needs root and setpriv to act as another user");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let fixable = "FROM alpine:3.20\nMAINTAINER someone\n";
    let writable = dir.path().join("Dockerfile");
    fs::write(&writable, fixable).unwrap();
    fs::set_permissions(&writable, fs::Permissions::from_mode(0o666)).unwrap();
    let readonly = dir.path().join("Dockerfile.ro");
    fs::write(&readonly, fixable).unwrap();
    fs::set_permissions(&readonly, fs::Permissions::from_mode(0o644)).unwrap();
    let as_nobody = |name: &str| {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(support::plimsoll_bin())
            .args(["check", "--isolated", "--fix", name])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let o = as_nobody("Dockerfile");
    assert!(
        o.status.code().unwrap_or(9) <= 1,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_ne!(fs::read_to_string(&writable).unwrap(), fixable);
    assert_eq!(fs::metadata(&writable).unwrap().uid(), 0, "owner changed");
    let o = as_nobody("Dockerfile.ro");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("Dockerfile.ro"), "{err}");
    assert_eq!(fs::read_to_string(&readonly).unwrap(), fixable);
    assert_eq!(
        fs::metadata(&readonly).unwrap().uid(),
        0,
        "replaced by nobody's file"
    );
}

const KEY_ID: &str = "AKIAIOSFODNN7REALKEY";
const KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALSECRETKEY";

/// A `compose.yaml` linked to a credentials file: syntax and schema findings quote it, masked,
/// whatever rules are selected and whatever the format.
#[test]
fn syntax_and_schema_snippets_mask_secrets() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("credentials"),
        format!("[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {KEY}\n"),
    )
    .unwrap();
    symlink("credentials", dir.path().join("compose.yaml")).unwrap();
    fs::write(
        dir.path().join("docker-compose.yml"),
        format!(
            "services:\n  web:\n    image: nginx\n    x: {KEY_ID}\n    aws_secret_access_key: {KEY}\n"
        ),
    )
    .unwrap();
    for format in [
        "human",
        "concise",
        "json",
        "sarif",
        "github",
        "gitlab",
        "junit",
        "checkstyle",
    ] {
        let r = check(
            dir.path(),
            &[
                "--select",
                "PL002,PL003",
                "--format",
                format,
                "compose.yaml",
                "docker-compose.yml",
            ],
        );
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(
            all.contains("PL00") || all.contains("yaml-syntax") || all.contains("compose-schema"),
            "{format}: {all}"
        );
        for secret in [KEY_ID, KEY] {
            assert!(!all.contains(secret), "{format} shows {secret}: {all}");
        }
    }
}

/// `check --diff`: a secret on a context line is left out of the hunk and the patch applies;
/// a secret on a changed line is masked and the header says so.
#[test]
fn check_diff_hides_secrets_and_still_applies() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "FROM alpine:3.20\n# token ghp_{0}\nMAINTAINER someone\nRUN true\n",
        "a1b2c3d4e5".repeat(4)
    );
    fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    let r = check(dir.path(), &["--diff", "Dockerfile"]);
    assert!(r.stdout.contains("+LABEL"), "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("ghp_a1b2"), "{}", r.stdout);
    assert!(!r.stdout.contains("plimsoll: secrets"), "{}", r.stdout);
    fs::write(dir.path().join("fix.patch"), &r.stdout).unwrap();
    if have_tool("patch") {
        let ok = Command::new("patch")
            .args(["-p1", "--dry-run", "-i", "fix.patch"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stdout)
        );
    }
    if have_tool("git") {
        let ok = Command::new("git")
            .args(["apply", "--check", "fix.patch"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }
    // A changed line holding a secret: masked, and the header says the patch skips it.
    let text = format!(
        "FROM alpine:3.20\nMAINTAINER ghp_{0}\n",
        "a1b2c3d4e5".repeat(4)
    );
    fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    let r = check(dir.path(), &["--diff", "Dockerfile"]);
    assert!(!r.stdout.contains("ghp_a1b2"), "{}", r.stdout);
    assert!(r.stdout.starts_with("# plimsoll: secrets"), "{}", r.stdout);
}

/// `pin --diff` (offline, from a lock file): context lines with secrets left out.
#[test]
fn pin_diff_hides_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let digest = format!("sha256:{}", "ab".repeat(32));
    fs::write(
        dir.path().join("plimsoll.lock"),
        format!(
            "[[image]]\nreference = \"docker.io/library/alpine:3.20\"\ndigest = \"{digest}\"\n\
             resolved-at = \"2026-01-02T03:04:05Z\"\nkind = \"index\"\n"
        ),
    )
    .unwrap();
    let secret = format!("ghp_{}", "z9y8x7w6v5".repeat(4));
    let text = format!("# {secret}\nFROM alpine:3.20\nENV TOKEN={secret}\n");
    fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    let r = run_plimsoll(
        dir.path(),
        &["pin", "--offline", "--diff", "Dockerfile"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!("+FROM alpine:3.20@{digest}")),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains(&secret), "{}", r.stdout);
    assert!(!r.stderr.contains(" pinned "), "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );
}

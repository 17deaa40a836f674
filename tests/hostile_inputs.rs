//! Hostile inputs through the real binary: each run ends in bounded time and memory with exit
//! code 0, 1 or 2, never a panic, and with a located message where the input is wrong.
//! (A directory named `Dockerfile` and invalid UTF-8 in a Dockerfile are covered in
//! tests/cli_check.rs; the parsers' own hostile inputs in tests/dockerfile_robustness.rs and
//! tests/compose_features.rs.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::rules::RuleId;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous bounds for a debug build on a shared 2-core machine: these catch hangs and blow-ups,
/// not slowness (the largest inputs take about 10 s in a debug build on an idle machine and
/// twice that when other builds share its two cores; a hang never ends).
const TIME_LIMIT: Duration = Duration::from_secs(60);
const RSS_LIMIT_KB: u64 = 1_500_000;

struct Run {
    code: i32,
    out: String,
    elapsed: Duration,
    peak_rss_kb: u64,
}

fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `plimsoll check --isolated --select ALL --format concise <args>` in `dir`, killing it at
/// the time limit. Output goes to files so a huge report cannot block the child on a pipe.
fn check(dir: &Path, args: &[&str]) -> Run {
    let out_path = dir.join(".out");
    let out_file = std::fs::File::create(&out_path).expect("out file");
    let err_file = out_file.try_clone().expect("clone");
    let start = Instant::now();
    let mut child = Command::new(support::plimsoll_bin())
        .current_dir(dir)
        .args([
            "check",
            "--isolated",
            "--select",
            "ALL",
            "--format",
            "concise",
        ])
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(out_file)
        .stderr(err_file)
        .spawn()
        .expect("run plimsoll");
    let mut peak = 0;
    let status = loop {
        if let Some(rss) = peak_rss_kb(child.id()) {
            peak = peak.max(rss);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("plimsoll check {args:?} still running after {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let bytes = std::fs::read(&out_path).expect("read output");
    Run {
        code: status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&bytes).into_owned(),
        elapsed,
        peak_rss_kb: peak,
    }
}

/// Writes `files` into a fresh directory, checks `target` there and asserts the robustness
/// contract. `located`: a `path:line:col` prefix the output must contain (an error's location).
fn hostile(name: &str, files: &[(&str, &[u8])], target: &str, located: Option<&str>) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, body) in files {
        std::fs::write(dir.path().join(path), body).expect("write");
    }
    let r = check(dir.path(), &[target]);
    assert_robust(name, &r, located);
    r
}

fn assert_robust(name: &str, r: &Run, located: Option<&str>) {
    let head: String = r.out.chars().take(600).collect();
    assert!(
        matches!(r.code, 0..=2),
        "{name}: exit code {} (output: {head})",
        r.code
    );
    assert!(!r.out.contains("panicked"), "{name}: panic: {head}");
    assert!(!r.out.contains("internal error"), "{name}: {head}");
    assert!(
        r.peak_rss_kb < RSS_LIMIT_KB,
        "{name}: peak RSS {} kB",
        r.peak_rss_kb
    );
    if let Some(loc) = located {
        assert!(
            r.out.contains(loc),
            "{name}: no located message `{loc}…` in: {head}"
        );
    }
    eprintln!(
        "{name}: exit {} in {:?}, peak RSS {} kB, {} bytes of output",
        r.code,
        r.elapsed,
        r.peak_rss_kb,
        r.out.len()
    );
}

#[test]
fn nul_bytes() {
    hostile(
        "NUL in a Dockerfile",
        &[("Dockerfile", b"FROM alpine:3.20\0\nRUN echo a\0b\n\0\0\0\n")],
        "Dockerfile",
        None,
    );
    hostile(
        "NUL in a compose file",
        &[(
            "compose.yaml",
            b"services:\n  web:\n    image: nginx\0:1\n\0\n",
        )],
        "compose.yaml",
        Some("compose.yaml:"),
    );
}

#[test]
fn invalid_utf8_in_compose() {
    hostile(
        "invalid UTF-8 in compose",
        &[(
            "compose.yaml",
            b"services:\n  web:\n    image: \xff\xfe nginx\n",
        )],
        "compose.yaml",
        Some("compose.yaml:3:"),
    );
}

#[test]
fn five_megabyte_line() {
    let mut text = b"FROM alpine:3.20\nRUN echo ".to_vec();
    text.extend(std::iter::repeat_n(b'a', 5 << 20));
    text.push(b'\n');
    hostile("5 MB line", &[("Dockerfile", &text)], "Dockerfile", None);
}

#[test]
fn two_hundred_thousand_continuation_lines() {
    let mut text = String::from("FROM alpine:3.20\nRUN true");
    for i in 0..200_000 {
        text.push_str(&format!(" \\\n  && echo {i}"));
    }
    text.push('\n');
    hostile(
        "200,000 continuation lines",
        &[("Dockerfile", text.as_bytes())],
        "Dockerfile",
        None,
    );
}

#[test]
fn unterminated_heredoc() {
    let mut text = String::from("FROM alpine:3.20\nRUN <<EOF\n");
    for i in 0..100_000 {
        text.push_str(&format!("echo line {i}\n"));
    }
    hostile(
        "unterminated heredoc of 100,000 lines",
        &[("Dockerfile", text.as_bytes())],
        "Dockerfile",
        Some("Dockerfile:2:"),
    );
}

#[test]
fn bom_crlf_and_backtick_escape() {
    let text = "\u{feff}# escape=`\r\nFROM alpine:3.20\r\nRUN echo a `\r\n    b `\r\n    c\r\nCOPY . C:\\app\r\n";
    let r = hostile(
        "BOM + CRLF + backtick escape",
        &[("Dockerfile", text.as_bytes())],
        "Dockerfile",
        None,
    );
    assert!(
        !r.out.contains(RuleId::DockerfileSyntax.code()),
        "a valid file has syntax errors: {}",
        r.out
    );
}

#[test]
fn hundred_thousand_element_json_array() {
    let items: Vec<String> = (0..100_000).map(|i| format!("\"a{i}\"")).collect();
    let text = format!("FROM alpine:3.20\nCMD [{}]\n", items.join(", "));
    hostile(
        "100,000-element JSON array",
        &[("Dockerfile", text.as_bytes())],
        "Dockerfile",
        None,
    );
}

#[test]
fn empty_files() {
    hostile(
        "empty Dockerfile",
        &[("Dockerfile", b"")],
        "Dockerfile",
        None,
    );
    hostile(
        "empty compose",
        &[("compose.yaml", b"")],
        "compose.yaml",
        None,
    );
}

#[test]
fn deep_flow_nesting() {
    let depth = 20_000;
    let text = format!("x: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    hostile(
        "20,000-deep YAML flow nesting",
        &[("compose.yaml", text.as_bytes())],
        "compose.yaml",
        Some("compose.yaml:1:"),
    );
}

#[test]
fn deep_block_nesting() {
    let mut text = String::from("services:\n");
    for depth in 1..=3_000 {
        text.push_str(&" ".repeat(depth));
        text.push_str("a:\n");
    }
    hostile(
        "3,000-deep block nesting",
        &[("compose.yaml", text.as_bytes())],
        "compose.yaml",
        Some("compose.yaml:"),
    );
}

#[test]
fn random_binary_as_yaml() {
    // xorshift: deterministic bytes, every value 0..=255.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..256 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    hostile(
        "random binary as YAML",
        &[("compose.yaml", &bytes)],
        "compose.yaml",
        Some("compose.yaml:"),
    );
}

#[test]
fn tabs_as_yaml_indentation() {
    hostile(
        "tabs as YAML indentation",
        &[(
            "compose.yaml",
            b"services:\n\tweb:\n\t\timage: nginx:1.27\n",
        )],
        "compose.yaml",
        Some("compose.yaml:2:"),
    );
}

#[test]
fn duplicate_keys() {
    hostile(
        "duplicate keys",
        &[(
            "compose.yaml",
            b"services:\n  web:\n    image: nginx:1.27\n    image: nginx:1.26\n",
        )],
        "compose.yaml",
        Some("compose.yaml:4:5:"),
    );
}

#[test]
fn five_megabyte_scalar() {
    let text = format!(
        "services:\n  web:\n    image: nginx:1.27\n    command: \"{}\"\n",
        "x".repeat(5 << 20)
    );
    hostile(
        "5 MB scalar",
        &[("compose.yaml", text.as_bytes())],
        "compose.yaml",
        None,
    );
}

#[test]
fn alias_bomb() {
    let mut text = String::from(
        "x-a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(", ");
        text.push_str(&format!("x-{}: &{} [{refs}]\n", w[1], w[1]));
    }
    text.push_str("services:\n  web:\n    image: nginx:1.27\n    command: *i\n");
    hostile(
        "alias bomb",
        &[("compose.yaml", text.as_bytes())],
        "compose.yaml",
        Some("compose.yaml:"),
    );
}

#[cfg(unix)]
#[test]
fn directory_symlink_loop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("app");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(sub.join("Dockerfile"), "FROM alpine:3.20\n").expect("write");
    std::os::unix::fs::symlink("..", sub.join("up")).expect("symlink");
    std::os::unix::fs::symlink(".", sub.join("self")).expect("symlink");
    let r = check(dir.path(), &["."]);
    assert_robust("directory symlink loop", &r, None);
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM alpine:3.20\n").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&path).is_ok() {
        // Root reads a mode-000 file. Reading /proc/self/mem at offset 0 fails (EIO) for
        // every user, so a `Dockerfile` symlink to it is a file that exists and cannot be read.
        std::fs::remove_file(&path).expect("rm");
        std::os::unix::fs::symlink("/proc/self/mem", &path).expect("symlink");
        if std::fs::read(&path).is_ok() {
            eprintln!("skipping unreadable_file: no unreadable file can be made here");
            return;
        }
    }
    let r = check(dir.path(), &["Dockerfile"]);
    assert_robust("unreadable file", &r, Some("Dockerfile"));
    assert_eq!(r.code, 2, "{}", r.out);
}

/// Files a compose file makes plimsoll read (`extends.file`, the `.env` beside it) come from
/// the repository too: a device or a FIFO there must not hang the run or exhaust memory.
/// (Found while writing these tests: `extends: {file: /dev/zero}` read forever.)
#[cfg(unix)]
#[test]
fn compose_named_files_that_are_devices_or_fifos() {
    let extends = |file: &str| {
        format!(
            "services:\n  web:\n    image: nginx:1.27\n    extends:\n      file: {file}\n      service: x\n"
        )
    };
    hostile(
        "extends a device",
        &[("compose.yaml", extends("/dev/zero").as_bytes())],
        "compose.yaml",
        Some("compose.yaml:5:13:"),
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let mkfifo = |name: &str| {
        let ok = Command::new("mkfifo")
            .arg(dir.path().join(name))
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "mkfifo {name}");
    };
    mkfifo("other.yaml");
    mkfifo(".env");
    std::fs::write(dir.path().join("compose.yaml"), extends("other.yaml")).expect("write");
    let r = check(dir.path(), &["compose.yaml"]);
    assert_robust(
        "extends a FIFO, .env a FIFO",
        &r,
        Some("compose.yaml:5:13:"),
    );
}

/// A repository's configuration is input too: `extend` naming a device is an error, not a hang.
#[cfg(unix)]
#[test]
fn config_extending_a_device() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("plimsoll.toml"), "extend = \"/dev/zero\"\n").expect("write");
    std::fs::write(dir.path().join("Dockerfile"), "FROM alpine:3.20\n").expect("write");
    // Without --isolated, so the configuration is read.
    let start = Instant::now();
    let out = Command::new(support::plimsoll_bin())
        .current_dir(dir.path())
        .args(["check", "Dockerfile"])
        .stdin(Stdio::null())
        .output()
        .expect("run plimsoll");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(start.elapsed() < TIME_LIMIT, "took {:?}", start.elapsed());
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/dev/zero"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

// --- Work that multiplies: budgets counted in bytes, reported as PL008 input-limit. ---------

/// Backstop for the inputs below: far above what they take now (a few tens of megabytes) and
/// far below what they took before (gigabytes), so a loaded machine cannot make them flaky.
const BUDGET_RSS_KB: u64 = 500_000;

/// `check` of `files` in a fresh directory: robust, PL008 at `located`, and bounded memory.
fn stopped_by_a_budget(name: &str, files: &[(&str, &[u8])], target: &str, located: &str) -> Run {
    let r = hostile(name, files, target, Some(located));
    assert_eq!(r.code, 2, "{name}: {}", r.out);
    assert!(
        r.out
            .lines()
            .any(|l| l.starts_with(located) && l.contains(RuleId::InputLimit.code())),
        "{name}: no PL008 at {located}: {}",
        r.out.chars().take(600).collect::<String>()
    );
    assert!(
        r.peak_rss_kb < BUDGET_RSS_KB,
        "{name}: peak RSS {} kB",
        r.peak_rss_kb
    );
    r
}

fn doubling(keyword: &str, lines: usize) -> String {
    let mut text = format!("{keyword} A0=x\n");
    for i in 1..lines {
        text.push_str(&format!("{keyword} A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
    }
    text
}

/// Each line doubles the one before: 28 lines took 4.35 s and 1.6 GB, 60 were killed at
/// 18.6 GB. The expander stops at its budget and says where.
#[test]
fn doubling_arg_and_env_chains() {
    let args = format!("{}FROM alpine:${{A59}}\n", doubling("ARG", 60));
    let r = stopped_by_a_budget(
        "60 doubling ARG lines",
        &[("Dockerfile", args.as_bytes())],
        "Dockerfile",
        "Dockerfile:21:",
    );
    assert!(r.out.contains("budget"), "{}", r.out);
    let envs = format!("FROM alpine:3.20\n{}", doubling("ENV", 60));
    stopped_by_a_budget(
        "60 doubling ENV lines",
        &[("Dockerfile", envs.as_bytes())],
        "Dockerfile",
        "Dockerfile:",
    );
}

/// The same in a `.env` beside a compose file (64 lines were killed by the OOM killer at 23 GB).
#[test]
fn doubling_dotenv_values() {
    let dotenv = doubling("", 64).replace(" A", "A");
    stopped_by_a_budget(
        ".env of 64 doubling values",
        &[
            (".env", dotenv.as_bytes()),
            (
                "compose.yaml",
                b"services:\n  web:\n    image: nginx:${A63}\n",
            ),
        ],
        "compose.yaml",
        "compose.yaml:1:1:",
    );
}

/// Aliases multiply bytes, not nodes: a 1 MB anchored string aliased 2,000 times took 3.8 GB.
#[test]
fn aliases_are_counted_in_bytes() {
    let mut text = format!(
        "x-big: &big \"{}\"\nservices:\n  web:\n    image: nginx:1.27\n    environment:\n",
        "x".repeat(1 << 20)
    );
    for i in 0..2000 {
        text.push_str(&format!("      V{i}: *big\n"));
    }
    let r = stopped_by_a_budget(
        "1 MB anchor aliased 2,000 times",
        &[("compose.yaml", text.as_bytes())],
        "compose.yaml",
        "compose.yaml:6:",
    );
    assert!(r.out.contains("MiB of text"), "{}", r.out);
}

/// Interpolation work multiplies too: an anchored `"${X:-y}"` aliased 150,000 times with `X` a
/// 40 KB value would produce 6 GB. The interpolation budget counts output bytes.
#[test]
fn interpolation_through_aliases_is_counted_in_bytes() {
    let dotenv = format!("X={}\n", "v".repeat(40_000));
    let mut text = String::from(
        "x-v: &v \"${X:-y}\"\nservices:\n  web:\n    image: nginx:1.27\n    command:\n",
    );
    for _ in 0..150_000 {
        text.push_str("      - *v\n");
    }
    stopped_by_a_budget(
        "${X} aliased 150,000 times",
        &[
            (".env", dotenv.as_bytes()),
            ("compose.yaml", text.as_bytes()),
        ],
        "compose.yaml",
        "compose.yaml:",
    );
}

/// One value with 200,000 unset `${A}` was 200,000 diagnostics (2M took 1.6 GB and printed
/// 178 MB): an unset variable is reported once per value, with the count.
#[test]
fn an_unset_variable_repeated_in_one_value_is_one_finding() {
    let text = format!(
        "services:\n  web:\n    image: nginx:1.27\n    command: {}\n",
        "${A}".repeat(200_000)
    );
    let r = hostile(
        "200,000 ${A} in one value",
        &[("compose.yaml", text.as_bytes())],
        "compose.yaml",
        None,
    );
    let unset: Vec<&str> = r
        .out
        .lines()
        .filter(|l| l.contains(RuleId::ComposeUnsetVariable.code()))
        .collect();
    assert_eq!(
        unset.len(),
        1,
        "{}",
        r.out.chars().take(600).collect::<String>()
    );
    assert!(unset[0].contains("199999 more times"), "{}", unset[0]);
    assert!(
        r.peak_rss_kb < BUDGET_RSS_KB,
        "peak RSS {} kB",
        r.peak_rss_kb
    );
}

/// Past the safety limits on instructions and services the rest of the file is not read (a
/// million ENV lines took 0.9 GB, 100,000 services 532 MB); what came before is linted.
#[test]
fn instruction_and_service_limits() {
    let mut text = String::from("FROM alpine:latest\n");
    for i in 0..150_000 {
        text.push_str(&format!("ENV K{i}=v\n"));
    }
    let r = stopped_by_a_budget(
        "150,000 ENV lines",
        &[("Dockerfile", text.as_bytes())],
        "Dockerfile",
        "Dockerfile:100001:1:",
    );
    assert!(
        r.out.contains(RuleId::LatestTag.code()),
        "what came before is linted: {}",
        r.out
    );
    let mut text = String::from("services:\n");
    for i in 0..12_000 {
        text.push_str(&format!("  s{i}:\n    image: nginx:1.27\n"));
    }
    stopped_by_a_budget(
        "12,000 services",
        &[("compose.yaml", text.as_bytes())],
        "compose.yaml",
        "compose.yaml:20002:3:",
    );
}

/// `extends` of one large file by many services: the file is read and parsed once per run
/// (1,000 services extending a 1.5 MB file took 15.5 s).
#[test]
fn many_services_extending_one_large_file() {
    let mut base = String::from("services:\n");
    for i in 0..20_000 {
        base.push_str(&format!("  s{i}:\n    image: nginx:1.{i}\n    user: app\n"));
    }
    let mut text = String::from("services:\n");
    for i in 0..1000 {
        text.push_str(&format!(
            "  app{i}:\n    extends:\n      file: base.yaml\n      service: s{i}\n"
        ));
    }
    let r = hostile(
        "1,000 services extending a large file",
        &[
            ("base.yaml", base.as_bytes()),
            ("compose.yaml", text.as_bytes()),
        ],
        "compose.yaml",
        None,
    );
    assert!(r.code <= 1, "{}", r.out);
    // A finding on an inherited value names the file and the place there.
    assert!(r.out.contains("compose.yaml:"), "{}", r.out);
    assert!(
        r.peak_rss_kb < BUDGET_RSS_KB,
        "peak RSS {} kB",
        r.peak_rss_kb
    );
}

// --- Files that never end or block. -------------------------------------------------------

/// A `Dockerfile` that is a FIFO or a link to `/proc/kmsg` (whose read blocks until the kernel
/// logs something), an `extends.file` and a `.env` linked there: refused at once with a message,
/// never waited on.
#[cfg(unix)]
#[test]
fn files_that_block_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ok = Command::new("mkfifo")
        .arg(dir.path().join("Dockerfile"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo");
    let r = check(dir.path(), &["Dockerfile"]);
    assert_robust("Dockerfile is a FIFO", &r, Some("Dockerfile: is a FIFO"));
    assert_eq!(r.code, 2);
    // Walked: a FIFO named like a Dockerfile is not a file to lint.
    let r = check(dir.path(), &["."]);
    assert_robust("walking past a FIFO", &r, None);

    if !Path::new("/proc/kmsg").exists() {
        eprintln!("skipping the /proc/kmsg cases: no /proc/kmsg here");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink("/proc/kmsg", dir.path().join("Dockerfile")).expect("symlink");
    std::os::unix::fs::symlink("/proc/kmsg", dir.path().join(".env")).expect("symlink");
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx:${TAG:-1.27}\n    extends:\n      file: /proc/kmsg\n      service: x\n",
    )
    .expect("write");
    let r = check(dir.path(), &["Dockerfile"]);
    assert_robust("Dockerfile -> /proc/kmsg", &r, Some("Dockerfile: "));
    assert_eq!(r.code, 2);
    let r = check(dir.path(), &["compose.yaml"]);
    assert_robust(
        "extends.file and .env -> /proc/kmsg",
        &r,
        Some("compose.yaml:5:13:"),
    );
    assert!(r.elapsed < Duration::from_secs(10), "{:?}", r.elapsed);
}

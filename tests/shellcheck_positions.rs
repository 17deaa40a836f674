//! The `shellcheck` rule end to end, through the `plimsoll` binary and the real ShellCheck:
//! findings at the exact line and column of the word in the Dockerfile through continuation
//! lines, the backtick escape, CRLF, `RUN --mount` flags, heredoc bodies and ONBUILD; the
//! dialect of `SHELL`; nothing on a PowerShell stage; suppressions in all their spellings; the
//! one info line when ShellCheck is missing; the cache. Needs ShellCheck and skips, saying so,
//! without it (except the test of a missing ShellCheck, which needs none).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::path::Path;
use std::process::Command;

/// A finding as compared here: SC code, line, column, end line, end column (1-based, columns
/// in characters).
type At = (String, u64, u64, u64, u64);

struct Out {
    findings: Vec<At>,
    stderr: String,
    json: Vec<serde_json::Value>,
}

/// `plimsoll check --select shellcheck --format json` on `text` written as `Dockerfile` in a
/// fresh directory (with `extra` files beside it), with its own cache directory.
fn check(text: &str, extra: &[(&str, &str)], args: &[&str]) -> Out {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), text).unwrap();
    for (name, body) in extra {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    run_in(dir.path(), &dir.path().join(".cache"), args, None)
}

fn run_in(dir: &Path, cache: &Path, args: &[&str], path: Option<&str>) -> Out {
    let mut cmd = Command::new(support::plimsoll_bin());
    cmd.current_dir(dir)
        .args(["check", "--select", "shellcheck", "--format", "json"])
        .args(args)
        .arg("Dockerfile")
        .env("PLIMSOLL_CACHE_DIR", cache)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir);
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let json: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let findings = json
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().unwrap();
            (
                f["code"].as_str().unwrap().to_string(),
                n("line"),
                n("column"),
                n("end_line"),
                n("end_column"),
            )
        })
        .collect();
    Out {
        findings,
        stderr,
        json,
    }
}

fn at(code: &str, line: u64, col: u64, end_line: u64, end_col: u64) -> At {
    (code.to_string(), line, col, end_line, end_col)
}

fn sorted(mut v: Vec<At>) -> Vec<At> {
    v.sort();
    v
}

/// The text a finding covers, cut from `text` by its columns (characters), on one line.
fn covered<'t>(text: &'t str, f: &At) -> &'t str {
    assert_eq!(f.1, f.3, "one line: {f:?}");
    let line = text.split('\n').nth(f.1 as usize - 1).unwrap();
    let start = line
        .char_indices()
        .nth(f.2 as usize - 1)
        .map_or(line.len(), |(i, _)| i);
    let end = line
        .char_indices()
        .nth(f.4 as usize - 1)
        .map_or(line.len(), |(i, _)| i);
    &line[start..end]
}

fn shellcheck_here() -> bool {
    support::have_tool("shellcheck")
}

/// Asserts the findings are exactly `want`, each covering the text given with it.
fn expect(text: &str, out: &Out, want: &[(&str, u64, u64, u64, u64, &str)]) {
    let want_at: Vec<At> = sorted(want.iter().map(|w| at(w.0, w.1, w.2, w.3, w.4)).collect());
    assert_eq!(sorted(out.findings.clone()), want_at, "{:#?}", out.json);
    for w in want {
        let f = at(w.0, w.1, w.2, w.3, w.4);
        assert_eq!(covered(text, &f), w.5, "{f:?}");
    }
}

#[test]
fn continuation_lines_and_a_dropped_comment_line() {
    if !shellcheck_here() {
        return;
    }
    // `$prefix` holds one word (no SC2086); `$dest` is neither declared nor quoted.
    let text = "FROM debian:12\nENV prefix=/opt/tool\nRUN echo start \\\n    && ls \\\n  # a comment BuildKit drops\n    && cd /x && mkdir -p $prefix/bin $dest\n";
    let out = check(text, &[], &[]);
    expect(
        text,
        &out,
        &[
            ("SC2086", 6, 38, 6, 43, "$dest"),
            ("SC2154", 6, 38, 6, 43, "$dest"),
        ],
    );
}

#[test]
fn backtick_escape() {
    if !shellcheck_here() {
        return;
    }
    let text = "# escape=`\nFROM debian:12\nRUN echo start `\n    && cp $src C:\\\\dst\n";
    let out = check(text, &[], &["--ignore", "SC2154"]);
    expect(text, &out, &[("SC2086", 4, 11, 4, 15, "$src")]);
}

#[test]
fn crlf_line_ends() {
    if !shellcheck_here() {
        return;
    }
    let text = "FROM debian:12\r\nRUN echo start \\\r\n    && cp $src /dst\r\n";
    let out = check(text, &[], &["--ignore", "SC2154"]);
    expect(text, &out, &[("SC2086", 3, 11, 3, 15, "$src")]);
    // A CRLF heredoc: the body's lines, not their `\r`.
    let text = "FROM debian:12\r\nRUN <<EOF\r\nset -e\r\ncp $conf /backup/\r\nEOF\r\n";
    let out = check(text, &[], &["--ignore", "SC2154"]);
    expect(text, &out, &[("SC2086", 4, 4, 4, 9, "$conf")]);
}

#[test]
fn run_mount_and_network_flags() {
    if !shellcheck_here() {
        return;
    }
    let text = "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt --network=none apt-get install $pkgs\n";
    let out = check(text, &[], &["--ignore", "SC2154"]);
    expect(text, &out, &[("SC2086", 2, 77, 2, 82, "$pkgs")]);
}

#[test]
fn heredoc_bodies() {
    if !shellcheck_here() {
        return;
    }
    let text = "FROM debian:12\nRUN <<EOF\nset -e\n\tcp $conf /backup/\nEOF\n";
    let out = check(text, &[], &["--ignore", "SC2154"]);
    expect(text, &out, &[("SC2086", 4, 5, 4, 10, "$conf")]);
    // `<<-` strips the leading tabs; the column is still the file's.
    let text = "FROM debian:12\nRUN <<-EOF\n\tset -e\n\t\tcp $conf /backup/\n\tEOF\n";
    let out = check(text, &[], &["--ignore", "SC2154"]);
    expect(text, &out, &[("SC2086", 4, 6, 4, 11, "$conf")]);
    // A `#!/bin/bash` body is bash: `[[` is fine there, not under the default /bin/sh.
    let text = "FROM debian:12\nRUN <<EOF\n#!/bin/bash\n[[ -f /x ]] && echo yes\nEOF\nRUN <<EOF\n[[ -f /x ]] && echo yes\nEOF\n";
    let out = check(text, &[], &[]);
    expect(text, &out, &[("SC3010", 7, 1, 7, 12, "[[ -f /x ]]")]);
}

#[test]
fn the_shell_instruction_sets_the_dialect() {
    if !shellcheck_here() {
        return;
    }
    let text = "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nRUN if [[ -f /x ]]; then echo $a; fi\nFROM debian:12\nRUN if [[ -f /x ]]; then echo $a; fi\n";
    let out = check(text, &[], &["--ignore", "SC2154"]);
    expect(
        text,
        &out,
        &[
            ("SC2086", 3, 31, 3, 33, "$a"),
            ("SC3010", 5, 8, 5, 19, "[[ -f /x ]]"),
            ("SC2086", 5, 31, 5, 33, "$a"),
        ],
    );
}

#[test]
fn a_powershell_stage_has_no_findings() {
    if !shellcheck_here() {
        return;
    }
    let text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN $ErrorActionPreference = 'Stop'; Invoke-WebRequest -Uri $env:TOOL_URL -OutFile tool.zip; if ($x) { echo `$y }\n";
    let out = check(text, &[], &[]);
    expect(text, &out, &[]);
    // Nor on the default shell of a Windows image, cmd.
    let cmd = text.replace("SHELL [\"powershell\", \"-Command\"]\n", "");
    expect(&cmd, &check(&cmd, &[], &[]), &[]);
    // The same line under /bin/sh is full of findings: the silence is the stage's shell.
    let sh = cmd.replace("mcr.microsoft.com/windows/servercore:ltsc2022", "debian:12");
    assert!(!check(&sh, &[], &[]).findings.is_empty());
}

#[test]
fn onbuild_run() {
    if !shellcheck_here() {
        return;
    }
    let text = "FROM debian:12\nONBUILD RUN cp -r /src/* $dest\n";
    let out = check(text, &[], &["--ignore", "SC2154"]);
    expect(text, &out, &[("SC2086", 2, 26, 2, 31, "$dest")]);
}

#[test]
fn severity_follows_shellcheck_and_the_fix_quotes_the_word() {
    if !shellcheck_here() {
        return;
    }
    let text = "FROM debian:12\nRUN cp $src /dst\n";
    let out = check(text, &[], &[]);
    let level = |code: &str| {
        out.json
            .iter()
            .find(|f| f["code"] == code)
            .map(|f| f["severity"].as_str().unwrap().to_string())
    };
    assert_eq!(level("SC2086").as_deref(), Some("info"));
    assert_eq!(level("SC2154").as_deref(), Some("warning"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), text).unwrap();
    let st = Command::new(support::plimsoll_bin())
        .current_dir(dir.path())
        .args([
            "check",
            "--select",
            "SC2086",
            "--fix",
            "--unsafe-fixes",
            "Dockerfile",
        ])
        .env("PLIMSOLL_CACHE_DIR", dir.path().join(".cache"))
        .output()
        .unwrap();
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(
        fixed,
        "FROM debian:12\nRUN cp \"$src\" /dst\n",
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
}

#[test]
fn suppressions_name_single_sc_codes() {
    if !shellcheck_here() {
        return;
    }
    let run = "RUN cp $src /dst\n";
    let both = |out: &Out| -> Vec<String> {
        let mut v: Vec<String> = out.findings.iter().map(|f| f.0.clone()).collect();
        v.sort();
        v
    };
    let plain = check(&format!("FROM debian:12\n{run}"), &[], &[]);
    assert_eq!(both(&plain), ["SC2086", "SC2154"]);
    for comment in ["# hadolint ignore=SC2086", "# plimsoll ignore=SC2086"] {
        let out = check(&format!("FROM debian:12\n{comment}\n{run}"), &[], &[]);
        assert_eq!(both(&out), ["SC2154"], "{comment}");
    }
    let out = check(
        &format!("FROM debian:12\n{run}"),
        &[],
        &["--ignore", "SC2086"],
    );
    assert_eq!(both(&out), ["SC2154"], "--ignore");
    let out = check(
        &format!("FROM debian:12\n{run}"),
        &[(".hadolint.yaml", "ignored:\n  - SC2154\n")],
        &[],
    );
    assert_eq!(both(&out), ["SC2086"], ".hadolint.yaml");
    let out = check(
        &format!("FROM debian:12\n{run}"),
        &[(
            "plimsoll.toml",
            "[options]\nshellcheck-exclude = [\"SC2154\"]\n",
        )],
        &[],
    );
    assert_eq!(both(&out), ["SC2086"], "shellcheck-exclude");
    // ShellCheck's own directive inside a heredoc body.
    let text = "FROM debian:12\nRUN <<EOF\n# shellcheck disable=SC2086\ncp $src /dst\nEOF\n";
    let out = check(text, &[], &[]);
    assert_eq!(both(&out), ["SC2154"], "# shellcheck disable=");
}

/// A stand-in ShellCheck that logs each run, then runs the real one.
#[cfg(unix)]
fn logging_shellcheck(dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let real = which("shellcheck");
    let path = dir.join("shellcheck-logged");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\necho run >> '{}'\nexec '{}' \"$@\"\n",
            dir.join("runs.log").display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn which(name: &str) -> std::path::PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|p| p.join(name))
        .find(|p| p.is_file())
        .unwrap()
}

fn runs(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs.log"))
        .unwrap_or_default()
        .lines()
        .count()
}

#[cfg(unix)]
#[test]
fn one_process_per_file_and_an_unchanged_script_is_never_checked_twice() {
    if !shellcheck_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let program = logging_shellcheck(dir.path());
    std::fs::write(
        dir.path().join("plimsoll.toml"),
        format!("[options]\nshellcheck = \"{}\"\n", program.display()),
    )
    .unwrap();
    let text = "FROM debian:12\nRUN cp $a /x\nRUN <<EOF\ncp $b /y\nEOF\nONBUILD RUN cp $c /z\n";
    std::fs::write(dir.path().join("Dockerfile"), text).unwrap();
    let cache = dir.path().join(".cache");
    let first = run_in(dir.path(), &cache, &["--ignore", "SC2154"], None);
    assert_eq!(first.findings.len(), 3, "{:#?}", first.json);
    assert_eq!(runs(dir.path()), 1, "three scripts, one ShellCheck run");
    let again = run_in(dir.path(), &cache, &["--ignore", "SC2154"], None);
    assert_eq!(again.findings, first.findings, "the cache answers the same");
    assert_eq!(
        runs(dir.path()),
        1,
        "nothing changed: ShellCheck not run again"
    );
    // One RUN changed: only it is checked.
    std::fs::write(
        dir.path().join("Dockerfile"),
        text.replace("cp $a /x", "cp $a /x2"),
    )
    .unwrap();
    let changed = run_in(dir.path(), &cache, &["--ignore", "SC2154"], None);
    assert_eq!(changed.findings.len(), 3);
    assert_eq!(runs(dir.path()), 2);
}

#[test]
fn without_shellcheck_one_info_line_and_no_error() {
    // Needs no ShellCheck: PATH holds only a directory without it.
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:12\nRUN cp $a /x\nRUN cp $b /y\n",
    )
    .unwrap();
    let cache = dir.path().join(".cache");
    let out = run_in(dir.path(), &cache, &[], Some(&bin.to_string_lossy()));
    assert!(out.findings.is_empty(), "{:#?}", out.json);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    assert!(
        lines[0]
            .starts_with("plimsoll: info: shellcheck is not installed, so the ShellCheck checks")
            && lines[0].contains("apt-get install shellcheck"),
        "{}",
        out.stderr
    );
    // A configured path that does not exist says so, the same way.
    std::fs::write(
        dir.path().join("plimsoll.toml"),
        "[options]\nshellcheck = \"/nonexistent/shellcheck\"\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &cache, &[], Some(&bin.to_string_lossy()));
    assert!(
        out.stderr
            .contains("the configured shellcheck `/nonexistent/shellcheck` was not found"),
        "{}",
        out.stderr
    );
}

/// A file hands ShellCheck a bounded share of work: past 500 scripts, one info finding at the
/// first script not checked says so, and the scripts before it are still checked.
#[test]
fn a_file_with_hundreds_of_runs_is_checked_up_to_its_limit() {
    if !shellcheck_here() {
        return;
    }
    let mut text = String::from("FROM debian:12\n");
    for i in 0..600 {
        text.push_str(&format!("RUN echo {i} $undeclared{i}\n"));
    }
    let out = check(&text, &[], &[]);
    let limit: Vec<&serde_json::Value> = out
        .json
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.contains("at most 500 scripts"))
        })
        .collect();
    assert_eq!(limit.len(), 1, "{:#?}", limit);
    // Line 502 holds the 501st RUN: the first one past the limit.
    assert_eq!(limit[0]["line"], 502);
    assert!(
        limit[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("the 99 after it")),
        "{}",
        limit[0]
    );
    let checked_lines: std::collections::BTreeSet<u64> = out
        .findings
        .iter()
        .filter(|f| f.0 == "SC2154")
        .map(|f| f.1)
        .collect();
    assert_eq!(checked_lines.len(), 500);
    assert_eq!(checked_lines.last(), Some(&501));
}

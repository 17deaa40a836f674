//! Policies end to end: `[[policy]]` and `--policy`, exit codes of policies that do not load or
//! fail on a file, suppressions of policy findings, declarative policies per path, `plimsoll
//! policy test` and `plimsoll policy input`, and the committed JSON Schema of the input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use support::Run;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let p = tmp.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    tmp
}

fn run(dir: &tempfile::TempDir, args: &[&str]) -> Run {
    support::run_plimsoll(dir.path(), args, None)
}

const REGISTRY_POLICY: &str = r#"package main

deny contains {"msg": msg, "span": image.span} if {
	some image in input.images
	image.target == "external"
	image.reference.registry != "registry.acme.internal"
	msg := sprintf("%s is not from registry.acme.internal", [image.resolved])
}
"#;

/// Only the policy findings and what the engine reports itself.
const CONFIG: &str = "select = [\"policy\", \"PL0\"]\n[[policy]]\npath = \"policy\"\n";

#[test]
fn a_configured_policy_reports_at_the_image_and_fails_the_run() {
    let p = project(&[
        ("plimsoll.toml", CONFIG),
        ("policy/registry.rego", REGISTRY_POLICY),
        ("Dockerfile", "FROM debian:12\nUSER 1000\n"),
        ("ok/Dockerfile", "FROM registry.acme.internal/debian:12\n"),
    ]);
    let r = run(&p, &["check", "--format", "concise", "."]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("Dockerfile:1:6: error policy/main/deny debian:12 is not from"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("ok/Dockerfile"), "{}", r.stdout);
}

#[test]
fn policy_findings_are_suppressed_and_ignored_like_rules() {
    let p = project(&[
        ("plimsoll.toml", CONFIG),
        ("policy/registry.rego", REGISTRY_POLICY),
        (
            "Dockerfile",
            "# plimsoll ignore=policy/main/deny -- approved in SEC-1\nFROM debian:12\n",
        ),
        ("b/Dockerfile", "FROM debian:12\n"),
    ]);
    let r = run(&p, &["check", "--format", "concise", "Dockerfile"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(
        &p,
        &[
            "check",
            "--format",
            "concise",
            "--ignore",
            "policy/main",
            "b",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&p, &["check", "--format", "concise", "b"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}

#[test]
fn the_policy_option_adds_policies_to_the_configured_ones() {
    let p = project(&[
        ("plimsoll.toml", "select = [\"policy\"]\n"),
        ("extra/registry.rego", REGISTRY_POLICY),
        ("Dockerfile", "FROM debian:12\n"),
    ]);
    let r = run(&p, &["check", "--format", "concise", "Dockerfile"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(
        &p,
        &[
            "check",
            "--format",
            "concise",
            "--policy",
            "extra",
            "Dockerfile",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("policy/main/deny"), "{}", r.stdout);
}

#[test]
fn a_policy_that_does_not_load_is_exit_2_with_its_location() {
    let p = project(&[
        ("plimsoll.toml", CONFIG),
        (
            "policy/bad.rego",
            "package main\n\ndeny contains msg if {\n  msg := \n}\n",
        ),
        ("Dockerfile", "FROM debian:12\n"),
    ]);
    let r = run(&p, &["check", "Dockerfile"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("policy/bad.rego:4:7: policy error: expecting `}`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    // An undefined function, and a name that is neither a rule nor a bound variable: regorus
    // meets them only when an input reaches them (no file's input reaches these), so plimsoll
    // looks for them when it loads the policies, and names the file among several.
    for (body, at) in [
        (
            "  input.never\n  msg := no_such_function(input)\n",
            "p/z.rego:5:10: policy error: undefined function no_such_function",
        ),
        (
            "  input.never\n  msg := no_such_rule\n",
            "p/z.rego:5:10: policy error: `no_such_rule` is neither a rule nor a variable this rule binds",
        ),
    ] {
        let q = project(&[
            (
                "p/a.rego",
                "package main\n\nwarn contains \"fine\" if false\n",
            ),
            (
                "p/z.rego",
                &format!("package main\n\ndeny contains msg if {{\n{body}}}\n"),
            ),
            ("Dockerfile", "FROM debian:12\n"),
        ]);
        let r = run(
            &q,
            &[
                "check",
                "--isolated",
                "--policy",
                "p",
                "--format",
                "concise",
                "Dockerfile",
            ],
        );
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(at), "{}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        // `policy test` compiles the same way.
        let r = run(&q, &["policy", "test", "p"]);
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(at), "{}", r.stderr);
    }
}

#[test]
fn a_policy_failing_on_one_file_is_exit_2_and_the_others_still_lint() {
    let policy = r#"package main

deny contains msg if {
	some i in input.instructions
	i.cmd == "expose"
	to_number(i.value[0]) < 1024
	msg := "privileged port"
}
"#;
    let p = project(&[
        ("plimsoll.toml", CONFIG),
        ("policy/ports.rego", policy),
        ("a/Dockerfile", "FROM debian:12\nEXPOSE 80/tcp\n"),
        ("b/Dockerfile", "FROM debian:12\nEXPOSE 80\n"),
    ]);
    let r = run(&p, &["check", "--format", "concise", "a", "b"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("a/Dockerfile:1:1: error PL999")
            && r.stdout.contains("policy/ports.rego:6:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("b/Dockerfile:2:1: error policy/main/deny privileged port")
            || r.stdout
                .contains("b/Dockerfile:1:1: error policy/main/deny privileged port"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_looping_policy_is_stopped_by_its_time_limit() {
    let policy = r#"package main

deny contains msg if {
	some i in numbers.range(1, 1000000)
	some j in numbers.range(1, 1000000)
	i * j == -1
	msg := "never"
}
"#;
    let p = project(&[
        (
            "plimsoll.toml",
            "select = [\"policy\"]\n[[policy]]\npath = \"policy\"\ntime-limit = 0.3\n",
        ),
        ("policy/loop.rego", policy),
        ("a/Dockerfile", "FROM debian:12\n"),
        ("b/Dockerfile", "FROM debian:12\n"),
    ]);
    let start = std::time::Instant::now();
    let r = run(&p, &["check", "--format", "concise", "-j", "1", "a", "b"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout.matches("ran past its time limit of 0.3 s").count(),
        2,
        "{}",
        r.stdout
    );
    // Not a timing test: only that the limit, not the loop, ended it.
    assert!(start.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn declarative_policies_apply_per_path() {
    let config = r#"select = ["policy"]
[options]
banned-images = { "centos" = "end of life" }
[[overrides]]
files = ["services/**"]
options = { allowed-base-images = ["gcr.io/distroless/*"] }
"#;
    let p = project(&[
        ("plimsoll.toml", config),
        ("services/api/Dockerfile", "FROM debian:12\n"),
        ("tools/Dockerfile", "FROM debian:12\nFROM centos:7\n"),
    ]);
    let r = run(&p, &["check", "--format", "concise", "."]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("services/api/Dockerfile:1:6: error PL952"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("tools/Dockerfile:1:6"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("tools/Dockerfile:2:6: error PL951 `centos:7` is banned (`centos` in `banned-images`): end of life"),
        "{}",
        r.stdout
    );
    // A bad value in an override's options is an error of the configuration.
    std::fs::write(
        p.path().join("plimsoll.toml"),
        "[[overrides]]\nfiles = [\"x\"]\noptions = { max-stages = \"four\" }\n",
    )
    .unwrap();
    let r = run(&p, &["check", "."]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("plimsoll.toml:3:26: invalid type: string \"four\""),
        "{}",
        r.stderr
    );
}

#[test]
fn policy_test_reports_each_test_and_exits_by_the_worst() {
    let passing = "package main\n\ndeny contains \"x\" if input.bad\n\ntest_denies if { deny[\"x\"] with input as {\"bad\": true} }\n";
    let p = project(&[("policy/p.rego", passing)]);
    let r = run(&p, &["policy", "test", "-v"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("PASS  data.main.test_denies"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("1 passed, 0 failed, 0 errors"),
        "{}",
        r.stdout
    );
    std::fs::write(
        p.path().join("policy/p_test.rego"),
        "package main\n\ntest_wrong if { count(deny) == 1 with input as {} }\n",
    )
    .unwrap();
    let r = run(&p, &["policy", "test", "policy"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("FAIL  data.main.test_wrong  (policy/p_test.rego:3)"),
        "{}",
        r.stdout
    );
    std::fs::write(
        p.path().join("policy/p_test.rego"),
        "package main\n\ntest_error if { 1 / 0 == 1 }\n",
    )
    .unwrap();
    let r = run(&p, &["policy", "test", "--json", "policy"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json[1]["outcome"], "error", "{json}");
    assert!(
        json[1]["error"]
            .as_str()
            .unwrap()
            .contains("p_test.rego:3:"),
        "{json}"
    );
}

#[test]
fn policy_input_prints_both_documents() {
    let p = project(&[(
        "Dockerfile",
        "ARG BASE=debian:12\nFROM $BASE\nRUN apt-get install -y curl\n",
    )]);
    let r = run(&p, &["policy", "input", "--isolated", "Dockerfile"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["kind"], "dockerfile");
    assert_eq!(doc["stages"][0]["base"]["resolved"], "debian:12");
    assert_eq!(doc["stages"][0]["base"]["span"]["line"], 2);
    assert!(
        doc["findings"].as_array().is_some_and(|f| !f.is_empty()),
        "{doc}"
    );
    let r = run(
        &p,
        &[
            "policy",
            "input",
            "--isolated",
            "--input-format",
            "conftest",
            "Dockerfile",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc[1]["Cmd"], "from");
    assert_eq!(doc[1]["Value"][0], "$BASE");
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/policy-input.schema.json"
    ))
    .unwrap();
    assert_eq!(
        committed.trim_end(),
        plimsoll::policy::input::schema_json(),
        "docs/policy-input.schema.json is out of date: `plimsoll policy schema > docs/policy-input.schema.json`"
    );
}

/// `plimsoll policy input Dockerfile | head` closes the pipe early: the command ends quietly
/// instead of panicking in `println!`.
#[test]
fn a_closed_pipe_ends_the_policy_commands_quietly() {
    let p = project(&[
        ("Dockerfile", "FROM debian:12\n"),
        ("policy/p.rego", "package main\n\ntest_ok if true\n"),
    ]);
    for args in [
        &["policy", "input", "--isolated", "Dockerfile"][..],
        &["policy", "schema"],
        &["policy", "test", "policy"],
    ] {
        let mut child = std::process::Command::new(support::plimsoll_bin())
            .args(args)
            .current_dir(p.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // No reader is left: the child's first write fails with a broken pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

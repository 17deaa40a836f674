//! No output ever shows a whole secret: plant secrets of every kind the secret rules detect in
//! a Dockerfile and a compose file, lint them through the engine and check that every planted
//! secret is found, that every finding marks its secret bytes, that no message contains a
//! planted secret whole, and (where the CLI's reporters are built) that no output format does.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::finding::{FileReport, mask_secrets};
use plimsoll::rules::RuleId;
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};
use std::process::Command;

/// (planted secret, the text it appears in). Assembled at run time so the repository holds no
/// string that a secret scanner would flag as a live credential.
fn body(seed: usize, len: usize) -> String {
    let alphabet = b"Q7mZp2RkX9aLw4TnV8cYh3JsB6dGf5Ku";
    (0..len)
        .map(|i| char::from(alphabet[(i * 7 + seed) % alphabet.len()]))
        .collect()
}

struct Planted {
    dockerfile: String,
    compose: String,
    secrets: Vec<String>,
}

fn planted() -> Planted {
    let gh = format!("ghp_{}", body(1, 36));
    let aws_id = format!("AKIA{}", body(2, 16).to_ascii_uppercase());
    let aws_secret = format!("{}/{}", body(3, 20), body(4, 19));
    let slack = format!("xoxb-{}", body(5, 30));
    let env_pw = format!("Pw-{}", body(6, 12));
    let arg_key = body(7, 16);
    let url_pw = format!("u{}", body(8, 10));
    let curl_pw = format!("c{}", body(9, 10));
    let export_tok = format!("t{}", body(10, 18));
    let key_body: String = (0..4).map(|i| body(11 + i, 64) + "\n").collect();
    let dockerfile = format!(
        "FROM alpine:3.20\n\
         ENV GH_TOKEN={gh}\n\
         ENV AWS_ACCESS_KEY_ID={aws_id} AWS_SECRET_ACCESS_KEY={aws_secret}\n\
         ENV DB_PASSWORD=\"{env_pw}\"\n\
         ARG API_KEY={arg_key}\n\
         RUN git clone https://bot:{url_pw}@git.internal/app.git\n\
         RUN curl -u deploy:{curl_pw} https://artifacts.internal/x\n\
         RUN export SESSION_SECRET={export_tok} && ./run\n\
         RUN <<EOF\n\
         cat > /root/.ssh/id_rsa <<KEY\n\
         -----BEGIN RSA PRIVATE KEY-----\n\
         {key_body}-----END RSA PRIVATE KEY-----\n\
         KEY\n\
         EOF\n"
    );
    let compose_pw = format!("Cp-{}", body(15, 12));
    let compose_arg = body(16, 14);
    let compose_db = format!("d{}", body(17, 10));
    let compose_mysql = format!("m{}", body(18, 10));
    let compose = format!(
        "services:\n\
         \x20 app:\n\
         \x20   image: myorg/app:1.0\n\
         \x20   build:\n\
         \x20     context: .\n\
         \x20     args:\n\
         \x20       NPM_TOKEN: {compose_arg}\n\
         \x20   environment:\n\
         \x20     - SLACK_BOT={slack}\n\
         \x20     - ADMIN_PASSWORD={compose_pw}\n\
         \x20     - DATABASE_URL=postgres://app:{compose_db}@db/app\n\
         \x20 db:\n\
         \x20   image: mysql:8.4\n\
         \x20   healthcheck:\n\
         \x20     test: mysqladmin ping -uroot -p{compose_mysql}\n"
    );
    Planted {
        dockerfile,
        compose,
        secrets: vec![
            gh,
            aws_id,
            aws_secret,
            slack,
            env_pw,
            arg_key,
            url_pw,
            curl_pw,
            export_tok,
            key_body,
            compose_pw,
            compose_arg,
            compose_db,
            compose_mysql,
        ],
    }
}

fn lint(name: &str, text: &str, kind: FileKind) -> (SourceFile, FileReport) {
    let file = SourceFile::new(name, text, kind);
    let settings = LintSettings {
        select: vec!["ALL".to_string()],
        ..LintSettings::default()
    };
    let report = lint_source(&file, &settings);
    (file, report)
}

#[test]
fn every_planted_secret_is_found_marked_and_never_shown() {
    let p = planted();
    let mut found_secrets: Vec<String> = Vec::new();
    for (name, text, kind) in [
        ("Dockerfile", &p.dockerfile, FileKind::Dockerfile),
        ("compose.yaml", &p.compose, FileKind::Compose),
    ] {
        let (file, report) = lint(name, text, kind);
        let internal: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.code == RuleId::InternalError.code())
            .collect();
        assert!(internal.is_empty(), "{internal:?}");
        for f in &report.findings {
            for s in &p.secrets {
                assert!(
                    !f.message.contains(s.trim()),
                    "{} message shows a whole secret: {}",
                    f.code,
                    f.message
                );
            }
            // Rules that judge variable names, not values, have no secret to mark.
            if f.name.starts_with("secret")
                && !matches!(f.name, "secret-build-arg" | "secret-arg-env-name")
            {
                let secret = f
                    .secret
                    .unwrap_or_else(|| panic!("{} has no secret span", f.code));
                found_secrets.push(secret.text(&file.text).to_string());
            }
        }
        // What a reporter shows: every line of the file with the findings' secrets masked.
        let spans: Vec<_> = report.findings.iter().filter_map(|f| f.secret).collect();
        let mut offset = 0;
        for line in file.text.split_inclusive('\n') {
            let shown = mask_secrets(line, offset, &spans);
            for s in &p.secrets {
                for piece in s.lines().filter(|l| l.len() > 8) {
                    assert!(!shown.contains(piece), "snippet shows a secret: {shown}");
                }
            }
            offset += line.len();
        }
    }
    for s in &p.secrets {
        assert!(
            found_secrets.iter().any(|f| f.contains(s.trim())),
            "planted secret {}… was not reported (found: {} secrets)",
            s.get(..4).unwrap_or(""),
            found_secrets.len()
        );
    }
}

#[test]
fn no_output_format_shows_a_planted_secret() {
    let p = planted();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("Dockerfile"), &p.dockerfile).expect("write");
    std::fs::write(dir.path().join("compose.yaml"), &p.compose).expect("write");
    let formats = [
        "human",
        "concise",
        "json",
        "sarif",
        "checkstyle",
        "gitlab",
        "github",
        "junit",
    ];
    for format in formats {
        let out = Command::new(support::plimsoll_bin())
            .current_dir(dir.path())
            .args(["check", "--select", "ALL", "--format", format, "."])
            .env("NO_COLOR", "1")
            .output()
            .expect("run plimsoll");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() == Some(2) && stdout.is_empty() {
            eprintln!("skipping --format {format}: `plimsoll check` is not available ({stderr})");
            continue;
        }
        assert!(
            !stdout.is_empty(),
            "--format {format} printed nothing: {stderr}"
        );
        for s in &p.secrets {
            for piece in s.lines().filter(|l| l.len() > 8) {
                assert!(
                    !stdout.contains(piece) && !stderr.contains(piece),
                    "--format {format} shows a planted secret ({}…)",
                    piece.get(..4).unwrap_or("")
                );
            }
        }
    }
}

/// Runs `plimsoll check --isolated --select ALL` with `args` in `dir`; returns (code, stdout,
/// stderr).
fn check_in(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(support::plimsoll_bin())
        .current_dir(dir)
        .args(["check", "--isolated", "--select", "ALL"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run plimsoll");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_hidden(what: &str, shown: &str, secrets: &[String]) {
    for s in secrets {
        for piece in s.lines().filter(|l| l.len() > 8) {
            assert!(
                !shown.contains(piece),
                "{what} shows a planted secret ({}…) in: {}",
                piece.get(..4).unwrap_or(""),
                shown
                    .lines()
                    .filter(|l| l.contains(piece))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}

/// Beyond the report formats: `--statistics`, `--output` and `--write-baseline` files, and the
/// error messages of files that do not parse, with secrets where the parsers complain (broken
/// JSON, an unterminated quote, a schema error on a secret value, a bad interpolation).
/// `plimsoll debug ast` is left out on purpose: it prints the file's own tokens verbatim for
/// whoever asked to see that file (like `cat`), it is not a report.
#[test]
fn statistics_baseline_output_and_errors_never_show_a_planted_secret() {
    let p = planted();
    let tok = format!("ghp_{}", body(21, 36));
    let pw = format!("Pw-{}", body(22, 14));
    let broken_dockerfile = format!(
        "FROM alpine:3.20\n\
         ENV GITHUB_TOKEN={tok}\n\
         ENV {tok}\n\
         LABEL DB_PASSWORD={pw}x\n\
         CMD [\"run\", \"--token={tok}\"\n\
         RUN echo \"DB_PASSWORD={pw}\n\
         HEALTHCHECK --interval={tok} CMD true\n"
    );
    let broken_compose = format!(
        "services:\n\
         \x20 app:\n\
         \x20   image: myorg/app:1.0\n\
         \x20   privileged: {tok}\n\
         \x20   environment:\n\
         \x20     ADMIN_PASSWORD: ${{{tok}\n\
         \x20     API_TOKEN: [{tok}\n"
    );
    let mut secrets = p.secrets.clone();
    secrets.extend([tok.clone(), pw.clone()]);

    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("Dockerfile"), &p.dockerfile).expect("write");
    std::fs::write(dir.path().join("compose.yaml"), &p.compose).expect("write");
    std::fs::create_dir(dir.path().join("broken")).expect("mkdir");
    std::fs::write(dir.path().join("broken/Dockerfile"), &broken_dockerfile).expect("write");
    std::fs::write(dir.path().join("broken/compose.yaml"), &broken_compose).expect("write");

    let (code, out, err) = check_in(dir.path(), &["--statistics", "."]);
    assert!(matches!(code, Some(0..=2)), "{err}");
    assert!(!out.is_empty(), "--statistics printed nothing: {err}");
    assert_hidden("--statistics", &format!("{out}{err}"), &secrets);

    for format in ["human", "concise", "json"] {
        let (code, out, err) = check_in(dir.path(), &["--format", format, "broken"]);
        assert_eq!(code, Some(1), "--format {format} on broken files: {err}");
        // PL001: Dockerfile syntax; PL002/PL003: compose syntax and schema.
        for code in [RuleId::DockerfileSyntax.code(), "PL00"] {
            assert!(out.contains(code), "no {code} reported: {out}");
        }
        assert_hidden(
            &format!("errors in --format {format}"),
            &format!("{out}{err}"),
            &secrets,
        );
    }

    let report = dir.path().join("report.json");
    let baseline = dir.path().join("baseline.json");
    let report_arg = report.to_str().expect("utf-8 path");
    let (code, out, err) = check_in(dir.path(), &["--format", "json", "-o", report_arg, "."]);
    assert!(matches!(code, Some(0..=2)), "{err}");
    let written = std::fs::read_to_string(&report).expect("--output file");
    assert!(written.contains("PL0"), "empty --output file");
    assert_hidden("--output", &format!("{written}{out}{err}"), &secrets);
    let baseline_arg = baseline.to_str().expect("utf-8 path");
    let (code, out, err) = check_in(dir.path(), &["--write-baseline", baseline_arg, "."]);
    assert!(matches!(code, Some(0..=2)), "{err}");
    assert_hidden("--write-baseline", &format!("{out}{err}"), &secrets);
    let base = std::fs::read_to_string(&baseline).expect("--write-baseline file");
    assert!(!base.is_empty(), "empty baseline");
    assert_hidden("--write-baseline", &base, &secrets);
}

/// `--diff` quotes source lines around each fix: a secret on a context line is masked too.
#[test]
fn fix_diffs_never_show_a_planted_secret() {
    let tok = format!("ghp_{}", body(31, 36));
    let dockerfile =
        format!("FROM alpine:3.20\nENV GITHUB_TOKEN={tok}\nRUN echo a\nRUN echo b {tok}\n");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("Dockerfile"), &dockerfile).expect("write");
    let (code, out, err) = check_in(dir.path(), &["--diff", "Dockerfile"]);
    assert!(matches!(code, Some(0..=1)), "{err}");
    assert!(out.contains("+RUN echo a"), "no split-run diff: {out}{err}");
    assert_hidden("--diff", &format!("{out}{err}"), std::slice::from_ref(&tok));
    // Nothing was written.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).expect("read"),
        dockerfile
    );
}

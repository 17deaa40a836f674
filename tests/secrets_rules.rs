//! The secret rules through the engine, on shapes the catalog pages do not show: ONBUILD, legacy
//! ENV, exec-form RUN, compose list and map forms, references, the allow-list option.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::rules::RuleId;
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::{LintSettings, RuleOptions};
use plimsoll::source::{FileKind, SourceFile};

fn flagged_with(code: &str, name: &str, text: &str, allow: &[&str]) -> Vec<(u32, String)> {
    let kind = if name.ends_with(".yaml") {
        FileKind::Compose
    } else {
        FileKind::Dockerfile
    };
    let file = SourceFile::new(name, text, kind);
    let settings = LintSettings {
        select: vec![code.to_string()],
        options: RuleOptions {
            secret_allowlist: allow.iter().map(|s| s.to_string()).collect(),
            ..RuleOptions::default()
        },
        ..LintSettings::default()
    };
    let report = lint_source(&file, &settings);
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.code != RuleId::InternalError.code()),
        "{:?}",
        report.findings
    );
    report
        .findings
        .iter()
        .filter(|f| f.code == code || f.name == code)
        .map(|f| {
            // Every secret finding marks the bytes it flags as secret.
            if code != "secret-build-arg" && code != "secret-file-copy" {
                assert!(f.secret.is_some(), "{code}: no secret span");
            }
            (f.location(&file).line, f.span.text(text).to_string())
        })
        .collect()
}

fn flagged(code: &str, name: &str, text: &str) -> Vec<(u32, String)> {
    flagged_with(code, name, text, &[])
}

fn at(line: u32, s: &str) -> (u32, String) {
    (line, s.to_string())
}

#[test]
fn variables_in_dockerfiles() {
    let text = "FROM alpine:3.20\n\
                ENV DB_PASSWORD s3cret-Value-9\n\
                ONBUILD ENV API_TOKEN=Lq9Zr2Xv7Bn4\n\
                ENV TOKEN_URL=https://auth.internal/token PASSWORD_FILE=/run/secrets/pw\n\
                ENV APP_SECRET=${APP_SECRET} JWT_SECRET=changeme\n\
                ARG PASSWORD=\n";
    assert_eq!(
        flagged("secret-in-variable", "Dockerfile", text),
        [at(2, "s3cret-Value-9"), at(3, "Lq9Zr2Xv7Bn4")]
    );
    assert_eq!(
        flagged("secret-build-arg", "Dockerfile", text),
        [at(5, "APP_SECRET"), at(6, "PASSWORD")]
    );
}

#[test]
fn allow_list_silences_literals_and_tokens() {
    let text =
        "FROM alpine:3.20\nENV DB_PASSWORD=local-dev-only-7\nENV X=glpat-7RLV3dup9TYB5mkw8JGQ\n";
    assert_eq!(
        flagged_with(
            "secret-in-variable",
            "Dockerfile",
            text,
            &["local-dev-only-7"]
        ),
        []
    );
    assert_eq!(
        flagged_with("secret-token", "Dockerfile", text, &["/^glpat-7RLV/"]),
        []
    );
    assert_eq!(
        flagged("secret-token", "Dockerfile", text),
        [at(3, "glpat-7RLV3dup9TYB5mkw8JGQ")]
    );
}

#[test]
fn compose_environment_forms() {
    let text = "services:\n\
                \x20 api:\n\
                \x20   image: myorg/api:1\n\
                \x20   environment:\n\
                \x20     - DB_PASSWORD=Wq8zN3vLr5x\n\
                \x20     - API_KEY=${API_KEY}\n\
                \x20     - REDIS_PASSWORD\n\
                \x20 worker:\n\
                \x20   image: myorg/worker:1\n\
                \x20   environment:\n\
                \x20     SMTP_PASS: \"Tr0ub4dor-and-3\"\n\
                \x20     TOKEN_TTL: 3600\n\
                \x20     SECRET_KEY: $$literal-dollar-Xy7\n";
    assert_eq!(
        flagged("secret-in-variable", "compose.yaml", text),
        [at(5, "Wq8zN3vLr5x"), at(11, "Tr0ub4dor-and-3")]
    );
}

#[test]
fn credential_files_and_commands() {
    let text = "FROM node:22.11-alpine\n\
                COPY [\"id_rsa\", \"/root/.ssh/id_rsa\"]\n\
                COPY --chown=node .env.production ./\n\
                COPY certs/ca.pem certs/fullchain.pem /etc/ssl/\n\
                COPY keys/ /root/.ssh/\n\
                RUN [\"sshpass\", \"-p\", \"Wq8zN3vLr5\", \"ssh\", \"host\"]\n\
                RUN mysql -uroot -p\"$MYSQL_ROOT_PASSWORD\" -e 'select 1'\n\
                COPY deploy-key /root/.ssh/id_rsa\n\
                HEALTHCHECK --interval=30s CMD mysqladmin ping -uroot -pHx7q2Lr9Vw3z\n\
                CMD redis-server --requirepass \"Lq9Zr2Xv7Bn4\"\n";
    assert_eq!(
        flagged("secret-file-copy", "Dockerfile", text),
        [
            at(2, "id_rsa"),
            at(3, ".env.production"),
            at(8, "/root/.ssh/id_rsa")
        ]
    );
    assert_eq!(
        flagged("secret-in-command", "Dockerfile", text),
        [
            at(6, "Wq8zN3vLr5"),
            at(9, "Hx7q2Lr9Vw3z"),
            at(10, "\"Lq9Zr2Xv7Bn4\"")
        ]
    );
}

#[test]
fn compose_command_forms() {
    let text = "services:\n\
                \x20 db:\n\
                \x20   image: mysql:8.4\n\
                \x20   command: [\"redis-server\", \"--requirepass\", \"Wq8zN3vLr5\"]\n\
                \x20   healthcheck:\n\
                \x20     test: [\"CMD-SHELL\", \"mysqladmin ping -uroot -pHx7q2Lr9Vw3z\"]\n\
                \x20 cache:\n\
                \x20   image: redis:7.4\n\
                \x20   entrypoint: redis-cli -a \"$$REDIS_PASSWORD\" ping\n";
    assert_eq!(
        flagged("secret-in-command", "compose.yaml", text),
        [at(4, "Wq8zN3vLr5"), at(6, "Hx7q2Lr9Vw3z")]
    );
}

/// The messages as users read them, for review: every secret and setuid finding on a small
/// Dockerfile and compose file.
#[test]
fn messages_snapshot() {
    let dockerfile = "FROM debian:12-slim\n\
                      ARG NPM_TOKEN\n\
                      ENV DB_PASSWORD=s3cret-Value-9\n\
                      COPY id_ed25519 /root/.ssh/\n\
                      RUN chmod u+s /usr/bin/tool && curl -u ci:Wq8zN3vLr5 https://x.internal/a\n\
                      RUN git clone https://bot:Tr0ub4dor-and-3@git.internal/app.git\n";
    let compose = "services:\n\
                   \x20 app:\n\
                   \x20   image: myorg/app:1\n\
                   \x20   environment:\n\
                   \x20     API_KEY: Zq4Lm8Rt2Vx6Kp0\n\
                   \x20     SLACK: xoxb-ZT6pnd2VGR8fkc5XYK9hua3QLJ7wsm\n";
    let mut out = String::new();
    for (name, text, kind) in [
        ("Dockerfile", dockerfile, FileKind::Dockerfile),
        ("compose.yaml", compose, FileKind::Compose),
    ] {
        let file = SourceFile::new(name, text, kind);
        let settings = LintSettings {
            select: vec!["secret".to_string(), "setuid".to_string()],
            ..LintSettings::default()
        };
        for f in lint_source(&file, &settings).findings {
            let loc = f.location(&file);
            out.push_str(&format!(
                "{name}:{}:{} {} {} {}\n",
                loc.line, loc.column, f.code, f.severity, f.message
            ));
        }
    }
    support::snapshot_settings().bind(|| insta::assert_snapshot!("secrets_messages", out));
}

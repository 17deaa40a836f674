//! setuid-bit and setuid-strip on Dockerfiles through the engine: the shapes the catalog pages do
//! not show (heredoc scripts, exec form, ONBUILD, `find -exec`, `xargs`, ordering in one RUN).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use plimsoll::rules::RuleId;
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};

/// `(line, flagged text)` of each finding of `code`.
fn flagged(code: &str, text: &str) -> Vec<(u32, String)> {
    let file = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
    let settings = LintSettings {
        select: vec![code.to_string()],
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
        .map(|f| (f.location(&file).line, f.span.text(text).to_string()))
        .collect()
}

fn at(line: u32, s: &str) -> (u32, String) {
    (line, s.to_string())
}

#[test]
fn setuid_bit_in_every_form() {
    let text = "FROM debian:12-slim\n\
                RUN <<EOF\n\
                set -e\n\
                chmod 6755 /usr/local/bin/a\n\
                EOF\n\
                RUN [\"chmod\", \"u+s\", \"/usr/local/bin/b\"]\n\
                ONBUILD RUN chmod g+s /srv\n\
                RUN find /opt -type f -name tool -exec chmod u+s {} \\;\n\
                RUN ls /opt/bin/* | xargs sudo chmod 4711\n\
                ADD --chmod=u+s,g+s helper /usr/bin/\n\
                RUN sh -c 'chmod -R 2775 /data'\n";
    assert_eq!(
        flagged("setuid-bit", text),
        [
            at(4, "6755"),
            at(6, "u+s"),
            at(7, "g+s"),
            at(8, "u+s"),
            at(9, "4711"),
            at(10, "u+s,g+s"),
            at(11, "2775"),
        ]
    );
}

#[test]
fn setuid_bit_ignores_what_is_not_a_grant() {
    let text = "FROM debian:12-slim\n\
                RUN chmod 0755 /a && chmod a-s /b && chmod --reference=/c /d\n\
                RUN echo 'chmod u+s /x' > notes.txt\n\
                RUN cat > /etc/motd <<EOF\n\
                chmod u+s is not run\n\
                EOF\n\
                COPY --chmod=755 a /a\n\
                RUN mkdir -p /srv && chmod g+w /srv\n";
    assert_eq!(flagged("setuid-bit", text), []);
}

#[test]
fn setuid_strip_follows_the_last_install() {
    // Strip then install again in the same RUN: the install is after the strip.
    let text = "FROM alpine:3.20\n\
                RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + && apk add --no-cache sudo\n";
    assert_eq!(flagged("setuid-strip", text), [at(2, "apk")]);

    // A build stage that strips does not cover the final stage.
    let text = "FROM alpine:3.20 AS build\n\
                RUN find / -perm /6000 -type f -exec chmod a-s {} +\n\
                FROM alpine:3.20\n\
                RUN apk add --no-cache curl\n";
    assert_eq!(flagged("setuid-strip", text), [at(4, "apk")]);

    // Stripping with u-s only leaves setgid programs.
    let text = "FROM alpine:3.20\n\
                RUN find / -perm /6000 -type f -exec chmod u-s {} +\n";
    assert_eq!(flagged("setuid-strip", text), [at(1, "FROM")]);

    for ok in [
        "FROM alpine:3.20\nRUN apk add curl\nRUN find / -perm /6000 -type f -exec chmod a-s {} +\n",
        "FROM alpine:3.20\nRUN apk add curl && find / -xdev -perm -4000 -delete\n",
        "FROM scratch\nCOPY app /app\n",
        "FROM alpine:3.20\nRUN find / -perm /6000 -type f -print0 | xargs -0 chmod a-s\n",
    ] {
        assert_eq!(flagged("setuid-strip", ok), [], "{ok}");
    }
}

#[test]
fn setuid_strip_is_off_by_default() {
    let file = SourceFile::new("Dockerfile", "FROM alpine:3.20\n", FileKind::Dockerfile);
    let report = lint_source(&file, &LintSettings::default());
    assert!(report.findings.iter().all(|f| f.name != "setuid-strip"));
}

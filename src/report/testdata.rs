//! Synthetic reports for renderer unit tests (the engine is tested elsewhere).

use crate::finding::{Applicability, Edit, FileReport, Finding, Fix, Severity};
use crate::report::RuleInfo;
use crate::rules::RuleId;
use crate::source::{FileKind, SourceFile, Span};

fn span_of(text: &str, needle: &str) -> Span {
    let start = text.find(needle).unwrap_or(0);
    Span::new(start, start + needle.len())
}

pub fn reports() -> Vec<FileReport> {
    let text = "FROM debian:latest\nENV API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\nRUN apt-get update && \\\n    apt-get install -y curl\nUSER root\n";
    let file = SourceFile::new("app/Dockerfile", text, FileKind::Dockerfile);
    let tag = span_of(text, "latest");
    let mut findings = vec![
        Finding::new(
            RuleId::LatestTag.code(),
            RuleId::LatestTag.name(),
            Severity::Warning,
            span_of(text, "debian:latest"),
            "image `debian` uses the moving tag `latest`",
        )
        .with_fix(Fix {
            description: "pin to `debian:12.5`".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::replace(tag, "12.5")],
        }),
        Finding::new(
            RuleId::SecretToken.code(),
            RuleId::SecretToken.name(),
            Severity::Error,
            span_of(text, "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "GitHub token `ghp_…` in ENV <API_TOKEN> & \"quotes\"",
        )
        .with_secret(span_of(text, "ghp_abcdefghijklmnopqrstuvwxyz0123456789")),
        Finding::new(
            RuleId::SplitRun.code(),
            RuleId::SplitRun.name(),
            Severity::Info,
            span_of(text, "apt-get update && \\\n    apt-get install -y curl"),
            "`apt-get update` and `apt-get install`, with: colons, commas\nand a newline 100%",
        ),
        Finding::new(
            RuleId::RootUser.code(),
            RuleId::RootUser.name(),
            Severity::Style,
            span_of(text, "root"),
            "the final stage runs as root",
        )
        .with_related(span_of(text, "debian:latest"), "base image of this stage"),
    ];
    let mut r = FileReport {
        file,
        findings: std::mem::take(&mut findings),
    };
    r.sort();
    let clean = FileReport {
        file: SourceFile::new(
            "compose.yaml",
            "services:\n  web:\n    image: nginx@sha256:0\n",
            FileKind::Compose,
        ),
        findings: Vec::new(),
    };
    let ctext =
        "services:\n  db:\n    image: 'postgres'\n    environment:\n      PASSWORD: hunter2\n";
    let compose = SourceFile::new("deploy/docker-compose.yml", ctext, FileKind::Compose);
    let mut c = FileReport {
        findings: vec![Finding::new(
            RuleId::UnpinnedDigest.code(),
            RuleId::UnpinnedDigest.name(),
            Severity::Warning,
            span_of(ctext, "'postgres'"),
            "image `postgres` is not pinned to a digest",
        )],
        file: compose,
    };
    c.sort();
    vec![r, clean, c]
}

pub fn rule_info(code: &str) -> Option<RuleInfo> {
    let rule = RuleId::ALL.into_iter().find(|r| r.code() == code)?;
    let (summary, sev, security) = match rule {
        RuleId::LatestTag => ("Image uses a moving tag", Severity::Warning, false),
        RuleId::UnpinnedDigest => ("Image is not pinned to a digest", Severity::Warning, true),
        RuleId::RootUser => ("Container runs as root", Severity::Warning, true),
        RuleId::SplitRun => ("Consecutive RUN commands", Severity::Info, false),
        RuleId::SecretToken => ("Secret token in the image", Severity::Error, true),
        _ => return None,
    };
    let name = rule.name();
    Some(RuleInfo {
        code: code.to_string(),
        name: name.to_string(),
        summary: summary.to_string(),
        help_uri: Some(format!("https://plimsoll.dev/rules/{name}")),
        default_severity: sev,
        security,
    })
}

//! Every format renders 10,000 findings completely and masks every secret among them. How fast
//! it does so is measured by the criterion benchmark `benches/report_render.rs`, not here: a
//! wall-clock assertion fails at random on a loaded machine.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use plimsoll::finding::{FileReport, Finding, Severity};
use plimsoll::report::{self, Context, Format};
use plimsoll::rules::RuleId;
use plimsoll::source::{FileKind, SourceFile, Span};

fn reports(n: usize) -> Vec<FileReport> {
    let mut text = String::new();
    let mut findings = Vec::with_capacity(n);
    for i in 0..n {
        let start = text.len();
        text.push_str(&format!("RUN echo {i} token=ghp_{i:036}\n"));
        let secret_at = start + text[start..].find("ghp_").unwrap_or(0);
        findings.push(
            Finding::new(
                RuleId::LatestTag.code(),
                RuleId::LatestTag.name(),
                Severity::Warning,
                Span::new(start, start + 3),
                format!("finding {i}"),
            )
            .with_secret(Span::new(secret_at, secret_at + 40)),
        );
    }
    vec![FileReport {
        file: SourceFile::new("Dockerfile", text, FileKind::Dockerfile),
        findings,
    }]
}

fn render(format: Format, reports: &[FileReport]) -> String {
    let lookup = |_: &str| None;
    let ctx = Context::new(&lookup);
    let mut out = Vec::new();
    report::render(format, reports, &ctx, &mut out).expect("render");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn ten_thousand_findings_render_in_every_format() {
    let large = reports(10_000);
    for format in [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Checkstyle,
        Format::Gitlab,
        Format::Github,
        Format::Junit,
    ] {
        let out = render(format, &large);
        assert!(out.contains("finding 0"), "{format:?}");
        assert!(out.contains("finding 9999"), "{format:?}");
        assert!(!out.contains("ghp_0000"), "{format:?} leaks a secret");
    }
}

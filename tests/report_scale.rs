//! Rendering 10,000 findings stays fast in every format: no per-finding scan of the file or of
//! the other findings. Checked by scaling (4x the findings must cost well under 16x the time,
//! which quadratic work would take), since absolute times vary on a shared debug build.

use plimsoll::finding::{FileReport, Finding, Severity};
use plimsoll::report::{self, Context, Format};
use plimsoll::source::{FileKind, SourceFile, Span};
use std::time::{Duration, Instant};

fn reports(n: usize) -> Vec<FileReport> {
    let mut text = String::new();
    let mut findings = Vec::with_capacity(n);
    for i in 0..n {
        let start = text.len();
        text.push_str(&format!("RUN echo {i} token=ghp_{i:036}\n"));
        let secret_at = start + text[start..].find("ghp_").unwrap_or(0);
        findings.push(
            Finding::new(
                "PL101",
                "latest-tag",
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

fn time(format: Format, reports: &[FileReport]) -> (Duration, String) {
    let lookup = |_: &str| None;
    let ctx = Context::new(&lookup);
    let t = Instant::now();
    let mut out = Vec::new();
    report::render(format, reports, &ctx, &mut out).expect("render");
    let took = t.elapsed();
    (took, String::from_utf8(out).expect("utf-8"))
}

#[test]
fn ten_thousand_findings_render_in_linear_time() {
    let small = reports(2_500);
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
        // The best of three, to damp noise from other processes on the machine.
        let t_small = (0..3)
            .map(|_| time(format, &small).0)
            .min()
            .unwrap_or_default();
        let (t_large, out) = time(format, &large);
        assert!(out.contains("finding 9999"), "{format:?}");
        assert!(!out.contains("ghp_0000"), "{format:?} leaks a secret");
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-6);
        eprintln!("{format:?}: {t_large:?} for 10000 findings ({ratio:.1}x the time of 2500)");
        assert!(
            ratio < 12.0,
            "{format:?} scales worse than linearly: {ratio:.1}x"
        );
    }
}

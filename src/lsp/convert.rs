//! Findings to LSP data. Byte spans become UTF-16 positions here and nowhere else.

use super::backend;
use crate::finding::{Edit, FileReport, Finding, Severity, redact};
use crate::source::{SourceFile, Span};
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, TextEdit, Uri,
};

pub const SOURCE: &str = "plimsoll";

pub fn position(file: &SourceFile, offset: usize) -> Position {
    let offset = offset.min(file.text.len());
    let index = &file.line_index;
    Position::new(
        index.line_of(offset) as u32,
        index.utf16_column(offset, &file.text),
    )
}

pub fn range(file: &SourceFile, span: Span) -> Range {
    Range::new(
        position(file, span.start as usize),
        position(file, span.end as usize),
    )
}

/// Byte offset of an LSP position in `file`.
pub fn offset(file: &SourceFile, pos: Position) -> usize {
    file.line_index
        .offset_of_utf16(pos.line as usize, pos.character, &file.text)
}

pub fn text_edit(file: &SourceFile, edit: &Edit) -> TextEdit {
    TextEdit::new(range(file, edit.span), edit.replacement.clone())
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Style => DiagnosticSeverity::HINT,
    }
}

/// A rule's message with any whole copy of a secret masked: the finding's own, and those the
/// secret scanner found anywhere in the file whatever rules ran ([`SourceFile::secrets`]).
/// Rules already redact; this keeps the editor safe from a rule that quotes a line holding
/// another finding's secret.
pub fn safe_text(file: &SourceFile, finding: &Finding, text: &str) -> String {
    let mut out = text.to_string();
    for span in finding.secret.iter().chain(file.secrets.iter()) {
        let secret = file.slice(*span);
        if secret.chars().count() > 4 && out.contains(secret) {
            out = out.replace(secret, &redact(secret));
        }
    }
    out
}

/// A place in another file (a compose service's Dockerfile, the compose file that builds a
/// Dockerfile) as an editor location. Its text is not at hand, so the column is taken as UTF-16
/// units, exact for the ASCII most such lines hold; a path that cannot be a URI stays in the
/// finding's file.
fn location_elsewhere(at: &crate::finding::FileLocation) -> Option<Location> {
    let path = std::path::absolute(&at.path).ok()?;
    let uri = crate::lsp::document::path_to_uri(&path)?;
    let pos = lsp_types::Position::new(at.line.saturating_sub(1), at.column.saturating_sub(1));
    Some(Location::new(uri, lsp_types::Range::new(pos, pos)))
}

pub fn diagnostic(file: &SourceFile, uri: &Uri, finding: &Finding) -> Diagnostic {
    let href = backend::rule_doc_url(finding.name).parse().ok();
    let related: Vec<_> = finding
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: r
                .elsewhere
                .as_deref()
                .and_then(location_elsewhere)
                .unwrap_or_else(|| Location::new(uri.clone(), range(file, r.span))),
            message: safe_text(file, finding, &r.label),
        })
        .collect();
    Diagnostic {
        range: range(file, finding.span),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.code.to_string())),
        code_description: href.map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: format!(
            "{} ({})",
            safe_text(file, finding, &finding.message),
            finding.name
        ),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// The most diagnostics sent for one document. A huge generated file can have hundreds of
/// thousands of findings; sending them all makes a message of hundreds of megabytes that the
/// editor then has to swallow, and helps no one.
pub const MAX_DIAGNOSTICS: usize = 1000;

/// The report's findings as diagnostics: at most [`MAX_DIAGNOSTICS`] (the most severe first,
/// then in file order), with one more, at the top of the file, saying how many were left out.
pub fn diagnostics(report: &FileReport, uri: &Uri) -> Vec<Diagnostic> {
    let findings = &report.findings;
    if findings.len() <= MAX_DIAGNOSTICS {
        return findings
            .iter()
            .map(|f| diagnostic(&report.file, uri, f))
            .collect();
    }
    let keep = MAX_DIAGNOSTICS - 1;
    let mut order: Vec<usize> = (0..findings.len()).collect();
    // Stable: among equally severe findings, file order.
    order.sort_by_key(|&i| std::cmp::Reverse(findings[i].severity));
    order.truncate(keep);
    order.sort_unstable();
    let mut out: Vec<Diagnostic> = order
        .iter()
        .map(|&i| diagnostic(&report.file, uri, &findings[i]))
        .collect();
    let left_out = findings.len() - keep;
    out.insert(
        0,
        Diagnostic {
            range: Range::new(Position::new(0, 0), Position::new(0, 0)),
            severity: Some(DiagnosticSeverity::INFORMATION),
            code: None,
            code_description: None,
            source: Some(SOURCE.to_string()),
            message: format!(
                "{left_out} more findings in this file are not shown (an editor is sent at most \
                 {MAX_DIAGNOSTICS}, the most severe first); `plimsoll check` lists them all"
            ),
            related_information: None,
            tags: None,
            data: None,
        },
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleId;
    use crate::source::FileKind;

    #[test]
    fn diagnostics_carry_utf16_ranges_code_link_related_and_masked_secrets() {
        let text = "FROM a\nENV K=😀 TOKEN=ghp_abcdefghijklmnopqrstuv\n";
        let file = SourceFile::new("/w/Dockerfile", text, FileKind::Dockerfile);
        let start = text.find("ghp_").unwrap();
        let secret = Span::new(start, start + "ghp_abcdefghijklmnopqrstuv".len());
        let finding = Finding::new(
            RuleId::SecretInVariable.code(),
            "secret-token",
            Severity::Error,
            secret,
            "token ghp_abcdefghijklmnopqrstuv in ENV",
        )
        .with_secret(secret)
        .with_related(Span::new(0, 6), "base image here");
        let uri: Uri = "file:///w/Dockerfile".parse().unwrap();
        let d = diagnostic(&file, &uri, &finding);
        // "ENV K=😀 TOKEN=": the emoji counts two UTF-16 units.
        assert_eq!(d.range.start, Position::new(1, 15));
        assert_eq!(d.range.end, Position::new(1, 15 + 26));
        assert_eq!(
            d.code,
            Some(NumberOrString::String(
                RuleId::SecretInVariable.code().into()
            ))
        );
        assert_eq!(d.severity, Some(DiagnosticSeverity::ERROR));
        assert_eq!(d.source.as_deref(), Some("plimsoll"));
        assert!(d.message.contains("ghp_…"), "{}", d.message);
        assert!(!d.message.contains("ghp_abcdefghijklmnopqrstuv"));
        let href = d.code_description.unwrap().href;
        assert!(
            href.as_str().ends_with("/secret-token.md"),
            "{}",
            href.as_str()
        );
        let rel = d.related_information.unwrap();
        assert_eq!(
            rel[0].location.range,
            Range::new(Position::new(0, 0), Position::new(0, 6))
        );
        assert_eq!(rel[0].message, "base image here");
    }

    #[test]
    fn diagnostics_are_capped_with_a_summary() {
        let text = "FROM a\n".repeat(3000);
        let file = SourceFile::new("/w/Dockerfile", text.as_str(), FileKind::Dockerfile);
        let findings = (0..3000)
            .map(|i| {
                let sev = if i == 2500 {
                    Severity::Error
                } else {
                    Severity::Info
                };
                Finding::new(
                    RuleId::LatestTag.code(),
                    RuleId::LatestTag.name(),
                    sev,
                    Span::new(i * 7, i * 7 + 4),
                    "m",
                )
            })
            .collect();
        let report = FileReport { file, findings };
        let uri: Uri = "file:///w/Dockerfile".parse().unwrap();
        let d = diagnostics(&report, &uri);
        assert_eq!(d.len(), MAX_DIAGNOSTICS);
        assert!(
            d[0].message.starts_with("2001 more findings"),
            "{}",
            d[0].message
        );
        // The error is kept though it is late in the file.
        assert!(d.iter().any(|x| x.range.start.line == 2500));
        assert!(
            d[1..]
                .windows(2)
                .all(|w| w[0].range.start <= w[1].range.start)
        );
    }

    #[test]
    fn positions_round_trip_and_clamp() {
        let file = SourceFile::new("c.yaml", "a: 1\r\nb: 한\n", FileKind::Compose);
        let p = position(&file, file.text.len() + 10);
        assert_eq!(p, Position::new(2, 0));
        let han = file.text.find('한').unwrap();
        assert_eq!(offset(&file, position(&file, han)), han);
        assert_eq!(position(&file, han + 3), Position::new(1, 4));
    }
}

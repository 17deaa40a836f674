//! Findings: what rules produce and every output format, the fixer and the language server consume.
//!
//! The contract (see `ARCHITECTURE.md`): file, code, name, severity, message, span (byte range plus
//! line/column computed through the file's line index), related labelled spans, and an optional fix
//! made of byte-range edits with an applicability.

use crate::source::{LineCol, SourceFile, Span};
use serde::Serialize;
use std::fmt;

/// Severity of a finding. Ordered so that `Style < Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Style,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Style => "style",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "information" => Some(Severity::Info),
            "style" | "hint" => Some(Severity::Style),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    /// Honours width and alignment (`{:<8}`), so severities line up in tables; without a
    /// width (every report line) it is a plain write, which `pad` would slow down.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_some() {
            f.pad(self.as_str())
        } else {
            f.write_str(self.as_str())
        }
    }
}

/// Whether a fix may be applied without asking (`--fix`) or only with `--unsafe-fixes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A fix's edits are the source's own byte-range edits.
pub use crate::source::Edit;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    pub description: String,
    pub applicability: Applicability,
    /// Non-overlapping edits, sorted by start offset.
    pub edits: Vec<Edit>,
}

/// A secondary location with a label, e.g. the anchor a compose value came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Related {
    pub span: Span,
    pub label: String,
    /// The place in another file the label is about (the Dockerfile stage a compose service
    /// builds, the compose service a Dockerfile is linted for), when there is one. `span` still
    /// points into the finding's own file, so every output can show it; the language server
    /// sends the editor here instead.
    pub elsewhere: Option<Box<FileLocation>>,
}

/// A position in another file: 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileLocation {
    pub path: std::path::PathBuf,
    pub line: u32,
    pub column: u32,
}

impl Related {
    pub fn new(span: Span, label: impl Into<String>) -> Related {
        Related {
            span,
            label: label.into(),
            elsewhere: None,
        }
    }

    /// A related note about `line:column` of the file at `path`, shown at `span` here.
    pub fn elsewhere(
        span: Span,
        label: impl Into<String>,
        path: impl Into<std::path::PathBuf>,
        line: u32,
        column: u32,
    ) -> Related {
        Related {
            elsewhere: Some(Box::new(FileLocation {
                path: path.into(),
                line,
                column,
            })),
            ..Related::new(span, label)
        }
    }
}

/// One problem in one file, as a rule reports it. The file it belongs to is known from context
/// (see [`FileReport`]); line and column are computed only when reporting ([`Finding::location`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    /// Stable rule code, e.g. `PL101`.
    pub code: &'static str,
    /// Kebab-case rule name, e.g. `latest-tag`.
    pub name: &'static str,
    pub severity: Severity,
    /// Human message. Never contains a whole secret: use [`redact`].
    pub message: String,
    pub span: Span,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
    /// Bytes of the source that hold a secret. Anything that prints source text (snippets, LSP
    /// hovers, SARIF regions' snippets) must mask these bytes with [`redact`].
    pub secret: Option<Span>,
}

impl Finding {
    pub fn new(
        code: &'static str,
        name: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code,
            name,
            severity,
            message: message.into(),
            span,
            related: Vec::new(),
            fix: None,
            secret: None,
        }
    }

    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Finding {
        self.related.push(Related::new(span, label));
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Finding {
        self.fix = Some(fix);
        self
    }

    pub fn with_secret(mut self, span: Span) -> Finding {
        self.secret = Some(span);
        self
    }

    /// Start and end positions of the finding's span in `file`.
    pub fn location(&self, file: &SourceFile) -> Location {
        Location::of(self.span, file)
    }
}

/// A span resolved to lines and columns (1-based, columns in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    pub start_byte: u32,
    pub end_byte: u32,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Location {
    pub fn of(span: Span, file: &SourceFile) -> Location {
        let LineCol { line, column } = file.line_col(span.start as usize);
        let end = file.line_col(span.end as usize);
        Location {
            start_byte: span.start,
            end_byte: span.end,
            line,
            column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

/// All findings for one file, sorted by (line, column, code): the unit the engine hands to
/// reporters, the fixer and the language server.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub file: SourceFile,
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// Sorts findings by position, then code, so output is identical whatever the thread count.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (a.span.start, a.code, a.span.end, &a.message).cmp(&(
                b.span.start,
                b.code,
                b.span.end,
                &b.message,
            ))
        });
    }
}

/// Shows the first four characters of a secret followed by `…`; shorter values show as `…` alone
/// so that no output ever contains a whole secret.
pub fn redact(secret: &str) -> String {
    let shown: String = secret.chars().take(4).collect();
    if shown.chars().count() == secret.chars().count() {
        "…".to_string()
    } else {
        format!("{shown}…")
    }
}

/// `text` with every byte range in `secrets` (offsets relative to `text_start` in the file)
/// replaced by its redaction. For reporters that print source lines.
pub fn mask_secrets(text: &str, text_start: usize, secrets: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut spans: Vec<Span> = secrets.to_vec();
    spans.sort();
    for s in spans {
        let start = (s.start as usize)
            .saturating_sub(text_start)
            .min(text.len());
        let end = (s.end as usize).saturating_sub(text_start).min(text.len());
        // A secret outside this text (or already masked) leaves it alone.
        if start >= end
            || end <= pos
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        let start = start.max(pos);
        out.push_str(&text[pos..start]);
        out.push_str(&redact(&text[start..end]));
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// `text` with every occurrence of each secret value replaced by its redaction, for output that
/// quotes source text without spans into it (unified diffs). Longer values go first, so a secret
/// that contains another is masked whole.
pub fn redact_values(text: &str, secrets: &[&str]) -> String {
    let mut values: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    values.sort_by_key(|s| std::cmp::Reverse(s.len()));
    values.dedup();
    let mut out = text.to_string();
    for v in values {
        if out.contains(v) {
            out = out.replace(v, &redact(v));
        }
    }
    out
}

/// The secret values a file's findings mark (the source text of each `Finding::secret`).
pub fn secret_values(report: &FileReport) -> Vec<&str> {
    report
        .findings
        .iter()
        .filter_map(|f| f.secret)
        .map(|span| report.file.slice(span))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_never_shows_a_whole_secret() {
        assert_eq!(redact("AKIAIOSFODNN7EXAMPLE"), "AKIA…");
        assert_eq!(redact("abcd"), "…");
        assert_eq!(redact(""), "…");
        assert_eq!(redact("한국어요리"), "한국어요…");
    }

    #[test]
    fn masks_secret_spans_in_a_line() {
        let line = "ENV TOKEN=ghp_abcdefghijklmnop rest";
        let start = line.find("ghp_").unwrap();
        let end = start + "ghp_abcdefghijklmnop".len();
        let masked = mask_secrets(line, 100, &[Span::new(100 + start, 100 + end)]);
        assert_eq!(masked, "ENV TOKEN=ghp_… rest");
        // Secrets before or after the window leave it unchanged.
        assert_eq!(mask_secrets("abc", 10, &[Span::new(0, 5)]), "abc");
        assert_eq!(mask_secrets("abc", 10, &[Span::new(20, 30)]), "abc");
    }

    #[test]
    fn redacts_secret_values_wherever_they_appear() {
        let diff = "-ENV T=ghp_abcdefgh\n+ENV T=ghp_abcdefgh && x\n";
        let out = redact_values(diff, &["ghp_abcdefgh", "", "ghp_abcdefgh"]);
        assert_eq!(out, "-ENV T=ghp_…\n+ENV T=ghp_… && x\n");
    }

    #[test]
    fn severity_pads_to_a_width() {
        assert_eq!(format!("[{:<8}]", Severity::Info), "[info    ]");
        assert_eq!(format!("[{}]", Severity::Warning), "[warning]");
    }

    #[test]
    fn severity_orders_from_style_to_error() {
        assert!(Severity::Style < Severity::Info);
        assert!(Severity::Warning < Severity::Error);
        assert_eq!(Severity::parse("WARN"), Some(Severity::Warning));
    }
}

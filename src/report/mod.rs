//! Output formats. Each renderer writes a slice of [`FileReport`]s to a `&mut dyn Write`.
//!
//! Rule metadata (summary, help URL, whether a rule is about security) reaches renderers through
//! [`RuleInfo`] looked up by code with a closure, so no renderer depends on the catalog's
//! internals. Line and column always come from the file's [`LineIndex`](crate::source::LineIndex)
//! (one binary search per position), so rendering stays linear in the number of findings.

use crate::finding::{FileReport, Finding, Location, Severity};
use crate::source::SourceFile;
use std::io::{self, Write};

pub mod checkstyle;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

/// What renderers need to know about a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub code: String,
    pub name: String,
    pub summary: String,
    pub help_uri: Option<String>,
    pub default_severity: Severity,
    /// Security rules get a `security-severity` in SARIF.
    pub security: bool,
}

/// Looks rule metadata up by code.
pub type RuleLookup<'a> = &'a (dyn Fn(&str) -> Option<RuleInfo> + Sync);

/// Output formats, named as on the command line (`--format`, through clap's `ValueEnum`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Checkstyle,
    Gitlab,
    Github,
    Junit,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "human" | "full" | "tty" => Format::Human,
            "concise" | "text" => Format::Concise,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "checkstyle" => Format::Checkstyle,
            "gitlab" | "gitlab_codeclimate" | "codeclimate" => Format::Gitlab,
            "github" | "github-actions" | "gnu" => Format::Github,
            "junit" => Format::Junit,
            _ => return None,
        })
    }
}

/// Options that apply across formats.
pub struct Context<'a> {
    pub rules: RuleLookup<'a>,
    /// ANSI colour in the human format.
    pub color: bool,
}

impl<'a> Context<'a> {
    pub fn new(rules: RuleLookup<'a>) -> Context<'a> {
        Context {
            rules,
            color: false,
        }
    }
}

/// Renders `reports` in `format` to `out`.
pub fn render(
    format: Format,
    reports: &[FileReport],
    ctx: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(reports, ctx, out),
        Format::Concise => concise::render(reports, out),
        Format::Json => json::render(reports, out),
        Format::Sarif => sarif::render(reports, ctx, out),
        Format::Checkstyle => checkstyle::render(reports, out),
        Format::Gitlab => gitlab::render(reports, out),
        Format::Github => github::render(reports, out),
        Format::Junit => junit::render(reports, out),
    }
}

/// Whether the human format should use colour on standard output: a terminal, and `NO_COLOR`
/// unset or empty (<https://no-color.org>).
pub fn stdout_wants_color() -> bool {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && io::stdout().is_terminal()
}

/// `text` (which starts at byte `start` of its file) with the secrets that overlap it masked.
/// Secrets that do not overlap are left out: `mask_secrets` would print a lone `…` for them.
pub(crate) fn mask(text: &str, start: usize, secrets: &[crate::source::Span]) -> String {
    let end = start + text.len();
    let overlapping: Vec<_> = secrets
        .iter()
        .filter(|s| (s.start as usize) < end && (s.end as usize) > start)
        .copied()
        .collect();
    if overlapping.is_empty() {
        return text.to_string();
    }
    crate::finding::mask_secrets(text, start, &overlapping)
}

/// A file's secret spans, sorted, to find those overlapping a range in O(log n).
pub(crate) struct Secrets(Vec<crate::source::Span>);

impl Secrets {
    pub(crate) fn of(report: &FileReport) -> Secrets {
        let mut v: Vec<_> = report.findings.iter().filter_map(|f| f.secret).collect();
        v.sort();
        v.dedup();
        Secrets(v)
    }

    /// Secrets overlapping `range` (sorted by start; a secret never contains another in
    /// practice, so ends are ordered too and the scan stops early).
    pub(crate) fn within(&self, range: std::ops::Range<usize>) -> Vec<crate::source::Span> {
        let first = self.0.partition_point(|s| (s.end as usize) <= range.start);
        self.0[first..]
            .iter()
            .take_while(|s| (s.start as usize) < range.end)
            .copied()
            .collect()
    }

    /// `text` starting at byte `start` of the file, secrets masked.
    pub(crate) fn mask(&self, text: &str, start: usize) -> String {
        mask(text, start, &self.within(start..start + text.len()))
    }
}

/// The path as reports print it: forward slashes on every platform.
pub(crate) fn display_path(file: &SourceFile) -> String {
    let s = file.path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// Every finding with its resolved location, in report order.
pub(crate) fn located(
    reports: &[FileReport],
) -> impl Iterator<Item = (&FileReport, &Finding, Location)> {
    reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r, f, f.location(&r.file))))
}

/// A stable fingerprint of a finding that survives line shifts: the rule code, the file, the
/// flagged text and the trimmed text of the finding's first line, secrets masked, hashed.
/// `occurrence` distinguishes identical findings in one file.
pub fn fingerprint(file: &SourceFile, finding: &Finding, occurrence: usize) -> String {
    stable_hash(&[
        finding.code.as_bytes(),
        display_path(file).as_bytes(),
        context_text(file, finding).as_bytes(),
        occurrence.to_string().as_bytes(),
    ])
}

/// A 128-bit FNV-1a hash of the parts (each followed by a 0 byte) as 32 hex digits. Fixed by
/// its definition, so fingerprints and baselines stay valid across versions and platforms;
/// cheap enough to hash every finding of a large report.
pub fn stable_hash(parts: &[&[u8]]) -> String {
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for part in parts {
        for &b in part.iter().chain(&[0u8]) {
            h ^= u128::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    format!("{h:032x}")
}

/// The text a finding is about, for fingerprints and baselines: flagged bytes plus the trimmed
/// line they start on, whitespace-normalised, with secrets masked.
pub fn context_text(file: &SourceFile, finding: &Finding) -> String {
    let text = &file.text;
    let idx = &file.line_index;
    let line = idx.line_of(finding.span.start as usize);
    let secrets: Vec<_> = finding.secret.into_iter().collect();
    let flagged = mask(
        finding.span.text(text),
        finding.span.start as usize,
        &secrets,
    );
    let line_text = idx
        .line_range(line, text)
        .map(|r| {
            let start = r.start;
            mask(text.get(r).unwrap_or(""), start, &secrets)
        })
        .unwrap_or_default();
    // Whitespace-insensitive, so re-indenting does not make a finding new.
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}\u{1f}{}", norm(&flagged), norm(&line_text))
}

/// Numbers identical findings (same code, same context) within a file 0, 1, 2… in order, so
/// that fingerprints are unique and stable.
pub fn occurrences(report: &FileReport) -> Vec<usize> {
    let mut seen: std::collections::HashMap<(&str, String), usize> = Default::default();
    report
        .findings
        .iter()
        .map(|f| {
            let n = seen
                .entry((f.code, context_text(&report.file, f)))
                .or_insert(0);
            let k = *n;
            *n += 1;
            k
        })
        .collect()
}

/// Counts findings per severity.
pub fn severity_counts(reports: &[FileReport]) -> [usize; 4] {
    let mut counts = [0; 4];
    for f in reports.iter().flat_map(|r| &r.findings) {
        counts[f.severity as usize] += 1;
    }
    counts
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot hold.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod testdata;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_handles_specials_and_controls() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}c"), "a&lt;b&gt;&amp;&quot;&apos;c");
    }

    #[test]
    fn fingerprint_survives_line_shift() {
        use crate::source::{FileKind, Span};
        let a = SourceFile::new("Dockerfile", "FROM x:latest\n", FileKind::Dockerfile);
        let b = SourceFile::new("Dockerfile", "# c\n\nFROM x:latest\n", FileKind::Dockerfile);
        let fa = Finding::new(
            "PL101",
            "latest-tag",
            Severity::Warning,
            Span::new(5, 13),
            "m",
        );
        let fb = Finding::new(
            "PL101",
            "latest-tag",
            Severity::Warning,
            Span::new(10, 18),
            "m",
        );
        assert_eq!(fingerprint(&a, &fa, 0), fingerprint(&b, &fb, 0));
        assert_ne!(fingerprint(&a, &fa, 0), fingerprint(&a, &fa, 1));
    }
}

//! Linting one decoded source: the library's "lint a file" entry point, shared by `plimsoll check`
//! and the language server so both report the same findings.
//!
//! Rules ([`engine::lint_source_with_statements`]), then the findings the pipeline itself makes
//! (invalid UTF-8, unused suppressions: engine rules of the catalog), inline suppressions, the
//! select/ignore/severity settings for those pipeline findings, and last the folding of a
//! finding into a more specific one on the same token ([`engine::fold_covered`]).

use crate::finding::{FileReport, Finding, Severity};
use crate::rules::settings::LintSettings;
use crate::rules::{RuleId, catalog, engine};
use crate::source::{SourceFile, Span};
use crate::suppress::Suppressions;

/// Code and name of the finding for a file that is not valid UTF-8.
pub const INVALID_UTF8_CODE: &str = RuleId::InvalidUtf8.code();
pub const INVALID_UTF8_NAME: &str = RuleId::InvalidUtf8.name();

/// What [`lint_file`] adds to the rules' findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// Report suppression comments that suppress nothing.
    pub report_unused_suppressions: bool,
    /// The byte offset of the first invalid UTF-8 sequence (in the lossy decoding), if any.
    pub invalid_utf8_at: Option<usize>,
}

/// A lint result: the findings (suppressions applied) and the file's statement line ranges
/// (1-based, inclusive) for placing ignore comments.
#[derive(Clone, Debug)]
pub struct Linted {
    pub report: FileReport,
    pub statements: Vec<(u32, u32)>,
}

/// Lints one decoded file: rules, the invalid-UTF-8 finding, suppressions, local settings.
pub fn lint_file(file: &SourceFile, settings: &LintSettings, opts: LintOptions) -> Linted {
    let (mut report, statements) = engine::lint_source_with_statements(file, settings);
    let mut pipeline = Vec::new();
    if let Some(at) = opts.invalid_utf8_at {
        let end = file
            .text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(at, |c| at + c.len_utf8());
        pipeline.push(Finding::new(
            INVALID_UTF8_CODE,
            INVALID_UTF8_NAME,
            Severity::Error,
            Span::new(at, end),
            format!(
                "invalid UTF-8 at byte {at}; invalid bytes were read as U+FFFD and the rest was linted"
            ),
        ));
    }
    engine::settle(&mut pipeline, settings);
    report.findings.extend(pipeline);
    let mut sup = Suppressions::parse(file, &statements.ranges, &resolve_codes);
    if !sup.is_empty() {
        report.findings = sup.filter(file, std::mem::take(&mut report.findings));
    }
    if opts.report_unused_suppressions {
        let mut unused = sup.unused();
        engine::settle(&mut unused, settings);
        report.findings.extend(unused);
    }
    engine::fold_covered(&mut report.findings);
    report.sort();
    Linted {
        report,
        statements: statements.ranges,
    }
}

/// Selector → rule codes, for suppression comments.
fn resolve_codes(selector: &str) -> Vec<&'static str> {
    catalog::resolve(selector)
        .into_iter()
        .map(|m| m.code)
        .collect()
}

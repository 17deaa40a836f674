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
    report.file.secrets = secret_spans(file, settings, &report).into();
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

/// The spans of `file` that hold a secret, whatever rules `settings` select: every output
/// quoting the file masks them. When every secret rule ran they are the ones its findings
/// mark (suppressed findings included: a suppressed secret is still a secret); otherwise, and
/// only when something is to be shown, the secret rules run again on their own to find them.
fn secret_spans(file: &SourceFile, settings: &LintSettings, report: &FileReport) -> Vec<Span> {
    let mut spans: Vec<Span> = report.findings.iter().filter_map(|f| f.secret).collect();
    if report.findings.is_empty() || all_secret_rules_enabled(settings) {
        return spans;
    }
    let secrets_only = LintSettings {
        select: vec![SECRET_FAMILY.to_string()],
        extend_select: Vec::new(),
        ignore: Vec::new(),
        severity: Default::default(),
        preview: settings.preview,
        options: settings.options.clone(),
        compose_env: settings.compose_env.clone(),
    };
    let (scanned, _) = engine::lint_source_with_statements(file, &secrets_only);
    spans.extend(scanned.findings.iter().filter_map(|f| f.secret));
    spans.sort();
    spans.dedup();
    spans
}

/// The rule family whose findings mark secrets.
const SECRET_FAMILY: &str = "secret";

/// Whether `settings` enable every rule of the secret family (as the defaults do), remembered
/// for the selection of the previous file on this thread: a run lints most files with the
/// same.
fn all_secret_rules_enabled(settings: &LintSettings) -> bool {
    type Selection = (Vec<String>, Vec<String>, Vec<String>);
    thread_local! {
        static LAST: std::cell::RefCell<Option<(Selection, bool)>> =
            const { std::cell::RefCell::new(None) };
    }
    let secret_rules = || catalog::resolve(SECRET_FAMILY);
    if settings.select.is_empty() && settings.ignore.is_empty() {
        // The default set, plus extensions: every secret rule is on by default.
        static ALL_DEFAULT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        if *ALL_DEFAULT.get_or_init(|| secret_rules().iter().all(|m| m.default_enabled)) {
            return true;
        }
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some(((select, extend, ignore), all)) = last.as_ref()
            && *select == settings.select
            && *extend == settings.extend_select
            && *ignore == settings.ignore
        {
            return *all;
        }
        let enabled: std::collections::HashSet<&str> = engine::enabled_rules(settings)
            .iter()
            .map(|(m, _)| m.code)
            .collect();
        let all = secret_rules().iter().all(|m| enabled.contains(m.code));
        let selection = (
            settings.select.clone(),
            settings.extend_select.clone(),
            settings.ignore.clone(),
        );
        *last = Some((selection, all));
        all
    })
}

/// Selector → rule codes, for suppression comments.
fn resolve_codes(selector: &str) -> Vec<&'static str> {
    catalog::resolve(selector)
        .into_iter()
        .map(|m| m.code)
        .collect()
}

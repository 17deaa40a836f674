//! The engine: parse each file once, build its model once, run every enabled rule on the shared
//! tree, and collect sorted findings. Files run in parallel with rayon; the result is sorted by
//! file, and each file's findings by position and code, so output never depends on the thread
//! count. A rule that panics becomes an `internal-error` finding for that file only.

use super::catalog::{self, RuleMeta};
use super::context::Context;
use super::settings::LintSettings;
use crate::finding::{FileReport, Finding, Severity};
use crate::model::compose::{ComposeFile, DiagnosticKind, Env as ComposeEnv};
use crate::model::dockerfile::Dockerfile as DockerfileModel;
use crate::source::{FileKind, SourceFile, Span};
use crate::syntax::compose::yaml::NodeKind;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Code of the finding a panicking rule or parser turns into.
pub const INTERNAL_ERROR: &str = "PL009";
/// A file refused because it exceeds a safety limit (alias budget, nesting depth). Always
/// reported, and `check` exits 2 on it: the file was not checked.
pub const INPUT_LIMIT: &str = "PL008";

/// File kinds as a small set, for rule metadata queries.
pub type FileKindSet = Vec<FileKind>;

/// Everything parsed from one file, shared read-only by every rule.
#[derive(Default)]
pub struct Parsed {
    /// The Dockerfile syntax tree.
    pub(crate) tree: Option<crate::syntax::dockerfile::Dockerfile>,
    /// The Dockerfile model (stages, scopes, image uses).
    pub(crate) dockerfile: Option<DockerfileModel>,
    /// The compose model (YAML tree, services, diagnostics).
    pub(crate) compose: Option<ComposeFile>,
    /// Parse errors and compose diagnostics, already turned into PL0xx findings.
    pub(crate) diagnostics: Vec<Finding>,
    /// Byte ranges of the file's statements (Dockerfile instructions, compose keys).
    pub(crate) statements: Vec<Span>,
}

/// Parses a file and builds its model.
pub(crate) fn parse(file: &SourceFile, env: &ComposeEnv) -> Parsed {
    match file.kind {
        FileKind::Compose => parse_compose(file, env),
        FileKind::Dockerfile => parse_dockerfile(file),
    }
}

fn parse_dockerfile(file: &SourceFile) -> Parsed {
    let tree = crate::syntax::dockerfile::parse(&file.text);
    let diagnostics = tree
        .errors
        .iter()
        .filter_map(|e| engine_finding("PL001", e.span, &e.message))
        .collect();
    let statements = tree.instructions.iter().map(|i| i.span).collect();
    let model = crate::model::dockerfile::from_tree(&tree, &file.text);
    Parsed {
        tree: Some(tree),
        dockerfile: Some(model),
        compose: None,
        diagnostics,
        statements,
    }
}

fn parse_compose(file: &SourceFile, env: &ComposeEnv) -> Parsed {
    let compose = crate::model::compose::load(&file.text, &file.path, env);
    let mut diagnostics = Vec::new();
    for d in &compose.diagnostics {
        let code = match d.kind {
            DiagnosticKind::Syntax => "PL002",
            DiagnosticKind::AliasBudget | DiagnosticKind::Depth => INPUT_LIMIT,
            DiagnosticKind::Schema => "PL003",
            DiagnosticKind::DuplicateKey => "PL004",
            DiagnosticKind::Interpolation => "PL005",
            DiagnosticKind::UnsetVariable => "PL006",
            DiagnosticKind::Extends => "PL007",
        };
        if let Some(f) = engine_finding(code, d.span, &d.message) {
            let f = d
                .related
                .iter()
                .fold(f, |f, (span, label)| f.with_related(*span, label.clone()));
            diagnostics.push(f);
        }
    }
    let mut statements = Vec::new();
    for node in &compose.yaml.nodes {
        if let NodeKind::Mapping(pairs) = &node.kind {
            for pair in compose.yaml.pairs(*pairs) {
                let key = compose.yaml.node(pair.key).map(|n| n.span);
                let value = compose.yaml.node(pair.value).map(|n| n.span);
                if let (Some(k), Some(v)) = (key, value) {
                    statements.push(k.cover(v));
                }
            }
        }
    }
    Parsed {
        tree: None,
        dockerfile: None,
        compose: Some(compose),
        diagnostics,
        statements,
    }
}

/// A finding for one of the engine's own rules (PL0xx), at the rule's default severity.
pub(crate) fn engine_finding(code: &str, span: Span, message: &str) -> Option<Finding> {
    let meta = catalog::by_code(code)?;
    Some(Finding::new(
        &meta.code,
        &meta.name,
        meta.severity,
        span,
        message,
    ))
}

/// Line ranges (1-based, inclusive) of a file's statements: each Dockerfile instruction (with
/// its continuation lines and heredoc bodies) and each compose mapping entry. A suppression
/// comment just before a statement covers the statement's every line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatementRanges {
    /// Sorted by start line; compose entries nest (a service contains its keys).
    pub ranges: Vec<(u32, u32)>,
}

impl StatementRanges {
    /// The innermost statement holding `line`.
    pub fn containing(&self, line: u32) -> Option<(u32, u32)> {
        self.ranges
            .iter()
            .filter(|(s, e)| *s <= line && line <= *e)
            .min_by_key(|(s, e)| e - s)
            .copied()
    }

    fn of(file: &SourceFile, spans: &[Span]) -> StatementRanges {
        let mut ranges: Vec<(u32, u32)> = spans
            .iter()
            .map(|s| {
                let start = file.line_col(s.start as usize).line;
                // A span ending just after a newline ends on the line before.
                let end_off = (s.end as usize).saturating_sub(1).max(s.start as usize);
                (start, file.line_col(end_off).line.max(start))
            })
            .collect();
        ranges.sort_unstable();
        ranges.dedup();
        StatementRanges { ranges }
    }
}

/// The statement line ranges of a file (parses it; prefer [`lint_source_with_statements`] when
/// also linting).
pub fn statement_ranges(file: &SourceFile) -> StatementRanges {
    // Statement ranges do not depend on variable values.
    let env = ComposeEnv::new();
    let parsed = catch_unwind(AssertUnwindSafe(|| parse(file, &env))).unwrap_or_default();
    StatementRanges::of(file, &parsed.statements)
}

/// The enabled rules and their effective severities for some settings, sorted by code.
pub fn enabled_rules(settings: &LintSettings) -> Vec<(&'static RuleMeta, Severity)> {
    let mut codes: BTreeSet<&'static str> = if settings.select.is_empty() {
        catalog::all()
            .iter()
            .filter(|r| r.default_enabled)
            .map(|r| r.code.as_str())
            .collect()
    } else {
        selected(&settings.select)
    };
    codes.extend(selected(&settings.extend_select));
    for code in selected(&settings.ignore) {
        codes.remove(code);
    }
    // Internal errors and refused inputs are always reported: hiding them would hide lost
    // findings.
    codes.insert(INTERNAL_ERROR);
    codes.insert(INPUT_LIMIT);

    // Broad selectors first so that narrower ones override them.
    let mut overrides: Vec<(Vec<&'static RuleMeta>, Severity)> = settings
        .severity
        .iter()
        .map(|(sel, sev)| (catalog::resolve(sel), *sev))
        .collect();
    overrides.sort_by_key(|(rules, _)| std::cmp::Reverse(rules.len()));

    codes
        .into_iter()
        .filter_map(catalog::by_code)
        .map(|meta| {
            let mut sev = meta.severity;
            for (rules, s) in &overrides {
                if rules.iter().any(|r| r.code == meta.code) {
                    sev = *s;
                }
            }
            (meta, sev)
        })
        .collect()
}

/// [`enabled_rules`] for the same settings as the previous file on this thread is reused: a run
/// usually lints every file with the same few settings.
fn enabled_rules_cached(settings: &LintSettings) -> Vec<(&'static RuleMeta, Severity)> {
    type Cached = Option<(LintSettings, Vec<(&'static RuleMeta, Severity)>)>;
    thread_local! {
        static LAST: std::cell::RefCell<Cached> = const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        match last.as_ref() {
            Some((s, enabled)) if s == settings => enabled.clone(),
            _ => {
                let enabled = enabled_rules(settings);
                *last = Some((settings.clone(), enabled.clone()));
                enabled
            }
        }
    })
}

fn selected(selectors: &[String]) -> BTreeSet<&'static str> {
    selectors
        .iter()
        .flat_map(|s| catalog::resolve(s))
        .map(|r| r.code.as_str())
        .collect()
}

/// A small Dockerfile and compose file that reach most rules (see [`warm_up`]). No `$` and no
/// `extends` in the compose file: loading it reads nothing from the disk.
const WARM_UP_SAMPLES: [(&str, &str, FileKind); 2] = [
    (
        "Dockerfile",
        "FROM debian:12 AS build\nRUN apt-get update\nRUN apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\nENV API_TOKEN=abc123\n\nFROM scratch\nCOPY --from=build /usr/bin/curl /curl\nUSER 1000\nCMD [\"/curl\"]\n",
        FileKind::Dockerfile,
    ),
    (
        "compose.yaml",
        "services:\n  web:\n    image: nginx:latest\n    user: root\n    environment:\n      DB_PASSWORD: hunter2\n    ports: [\"80:80\"]\n",
        FileKind::Compose,
    ),
];

/// Lints [`WARM_UP_SAMPLES`] with the default rules and drops the findings. What it leaves
/// behind is the point: the tables rules build on first use (rule catalog, secret automaton,
/// compose schema index) exist, and the code and data the first files need are in memory. A
/// new worker thread does this while the main thread reads configuration and finds the files;
/// otherwise the first file on each thread pays for it, one thread waiting for the other
/// (measured: 0.5 ms of a 5.3 ms run over the compose corpus on 2 threads).
pub fn warm_up() {
    let settings = LintSettings::default();
    for (name, text, kind) in WARM_UP_SAMPLES {
        lint_source(&SourceFile::new(name, text, kind), &settings);
    }
}

/// Lints one file: parse once, run each enabled rule that applies to the file's kind, and
/// return its findings sorted by position and code.
pub fn lint_source(file: &SourceFile, settings: &LintSettings) -> FileReport {
    lint_source_with_statements(file, settings).0
}

/// [`lint_source`], also returning the file's statement line ranges for suppressions.
pub fn lint_source_with_statements(
    file: &SourceFile,
    settings: &LintSettings,
) -> (FileReport, StatementRanges) {
    let enabled = enabled_rules_cached(settings);
    let mut findings = Vec::new();
    let parsed = match catch_unwind(AssertUnwindSafe(|| parse(file, &settings.compose_env))) {
        Ok(parsed) => parsed,
        Err(payload) => {
            findings.push(internal_error(file, "the parser", &*payload));
            let report = finish(file, findings, &enabled);
            return (report, StatementRanges::default());
        }
    };
    findings.extend(parsed.diagnostics.iter().cloned());
    for &(meta, severity) in &enabled {
        if !meta.applies_to(file.kind) {
            continue;
        }
        findings.extend(run_rule(meta.rule, meta, severity, file, settings, &parsed));
    }
    let statements = StatementRanges::of(file, &parsed.statements);
    (finish(file, findings, &enabled), statements)
}

/// Runs one rule on a parsed file; a panic becomes an internal-error finding.
fn run_rule(
    rule: &dyn super::Rule,
    meta: &'static RuleMeta,
    severity: Severity,
    file: &SourceFile,
    settings: &LintSettings,
    parsed: &Parsed,
) -> Vec<Finding> {
    let run = catch_unwind(AssertUnwindSafe(|| {
        let mut cx = Context::new(file, &settings.options, parsed, meta, severity);
        rule.check(&mut cx);
        cx.into_findings()
    }));
    match run {
        Ok(found) => found,
        Err(payload) => vec![internal_error(
            file,
            &format!("rule {}", meta.name),
            &*payload,
        )],
    }
}

/// Keeps the enabled rules' findings, applies severity overrides, sorts.
fn finish(
    file: &SourceFile,
    mut findings: Vec<Finding>,
    enabled: &[(&'static RuleMeta, Severity)],
) -> FileReport {
    findings.retain_mut(|f| match enabled.iter().find(|(m, _)| m.code == f.code) {
        Some((meta, sev)) => {
            // A rule's own severity choice stands unless the user overrode the default.
            if *sev != meta.severity {
                f.severity = *sev;
            }
            true
        }
        None => false,
    });
    let mut report = FileReport {
        file: file.clone(),
        findings,
    };
    report.sort();
    report
}

fn internal_error(file: &SourceFile, what: &str, payload: &(dyn std::any::Any + Send)) -> Finding {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    let (code, name) = catalog::by_code(INTERNAL_ERROR)
        .map(|m| (m.code.as_str(), m.name.as_str()))
        .unwrap_or((INTERNAL_ERROR, "internal-error"));
    let _ = file;
    Finding::new(
        code,
        name,
        Severity::Error,
        Span::empty(0),
        format!("internal error: {what} panicked on this file ({detail}); please report it"),
    )
}

/// Lints many files in parallel. `settings_for` gives each file its settings (configuration
/// can differ per directory). The result is sorted by path, identical for any thread count.
pub fn lint_files(
    files: Vec<SourceFile>,
    settings_for: impl Fn(&SourceFile) -> LintSettings + Sync,
) -> Vec<FileReport> {
    let mut reports: Vec<FileReport> = files
        .into_par_iter()
        .with_max_len(1)
        .map(|file| {
            let settings = settings_for(&file);
            lint_source(&file, &settings)
        })
        .collect();
    reports.sort_by(|a, b| a.file.path.cmp(&b.file.path));
    reports
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;

    struct Panics;

    impl Rule for Panics {
        fn doc(&self) -> &'static str {
            ""
        }

        fn check(&self, cx: &mut Context<'_>) {
            cx.report(Span::empty(0), "before the panic");
            let v: Vec<u8> = Vec::new();
            let _ = v[cx.text().len()];
        }
    }

    #[test]
    fn a_panicking_rule_becomes_an_internal_error() {
        let file = SourceFile::new("Dockerfile", "FROM alpine:3.20\n", FileKind::Dockerfile);
        let parsed = parse(&file, &ComposeEnv::new());
        let meta = catalog::by_code("PL101").unwrap();
        let settings = LintSettings::default();
        let found = run_rule(&Panics, meta, Severity::Warning, &file, &settings, &parsed);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, INTERNAL_ERROR);
        assert!(
            found[0].message.contains("rule latest-tag panicked"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn selection_ignore_and_severity_overrides() {
        let codes = |s: &LintSettings| -> Vec<&str> {
            enabled_rules(s)
                .iter()
                .map(|(m, _)| m.code.as_str())
                .collect()
        };
        let default = LintSettings::default();
        let d = codes(&default);
        assert!(d.contains(&"PL101") && !d.contains(&"PL006"));
        let s = LintSettings {
            select: vec!["latest-tag".into()],
            extend_select: vec!["DL3059".into()],
            ignore: vec!["PL3".into()],
            ..LintSettings::default()
        };
        assert_eq!(codes(&s), ["PL008", "PL009", "PL101"]);
        let mut s = LintSettings::default();
        s.severity.insert("PL1".into(), Severity::Error);
        s.severity.insert("unpinned-digest".into(), Severity::Style);
        let sev = |code: &str| {
            enabled_rules(&s)
                .into_iter()
                .find(|(m, _)| m.code == code)
                .map(|(_, v)| v)
        };
        assert_eq!(sev("PL101"), Some(Severity::Error));
        assert_eq!(
            sev("PL110"),
            Some(Severity::Style),
            "the narrower selector wins"
        );
    }

    #[test]
    fn statement_ranges_cover_continuations() {
        let text = "FROM alpine:3.20\nRUN a \\\n  && b\n\nUSER app\n";
        let file = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let r = statement_ranges(&file);
        assert_eq!(r.ranges, vec![(1, 1), (2, 3), (5, 5)]);
        assert_eq!(r.containing(3), Some((2, 3)));
        assert_eq!(r.containing(4), None);
    }

    /// The samples must parse cleanly and reach the rule families a real corpus reaches (image
    /// references, layers, users, secrets), or warming up would leave their first use cold.
    #[test]
    fn warm_up_samples_reach_the_main_rule_families() {
        let expected: [&[&str]; 2] = [
            &["PL110", "PL301", "PL302", "PL501"],
            &["PL101", "PL110", "PL201", "PL501"],
        ];
        for ((name, text, kind), want) in WARM_UP_SAMPLES.into_iter().zip(expected) {
            let report = lint_source(&SourceFile::new(name, text, kind), &LintSettings::default());
            let codes: BTreeSet<&str> = report.findings.iter().map(|f| f.code).collect();
            assert_eq!(codes, want.iter().copied().collect(), "{name}");
        }
        warm_up();
    }
}

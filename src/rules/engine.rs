//! The engine: parse each file once, build its model once, then walk it once, calling each
//! enabled rule for the instruction kinds and compose keys it subscribes to, and once per file
//! (and per compose service) where it asks for that. What several rules need is computed once,
//! lazily, by [`crate::analysis::Analysis`]. Files run in parallel with rayon; each file's
//! findings are sorted by position and code, so output never depends on the thread count. A rule
//! that panics becomes an `internal-error` finding for that file only, and is not called again
//! on it.

use super::catalog::{self, RuleId, RuleMeta};
use super::context::{ComposeKeyAt, Context, InstructionAt};
use super::settings::LintSettings;
use super::{ComposeKey, Lifecycle, Rule};
use crate::analysis::Analysis;
use crate::finding::{FileReport, Finding, Related, Severity};
use crate::model::compose::{ComposeFile, DiagnosticKind, Env as ComposeEnv};
use crate::model::dockerfile::Dockerfile as DockerfileModel;
use crate::source::{FileKind, SourceFile, Span};
use crate::syntax::compose::yaml::NodeKind;
use crate::syntax::dockerfile::InstructionKind;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Code of the finding a panicking rule or parser turns into.
pub const INTERNAL_ERROR: &str = RuleId::InternalError.code();
/// A file refused because it exceeds a safety limit (alias budget, nesting depth). Always
/// reported, and `check` exits 2 on it: the file was not checked.
pub const INPUT_LIMIT: &str = RuleId::InputLimit.code();

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
        .map(|e| engine_finding(RuleId::DockerfileSyntax, e.span, &e.message))
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
        let rule = match d.kind {
            DiagnosticKind::Syntax => RuleId::YamlSyntax,
            DiagnosticKind::AliasBudget | DiagnosticKind::Depth => RuleId::InputLimit,
            DiagnosticKind::Schema => RuleId::ComposeSchema,
            DiagnosticKind::DuplicateKey => RuleId::DuplicateKey,
            DiagnosticKind::Interpolation => RuleId::ComposeInterpolation,
            DiagnosticKind::UnsetVariable => RuleId::ComposeUnsetVariable,
            DiagnosticKind::Extends => RuleId::ComposeExtends,
        };
        let f = d.related.iter().fold(
            engine_finding(rule, d.span, &d.message),
            |f, (span, label)| f.with_related(*span, label.clone()),
        );
        diagnostics.push(f);
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

/// A finding of one of the engine's own rules, at the rule's default severity.
pub(crate) fn engine_finding(rule: RuleId, span: Span, message: &str) -> Finding {
    let meta = rule.meta();
    Finding::new(meta.code, meta.name, meta.severity, span, message)
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
///
/// Without `select`, the rules on by default; `extend-select` adds, `ignore` removes. Preview
/// rules run only in preview mode, removed rules never. The engine's internal-error and
/// input-limit are always on: hiding them would hide lost findings.
pub fn enabled_rules(settings: &LintSettings) -> Vec<(&'static RuleMeta, Severity)> {
    let mut ids: BTreeSet<RuleId> = if settings.select.is_empty() {
        catalog::all()
            .iter()
            .filter(|r| r.default_enabled)
            .map(|r| r.id)
            .collect()
    } else {
        selected(&settings.select)
    };
    ids.extend(selected(&settings.extend_select));
    for id in selected(&settings.ignore) {
        ids.remove(&id);
    }
    ids.retain(|id| runs_in(id.meta().lifecycle, settings.preview));
    ids.insert(RuleId::InternalError);
    ids.insert(RuleId::InputLimit);

    // Broad selectors first so that narrower ones override them.
    let mut overrides: Vec<(Vec<&'static RuleMeta>, Severity)> = settings
        .severity
        .iter()
        .map(|(sel, sev)| (catalog::resolve(sel), *sev))
        .collect();
    overrides.sort_by_key(|(rules, _)| std::cmp::Reverse(rules.len()));

    ids.into_iter()
        .map(|id| {
            let meta = id.meta();
            let mut sev = meta.severity;
            for (rules, s) in &overrides {
                if rules.iter().any(|r| r.id == id) {
                    sev = *s;
                }
            }
            (meta, sev)
        })
        .collect()
}

/// Whether a selected rule at this point of its life runs: preview rules only in preview mode,
/// removed rules never.
fn runs_in(lifecycle: Lifecycle, preview: bool) -> bool {
    match lifecycle {
        Lifecycle::Stable | Lifecycle::Deprecated => true,
        Lifecycle::Preview => preview,
        Lifecycle::Removed => false,
    }
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

fn selected(selectors: &[String]) -> BTreeSet<RuleId> {
    selectors
        .iter()
        .flat_map(|s| catalog::resolve(s))
        .map(|r| r.id)
        .collect()
}

/// A small Dockerfile and compose file that reach most rules (see [`warm_up`]). No `$` and no
/// `extends` in the compose file: loading it reads nothing from the disk.
const WARM_UP_SAMPLES: [(&str, &str, FileKind); 2] = [
    (
        "Dockerfile",
        "FROM debian:12 AS build\nRUN apt-get update\nRUN apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\nRUN chmod 0755 /usr/bin/curl\nENV API_TOKEN=abc123\n\nFROM scratch\nCOPY --from=build /usr/bin/curl /curl\nUSER 1000\nCMD [\"/curl\"]\n",
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
            findings.push(internal_error("the parser", &*payload));
            let report = finish(file, findings, &enabled);
            return (report, StatementRanges::default());
        }
    };
    findings.extend(parsed.diagnostics.iter().cloned());
    let analysis = Analysis::new(
        file,
        parsed.tree.as_ref(),
        parsed.dockerfile.as_ref(),
        parsed.compose.as_ref(),
        &settings.options.secret_allowlist,
    );
    let mut walk = Walk::new(&analysis, settings, &enabled);
    match file.kind {
        FileKind::Dockerfile => {
            if let Some(df) = analysis.dockerfile {
                walk.dockerfile(df);
            }
        }
        FileKind::Compose => {
            if let Some(compose) = analysis.compose {
                walk.compose(compose);
            }
        }
    }
    for i in 0..walk.rules.len() {
        walk.run(i, |rule, cx| rule.check_file(cx));
    }
    findings.extend(walk.findings);
    let statements = StatementRanges::of(file, &parsed.statements);
    (finish(file, findings, &enabled), statements)
}

/// One enabled rule with an implementation, as the walk calls it.
struct Running {
    rule: &'static dyn Rule,
    meta: &'static RuleMeta,
    severity: Severity,
    /// It panicked on this file: its findings on the file are replaced by an internal error,
    /// and it is not called again.
    failed: bool,
}

/// One walk over one file: the rules that apply, the subscriptions, the findings.
struct Walk<'a> {
    analysis: &'a Analysis<'a>,
    settings: &'a LintSettings,
    rules: Vec<Running>,
    findings: Vec<Finding>,
}

impl<'a> Walk<'a> {
    fn new(
        analysis: &'a Analysis<'a>,
        settings: &'a LintSettings,
        enabled: &[(&'static RuleMeta, Severity)],
    ) -> Walk<'a> {
        let kind = analysis.file.kind;
        let rules = enabled
            .iter()
            .filter(|(meta, _)| meta.applies_to(kind))
            .filter_map(|&(meta, severity)| {
                Some(Running {
                    rule: meta.implementation?,
                    meta,
                    severity,
                    failed: false,
                })
            })
            .collect();
        Walk {
            analysis,
            settings,
            rules,
            findings: Vec::new(),
        }
    }

    /// Runs `call` for rule `i`; a panic turns the rule's findings on this file into one
    /// internal-error finding.
    fn run(&mut self, i: usize, call: impl FnOnce(&dyn Rule, &mut Context<'a>)) {
        let Some(running) = self.rules.get(i) else {
            return;
        };
        if running.failed {
            return;
        }
        let (rule, meta, severity) = (running.rule, running.meta, running.severity);
        let mut cx = Context::new(self.analysis, &self.settings.options, meta, severity);
        match catch_unwind(AssertUnwindSafe(|| {
            call(rule, &mut cx);
            cx
        })) {
            Ok(cx) => self.findings.extend(cx.into_findings()),
            Err(payload) => {
                self.findings.retain(|f| f.code != meta.code);
                self.findings
                    .push(internal_error(&format!("rule {}", meta.name), &*payload));
                if let Some(r) = self.rules.get_mut(i) {
                    r.failed = true;
                }
            }
        }
    }

    /// Every instruction once (the one an ONBUILD wraps right after it), each passed to the
    /// rules subscribed to its kind; then the whole-file entry point.
    fn dockerfile(&mut self, df: &'a DockerfileModel) {
        let mut subscribed: Vec<Vec<usize>> = vec![Vec::new(); INSTRUCTION_KINDS];
        for (i, r) in self.rules.iter().enumerate() {
            for kind in r.rule.instructions() {
                if let Some(list) = subscribed.get_mut(*kind as usize) {
                    list.push(i);
                }
            }
        }
        if subscribed.iter().any(|l| !l.is_empty()) {
            let mut stages = df.stages.iter().peekable();
            let mut stage = None;
            for (index, instr) in df.instrs.iter().enumerate() {
                while let Some(next) = stages.peek()
                    && next.instrs.start <= index
                {
                    stage = stages.next();
                }
                let at = InstructionAt {
                    instr,
                    index,
                    onbuild: false,
                    stage,
                };
                self.instruction(&subscribed, &at);
                if let Some(inner) = instr.onbuild.as_deref() {
                    let at = InstructionAt {
                        instr: inner,
                        onbuild: true,
                        ..at
                    };
                    self.instruction(&subscribed, &at);
                }
            }
        }
        for i in 0..self.rules.len() {
            self.run(i, |rule, cx| rule.check_dockerfile(cx, df));
        }
    }

    fn instruction(&mut self, subscribed: &[Vec<usize>], at: &InstructionAt<'a>) {
        let Some(list) = subscribed.get(at.instr.kind as usize) else {
            return;
        };
        for &i in list {
            self.run(i, |rule, cx| rule.check_instruction(cx, at));
        }
    }

    /// Each document's written top-level keys and each service's written keys, passed to the
    /// rules subscribed to them; each service as compose sees it; then the whole file.
    fn compose(&mut self, compose: &'a ComposeFile) {
        let keyed: Vec<usize> = (0..self.rules.len())
            .filter(|&i| !self.rules[i].rule.compose_keys().is_empty())
            .collect();
        for document in &compose.documents {
            if !keyed.is_empty() {
                if let Some(root) = document.node {
                    self.keys(&keyed, compose, document, None, root);
                }
                for service in &document.services {
                    self.keys(&keyed, compose, document, Some(service), service.node);
                }
            }
            for service in &document.services {
                for i in 0..self.rules.len() {
                    self.run(i, |rule, cx| rule.check_service(cx, service));
                }
            }
        }
        for i in 0..self.rules.len() {
            self.run(i, |rule, cx| rule.check_compose(cx, compose));
        }
    }

    fn keys(
        &mut self,
        keyed: &[usize],
        compose: &'a ComposeFile,
        document: &'a crate::model::compose::Compose,
        service: Option<&'a crate::model::compose::Service>,
        mapping: crate::syntax::compose::yaml::NodeId,
    ) {
        let yaml = &compose.yaml;
        let Some(NodeKind::Mapping(pairs)) = yaml.get(mapping).map(|n| &n.kind) else {
            return;
        };
        for pair in yaml.pairs(*pairs) {
            let (Some(key), Some(key_node)) = (yaml.scalar(pair.key), yaml.node(pair.key)) else {
                continue;
            };
            let at = ComposeKeyAt {
                document,
                service,
                key,
                key_node: pair.key,
                value_node: pair.value,
                key_span: key_node.span,
            };
            for &i in keyed {
                let wanted = self.rules[i]
                    .rule
                    .compose_keys()
                    .iter()
                    .any(|k| match (k, service) {
                        (ComposeKey::TopLevel(name), None)
                        | (ComposeKey::Service(name), Some(_)) => *name == key,
                        _ => false,
                    });
                if wanted {
                    self.run(i, |rule, cx| rule.check_compose_key(cx, &at));
                }
            }
        }
    }
}

/// The number of [`InstructionKind`]s (the dispatch table's size).
const INSTRUCTION_KINDS: usize = InstructionKind::Unknown as usize + 1;

/// Keeps the findings of the rules `settings` enable and applies their severity overrides, for
/// findings made outside the engine (invalid UTF-8, unused suppressions).
pub fn settle(findings: &mut Vec<Finding>, settings: &LintSettings) {
    keep_enabled(findings, &enabled_rules_cached(settings));
}

/// Keeps the enabled rules' findings, applies severity overrides, sorts.
fn finish(
    file: &SourceFile,
    mut findings: Vec<Finding>,
    enabled: &[(&'static RuleMeta, Severity)],
) -> FileReport {
    keep_enabled(&mut findings, enabled);
    let mut report = FileReport {
        file: file.clone(),
        findings,
    };
    report.sort();
    report
}

fn keep_enabled(findings: &mut Vec<Finding>, enabled: &[(&'static RuleMeta, Severity)]) {
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
}

/// Folds each finding into another one on the very same span whose rule covers its rule
/// (`covers` on the rule's page, e.g. `latest-tag` covers `unpinned-digest`): one token, one
/// line of output, in every format. The covering finding gains a related span labelled
/// `also <name> (<code>): <message>`, so JSON, SARIF and the editor still show that both rules
/// apply, and takes the covered finding's fix when it has none. A covered finding that is more
/// severe, or that has a fix when the covering one has its own, stays on its own: folding never
/// hides a severity or a fix. Call it after suppressions, so that a suppression of either rule
/// still sees that rule's finding.
pub fn fold_covered(findings: &mut Vec<Finding>) {
    let n = findings.len();
    let mut folded = vec![false; n];
    for i in 0..n {
        let covers = catalog::by_code(findings[i].code).map_or(&[][..], |m| m.covers);
        if covers.is_empty() || folded[i] {
            continue;
        }
        // Each covering finding carries at most one finding of each covered rule (two compose
        // services sharing an anchored image each keep their pair).
        let mut carried: Vec<&'static str> = Vec::new();
        for j in 0..n {
            let (g, f) = (&findings[i], &findings[j]);
            if i == j
                || folded[j]
                || f.span != g.span
                || !covers.contains(&f.name)
                || carried.contains(&f.code)
                || f.severity > g.severity
                || (f.fix.is_some() && g.fix.is_some())
            {
                continue;
            }
            let note = Related::new(
                f.span,
                format!("also {} ({}): {}", f.name, f.code, f.message),
            );
            let (fix, secret, code) = (f.fix.clone(), f.secret, f.code);
            let g = &mut findings[i];
            g.related.push(note);
            if g.fix.is_none() {
                g.fix = fix;
            }
            if g.secret.is_none() {
                g.secret = secret;
            }
            carried.push(code);
            folded[j] = true;
        }
    }
    let mut k = 0;
    findings.retain(|_| {
        let keep = !folded[k];
        k += 1;
        keep
    });
}

fn internal_error(what: &str, payload: &(dyn std::any::Any + Send)) -> Finding {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    engine_finding(
        RuleId::InternalError,
        Span::empty(0),
        &format!("internal error: {what} panicked on this file ({detail}); please report it"),
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

    /// Walks a Dockerfile with one test rule enabled.
    fn walk_with(rule: &'static dyn Rule, text: &str) -> Vec<Finding> {
        let file = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let parsed = parse(&file, &ComposeEnv::new());
        let analysis = Analysis::new(
            &file,
            parsed.tree.as_ref(),
            parsed.dockerfile.as_ref(),
            None,
            &[],
        );
        let settings = LintSettings::default();
        let mut walk = Walk::new(&analysis, &settings, &[]);
        walk.rules.push(Running {
            rule,
            meta: RuleId::LatestTag.meta(),
            severity: Severity::Warning,
            failed: false,
        });
        walk.dockerfile(parsed.dockerfile.as_ref().unwrap());
        walk.findings
    }

    /// Reports on every instruction, then panics on the second.
    struct Panics;

    impl Rule for Panics {
        fn instructions(&self) -> &'static [InstructionKind] {
            &[InstructionKind::From]
        }

        fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
            cx.report(at.instr.keyword_span, "before the panic");
            let v: Vec<u8> = Vec::new();
            let _ = v[at.index * cx.text().len()];
        }
    }

    #[test]
    fn a_panicking_rule_becomes_an_internal_error() {
        let found = walk_with(
            &Panics,
            "FROM alpine:3.20
FROM alpine:3.21
FROM alpine:3.22
",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].code, INTERNAL_ERROR);
        assert!(
            found[0].message.contains("rule latest-tag panicked"),
            "{}",
            found[0].message
        );
    }

    /// Counts calls per entry point.
    struct Counts;

    impl Rule for Counts {
        fn instructions(&self) -> &'static [InstructionKind] {
            &[InstructionKind::Run, InstructionKind::Copy]
        }

        fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
            let stage = at.stage.map_or("none".to_string(), |s| s.index.to_string());
            let what = format!("{} stage={stage} onbuild={}", at.instr.kind, at.onbuild);
            cx.report(at.instr.keyword_span, what);
        }

        fn check_dockerfile(&self, cx: &mut Context<'_>, df: &DockerfileModel) {
            cx.report(
                Span::empty(0),
                format!("file of {} stages", df.stages.len()),
            );
        }
    }

    #[test]
    fn the_walk_dispatches_by_kind_with_onbuild_and_stages() {
        let findings = walk_with(
            &Counts,
            "FROM a AS x
RUN one
ONBUILD RUN two
FROM b
COPY c d
USER e
",
        );
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "RUN stage=0 onbuild=false",
                "RUN stage=0 onbuild=true",
                "COPY stage=1 onbuild=false",
                "file of 2 stages"
            ]
        );
    }

    #[test]
    fn selection_ignore_and_severity_overrides() {
        let ids = |s: &LintSettings| -> Vec<RuleId> {
            enabled_rules(s).iter().map(|(m, _)| m.id).collect()
        };
        let default = LintSettings::default();
        let d = ids(&default);
        assert!(d.contains(&RuleId::LatestTag) && !d.contains(&RuleId::ComposeUnsetVariable));
        let s = LintSettings {
            select: vec!["latest-tag".into()],
            extend_select: vec!["DL3059".into()],
            ignore: vec!["PL3".into()],
            ..LintSettings::default()
        };
        assert_eq!(
            ids(&s),
            [RuleId::InputLimit, RuleId::InternalError, RuleId::LatestTag]
        );
        let mut s = LintSettings::default();
        s.severity.insert("PL1".into(), Severity::Error);
        s.severity.insert("unpinned-digest".into(), Severity::Style);
        let sev = |id: RuleId| {
            enabled_rules(&s)
                .into_iter()
                .find(|(m, _)| m.id == id)
                .map(|(_, v)| v)
        };
        assert_eq!(sev(RuleId::LatestTag), Some(Severity::Error));
        assert_eq!(
            sev(RuleId::UnpinnedDigest),
            Some(Severity::Style),
            "the narrower selector wins"
        );
    }

    #[test]
    fn preview_rules_run_only_in_preview_mode_and_removed_ones_never() {
        assert!(runs_in(Lifecycle::Stable, false));
        assert!(runs_in(Lifecycle::Deprecated, false));
        assert!(!runs_in(Lifecycle::Preview, false));
        assert!(runs_in(Lifecycle::Preview, true));
        assert!(!runs_in(Lifecycle::Removed, true));
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

    /// Lints through the whole pipeline (suppressions, then folding).
    fn lint_all(text: &str, kind: FileKind, settings: &LintSettings) -> Vec<Finding> {
        let name = if kind == FileKind::Compose {
            "compose.yaml"
        } else {
            "Dockerfile"
        };
        let file = SourceFile::new(name, text, kind);
        crate::lint::lint_file(&file, settings, crate::lint::LintOptions::default())
            .report
            .findings
    }

    fn codes(found: &[Finding]) -> Vec<&'static str> {
        found.iter().map(|f| f.name).collect()
    }

    #[test]
    fn a_moving_tag_carries_the_unpinned_digest_of_its_token_as_a_note() {
        let settings = LintSettings::default();
        let found = lint_all(
            "FROM debian:latest\nUSER 1000\n",
            FileKind::Dockerfile,
            &settings,
        );
        assert_eq!(codes(&found), ["latest-tag"]);
        let notes: Vec<&str> = found[0].related.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("also unpinned-digest (PL110): `debian:latest` is not pinned")
        );
        assert_eq!(found[0].related[0].span, found[0].span);
        let found = lint_all("FROM debian\nUSER 1000\n", FileKind::Dockerfile, &settings);
        assert_eq!(codes(&found), ["latest-tag-implicit"]);

        // A suppression of the covering rule leaves the covered finding on its own.
        let found = lint_all(
            "# plimsoll ignore=latest-tag\nFROM debian:latest\nUSER 1000\n",
            FileKind::Dockerfile,
            &settings,
        );
        assert_eq!(codes(&found), ["unpinned-digest"]);
        // A more severe covered finding is never hidden in a note.
        let mut severe = LintSettings::default();
        severe
            .severity
            .insert("unpinned-digest".into(), Severity::Error);
        let found = lint_all(
            "FROM debian:latest\nUSER 1000\n",
            FileKind::Dockerfile,
            &severe,
        );
        assert_eq!(codes(&found), ["latest-tag", "unpinned-digest"]);
    }

    #[test]
    fn services_sharing_an_anchored_image_each_get_a_named_finding() {
        let text = "x-img: &img nginx:latest\nservices:\n  a:\n    image: *img\n    user: \"1000\"\n  b:\n    image: *img\n    user: \"1000\"\n";
        let found = lint_all(text, FileKind::Compose, &LintSettings::default());
        let got: Vec<(&str, &str, usize)> = found
            .iter()
            .map(|f| {
                (
                    f.name,
                    f.message.split(':').next().unwrap_or(""),
                    f.related.len(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("latest-tag", "service `a`", 1),
                ("latest-tag", "service `b`", 1)
            ],
            "{found:#?}"
        );
        assert_ne!(found[0].message, found[1].message);
    }

    /// The samples must parse cleanly and reach the rule families a real corpus reaches (image
    /// references, layers, users, secrets), or warming up would leave their first use cold.
    #[test]
    fn warm_up_samples_reach_the_main_rule_families() {
        use RuleId::*;
        let expected: [&[RuleId]; 2] = [
            &[UnpinnedDigest, SplitRun, SplitRunUpdate, SecretInVariable],
            &[LatestTag, UnpinnedDigest, RootUser, SecretInVariable],
        ];
        for ((name, text, kind), want) in WARM_UP_SAMPLES.into_iter().zip(expected) {
            let report = lint_source(&SourceFile::new(name, text, kind), &LintSettings::default());
            let codes: BTreeSet<&str> = report.findings.iter().map(|f| f.code).collect();
            let want: BTreeSet<&str> = want.iter().map(|id| id.code()).collect();
            assert_eq!(codes, want, "{name}");
        }
        warm_up();
    }
}

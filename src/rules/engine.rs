//! The engine: parse each file once, build its model once, then walk it once, calling each
//! enabled rule for the instruction kinds and compose keys it subscribes to, and once per file
//! (and per compose service) where it asks for that. What several rules need is computed once,
//! lazily, by [`crate::analysis::Analysis`]. Files run in parallel with rayon; each file's
//! findings are sorted by position and code, so output never depends on the thread count. A rule
//! that panics becomes an `internal-error` finding for that file only, and is not called again
//! on it.

use super::buildkit::FileChecks;
use super::catalog::{self, RuleId, RuleMeta};
use super::context::{ComposeKeyAt, Context, InstructionAt};
use super::settings::LintSettings;
use super::{ComposeKey, Lifecycle, Rule};
use crate::analysis::{Analysis, CommandStore};
use crate::finding::{FileReport, Finding, Related, Severity};
use crate::model::build_inputs::BuildInputs;
use crate::model::compose::{ComposeFile, DiagnosticKind, Env as ComposeEnv};
use crate::model::dockerfile::Dockerfile as DockerfileModel;
use crate::source::{FileKind, SourceFile, Span};
use crate::syntax::compose::yaml::NodeKind;
use crate::syntax::dockerfile::InstructionKind;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

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

/// Parses a file and builds its model (a Dockerfile's for a build with these inputs).
pub(crate) fn parse(file: &SourceFile, env: &ComposeEnv, build: &BuildInputs) -> Parsed {
    match file.kind {
        FileKind::Compose => parse_compose(file, env),
        FileKind::Dockerfile => parse_dockerfile(file, build),
        // A dotenv file has no tree: the secret rules read its lines.
        FileKind::Env => Parsed::default(),
    }
}

fn parse_dockerfile(file: &SourceFile, build: &BuildInputs) -> Parsed {
    let tree = crate::syntax::dockerfile::parse(&file.text);
    let mut diagnostics: Vec<Finding> = tree
        .errors
        .iter()
        .map(|e| engine_finding(RuleId::DockerfileSyntax, e.span, &e.message))
        .collect();
    let statements = tree.instructions.iter().map(|i| i.span).collect();
    let model = crate::model::dockerfile::from_tree_with(&tree, &file.text, build);
    let limits = model.limits.iter();
    diagnostics.extend(limits.map(|l| engine_finding(RuleId::InputLimit, l.span, &l.message)));
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
            DiagnosticKind::MissingFile => RuleId::ComposeMissingFile,
            DiagnosticKind::LegacyLayout => RuleId::ComposeV1Layout,
            DiagnosticKind::Include => RuleId::ComposeInclude,
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
    let build = BuildInputs::default();
    let parsed = catch_unwind(AssertUnwindSafe(|| parse(file, &env, &build))).unwrap_or_default();
    StatementRanges::of(file, &parsed.statements)
}

/// The enabled rules and their effective severities for some settings, sorted by code.
///
/// Without `select`, the rules on by default; `extend-select` adds, `ignore` removes. Preview
/// rules run only in preview mode, removed rules never. The engine's internal-error and
/// input-limit are always on: hiding them would hide lost findings.
pub fn enabled_rules(settings: &LintSettings) -> Vec<(&'static RuleMeta, Severity)> {
    enabled(settings).rules
}

/// The rules that run under some settings, and what the selectors naming single foreign
/// finding codes say about those codes.
#[derive(Clone, Debug, Default)]
struct Enabled {
    rules: Vec<(&'static RuleMeta, Severity)>,
    codes: CodeSelection,
}

/// A selector naming one foreign finding code (ShellCheck's `SC2086`, see
/// [`catalog::foreign_code`]) selects, ignores or re-grades that code only, never the whole rule
/// reporting it: `--ignore SC2086` keeps every other ShellCheck check.
#[derive(Clone, Debug, Default, PartialEq)]
struct CodeSelection {
    /// Rules selected only through some of their codes: only those codes are kept (and the
    /// rule's findings under its own code).
    only: BTreeMap<RuleId, BTreeSet<&'static str>>,
    ignored: BTreeSet<&'static str>,
    severity: BTreeMap<&'static str, Severity>,
}

/// Selectors split into those naming rules and the foreign codes.
fn split_codes(selectors: &[String]) -> (Vec<String>, Vec<(&'static str, RuleId)>) {
    let mut rules = Vec::new();
    let mut codes = Vec::new();
    for s in selectors {
        match catalog::foreign_code(s) {
            Some(code) => codes.push(code),
            None => rules.push(s.clone()),
        }
    }
    (rules, codes)
}

fn enabled(settings: &LintSettings) -> Enabled {
    let (select, select_codes) = split_codes(&settings.select);
    let (extend, extend_codes) = split_codes(&settings.extend_select);
    let (ignore, ignore_codes) = split_codes(&settings.ignore);
    let mut ids: BTreeSet<RuleId> = if settings.select.is_empty() {
        catalog::all()
            .iter()
            .filter(|r| r.default_enabled)
            .map(|r| r.id)
            .collect()
    } else {
        selected(&select)
    };
    ids.extend(selected(&extend));
    let mut codes = CodeSelection::default();
    for &(code, rule) in select_codes.iter().chain(&extend_codes) {
        if !ids.contains(&rule) {
            codes.only.entry(rule).or_default().insert(code);
        }
    }
    ids.extend(codes.only.keys().copied());
    // A policy code (`policy/main/deny`) ignores that code alone, never the rule reporting it:
    // the policy step applies it (see `super::dynamic::selection`).
    let ignore: Vec<String> = ignore
        .into_iter()
        .filter(|s| !super::dynamic::is_dynamic(s))
        .collect();
    for id in selected(&ignore) {
        ids.remove(&id);
    }
    codes.ignored = ignore_codes.iter().map(|(code, _)| *code).collect();
    ids.retain(|id| runs_in(id.meta().lifecycle, settings.preview));
    ids.insert(RuleId::InternalError);
    ids.insert(RuleId::InputLimit);
    ids.insert(RuleId::PolicyError);

    // Broad selectors first so that narrower ones override them; a foreign code is the
    // narrowest and applies to its findings alone.
    let mut overrides: Vec<(Vec<&'static RuleMeta>, Severity)> = Vec::new();
    for (sel, sev) in &settings.severity {
        match catalog::foreign_code(sel) {
            Some((code, _)) => {
                codes.severity.insert(code, *sev);
            }
            // Re-grades one policy code: the policy step applies it.
            None if super::dynamic::is_dynamic(sel) => {}
            None => overrides.push((catalog::resolve(sel), *sev)),
        }
    }
    overrides.sort_by_key(|(rules, _)| std::cmp::Reverse(rules.len()));

    let mut rules = ids
        .into_iter()
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
        .collect::<Vec<_>>();
    rules.sort_by_key(|(meta, _)| meta.code);
    Enabled { rules, codes }
}

/// The entry of `rules` (sorted by code, as [`enabled`] makes them and filters keep them) for
/// `code`. A binary search: every finding of a run looks its rule up, and a scan of 150 rules
/// per finding was 2% of a corpus run.
fn enabled_entry<'e>(
    rules: &'e [(&'static RuleMeta, Severity)],
    code: &str,
) -> Option<&'e (&'static RuleMeta, Severity)> {
    let at = rules
        .binary_search_by(|(meta, _)| meta.code.cmp(code))
        .ok()?;
    rules.get(at)
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

/// [`enabled`] for the same settings as the previous file on this thread is reused: a run
/// usually lints every file with the same few settings.
///
/// Only what [`enabled`] reads is compared: the whole settings hold the process environment for
/// compose interpolation, and comparing that for every file cost more than linting a small one.
fn enabled_rules_cached(settings: &LintSettings) -> Arc<Enabled> {
    type Cached = Option<(Selection, Arc<Enabled>)>;
    thread_local! {
        static LAST: std::cell::RefCell<Cached> = const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        match last.as_ref() {
            Some((s, enabled)) if s.is_of(settings) => enabled.clone(),
            _ => {
                let enabled = Arc::new(enabled(settings));
                *last = Some((Selection::of(settings), enabled.clone()));
                enabled
            }
        }
    })
}

/// The part of [`LintSettings`] that decides which rules run and at what severity.
#[derive(Debug, PartialEq)]
struct Selection {
    select: Vec<String>,
    extend_select: Vec<String>,
    ignore: Vec<String>,
    severity: BTreeMap<String, Severity>,
    preview: bool,
}

impl Selection {
    fn of(settings: &LintSettings) -> Selection {
        Selection {
            select: settings.select.clone(),
            extend_select: settings.extend_select.clone(),
            ignore: settings.ignore.clone(),
            severity: settings.severity.clone(),
            preview: settings.preview,
        }
    }

    fn is_of(&self, settings: &LintSettings) -> bool {
        self.select == settings.select
            && self.extend_select == settings.extend_select
            && self.ignore == settings.ignore
            && self.severity == settings.severity
            && self.preview == settings.preview
    }
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
    // No external program at warm-up: it would cost what warming up saves.
    let settings = LintSettings {
        ignore: vec![RuleId::Shellcheck.code().to_string()],
        ..LintSettings::default()
    };
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
    let parsed = match catch_unwind(AssertUnwindSafe(|| {
        parse(file, &settings.compose_env, &settings.build)
    })) {
        Ok(parsed) => parsed,
        Err(payload) => {
            findings.push(internal_error("the parser", &*payload));
            let report = finish(file, findings, &enabled);
            return (report, StatementRanges::default());
        }
    };
    findings.extend(parsed.diagnostics.iter().cloned());
    // BuildKit's check configuration (`# check=`, BUILDKIT_DOCKERFILE_CHECK) changes which of
    // its checks run on this file.
    let checks = match &parsed.tree {
        Some(tree) => FileChecks::of(tree, &file.text, settings),
        None => FileChecks::default(),
    };
    if let Some((span, message)) = &checks.error {
        findings.push(engine_finding(RuleId::DockerfileSyntax, *span, message));
    }
    let running: Cow<'_, Enabled> = match checks.rules(&enabled.rules, settings) {
        Cow::Borrowed(_) => Cow::Borrowed(&*enabled),
        Cow::Owned(rules) => Cow::Owned(Enabled {
            rules,
            codes: enabled.codes.clone(),
        }),
    };
    let commands = CommandStore::default();
    let analysis = Analysis::new(
        file,
        parsed.tree.as_ref(),
        parsed.dockerfile.as_ref(),
        parsed.compose.as_ref(),
        &settings.options.secret_allowlist,
        &settings.build,
        &commands,
    );
    let mut walk = Walk::new(&analysis, settings, &running);
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
        FileKind::Env => {}
    }
    for i in 0..walk.rules.len() {
        walk.run(i, |rule, cx| rule.check_file(cx));
    }
    let mut secrets = walk.masked;
    findings.extend(walk.findings);
    // Suppressed findings included: a suppressed secret is still a secret.
    secrets.extend(findings.iter().filter_map(|f| f.secret));
    secrets.sort();
    secrets.dedup();
    // Policies run last: their input carries the built-in findings, settled as reported.
    if !settings.policies.is_empty()
        && let Some(&(_, severity)) = running.rules.iter().find(|(m, _)| m.id == RuleId::Rego)
    {
        keep_enabled(&mut findings, &running);
        let rule_severity = (severity != RuleId::Rego.meta().severity).then_some(severity);
        match catch_unwind(AssertUnwindSafe(|| {
            crate::policy::evaluate(&analysis, &findings, settings, rule_severity)
        })) {
            Ok(more) => findings.extend(more),
            Err(payload) => findings.push(internal_error("a Rego policy", &*payload)),
        }
    }
    let statements = StatementRanges::of(file, &parsed.statements);
    let mut report = finish(file, findings, &running);
    report.file.secrets = secrets.into();
    // Removing findings and raising severities keeps the order.
    checks.apply(&mut report.findings, &enabled.rules);
    (report, statements)
}

/// The document a Rego policy sees as `input` for `file` (`plimsoll policy input`): in the
/// plimsoll format it carries the built-in findings `settings` select, as during a run.
pub fn policy_input(
    file: &SourceFile,
    settings: &LintSettings,
    format: crate::policy::InputFormat,
) -> serde_json::Value {
    let builtin = LintSettings {
        policies: Default::default(),
        ..settings.clone()
    };
    let findings = lint_source(file, &builtin).findings;
    let parsed = parse(file, &settings.compose_env, &settings.build);
    let commands = CommandStore::default();
    let analysis = Analysis::new(
        file,
        parsed.tree.as_ref(),
        parsed.dockerfile.as_ref(),
        parsed.compose.as_ref(),
        &settings.options.secret_allowlist,
        &settings.build,
        &commands,
    );
    crate::policy::input_document(&analysis, &findings, settings, format)
}

/// One enabled rule with an implementation, as the walk calls it.
struct Running {
    rule: &'static dyn Rule,
    meta: &'static RuleMeta,
    severity: Severity,
    /// A secret rule the settings leave off: it runs for the secret spans every output masks,
    /// and its findings are dropped. Running it in the same walk costs only the rule itself,
    /// where a second lint of the file would parse and analyse it again.
    mask_only: bool,
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
    /// The secret spans found by the mask-only rules.
    masked: Vec<Span>,
}

impl<'a> Walk<'a> {
    fn new(analysis: &'a Analysis<'a>, settings: &'a LintSettings, enabled: &Enabled) -> Walk<'a> {
        let kind = analysis.file.kind;
        let running = |meta: &'static RuleMeta, severity, mask_only| {
            Some(Running {
                rule: meta.implementation?,
                meta,
                severity,
                mask_only,
                failed: false,
            })
        };
        let mut rules: Vec<Running> = enabled
            .rules
            .iter()
            .filter(|(meta, _)| meta.applies_to(kind))
            .filter_map(|&(meta, severity)| running(meta, severity, false))
            .collect();
        let masking = secret_rules()
            .iter()
            .filter(|meta| meta.applies_to(kind))
            .filter(|meta| enabled_entry(&enabled.rules, meta.code).is_none())
            .filter_map(|&meta| running(meta, meta.severity, true))
            .collect::<Vec<_>>();
        rules.extend(masking);
        Walk {
            analysis,
            settings,
            rules,
            findings: Vec::new(),
            masked: Vec::new(),
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
        let mask_only = running.mask_only;
        let mut cx = Context::new(self.analysis, &self.settings.options, meta, severity);
        match catch_unwind(AssertUnwindSafe(|| {
            call(rule, &mut cx);
            cx
        })) {
            Ok(cx) if mask_only => self
                .masked
                .extend(cx.into_findings().into_iter().filter_map(|f| f.secret)),
            Ok(cx) => self.findings.extend(cx.into_findings()),
            Err(_) if mask_only => {
                if let Some(r) = self.rules.get_mut(i) {
                    r.failed = true;
                }
            }
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

/// The rules whose findings mark secrets: they run on every file, selected or not, because
/// every output quoting the file masks what they find.
fn secret_rules() -> &'static [&'static RuleMeta] {
    static SECRET: std::sync::OnceLock<Vec<&'static RuleMeta>> = std::sync::OnceLock::new();
    SECRET.get_or_init(|| {
        catalog::resolve(SECRET_FAMILY)
            .into_iter()
            .filter(|m| m.lifecycle != Lifecycle::Removed)
            .collect()
    })
}

/// The rule family whose findings mark secrets.
pub(crate) const SECRET_FAMILY: &str = "secret";

/// Keeps the findings of the rules `settings` enable and applies their severity overrides, for
/// findings made outside the engine (invalid UTF-8, unused suppressions).
pub fn settle(findings: &mut Vec<Finding>, settings: &LintSettings) {
    keep_enabled(findings, &enabled_rules_cached(settings));
}

/// Keeps the enabled rules' findings, applies severity overrides, sorts.
fn finish(file: &SourceFile, mut findings: Vec<Finding>, enabled: &Enabled) -> FileReport {
    keep_enabled(&mut findings, enabled);
    let mut report = FileReport {
        file: file.clone(),
        findings,
    };
    report.sort();
    report
}

fn keep_enabled(findings: &mut Vec<Finding>, enabled: &Enabled) {
    findings.retain_mut(|f| {
        let own = enabled_entry(&enabled.rules, f.code);
        // A foreign code (`SC2086`) belongs to the rule reporting it.
        let found = own.or_else(|| {
            let rule = catalog::rule_of(f.code)?;
            enabled_entry(&enabled.rules, rule.code)
        });
        let Some((meta, sev)) = found else {
            return false;
        };
        // A policy code's finding was selected and graded when it was made.
        if own.is_none() && super::dynamic::get(f.code).is_some() {
            return true;
        }
        if own.is_none() {
            let codes = &enabled.codes;
            if codes.ignored.contains(f.code)
                || codes
                    .only
                    .get(&meta.id)
                    .is_some_and(|o| !o.contains(f.code))
            {
                return false;
            }
            if let Some(s) = codes.severity.get(f.code) {
                f.severity = *s;
                return true;
            }
        }
        // A rule's own severity choice stands unless the user overrode the default.
        if *sev != meta.severity {
            f.severity = *sev;
        }
        true
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
        let build = BuildInputs::default();
        let parsed = parse(&file, &ComposeEnv::new(), &build);
        let commands = CommandStore::default();
        let analysis = Analysis::new(
            &file,
            parsed.tree.as_ref(),
            parsed.dockerfile.as_ref(),
            None,
            &[],
            &build,
            &commands,
        );
        let settings = LintSettings::default();
        let mut walk = Walk::new(&analysis, &settings, &Enabled::default());
        walk.rules.push(Running {
            rule,
            meta: RuleId::LatestTag.meta(),
            severity: Severity::Warning,
            mask_only: false,
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
            [
                RuleId::InputLimit,
                RuleId::InternalError,
                RuleId::LatestTag,
                RuleId::PolicyError
            ]
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
    fn single_foreign_codes_select_ignore_and_regrade_only_themselves() {
        use Severity::*;
        let sc = |code: &str| {
            let (code, _) = catalog::foreign_code(code).unwrap();
            Finding::new(code, "shellcheck", Info, Span::empty(0), "m")
        };
        let mut own = engine_finding(RuleId::Shellcheck, Span::empty(0), "not checked");
        own.severity = Info;
        let kept = |s: LintSettings| {
            let mut found = vec![sc("SC2086"), sc("SC2046"), own.clone()];
            keep_enabled(&mut found, &enabled(&s));
            found
                .iter()
                .map(|f| (f.code, f.severity))
                .collect::<Vec<_>>()
        };
        let pl350 = RuleId::Shellcheck.code();
        let all = [("SC2086", Info), ("SC2046", Info), (pl350, Info)];
        assert_eq!(kept(LintSettings::default()), all);
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ignore = LintSettings {
            ignore: strings(&["sc2086"]),
            ..LintSettings::default()
        };
        assert_eq!(kept(ignore), [("SC2046", Info), (pl350, Info)]);
        let select = LintSettings {
            select: strings(&["SC2046"]),
            ..LintSettings::default()
        };
        assert!(
            enabled_rules(&select)
                .iter()
                .any(|(m, _)| m.id == RuleId::Shellcheck)
        );
        assert_eq!(kept(select), [("SC2046", Info), (pl350, Info)]);
        let both = LintSettings {
            select: strings(&["SC2046", "shellcheck"]),
            ..LintSettings::default()
        };
        assert_eq!(kept(both), all);
        let whole = LintSettings {
            ignore: strings(&["shell"]),
            ..LintSettings::default()
        };
        assert_eq!(kept(whole), []);
        let mut graded = LintSettings::default();
        graded.severity.insert("SC2086".into(), Error);
        graded.severity.insert("shellcheck".into(), Style);
        assert_eq!(
            kept(graded),
            [("SC2086", Error), ("SC2046", Style), (pl350, Style)]
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
    #[test]
    fn secrets_are_marked_for_masking_when_the_secret_rules_are_off() {
        // A token-shaped value no allow-list entry matches, made at run time.
        let alphabet = b"Q7mZp2RkX9aLw4TnV8cYh3JsB6dGf5Ku";
        let body: String = (0..36)
            .map(|i| char::from(alphabet[(i * 7 + 1) % alphabet.len()]))
            .collect();
        let token = format!("ghp_{body}");
        let text = format!("FROM alpine:3.20\nENV GITHUB_TOKEN={token}\nRUN echo done\n");
        let file = SourceFile::new("Dockerfile", text.as_str(), FileKind::Dockerfile);
        let secret_at = text.find(&token).unwrap();
        let masked = |settings: &LintSettings| {
            let report = lint_source(&file, settings);
            let secrets: Vec<Span> = report.file.secrets.to_vec();
            (report.findings, secrets)
        };
        let (all_findings, all_secrets) = masked(&LintSettings::default());
        assert!(all_findings.iter().any(|f| f.secret.is_some()));
        let off = LintSettings {
            ignore: vec![SECRET_FAMILY.to_string()],
            ..LintSettings::default()
        };
        let (findings, secrets) = masked(&off);
        assert!(findings.iter().all(|f| f.secret.is_none()), "{findings:?}");
        assert_eq!(secrets, all_secrets);
        assert!(
            secrets
                .iter()
                .any(|s| s.start as usize <= secret_at && secret_at < s.end as usize),
            "{secrets:?}"
        );
    }

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
    /// references, layers, users, secrets, package managers), or warming up would leave their
    /// first use cold.
    #[test]
    fn warm_up_samples_reach_the_main_rule_families() {
        use RuleId::*;
        let expected: [&[RuleId]; 2] = [
            &[
                UnpinnedDigest,
                SplitRun,
                SplitRunUpdate,
                SecretInVariable,
                SecretArgEnvName,
                AptUnpinned,
                AptRecommends,
            ],
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

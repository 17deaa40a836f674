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
    mask_source_diagnostics(file, settings, &mut report.findings);
    name_extended_files(file, settings, &mut report.findings);
    project_view(file, settings, &mut report.findings);
    profile_view(file, settings, &mut report.findings);
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
    let mut sup = if settings.disable_inline_ignores {
        Suppressions::default()
    } else {
        Suppressions::parse(file, &statements.ranges, &resolve_codes)
    };
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

/// Selector → rule codes, for suppression comments. A foreign code (`SC2086`) stands for
/// itself: it suppresses that check, not every finding of the rule reporting it.
fn resolve_codes(selector: &str) -> Vec<&'static str> {
    if let Some((code, _)) = catalog::foreign_code(selector) {
        return vec![code];
    }
    catalog::resolve(selector)
        .into_iter()
        .map(|m| m.code)
        .collect()
}

/// A finding on a value a service inherited through `extends` from another file points at the
/// `extends` entry here (the value is not in this file): a related label names the file, the
/// line and column there, and the value. The engine does not hand its model out, so the file is
/// loaded again, only when it extends another file (the loader keeps that file parsed).
fn name_extended_files(file: &SourceFile, settings: &LintSettings, findings: &mut [Finding]) {
    use crate::source::FileKind;
    static EXTENDS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"extends"));
    if file.kind != FileKind::Compose
        || findings.is_empty()
        || EXTENDS.find(file.text.as_bytes()).is_none()
    {
        return;
    }
    let model = crate::model::compose::load(&file.text, &file.path, &settings.compose_env);
    if model.imports.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        let Some((import, value)) = model.imported_at(f.span, &f.message) else {
            continue;
        };
        // A secret finding's value is a secret: its place is named, never its text.
        let label = match value {
            Some(v) if !f.name.starts_with("secret") => format!(
                "`{}` comes from {}:{}:{} (service `{}`, through `extends`)",
                v.raw,
                import.file.display(),
                v.line,
                v.column,
                import.service
            ),
            Some(v) => format!(
                "the value comes from {}:{}:{} (service `{}`, through `extends`)",
                import.file.display(),
                v.line,
                v.column,
                import.service
            ),
            None => format!(
                "inherited from service `{}` in {} through `extends`",
                import.service,
                import.file.display()
            ),
        };
        f.related.push(crate::finding::Related {
            span: import.file_span,
            label,
        });
    }
}

/// The keys whose absence a rule reports on a service (or, for a top-level rule, on the
/// file): another file of the project that sets one fills it.
fn absent_keys(rule: &str) -> &'static [&'static str] {
    match rule {
        "service-healthcheck-missing" => &["healthcheck"],
        "read-only-missing" => &["read_only"],
        "cap-drop-all-missing" => &["cap_drop"],
        "no-new-privileges-missing" => &["security_opt"],
        "memory-limit-missing" => &["mem_limit", "deploy.resources.limits.memory"],
        "cpu-limit-missing" => &["cpus", "cpu_quota", "deploy.resources.limits.cpus"],
        "pids-limit-missing" => &["pids_limit", "deploy.resources.limits.pids"],
        "compose-project-name-missing" => &["name"],
        _ => &[],
    }
}

/// A compose file that is part of a larger project (an override file beside it, or the
/// `-f` list) is judged with the project: a finding on a value a later file replaces is not
/// about what runs and is dropped (the later file's value is linted where it is written); a
/// finding on an absence another file fills is dropped; a value that replaces an earlier
/// file's says which, as a related note. Secrets and the engine's own findings stay: a secret
/// written in a file is exposed whatever replaces it, and a broken file is broken.
fn project_view(file: &SourceFile, settings: &LintSettings, findings: &mut Vec<Finding>) {
    use crate::model::compose::project::{Project, Verdict};
    use crate::source::FileKind;
    if file.kind != FileKind::Compose || findings.is_empty() {
        return;
    }
    let Some(project) = Project::of(&file.path, &file.text, &settings.compose_env) else {
        return;
    };
    let others = project
        .others()
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    // Loaded only for a finding on a value inherited from another file through `extends`.
    let mut model: Option<crate::model::compose::ComposeFile> = None;
    findings.retain_mut(|f| {
        if f.name.starts_with("secret") || f.code.starts_with("PL0") {
            return true;
        }
        let absent = absent_keys(f.name);
        let service = project.service_at(f.span, &f.message);
        let verdict = match inherited_keys(file, settings, &mut model, f, service.as_deref()) {
            Some(keys) => service
                .as_deref()
                .map_or(Verdict::Kept { overrides: None }, |s| {
                    project.judge_inherited(s, &keys)
                }),
            None => project.judge_for(f.span, absent, service.as_deref()),
        };
        match verdict {
            Verdict::Overridden { .. } | Verdict::Filled { .. } | Verdict::Elsewhere { .. } => {
                false
            }
            Verdict::Kept { overrides: Some(p) } => {
                let label = if p.raw.is_empty() {
                    format!(
                        "replaces the value at {}:{}:{} (merged as `docker compose` does)",
                        p.file.display(),
                        p.line,
                        p.column
                    )
                } else {
                    format!(
                        "replaces `{}` from {}:{}:{} (merged as `docker compose` does)",
                        p.raw,
                        p.file.display(),
                        p.line,
                        p.column
                    )
                };
                f.related.push(crate::finding::Related {
                    span: f.span,
                    label,
                });
                true
            }
            Verdict::Kept { overrides: None } => {
                if !absent.is_empty() {
                    f.related.push(crate::finding::Related {
                        span: f.span,
                        label: format!("no other file of the project sets it ({others})"),
                    });
                }
                true
            }
        }
    });
}

/// Where the value a finding reports stands in its service, when the service inherits it
/// through `extends` from another file (the finding is then on the `extends` entry here): the
/// keys below the service there (`image`, `environment`), found from the value the message
/// quotes. `None` for any other finding.
fn inherited_keys(
    file: &SourceFile,
    settings: &LintSettings,
    model: &mut Option<crate::model::compose::ComposeFile>,
    f: &Finding,
    service: Option<&str>,
) -> Option<Vec<(String, bool)>> {
    service?;
    static EXTENDS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"extends"));
    EXTENDS.find(file.text.as_bytes())?;
    let model = model.get_or_insert_with(|| {
        crate::model::compose::load(&file.text, &file.path, &settings.compose_env)
    });
    let (import, value) = model.imported_at(f.span, &f.message)?;
    let value = value?;
    let parsed = settings.compose_env.files.parsed(&import.file).ok()?;
    let offset = parsed.lines.offset_of(
        crate::source::LineCol {
            line: value.line,
            column: value.column,
        },
        &parsed.yaml.text,
    );
    let keys = crate::model::compose::project::keys_at(&parsed, offset);
    match keys.as_slice() {
        [(first, _), (_, _), rest @ ..] if first == "services" && !rest.is_empty() => {
            Some(rest.to_vec())
        }
        _ => None,
    }
}

/// With active profiles (`--profile`, `COMPOSE_PROFILES`), only the services they enable are
/// what compose starts: findings about the other services of the file are dropped (their
/// `profiles:` merged over the project's files). Secrets and the engine's own findings stay,
/// as for [`project_view`]: a secret in the file is exposed whichever services run.
fn profile_view(file: &SourceFile, settings: &LintSettings, findings: &mut Vec<Finding>) {
    use crate::model::compose::project::Project;
    use crate::source::FileKind;
    let Some(active) = settings.compose_env.profiles.as_deref() else {
        return;
    };
    // Not skipped when there is no finding: a dependency on a disabled service is one.
    if file.kind != FileKind::Compose {
        return;
    }
    let project = Project::of(&file.path, &file.text, &settings.compose_env)
        .unwrap_or_else(|| Project::alone(&file.path, &file.text));
    let (enabled, disabled): (Vec<String>, Vec<String>) = project
        .services_here()
        .into_iter()
        .map(|(name, _)| name)
        .partition(|name| project.enabled(name, active));
    let mut pipeline = disabled_dependencies(&project, &enabled, active);
    if !disabled.is_empty() {
        findings.retain(|f| {
            if f.name.starts_with("secret") || f.code.starts_with("PL0") {
                return true;
            }
            project
                .service_at(f.span, &f.message)
                .is_none_or(|s| !disabled.contains(&s))
        });
    }
    engine::settle(&mut pipeline, settings);
    findings.extend(pipeline);
}

/// The `depends_on` entries this file writes for an `enabled` service that name a service of
/// the project the `active` profiles leave out: compose refuses to start such a project
/// (unless the dependency is `required: false`).
fn disabled_dependencies(
    project: &crate::model::compose::project::Project,
    enabled: &[String],
    active: &[String],
) -> Vec<Finding> {
    let known = project.services();
    let mut out = Vec::new();
    for s in enabled {
        for dep in project.mapping_keys(&["services", s, "depends_on"]) {
            if !known.contains(&dep) || project.enabled(&dep, active) {
                continue;
            }
            let required = project
                .scalar_here(&["services", s, "depends_on", &dep, "required"])
                .is_none_or(|r| r != "false");
            // Reported where this file names the dependency: the long form's key, or the
            // list holding the name.
            let span = project
                .item_span_here(&["services", s, "depends_on"], &dep)
                .or_else(|| project.key_span_here(&["services", s, "depends_on", &dep]));
            let (Some(span), true) = (span, required) else {
                continue;
            };
            let profiles = project.items(&["services", &dep, "profiles"]).join(", ");
            out.push(engine::engine_finding(
                RuleId::ComposeProfileDependency,
                span,
                &format!(
                    "service `{s}` depends on `{dep}`, which the active profiles ({}) leave out \
                     (its profiles: {profiles}): `docker compose` refuses to start the project; \
                     activate one of its profiles, or mark the dependency `required: false`",
                    active.join(", ")
                ),
            ));
        }
    }
    out
}

/// Codes of the findings that quote the file where it fails to parse or to follow the schema
/// (syntax, schema, duplicate keys, interpolation, extends, input limits): their snippets show
/// whatever the file holds, and a file that is not what it is named (a `compose.yaml` linked to
/// a credentials file) holds secrets no rule marked.
const SOURCE_DIAGNOSTICS: [&str; 10] = [
    RuleId::DockerfileSyntax.code(),
    RuleId::YamlSyntax.code(),
    RuleId::ComposeSchema.code(),
    RuleId::DuplicateKey.code(),
    RuleId::ComposeInterpolation.code(),
    RuleId::ComposeUnsetVariable.code(),
    RuleId::ComposeExtends.code(),
    RuleId::ComposeMissingFile.code(),
    RuleId::ComposeInclude.code(),
    RuleId::InputLimit.code(),
];

/// Gives each syntax and schema finding the secret span its snippet would show, found by the
/// secret scanner on the lines the finding covers (whether or not the secret rules are
/// selected), and masks the secret in its message too. Several secrets on those lines are
/// covered by one span from the first to the last: a little more is masked, never less.
fn mask_source_diagnostics(file: &SourceFile, settings: &LintSettings, findings: &mut [Finding]) {
    use crate::analysis::secret::allowlist::Allowlist;
    use crate::analysis::secret::detect::{ScanOptions, scan};
    let mut allow: Option<std::sync::Arc<Allowlist>> = None;
    for f in findings.iter_mut() {
        if f.secret.is_some() || !SOURCE_DIAGNOSTICS.contains(&f.code) {
            continue;
        }
        let lines = shown_lines(file, f);
        let Some(text) = file.text.get(lines.clone()) else {
            continue;
        };
        let allow = allow
            .get_or_insert_with(|| Allowlist::cached(&settings.options.secret_allowlist))
            .clone();
        let hits = scan(text, lines.start, &allow, ScanOptions { assignments: true });
        let (Some(first), Some(last)) = (hits.first(), hits.last()) else {
            continue;
        };
        let values: Vec<&str> = hits.iter().map(|h| file.slice(h.secret)).collect();
        f.message = crate::finding::redact_values(&f.message, &values);
        for r in &mut f.related {
            r.label = crate::finding::redact_values(&r.label, &values);
        }
        f.secret = Some(first.secret.cover(last.secret));
    }
}

/// The byte range of the whole lines a finding's snippet shows: its span's lines and its
/// related spans' lines.
fn shown_lines(file: &SourceFile, f: &Finding) -> std::ops::Range<usize> {
    let index = &file.line_index;
    let lines_of = |span: Span| {
        let first = index.line_of(span.start as usize);
        let last = index.line_of((span.end as usize).max(span.start as usize));
        let start = index.line_start(first).unwrap_or(0);
        let end = index.line_start(last + 1).unwrap_or(file.text.len());
        start..end
    };
    let mut range = lines_of(f.span);
    for r in &f.related {
        let more = lines_of(r.span);
        range = range.start.min(more.start)..range.end.max(more.end);
    }
    range
}

/// Every span of `file` the secret scanner flags: the secrets the secret rules find (whatever
/// the selection: the settings' allow-list still applies) and every credential the raw text
/// holds (in comments too). For output that quotes the file outside a finding (diffs).
pub fn diff_secret_spans(file: &SourceFile, settings: &LintSettings) -> Vec<Span> {
    use crate::analysis::secret::allowlist::Allowlist;
    use crate::analysis::secret::detect::{ScanOptions, scan};
    let secret_rules = LintSettings {
        select: vec![engine::SECRET_FAMILY.to_string()],
        extend_select: Vec::new(),
        ignore: Vec::new(),
        ..settings.clone()
    };
    let (report, _) = engine::lint_source_with_statements(file, &secret_rules);
    let allow = Allowlist::cached(&settings.options.secret_allowlist);
    let mut spans: Vec<Span> = report.findings.iter().filter_map(|f| f.secret).collect();
    spans.extend(
        scan(&file.text, 0, &allow, ScanOptions { assignments: true })
            .into_iter()
            .map(|h| h.secret),
    );
    spans.sort();
    spans.dedup();
    spans
}

/// The unified diff from `old` to `new` (the file at `path`, of `kind`) with no span the secret
/// scanner flags printed ([`crate::fix::unified_diff_masked`]). A secret of the old text that
/// the new text still holds is masked there too, wherever it moved.
pub fn masked_diff(
    label: &str,
    path: &std::path::Path,
    kind: crate::source::FileKind,
    old: &str,
    new: &str,
    settings: &LintSettings,
) -> String {
    if old == new {
        return String::new();
    }
    let old_file = SourceFile::new(path.to_path_buf(), old, kind);
    let new_file = SourceFile::new(path.to_path_buf(), new, kind);
    let old_spans = diff_secret_spans(&old_file, settings);
    let mut new_spans = diff_secret_spans(&new_file, settings);
    for s in &old_spans {
        let value = old_file.slice(*s);
        if value.len() < 4 {
            continue;
        }
        new_spans.extend(
            new.match_indices(value)
                .map(|(at, v)| Span::new(at, at + v.len())),
        );
    }
    new_spans.sort();
    new_spans.dedup();
    crate::fix::unified_diff_masked(label, old, new, &old_spans, &new_spans)
}

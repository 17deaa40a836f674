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
/// A Dockerfile that compose services build ([`LintSettings::compose_builds`]) is linted as
/// they build it ([`lint_as_built`]).
pub fn lint_file(file: &SourceFile, settings: &LintSettings, opts: LintOptions) -> Linted {
    if file.kind == crate::source::FileKind::Dockerfile {
        let builds = settings
            .compose_builds
            .for_dockerfile(&file.path, &settings.compose_env);
        if !builds.is_empty() {
            return lint_as_built(file, settings, opts, &builds);
        }
    }
    lint_alone(file, settings, opts)
}

/// A Dockerfile linted as the compose services that build it do: once per distinct pair of
/// build inputs (each service's `build.args` over the configuration's `build-args`, under the
/// command line's `--build-arg`; its `build.target` unless `--target` is given), so `FROM
/// ${BASE}` is judged with the `BASE` compose passes and the rules about the image judge the
/// stage it targets. A finding any of those builds gets is kept, once per rule and span (the
/// first build's, in compose file and service order): the file is one file in the report
/// whatever number of services build it. A finding the file does not get linted without the
/// services' inputs says which services' inputs raise it, as a related note. An unused
/// suppression is reported only when it suppresses nothing in every build. The lint without the
/// services' inputs is not itself kept: it is not how the file is built.
pub fn lint_as_built(
    file: &SourceFile,
    settings: &LintSettings,
    opts: LintOptions,
    builds: &[crate::model::compose::builds::ServiceBuild],
) -> Linted {
    use std::collections::HashSet;
    type Key = (&'static str, u32, u32);
    let key = |f: &Finding| (f.code, f.span.start, f.span.end);
    let plain = lint_alone(file, settings, opts);
    let plain_keys: HashSet<Key> = plain.report.findings.iter().map(key).collect();
    // The distinct inputs, each with the services that build with them.
    let mut variants: Vec<(crate::model::build_inputs::BuildInputs, Vec<&_>)> = Vec::new();
    for b in builds {
        let inputs = settings.build.for_service(&b.args, b.target.as_deref());
        match variants.iter_mut().find(|(i, _)| *i == inputs) {
            Some((_, services)) => services.push(b),
            None => variants.push((inputs, vec![b])),
        }
    }
    // Each finding once, with the services whose builds get it.
    let mut index: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
    let mut findings: Vec<(Finding, Vec<&crate::model::compose::builds::ServiceBuild>)> =
        Vec::new();
    let mut unused: Option<HashSet<Key>> = None;
    let mut statements = plain.statements;
    for (inputs, services) in &variants {
        let s = LintSettings {
            build: std::sync::Arc::new(inputs.clone()),
            ..settings.clone()
        };
        let linted = lint_alone(file, &s, opts);
        statements = linted.statements;
        let these: HashSet<Key> = linted
            .report
            .findings
            .iter()
            .filter(|f| f.code == crate::suppress::UNUSED_CODE)
            .map(key)
            .collect();
        unused = Some(match unused {
            None => these,
            Some(u) => u.intersection(&these).copied().collect(),
        });
        for f in linted.report.findings {
            match index.get(&key(&f)) {
                Some(&i) => findings[i].1.extend(services.iter().copied()),
                None => {
                    index.insert(key(&f), findings.len());
                    findings.push((f, services.clone()));
                }
            }
        }
    }
    let unused = unused.unwrap_or_default();
    let mut out = Vec::with_capacity(findings.len());
    for (mut f, services) in findings {
        if f.code == crate::suppress::UNUSED_CODE {
            if unused.contains(&key(&f)) {
                out.push(f);
            }
            continue;
        }
        if !plain_keys.contains(&key(&f))
            && let Some(first) = services.first()
        {
            // The editor goes to the first service's `build:`, where the inputs are set.
            f.related.push(crate::finding::Related::elsewhere(
                f.span,
                built_by_label(&settings.build, &services),
                first.compose.clone(),
                first.line,
                first.column,
            ));
        }
        out.push(f);
    }
    let mut report = plain.report;
    report.findings = out;
    report.sort();
    Linted { report, statements }
}

/// "as service `web` (compose.yaml:4:7) builds it: build.args BASE; build.target prod", naming
/// every service whose build gets the finding, the build arguments they set (but those the
/// command line gives, which win) and their targets (unless `--target` is given). The
/// arguments are named, never their values (a build argument may carry a secret).
fn built_by_label(
    base: &crate::model::build_inputs::BuildInputs,
    services: &[&crate::model::compose::builds::ServiceBuild],
) -> String {
    use std::collections::BTreeSet;
    let who: Vec<String> = services.iter().map(|b| b.describe()).collect();
    let names: BTreeSet<&str> = services
        .iter()
        .flat_map(|b| b.args.keys())
        .filter(|k| !base.explicit_args.contains(*k))
        .map(String::as_str)
        .collect();
    let targets: BTreeSet<&str> = services
        .iter()
        .filter(|_| !base.explicit_stage)
        .filter_map(|b| b.target.as_deref())
        .collect();
    let mut what = Vec::new();
    if !names.is_empty() {
        what.push(format!(
            "build.args {}",
            names.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !targets.is_empty() {
        what.push(format!(
            "build.target {}",
            targets.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let what = if what.is_empty() {
        String::new()
    } else {
        format!(": {}", what.join("; "))
    };
    let verb = if services.len() > 1 {
        "build"
    } else {
        "builds"
    };
    format!("as {} {verb} it{what}", who.join(", "))
}

/// Lints one decoded file on its own (no compose build applied).
fn lint_alone(file: &SourceFile, settings: &LintSettings, opts: LintOptions) -> Linted {
    let (mut report, statements) = engine::lint_source_with_statements(file, settings);
    mask_source_diagnostics(file, settings, &mut report.findings);
    name_extended_files(file, settings, &mut report.findings);
    // The project views share one reading of the file's compose project (finding its files
    // costs a `stat` per default name, and this file is parsed again for it), made when the
    // first of them needs it.
    let project = FileProject::new(file, settings);
    project_view(&project, &mut report.findings);
    project_built_images(&project, &mut report.findings);
    project_user(&project, &mut report.findings);
    profile_view(&project, &mut report.findings);
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
        // The editor goes to the value in the other file, where it can be changed.
        let at = value.map_or((1, 1), |v| (v.line, v.column));
        f.related.push(crate::finding::Related::elsewhere(
            import.file_span,
            label,
            import.file.clone(),
            at.0,
            at.1,
        ));
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

/// A compose file's project ([`Project::of`]), read once for the views below, when first
/// asked.
///
/// [`Project::of`]: crate::model::compose::project::Project::of
struct FileProject<'a> {
    file: &'a SourceFile,
    settings: &'a LintSettings,
    project: std::cell::OnceCell<Option<crate::model::compose::project::Project>>,
}

impl<'a> FileProject<'a> {
    fn new(file: &'a SourceFile, settings: &'a LintSettings) -> FileProject<'a> {
        FileProject {
            file,
            settings,
            project: std::cell::OnceCell::new(),
        }
    }

    /// The project of several files the file belongs to (`None` when it stands alone).
    fn get(&self) -> Option<&crate::model::compose::project::Project> {
        self.project
            .get_or_init(|| {
                crate::model::compose::project::Project::of(
                    &self.file.path,
                    &self.file.text,
                    &self.settings.compose_env,
                )
            })
            .as_ref()
    }
}

/// A compose file that is part of a larger project (an override file beside it, or the
/// `-f` list) is judged with the project: a finding on a value a later file replaces is not
/// about what runs and is dropped (the later file's value is linted where it is written); a
/// finding on an absence another file fills is dropped; a value that replaces an earlier
/// file's says which, as a related note. Secrets and the engine's own findings stay: a secret
/// written in a file is exposed whatever replaces it, and a broken file is broken.
fn project_view(fp: &FileProject<'_>, findings: &mut Vec<Finding>) {
    let (file, settings) = (fp.file, fp.settings);
    use crate::model::compose::project::Verdict;
    use crate::source::FileKind;
    if file.kind != FileKind::Compose || findings.is_empty() {
        return;
    }
    let Some(project) = fp.get() else {
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
                f.related.push(crate::finding::Related::elsewhere(
                    f.span, label, p.file, p.line, p.column,
                ));
                true
            }
            Verdict::Kept { overrides: None } => {
                if !absent.is_empty() {
                    f.related.push(crate::finding::Related::new(
                        f.span,
                        format!("no other file of the project sets it ({others})"),
                    ));
                }
                true
            }
        }
    });
}

/// `root-user-built` says a service sets no `user:`, so its Dockerfile decides: in a project of
/// several files, a `user:` another file gives the service (an override adding `user: "1000"`,
/// or the base file's when the build is in the override) decides instead, and the finding is
/// dropped. The project's merged `user` is read through [`Project::scalar`], so a `!reset` in a
/// later file unsets it as compose does.
///
/// [`Project::scalar`]: crate::model::compose::project::Project::scalar
fn project_user(fp: &FileProject<'_>, findings: &mut Vec<Finding>) {
    let file = fp.file;
    use crate::source::FileKind;
    const RULE: &str = RuleId::RootUserBuilt.name();
    if file.kind != FileKind::Compose || !findings.iter().any(|f| f.name == RULE) {
        return;
    }
    let Some(project) = fp.get() else {
        return;
    };
    let Some(me) = project.members.get(project.me) else {
        return;
    };
    let yaml = &me.parsed.yaml;
    // The services of this file, with the span of each one's key and value.
    let services: Vec<(String, Span)> = yaml
        .documents
        .first()
        .and_then(|d| d.root)
        .and_then(|root| yaml.lookup(yaml.resolve(root), "services"))
        .map(|e| {
            yaml.entries(yaml.resolve(e.value))
                .into_iter()
                .filter_map(|s| {
                    let name = yaml.scalar(s.key)?.to_string();
                    let key = yaml.node(s.key)?.span;
                    let value = yaml.node(s.value)?.span;
                    Some((name, key.cover(value)))
                })
                .collect()
        })
        .unwrap_or_default();
    findings.retain(|f| {
        if f.name != RULE {
            return true;
        }
        let Some((name, _)) = services
            .iter()
            .find(|(_, span)| span.contains(f.span.start as usize))
        else {
            return true;
        };
        project.scalar(&["services", name, "user"]).is_none()
    });
}

/// The rules that judge a compose `image:` as an image pulled from a registry.
const PULL_RULES: [&str; 7] = [
    "latest-tag",
    "latest-tag-implicit",
    "unpinned-digest",
    "untrusted-registry",
    "repository-not-allowed",
    "base-image-not-allowed",
    "banned-image",
];

/// In a project of several files (an override beside the file, the `-f` list), an `image:`
/// that names a build result is no pull either when the build is written in another file: the
/// service's own `build:` in the base file, or another service's `build:` with that `image:`.
/// The in-file cases are the image analysis's ([`crate::analysis::images::image_uses`]); this
/// drops the pull rules' findings on such an `image:` once the project is known.
fn project_built_images(fp: &FileProject<'_>, findings: &mut Vec<Finding>) {
    let (file, settings) = (fp.file, fp.settings);
    use crate::analysis::images::{built_names, tag_key};
    use crate::source::FileKind;
    use crate::syntax::compose::interpolate;
    if file.kind != FileKind::Compose || !findings.iter().any(|f| PULL_RULES.contains(&f.name)) {
        return;
    }
    let env = &settings.compose_env;
    let Some(project) = fp.get() else {
        return;
    };
    let mut names = std::collections::HashSet::new();
    let mut building = std::collections::HashSet::new();
    for (i, m) in project.members.iter().enumerate() {
        if i == project.me {
            continue;
        }
        let Ok(text) = env.files.text(&m.path) else {
            continue;
        };
        let other = crate::model::compose::load(&text, &m.path, env);
        names.extend(built_names(other.services()));
        building.extend(
            other
                .services()
                .filter(|s| s.build.is_some())
                .map(|s| s.name.value.clone()),
        );
    }
    if names.is_empty() && building.is_empty() {
        return;
    }
    let model = crate::model::compose::load(&file.text, &file.path, env);
    let key = |raw: &str| {
        let r = interpolate::interpolate(raw, &|_| None);
        r.problems.is_empty().then(|| tag_key(&r.value)).flatten()
    };
    // A service built in another file names its result here.
    for s in model.services() {
        if building.contains(&s.name.value)
            && let Some(k) = s.image.as_ref().and_then(|i| key(&i.raw))
        {
            names.insert(k);
        }
    }
    let built: Vec<Span> = model
        .services()
        .filter_map(|s| {
            let image = s.image.as_ref()?;
            let is_built = building.contains(&s.name.value)
                || key(&image.raw).is_some_and(|k| names.contains(&k));
            is_built.then_some(image.span)
        })
        .collect();
    findings.retain(|f| {
        !(PULL_RULES.contains(&f.name)
            && built
                .iter()
                .any(|s| s.contains(f.span.start as usize) || *s == f.span))
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
fn profile_view(fp: &FileProject<'_>, findings: &mut Vec<Finding>) {
    let (file, settings) = (fp.file, fp.settings);
    use crate::model::compose::project::Project;
    use crate::source::FileKind;
    let Some(active) = settings.compose_env.profiles.as_deref() else {
        return;
    };
    // Not skipped when there is no finding: a dependency on a disabled service is one.
    if file.kind != FileKind::Compose {
        return;
    }
    let alone;
    let project = match fp.get() {
        Some(p) => p,
        None => {
            alone = Project::alone(&file.path, &file.text);
            &alone
        }
    };
    let (enabled, disabled): (Vec<String>, Vec<String>) = project
        .services_here()
        .into_iter()
        .map(|(name, _)| name)
        .partition(|name| project.enabled(name, active));
    let mut pipeline = disabled_dependencies(project, &enabled, active);
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

#[cfg(test)]
mod built_tests {
    use super::*;
    use crate::model::compose::builds::ComposeBuilds;
    use crate::model::compose::{Env, MemFiles};
    use crate::source::FileKind;
    use std::sync::Arc;

    fn settings(files: &[(&str, &str)]) -> LintSettings {
        let mut m = MemFiles::new();
        for (p, t) in files {
            m = m.with(*p, *t);
        }
        LintSettings {
            compose_env: Arc::new(Env::new().with_files(Arc::new(m))),
            compose_builds: ComposeBuilds::fresh(),
            ..LintSettings::default()
        }
    }

    const DIGEST: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

    fn compose() -> String {
        format!(
            "services:\n  web:\n    build:\n      context: .\n      args: {{BASE: 'debian:12@sha256:{DIGEST}'}}\n    user: '1'\n  old:\n    build:\n      context: .\n      args: {{BASE: 'debian:latest'}}\n    user: '1'\n"
        )
    }

    #[test]
    fn each_distinct_build_is_linted_and_a_finding_is_kept_once() {
        let df = "ARG BASE=debian\n# plimsoll ignore=PL101\nFROM ${BASE}\n# plimsoll ignore=PL201\nUSER app\n";
        let compose = compose();
        let s = settings(&[("/p/compose.yaml", &compose), ("/p/Dockerfile", df)]);
        let file = SourceFile::new("/p/Dockerfile", df, FileKind::Dockerfile);
        let opts = LintOptions {
            report_unused_suppressions: true,
            ..LintOptions::default()
        };
        let linted = lint_file(&file, &s, opts);
        let names: Vec<&str> = linted.report.findings.iter().map(|f| f.name).collect();
        // `debian` (the ARG default, no tag) is no build's: not reported. `old`'s
        // `debian:latest` is suppressed; the suppression is used by that build, so it is not
        // reported unused although `web`'s build does not need it. The one for `root-user`
        // suppresses nothing in any build: reported, once.
        assert!(!names.contains(&"latest-tag-implicit"), "{names:?}");
        assert!(!names.contains(&"latest-tag"), "{names:?}");
        let unused: Vec<&Finding> = linted
            .report
            .findings
            .iter()
            .filter(|f| f.name == "unused-suppression")
            .collect();
        assert_eq!(unused.len(), 1, "{unused:?}");
        assert!(unused[0].message.contains("PL201"), "{unused:?}");

        // Without the comment, the latest tag is reported once, naming `old`.
        let df = "ARG BASE=debian\nFROM ${BASE}\nUSER app\n";
        let s = settings(&[("/p/compose.yaml", &compose), ("/p/Dockerfile", df)]);
        let file = SourceFile::new("/p/Dockerfile", df, FileKind::Dockerfile);
        let linted = lint_file(&file, &s, opts);
        let latest: Vec<&Finding> = linted
            .report
            .findings
            .iter()
            .filter(|f| f.name == "latest-tag")
            .collect();
        assert_eq!(latest.len(), 1, "{:?}", linted.report.findings);
        let labels: Vec<&str> = latest[0].related.iter().map(|r| r.label.as_str()).collect();
        assert!(
            labels
                .iter()
                .any(|l| l.starts_with("as service `old` (/p/compose.yaml:")
                    && l.ends_with("build.args BASE")),
            "{labels:?}"
        );
        assert!(
            !labels.iter().any(|l| l.contains("ARG default")),
            "{labels:?}"
        );
    }

    #[test]
    fn a_user_another_file_of_the_project_sets_decides() {
        let base = "services:\n  web:\n    build: .\n";
        let over = "services:\n  web:\n    user: '1000'\n";
        let df = "FROM debian:12\n";
        let file = SourceFile::new("/p/compose.yaml", base, FileKind::Compose);
        let alone = settings(&[("/p/compose.yaml", base), ("/p/Dockerfile", df)]);
        let names = |s: &LintSettings| -> Vec<&'static str> {
            lint_file(&file, s, LintOptions::default())
                .report
                .findings
                .iter()
                .map(|f| f.name)
                .collect()
        };
        assert!(names(&alone).contains(&"root-user-built"));
        let both = settings(&[
            ("/p/compose.yaml", base),
            ("/p/compose.override.yaml", over),
            ("/p/Dockerfile", df),
        ]);
        assert!(!names(&both).contains(&"root-user-built"));
    }

    #[test]
    fn an_image_another_file_builds_is_not_a_pull() {
        let base = "services:\n  app:\n    build: .\n    image: myorg/app\n";
        let over = "services:\n  job:\n    image: myorg/app:latest\n    user: '1'\n  app:\n    user: '1'\n";
        let s = settings(&[
            ("/p/compose.yaml", base),
            ("/p/compose.override.yaml", over),
        ]);
        let file = SourceFile::new("/p/compose.override.yaml", over, FileKind::Compose);
        let findings = lint_file(&file, &s, LintOptions::default()).report.findings;
        assert!(
            !findings.iter().any(|f| PULL_RULES.contains(&f.name)),
            "{findings:?}"
        );
        // Alone, the override's `image:` is a pull.
        let alone = settings(&[("/p/compose.override.yaml", over)]);
        let findings = lint_file(&file, &alone, LintOptions::default())
            .report
            .findings;
        assert!(
            findings.iter().any(|f| f.name == "latest-tag"),
            "{findings:?}"
        );
    }
}

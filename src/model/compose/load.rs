//! Loading a compose file ([`load`]): the YAML tree, the `.env` beside it, schema and
//! interpolation diagnostics, then one [`Compose`] per document from [`super::builder`].

use std::cell::RefCell;

use super::builder::{Budget, Cx, LoadFiles, Vars, raw_offset_of};
use super::files::FileError;
use super::*;
use crate::syntax::compose::dotenv;
use crate::syntax::compose::interpolate::ProblemKind;
use crate::syntax::compose::subset_reader::find_any4;
use crate::syntax::compose::yaml::{self, NodeKind, YamlErrorKind};

/// Loads a compose file: parses `text` (the file at `path`), reads the `.env` beside it through
/// `env.files`, checks the schema and builds one [`Compose`] per document. Never panics and
/// never fails: problems are [`Diagnostic`]s.
pub fn load(text: &str, path: &Path, env: &Env) -> ComposeFile {
    let run = || load_inner(text, path, env);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(file) => file,
        // A bug of ours must not take the whole run down: report it as a file-level problem.
        Err(_) => ComposeFile {
            path: path.to_path_buf(),
            yaml: Yaml::default(),
            documents: Vec::new(),
            diagnostics: vec![Diagnostic {
                kind: DiagnosticKind::Syntax,
                span: Span::empty(0),
                message: "internal error while reading this compose file".to_string(),
                related: Vec::new(),
            }],
            imports: Vec::new(),
        },
    }
}

/// Reads and loads the file at `path` (for callers holding only a path), with
/// [`crate::fsio::read_regular`]'s rules.
pub fn load_path(path: &Path, env: &Env) -> std::io::Result<ComposeFile> {
    let bytes = crate::fsio::read_regular(path, crate::source::MAX_FILE_SIZE)?;
    let (text, _) = crate::source::decode(bytes);
    Ok(load(&text, path, env))
}

/// The `.env` beside the file, when the file may use it: `.env` only feeds interpolation, here
/// or in a file `extends` names, so a file with neither `$` nor `extends` does not read it. A
/// missing `.env` (or a dangling link, which the loader notes) is no `.env`, as for compose.
/// A file another compose file includes reads its project's dotenv files instead
/// ([`super::include`]): the first that sets a variable wins.
fn read_dotenv(
    text: &str,
    path: &Path,
    included: Option<&super::include::IncludeContext>,
    env: &Env,
    out: &mut Vec<Diagnostic>,
) -> dotenv::DotEnv {
    static EXTENDS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"extends"));
    let may_use =
        memchr::memchr(b'$', text.as_bytes()).is_some() || EXTENDS.find(text.as_bytes()).is_some();
    if !may_use {
        return dotenv::DotEnv::default();
    }
    let Some(ctx) = included else {
        return match dotenv_path(path) {
            Some(p) => read_one_dotenv(&p, env, out),
            None => dotenv::DotEnv::default(),
        };
    };
    let mut merged = dotenv::DotEnv::default();
    let mut seen = std::collections::HashSet::new();
    for p in &ctx.dotenv {
        let one = read_one_dotenv(p, env, out);
        for (name, value) in one.vars {
            if seen.insert(name.clone()) {
                merged.vars.push((name, value));
            }
        }
    }
    merged
}

fn read_one_dotenv(p: &Path, env: &Env, out: &mut Vec<Diagnostic>) -> dotenv::DotEnv {
    let text = match env.files.text(p) {
        Ok(t) => t,
        Err(FileError::Missing | FileError::Dangling { .. }) => return dotenv::DotEnv::default(),
        Err(FileError::Unreadable(why)) => {
            out.push(Diagnostic {
                kind: DiagnosticKind::Interpolation,
                span: Span::empty(0),
                message: format!(
                    "`{}` cannot be read ({why}); variables are interpolated without it",
                    p.display()
                ),
                related: Vec::new(),
            });
            return dotenv::DotEnv::default();
        }
    };
    let outer = |n: &str| env.vars.get(n).cloned();
    let parsed = dotenv::parse_within(&text, &outer, dotenv::budget_for(&text));
    if let Some(line) = parsed.stopped_at {
        out.push(Diagnostic {
            kind: DiagnosticKind::AliasBudget,
            span: Span::empty(0),
            message: format!(
                "`{}` line {line}: its values grow past their budget (1 MiB plus four times the \
                 file's size; does each value double the one before?): from there on, values \
                 that need expansion are unknown",
                p.display()
            ),
            related: Vec::new(),
        });
    }
    parsed
}

fn load_inner(text: &str, path: &Path, env: &Env) -> ComposeFile {
    let yaml = yaml::parse(text);
    let mut diagnostics: Vec<Diagnostic> = yaml
        .errors
        .iter()
        .map(|e| Diagnostic {
            kind: match e.kind {
                YamlErrorKind::Syntax => DiagnosticKind::Syntax,
                YamlErrorKind::DuplicateKey => DiagnosticKind::DuplicateKey,
                YamlErrorKind::AliasBudget => DiagnosticKind::AliasBudget,
                YamlErrorKind::Depth | YamlErrorKind::RecursiveAlias => DiagnosticKind::Depth,
            },
            span: e.span,
            message: e.message.clone(),
            related: e
                .related
                .iter()
                .map(|s| (*s, "first defined here".to_string()))
                .collect(),
        })
        .collect();
    let included = env.includes.as_deref().and_then(|i| i.context(path));
    if let Some(inc) = env.includes.as_deref() {
        diagnostics.extend(inc.problems(path).iter().map(|p| Diagnostic {
            kind: DiagnosticKind::Include,
            span: p.span,
            message: p.message.clone(),
            related: Vec::new(),
        }));
    }
    let dotenv = read_dotenv(text, path, included, env, &mut diagnostics);
    // An included file's relative paths resolve from its project directory: the checks that
    // read them take a path there (the file's own name in that directory).
    let anchor = match included {
        Some(ctx) => ctx.project_dir.join(
            path.file_name()
                .unwrap_or(std::ffi::OsStr::new("compose.yaml")),
        ),
        None => path.to_path_buf(),
    };
    let vars = Vars {
        process: &env.vars,
        dotenv: dotenv.vars.into_iter().collect(),
    };
    let budget = Budget::for_text(text.len());
    let imports = RefCell::new(Vec::new());
    let files = LoadFiles::new(&*env.files);
    let mut documents = Vec::new();
    for doc in &yaml.documents {
        if doc.refused {
            continue;
        }
        let Some(root) = doc.root else {
            continue;
        };
        if yaml.is_null(root) {
            continue;
        }
        if !yaml.is_mapping(root) {
            diagnostics.push(Diagnostic {
                kind: DiagnosticKind::Schema,
                span: yaml.node(root).map(|n| n.span).unwrap_or_default(),
                message: "a compose file must be a mapping at the top level".to_string(),
                related: Vec::new(),
            });
            continue;
        }
        // Only a file without `services:` can be in the old layout: most never look.
        let v1 = yaml.lookup(root, "services").is_none() && schema::is_v1_layout(&yaml, root);
        if v1 {
            let first = yaml
                .entries(root)
                .first()
                .and_then(|e| yaml.node(e.key))
                .map_or(Span::empty(0), |n| n.span);
            diagnostics.push(Diagnostic {
                kind: DiagnosticKind::LegacyLayout,
                span: first,
                message: "services at the top level, without `services:`: the version-1 \
                          layout, which current `docker compose` refuses; its services are \
                          linted as if under `services:` (indent them under a `services:` key)"
                    .to_string(),
                related: Vec::new(),
            });
            schema::check_v1(&yaml, root, &mut diagnostics);
        } else {
            schema::check(&yaml, root, &mut diagnostics);
        }
        interpolation_diagnostics(&yaml, root, &vars, &budget, &mut diagnostics);
        let mut cx = Cx {
            yaml: &yaml,
            vars: &vars,
            files: &files,
            budget: &budget,
            imports: &imports,
            // `extends.file` too is read from an included file's project directory.
            path: &anchor,
            diags: &mut diagnostics,
            via: None,
            remap: None,
            services: None,
        };
        let compose = if v1 {
            cx.compose_v1(root, doc.span)
        } else {
            cx.compose(root, doc.span)
        };
        let unbuildable =
            super::missing::check(&compose, &anchor, &vars, &*env.files, &mut diagnostics);
        let mut compose = compose;
        super::built::resolve(&mut compose, &anchor, &*env.files, &unbuildable);
        documents.push(compose);
    }
    if let Some((span, message)) = budget.stopped.take() {
        diagnostics.push(Diagnostic {
            kind: DiagnosticKind::AliasBudget,
            span,
            message,
            related: Vec::new(),
        });
    }
    ComposeFile {
        path: path.to_path_buf(),
        yaml,
        documents,
        diagnostics,
        imports: imports.into_inner(),
    }
}

/// Interpolates every scalar value of the document once (aliases are not followed, so a shared
/// value is reported once) and reports `${VAR:?}` errors, malformed templates and unset
/// variables (each unset variable once per value, however often the value uses it).
fn interpolation_diagnostics(
    yaml: &Yaml,
    root: NodeId,
    vars: &Vars<'_>,
    budget: &Budget,
    out: &mut Vec<Diagnostic>,
) {
    // The tree's text holds every scalar value (and the source): without a `$` in it there is
    // nothing to interpolate, and no need to walk the tree.
    if memchr::memchr(b'$', yaml.text.as_bytes()).is_none() {
        return;
    }
    let mut stack = Vec::with_capacity(64);
    stack.push((root, false));
    while let Some((id, is_key)) = stack.pop() {
        let Some(node) = yaml.node(id) else { continue };
        match &node.kind {
            NodeKind::Scalar { value, style } => {
                let value = yaml.str(*value);
                if is_key || find_any4(value.as_bytes(), b'$', b'$', b'$', b'$').is_none() {
                    continue;
                }
                let Some(r) = budget.problems(value, vars, node.span) else {
                    // The budget is spent: the stop is reported once, by the budget.
                    return;
                };
                let raw_offset = raw_offset_of(node.span, *style, value);
                let span_of = |start: usize, end: usize| match raw_offset {
                    Some(o) if start <= end && end <= value.len() => {
                        Span::new(o as usize + start, o as usize + end)
                    }
                    _ => node.span,
                };
                for p in r {
                    let span = span_of(p.start, p.end);
                    let (kind, message) = match p.kind {
                        ProblemKind::Unset { name } => (
                            DiagnosticKind::UnsetVariable,
                            match p.more {
                                0 => format!(
                                    "variable `{name}` is not set and has no default; it reads \
                                     as \"\""
                                ),
                                n => format!(
                                    "variable `{name}` is not set and has no default; it reads \
                                     as \"\" (here and {n} more times in this value)"
                                ),
                            },
                        ),
                        // How compose files ask for configuration at deployment: the machine
                        // that lints is seldom the one that deploys, so a variable missing here
                        // is at most the unset-variable note, and nothing at all when the
                        // environment is left out (`--ignore-env`, or the library's default).
                        ProblemKind::Required { .. } if vars.process.is_empty() => continue,
                        ProblemKind::Required { name, message } => (
                            DiagnosticKind::UnsetVariable,
                            format!(
                                "required variable `{name}` is not set in this environment; \
                                 `docker compose` refuses to start without it: {message}"
                            ),
                        ),
                        ProblemKind::Invalid { reason } => (DiagnosticKind::Interpolation, reason),
                    };
                    out.push(Diagnostic {
                        kind,
                        span,
                        message,
                        related: Vec::new(),
                    });
                }
            }
            NodeKind::Sequence(items) => {
                stack.extend(yaml.items(*items).iter().rev().map(|&i| (i, false)))
            }
            NodeKind::Mapping(pairs) => {
                for p in yaml.pairs(*pairs).iter().rev() {
                    stack.push((p.value, false));
                    stack.push((p.key, true));
                }
            }
            NodeKind::Alias { .. } => {}
        }
    }
}

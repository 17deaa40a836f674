//! Builds the typed model from the YAML tree: [`load`].

use std::path::{Path, PathBuf};

use super::schema::{self, parse_bool};
use super::short;
use super::*;
use crate::syntax::compose::dotenv;
use crate::syntax::compose::interpolate::{ProblemKind, interpolate};
use crate::syntax::compose::subset_reader::find_any4;
use crate::syntax::compose::yaml::{self, Entry, NodeKind, YamlErrorKind};

/// `extends` chains longer than this are refused (real files use one or two levels).
const MAX_EXTENDS: usize = 16;

/// Loads a compose file: parses `text` (the file at `path`), reads the `.env` beside it unless
/// `env.dotenv` is already filled, checks the schema and builds one [`Compose`] per document.
/// Never panics and never fails: problems are [`Diagnostic`]s.
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
        },
    }
}

/// Reads and loads the file at `path` (for `extends: {file: ...}` and callers holding only a path).
pub fn load_path(path: &Path, env: &Env) -> std::io::Result<ComposeFile> {
    let bytes = read_named_file(path)?;
    let (text, _) = crate::source::decode(bytes);
    Ok(load(&text, path, env))
}

/// Reads a file a compose file names (`extends.file`, the `.env` beside it): only a regular file
/// of at most [`MAX_FILE_SIZE`] bytes, so a repository cannot make the run block on a FIFO or
/// read a device such as `/dev/zero` forever.
fn read_named_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use crate::source::MAX_FILE_SIZE;
    use std::io::{Error, ErrorKind, Read};
    // Checked before opening: opening a FIFO blocks until a writer appears.
    if !std::fs::metadata(path)?.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_SIZE as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_FILE_SIZE {
        let msg = format!("larger than {} MiB", MAX_FILE_SIZE >> 20);
        return Err(Error::new(ErrorKind::InvalidData, msg));
    }
    Ok(bytes)
}

/// The environment with the `.env` beside the file read in, when the file may use it; the
/// caller's own (not a copy: it may hold the whole process environment) otherwise.
fn with_dotenv<'e>(text: &str, path: &Path, env: &'e Env) -> std::borrow::Cow<'e, Env> {
    use std::borrow::Cow;
    // `.env` only feeds interpolation, here or in a file `extends` names: a file with neither
    // `$` nor `extends` cannot use it, so it is not worth a trip to the disk.
    static EXTENDS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"extends"));
    let may_use =
        memchr::memchr(b'$', text.as_bytes()).is_some() || EXTENDS.find(text.as_bytes()).is_some();
    if may_use
        && env.dotenv.is_empty()
        && let Some(p) = dotenv_path(path)
        && let Ok(bytes) = read_named_file(&p)
        && let Ok(text) = String::from_utf8(bytes)
    {
        let mut env = env.clone();
        env.dotenv = dotenv::parse(&text, &|n| env.vars.get(n).cloned())
            .into_iter()
            .collect();
        return Cow::Owned(env);
    }
    Cow::Borrowed(env)
}

fn load_inner(text: &str, path: &Path, env: &Env) -> ComposeFile {
    let yaml = yaml::parse(text);
    let env = with_dotenv(text, path, env);
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
        schema::check(&yaml, root, &mut diagnostics);
        interpolation_diagnostics(&yaml, root, &env, &mut diagnostics);
        let mut cx = Cx {
            yaml: &yaml,
            env: &env,
            path,
            diags: &mut diagnostics,
            via: None,
            remap: None,
            services: None,
        };
        documents.push(cx.compose(root, doc.span));
    }
    ComposeFile {
        path: path.to_path_buf(),
        yaml,
        documents,
        diagnostics,
    }
}

/// Interpolates every scalar value of the document once (aliases are not followed, so a shared
/// value is reported once) and reports `${VAR:?}` errors, malformed templates and unset variables.
fn interpolation_diagnostics(yaml: &Yaml, root: NodeId, env: &Env, out: &mut Vec<Diagnostic>) {
    // The tree's text holds every scalar value (and the source): without a `$` in it there is
    // nothing to interpolate, and no need to walk the tree.
    if memchr::memchr(b'$', yaml.text.as_bytes()).is_none() {
        return;
    }
    let lookup = |n: &str| env.get(n).map(str::to_string);
    let mut stack = Vec::with_capacity(64);
    stack.push((root, false));
    while let Some((id, is_key)) = stack.pop() {
        let Some(node) = yaml.node(id) else { continue };
        match &node.kind {
            NodeKind::Scalar { value, .. } => {
                let value = yaml.str(*value);
                if is_key || find_any4(value.as_bytes(), b'$', b'$', b'$', b'$').is_none() {
                    continue;
                }
                let r = interpolate(value, &lookup);
                let t = scalar_text(yaml, id, value, String::new());
                for p in r.problems {
                    let span = t.as_ref().map_or(node.span, |t| t.span_of(p.start..p.end));
                    let (kind, message) = match p.kind {
                        ProblemKind::Unset { name } => (
                            DiagnosticKind::UnsetVariable,
                            format!(
                                "variable `{name}` is not set and has no default; it reads as \"\""
                            ),
                        ),
                        // How compose files ask for configuration at deployment: the machine
                        // that lints is seldom the one that deploys, so a variable missing here
                        // is at most the unset-variable note, and nothing at all when the
                        // environment is left out (`--ignore-env`).
                        ProblemKind::Required { .. } if !env.has_process_environment() => {
                            continue;
                        }
                        ProblemKind::Required { name, message } => (
                            DiagnosticKind::UnsetVariable,
                            format!(
                                "required variable `{name}` is not set in this environment;                                  `docker compose` refuses to start without it: {message}"
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

/// The [`Text`] of scalar node `id` (not following aliases) with `value` as its resolved text.
fn scalar_text(yaml: &Yaml, id: NodeId, raw: &str, value: String) -> Option<Text> {
    let node = yaml.node(id)?;
    let NodeKind::Scalar { style, .. } = &node.kind else {
        return None;
    };
    Some(Text {
        raw: raw.to_string(),
        value,
        span: node.span,
        style: *style,
        raw_offset: raw_offset(yaml, id, raw),
        node: id,
        origin: None,
    })
}

/// Where `raw` sits verbatim in the source, if it does. The source text is not kept in the tree,
/// so this compares lengths: a plain or quoted scalar without escapes or line folding spans
/// exactly its text (plus quotes).
fn raw_offset(yaml: &Yaml, id: NodeId, raw: &str) -> Option<u32> {
    let node = yaml.node(id)?;
    let NodeKind::Scalar { style, .. } = &node.kind else {
        return None;
    };
    raw_offset_of(node.span, *style, raw)
}

/// [`raw_offset`] of a scalar with this span and style.
fn raw_offset_of(span: Span, style: ScalarStyle, raw: &str) -> Option<u32> {
    let len = span.len();
    let b = raw.as_bytes();
    match style {
        ScalarStyle::Plain if len == raw.len() && !b.contains(&b'\n') => Some(span.start),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
            if len == raw.len() + 2 && !b.iter().any(|c| matches!(c, b'\n' | b'\'' | b'\\')) =>
        {
            Some(span.start + 1)
        }
        _ => None,
    }
}

/// Whether `s` holds byte `b`: a plain loop for the short values most scalars are (a vector
/// search costs more to set up than it saves there).
fn has_byte(s: &str, b: u8) -> bool {
    if s.len() < 64 {
        s.bytes().any(|c| c == b)
    } else {
        memchr::memchr(b, s.as_bytes()).is_some()
    }
}

/// YAML's null as a plain scalar reads it (see [`Yaml::is_null`]).
fn is_null_text(raw: &str) -> bool {
    matches!(raw, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.replace('_', "");
    let v = if let Some(o) = body.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if let Some(h) = body.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        // YAML 1.1 octal, as compose reads file modes such as `0440`.
        i64::from_str_radix(&body[1..], 8).ok()?
    } else {
        body.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

/// Tags that change how `extends` merges a key.
#[derive(Default)]
struct KeyTags {
    reset: Vec<String>,
    replace: Vec<String>,
}

struct Cx<'a> {
    yaml: &'a Yaml,
    env: &'a Env,
    path: &'a Path,
    diags: &'a mut Vec<Diagnostic>,
    /// The anchor a value being built came through (merge key or alias).
    via: Option<Origin>,
    /// Building a service from another file: every span points at this `extends` entry instead.
    remap: Option<(Span, PathBuf, String)>,
    /// The document's `services` mapping, for `extends` within the file.
    services: Option<NodeId>,
}

impl<'a> Cx<'a> {
    fn span(&self, id: NodeId) -> Span {
        if let Some((s, _, _)) = &self.remap {
            return *s;
        }
        self.yaml.node(id).map(|n| n.span).unwrap_or_default()
    }

    fn node_span(&self, id: NodeId) -> Span {
        self.span(self.yaml.resolve(id))
    }

    fn anchor_origin(&self, alias: NodeId, target: NodeId) -> Option<Origin> {
        let (name, anchor_span) = self.yaml.anchor_of(target)?;
        Some(Origin::Anchor {
            name: name.to_string(),
            anchor_span,
            alias_span: self.yaml.node(alias).map(|n| n.span).unwrap_or_default(),
        })
    }

    fn scoped<T>(&mut self, id: NodeId, f: impl FnOnce(&mut Self, NodeId) -> T) -> T {
        let target = self.yaml.resolve(id);
        // Only an alias changes the origin in scope (the common case keeps it: no copy).
        let origin = if target != id {
            self.anchor_origin(id, target)
        } else {
            None
        };
        let saved = origin.map(|o| self.via.replace(o));
        let r = f(self, target);
        if let Some(saved) = saved {
            self.via = saved;
        }
        r
    }

    fn resolve_text(&self, raw: &str) -> String {
        let lookup = |n: &str| self.env.get(n).map(str::to_string);
        interpolate(raw, &lookup).value.into_owned()
    }

    /// A scalar value as [`Text`] (interpolated). `None` for null and for collections.
    fn text(&mut self, id: NodeId) -> Option<Text> {
        self.make_text(id, true)
    }

    /// A key as [`Text`] (keys are not interpolated).
    fn key_text(&mut self, id: NodeId) -> Option<Text> {
        self.make_text(id, false)
    }

    /// [`Cx::text`] and [`Cx::key_text`] in one pass over the node: what [`Cx::scoped`],
    /// [`scalar_text`] and [`Cx::finish`] do for a value, without the moves and lookups between
    /// them (this runs for every value of the file).
    fn make_text(&self, id: NodeId, value: bool) -> Option<Text> {
        let yaml = self.yaml;
        let target = yaml.resolve(id);
        let node = yaml.node(target)?;
        let NodeKind::Scalar { value: v, style } = node.kind else {
            return None;
        };
        let raw = yaml.str(v);
        // A null value is no text (a null key is: keys are always strings).
        if value && style == ScalarStyle::Plain && is_null_text(raw) {
            return None;
        }
        // Most values hold none of the bytes interpolation and `raw_offset` look for: one
        // word-wide scan tells.
        let ordinary = find_any4(raw.as_bytes(), b'$', b'\n', b'\'', b'\\').is_none();
        let resolved = if value && !ordinary && has_byte(raw, b'$') {
            self.resolve_text(raw)
        } else {
            raw.to_string()
        };
        let (span, raw_offset, origin) = match &self.remap {
            Some((s, file, service)) => (
                *s,
                None,
                Some(Origin::Extends {
                    service: service.clone(),
                    file: Some(file.clone()),
                    original_span: node.span,
                }),
            ),
            None => {
                let origin = if target != id
                    && let Some(o) = self.anchor_origin(id, target)
                {
                    Some(o)
                } else {
                    self.via.clone()
                };
                let raw_offset = if ordinary {
                    // What `raw_offset_of` finds, without scanning again.
                    let len = node.span.len();
                    match style {
                        ScalarStyle::Plain if len == raw.len() => Some(node.span.start),
                        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
                            if len == raw.len() + 2 =>
                        {
                            Some(node.span.start + 1)
                        }
                        _ => None,
                    }
                } else {
                    raw_offset_of(node.span, style, raw)
                };
                (node.span, raw_offset, origin)
            }
        };
        Some(Text {
            raw: raw.to_string(),
            value: resolved,
            span,
            style,
            raw_offset,
            node: target,
            origin,
        })
    }

    /// Part `range` of `t.raw`, interpolated on its own.
    fn sub_text(&self, t: &Text, range: std::ops::Range<usize>) -> Option<Text> {
        let raw = t.raw.get(range.clone())?;
        Some(Text {
            raw: raw.to_string(),
            value: self.resolve_text(raw),
            span: t.span_of(range.clone()),
            style: t.style,
            raw_offset: t.raw_offset.map(|o| o + range.start as u32),
            node: t.node,
            origin: t.origin.clone(),
        })
    }

    fn texts(&mut self, id: NodeId) -> Vec<Text> {
        match self.yaml.sequence(id) {
            Some(items) => {
                let items = items.to_vec();
                self.scoped(id, |cx, _| {
                    items.into_iter().filter_map(|i| cx.text(i)).collect()
                })
            }
            None => self.text(id).into_iter().collect(),
        }
    }

    fn flag(&mut self, id: NodeId) -> Option<Flag> {
        let text = self.text(id)?;
        Some(Flag {
            value: parse_bool(&text.value),
            text,
        })
    }

    fn num(&mut self, id: NodeId) -> Option<Num> {
        let text = self.text(id)?;
        Some(Num {
            value: parse_int(&text.value),
            text,
        })
    }

    /// Entries of a mapping with merge keys applied, each with its key's text.
    /// (An iterator over the tree, not borrowing `self`: no list is collected per mapping.)
    fn entries(&self, id: NodeId) -> impl Iterator<Item = (&'a str, Entry)> + use<'a> {
        let yaml: &'a Yaml = self.yaml;
        yaml.iter_entries(id)
            .filter_map(move |e| Some((yaml.scalar(e.key)?, e)))
    }

    /// Runs `f` on an entry's value with the entry's merge origin in scope.
    fn entry<T>(&mut self, e: &Entry, f: impl FnOnce(&mut Self, NodeId) -> T) -> T {
        // Only a merged entry changes the origin in scope (scopes inside `f` restore what they
        // change, so the common case saves nothing).
        let origin = e.merged_from.and_then(|m| {
            let (name, anchor_span) = self.yaml.anchor_of(m.anchor_node)?;
            Some(Origin::Anchor {
                name: name.to_string(),
                anchor_span,
                alias_span: m.use_span,
            })
        });
        let saved = origin.map(|o| self.via.replace(o));
        let r = f(self, e.value);
        if let Some(saved) = saved {
            self.via = saved;
        }
        r
    }

    fn key_values(&mut self, id: NodeId) -> Vec<KeyValue> {
        if let Some(items) = self.yaml.sequence(id) {
            let items = items.to_vec();
            return self.scoped(id, |cx, _| {
                let mut out = Vec::new();
                for i in items {
                    let Some(t) = cx.text(i) else { continue };
                    let (key, value) = match t.raw.find('=') {
                        Some(eq) => (
                            cx.sub_text(&t, 0..eq).map(|mut k| {
                                k.value = k.raw.clone();
                                k
                            }),
                            cx.sub_text(&t, eq + 1..t.raw.len()),
                        ),
                        None => (
                            Some(Text {
                                value: t.raw.clone(),
                                ..t.clone()
                            }),
                            None,
                        ),
                    };
                    if let Some(key) = key {
                        out.push(KeyValue {
                            key,
                            value,
                            span: t.span,
                            list_form: true,
                        });
                    }
                }
                out
            });
        }
        if !self.yaml.is_mapping(id) {
            return Vec::new();
        }
        self.scoped(id, |cx, m| {
            let mut out = Vec::new();
            for (_, e) in cx.entries(m) {
                let Some(key) = cx.entry(&e, |cx, _| cx.key_text(e.key)) else {
                    continue;
                };
                let value = cx.entry(&e, |cx, v| cx.text(v));
                let span = value.as_ref().map_or(key.span, |v| key.span.cover(v.span));
                out.push(KeyValue {
                    key,
                    value,
                    span,
                    list_form: false,
                });
            }
            out
        })
    }

    fn command(&mut self, id: NodeId) -> Option<Command> {
        if self.yaml.is_null(id) {
            return None;
        }
        let span = self.node_span(id);
        let node = self.yaml.resolve(id);
        if self.yaml.sequence(id).is_some() {
            Some(Command {
                span,
                node,
                shell: None,
                exec: self.texts(id),
            })
        } else {
            Some(Command {
                span,
                node,
                shell: Some(self.text(id)?),
                exec: Vec::new(),
            })
        }
    }

    fn compose(&mut self, root: NodeId, span: Span) -> Compose {
        let mut c = Compose {
            span,
            node: Some(root),
            ..Compose::default()
        };
        let entries: Vec<_> = self.entries(root).collect();
        self.services = entries
            .iter()
            .find(|(k, _)| *k == "services")
            .map(|(_, e)| self.yaml.resolve(e.value));
        for (key, e) in &entries {
            match *key {
                "name" => c.name = self.entry(e, |cx, v| cx.text(v)),
                "version" => c.version = self.entry(e, |cx, v| cx.text(v)),
                "services" => c.services = self.entry(e, |cx, v| cx.services(v)),
                "networks" => c.networks = self.entry(e, |cx, v| cx.resources(v)),
                "volumes" => c.volumes = self.entry(e, |cx, v| cx.resources(v)),
                "secrets" => c.secrets = self.entry(e, |cx, v| cx.resources(v)),
                "configs" => c.configs = self.entry(e, |cx, v| cx.resources(v)),
                "models" => c.models = self.entry(e, |cx, v| cx.resources(v)),
                "include" => c.include = self.entry(e, |cx, v| cx.includes(v)),
                k if k.starts_with("x-") => c.extensions.extend(self.key_text(e.key)),
                _ => {}
            }
        }
        c
    }

    fn services(&mut self, id: NodeId) -> Vec<Service> {
        if !self.yaml.is_mapping(id) {
            return Vec::new();
        }
        self.scoped(id, |cx, m| {
            let entries: Vec<_> = cx.entries(m).collect();
            // Services are large: grow the list once, not by doubling copies.
            let mut out = Vec::with_capacity(entries.len());
            for (name, e) in entries {
                if name.starts_with("x-") || !cx.yaml.is_mapping(e.value) {
                    continue;
                }
                // Filled only when the service has `extends` (see `service_extended`).
                let mut visiting = Vec::new();
                cx.entry(&e, |cx, v| {
                    cx.service_extended(e.key, v, &mut visiting, &mut out)
                });
            }
            out
        })
    }

    /// A service with its `extends` chain merged in, pushed onto `out` (built in place there:
    /// a service is large, and moving it through each return costs more than building it).
    fn service_extended(
        &mut self,
        key: NodeId,
        id: NodeId,
        visiting: &mut Vec<(PathBuf, String)>,
        out: &mut Vec<Service>,
    ) {
        let tags = self.service(key, id, out);
        let Some(ext) = out.last().and_then(|s| s.extends.clone()) else {
            return;
        };
        if visiting.is_empty()
            && let Some(s) = out.last()
        {
            // The chain starts at this service (its key, as written).
            visiting.push((self.path.to_path_buf(), s.name.raw.clone()));
        }
        let base = self.extends_base(&ext, visiting);
        if let Some(base) = base
            && let Some(own) = out.pop()
        {
            let mut own = merge_service(base, own, &tags);
            if let Some(x) = own.extends.as_mut() {
                x.resolved = true;
            }
            out.push(own);
        }
    }

    fn extends_error(&mut self, span: Span, message: String) {
        self.diags.push(Diagnostic {
            kind: DiagnosticKind::Extends,
            span,
            message,
            related: Vec::new(),
        });
    }

    fn extends_base(
        &mut self,
        ext: &Extends,
        visiting: &mut Vec<(PathBuf, String)>,
    ) -> Option<Service> {
        let name = ext.service.value.clone();
        if visiting.len() > MAX_EXTENDS {
            self.extends_error(ext.span, "`extends` chain is too long".to_string());
            return None;
        }
        let Some(file) = &ext.file else {
            let here = (self.path.to_path_buf(), name.clone());
            if visiting.contains(&here) {
                self.extends_error(ext.span, format!("`extends` of `{name}` forms a cycle"));
                return None;
            }
            let services = self.services?;
            let Some(e) = self.yaml.lookup(services, &name) else {
                self.extends_error(
                    ext.service.span,
                    format!("`extends` names service `{name}`, which this file does not define"),
                );
                return None;
            };
            visiting.push(here);
            let mut one = Vec::with_capacity(1);
            self.entry(&e, |cx, v| {
                cx.service_extended(e.key, v, visiting, &mut one)
            });
            visiting.pop();
            return one.pop();
        };
        let dir = self.path.parent().unwrap_or(Path::new(""));
        let other = dir.join(&file.value);
        let here = (other.clone(), name.clone());
        if visiting.contains(&here) {
            self.extends_error(ext.span, format!("`extends` of `{name}` forms a cycle"));
            return None;
        }
        let text = match read_named_file(&other) {
            Ok(bytes) => crate::source::decode(bytes).0,
            Err(err) => {
                self.extends_error(
                    file.span,
                    format!("`extends` cannot read `{}`: {err}", other.display()),
                );
                return None;
            }
        };
        let oyaml = yaml::parse(&text);
        let services = oyaml
            .documents
            .iter()
            .filter(|d| !d.refused)
            .filter_map(|d| d.root)
            .find_map(|r| oyaml.lookup(r, "services"))
            .map(|e| oyaml.resolve(e.value));
        let found = services.and_then(|s| oyaml.lookup(s, &name));
        let Some(e) = found else {
            self.extends_error(
                ext.service.span,
                format!(
                    "`extends` names service `{name}`, which `{}` does not define",
                    other.display()
                ),
            );
            return None;
        };
        if oyaml
            .errors
            .iter()
            .any(|e| e.kind != YamlErrorKind::DuplicateKey)
        {
            self.extends_error(
                file.span,
                format!(
                    "`{}` has YAML errors; `extends` read what it could",
                    other.display()
                ),
            );
        }
        // Spans of the other file mean nothing here: point them at this `extends` entry.
        let mut sub_diags = Vec::new();
        let mut sub = Cx {
            yaml: &oyaml,
            env: self.env,
            path: &other,
            diags: &mut sub_diags,
            via: None,
            remap: Some((
                self.remap.as_ref().map_or(ext.span, |r| r.0),
                other.clone(),
                name.clone(),
            )),
            services,
        };
        visiting.push(here);
        let mut one = Vec::with_capacity(1);
        sub.entry(&e, |cx, v| {
            cx.service_extended(e.key, v, visiting, &mut one)
        });
        visiting.pop();
        let s = one.pop()?;
        for mut d in sub_diags {
            d.span = ext.span;
            self.diags.push(d);
        }
        Some(s)
    }

    /// Pushes the service at `key`/`id` onto `out`; returns its keys' `!reset`/`!override` tags.
    fn service(&mut self, key: NodeId, id: NodeId, out: &mut Vec<Service>) -> KeyTags {
        let name = self.key_text(key).unwrap_or_else(|| Text {
            raw: String::new(),
            value: String::new(),
            span: self.span(key),
            style: ScalarStyle::Plain,
            raw_offset: None,
            node: key,
            origin: None,
        });
        out.push(Service {
            name,
            span: self.node_span(id),
            node: self.yaml.resolve(id),
            image: None,
            build: None,
            user: None,
            privileged: None,
            read_only: None,
            use_api_socket: None,
            init: None,
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            security_opt: Vec::new(),
            network_mode: None,
            pid: None,
            ipc: None,
            userns_mode: None,
            restart: None,
            container_name: None,
            platform: None,
            volumes: Vec::new(),
            ports: Vec::new(),
            environment: Vec::new(),
            env_file: Vec::new(),
            secrets: Vec::new(),
            configs: Vec::new(),
            devices: Vec::new(),
            healthcheck: None,
            deploy: None,
            profiles: Vec::new(),
            labels: Vec::new(),
            depends_on: Vec::new(),
            networks: Vec::new(),
            command: None,
            entrypoint: None,
            extends: None,
        });
        let mut tags = KeyTags::default();
        let Some(s) = out.last_mut() else {
            return tags;
        };
        for (k, e) in self.entries(id) {
            match self.yaml.tag(e.value) {
                Some("!reset") => {
                    tags.reset.push(k.to_string());
                    continue;
                }
                Some("!override") => tags.replace.push(k.to_string()),
                _ => {}
            }
            self.entry(&e, |cx, v| match k {
                "image" => s.image = cx.text(v),
                "build" => s.build = cx.build(v),
                "user" => s.user = cx.text(v),
                "privileged" => s.privileged = cx.flag(v),
                "read_only" => s.read_only = cx.flag(v),
                "use_api_socket" => s.use_api_socket = cx.flag(v),
                "init" => s.init = cx.flag(v),
                "cap_add" => s.cap_add = cx.texts(v),
                "cap_drop" => s.cap_drop = cx.texts(v),
                "security_opt" => s.security_opt = cx.texts(v),
                "network_mode" => s.network_mode = cx.text(v),
                "pid" => s.pid = cx.text(v),
                "ipc" => s.ipc = cx.text(v),
                "userns_mode" => s.userns_mode = cx.text(v),
                "restart" => s.restart = cx.text(v),
                "container_name" => s.container_name = cx.text(v),
                "platform" => s.platform = cx.text(v),
                "volumes" => s.volumes = cx.list(v, Cx::volume),
                "ports" => s.ports = cx.list(v, Cx::port),
                "environment" => s.environment = cx.key_values(v),
                "env_file" => s.env_file = cx.env_files(v),
                "secrets" => s.secrets = cx.list(v, Cx::file_ref),
                "configs" => s.configs = cx.list(v, Cx::file_ref),
                "devices" => s.devices = cx.list(v, Cx::device),
                "healthcheck" => s.healthcheck = cx.healthcheck(v),
                "deploy" => s.deploy = cx.deploy(v),
                "profiles" => s.profiles = cx.texts(v),
                "labels" => s.labels = cx.key_values(v),
                "depends_on" => s.depends_on = cx.names(v),
                "networks" => s.networks = cx.names(v),
                "command" => s.command = cx.command(v),
                "entrypoint" => s.entrypoint = cx.command(v),
                "extends" => s.extends = cx.extends(v),
                _ => {}
            });
        }
        tags
    }

    /// Items of a sequence through `f` (each with the sequence's anchor origin in scope).
    fn list<T>(&mut self, id: NodeId, f: fn(&mut Self, NodeId) -> Option<T>) -> Vec<T> {
        let Some(items) = self.yaml.sequence(id) else {
            return Vec::new();
        };
        let items = items.to_vec();
        self.scoped(id, |cx, _| {
            items.into_iter().filter_map(|i| cx.scoped(i, f)).collect()
        })
    }

    /// A list of names, or the keys of a mapping (depends_on, networks).
    fn names(&mut self, id: NodeId) -> Vec<Text> {
        if self.yaml.sequence(id).is_some() {
            return self.texts(id);
        }
        if !self.yaml.is_mapping(id) {
            return Vec::new();
        }
        self.scoped(id, |cx, m| {
            cx.entries(m)
                .filter_map(|(_, e)| cx.entry(&e, |cx, _| cx.key_text(e.key)))
                .collect()
        })
    }

    /// Looks up keys of a long-syntax mapping with `f(key, value_node)`.
    fn fields(&mut self, id: NodeId, mut f: impl FnMut(&mut Self, &str, NodeId)) {
        for (k, e) in self.entries(id) {
            self.entry(&e, |cx, v| f(cx, k, v));
        }
    }

    fn build(&mut self, id: NodeId) -> Option<Box<Build>> {
        let mut b = Box::new(Build {
            span: self.node_span(id),
            node: self.yaml.resolve(id),
            short: false,
            context: None,
            dockerfile: None,
            dockerfile_inline: None,
            args: Vec::new(),
            target: None,
            secrets: Vec::new(),
        });
        if !self.yaml.is_mapping(id) {
            b.short = true;
            b.context = Some(self.text(id)?);
            return Some(b);
        }
        self.fields(id, |cx, k, v| match k {
            "context" => b.context = cx.text(v),
            "dockerfile" => b.dockerfile = cx.text(v),
            "dockerfile_inline" => b.dockerfile_inline = cx.text(v),
            "args" => b.args = cx.key_values(v),
            "target" => b.target = cx.text(v),
            "secrets" => b.secrets = cx.list(v, Cx::file_ref),
            _ => {}
        });
        Some(b)
    }

    fn volume(&mut self, id: NodeId) -> Option<VolumeMount> {
        let span = self.node_span(id);
        if let Some(t) = self.text(id) {
            let parts = short::volume(&t.raw);
            let mut m = VolumeMount {
                span: t.span,
                node: id,
                short: Some(t.clone()),
                kind: MountKind::Volume,
                source: None,
                target: None,
                mode: None,
                read_only: false,
            };
            let Some(p) = parts else {
                self.diags.push(Diagnostic {
                    kind: DiagnosticKind::Schema,
                    span: t.span,
                    message: format!("volume `{}` has too many `:`-separated parts", t.raw),
                    related: Vec::new(),
                });
                return Some(m);
            };
            m.source = p.source.and_then(|r| self.sub_text(&t, r));
            m.target = self.sub_text(&t, p.target);
            m.mode = p.mode.and_then(|r| self.sub_text(&t, r));
            m.read_only = m
                .mode
                .as_ref()
                .is_some_and(|x| x.value.split(',').any(|o| o == "ro"));
            m.kind = match &m.source {
                Some(s) if short::is_host_path(&s.value) => MountKind::Bind,
                _ => MountKind::Volume,
            };
            return Some(m);
        }
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let mut m = VolumeMount {
            span,
            node: id,
            short: None,
            kind: MountKind::Volume,
            source: None,
            target: None,
            mode: None,
            read_only: false,
        };
        self.fields(id, |cx, k, v| match k {
            "type" => {
                m.kind = match cx.yaml.scalar(v).map(|s| cx.resolve_text(s)).as_deref() {
                    Some("bind") => MountKind::Bind,
                    Some("volume") => MountKind::Volume,
                    Some("tmpfs") => MountKind::Tmpfs,
                    Some("npipe") => MountKind::Npipe,
                    Some("cluster") => MountKind::Cluster,
                    Some("image") => MountKind::Image,
                    _ => MountKind::Other,
                }
            }
            "source" => m.source = cx.text(v),
            "target" => m.target = cx.text(v),
            "read_only" => m.read_only = cx.flag(v).is_some_and(|f| f.is_true()),
            _ => {}
        });
        Some(m)
    }

    fn port(&mut self, id: NodeId) -> Option<Port> {
        let mut p = Port {
            span: self.node_span(id),
            node: id,
            short: None,
            host_ip: None,
            published: None,
            target: None,
            protocol: None,
            mode: None,
            name: None,
            app_protocol: None,
        };
        if let Some(t) = self.text(id) {
            if let Some(sp) = short::port(&t.raw) {
                p.host_ip = sp.host_ip.and_then(|r| self.sub_text(&t, r));
                p.published = sp.published.and_then(|r| self.sub_text(&t, r));
                p.target = self.sub_text(&t, sp.target);
                p.protocol = sp.protocol.and_then(|r| self.sub_text(&t, r));
            }
            p.span = t.span;
            p.short = Some(t);
            return Some(p);
        }
        if !self.yaml.is_mapping(id) {
            return None;
        }
        self.fields(id, |cx, k, v| match k {
            "host_ip" => p.host_ip = cx.text(v),
            "published" => p.published = cx.text(v),
            "target" => p.target = cx.text(v),
            "protocol" => p.protocol = cx.text(v),
            "mode" => p.mode = cx.text(v),
            "name" => p.name = cx.text(v),
            "app_protocol" => p.app_protocol = cx.text(v),
            _ => {}
        });
        Some(p)
    }

    fn file_ref(&mut self, id: NodeId) -> Option<FileRef> {
        if let Some(t) = self.text(id) {
            return Some(FileRef {
                span: t.span,
                node: id,
                source: t,
                target: None,
                uid: None,
                gid: None,
                mode: None,
            });
        }
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let span = self.node_span(id);
        let (mut source, mut target, mut uid, mut gid, mut mode) = (None, None, None, None, None);
        self.fields(id, |cx, k, v| match k {
            "source" => source = cx.text(v),
            "target" => target = cx.text(v),
            "uid" => uid = cx.text(v),
            "gid" => gid = cx.text(v),
            "mode" => mode = cx.num(v),
            _ => {}
        });
        Some(FileRef {
            span,
            node: id,
            source: source?,
            target,
            uid,
            gid,
            mode,
        })
    }

    fn device(&mut self, id: NodeId) -> Option<Device> {
        if let Some(t) = self.text(id) {
            let (s, d, p) = short::device(&t.raw);
            return Some(Device {
                span: t.span,
                node: id,
                source: self.sub_text(&t, s),
                target: d.and_then(|r| self.sub_text(&t, r)),
                permissions: p.and_then(|r| self.sub_text(&t, r)),
                short: Some(t),
            });
        }
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let mut d = Device {
            span: self.node_span(id),
            node: id,
            short: None,
            source: None,
            target: None,
            permissions: None,
        };
        self.fields(id, |cx, k, v| match k {
            "source" => d.source = cx.text(v),
            "target" => d.target = cx.text(v),
            "permissions" => d.permissions = cx.text(v),
            _ => {}
        });
        Some(d)
    }

    fn env_files(&mut self, id: NodeId) -> Vec<EnvFile> {
        if let Some(t) = self.text(id) {
            return vec![EnvFile {
                span: t.span,
                path: t,
                required: None,
                format: None,
            }];
        }
        self.list(id, |cx, i| {
            if let Some(t) = cx.text(i) {
                return Some(EnvFile {
                    span: t.span,
                    path: t,
                    required: None,
                    format: None,
                });
            }
            let span = cx.node_span(i);
            let (mut path, mut required, mut format) = (None, None, None);
            cx.fields(i, |cx, k, v| match k {
                "path" => path = cx.text(v),
                "required" => required = cx.flag(v),
                "format" => format = cx.text(v),
                _ => {}
            });
            Some(EnvFile {
                span,
                path: path?,
                required,
                format,
            })
        })
    }

    fn healthcheck(&mut self, id: NodeId) -> Option<Box<Healthcheck>> {
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let mut h = Box::new(Healthcheck {
            span: self.node_span(id),
            node: self.yaml.resolve(id),
            test: None,
            disable: None,
            interval: None,
            timeout: None,
            start_period: None,
            start_interval: None,
            retries: None,
        });
        self.fields(id, |cx, k, v| match k {
            "test" => h.test = cx.command(v),
            "disable" => h.disable = cx.flag(v),
            "interval" => h.interval = cx.text(v),
            "timeout" => h.timeout = cx.text(v),
            "start_period" => h.start_period = cx.text(v),
            "start_interval" => h.start_interval = cx.text(v),
            "retries" => h.retries = cx.num(v),
            _ => {}
        });
        Some(h)
    }

    fn deploy(&mut self, id: NodeId) -> Option<Box<Deploy>> {
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let mut d = Box::new(Deploy {
            span: self.node_span(id),
            node: self.yaml.resolve(id),
            mode: None,
            replicas: None,
            resources: None,
        });
        self.fields(id, |cx, k, v| match k {
            "mode" => d.mode = cx.text(v),
            "replicas" => d.replicas = cx.num(v),
            "resources" if cx.yaml.is_mapping(v) => {
                let mut r = Resources {
                    span: cx.node_span(v),
                    limits: None,
                    reservations: None,
                };
                cx.fields(v, |cx, k, v| match k {
                    "limits" => r.limits = cx.resource_spec(v),
                    "reservations" => r.reservations = cx.resource_spec(v),
                    _ => {}
                });
                d.resources = Some(r);
            }
            _ => {}
        });
        Some(d)
    }

    fn resource_spec(&mut self, id: NodeId) -> Option<ResourceSpec> {
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let mut r = ResourceSpec {
            span: self.node_span(id),
            cpus: None,
            memory: None,
            pids: None,
        };
        self.fields(id, |cx, k, v| match k {
            "cpus" => r.cpus = cx.text(v),
            "memory" => r.memory = cx.text(v),
            "pids" => r.pids = cx.num(v),
            _ => {}
        });
        Some(r)
    }

    fn extends(&mut self, id: NodeId) -> Option<Extends> {
        let span = self.node_span(id);
        if let Some(t) = self.text(id) {
            return Some(Extends {
                span,
                service: t,
                file: None,
                resolved: false,
            });
        }
        let (mut service, mut file) = (None, None);
        self.fields(id, |cx, k, v| match k {
            "service" => service = cx.text(v),
            "file" => file = cx.text(v),
            _ => {}
        });
        Some(Extends {
            span,
            service: service?,
            file,
            resolved: false,
        })
    }

    fn resources(&mut self, id: NodeId) -> Vec<Resource> {
        if !self.yaml.is_mapping(id) {
            return Vec::new();
        }
        self.scoped(id, |cx, m| {
            let mut out = Vec::new();
            for (k, e) in cx.entries(m) {
                if k.starts_with("x-") {
                    continue;
                }
                let Some(key) = cx.entry(&e, |cx, _| cx.key_text(e.key)) else {
                    continue;
                };
                let mut r = Resource {
                    span: cx.entry(&e, |cx, v| cx.node_span(v)),
                    node: cx.yaml.resolve(e.value),
                    key,
                    name: None,
                    external: None,
                    driver: None,
                    file: None,
                    environment: None,
                    content: None,
                    labels: Vec::new(),
                };
                cx.entry(&e, |cx, v| {
                    cx.fields(v, |cx, k, v| match k {
                        "name" => r.name = cx.text(v),
                        "external" => r.external = cx.flag(v),
                        "driver" => r.driver = cx.text(v),
                        "file" => r.file = cx.text(v),
                        "environment" => r.environment = cx.text(v),
                        "content" => r.content = cx.text(v),
                        "labels" => r.labels = cx.key_values(v),
                        _ => {}
                    })
                });
                out.push(r);
            }
            out
        })
    }

    fn includes(&mut self, id: NodeId) -> Vec<Include> {
        self.list(id, |cx, i| {
            let span = cx.node_span(i);
            if let Some(t) = cx.text(i) {
                return Some(Include {
                    span,
                    node: i,
                    path: vec![t],
                    project_directory: None,
                    env_file: Vec::new(),
                });
            }
            let mut inc = Include {
                span,
                node: i,
                path: Vec::new(),
                project_directory: None,
                env_file: Vec::new(),
            };
            cx.fields(i, |cx, k, v| match k {
                "path" => inc.path = cx.texts(v),
                "project_directory" => inc.project_directory = cx.text(v),
                "env_file" => inc.env_file = cx.texts(v),
                _ => {}
            });
            Some(inc)
        })
    }
}

/// Merges an `extends` base into the service that extends it, as compose does: single values
/// from the service win; lists of capabilities and such are joined; environment, labels and
/// build args merge by key; volumes and devices by target; `!override` replaces the base's value
/// and `!reset` drops it.
fn merge_service(base: Service, mut own: Service, tags: &KeyTags) -> Service {
    let reset = |k: &str| tags.reset.iter().any(|r| r == k);
    let replace = |k: &str| tags.replace.iter().any(|r| r == k);
    macro_rules! opt {
        ($($f:ident),*) => {$(
            if own.$f.is_none() && !reset(stringify!($f)) {
                own.$f = base.$f;
            }
        )*};
    }
    opt!(
        image,
        user,
        privileged,
        read_only,
        use_api_socket,
        init,
        network_mode,
        pid,
        ipc,
        userns_mode,
        restart,
        container_name,
        platform,
        healthcheck,
        deploy,
        command,
        entrypoint
    );
    macro_rules! join {
        ($key:expr, $f:ident, $same:expr) => {
            if !reset(stringify!($f)) && !replace(stringify!($f)) {
                let mut merged = base.$f;
                for item in std::mem::take(&mut own.$f) {
                    let same: fn(&_, &_) -> bool = $same;
                    merged.retain(|b| !same(b, &item));
                    merged.push(item);
                }
                own.$f = merged;
            }
        };
    }
    join!("cap_add", cap_add, |a: &Text, b: &Text| a.value == b.value);
    join!("cap_drop", cap_drop, |a: &Text, b: &Text| a.value
        == b.value);
    join!("security_opt", security_opt, |a: &Text, b: &Text| a.value
        == b.value);
    join!("profiles", profiles, |a: &Text, b: &Text| a.value
        == b.value);
    join!("depends_on", depends_on, |a: &Text, b: &Text| a.value
        == b.value);
    join!("networks", networks, |a: &Text, b: &Text| a.value
        == b.value);
    join!("environment", environment, |a: &KeyValue, b: &KeyValue| a
        .key
        .value
        == b.key.value);
    join!("labels", labels, |a: &KeyValue, b: &KeyValue| a.key.value
        == b.key.value);
    join!("volumes", volumes, |a: &VolumeMount, b: &VolumeMount| {
        a.target.as_ref().map(|t| &t.value) == b.target.as_ref().map(|t| &t.value)
    });
    join!("devices", devices, |a: &Device, b: &Device| {
        a.target.as_ref().map(|t| &t.value) == b.target.as_ref().map(|t| &t.value)
    });
    join!("ports", ports, |a: &Port, b: &Port| {
        a.short.as_ref().map(|t| &t.value) == b.short.as_ref().map(|t| &t.value)
            && a.short.is_some()
    });
    join!("secrets", secrets, |a: &FileRef, b: &FileRef| a
        .source
        .value
        == b.source.value);
    join!("configs", configs, |a: &FileRef, b: &FileRef| a
        .source
        .value
        == b.source.value);
    join!("env_file", env_file, |a: &EnvFile, b: &EnvFile| a
        .path
        .value
        == b.path.value);
    if !reset("build") {
        own.build = match (base.build, own.build.take()) {
            (Some(b), Some(mut o)) if !replace("build") => {
                o.context = o.context.or(b.context);
                o.dockerfile = o.dockerfile.or(b.dockerfile);
                o.dockerfile_inline = o.dockerfile_inline.or(b.dockerfile_inline);
                o.target = o.target.or(b.target);
                let mut args = b.args;
                for a in o.args {
                    args.retain(|x| x.key.value != a.key.value);
                    args.push(a);
                }
                o.args = args;
                if o.secrets.is_empty() {
                    o.secrets = b.secrets;
                }
                Some(o)
            }
            (b, o) => o.or(b),
        };
    }
    own
}

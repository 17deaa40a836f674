//! Builds the typed model of one YAML document ([`Cx::compose`]): the context every section
//! builder shares ([`Cx`]: spans, texts, interpolation, anchors in scope) here, the document and
//! its services in [`document`], the sections of a service (build, volumes, ports, ...) in
//! [`sections`], and `extends` with its merge in [`extends`].

mod document;
mod extends;
mod sections;

use std::cell::{Cell, RefCell};
use std::path::PathBuf;

use super::files::{ComposeFiles, FileError, ParsedFile};
use super::schema::parse_bool;
use super::*;
use crate::source::LineIndex;
use crate::syntax::compose::interpolate::interpolate_within;
use crate::syntax::compose::subset_reader::find_any4;
use crate::syntax::compose::yaml::{Entry, NodeKind};

/// The variables a compose file is interpolated with: the process environment over the `.env`
/// beside the file.
pub(super) struct Vars<'e> {
    pub(super) process: &'e std::collections::HashMap<String, String>,
    pub(super) dotenv: std::collections::HashMap<String, String>,
}

impl Vars<'_> {
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.process
            .get(name)
            .or_else(|| self.dotenv.get(name))
            .map(String::as_str)
    }
}

/// What building a file's model may cost, shared by everything that builds it. Interpolation
/// output and the text built (through aliases and `extends` a value is built once per use) are
/// counted in bytes; past a limit, values are left uninterpolated, or `extends` unresolved, and
/// the first place this happened is reported (`input-limit`).
pub(super) struct Budget {
    /// Interpolation output bytes still allowed.
    interpolation: Cell<usize>,
    /// Text bytes built so far, and the most `extends` may bring the total to.
    built: Cell<usize>,
    build_limit: usize,
    /// The first place a limit stopped the build, with the reason.
    pub(super) stopped: RefCell<Option<(Span, String)>>,
}

impl Budget {
    /// The budget for a file of `len` bytes: fixed allowances plus multiples of its size, far
    /// beyond what real files use.
    pub(super) fn for_text(len: usize) -> Budget {
        Budget {
            interpolation: Cell::new((16 << 20) + 8 * len),
            built: Cell::new(0),
            build_limit: (64 << 20) + 8 * len,
            stopped: RefCell::new(None),
        }
    }

    pub(super) fn stop(&self, span: Span, why: String) {
        let mut s = self.stopped.borrow_mut();
        if s.is_none() {
            *s = Some((span, why));
        }
    }

    /// `raw` interpolated with `vars`, charged to the budget; `raw` as is once it is spent.
    pub(super) fn interpolate(&self, raw: &str, vars: &Vars<'_>, at: Span) -> String {
        let left = self.interpolation.get();
        if left == 0 {
            return raw.to_string();
        }
        let lookup = |n: &str| vars.get(n).map(str::to_string);
        let r = interpolate_within(raw, &lookup, left);
        if r.exhausted {
            self.interpolation.set(0);
            self.stop(
                at,
                "interpolating variables goes past this file's budget (16 MiB plus eight times \
                 the file's size): from here on values are left as written"
                    .to_string(),
            );
            return raw.to_string();
        }
        self.interpolation.set(left.saturating_sub(r.value.len()));
        r.value.into_owned()
    }

    /// The problems of interpolating `raw` (a scalar at `at`), charged to the budget; `None`
    /// once it is spent.
    pub(super) fn problems(
        &self,
        raw: &str,
        vars: &Vars<'_>,
        at: Span,
    ) -> Option<Vec<crate::syntax::compose::interpolate::Problem>> {
        let left = self.interpolation.get();
        if left == 0 {
            return None;
        }
        let lookup = |n: &str| vars.get(n).map(str::to_string);
        let r = interpolate_within(raw, &lookup, left);
        if r.exhausted {
            self.interpolation.set(0);
            self.stop(
                at,
                "interpolating variables here goes past this file's budget (16 MiB plus eight \
                 times the file's size): from here on values are left as written"
                    .to_string(),
            );
            return None;
        }
        self.interpolation.set(left.saturating_sub(r.value.len()));
        Some(r.problems)
    }

    /// Charges `n` bytes of text built.
    fn built(&self, n: usize) {
        self.built.set(self.built.get().saturating_add(n));
    }

    /// Whether another `extends` base may be built; records the stop at `span` when not.
    pub(super) fn allows_extends(&self, span: Span) -> bool {
        if self.built.get() <= self.build_limit {
            return true;
        }
        self.stop(
            span,
            "`extends` builds this file's services past its budget (64 MiB of text plus eight \
             times the file's size): this `extends` and later ones are not resolved"
                .to_string(),
        );
        false
    }
}

/// Building a service from another file: every span points at the `extends` entry here, and
/// each value is recorded with where it stands in that file.
pub(super) struct Remap<'a> {
    pub(super) span: Span,
    pub(super) file: PathBuf,
    pub(super) service: String,
    pub(super) lines: &'a LineIndex,
    pub(super) text: &'a str,
    /// Index of this file's entry in the imports.
    pub(super) import: usize,
    pub(super) imports: &'a RefCell<Vec<Import>>,
}

impl Remap<'_> {
    fn record(&self, span: Span, raw: &str) {
        let at = self.lines.line_col(span.start as usize, self.text);
        if let Some(import) = self.imports.borrow_mut().get_mut(self.import) {
            import.values.push(ImportedValue {
                raw: raw.to_string(),
                line: at.line,
                column: at.column,
            });
        }
    }
}

/// The files one load reads, each parsed once however many services extend it (the loader may
/// keep them longer: [`super::files::DiskFiles::cached`] does for a run).
pub(super) struct LoadFiles<'f> {
    inner: &'f dyn ComposeFiles,
    parsed:
        RefCell<std::collections::HashMap<PathBuf, Result<std::sync::Arc<ParsedFile>, FileError>>>,
}

impl<'f> LoadFiles<'f> {
    pub(super) fn new(inner: &'f dyn ComposeFiles) -> LoadFiles<'f> {
        LoadFiles {
            inner,
            parsed: RefCell::default(),
        }
    }

    pub(super) fn parsed(&self, path: &Path) -> Result<std::sync::Arc<ParsedFile>, FileError> {
        if let Some(p) = self.parsed.borrow().get(path) {
            return p.clone();
        }
        let p = self.inner.parsed(path);
        self.parsed
            .borrow_mut()
            .insert(path.to_path_buf(), p.clone());
        p
    }
}

/// Tags that change how `extends` merges a key.
#[derive(Default)]
pub(super) struct KeyTags {
    pub(super) reset: Vec<String>,
    pub(super) replace: Vec<String>,
}

pub(super) struct Cx<'a> {
    pub(super) yaml: &'a Yaml,
    pub(super) vars: &'a Vars<'a>,
    pub(super) files: &'a LoadFiles<'a>,
    pub(super) budget: &'a Budget,
    /// Services inherited from other files (see [`Import`]).
    pub(super) imports: &'a RefCell<Vec<Import>>,
    pub(super) path: &'a Path,
    pub(super) diags: &'a mut Vec<Diagnostic>,
    /// The anchor a value being built came through (merge key or alias).
    pub(super) via: Option<Origin>,
    /// Building a service from another file.
    pub(super) remap: Option<Remap<'a>>,
    /// The document's `services` mapping, for `extends` within the file.
    pub(super) services: Option<NodeId>,
}

impl<'a> Cx<'a> {
    pub(super) fn span(&self, id: NodeId) -> Span {
        if let Some(r) = &self.remap {
            return r.span;
        }
        self.yaml.node(id).map(|n| n.span).unwrap_or_default()
    }

    pub(super) fn node_span(&self, id: NodeId) -> Span {
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

    pub(super) fn scoped<T>(&mut self, id: NodeId, f: impl FnOnce(&mut Self, NodeId) -> T) -> T {
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

    /// `raw` interpolated, charged to the file's interpolation budget (past it, `raw` as is).
    pub(super) fn resolve_text(&self, raw: &str) -> String {
        self.budget.interpolate(raw, self.vars, self.span_here())
    }

    /// Where the value being built is reported (for the budget's diagnostic).
    fn span_here(&self) -> Span {
        self.remap.as_ref().map_or(Span::default(), |r| r.span)
    }

    /// A scalar value as [`Text`] (interpolated). `None` for null and for collections.
    pub(super) fn text(&mut self, id: NodeId) -> Option<Text> {
        self.make_text(id, true)
    }

    /// A key as [`Text`] (keys are not interpolated).
    pub(super) fn key_text(&mut self, id: NodeId) -> Option<Text> {
        self.make_text(id, false)
    }

    /// [`Cx::text`] and [`Cx::key_text`] in one pass over the node (this runs for every value
    /// of the file, so it scans each value once and copies nothing it does not keep).
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
        // What the value costs in memory: its two strings and the `Text` holding them.
        self.budget
            .built(raw.len() + resolved.len() + std::mem::size_of::<Text>());
        let (span, raw_offset, origin) = match &self.remap {
            Some(r) => {
                r.record(node.span, raw);
                (
                    r.span,
                    None,
                    Some(Origin::Extends {
                        service: r.service.clone(),
                        file: Some(r.file.clone()),
                        original_span: node.span,
                    }),
                )
            }
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
    pub(super) fn sub_text(&self, t: &Text, range: std::ops::Range<usize>) -> Option<Text> {
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

    pub(super) fn texts(&mut self, id: NodeId) -> Vec<Text> {
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

    pub(super) fn flag(&mut self, id: NodeId) -> Option<Flag> {
        let text = self.text(id)?;
        Some(Flag {
            value: parse_bool(&text.value),
            text,
        })
    }

    pub(super) fn num(&mut self, id: NodeId) -> Option<Num> {
        let text = self.text(id)?;
        Some(Num {
            value: parse_int(&text.value),
            text,
        })
    }

    /// Entries of a mapping with merge keys applied, each with its key's text.
    /// (An iterator over the tree, not borrowing `self`: no list is collected per mapping.)
    pub(super) fn entries(&self, id: NodeId) -> impl Iterator<Item = (&'a str, Entry)> + use<'a> {
        let yaml: &'a Yaml = self.yaml;
        yaml.iter_entries(id)
            .filter_map(move |e| Some((yaml.scalar(e.key)?, e)))
    }

    /// Runs `f` on an entry's value with the entry's merge origin in scope.
    pub(super) fn entry<T>(&mut self, e: &Entry, f: impl FnOnce(&mut Self, NodeId) -> T) -> T {
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

    pub(super) fn key_values(&mut self, id: NodeId) -> Vec<KeyValue> {
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

    pub(super) fn command(&mut self, id: NodeId) -> Option<Command> {
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

    /// Items of a sequence through `f` (each with the sequence's anchor origin in scope).
    pub(super) fn list<T>(&mut self, id: NodeId, f: fn(&mut Self, NodeId) -> Option<T>) -> Vec<T> {
        let Some(items) = self.yaml.sequence(id) else {
            return Vec::new();
        };
        let items = items.to_vec();
        self.scoped(id, |cx, _| {
            items.into_iter().filter_map(|i| cx.scoped(i, f)).collect()
        })
    }

    /// A list of names, or the keys of a mapping (depends_on, networks).
    pub(super) fn names(&mut self, id: NodeId) -> Vec<Text> {
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
    pub(super) fn fields(&mut self, id: NodeId, mut f: impl FnMut(&mut Self, &str, NodeId)) {
        for (k, e) in self.entries(id) {
            self.entry(&e, |cx, v| f(cx, k, v));
        }
    }
}

/// Where `raw` sits verbatim in the source, if it does: a plain or quoted scalar without escapes
/// or line folding spans exactly its text (plus quotes).
pub(super) fn raw_offset_of(span: Span, style: ScalarStyle, raw: &str) -> Option<u32> {
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
pub(super) fn is_null_text(raw: &str) -> bool {
    matches!(raw, "" | "~" | "null" | "Null" | "NULL")
}

pub(super) fn parse_int(s: &str) -> Option<i64> {
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

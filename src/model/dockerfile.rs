//! The Dockerfile model rules ask about: stages (name, base image resolved from `ARG` defaults,
//! `--platform`, index), references to earlier stages, `ARG` scoping (global `ARG`s before the
//! first `FROM`, re-declared inside a stage), and `ENV`, `USER` and `WORKDIR` as they stand at
//! each point, plus every place an image is named.
//!
//! The model is built from a flat list of [`Instr`] views of the syntax tree, so the rules do not
//! depend on the parser's node layout. Values are resolved with BuildKit's expander from what
//! the file defines and what the build is given ([`BuildInputs`]: build arguments replace the
//! defaults of the `ARG`s that declare them, and the platform ARGs are defined); anything that
//! needs an unset variable is marked unresolved rather than guessed. Expansion shares one
//! [`Budget`] per file: past it a value is unknown too, and [`Dockerfile::limits`] says where
//! that began.
//!
//! Building is linear in the number of instructions and stages: stage names are looked up in a
//! map, and no step copies what earlier stages or instructions built.

use super::build_inputs::BuildInputs;
use crate::source::Span;
use crate::syntax::dockerfile as tree_ast;
pub use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::expand::{Budget, Expander, Lookup, VarUse};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// One instruction as the model reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Instr {
    /// What instruction it is (`Unknown` for a name BuildKit does not know).
    pub kind: InstructionKind,
    /// Upper-case keyword (`FROM`, `RUN`, …).
    pub keyword: String,
    /// The whole instruction, continuation lines and heredoc bodies included.
    pub span: Span,
    /// The keyword as written.
    pub keyword_span: Span,
    pub flags: Vec<Flag>,
    /// Arguments after the flags, as the source splits them on blanks (quotes kept).
    pub args: Vec<Word>,
    /// `ENV`/`LABEL` key-value pairs (value quotes kept, as BuildKit keeps them).
    pub pairs: Vec<(Word, Word)>,
    /// The raw argument text after the flags (for RUN: the command line).
    pub rest: Word,
    /// Whether the parser read the arguments as a JSON array (exec form: `RUN ["a", "b"]`,
    /// `HEALTHCHECK CMD ["a"]`). Shell text that merely starts with `[` (`RUN [ -e /x ] && …`)
    /// is shell form: only the parser knows the difference, so the model carries its answer.
    pub exec_form: bool,
    /// Heredoc bodies (for `RUN <<EOF`), with their spans.
    pub heredocs: Vec<Word>,
    /// The instruction an `ONBUILD` wraps.
    pub onbuild: Option<Box<Instr>>,
}

/// A `--name=value` flag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<Word>,
    pub span: Span,
}

/// Source text with its span.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

impl Instr {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Whether the instruction is in exec form (`RUN ["a", "b"]`), as the parser read it.
    pub fn is_exec_form(&self) -> bool {
        self.exec_form
    }
}

/// What an image reference points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageTarget {
    /// `scratch`: the empty image.
    Scratch,
    /// An earlier stage, by index.
    Stage(usize),
    /// An image from a registry; the text is the resolved reference.
    External,
    /// Depends on a variable the file does not define; nothing can be said about it.
    Unresolved,
    /// A compose `image:` naming what the same service's `build:` produces.
    Built,
}

/// Where an image is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageSite {
    From,
    CopyFrom,
    MountFrom,
    /// Any of the above under `ONBUILD` (runs in a downstream build).
    Onbuild,
    /// A compose service's `image:`.
    ComposeImage,
}

/// One place an image is named, with its value after variable resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageUse {
    /// The reference token in the source (the exact bytes a finding points at).
    pub span: Span,
    /// The source text of the token.
    pub raw: String,
    /// After resolving variables (equal to `raw` when there are none).
    pub resolved: String,
    pub site: ImageSite,
    pub target: ImageTarget,
    /// Index of the stage it appears in (for compose: none).
    pub stage: Option<usize>,
    /// Spans of the `ARG` defaults the value came from, for related labels.
    pub via: Vec<Span>,
    /// The compose service whose `image:` this is. Services sharing an anchored value share
    /// its span, so a finding names the service to tell them apart.
    pub service: Option<String>,
}

/// A `USER` in effect, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSetting {
    /// The USER value token.
    pub span: Span,
    pub raw: String,
    /// `None` when it depends on an undefined variable.
    pub resolved: Option<String>,
    /// The stage whose instruction set it (an inherited USER comes from an earlier stage).
    pub stage: usize,
}

impl UserSetting {
    /// Whether the user is root: `root` or uid `0`, with any group.
    pub fn is_root(&self) -> bool {
        self.resolved.as_deref().is_some_and(is_root_user)
    }
}

/// `root`, `0`, `root:root`, `0:0`, `root:wheel`, …: the user part decides.
pub fn is_root_user(value: &str) -> bool {
    let user = value.trim().split(':').next().unwrap_or("");
    user == "root" || (!user.is_empty() && user.bytes().all(|b| b == b'0'))
}

/// One build stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// `AS name`, lower-cased as BuildKit compares it.
    pub name: Option<String>,
    /// Index of the `FROM` instruction in [`Dockerfile::instrs`].
    pub from: usize,
    /// Instructions of the stage: `FROM` up to (not including) the next `FROM`.
    pub instrs: std::ops::Range<usize>,
    /// The base image use (an entry of [`Dockerfile::images`]).
    pub base: usize,
    pub platform: Option<String>,
    /// The last `USER` in effect at the end of the stage, inherited from a base stage.
    pub user: Option<UserSetting>,
    /// `ENV` at the end of the stage (inherited from a base stage), resolved.
    pub env: BTreeMap<String, String>,
    /// `WORKDIR` at the end of the stage, resolved where possible.
    pub workdir: Option<String>,
}

/// A Dockerfile's model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dockerfile {
    pub instrs: Vec<Instr>,
    /// `ARG`s before the first `FROM`, with their defaults (resolved) where given.
    pub global_args: BTreeMap<String, Option<String>>,
    pub stages: Vec<Stage>,
    pub images: Vec<ImageUse>,
    /// The escape character (`# escape=` directive).
    pub escape: char,
    /// Where a safety limit stopped the model short (the expansion budget ran out: values from
    /// there on that need expansion are unknown), with the reason. Reported as `input-limit`.
    pub limits: Vec<Limit>,
    /// Every variable an `ARG` or `ENV` declares, in file order, with the value the expander
    /// gave it: what later instructions see (read through `analysis::variables::expand_at`).
    pub declared: Vec<Declared>,
    /// The stage the build targets (`--target`, a compose service's `build.target`), when one
    /// was given and names a stage; `None` builds the last stage.
    pub target: Option<usize>,
}

/// One variable an `ARG` or `ENV` declares (not one an `ONBUILD` wraps).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    /// The declaring instruction's index in [`Dockerfile::instrs`].
    pub index: usize,
    pub name: String,
    /// Declared by `ENV` (which wins over an `ARG` of the same name), else by `ARG`.
    pub env: bool,
    /// The value after expansion: for `ARG NAME` in a stage, the global default; `None` when
    /// there is none, or it needs a variable the file leaves unset, or the budget ran out.
    pub value: Option<String>,
}

/// A place where the model stopped short of a value because of a safety limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    pub span: Span,
    pub message: String,
}

impl Dockerfile {
    /// The final stage: the image `docker build` produces, the targeted stage (`--target`,
    /// `build.target`) when the build names one, else the last. What the rules about the
    /// image's user, health check or labels judge.
    pub fn final_stage(&self) -> Option<&Stage> {
        match self.target {
            Some(i) => self.stages.get(i),
            None => self.stages.last(),
        }
    }

    /// The earlier stage a stage is built on (`FROM <stage name>`), if it is one.
    pub fn base_stage(&self, stage: &Stage) -> Option<usize> {
        match self.images.get(stage.base)?.target {
            ImageTarget::Stage(b) => Some(b),
            _ => None,
        }
    }

    /// The instructions of `kind` that a later one of the same stage replaces (only the last
    /// `CMD`, `ENTRYPOINT` or `HEALTHCHECK` of a stage takes effect), each with the index of
    /// the instruction that replaces it. A stage built on another starts afresh, as BuildKit
    /// counts.
    pub fn overridden(&self, kind: InstructionKind) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for stage in &self.stages {
            let mut last: Option<usize> = None;
            for i in stage.instrs.clone() {
                if self.instrs.get(i).is_some_and(|ins| ins.kind == kind) {
                    if let Some(prev) = last {
                        out.push((prev, i));
                    }
                    last = Some(i);
                }
            }
        }
        out
    }

    /// Whether stage `index` is part of the image `docker build` produces without `--target`:
    /// the final stage, or a stage it is built on (`FROM <stage>`, transitively). Files left
    /// in other stages never reach the image unless copied out.
    pub fn in_final_image(&self, index: usize) -> bool {
        let mut current = self.stages.len().checked_sub(1);
        // Each step goes to an earlier stage, so this ends.
        while let Some(i) = current {
            if i == index {
                return true;
            }
            let base = self.stages.get(i).and_then(|s| self.images.get(s.base));
            current = match base.map(|u| &u.target) {
                Some(ImageTarget::Stage(b)) if *b < i => Some(*b),
                _ => None,
            };
        }
        false
    }

    /// The stage holding instruction `i`.
    pub fn stage_of(&self, i: usize) -> Option<&Stage> {
        self.stages.iter().find(|s| s.instrs.contains(&i))
    }

    /// Builds the model from the instruction list, for a build given no build arguments on the
    /// host's platform, with the default expansion budget.
    pub fn build(instrs: Vec<Instr>, escape: char) -> Dockerfile {
        Dockerfile::build_within(instrs, escape, &BuildInputs::default(), Budget::for_text(0))
    }

    /// Builds the model from the instruction list, resolving `ARG`s with the build's inputs and
    /// charging every variable expansion to `budget`.
    pub fn build_within(
        instrs: Vec<Instr>,
        escape: char,
        inputs: &BuildInputs,
        budget: Budget,
    ) -> Dockerfile {
        let uses_automatic = may_use_automatic_args(&instrs);
        Builder::new(escape, inputs, uses_automatic, budget).run(instrs)
    }
}

#[derive(Clone, Default)]
struct Scope {
    /// `ARG`s in scope, `None` = declared without value. Expansion reads `env` first: ENV wins.
    args: BTreeMap<String, Option<String>>,
    env: BTreeMap<String, String>,
    user: Option<UserSetting>,
    workdir: Option<String>,
    /// Where each ARG default was declared, for related spans.
    arg_spans: BTreeMap<String, Span>,
}

impl Lookup for Scope {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        match self.env.get(name) {
            Some(v) => Some(Cow::Borrowed(v.as_str())),
            None => self
                .args
                .get(name)
                .and_then(|v| v.as_deref())
                .map(Cow::Borrowed),
        }
    }
}

/// Bytes a map of variables holds (what copying it costs).
fn map_bytes(env: &BTreeMap<String, String>) -> usize {
    env.iter().map(|(k, v)| k.len() + v.len()).sum()
}

struct Builder<'i> {
    escape: char,
    model: Dockerfile,
    inputs: &'i BuildInputs,
    /// Whether the instructions can name one of BuildKit's automatic ARGs.
    uses_automatic: bool,
    /// What expansion may still cost in this file.
    budget: Budget,
    /// Stage names (lower-cased) to the first stage of that name, as BuildKit resolves them.
    stage_names: HashMap<String, usize>,
}

/// Result of resolving a word against a scope.
struct Resolved {
    value: Option<String>,
    via: Vec<Span>,
}

impl<'i> Builder<'i> {
    fn new(
        escape: char,
        inputs: &'i BuildInputs,
        uses_automatic: bool,
        budget: Budget,
    ) -> Builder<'i> {
        Builder {
            escape,
            model: Dockerfile {
                escape,
                ..Dockerfile::default()
            },
            inputs,
            uses_automatic,
            budget,
            stage_names: HashMap::new(),
        }
    }

    /// Records (once per file) that the expansion budget ran out at `span`.
    fn limit(&mut self, span: Span) {
        if self.model.limits.is_empty() {
            self.model.limits.push(Limit {
                span,
                message: "expanding variables here goes past this file's budget (1 MiB of \
                          values plus four times the file's size, or as many pattern-matching \
                          steps): this value, and every later value that needs expansion, is \
                          unknown"
                    .to_string(),
            });
        }
    }

    /// `text` (written at `span`) expanded in `scope`; unknown when it needs an unset variable,
    /// BuildKit would refuse it, or the expansion budget ran out (the first time, a [`Limit`]).
    fn resolve(&mut self, scope: &Scope, text: &str, span: Span) -> Resolved {
        // Most words have nothing to expand, unquote or unescape: skip the expander.
        let plain = !text
            .bytes()
            .any(|b| matches!(b, b'$' | b'\'' | b'"' | b'\\' | b'`'));
        if plain {
            return Resolved {
                value: Some(text.to_string()),
                via: Vec::new(),
            };
        }
        let mut uses = VarUse::default();
        let expanded = Expander::new(scope)
            .with_escape(self.escape)
            .expand_word_budgeted(text, &mut uses, &mut self.budget);
        if let Err(e) = &expanded
            && e.exhausted
        {
            self.limit(span);
        }
        let value = expanded.ok().filter(|_| uses.unset.is_empty());
        let via = uses
            .referenced
            .iter()
            .filter_map(|n| scope.arg_spans.get(n).copied())
            .collect();
        Resolved { value, via }
    }

    fn run(mut self, instrs: Vec<Instr>) -> Dockerfile {
        let mut global = Scope::default();
        // BuildKit's platform ARGs are defined before the first FROM (when the file can name
        // them at all: defining them costs more than most files' ARGs).
        if self.uses_automatic {
            let stage = match &self.inputs.stage {
                Some(s) => s.to_ascii_lowercase(),
                None => target_stage_name(&instrs),
            };
            for (name, value) in self.inputs.automatic_args(&stage) {
                global.args.insert(name.to_string(), Some(value));
            }
        }
        let mut scope: Option<Scope> = None;
        let mut stage_scopes: Vec<Scope> = Vec::new();
        for (i, ins) in instrs.iter().enumerate() {
            match ins.keyword.as_str() {
                "FROM" => {
                    if let (Some(sc), Some(stage)) = (scope.take(), self.model.stages.last_mut()) {
                        stage.instrs.end = i;
                        stage.user = sc.user.clone();
                        stage.workdir = sc.workdir.clone();
                        // The ENV map moves to the stage once no later stage can inherit it.
                        stage_scopes.push(sc);
                    }
                    let new_scope = self.add_stage(i, ins, &global, &stage_scopes);
                    scope = Some(new_scope);
                }
                "ARG" => {
                    let is_global = self.model.stages.is_empty();
                    for w in &ins.args {
                        let (name, default) = match w.text.split_once('=') {
                            Some((n, v)) => (n.to_string(), Some(v)),
                            None => (w.text.clone(), None),
                        };
                        // Without a default, `ARG NAME` in a stage imports the global value, and
                        // a global `ARG TARGETOS` keeps the platform's.
                        let imported = match default {
                            None => global.args.get(&name).cloned().flatten(),
                            Some(_) => None,
                        };
                        let value = match (self.inputs.arg(&name), default) {
                            // A build argument replaces the default of the ARG declaring it.
                            (Some(given), _) => Some(given.to_string()),
                            (None, Some(v)) => {
                                let target = scope.as_ref().unwrap_or(&global);
                                self.resolve(target, v, w.span).value
                            }
                            (None, None) => imported,
                        };
                        self.model.declared.push(Declared {
                            index: i,
                            name: name.clone(),
                            env: false,
                            value: value.clone(),
                        });
                        let target = scope.as_mut().unwrap_or(&mut global);
                        target.args.insert(name.clone(), value.clone());
                        // A value a build argument gives (`--build-arg`, a compose service's
                        // `build.args`) does not come from this declaration: no related label
                        // points there, and no fix pins a default the build does not use.
                        if self.inputs.arg(&name).is_some() {
                            target.arg_spans.remove(&name);
                        } else if default.is_some() || !is_global {
                            target.arg_spans.insert(name.clone(), w.span);
                        }
                        if is_global {
                            self.model.global_args.insert(name, value);
                        }
                    }
                }
                "ENV" => {
                    let Some(sc) = scope.as_mut() else { continue };
                    for (name, raw, span) in env_pairs(ins) {
                        let value = self.resolve(sc, &raw, span).value;
                        self.model.declared.push(Declared {
                            index: i,
                            name: name.clone(),
                            env: true,
                            value: value.clone(),
                        });
                        sc.env.insert(name, value.unwrap_or(raw));
                    }
                }
                "USER" => {
                    let (Some(sc), Some(w)) = (scope.as_mut(), ins.args.first()) else {
                        continue;
                    };
                    let r = self.resolve(sc, &w.text, w.span);
                    sc.user = Some(UserSetting {
                        span: w.span,
                        raw: w.text.clone(),
                        resolved: r.value,
                        stage: self.model.stages.len().saturating_sub(1),
                    });
                }
                "WORKDIR" => {
                    let (Some(sc), Some(w)) = (scope.as_mut(), ins.args.first()) else {
                        continue;
                    };
                    let dir = self
                        .resolve(sc, &w.text, w.span)
                        .value
                        .unwrap_or(w.text.clone());
                    sc.workdir = Some(match &sc.workdir {
                        Some(base) if !dir.starts_with('/') => {
                            format!("{}/{}", base.trim_end_matches('/'), dir)
                        }
                        _ => dir,
                    });
                }
                _ => {}
            }
            if let Some(sc) = scope.as_ref() {
                self.image_uses_of(ins, sc, false);
            }
        }
        let n = instrs.len();
        if let (Some(sc), Some(stage)) = (scope.take(), self.model.stages.last_mut()) {
            stage.instrs.end = n;
            stage.user = sc.user.clone();
            stage.workdir = sc.workdir.clone();
            stage_scopes.push(sc);
        }
        for (stage, sc) in self.model.stages.iter_mut().zip(stage_scopes) {
            stage.env = sc.env;
        }
        if let Some(want) = &self.inputs.stage {
            // Stage names compare without case, as BuildKit's `--target` does; a name no stage
            // has leaves the last stage (BuildKit refuses the build; the file is still linted).
            let want = want.to_ascii_lowercase();
            self.model.target = self
                .model
                .stages
                .iter()
                .position(|s| s.name.as_deref() == Some(want.as_str()));
        }
        self.model.instrs = instrs;
        self.model
    }

    fn add_stage(&mut self, i: usize, ins: &Instr, global: &Scope, prev: &[Scope]) -> Scope {
        let index = self.model.stages.len();
        let image = ins.args.first().cloned().unwrap_or(Word {
            text: String::new(),
            span: Span::empty(ins.span.end as usize),
        });
        let name = match ins.args.get(1) {
            Some(w) if w.text.eq_ignore_ascii_case("as") => {
                ins.args.get(2).map(|n| n.text.to_ascii_lowercase())
            }
            _ => None,
        };
        let platform = ins
            .flag("platform")
            .and_then(|f| f.value.as_ref())
            .map(|v| {
                self.resolve(global, &v.text, v.span)
                    .value
                    .unwrap_or(v.text.clone())
            });
        let r = self.resolve(global, &image.text, image.span);
        let target = self.target_of(r.value.as_deref(), false);
        let mut scope = Scope::default();
        if let ImageTarget::Stage(base) = target
            && let Some(base_scope) = prev.get(base)
        {
            // ENV, USER and WORKDIR carry over from a base stage; ARGs do not. Copying ENV is
            // charged to the expansion budget: many stages each inheriting a large ENV would
            // otherwise multiply it.
            if self.budget.take_bytes(map_bytes(&base_scope.env)) {
                scope.env = base_scope.env.clone();
            } else {
                self.limit(image.span);
            }
            scope.user = base_scope.user.clone();
            scope.workdir = base_scope.workdir.clone();
        }
        self.model.images.push(ImageUse {
            span: image.span,
            raw: image.text.clone(),
            resolved: r.value.unwrap_or(image.text),
            site: ImageSite::From,
            target,
            stage: Some(index),
            via: r.via,
            service: None,
        });
        if let Some(n) = &name {
            self.stage_names.entry(n.clone()).or_insert(index);
        }
        self.model.stages.push(Stage {
            index,
            name,
            from: i,
            instrs: i..i + 1,
            base: self.model.images.len() - 1,
            platform,
            user: None,
            env: BTreeMap::new(),
            workdir: None,
        });
        scope
    }

    /// Scratch, an earlier stage (by name, or by index for `--from`), or an external image.
    fn target_of(&self, resolved: Option<&str>, index_ok: bool) -> ImageTarget {
        let Some(v) = resolved else {
            return ImageTarget::Unresolved;
        };
        if v.is_empty() {
            return ImageTarget::Unresolved;
        }
        if v.eq_ignore_ascii_case("scratch") {
            return ImageTarget::Scratch;
        }
        let lower = v.to_ascii_lowercase();
        if let Some(&index) = self.stage_names.get(&lower) {
            return ImageTarget::Stage(index);
        }
        if index_ok && let Ok(n) = v.parse::<usize>() {
            return if n < self.model.stages.len() {
                ImageTarget::Stage(n)
            } else {
                ImageTarget::Unresolved
            };
        }
        ImageTarget::External
    }

    /// `COPY --from`, `RUN --mount=…,from=…`, and the same under `ONBUILD`.
    fn image_uses_of(&mut self, ins: &Instr, scope: &Scope, onbuild: bool) {
        let stage = self.model.stages.len().checked_sub(1);
        let site = |s| if onbuild { ImageSite::Onbuild } else { s };
        match ins.keyword.as_str() {
            "COPY" => {
                if let Some(v) = ins.flag("from").and_then(|f| f.value.as_ref()) {
                    self.push_use(
                        v.text.clone(),
                        v.span,
                        site(ImageSite::CopyFrom),
                        scope,
                        stage,
                        onbuild,
                    );
                }
            }
            "RUN" => {
                for f in ins
                    .flags
                    .iter()
                    .filter(|f| f.name.eq_ignore_ascii_case("mount"))
                {
                    let Some(v) = &f.value else { continue };
                    let mut off = 0;
                    for part in v.text.split(',') {
                        let start = off;
                        off += part.len() + 1;
                        let Some(from) = part.strip_prefix("from=") else {
                            continue;
                        };
                        // Exact when the value is written without quotes or escapes.
                        let span = if v.span.len() == v.text.len() {
                            let begin = v.span.start as usize + start + "from=".len();
                            Span::new(begin, begin + from.len())
                        } else {
                            v.span
                        };
                        self.push_use(
                            from.to_string(),
                            span,
                            site(ImageSite::MountFrom),
                            scope,
                            stage,
                            onbuild,
                        );
                    }
                }
            }
            "ONBUILD" => {
                if let Some(inner) = &ins.onbuild {
                    self.image_uses_of(inner, scope, true);
                }
            }
            _ => {}
        }
    }

    fn push_use(
        &mut self,
        raw: String,
        span: Span,
        site: ImageSite,
        scope: &Scope,
        stage: Option<usize>,
        onbuild: bool,
    ) {
        // ONBUILD runs in a downstream build whose stages and variables are unknown here.
        let (resolved, target, via) = if onbuild {
            let target = if crate::syntax::expand::has_expansion(&raw, self.escape) {
                ImageTarget::Unresolved
            } else if raw.eq_ignore_ascii_case("scratch") {
                ImageTarget::Scratch
            } else {
                ImageTarget::External
            };
            (raw.clone(), target, Vec::new())
        } else {
            let r = self.resolve(scope, &raw, span);
            let target = self.target_of(r.value.as_deref(), true);
            (r.value.unwrap_or(raw.clone()), target, r.via)
        };
        self.model.images.push(ImageUse {
            span,
            raw,
            resolved,
            site,
            target,
            stage,
            via,
            service: None,
        });
    }
}

/// `ENV a=b c=d` or the legacy `ENV a b c` form, as (name, raw value, value span) triples.
fn env_pairs(ins: &Instr) -> Vec<(String, String, Span)> {
    if !ins.pairs.is_empty() {
        return ins
            .pairs
            .iter()
            .map(|(k, v)| (k.text.clone(), v.text.clone(), v.span))
            .collect();
    }
    let Some(first) = ins.args.first() else {
        return Vec::new();
    };
    if !first.text.contains('=') {
        // Legacy form: the rest of the line is the value.
        let value = ins
            .rest
            .text
            .trim_start()
            .get(first.text.len()..)
            .unwrap_or("")
            .trim()
            .to_string();
        return vec![(first.text.clone(), value, ins.rest.span)];
    }
    ins.args
        .iter()
        .filter_map(|w| {
            let (k, v) = w.text.split_once('=')?;
            Some((k.to_string(), v.to_string(), w.span))
        })
        .collect()
}

/// Whether the instructions (arguments or flags) can name one of BuildKit's automatic ARGs.
pub fn may_use_automatic_args(instrs: &[Instr]) -> bool {
    instrs.iter().any(|i| {
        BuildInputs::may_use_automatic(&i.rest.text)
            || i.flags.iter().any(|f| {
                f.value
                    .as_ref()
                    .is_some_and(|v| BuildInputs::may_use_automatic(&v.text))
            })
    })
}

/// The name of the stage a build without `--target` builds (BuildKit's `TARGETSTAGE`): the last
/// stage's name, lower-cased, or empty.
fn target_stage_name(instrs: &[Instr]) -> String {
    instrs
        .iter()
        .rev()
        .find(|i| i.kind == InstructionKind::From)
        .and_then(|i| match i.args.get(1) {
            Some(w) if w.text.eq_ignore_ascii_case("as") => i.args.get(2),
            _ => None,
        })
        .map(|w| w.text.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Builds the model from the parsed tree: each instruction viewed as an [`Instr`] (RUN text and
/// shell heredoc bodies split into commands by the shell tokenizer, with file spans), for a
/// build given no build arguments on the host's platform.
pub fn from_tree(tree: &tree_ast::Dockerfile, text: &str) -> Dockerfile {
    from_tree_with(tree, text, &BuildInputs::default())
}

/// [`from_tree`] for a build with these inputs.
pub fn from_tree_with(tree: &tree_ast::Dockerfile, text: &str, inputs: &BuildInputs) -> Dockerfile {
    let instrs = tree.instructions.iter().map(|i| view(i, text)).collect();
    let mut model =
        Dockerfile::build_within(instrs, tree.escape, inputs, Budget::for_text(text.len()));
    if let Some(at) = tree.truncated_at {
        model.limits.insert(
            0,
            Limit {
                span: at,
                message: format!(
                    "the file holds more than {} instructions: only those before this one \
                     are linted",
                    tree_ast::MAX_INSTRUCTIONS
                ),
            },
        );
    }
    model
}

fn word(text: &str, span: Span) -> Word {
    Word {
        text: text.to_string(),
        span,
    }
}

fn view(ins: &tree_ast::Instruction, text: &str) -> Instr {
    use tree_ast::Args;
    let flags = ins
        .flags
        .iter()
        .map(|f| Flag {
            name: f.name.clone(),
            value: f
                .value
                .as_ref()
                .map(|v| word(v, f.value_span.unwrap_or(f.span))),
            span: f.span,
        })
        .collect();
    let (args, pairs) = match &ins.args {
        Args::Words(ws) | Args::Exec(ws) => (
            ws.iter().map(|w| word(&w.value, w.span)).collect(),
            Vec::new(),
        ),
        Args::Text(t) => (
            vec![word(ins.text_of(t).trim(), trimmed_span(t.span, text))],
            Vec::new(),
        ),
        Args::Pairs(ps) => (
            Vec::new(),
            ps.iter()
                .map(|p| {
                    (
                        word(&p.key.value, p.key.span),
                        word(&p.value.value, p.value.span),
                    )
                })
                .collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let args_span = ins.args_span();
    Instr {
        kind: ins.kind,
        keyword: ins.kind.as_str().to_string(),
        span: ins.span,
        keyword_span: ins.keyword,
        flags,
        args,
        pairs,
        rest: word(ins.args_text(), args_span),
        exec_form: ins.is_json(),
        heredocs: ins
            .heredocs
            .iter()
            .map(|h| word(&h.content, h.body))
            .collect(),
        onbuild: ins.onbuild().map(|inner| Box::new(view(inner, text))),
    }
}

/// A span without the blanks around its text.
fn trimmed_span(span: Span, text: &str) -> Span {
    let s = span.text(text);
    let start = span.start as usize + (s.len() - s.trim_start().len());
    let end = (span.end as usize - (s.len() - s.trim_end().len())).max(start);
    Span::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny instruction splitter for model tests (one instruction per line, blanks split).
    fn instrs(text: &str) -> Vec<Instr> {
        let mut out = Vec::new();
        let mut off = 0;
        for line in text.split_inclusive('\n') {
            let start = off;
            off += line.len();
            let body = line.trim_end();
            if body.is_empty() {
                continue;
            }
            let mut words = Vec::new();
            let mut pos = 0;
            for w in body.split(' ') {
                if !w.is_empty() {
                    words.push(Word {
                        text: w.to_string(),
                        span: Span::new(start + pos, start + pos + w.len()),
                    });
                }
                pos += w.len() + 1;
            }
            let keyword = words.remove(0);
            let mut flags = Vec::new();
            while words.first().is_some_and(|w| w.text.starts_with("--")) {
                let w = words.remove(0);
                let (name, value) = w.text[2..].split_once('=').unwrap_or((&w.text[2..], ""));
                let vstart = w.span.start as usize + 2 + name.len() + 1;
                flags.push(Flag {
                    name: name.to_string(),
                    value: Some(Word {
                        text: value.to_string(),
                        span: Span::new(vstart, vstart + value.len()),
                    }),
                    span: w.span,
                });
            }
            let rest_start = words
                .first()
                .map_or(start + body.len(), |w| w.span.start as usize);
            out.push(Instr {
                kind: InstructionKind::from_name(&keyword.text),
                keyword: keyword.text.to_ascii_uppercase(),
                keyword_span: keyword.span,
                span: Span::new(start, start + body.len()),
                flags,
                pairs: Vec::new(),
                args: words,
                rest: Word {
                    text: text[rest_start..start + body.len()].to_string(),
                    span: Span::new(rest_start, start + body.len()),
                },
                exec_form: false,
                heredocs: Vec::new(),
                onbuild: None,
            });
        }
        out
    }

    #[test]
    fn final_image_is_the_last_stage_and_its_bases() {
        let df = Dockerfile::build(
            instrs("FROM debian AS base\nFROM base AS tools\nFROM alpine AS build\nFROM tools\n"),
            '\\',
        );
        let shipped: Vec<bool> = (0..4).map(|i| df.in_final_image(i)).collect();
        assert_eq!(shipped, [true, true, false, true]);
        assert!(!df.in_final_image(9));
        assert!(!Dockerfile::default().in_final_image(0));
    }

    #[test]
    fn resolves_stages_args_and_users() {
        let text = "ARG BASE=node:latest\nARG TAG\nFROM $BASE AS build\nARG BASE\nENV HOME_DIR=/srv\nUSER app\nFROM build\nRUN x\nFROM alpine:${TAG} AS x\nCOPY --from=build /a /b\nRUN --mount=type=cache,from=busybox:1,target=/c y\n";
        let m = Dockerfile::build(instrs(text), '\\');
        assert_eq!(m.stages.len(), 3);
        let first = &m.images[m.stages[0].base];
        assert_eq!(first.resolved, "node:latest");
        assert_eq!(first.target, ImageTarget::External);
        assert_eq!(first.span.text(text), "$BASE");
        assert_eq!(m.images[m.stages[1].base].target, ImageTarget::Stage(0));
        assert_eq!(m.images[m.stages[2].base].target, ImageTarget::Unresolved);
        // USER and ENV inherit through `FROM build`.
        let u = m.stages[1].user.as_ref().unwrap();
        assert_eq!(u.resolved.as_deref(), Some("app"));
        assert_eq!(
            m.stages[1].env.get("HOME_DIR").map(String::as_str),
            Some("/srv")
        );
        assert!(m.stages[2].user.is_none());
        let copy = m
            .images
            .iter()
            .find(|u| u.site == ImageSite::CopyFrom)
            .unwrap();
        assert_eq!(copy.target, ImageTarget::Stage(0));
        let mount = m
            .images
            .iter()
            .find(|u| u.site == ImageSite::MountFrom)
            .unwrap();
        assert_eq!(mount.span.text(text), "busybox:1");
        assert_eq!(mount.target, ImageTarget::External);
        assert_eq!(m.final_stage().map(|s| s.index), Some(2));
    }

    /// Linear in stages: 100,000 stages, each built on the one before and copying from the
    /// first (name lookups were a scan of every earlier stage, so 200,000 took over a minute).
    #[test]
    fn a_hundred_thousand_chained_stages() {
        let mut text = String::from("FROM alpine:3.20 AS s0\nENV A=1\n");
        for i in 1..100_000 {
            text.push_str(&format!("FROM s{} AS s{i}\nCOPY --from=s0 /a /b\n", i - 1));
        }
        let m = Dockerfile::build(instrs(&text), '\\');
        assert_eq!(m.stages.len(), 100_000);
        let last = m.stages.last().unwrap();
        assert_eq!(m.images[last.base].target, ImageTarget::Stage(99_998));
        // ENV carries through the chain (its copies are charged to the budget).
        assert_eq!(last.env.get("A").map(String::as_str), Some("1"));
        assert!(m.limits.is_empty(), "{:?}", m.limits);
        let copies = m.images.iter().filter(|u| u.site == ImageSite::CopyFrom);
        assert!(
            copies
                .into_iter()
                .all(|u| u.target == ImageTarget::Stage(0))
        );
    }

    #[test]
    fn exec_form_is_the_parsers_answer_not_a_guess_from_the_text() {
        let text = "FROM a\nRUN [ ! -e /etc/x ] && echo hi\nRUN [\"echo\", \"hi\"]\nRUN [not json\nHEALTHCHECK CMD [\"curl\", \"-f\", \"x\"]\nCMD [ -x /app ] && /app\n";
        let tree = crate::syntax::dockerfile::parse(text);
        let m = from_tree(&tree, text);
        let forms: Vec<bool> = m.instrs.iter().map(Instr::is_exec_form).collect();
        assert_eq!(forms, [false, false, true, false, true, false]);
    }

    #[test]
    fn root_users() {
        for v in ["root", "0", "root:root", "0:0", "root:wheel", "00"] {
            assert!(is_root_user(v), "{v}");
        }
        for v in ["app", "1000", "1000:0", "", "rooter"] {
            assert!(!is_root_user(v), "{v}");
        }
    }
}

#[cfg(test)]
mod target_tests {
    use super::*;

    fn model(text: &str, inputs: &BuildInputs) -> Dockerfile {
        let tree = crate::syntax::dockerfile::parse(text);
        from_tree_with(&tree, text, inputs)
    }

    #[test]
    fn the_targeted_stage_is_the_image_built() {
        let text = "FROM alpine:3.20 AS Dev\nUSER root\nFROM alpine:3.20 AS prod\nUSER app\n";
        let last = model(text, &BuildInputs::default());
        assert_eq!(last.final_stage().map(|s| s.index), Some(1));
        let dev = model(text, &BuildInputs::default().with_stage(Some("dev".into())));
        let stage = dev.final_stage().unwrap();
        assert_eq!(stage.index, 0, "names compare without case");
        assert_eq!(stage.user.as_ref().map(|u| u.raw.as_str()), Some("root"));
        // A name no stage has builds nothing BuildKit would; the last stage is still judged.
        let none = model(text, &BuildInputs::default().with_stage(Some("x".into())));
        assert_eq!(none.final_stage().map(|s| s.index), Some(1));
    }

    #[test]
    fn targetstage_follows_the_target() {
        let text = "FROM alpine:3.20 AS dev\nARG TARGETSTAGE\nFROM alpine:3.20 AS prod\n";
        let m = model(text, &BuildInputs::default().with_stage(Some("dev".into())));
        assert!(
            m.declared
                .iter()
                .any(|d| d.name == "TARGETSTAGE" && d.value.as_deref() == Some("dev")),
            "{:?}",
            m.declared
        );
    }
}

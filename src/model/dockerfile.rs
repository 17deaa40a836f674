//! The Dockerfile model rules ask about: stages (name, base image resolved from `ARG` defaults,
//! `--platform`, index), references to earlier stages, `ARG` scoping (global `ARG`s before the
//! first `FROM`, re-declared inside a stage), and `ENV`, `USER` and `WORKDIR` as they stand at
//! each point, plus every place an image is named.
//!
//! The model is built from a flat list of [`Instr`] views of the syntax tree, so the rules do not
//! depend on the parser's node layout. Values are resolved with BuildKit's expander using only
//! what the file itself defines (build-arg overrides are unknown); anything that needs an unset
//! variable is marked unresolved rather than guessed.

use crate::source::Span;
use crate::syntax::dockerfile as tree_ast;
pub use crate::syntax::dockerfile::InstructionKind;
use crate::syntax::expand::{Expander, Lookup, VarUse};
use std::borrow::Cow;
use std::collections::BTreeMap;

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
}

impl Dockerfile {
    /// The final stage: the image `docker build` produces without `--target`.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The stage holding instruction `i`.
    pub fn stage_of(&self, i: usize) -> Option<&Stage> {
        self.stages.iter().find(|s| s.instrs.contains(&i))
    }

    /// Builds the model from the instruction list.
    pub fn build(instrs: Vec<Instr>, escape: char) -> Dockerfile {
        Builder::new(escape).run(instrs)
    }
}

#[derive(Clone, Default)]
struct Scope {
    /// Variables visible to expansion (ARG and ENV; ENV wins), `None` = declared without value.
    vars: BTreeMap<String, Option<String>>,
    env: BTreeMap<String, String>,
    user: Option<UserSetting>,
    workdir: Option<String>,
    /// Where each ARG default was declared, for related spans.
    arg_spans: BTreeMap<String, Span>,
}

impl Lookup for Scope {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        self.vars
            .get(name)
            .and_then(|v| v.as_deref())
            .map(Cow::Borrowed)
    }
}

struct Builder {
    escape: char,
    model: Dockerfile,
}

/// Result of resolving a word against a scope.
struct Resolved {
    value: Option<String>,
    via: Vec<Span>,
}

impl Builder {
    fn new(escape: char) -> Builder {
        Builder {
            escape,
            model: Dockerfile {
                escape,
                ..Dockerfile::default()
            },
        }
    }

    fn resolve(&self, scope: &Scope, text: &str) -> Resolved {
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
        let value = Expander::new(scope)
            .with_escape(self.escape)
            .expand_word_tracked(text, &mut uses)
            .ok()
            .filter(|_| uses.unset.is_empty());
        let via = uses
            .referenced
            .iter()
            .filter_map(|n| scope.arg_spans.get(n).copied())
            .collect();
        Resolved { value, via }
    }

    fn run(mut self, instrs: Vec<Instr>) -> Dockerfile {
        let mut global = Scope::default();
        let mut scope: Option<Scope> = None;
        let mut stage_scopes: Vec<Scope> = Vec::new();
        for (i, ins) in instrs.iter().enumerate() {
            match ins.keyword.as_str() {
                "FROM" => {
                    if let (Some(sc), Some(stage)) = (scope.take(), self.model.stages.last_mut()) {
                        stage.instrs.end = i;
                        stage.user = sc.user.clone();
                        stage.env = sc.env.clone();
                        stage.workdir = sc.workdir.clone();
                        stage_scopes.push(sc);
                    }
                    let new_scope = self.add_stage(i, ins, &global, &stage_scopes);
                    scope = Some(new_scope);
                }
                "ARG" => {
                    let is_global = self.model.stages.is_empty();
                    let globals = global.vars.clone();
                    let target = scope.as_mut().map_or(&mut global, |s| s);
                    for w in &ins.args {
                        let (name, default) = match w.text.split_once('=') {
                            Some((n, v)) => (n.to_string(), Some(v)),
                            None => (w.text.clone(), None),
                        };
                        let value = match default {
                            Some(v) => self.resolve(target, v).value,
                            // `ARG NAME` in a stage re-imports the global default.
                            None if !is_global => globals.get(&name).cloned().flatten(),
                            None => None,
                        };
                        // ENV wins over ARG of the same name.
                        if !target.env.contains_key(&name) {
                            target.vars.insert(name.clone(), value.clone());
                        }
                        if default.is_some() || !is_global {
                            target.arg_spans.insert(name.clone(), w.span);
                        }
                        if is_global {
                            self.model.global_args.insert(name, value);
                        }
                    }
                }
                "ENV" => {
                    let Some(sc) = scope.as_mut() else { continue };
                    for (name, raw) in env_pairs(ins) {
                        let value = self.resolve(sc, &raw).value.unwrap_or(raw);
                        sc.vars.insert(name.clone(), Some(value.clone()));
                        sc.env.insert(name, value);
                    }
                }
                "USER" => {
                    let (Some(sc), Some(w)) = (scope.as_mut(), ins.args.first()) else {
                        continue;
                    };
                    let r = self.resolve(sc, &w.text);
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
                    let dir = self.resolve(sc, &w.text).value.unwrap_or(w.text.clone());
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
            stage.user = sc.user;
            stage.env = sc.env;
            stage.workdir = sc.workdir;
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
                self.resolve(global, &v.text)
                    .value
                    .unwrap_or(v.text.clone())
            });
        let r = self.resolve(global, &image.text);
        let target = self.target_of(r.value.as_deref(), false);
        let mut scope = Scope::default();
        if let ImageTarget::Stage(base) = target
            && let Some(base_scope) = prev.get(base)
        {
            // ENV, USER and WORKDIR carry over from a base stage; ARGs do not.
            scope.env = base_scope.env.clone();
            scope.user = base_scope.user.clone();
            scope.workdir = base_scope.workdir.clone();
            scope.vars = scope
                .env
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect();
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
        if let Some(s) = self
            .model
            .stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
        {
            return ImageTarget::Stage(s.index);
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
            let r = self.resolve(scope, &raw);
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

/// `ENV a=b c=d` or the legacy `ENV a b c` form, as (name, raw value) pairs.
fn env_pairs(ins: &Instr) -> Vec<(String, String)> {
    if !ins.pairs.is_empty() {
        return ins
            .pairs
            .iter()
            .map(|(k, v)| (k.text.clone(), v.text.clone()))
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
        return vec![(first.text.clone(), value)];
    }
    ins.args
        .iter()
        .filter_map(|w| w.text.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Builds the model from the parsed tree: each instruction viewed as an [`Instr`] (RUN text and
/// shell heredoc bodies split into commands by the shell tokenizer, with file spans).
pub fn from_tree(tree: &tree_ast::Dockerfile, text: &str) -> Dockerfile {
    let instrs = tree.instructions.iter().map(|i| view(i, text)).collect();
    Dockerfile::build(instrs, tree.escape)
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

//! The plimsoll input document: what a Rego policy sees as `input` by default. The facts of
//! conftest's document and what it lacks: every node's span, stages with names, base images
//! parsed and resolved through `ARG`s, the effective user, `ARG`/`ENV` scopes, the commands each
//! `RUN` runs (with the package-manager model) and heredoc bodies; for a compose file the
//! effective services (anchors, merge keys, `extends` and interpolation applied) with the span of
//! every value; and the built-in findings of the file.
//!
//! The types below are the schema: `plimsoll policy schema` prints the JSON Schema generated
//! from them, and `docs/policy-input.schema.json` is that output (a test keeps it current).

use crate::analysis::Analysis;
use crate::analysis::packages;
use crate::finding::Finding;
use crate::model::compose::Env as LoadEnv;
use crate::model::dockerfile::{self as model, ImageSite, ImageTarget, ImageUse};
use crate::source::{SourceFile, Span};
use crate::syntax::compose::interpolate::{Env, interpolate};
use crate::syntax::compose::yaml::{Entry, NodeId, NodeKind, ScalarStyle, Yaml};
use crate::syntax::image_ref::ImageRef;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// A place in the file: byte offsets and 1-based lines and columns (columns count characters).
/// A result may hand one back as `span` to point its finding here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Location {
    /// Byte offset where it starts.
    pub start: u32,
    /// Byte offset just past its end.
    pub end: u32,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Location {
    pub fn of(span: Span, file: &SourceFile) -> Location {
        let l = crate::finding::Location::of(span, file);
        Location {
            start: l.start_byte,
            end: l.end_byte,
            line: l.line,
            column: l.column,
            end_line: l.end_line,
            end_column: l.end_column,
        }
    }
}

/// The file being checked.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FileInfo {
    /// The path as plimsoll was given it.
    pub path: String,
    /// The file name (`Dockerfile`, `compose.yaml`).
    pub name: String,
    /// The directory, as given (empty for a bare name).
    pub dir: String,
}

impl FileInfo {
    fn of(path: &Path) -> FileInfo {
        FileInfo {
            path: path.to_string_lossy().into_owned(),
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            dir: path
                .parent()
                .map(|d| d.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }
}

/// The input of a policy: a Dockerfile's or a compose file's document (`input.kind` says which).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Input {
    Dockerfile(DockerfileInput),
    Compose(ComposeInput),
}

/// A Dockerfile.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct DockerfileInput {
    /// Always `"dockerfile"`.
    pub kind: String,
    pub file: FileInfo,
    /// The escape character (`\` or `` ` ``).
    pub escape: String,
    /// Parser directives (`# syntax=`, `# escape=`, `# check=`).
    pub directives: Vec<Directive>,
    /// `ARG`s before the first `FROM`, with their defaults resolved (`null`: none, or unknown).
    pub global_args: BTreeMap<String, Option<String>>,
    /// Every instruction, in order.
    pub instructions: Vec<Instruction>,
    pub stages: Vec<StageInfo>,
    /// Every place the file names an image.
    pub images: Vec<Image>,
    /// The built-in rules' findings on the file (before inline suppressions).
    pub findings: Vec<FindingInfo>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Directive {
    pub name: String,
    pub value: String,
    pub span: Location,
}

/// One instruction.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Instruction {
    /// Its index in `instructions`.
    pub index: usize,
    /// The keyword lower-cased (`from`, `run`), as conftest's `Cmd`.
    pub cmd: String,
    /// The keyword upper-cased (`FROM`, `RUN`).
    pub keyword: String,
    /// The stage it belongs to; `null` before the first `FROM`.
    pub stage: Option<usize>,
    /// The whole instruction (continuation lines and heredoc bodies included).
    pub span: Location,
    pub keyword_span: Location,
    /// The instruction's source text.
    pub text: String,
    pub flags: Vec<FlagInfo>,
    /// The arguments as BuildKit's parser keeps them: conftest's `Value`.
    pub value: Vec<String>,
    /// Written in JSON (exec) form.
    pub json: bool,
    /// The argument words after the flags, quotes kept (for `FROM`, `COPY`, `USER`, …; a shell
    /// form is one word).
    pub args: Vec<WordInfo>,
    /// `ENV` and `LABEL` pairs (values as written, quotes kept).
    pub pairs: Vec<PairInfo>,
    /// Heredoc bodies.
    pub heredocs: Vec<WordInfo>,
    /// For `RUN`: the simple commands it runs (shell form, heredoc scripts, exec form), through
    /// wrappers such as `sudo` and `env`.
    pub commands: Vec<CommandInfo>,
    /// For `ONBUILD`: the instruction it wraps.
    pub onbuild: Option<Box<Instruction>>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FlagInfo {
    /// The name without dashes (`from`, `mount`, `platform`).
    pub name: String,
    pub value: Option<String>,
    pub span: Location,
}

/// A word and its place.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct WordInfo {
    pub text: String,
    pub span: Location,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct PairInfo {
    pub key: String,
    pub value: String,
    pub key_span: Location,
    pub value_span: Location,
}

/// A simple command a `RUN` runs.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct CommandInfo {
    /// The program that runs, without its directory (`apt-get` for `sudo /usr/bin/apt-get`);
    /// `null` when it is an expansion or absent.
    pub name: Option<String>,
    /// Every word, wrappers included, quotes removed.
    pub words: Vec<WordInfo>,
    /// Where the program's own words start in `words` (after `sudo`, `env A=b`, …).
    pub start: usize,
    pub span: Location,
    /// What it does with a package manager, if it runs one.
    pub package: Option<PackageInfo>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct PackageInfo {
    /// `apt`, `apk`, `pip`, `npm`, …
    pub manager: String,
    /// `install`, `update`, `upgrade`, `remove`, `clean` or `other`.
    pub action: String,
    pub packages: Vec<PackageName>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct PackageName {
    pub name: String,
    /// The version constraint as written (`=1.2-3`, `==2.31.0`), if any.
    pub version: Option<String>,
    /// Pinned to an exact version (or to a build variable).
    pub pinned: bool,
    pub span: Location,
}

/// One build stage.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct StageInfo {
    pub index: usize,
    /// `AS name`, lower-cased.
    pub name: Option<String>,
    /// The `FROM` instruction.
    pub span: Location,
    /// Index in `instructions` of its `FROM`.
    pub from: usize,
    /// Index just past its last instruction.
    pub end: usize,
    /// Its base image (an entry of `images`).
    pub base: Image,
    /// `--platform`, resolved.
    pub platform: Option<String>,
    /// The user it runs as at its end (inherited from a base stage); `null` when no `USER` is
    /// set in the file.
    pub user: Option<UserInfo>,
    /// `ENV` at its end (inherited from a base stage), resolved.
    pub env: BTreeMap<String, String>,
    /// `ARG`s declared in the stage, with their values (`null`: none, or unknown).
    pub args: BTreeMap<String, Option<String>>,
    pub workdir: Option<String>,
    /// Whether it is the final stage (the image `docker build` produces).
    pub last: bool,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct UserInfo {
    /// As written.
    pub raw: String,
    /// After variables (`null`: it needs one the file does not set).
    pub resolved: Option<String>,
    /// `root` or uid 0.
    pub root: bool,
    /// The stage whose `USER` set it.
    pub stage: usize,
    pub span: Location,
}

/// A place an image is named.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Image {
    /// As written (`$BASE`).
    pub raw: String,
    /// After `ARG` defaults (`debian:12`).
    pub resolved: String,
    /// `from`, `copy-from`, `mount-from`, `onbuild` or `compose-image`.
    pub site: String,
    /// `external`, `stage`, `scratch`, `unresolved` (needs a variable the file does not set) or
    /// `built` (a compose `image:` naming what the service builds).
    pub target: String,
    /// For a `stage` target: the stage it names.
    pub target_stage: Option<usize>,
    /// The stage it is named in (Dockerfiles).
    pub stage: Option<usize>,
    /// The compose service whose `image:` it is.
    pub service: Option<String>,
    /// The reference's parts, for an external image with a valid reference.
    pub reference: Option<Reference>,
    /// The token in the source.
    pub span: Location,
    /// The `ARG` defaults the value came from.
    pub via: Vec<Location>,
}

/// An image reference, parsed and normalised.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Reference {
    /// `docker.io` when none is written.
    pub registry: String,
    /// With Docker Hub's `library/` (`library/debian`).
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    /// `docker.io/library/debian:12`.
    pub normalized: String,
    /// `debian:12`.
    pub familiar: String,
}

/// A finding of a built-in rule.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FindingInfo {
    pub code: String,
    pub name: String,
    /// `error`, `warning`, `info` or `style`.
    pub severity: String,
    pub message: String,
    pub span: Location,
}

/// A compose file.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ComposeInput {
    /// Always `"compose"`.
    pub kind: String,
    pub file: FileInfo,
    /// Each YAML document, merge keys and interpolation applied.
    pub documents: Vec<ComposeDocument>,
    /// Every service of every document, as compose runs it: anchors, merge keys, `extends` and
    /// interpolation applied.
    pub services: BTreeMap<String, ServiceInfo>,
    /// Every service's `image:`.
    pub images: Vec<Image>,
    /// The built-in rules' findings on the file (before inline suppressions).
    pub findings: Vec<FindingInfo>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ComposeDocument {
    /// The document as JSON (compose's YAML: `yes` stays text).
    pub config: Value,
    /// The same shape as `config`, each value replaced by its location (see `ServiceInfo`).
    pub spans: Value,
}

/// One service.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ServiceInfo {
    pub name: String,
    /// The document it is in.
    pub document: usize,
    /// Its key.
    pub span: Location,
    /// Its configuration as compose runs it (`config.image`, `config.deploy.resources`).
    pub config: Value,
    /// The same shape as `config`, with each scalar replaced by its location: a `Location`,
    /// plus `anchor` (the anchor's name) and `alias` (where `*name` or `<<: *name` brought it
    /// in) when the value came through an anchor, or `extends` (the entry naming the file) for
    /// a value from another file. Hand one back as a result's `span`, or name the value with a
    /// result's `path` (`["services", "web", "config", "image"]`).
    pub spans: Value,
}

/// The JSON Schema of the plimsoll input document, generated from these types
/// (`plimsoll policy schema`; `rules/policy/input.schema.json` is a copy a test keeps equal).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Input);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

/// Builds the plimsoll input of a file.
pub fn build(analysis: &Analysis<'_>, findings: &[Finding], env: &LoadEnv) -> Input {
    let file = analysis.file;
    let findings = findings
        .iter()
        .map(|f| FindingInfo {
            code: f.code.to_string(),
            name: f.name.to_string(),
            severity: f.severity.as_str().to_string(),
            message: f.message.clone(),
            span: Location::of(f.span, file),
        })
        .collect();
    let images = analysis
        .image_uses()
        .iter()
        .map(|u| image(u, file))
        .collect();
    match (analysis.tree, analysis.dockerfile, analysis.compose) {
        (Some(tree), Some(df), _) => {
            Input::Dockerfile(dockerfile(analysis, tree, df, images, findings))
        }
        (_, _, Some(compose)) => {
            Input::Compose(compose_input(file, &compose.yaml, env, images, findings))
        }
        _ => Input::Dockerfile(DockerfileInput {
            kind: "dockerfile".into(),
            file: FileInfo::of(&file.path),
            escape: "\\".into(),
            directives: Vec::new(),
            global_args: BTreeMap::new(),
            instructions: Vec::new(),
            stages: Vec::new(),
            images,
            findings,
        }),
    }
}

fn image(u: &ImageUse, file: &SourceFile) -> Image {
    let reference = (u.target == ImageTarget::External)
        .then(|| ImageRef::parse(&u.resolved).ok())
        .flatten()
        .map(|r| Reference {
            registry: r.domain().to_string(),
            repository: r.path().into_owned(),
            tag: r.tag_str().map(str::to_string),
            digest: r.digest_str().map(str::to_string),
            normalized: r.normalized(),
            familiar: r.familiar(),
        });
    let (target, target_stage) = match u.target {
        ImageTarget::Scratch => ("scratch", None),
        ImageTarget::Stage(i) => ("stage", Some(i)),
        ImageTarget::External => ("external", None),
        ImageTarget::Unresolved => ("unresolved", None),
        ImageTarget::Built => ("built", None),
    };
    Image {
        raw: u.raw.clone(),
        resolved: u.resolved.clone(),
        site: match u.site {
            ImageSite::From => "from",
            ImageSite::CopyFrom => "copy-from",
            ImageSite::MountFrom => "mount-from",
            ImageSite::Onbuild => "onbuild",
            ImageSite::ComposeImage => "compose-image",
        }
        .into(),
        target: target.into(),
        target_stage,
        stage: u.stage,
        service: u.service.clone(),
        reference,
        span: Location::of(u.span, file),
        via: u.via.iter().map(|s| Location::of(*s, file)).collect(),
    }
}

fn word(text: &str, span: Span, file: &SourceFile) -> WordInfo {
    WordInfo {
        text: text.to_string(),
        span: Location::of(span, file),
    }
}

fn dockerfile(
    analysis: &Analysis<'_>,
    tree: &crate::syntax::dockerfile::Dockerfile,
    df: &model::Dockerfile,
    images: Vec<Image>,
    findings: Vec<FindingInfo>,
) -> DockerfileInput {
    let file = analysis.file;
    let instructions = df
        .instrs
        .iter()
        .zip(&tree.instructions)
        .enumerate()
        .map(|(i, (ins, node))| {
            let stage = df.stage_of(i).map(|s| s.index);
            instruction(analysis, i, ins, node, stage, false)
        })
        .collect();
    let last = df.stages.len().saturating_sub(1);
    let stages = df
        .stages
        .iter()
        .map(|s| StageInfo {
            index: s.index,
            name: s.name.clone(),
            span: Location::of(
                df.instrs.get(s.from).map_or(Span::empty(0), |i| i.span),
                file,
            ),
            from: s.from,
            end: s.instrs.end,
            base: df
                .images
                .get(s.base)
                .map_or_else(|| image(&placeholder_use(), file), |u| image(u, file)),
            platform: s.platform.clone(),
            user: s.user.as_ref().map(|u| UserInfo {
                raw: u.raw.clone(),
                resolved: u.resolved.clone(),
                root: u.is_root(),
                stage: u.stage,
                span: Location::of(u.span, file),
            }),
            env: s.env.clone(),
            args: stage_args(df, s),
            workdir: s.workdir.clone(),
            last: s.index == last,
        })
        .collect();
    DockerfileInput {
        kind: "dockerfile".into(),
        file: FileInfo::of(&file.path),
        escape: df.escape.to_string(),
        directives: tree
            .directives
            .iter()
            .map(|d| Directive {
                name: d.name.clone(),
                value: d.value.clone(),
                span: Location::of(d.span, file),
            })
            .collect(),
        global_args: df.global_args.clone(),
        instructions,
        stages,
        images,
        findings,
    }
}

fn placeholder_use() -> ImageUse {
    ImageUse {
        span: Span::empty(0),
        raw: String::new(),
        resolved: String::new(),
        site: ImageSite::From,
        target: ImageTarget::Unresolved,
        stage: None,
        via: Vec::new(),
        service: None,
    }
}

fn instruction(
    analysis: &Analysis<'_>,
    index: usize,
    ins: &model::Instr,
    node: &crate::syntax::dockerfile::Instruction,
    stage: Option<usize>,
    onbuild: bool,
) -> Instruction {
    let file = analysis.file;
    let commands = if ins.kind == model::InstructionKind::Run {
        analysis
            .run_commands(index, onbuild)
            .iter()
            .map(|c| command(c, file))
            .collect()
    } else {
        Vec::new()
    };
    Instruction {
        index,
        cmd: ins.keyword.to_ascii_lowercase(),
        keyword: ins.keyword.clone(),
        stage,
        span: Location::of(ins.span, file),
        keyword_span: Location::of(ins.keyword_span, file),
        text: file.slice(ins.span).to_string(),
        flags: ins
            .flags
            .iter()
            .map(|f| FlagInfo {
                name: f.name.clone(),
                value: f.value.as_ref().map(|v| v.text.clone()),
                span: Location::of(f.span, file),
            })
            .collect(),
        value: crate::syntax::dockerfile::dump::arg_values(node, &node.args),
        json: ins.exec_form,
        args: ins
            .args
            .iter()
            .map(|w| word(&w.text, w.span, file))
            .collect(),
        pairs: ins
            .pairs
            .iter()
            .map(|(k, v)| PairInfo {
                key: k.text.clone(),
                value: v.text.clone(),
                key_span: Location::of(k.span, file),
                value_span: Location::of(v.span, file),
            })
            .collect(),
        heredocs: ins
            .heredocs
            .iter()
            .map(|h| word(&h.text, h.span, file))
            .collect(),
        commands,
        onbuild: match (&ins.onbuild, node.onbuild()) {
            (Some(inner), Some(inner_node)) => Some(Box::new(instruction(
                analysis, index, inner, inner_node, stage, true,
            ))),
            _ => None,
        },
    }
}

fn command(c: &crate::analysis::command::Command<'_>, file: &SourceFile) -> CommandInfo {
    let span = match (c.words.first(), c.words.last()) {
        (Some(a), Some(b)) => a.span.cover(b.span),
        _ => Span::empty(0),
    };
    CommandInfo {
        name: c
            .name_word()
            .filter(|w| !w.has_expansion)
            .map(|_| c.name().unwrap_or_default().to_string()),
        words: c
            .words
            .iter()
            .map(|w| word(w.as_str(), w.span, file))
            .collect(),
        start: c.start,
        span: Location::of(span, file),
        package: packages::classify(c).map(|p| PackageInfo {
            manager: p.manager.as_str().to_string(),
            action: match p.action {
                packages::Action::Install => "install",
                packages::Action::Update => "update",
                packages::Action::Upgrade => "upgrade",
                packages::Action::Remove => "remove",
                packages::Action::Clean => "clean",
                packages::Action::Other => "other",
            }
            .into(),
            packages: p
                .packages
                .iter()
                .map(|pkg| PackageName {
                    name: pkg.name.to_string(),
                    version: pkg.version.map(str::to_string),
                    pinned: pkg.is_pinned(),
                    span: Location::of(pkg.word.span, file),
                })
                .collect(),
        }),
    }
}

/// The `ARG`s a stage declares, with their values: the default written in the stage, else the
/// global default it re-imports (`ARG NAME`), resolved through the stage's `ENV` and the
/// earlier `ARG`s; `null` when there is none or it needs an unknown variable.
fn stage_args(df: &model::Dockerfile, stage: &model::Stage) -> BTreeMap<String, Option<String>> {
    struct Vars<'m>(
        &'m BTreeMap<String, Option<String>>,
        &'m BTreeMap<String, String>,
    );
    impl crate::syntax::expand::Lookup for Vars<'_> {
        fn get(&self, name: &str) -> Option<std::borrow::Cow<'_, str>> {
            self.1
                .get(name)
                .map(|v| std::borrow::Cow::Borrowed(v.as_str()))
                .or_else(|| {
                    self.0
                        .get(name)
                        .and_then(|v| v.as_deref())
                        .map(std::borrow::Cow::Borrowed)
                })
        }
    }
    let mut args: BTreeMap<String, Option<String>> = BTreeMap::new();
    for ins in df.instrs.get(stage.instrs.clone()).unwrap_or_default() {
        if ins.kind != model::InstructionKind::Arg {
            continue;
        }
        for d in crate::analysis::variables::var_decls(ins) {
            let value = match d.value {
                Some((raw, _)) => {
                    let mut uses = crate::syntax::expand::VarUse::default();
                    crate::syntax::expand::Expander::new(&Vars(&args, &stage.env))
                        .with_escape(df.escape)
                        .expand_word_tracked(&raw, &mut uses)
                        .ok()
                        .filter(|_| uses.unset.is_empty())
                }
                None => df.global_args.get(&d.name).cloned().flatten(),
            };
            args.insert(d.name, value);
        }
    }
    args
}

// ---- compose ---------------------------------------------------------------------------------

/// How deep `extends` chains are followed (compose files use one or two levels).
const MAX_EXTENDS: usize = 8;
/// Collections nested deeper than this are cut (the YAML reader refuses deeper documents).
const MAX_DEPTH: usize = 256;

fn compose_input(
    file: &SourceFile,
    yaml: &Yaml,
    load_env: &LoadEnv,
    images: Vec<Image>,
    findings: Vec<FindingInfo>,
) -> ComposeInput {
    let env = with_dotenv(file, load_env);
    let walker = Walker {
        yaml,
        file,
        env: &env,
        load_env,
        remap: None,
    };
    let mut documents = Vec::new();
    let mut services = BTreeMap::new();
    for (d, doc) in yaml.documents.iter().enumerate() {
        let Some(root) = doc.root else {
            documents.push(ComposeDocument {
                config: Value::Null,
                spans: Value::Null,
            });
            continue;
        };
        let (config, spans) = walker.convert(root, None, 0);
        documents.push(ComposeDocument { config, spans });
        let Some(services_node) = yaml.lookup(root, "services").map(|e| e.value) else {
            continue;
        };
        for e in yaml.iter_entries(services_node) {
            let Some(name) = yaml.scalar(e.key) else {
                continue;
            };
            let key_span = yaml.node(e.key).map_or(Span::empty(0), |n| n.span);
            let (config, spans) = walker.service(services_node, name, 0);
            services.insert(
                name.to_string(),
                ServiceInfo {
                    name: name.to_string(),
                    document: d,
                    span: Location::of(key_span, file),
                    config,
                    spans,
                },
            );
        }
    }
    ComposeInput {
        kind: "compose".into(),
        file: FileInfo::of(&file.path),
        documents,
        services,
        images,
        findings,
    }
}

/// The variables interpolation reads: the process environment over the `.env` beside the file,
/// read through the compose loader (as the model reads it) when the file interpolates anything.
fn with_dotenv(file: &SourceFile, env: &LoadEnv) -> Env {
    let mut out = Env {
        vars: env.vars.clone(),
        dotenv: Default::default(),
    };
    if !file.text.contains('$') {
        return out;
    }
    let Some(path) = crate::model::compose::dotenv_path(&file.path) else {
        return out;
    };
    if let Ok(text) = env.files.text(&path) {
        out.dotenv = crate::syntax::compose::dotenv::parse(&text, &|n| env.vars.get(n).cloned())
            .into_iter()
            .collect();
    }
    out
}

/// How a value came to where it is used.
#[derive(Clone, Debug)]
struct Via {
    anchor: String,
    alias: Span,
}

/// Turns YAML nodes into the effective configuration and its parallel tree of locations.
struct Walker<'a> {
    yaml: &'a Yaml,
    file: &'a SourceFile,
    env: &'a Env,
    /// Where other files come from (`extends: {file: …}`).
    load_env: &'a LoadEnv,
    /// Converting another file's service (`extends: {file: …}`): every location is this
    /// `extends` entry here.
    remap: Option<Span>,
}

impl Walker<'_> {
    fn location(&self, span: Span, via: Option<&Via>) -> Value {
        let mut loc =
            match serde_json::to_value(Location::of(self.remap.unwrap_or(span), self.file)) {
                Ok(Value::Object(m)) => m,
                _ => Map::new(),
            };
        if let Some(extends) = self.remap {
            loc.insert(
                "extends".into(),
                serde_json::json!(Location::of(extends, self.file)),
            );
        } else if let Some(v) = via {
            loc.insert("anchor".into(), Value::String(v.anchor.clone()));
            loc.insert(
                "alias".into(),
                serde_json::json!(Location::of(v.alias, self.file)),
            );
        }
        Value::Object(loc)
    }

    /// `(config, spans)` of node `id`.
    fn convert(&self, id: NodeId, via: Option<&Via>, depth: usize) -> (Value, Value) {
        let yaml = self.yaml;
        let target = yaml.resolve(id);
        let alias_via;
        let via = if target != id
            && self.remap.is_none()
            && let Some((name, _)) = yaml.anchor_of(target)
        {
            alias_via = Via {
                anchor: name.to_string(),
                alias: yaml.node(id).map_or(Span::empty(0), |n| n.span),
            };
            Some(&alias_via)
        } else {
            via
        };
        let Some(node) = yaml.node(target) else {
            return (Value::Null, Value::Null);
        };
        if depth > MAX_DEPTH {
            return (Value::Null, self.location(node.span, via));
        }
        match &node.kind {
            NodeKind::Scalar { value, style } => {
                let raw = yaml.str(*value);
                let config = scalar(raw, *style, yaml.tag(target), self.env);
                (config, self.location(node.span, via))
            }
            NodeKind::Sequence(items) => {
                let (mut config, mut spans) = (Vec::new(), Vec::new());
                for i in yaml.items(*items) {
                    let (c, s) = self.convert(*i, via, depth + 1);
                    config.push(c);
                    spans.push(s);
                }
                (Value::Array(config), Value::Array(spans))
            }
            NodeKind::Mapping(_) => {
                let (mut config, mut spans) = (Map::new(), Map::new());
                for e in yaml.iter_entries(target) {
                    let Some(key) = yaml.scalar(e.key) else {
                        continue;
                    };
                    if config.contains_key(key) {
                        continue;
                    }
                    let merged;
                    let via = match merge_via(yaml, &e) {
                        Some(v) if self.remap.is_none() => {
                            merged = v;
                            Some(&merged)
                        }
                        _ => via,
                    };
                    let (c, s) = self.convert(e.value, via, depth + 1);
                    config.insert(key.to_string(), c);
                    spans.insert(key.to_string(), s);
                }
                (Value::Object(config), Value::Object(spans))
            }
            NodeKind::Alias { .. } => (Value::Null, self.location(node.span, via)),
        }
    }

    /// The effective service `name` of the `services` mapping, `extends` applied.
    fn service(&self, services: NodeId, name: &str, depth: usize) -> (Value, Value) {
        let yaml = self.yaml;
        let Some(entry) = yaml.lookup(services, name) else {
            return (Value::Null, Value::Null);
        };
        let (mut config, mut spans) = self.convert(entry.value, None, 0);
        let Some(extends) = config.as_object_mut().and_then(|m| m.remove("extends")) else {
            return (config, spans);
        };
        let extends_span = spans
            .as_object_mut()
            .and_then(|m| m.remove("extends"))
            .and_then(|s| span_of_location(&s))
            .unwrap_or(Span::empty(0));
        if depth >= MAX_EXTENDS {
            return (config, spans);
        }
        let (base_name, base_file) = match &extends {
            Value::String(s) => (s.clone(), None),
            Value::Object(m) => (
                m.get("service")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                m.get("file").and_then(Value::as_str).map(str::to_string),
            ),
            _ => return (config, spans),
        };
        let base = match base_file {
            None if base_name == name => None,
            None => Some(self.service(services, &base_name, depth + 1)),
            Some(other) => self.other_file(&other, &base_name, extends_span),
        };
        if let Some((base_config, base_spans)) = base {
            let resets = reset_keys(yaml, entry.value);
            merge(
                &mut config,
                &mut spans,
                base_config,
                base_spans,
                &resets,
                "",
            );
        }
        (config, spans)
    }

    /// Service `name` of compose file `other` (relative to this file), every location pointing
    /// at the `extends` entry here.
    fn other_file(&self, other: &str, name: &str, at: Span) -> Option<(Value, Value)> {
        let path = self.file.path.parent()?.join(other);
        let text = self.load_env.files.text(&path).ok()?;
        let loaded = crate::model::compose::load(&text, &path, self.load_env);
        let walker = Walker {
            yaml: &loaded.yaml,
            file: self.file,
            env: self.env,
            load_env: self.load_env,
            remap: Some(at),
        };
        let root = loaded.yaml.documents.first()?.root?;
        let services = loaded.yaml.lookup(root, "services")?.value;
        // Its own `extends` within that file are followed there.
        Some(walker.service(services, name, MAX_EXTENDS - 1))
    }
}

/// The anchor a `<<` merge brought an entry in through.
fn merge_via(yaml: &Yaml, e: &Entry) -> Option<Via> {
    let m = e.merged_from?;
    let (name, _) = yaml.anchor_of(m.anchor_node)?;
    Some(Via {
        anchor: name.to_string(),
        alias: m.use_span,
    })
}

/// The top-level keys of a service tagged `!reset` (dropped from the base) or `!override`
/// (replacing the base's value whole).
fn reset_keys(yaml: &Yaml, service: NodeId) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for e in yaml.iter_entries(service) {
        let (Some(key), Some(tag)) = (yaml.scalar(e.key), yaml.node(e.value).and_then(|n| n.tag()))
        else {
            continue;
        };
        match tag {
            "!reset" => out.push((key.to_string(), true)),
            "!override" => out.push((key.to_string(), false)),
            _ => {}
        }
    }
    out
}

/// Keys whose lists the service's own value replaces (compose merges every other list).
const REPLACED_LISTS: [&str; 3] = ["command", "entrypoint", "test"];

/// Merges a base service into the one that `extends` it, as compose does: the service's own
/// values win, mappings merge key by key, lists join without duplicates (`KEY=VALUE` lists by
/// key), `command`, `entrypoint` and `test` are replaced, `!reset` drops and `!override`
/// replaces a key.
fn merge(
    own: &mut Value,
    own_spans: &mut Value,
    base: Value,
    base_spans: Value,
    resets: &[(String, bool)],
    key: &str,
) {
    match (own, own_spans, base, base_spans) {
        (Value::Object(o), Value::Object(os), Value::Object(b), Value::Object(bs)) => {
            let mut bs = bs;
            for (k, bv) in b {
                let bsv = bs.remove(&k).unwrap_or(Value::Null);
                match resets.iter().find(|(r, _)| *r == k) {
                    Some((_, true)) => {
                        o.remove(&k);
                        os.remove(&k);
                        continue;
                    }
                    Some((_, false)) if o.contains_key(&k) => continue,
                    _ => {}
                }
                match (o.get_mut(&k), os.get_mut(&k)) {
                    (Some(ov), Some(osv)) => merge(ov, osv, bv, bsv, &[], &k),
                    _ => {
                        o.insert(k.clone(), bv);
                        os.insert(k, bsv);
                    }
                }
            }
        }
        (Value::Array(o), Value::Array(os), Value::Array(b), Value::Array(bs))
            if !REPLACED_LISTS.contains(&key) =>
        {
            let by_key = |v: &Value| {
                v.as_str()
                    .and_then(|s| s.split_once('='))
                    .map(|(k, _)| k.to_string())
            };
            let keyed = o.iter().chain(&b).all(|v| by_key(v).is_some());
            let mut merged: Vec<(Value, Value)> = b.into_iter().zip(bs).collect();
            for (v, s) in std::mem::take(o).into_iter().zip(std::mem::take(os)) {
                merged.retain(|(m, _)| {
                    if keyed {
                        by_key(m) != by_key(&v)
                    } else {
                        *m != v
                    }
                });
                merged.push((v, s));
            }
            for (v, s) in merged {
                o.push(v);
                os.push(s);
            }
        }
        // A scalar, a replaced list or a change of type: the service's own value stands.
        _ => {}
    }
}

/// The byte span of a location object of the spans tree.
pub(crate) fn span_of_location(v: &Value) -> Option<Span> {
    let start = v.get("start")?.as_u64()?;
    let end = v.get("end")?.as_u64()?;
    Some(Span::new(start as usize, end as usize))
}

/// A compose scalar as compose reads it (YAML 1.2 core schema: `true`/`false`, null, numbers;
/// `yes` is text), interpolated.
fn scalar(raw: &str, style: ScalarStyle, tag: Option<&str>, env: &Env) -> Value {
    let lookup = |n: &str| env.get(n).map(str::to_string);
    let text = if raw.contains('$') {
        interpolate(raw, &lookup).value.into_owned()
    } else {
        raw.to_string()
    };
    if style != ScalarStyle::Plain || tag == Some("!!str") {
        return Value::String(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    let numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && text.bytes().any(|b| b.is_ascii_digit());
    if numeric
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn compose_of(text: &str) -> ComposeInput {
        let file = SourceFile::new("compose.yaml", text, FileKind::Compose);
        let yaml = crate::syntax::compose::yaml::parse(text);
        compose_input(
            &file,
            &yaml,
            &LoadEnv::new().with_var("TAG", "1.2"),
            Vec::new(),
            Vec::new(),
        )
    }

    #[test]
    fn services_are_effective_with_the_location_of_every_value() {
        let text = "x-base: &base\n  image: nginx:${TAG}\n  read_only: yes\nservices:\n  web:\n    <<: *base\n    ports: [\"80:80\"]\n  worker:\n    extends: web\n    ports: [\"81:81\"]\n    command: [run]\n";
        let c = compose_of(text);
        let web = &c.services["web"];
        assert_eq!(
            web.config,
            serde_json::json!({"image": "nginx:1.2", "read_only": "yes", "ports": ["80:80"]})
        );
        let img = &web.spans["image"];
        assert_eq!(img["line"], 2);
        assert_eq!(img["anchor"], "base");
        assert_eq!(img["alias"]["line"], 6);
        let worker = &c.services["worker"];
        assert_eq!(
            worker.config,
            serde_json::json!({"image": "nginx:1.2", "read_only": "yes", "ports": ["80:80", "81:81"], "command": ["run"]})
        );
        assert_eq!(worker.spans["ports"][1]["line"], 10);
        assert_eq!(worker.spans["image"]["line"], 2);
        assert_eq!(c.documents.len(), 1);
    }
}

//! The compose model rules ask about: services and top-level resources, every value with its
//! span, its text as written and as interpolated, and where it came from (an anchor, `extends`).
//!
//! [`load`] parses a compose file ([`crate::syntax::compose`]), checks it against the project's
//! own model of the Compose Specification ([`schema`]) and builds one [`Compose`] per YAML
//! document ([`builder`]). The files a compose file names come through the [`ComposeFiles`]
//! loader in its [`Env`], never from the disk directly. Problems are [`Diagnostic`]s, never
//! panics or aborts.

mod builder;
pub mod builds;
mod built;
pub mod effective;
pub mod files;
pub mod include;
mod load;
mod missing;
pub mod profiles;
pub mod project;
pub mod schema;
pub mod short_syntax;

use std::path::{Path, PathBuf};

use crate::source::Span;
use crate::syntax::compose::yaml::{NodeId, ScalarStyle, Yaml};

pub use files::{ComposeFiles, DiskFiles, EntryKind, Env, FileError, MemFiles};
pub use load::{load, load_path};

/// A loaded compose file: its YAML tree, one [`Compose`] per document, and diagnostics.
#[derive(Clone, Debug)]
pub struct ComposeFile {
    pub path: PathBuf,
    pub yaml: Yaml,
    /// One per YAML document that was usable (refused documents are left out).
    pub documents: Vec<Compose>,
    pub diagnostics: Vec<Diagnostic>,
    /// Services inherited through `extends` from other files, with where their values stand
    /// there (a finding on such a value can only point at the `extends` entry here).
    pub imports: Vec<Import>,
}

/// A service inherited through `extends` from another file: every value that came with it has
/// `span` (the `extends` entry here) as its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub span: Span,
    /// The `file:` value of the `extends` entry here.
    pub file_span: Span,
    pub file: PathBuf,
    pub service: String,
    /// Each value (and key) built from that file, in order.
    pub values: Vec<ImportedValue>,
}

/// A value as it stands in the file it was inherited from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedValue {
    /// The scalar as written there.
    pub raw: String,
    /// 1-based line and column there.
    pub line: u32,
    pub column: u32,
}

impl ComposeFile {
    /// The value inherited from another file that a finding at `span` with `message` is about:
    /// the import whose `extends` entry is at `span`, and of its values the one the message
    /// quotes in backquotes (else the import alone).
    pub fn imported_at(
        &self,
        span: Span,
        message: &str,
    ) -> Option<(&Import, Option<&ImportedValue>)> {
        let import = self.imports.iter().find(|i| i.span == span)?;
        let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
        let value = quoted
            .iter()
            .find_map(|q| import.values.iter().find(|v| v.raw == *q))
            .or_else(|| {
                quoted.iter().find_map(|q| {
                    import
                        .values
                        .iter()
                        .find(|v| v.raw.len() > 2 && q.contains(v.raw.as_str()))
                })
            });
        Some((import, value))
    }
}

impl ComposeFile {
    /// Every service of every document.
    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.documents.iter().flat_map(|d| d.services.iter())
    }

    /// Whether a diagnostic means compose itself would refuse the file.
    pub fn has_fatal(&self) -> bool {
        self.diagnostics.iter().any(|d| d.kind.is_fatal())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DiagnosticKind {
    /// Not valid YAML (the message says why).
    Syntax,
    /// Unknown key or wrong type for the Compose Specification.
    Schema,
    /// A mapping names the same key twice.
    DuplicateKey,
    /// A malformed `${...}`.
    Interpolation,
    /// A variable with no value and no default (compose reads it as ""), or a required one
    /// (`${VAR:?msg}`) missing from the environment plimsoll runs in.
    UnsetVariable,
    /// Aliases expand the document past the budget (an alias bomb; the document was refused),
    /// or interpolation, `.env` values or `extends` grow past theirs (values from there on are
    /// unknown).
    AliasBudget,
    /// Collections nested too deep (or an alias inside its own anchor); the document was refused.
    Depth,
    /// `extends` names a service or file that cannot be found or read, or forms a cycle.
    Extends,
    /// A file or directory the project names does not exist: a secret's or config's `file:`,
    /// a required `env_file:`, a build context or its Dockerfile.
    MissingFile,
    /// The version-1 layout (services at the top level), which current Compose refuses; its
    /// services are still read.
    LegacyLayout,
    /// `include:` entries form a cycle or nest past [`include::MAX_DEPTH`].
    Include,
}

impl DiagnosticKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticKind::Syntax => "syntax",
            DiagnosticKind::Schema => "schema",
            DiagnosticKind::DuplicateKey => "duplicate-key",
            DiagnosticKind::Interpolation => "interpolation",
            DiagnosticKind::UnsetVariable => "unset-variable",
            DiagnosticKind::AliasBudget => "alias-budget",
            DiagnosticKind::Depth => "depth",
            DiagnosticKind::Extends => "extends",
            DiagnosticKind::MissingFile => "missing-file",
            DiagnosticKind::LegacyLayout => "legacy-layout",
            DiagnosticKind::Include => "include",
        }
    }

    /// Kinds after which compose refuses the file (the CLI maps these to exit code 2).
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            DiagnosticKind::Syntax | DiagnosticKind::AliasBudget | DiagnosticKind::Depth
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    pub span: Span,
    pub message: String,
    /// Other places worth showing (e.g. the first occurrence of a duplicate key).
    pub related: Vec<(Span, String)>,
}

/// Where a value came from when it was not written at its use site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Through an alias `*name` or a merge key `<<: *name`: `alias_span` is the use site,
    /// `anchor_span` the `&name` definition.
    Anchor {
        name: String,
        anchor_span: Span,
        alias_span: Span,
    },
    /// Inherited through `extends`. `file` is `None` for the same file; for another file the
    /// value's `span` points at the `extends` entry here and `original_span` into that file.
    Extends {
        service: String,
        file: Option<PathBuf>,
        original_span: Span,
    },
}

/// A scalar value: its text as written, as interpolated, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The scalar as YAML reads it (quotes removed), before interpolation.
    pub raw: String,
    /// After `${VAR}` interpolation (equal to `raw` when there is nothing to interpolate).
    pub value: String,
    /// The value's span in this file.
    pub span: Span,
    pub style: ScalarStyle,
    /// Byte offset in the file where `raw` appears verbatim (plain or simply quoted scalars), so
    /// a part of it can be located exactly; `None` when escapes or folding change the text.
    pub raw_offset: Option<u32>,
    pub node: NodeId,
    pub origin: Option<Origin>,
}

impl Text {
    /// Span of a byte range of `raw`, exact when the text is verbatim in the file, else the whole.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        match self.raw_offset {
            Some(o) if range.start <= range.end && range.end <= self.raw.len() => {
                Span::new(o as usize + range.start, o as usize + range.end)
            }
            _ => self.span,
        }
    }

    /// Whether the raw text uses `$VAR` / `${VAR}`.
    pub fn is_interpolated(&self) -> bool {
        crate::syntax::compose::interpolate::has_variables(&self.raw)
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A boolean (`true`, and YAML 1.1 `yes`/`on`, as compose reads them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// `None` when the text is not a boolean (a schema diagnostic says so).
    pub value: Option<bool>,
    pub text: Text,
}

impl Flag {
    pub fn is_true(&self) -> bool {
        self.value == Some(true)
    }
}

/// An integer (decimal, `0o17`/`017` octal for file modes, `0x` hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Num {
    pub value: Option<i64>,
    pub text: Text,
}

/// `KEY=VALUE` from a list item or `KEY: VALUE` from a mapping (environment, labels, args).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Text,
    /// `None` for `KEY` alone or `KEY:` with a null value (taken from the environment).
    pub value: Option<Text>,
    pub span: Span,
    /// Written as a list item `KEY=VALUE` rather than a mapping entry.
    pub list_form: bool,
}

/// One YAML document of a compose file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compose {
    pub span: Span,
    pub node: Option<NodeId>,
    pub name: Option<Text>,
    pub version: Option<Text>,
    pub services: Vec<Service>,
    pub networks: Vec<Resource>,
    pub volumes: Vec<Resource>,
    pub secrets: Vec<Resource>,
    pub configs: Vec<Resource>,
    /// Top-level `models` (AI models).
    pub models: Vec<Resource>,
    pub include: Vec<Include>,
    /// `x-*` keys at the top level.
    pub extensions: Vec<Text>,
}

impl Compose {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name.value == name)
    }
}

/// A top-level network, volume, secret or config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// The key it is declared under.
    pub key: Text,
    pub span: Span,
    pub node: NodeId,
    /// The `name:` property.
    pub name: Option<Text>,
    pub external: Option<Flag>,
    pub driver: Option<Text>,
    /// Secrets and configs: `file:`, `environment:`, `content:`.
    pub file: Option<Text>,
    pub environment: Option<Text>,
    pub content: Option<Text>,
    pub labels: Vec<KeyValue>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    pub span: Span,
    pub node: NodeId,
    pub path: Vec<Text>,
    pub project_directory: Option<Text>,
    pub env_file: Vec<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// The service's key.
    pub name: Text,
    /// The service's mapping.
    pub span: Span,
    pub node: NodeId,
    pub image: Option<Text>,
    /// Boxed, as are `healthcheck` and `deploy`: most services have none, and a service is
    /// built in place and moved whole.
    pub build: Option<Box<Build>>,
    pub user: Option<Text>,
    pub privileged: Option<Flag>,
    pub read_only: Option<Flag>,
    pub use_api_socket: Option<Flag>,
    pub init: Option<Flag>,
    pub cap_add: Vec<Text>,
    pub cap_drop: Vec<Text>,
    pub security_opt: Vec<Text>,
    pub network_mode: Option<Text>,
    pub pid: Option<Text>,
    pub ipc: Option<Text>,
    pub userns_mode: Option<Text>,
    pub uts: Option<Text>,
    /// `cgroup: host | private` (the cgroup namespace).
    pub cgroup: Option<Text>,
    pub cgroup_parent: Option<Text>,
    /// Service-level limits (the `deploy.resources.limits` ones are in [`Deploy`]).
    pub mem_limit: Option<Text>,
    pub cpus: Option<Text>,
    pub cpu_quota: Option<Text>,
    pub pids_limit: Option<Num>,
    pub restart: Option<Text>,
    pub container_name: Option<Text>,
    pub platform: Option<Text>,
    pub volumes: Vec<VolumeMount>,
    pub ports: Vec<Port>,
    pub environment: Vec<KeyValue>,
    pub env_file: Vec<EnvFile>,
    pub secrets: Vec<FileRef>,
    pub configs: Vec<FileRef>,
    pub devices: Vec<Device>,
    pub healthcheck: Option<Box<Healthcheck>>,
    pub deploy: Option<Box<Deploy>>,
    pub profiles: Vec<Text>,
    pub labels: Vec<KeyValue>,
    pub depends_on: Vec<Text>,
    pub networks: Vec<Text>,
    pub command: Option<Command>,
    pub entrypoint: Option<Command>,
    pub extends: Option<Extends>,
    /// `provider:`: compose hands the service to a provider plugin (a cloud resource, a model
    /// runner) and runs no container for it. The span of its mapping.
    pub provider: Option<Span>,
}

impl Service {
    /// Whether this file says all there is to know about the container the service runs, so a
    /// key it does not write is truly absent: the service has an image or a build (a service
    /// with neither is a fragment that another file, merged over it, completes; compose refuses
    /// to run it alone), every `extends` base was found and merged, and it is not a
    /// `provider:` service, which runs no container. The policies that report a missing key
    /// (`cap_drop`, `read_only`, limits, health check) judge only such services.
    pub fn container_is_complete(&self) -> bool {
        self.provider.is_none()
            && (self.image.is_some() || self.build.is_some())
            && self.extends.as_ref().is_none_or(|e| e.resolved)
    }

    /// `deploy.resources.limits`, when the service writes it.
    pub fn deploy_limits(&self) -> Option<&ResourceSpec> {
        self.deploy
            .as_ref()
            .and_then(|d| d.resources.as_ref())
            .and_then(|r| r.limits.as_ref())
    }

    /// Whether `image` names what this service's own `build` produces (compose tags the build
    /// result with it), rather than an image pulled from a registry.
    pub fn image_is_built(&self) -> bool {
        self.image.is_some() && self.build.is_some()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    pub span: Span,
    pub node: NodeId,
    /// `build: ./dir` rather than a mapping.
    pub short: bool,
    pub context: Option<Text>,
    pub dockerfile: Option<Text>,
    pub dockerfile_inline: Option<Text>,
    pub args: Vec<KeyValue>,
    pub target: Option<Text>,
    pub secrets: Vec<FileRef>,
    /// `privileged: true`: compose's spelling of the `security.insecure` entitlement, which lets
    /// `RUN --security=insecure` steps run privileged.
    pub privileged: Option<Flag>,
    /// `entitlements:` the build is granted (`security.insecure` is a privileged build,
    /// `network.host` the host's network).
    pub entitlements: Vec<Text>,
    /// The stage this build produces, read from its Dockerfile with `args` and `target`
    /// (`None` when the Dockerfile cannot be read here).
    pub built: Option<Box<BuiltStage>>,
}

/// The stage a service's `build:` produces, as its Dockerfile says: what decides the user
/// the container runs as when the service sets no `user:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltStage {
    /// The Dockerfile (`None` for `dockerfile_inline:`).
    pub dockerfile: Option<PathBuf>,
    /// The stage's name, or `#<index>` for an unnamed one.
    pub stage: String,
    /// 1-based line and column of the stage's `FROM` in the Dockerfile.
    pub from_line: u32,
    pub from_column: u32,
    /// The `USER` in effect at the end of the stage (resolved where possible), with its line.
    pub user: Option<(String, u32)>,
    /// The external image the stage's chain starts from (`FROM` resolved with the build's
    /// args); `None` for `scratch` or a base that cannot be resolved.
    pub base: Option<String>,
    /// `build.target` names no stage of the Dockerfile.
    pub target_missing: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MountKind {
    Bind,
    Volume,
    Tmpfs,
    Npipe,
    Cluster,
    Image,
    /// A `type:` compose does not know (the schema check reports it).
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeMount {
    pub span: Span,
    pub node: NodeId,
    /// The whole entry when written in short syntax `src:dst:mode`.
    pub short: Option<Text>,
    /// Long syntax `type:`, or inferred for short syntax (a path source is a bind mount, a name a
    /// named volume, no source an anonymous volume).
    pub kind: MountKind,
    pub source: Option<Text>,
    pub target: Option<Text>,
    /// Short syntax access mode(s), e.g. `ro`, `rw,z`.
    pub mode: Option<Text>,
    /// From `:ro` in short syntax or `read_only: true` in long syntax.
    pub read_only: bool,
    /// Bind propagation: long syntax `bind: propagation:`, or a short-syntax mode among
    /// `shared`, `rshared`, `slave`, `rslave`, `private`, `rprivate`.
    pub propagation: Option<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub span: Span,
    pub node: NodeId,
    /// The whole entry when written in short syntax.
    pub short: Option<Text>,
    pub host_ip: Option<Text>,
    /// Host port or range (`8080`, `8000-8010`).
    pub published: Option<Text>,
    /// Container port or range.
    pub target: Option<Text>,
    pub protocol: Option<Text>,
    pub mode: Option<Text>,
    pub name: Option<Text>,
    pub app_protocol: Option<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvFile {
    pub span: Span,
    pub path: Text,
    pub required: Option<Flag>,
    pub format: Option<Text>,
}

/// A service's (or build's) reference to a secret or config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    pub span: Span,
    pub node: NodeId,
    pub source: Text,
    pub target: Option<Text>,
    pub uid: Option<Text>,
    pub gid: Option<Text>,
    pub mode: Option<Num>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub span: Span,
    pub node: NodeId,
    /// Short syntax `host:container[:perms]`.
    pub short: Option<Text>,
    pub source: Option<Text>,
    pub target: Option<Text>,
    pub permissions: Option<Text>,
}

/// `command`, `entrypoint`, healthcheck `test`: a string (shell form) or a list (exec form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub span: Span,
    pub node: NodeId,
    pub shell: Option<Text>,
    pub exec: Vec<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Healthcheck {
    pub span: Span,
    pub node: NodeId,
    pub test: Option<Command>,
    pub disable: Option<Flag>,
    pub interval: Option<Text>,
    pub timeout: Option<Text>,
    pub start_period: Option<Text>,
    pub start_interval: Option<Text>,
    pub retries: Option<Num>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deploy {
    pub span: Span,
    pub node: NodeId,
    pub mode: Option<Text>,
    pub replicas: Option<Num>,
    pub resources: Option<Resources>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resources {
    pub span: Span,
    pub limits: Option<ResourceSpec>,
    pub reservations: Option<ResourceSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceSpec {
    pub span: Span,
    pub cpus: Option<Text>,
    pub memory: Option<Text>,
    pub pids: Option<Num>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extends {
    pub span: Span,
    pub service: Text,
    pub file: Option<Text>,
    /// Whether the base service was found and merged in.
    pub resolved: bool,
}

/// Where `.env` is read from for a compose file at `path`.
pub fn dotenv_path(path: &Path) -> Option<PathBuf> {
    Some(path.parent()?.join(".env"))
}

//! Configuration: `plimsoll.toml` / `.plimsoll.toml`, the nearest one up the tree from each
//! file (closer wins; `extend = "path"` inherits from another file), and, where no plimsoll
//! configuration exists, hadolint's `.hadolint.yaml` / `.hadolint.yml` and dclint's `.dclintrc`
//! (JSON or YAML; also `.dclintrc.json`/`.yaml`/`.yml`, `.config/dclintrc*` and a `dclint` key of
//! `package.json`), so hadolint and dclint users switch without edits.
//!
//! ```toml
//! extend = "../plimsoll.toml"          # inherit, then override
//! select = ["ALL"]                     # replaces the default rule set
//! extend-select = ["PL9"]              # adds to it
//! ignore = ["split-run"]               # removes (wins over select)
//! fail-level = "warning"               # error | warning | info | style | none
//! output-format = "concise"
//! registry-mirrors = { "docker.io" = ["mirror.gcr.io"] }   # for `plimsoll pin`
//! build-args = { BASE = "debian:12" }  # as `docker build --build-arg`
//! platform = "linux/arm64"             # the target platform (default: the host's)
//! [severity]                           # selector -> severity
//! latest-tag = "error"
//! [options]
//! moving-tags = ["latest", "edge"]
//! trusted-registries = ["docker.io", "ghcr.io"]
//! nonroot-base-images = ["gcr.io/distroless/*:nonroot"]
//! required-labels = { "org.opencontainers.image.source" = "url" }
//! strict-labels = true                 # labels not in required-labels are reported
//! secret-allowlist = ["EXAMPLE", "/^dummy-/"]
//! shellcheck = "/usr/bin/shellcheck"   # default: shellcheck on PATH
//! shellcheck-exclude = ["SC1090", "SC1091"]
//! port-quotes = "double"               # port-unquoted: "single" (default) or "double"
//! service-key-order = ["image", "build"]   # service-key-order (unnamed keys after, A-Z)
//! top-level-order = ["x-*", "name", "services"]   # top-level-order
//! extend-exclude = ["vendor"]           # paths a directory walk skips (`exclude` replaces)
//! [file-kinds]                         # glob -> kind, for names plimsoll does not recognise
//! "docker/*.df" = "dockerfile"
//! [[overrides]]                        # per-path settings, globs relative to this file
//! files = ["legacy/**"]
//! ignore = ["root-user"]
//! ```
//!
//! Unknown keys and bad values are errors that name the file, line and column.

use crate::finding::Severity;
use crate::output_format::Format;
use crate::rules::catalog;
use crate::rules::settings::{LabelFormat, LintSettings, RuleOptions};
use crate::source::{FileKind, LineIndex};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Deserializer};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Names searched for, in order, in each directory.
pub const CONFIG_NAMES: [&str; 2] = ["plimsoll.toml", ".plimsoll.toml"];
pub const HADOLINT_NAMES: [&str; 2] = [".hadolint.yaml", ".hadolint.yml"];
/// dclint's configuration files, in the order dclint (cosmiconfig) looks for them after a
/// `package.json` with a `dclint` key; its JavaScript forms cannot be read without running them.
pub const DCLINT_NAMES: [&str; 8] = [
    ".dclintrc",
    ".dclintrc.json",
    ".dclintrc.yaml",
    ".dclintrc.yml",
    ".config/dclintrc",
    ".config/dclintrc.json",
    ".config/dclintrc.yaml",
    ".config/dclintrc.yml",
];

/// A configuration problem, located in its file when possible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line and column of the offending key or value.
    pub position: Option<(u32, u32)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((l, c)) => write!(f, "{}:{l}:{c}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// When the exit code becomes 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailLevel {
    /// Findings at or above this severity fail.
    At(Severity),
    /// Never fail on findings (hadolint's `failure-threshold: none`).
    Never,
}

impl FailLevel {
    pub fn parse(s: &str) -> Option<FailLevel> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "never" | "ignore" => Some(FailLevel::Never),
            other => Severity::parse(other).map(FailLevel::At),
        }
    }

    pub fn fails(self, s: Severity) -> bool {
        matches!(self, FailLevel::At(level) if s >= level)
    }
}

impl Default for FailLevel {
    /// Warnings and errors fail; info and style findings are reported without failing. Nearly
    /// every real repository has info-level findings (an image not pinned by digest) on day
    /// one: failing on them would make a team switch plimsoll off rather than adopt it, while
    /// warnings (a moving tag, root at run time, a secret) are worth stopping a build for.
    fn default() -> FailLevel {
        FailLevel::At(Severity::Warning)
    }
}

// ---- raw TOML -------------------------------------------------------------------------------

/// Deserialises through `FromStr`-like parsing so that a bad value is a spanned toml error.
macro_rules! parsed_value {
    ($name:ident, $ty:ty, $parse:expr, $what:literal, $expected:literal) => {
        #[derive(Clone, Copy, Debug)]
        struct $name($ty);
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(&s).map($name).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        concat!("unknown ", $what, " `{}` (expected ", $expected, ")"),
                        s
                    ))
                })
            }
        }
    };
}

parsed_value!(
    SevValue,
    Severity,
    Severity::parse,
    "severity",
    "error, warning, info or style"
);
parsed_value!(
    FailValue,
    FailLevel,
    FailLevel::parse,
    "fail level",
    "error, warning, info, style or none"
);
parsed_value!(
    FormatValue,
    Format,
    Format::parse,
    "output format",
    "human, concise, json, sarif, checkstyle, gitlab, github, junit, codeclimate, gnu or sonarqube"
);
parsed_value!(
    KindValue,
    FileKind,
    FileKind::parse,
    "file kind",
    "dockerfile or compose"
);
parsed_value!(
    LabelValue,
    LabelFormat,
    LabelFormat::parse,
    "label format",
    "text, url, semver, hash, rfc3339, spdx or email"
);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    extend: Option<String>,
    select: Option<Vec<String>>,
    extend_select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    severity: Option<BTreeMap<String, SevValue>>,
    preview: Option<bool>,
    fail_level: Option<FailValue>,
    output_format: Option<FormatValue>,
    registry_mirrors: Option<BTreeMap<String, Vec<String>>>,
    build_args: Option<BTreeMap<String, String>>,
    platform: Option<String>,
    options: Option<RawOptions>,
    file_kinds: Option<BTreeMap<String, KindValue>>,
    exclude: Option<Vec<String>>,
    extend_exclude: Option<Vec<String>>,
    overrides: Option<Vec<RawOverride>>,
    policy: Option<Vec<RawPolicy>>,
}

/// A string or a list of strings (`path = "policy"`, `path = ["a.rego", "lib"]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

parsed_value!(
    InputFormatValue,
    crate::policy::InputFormat,
    crate::policy::InputFormat::parse,
    "input format",
    "plimsoll or conftest"
);

/// `[[policy]]`: Rego policies (see [`crate::policy`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicy {
    /// `.rego` files or directories, relative to this file.
    path: OneOrMany,
    /// Packages queried (conftest's `--namespace`, globs allowed); default `main`.
    namespace: Option<OneOrMany>,
    input_format: Option<InputFormatValue>,
    /// First segment of the finding codes (default `policy`).
    code_prefix: Option<String>,
    /// Seconds one file may take in this entry's rules (default 2).
    time_limit: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOptions {
    moving_tags: Option<Vec<String>>,
    trusted_registries: Option<Vec<String>>,
    nonroot_base_images: Option<Vec<String>>,
    required_labels: Option<BTreeMap<String, LabelValue>>,
    strict_labels: Option<bool>,
    secret_allowlist: Option<Vec<String>>,
    shellcheck: Option<String>,
    shellcheck_exclude: Option<Vec<String>>,
    port_quotes: Option<String>,
    service_key_order: Option<Vec<String>>,
    top_level_order: Option<Vec<String>>,
    // The declarative policies (the `policy` family, see `PolicyOptions`).
    allowed_repositories: Option<Vec<String>>,
    banned_images: Option<BTreeMap<String, String>>,
    allowed_base_images: Option<Vec<String>>,
    max_stages: Option<usize>,
    max_layers: Option<usize>,
    allowed_platforms: Option<Vec<String>>,
    allowed_network_modes: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    files: Vec<String>,
    select: Option<Vec<String>>,
    extend_select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    severity: Option<BTreeMap<String, SevValue>>,
    /// Options for these paths only (`allowed-base-images` per directory, …).
    options: Option<RawOptions>,
}

// ---- resolved configuration -----------------------------------------------------------------

/// Settings for the files under one configuration, per-path overrides included.
#[derive(Clone, Debug)]
struct Override {
    matcher: GlobSet,
    /// Globs are relative to the directory of the file that declared them.
    root: PathBuf,
    select: Option<Vec<String>>,
    extend_select: Vec<String>,
    ignore: Vec<String>,
    severity: BTreeMap<String, Severity>,
    /// `[overrides.options]`, checked when the file was read: applied over the options.
    options: Option<(RawOptions, PathBuf)>,
}

/// One resolved configuration (after `extend`).
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file this came from (`None`: built-in defaults).
    pub path: Option<PathBuf>,
    pub settings: LintSettings,
    pub fail_level: Option<FailLevel>,
    pub output_format: Option<Format>,
    /// `registry-mirrors`: per registry (`docker.io`), mirror hosts `plimsoll pin` tries first.
    pub registry_mirrors: BTreeMap<String, Vec<String>>,
    overrides: Vec<Override>,
    file_kinds: Vec<(GlobSet, PathBuf, FileKind)>,
    /// `exclude` and `extend-exclude`: paths a directory walk skips, each set with the
    /// directory its globs are relative to.
    exclude: Vec<(GlobSet, PathBuf)>,
    /// Every `[[policy]]` entry, inherited ones first (compiled into `settings.policies`).
    policy_specs: Vec<crate::policy::PolicySpec>,
}

impl Config {
    /// The settings for `path` (as the user named it), per-path overrides applied.
    pub fn settings_for(&self, path: &Path) -> LintSettings {
        let mut s = self.settings.clone();
        for o in &self.overrides {
            if !matches(&o.matcher, &o.root, path) {
                continue;
            }
            if let Some(sel) = &o.select {
                s.select = sel.clone();
            }
            s.extend_select.extend(o.extend_select.iter().cloned());
            s.ignore.extend(o.ignore.iter().cloned());
            s.severity
                .extend(o.severity.iter().map(|(k, v)| (k.clone(), *v)));
            if let Some((raw, root)) = &o.options {
                // Checked when the configuration was read: cannot fail here.
                let _ = apply_options(&mut s.options, raw.clone(), root, "", root);
            }
        }
        s
    }

    /// The kind `[file-kinds]` assigns to `path`, if any.
    pub fn kind_for(&self, path: &Path) -> Option<FileKind> {
        self.file_kinds
            .iter()
            .find(|(set, root, _)| matches(set, root, path))
            .map(|(_, _, k)| *k)
    }

    /// Whether `exclude`/`extend-exclude` names `path` (a file or a directory a walk meets).
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.exclude
            .iter()
            .any(|(set, root)| matches(set, root, path))
    }

    /// The `[[policy]]` entries, inherited ones first.
    pub fn policy_specs(&self) -> &[crate::policy::PolicySpec] {
        &self.policy_specs
    }

    /// Whether any `[file-kinds]` globs exist (discovery then asks about every file).
    pub fn has_file_kinds(&self) -> bool {
        !self.file_kinds.is_empty()
    }
}

fn matches(set: &GlobSet, root: &Path, path: &Path) -> bool {
    let rel = relative_to(root, path);
    set.is_match(&rel)
}

/// `path` relative to `root` when it lies under it (comparing absolute forms), else as given.
fn relative_to(root: &Path, path: &Path) -> PathBuf {
    let abs = absolute(path);
    abs.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        std::env::current_dir()
            .map(|d| normalize(&d.join(path)))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// Removes `.` and `..` components lexically.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

fn build_globs(
    globs: &[String],
    path: &Path,
    text: &str,
    key: &str,
) -> Result<GlobSet, ConfigError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        // A glob without a slash matches the name at any depth, as in .gitignore.
        let pattern = if g.contains('/') {
            g.trim_start_matches("./").to_string()
        } else {
            format!("**/{g}")
        };
        let glob = Glob::new(&pattern).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            position: find_position(text, g),
            message: format!("invalid glob in `{key}`: {e}"),
        })?;
        b.add(glob);
    }
    b.build().map_err(|e| ConfigError {
        path: path.to_path_buf(),
        position: None,
        message: format!("invalid globs in `{key}`: {e}"),
    })
}

/// Best-effort position of a string value in the config text, for errors found after parsing.
fn find_position(text: &str, needle: &str) -> Option<(u32, u32)> {
    let at = text.find(needle)?;
    let lc = LineIndex::new(text).line_col(at, text);
    Some((lc.line, lc.column))
}

fn io_error(path: &Path, e: &std::io::Error) -> ConfigError {
    ConfigError {
        path: path.to_path_buf(),
        position: None,
        message: format!("cannot read: {e}"),
    }
}

/// Reads a configuration file: a regular file of at most 16 MiB, so that `extend = "/dev/zero"`
/// (or a FIFO) in a repository's configuration cannot hang the run or exhaust memory.
fn read_text(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    const MAX_CONFIG_SIZE: u64 = 16 << 20;
    // Checked before opening: opening a FIFO blocks until a writer appears.
    if !std::fs::metadata(path)?.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_CONFIG_SIZE + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CONFIG_SIZE {
        return Err(Error::new(ErrorKind::InvalidData, "larger than 16 MiB"));
    }
    Ok(text)
}

/// Loads a configuration file: `plimsoll.toml` syntax, or hadolint's YAML when the file name
/// ends in `.yaml`/`.yml`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if name.contains("dclintrc") || name == "package.json" {
        let mut config = Config::default();
        dclint::apply(path, &mut config)?;
        return Ok(config);
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        let text = read_text(path).map_err(|e| io_error(path, &e))?;
        return hadolint::parse(path, &text);
    }
    load_toml(path, &mut Vec::new())
}

fn load_toml(path: &Path, chain: &mut Vec<PathBuf>) -> Result<Config, ConfigError> {
    let abs = absolute(path);
    if chain.contains(&abs) || chain.len() > 16 {
        return Err(ConfigError {
            path: path.to_path_buf(),
            position: None,
            message: "`extend` forms a cycle".into(),
        });
    }
    chain.push(abs.clone());
    let text = read_text(path).map_err(|e| io_error(path, &e))?;
    let raw: RawConfig = toml::from_str(&text).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        position: e.span().map(|s| {
            let lc = LineIndex::new(&text).line_col(s.start, &text);
            (lc.line, lc.column)
        }),
        message: e.message().trim().to_string(),
    })?;
    let root = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut config = match &raw.extend {
        Some(parent) => {
            let parent_path = root.join(parent);
            load_toml(&parent_path, chain).map_err(|mut e| {
                if e.position.is_none() && e.path == parent_path {
                    e.message = format!("{} (extended from {})", e.message, path.display());
                }
                e
            })?
        }
        None => Config::default(),
    };
    config.path = Some(path.to_path_buf());
    apply_raw(&mut config, raw, path, &text, &root)?;
    Ok(config)
}

fn severities(map: Option<BTreeMap<String, SevValue>>) -> BTreeMap<String, Severity> {
    map.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect()
}

/// Every rule selector a configuration file names, with the key it is under.
fn selectors(raw: &RawConfig) -> Vec<(&'static str, &str)> {
    fn push<'a>(
        out: &mut Vec<(&'static str, &'a str)>,
        key: &'static str,
        v: &'a Option<Vec<String>>,
    ) {
        out.extend(v.iter().flatten().map(|s| (key, s.as_str())));
    }
    fn keys<'a>(out: &mut Vec<(&'static str, &'a str)>, m: &'a Option<BTreeMap<String, SevValue>>) {
        out.extend(m.iter().flatten().map(|(k, _)| ("severity", k.as_str())));
    }
    let mut all = Vec::new();
    push(&mut all, "select", &raw.select);
    push(&mut all, "extend-select", &raw.extend_select);
    push(&mut all, "ignore", &raw.ignore);
    keys(&mut all, &raw.severity);
    for o in raw.overrides.iter().flatten() {
        push(&mut all, "select", &o.select);
        push(&mut all, "extend-select", &o.extend_select);
        push(&mut all, "ignore", &o.ignore);
        keys(&mut all, &o.severity);
    }
    all
}

/// Refuses a selector that names no rule: a misspelt rule would otherwise select nothing (or
/// ignore nothing) without a word.
fn check_selectors(raw: &RawConfig, path: &Path, text: &str) -> Result<(), ConfigError> {
    for (key, selector) in selectors(raw) {
        if let Some(message) = unknown_selector(selector) {
            return Err(ConfigError {
                path: path.to_path_buf(),
                position: find_position(text, &format!("\"{selector}\""))
                    .or_else(|| find_position(text, selector)),
                message: format!("{message} in `{key}`"),
            });
        }
    }
    Ok(())
}

/// Whether a selector names at least one rule of the catalog ([`catalog::resolve`]).
pub fn selector_is_known(selector: &str) -> bool {
    !catalog::resolve(selector).is_empty()
}

/// For a selector that names no rule, or only a removed one, the error to show, with the
/// nearest selector when one is close ([`catalog::check_selector`]).
pub fn unknown_selector(selector: &str) -> Option<String> {
    match catalog::check_selector(selector) {
        catalog::SelectorCheck::Ok | catalog::SelectorCheck::Deprecated { .. } => None,
        catalog::SelectorCheck::Removed { rule, replaced_by } => Some(format!(
            "rule `{rule}` was removed; use `{replaced_by}` instead"
        )),
        catalog::SelectorCheck::Unknown {
            suggestion: Some(near),
        } => Some(format!("unknown rule `{selector}`; did you mean `{near}`?")),
        catalog::SelectorCheck::Unknown { suggestion: None } => Some(format!(
            "unknown rule `{selector}` (`plimsoll rules` lists them)"
        )),
    }
}

/// The candidate nearest to `word`, when it is close enough to be a typo of it (see
/// [`catalog::closest`]).
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    catalog::closest(word, candidates)
}

fn apply_raw(
    config: &mut Config,
    raw: RawConfig,
    path: &Path,
    text: &str,
    root: &Path,
) -> Result<(), ConfigError> {
    check_selectors(&raw, path, text)?;
    let s = &mut config.settings;
    if let Some(v) = raw.select {
        s.select = v;
    }
    if let Some(v) = raw.extend_select {
        s.extend_select.extend(v);
    }
    if let Some(v) = raw.preview {
        s.preview = v;
    }
    if let Some(v) = raw.ignore {
        s.ignore.extend(v);
    }
    s.severity.extend(severities(raw.severity));
    if let Some(o) = raw.options {
        apply_options(&mut s.options, o, path, text, root)?;
    }
    if raw.build_args.is_some() || raw.platform.is_some() {
        apply_build(s, raw.build_args, raw.platform, path, text)?;
    }
    if let Some(v) = raw.fail_level {
        config.fail_level = Some(v.0);
    }
    if let Some(v) = raw.output_format {
        config.output_format = Some(v.0);
    }
    // A nearer file's list for a registry replaces the inherited one.
    config
        .registry_mirrors
        .extend(raw.registry_mirrors.unwrap_or_default());
    // `exclude` replaces what an extended configuration excluded; `extend-exclude` adds to it.
    if let Some(globs) = &raw.exclude {
        config.exclude = vec![(
            build_globs(globs, path, text, "exclude")?,
            root.to_path_buf(),
        )];
    }
    if let Some(globs) = &raw.extend_exclude {
        let set = build_globs(globs, path, text, "extend-exclude")?;
        config.exclude.push((set, root.to_path_buf()));
    }
    for (glob, kind) in raw.file_kinds.unwrap_or_default() {
        let set = build_globs(std::slice::from_ref(&glob), path, text, "file-kinds")?;
        config.file_kinds.push((set, root.to_path_buf(), kind.0));
    }
    for o in raw.overrides.unwrap_or_default() {
        let options = match o.options {
            Some(raw_options) => {
                // Checked now, so that applying them per file cannot fail.
                let mut scratch = config.settings.options.clone();
                apply_options(&mut scratch, raw_options.clone(), path, text, root)?;
                Some((raw_options, root.to_path_buf()))
            }
            None => None,
        };
        config.overrides.push(Override {
            options,
            matcher: build_globs(&o.files, path, text, "overrides.files")?,
            root: root.to_path_buf(),
            select: o.select,
            extend_select: o.extend_select.unwrap_or_default(),
            ignore: o.ignore.unwrap_or_default(),
            severity: severities(o.severity),
        });
    }
    if let Some(entries) = raw.policy {
        for entry in entries {
            config
                .policy_specs
                .push(policy_spec(entry, path, text, root)?);
        }
        config.settings.policies =
            crate::policy::Policies::load(&config.policy_specs).map_err(policy_config_error)?;
    }
    Ok(())
}

/// A `[[policy]]` entry as a [`crate::policy::PolicySpec`], paths relative to `root`.
fn policy_spec(
    entry: RawPolicy,
    path: &Path,
    text: &str,
    root: &Path,
) -> Result<crate::policy::PolicySpec, ConfigError> {
    let err = |needle: &str, message: String| ConfigError {
        path: path.to_path_buf(),
        position: find_position(text, needle),
        message,
    };
    let paths: Vec<PathBuf> = entry
        .path
        .into_vec()
        .into_iter()
        .map(|p| root.join(p))
        .collect();
    if paths.is_empty() {
        return Err(err("[[policy]]", "`policy.path` names no file".into()));
    }
    let mut spec = crate::policy::PolicySpec::new(paths);
    spec.base = Some(root.to_path_buf());
    if let Some(ns) = entry.namespace {
        spec.namespaces = ns.into_vec();
    }
    if let Some(f) = entry.input_format {
        spec.input_format = f.0;
    }
    if let Some(prefix) = entry.code_prefix {
        if prefix.is_empty() || prefix.contains(['/', ' ']) {
            return Err(err(
                "code-prefix",
                format!("`code-prefix` must be one word without `/` or blanks, not `{prefix}`"),
            ));
        }
        spec.code_prefix = prefix;
    }
    if let Some(secs) = entry.time_limit {
        if !(secs > 0.0 && secs <= 600.0) {
            return Err(err(
                "time-limit",
                format!("`time-limit` is in seconds, more than 0 and at most 600, not {secs}"),
            ));
        }
        spec.time_limit = std::time::Duration::from_secs_f64(secs);
    }
    Ok(spec)
}

/// A policy that does not load, as a configuration error at the policy file's line and column.
pub fn policy_config_error(e: crate::policy::PolicyError) -> ConfigError {
    let (position, message) = match crate::policy::load::located(&e.message) {
        Some((at, what)) => {
            // `path:line:col` as regorus writes it.
            let mut parts = at.rsplitn(3, ':');
            let col = parts.next().and_then(|c| c.parse().ok());
            let line = parts.next().and_then(|l| l.parse().ok());
            match (line, col) {
                (Some(l), Some(c)) => (Some((l, c)), what),
                _ => (None, format!("{at}: {what}")),
            }
        }
        None => (None, e.message.trim().to_string()),
    };
    ConfigError {
        path: e.path,
        position,
        message: format!("policy error: {message}"),
    }
}

/// `[options]` (or `[overrides.options]`) over `opts`.
fn apply_options(
    opts: &mut RuleOptions,
    o: RawOptions,
    path: &Path,
    text: &str,
    root: &Path,
) -> Result<(), ConfigError> {
    apply_policy_options(opts, &o);
    if let Some(v) = o.moving_tags {
        opts.moving_tags = v;
    }
    if let Some(v) = o.trusted_registries {
        opts.trusted_registries = v;
    }
    if let Some(v) = o.nonroot_base_images {
        opts.nonroot_base_images = v;
    }
    if let Some(v) = o.required_labels {
        opts.required_labels = v.into_iter().map(|(k, v)| (k, v.0)).collect();
    }
    if let Some(v) = o.secret_allowlist {
        opts.secret_allowlist = v;
    }
    if let Some(v) = o.shellcheck {
        // A path with a directory part is relative to this file; a bare name is looked up
        // on PATH when the rule runs.
        let p = PathBuf::from(&v);
        opts.shellcheck = Some(if p.components().count() > 1 && p.is_relative() {
            root.join(p)
        } else {
            p
        });
    }
    if let Some(v) = o.strict_labels {
        opts.strict_labels = v;
    }
    if let Some(v) = o.shellcheck_exclude {
        opts.shellcheck_exclude = shellcheck_codes(v, path, text)?;
    }
    if let Some(v) = o.port_quotes {
        opts.port_quote = port_quote(&v).ok_or_else(|| ConfigError {
            path: path.to_path_buf(),
            position: find_position(text, &v),
            message: format!("`port-quotes` is \"single\" or \"double\", not `{v}`"),
        })?;
    }
    if let Some(v) = o.service_key_order {
        opts.service_key_order = v;
    }
    if let Some(v) = o.top_level_order {
        opts.top_level_order = v;
    }
    Ok(())
}

/// The declarative policies of `[options]`: each key replaces the inherited value.
fn apply_policy_options(opts: &mut RuleOptions, o: &RawOptions) {
    let mut p = (*opts.policy).clone();
    let before = p.clone();
    if let Some(v) = &o.allowed_repositories {
        p.allowed_repositories = v.clone();
    }
    if let Some(v) = &o.banned_images {
        p.banned_images = v.iter().map(|(k, r)| (k.clone(), r.clone())).collect();
    }
    if let Some(v) = &o.allowed_base_images {
        p.allowed_base_images = v.clone();
    }
    if let Some(v) = &o.max_stages {
        p.max_stages = Some(*v);
    }
    if let Some(v) = &o.max_layers {
        p.max_layers = Some(*v);
    }
    if let Some(v) = &o.allowed_platforms {
        p.allowed_platforms = v.clone();
    }
    if let Some(v) = &o.allowed_network_modes {
        p.allowed_network_modes = v.clone();
    }
    if p != before {
        opts.policy = Arc::new(p);
    }
}

/// `build-args` and `platform`: added to (a nearer file's value replacing) the inherited ones.
fn apply_build(
    s: &mut LintSettings,
    args: Option<BTreeMap<String, String>>,
    platform: Option<String>,
    path: &Path,
    text: &str,
) -> Result<(), ConfigError> {
    let mut build = (*s.build).clone();
    for (k, v) in args.unwrap_or_default() {
        if k == crate::rules::buildkit::CHECK_BUILD_ARG
            && let Err(e) = crate::syntax::dockerfile::check::CheckOptions::parse(&v)
        {
            return Err(ConfigError {
                path: path.to_path_buf(),
                position: find_position(text, &v),
                message: format!("invalid `build-args.{k}`: {e}"),
            });
        }
        build.args.insert(k, v);
    }
    let target = match platform {
        Some(p) => Some(
            crate::syntax::platform::Platform::parse(&p).map_err(|e| ConfigError {
                path: path.to_path_buf(),
                position: find_position(text, &p),
                message: format!("invalid `platform`: {e}"),
            })?,
        ),
        None => build.explicit_target.then(|| build.target.clone()),
    };
    s.build = Arc::new(crate::model::build_inputs::BuildInputs::new(
        build.args, target,
    ));
    Ok(())
}

/// `port-quotes` (and dclint's `quoteType`): the quote character.
fn port_quote(v: &str) -> Option<char> {
    match v {
        "single" => Some('\''),
        "double" => Some('"'),
        _ => None,
    }
}

/// `shellcheck-exclude`: ShellCheck codes, spelled `SC2086`.
fn shellcheck_codes(
    codes: Vec<String>,
    path: &Path,
    text: &str,
) -> Result<Vec<String>, ConfigError> {
    codes
        .into_iter()
        .map(|c| match crate::rules::catalog::foreign_code(&c) {
            Some((code, crate::rules::RuleId::Shellcheck)) => Ok(code.to_string()),
            _ => Err(ConfigError {
                path: path.to_path_buf(),
                position: find_position(text, &c),
                message: format!(
                    "`shellcheck-exclude` takes ShellCheck codes such as SC2086, not `{c}`"
                ),
            }),
        })
        .collect()
}

/// Finds and caches the configuration that applies to each file: the nearest `plimsoll.toml`
/// or `.plimsoll.toml` up the tree; if there is none anywhere up the tree, the nearest
/// `.hadolint.yaml`/`.yml`; else defaults. Safe to share between threads.
pub struct Resolver {
    /// `--config FILE` or `--isolated`: one configuration for every file.
    fixed: Option<Arc<Config>>,
    cache: Mutex<HashMap<PathBuf, Arc<Config>>>,
    /// By a file's parent directory exactly as written: most files share a directory with the
    /// file before them, and this lookup skips making the path absolute and normal again.
    by_parent: Mutex<HashMap<std::ffi::OsString, Arc<Config>>>,
    default: Arc<Config>,
}

impl Resolver {
    /// Discovers configurations per file.
    pub fn discover() -> Resolver {
        Resolver {
            fixed: None,
            cache: Mutex::new(HashMap::new()),
            by_parent: Mutex::new(HashMap::new()),
            default: Arc::new(Config::default()),
        }
    }

    /// Uses one configuration for every file (`--config FILE`, or defaults for `--isolated`).
    pub fn fixed(config: Config) -> Resolver {
        let config = Arc::new(config);
        Resolver {
            fixed: Some(config.clone()),
            cache: Mutex::new(HashMap::new()),
            by_parent: Mutex::new(HashMap::new()),
            default: config,
        }
    }

    /// The configuration for a file at `path` (a file, or a directory for `dir_config`).
    pub fn for_file(&self, path: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(c) = &self.fixed {
            return Ok(c.clone());
        }
        let parent = path
            .parent()
            .map_or(std::ffi::OsStr::new(""), Path::as_os_str);
        let known = self
            .by_parent
            .lock()
            .ok()
            .and_then(|m| m.get(parent).cloned());
        if let Some(c) = known {
            return Ok(c);
        }
        let abs = absolute(path);
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let config = self.for_dir(&dir)?;
        if let Ok(mut m) = self.by_parent.lock() {
            m.insert(parent.to_owned(), config.clone());
        }
        Ok(config)
    }

    /// The configuration for files directly in `dir`.
    pub fn for_dir(&self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(c) = &self.fixed {
            return Ok(c.clone());
        }
        let dir = absolute(dir);
        if let Some(c) = self.cache.lock().ok().and_then(|m| m.get(&dir).cloned()) {
            return Ok(c);
        }
        let load_cached = |file: PathBuf| -> Result<Arc<Config>, ConfigError> {
            let cached = self.cache.lock().ok().and_then(|m| m.get(&file).cloned());
            match cached {
                Some(c) => Ok(c),
                None => {
                    let c = Arc::new(load(&file)?);
                    if let Ok(mut m) = self.cache.lock() {
                        m.insert(file, c.clone());
                    }
                    Ok(c)
                }
            }
        };
        let config = match find_up(&dir, &CONFIG_NAMES) {
            Some(file) => load_cached(file)?,
            None => {
                // hadolint's settings (for Dockerfiles) and dclint's (for compose files) together.
                let base = match find_up(&dir, &HADOLINT_NAMES) {
                    Some(file) => load_cached(file)?,
                    None => self.default.clone(),
                };
                match dclint::find(&dir) {
                    Some(rc) => {
                        let mut c = (*base).clone();
                        dclint::apply(&rc, &mut c)?;
                        Arc::new(c)
                    }
                    None => base,
                }
            }
        };
        if let Ok(mut m) = self.cache.lock() {
            m.insert(dir, config.clone());
        }
        Ok(config)
    }
}

/// Whether a directory walk should skip `path` (a file or directory it meets), by the
/// `exclude`/`extend-exclude` of the configuration that applies there. A path whose
/// configuration cannot be read is not skipped (the error is reported when it is linted).
pub fn excluder(resolver: Arc<Resolver>) -> impl Fn(&Path) -> bool + Send + Sync + 'static {
    move |path: &Path| {
        resolver
            .for_file(path)
            .is_ok_and(|config| config.is_excluded(path))
    }
}

/// The first of `names` found in `dir` or its ancestors (closest first).
fn find_up(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        for n in names {
            let p = d.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
        cur = d.parent();
    }
    None
}

/// The commented `plimsoll.toml` that `plimsoll init` writes.
pub const INIT_TEMPLATE: &str = r#"# plimsoll configuration. The nearest plimsoll.toml (or .plimsoll.toml) up the tree from a
# file applies to it. Rules are named by code (PL101), name (latest-tag), the id of the same
# check in another tool (DL3007, StageNameCasing), code prefix (PL1), family (image) or
# category (security, reproducibility, image-size, correctness, maintainability, style).

# Inherit another configuration, then override it here.
# extend = "../plimsoll.toml"

# Replace the default rule set ("ALL" enables every rule, including those off by default).
# select = ["ALL"]

# Add rules to the selected set.
# extend-select = []

# Disable rules (wins over select).
ignore = []

# Also run rules in preview (new rules not yet stable).
# preview = false

# Lowest severity that makes `plimsoll check` exit 1: error, warning, info, style or none
# (never). Info and style findings are reported either way.
fail-level = "warning"

# Default output format: human, concise, json, sarif, checkstyle, gitlab, github or junit.
# output-format = "human"

# Mirrors `plimsoll pin` tries before a registry (after PLIMSOLL_REGISTRY_MIRRORS).
# registry-mirrors = { "docker.io" = ["mirror.gcr.io"] }

# Build arguments, as `docker build --build-arg NAME=VALUE` (or `plimsoll check --build-arg`):
# ARGs take these values, so `FROM $BASE` is judged as it is built.
# build-args = { BASE = "debian:12-slim" }

# The platform images are built for (`--platform`); the host's when not set.
# platform = "linux/amd64"

# Change a rule's severity.
[severity]
# latest-tag = "error"

[options]
# Tags treated like `latest`: they move.
moving-tags = ["latest", "stable", "edge", "nightly", "rolling", "current", "dev", "lts", "main", "master", "beta", "test", "canary"]
# When not empty, images from other registries are reported.
trusted-registries = []
# Base images known to run as a non-root user.
nonroot-base-images = ["gcr.io/distroless/*:nonroot", "gcr.io/distroless/*:*-nonroot", "cgr.dev/chainguard/*"]
# Labels every final stage must set, with a value format: text, url, semver, hash, rfc3339,
# spdx or email.
required-labels = {}
# Report labels that `required-labels` does not list.
strict-labels = false
# Values (or /regexes/) never reported as secrets.
secret-allowlist = []
# The ShellCheck the `shellcheck` rule runs on RUN scripts (default: shellcheck on PATH).
# shellcheck = "/usr/bin/shellcheck"
# ShellCheck codes never reported (sourced files are in the image, not on this machine).
shellcheck-exclude = ["SC1090", "SC1091"]
# Quotes port-unquoted wants around compose `ports` and `expose` entries: "single" or "double".
# port-quotes = "single"
# The order service-key-order wants a service's keys in (keys not named come after, A to Z).
# service-key-order = ["image", "build", "container_name", "depends_on", "volumes", "volumes_from", "configs", "secrets", "environment", "env_file", "ports", "networks", "network_mode", "extra_hosts", "command", "entrypoint", "working_dir", "restart", "healthcheck", "logging", "labels", "user", "isolation"]
# The order top-level-order wants the top-level keys in ("x-*": the extension keys, A to Z).
# top-level-order = ["x-*", "version", "name", "include", "services", "networks", "volumes", "secrets", "configs"]
# The organisation's declarative policies (rules of the `policy` family), each off while unset:
# repositories images may come from, banned images (with the reason shown), allowed base images.
# allowed-repositories = ["ghcr.io/acme/*"]
# banned-images = { "centos" = "CentOS Linux is end of life" }
# allowed-base-images = ["gcr.io/distroless/*"]
# max-stages = 4
# max-layers = 12
# allowed-platforms = ["$BUILDPLATFORM"]
# Compose: the network_mode values services may use.
# allowed-network-modes = ["bridge", "none", "service:*"]

# Paths a directory walk skips (vendored or generated code), as globs relative to this file; a
# glob without a slash matches at any depth. `exclude` replaces what an extended configuration
# excludes, `extend-exclude` adds to it. Files named on the command line are always linted.
# exclude = []
# extend-exclude = ["vendor", "third_party/**"]

# Lint files with other names as a given kind (dockerfile or compose).
[file-kinds]
# "docker/*.df" = "dockerfile"

# Settings for some paths only (globs relative to this file).
# [[overrides]]
# files = ["legacy/**"]
# ignore = ["root-user"]
# options = { allowed-base-images = ["debian:12*"] }

# Rego policies: .rego files or directories, relative to this file (`plimsoll policy test`
# runs their tests). input-format = "conftest" runs conftest policies unchanged.
# [[policy]]
# path = "policy"
# namespace = "main"
# input-format = "plimsoll"
"#;

mod dclint {
    //! dclint's configuration (`.dclintrc` and the other names it looks up): rule levels
    //! (`0` off, `1` warning, `2` error) and options, for compose files only, as dclint lints
    //! nothing else. A rule dclint has is on unless its level is `0`, as in dclint.

    use super::hadolint::{Node, read_document, strings};
    use super::{Config, ConfigError, DCLINT_NAMES, Override, read_text};
    use crate::finding::Severity;
    use crate::rules::dclint::RULE_NAMES;
    use globset::{Glob, GlobSetBuilder};
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    /// The nearest dclint configuration up the tree from `dir`: in each directory, a
    /// `package.json` with a `dclint` key, then [`DCLINT_NAMES`].
    pub(super) fn find(dir: &Path) -> Option<PathBuf> {
        let mut cur = Some(dir);
        while let Some(d) = cur {
            let package = d.join("package.json");
            if package.is_file()
                && read_text(&package).is_ok_and(|t| {
                    serde_json::from_str::<serde_json::Value>(&t)
                        .is_ok_and(|v| v.get("dclint").is_some())
                })
            {
                return Some(package);
            }
            for n in DCLINT_NAMES {
                let p = d.join(n);
                if p.is_file() {
                    return Some(p);
                }
            }
            cur = d.parent();
        }
        None
    }

    /// dclint's default groups of service keys, by its names, in its order.
    const GROUPS: [(&str, &[&str]); 9] = [
        ("Core Definitions", &["image", "build", "container_name"]),
        ("Service Dependencies", &["depends_on"]),
        (
            "Data Management and Configuration",
            &["volumes", "volumes_from", "configs", "secrets"],
        ),
        ("Environment Configuration", &["environment", "env_file"]),
        (
            "Networking",
            &["ports", "networks", "network_mode", "extra_hosts"],
        ),
        (
            "Runtime Behavior",
            &[
                "command",
                "entrypoint",
                "working_dir",
                "restart",
                "healthcheck",
            ],
        ),
        ("Operational Metadata", &["logging", "labels"]),
        ("Security and Execution Context", &["user", "isolation"]),
        ("Other", &[]),
    ];

    /// Applies the dclint configuration at `path` to `config`: an override for compose files
    /// under its directory, and the options its rules take.
    pub(super) fn apply(path: &Path, config: &mut Config) -> Result<(), ConfigError> {
        let text = read_text(path).map_err(|e| super::io_error(path, &e))?;
        let err = |pos: Option<(u32, u32)>, message: String| ConfigError {
            path: path.to_path_buf(),
            position: pos,
            message,
        };
        let root = if path.file_name().is_some_and(|n| n == "package.json") {
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| err(None, format!("invalid JSON: {e}")))?;
            let inner = value
                .get("dclint")
                .map(|v| v.to_string())
                .unwrap_or_default();
            read_document(path, &inner).map_err(|mut e| {
                e.position = None;
                e.message = format!("{} (in its `dclint` key)", e.message);
                e
            })?
        } else {
            read_document(path, &text)?
        };
        let entries = match root {
            None => Vec::new(),
            Some(Node::Scalar(s, _)) if s.is_empty() => Vec::new(),
            Some(Node::Map(entries, _)) => entries,
            Some(other) => {
                return Err(err(
                    Some(other.pos()),
                    "expected a mapping of settings".into(),
                ));
            }
        };
        let dir = super::absolute(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut levels: BTreeMap<String, (u8, Option<Node>)> = BTreeMap::new();
        for (key, kpos, value) in entries {
            match key.as_str() {
                "rules" => {
                    let Node::Map(rules, _) = value else {
                        return Err(err(Some(value.pos()), "`rules` must be a mapping".into()));
                    };
                    for (name, npos, setting) in rules {
                        let (level, options) = match setting {
                            Node::Scalar(l, lpos) => {
                                (level_of(&l).ok_or_else(|| bad_level(path, lpos, &l))?, None)
                            }
                            Node::Seq(mut items, spos) if items.len() == 2 => {
                                let options = items.pop();
                                let Some(Node::Scalar(l, lpos)) = items.pop() else {
                                    return Err(err(
                                        Some(spos),
                                        format!("`{name}`: the level comes first"),
                                    ));
                                };
                                (
                                    level_of(&l).ok_or_else(|| bad_level(path, lpos, &l))?,
                                    options,
                                )
                            }
                            other => {
                                return Err(err(
                                    Some(other.pos()),
                                    format!(
                                        "`{name}` takes a level (0, 1 or 2) or [level, options]"
                                    ),
                                ));
                            }
                        };
                        let _ = npos;
                        levels.insert(name, (level, options));
                    }
                }
                "exclude" => {
                    let globs: Vec<String> = strings(&value, &key, path)?
                        .into_iter()
                        .map(|g| format!("**/{}", g.trim_start_matches("./").trim_end_matches('/')))
                        .collect();
                    let mut set = GlobSetBuilder::new();
                    for g in &globs {
                        for pattern in [g.clone(), format!("{g}/**")] {
                            let glob = Glob::new(&pattern).map_err(|e| {
                                err(
                                    Some(value.pos()),
                                    format!("invalid `exclude` entry `{g}`: {e}"),
                                )
                            })?;
                            set.add(glob);
                        }
                    }
                    let set = set
                        .build()
                        .map_err(|e| err(Some(value.pos()), format!("invalid `exclude`: {e}")))?;
                    config.exclude.push((set, dir.clone()));
                }
                "quiet" | "debug" | "$schema" => {}
                k => return Err(err(Some(kpos), format!("unknown dclint setting `{k}`"))),
            }
        }
        let mut over = Override {
            matcher: compose_files()?,
            root: dir,
            select: None,
            extend_select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            options: None,
        };
        for name in RULE_NAMES {
            match levels.get(name) {
                Some((0, _)) => over.ignore.push(name.to_string()),
                Some((level, options)) => {
                    over.extend_select.push(name.to_string());
                    let severity = if *level == 2 {
                        Severity::Error
                    } else {
                        Severity::Warning
                    };
                    over.severity.insert(name.to_string(), severity);
                    if let Some(options) = options {
                        apply_options(path, name, options, config)?;
                    }
                }
                None => over.extend_select.push(name.to_string()),
            }
        }
        config.overrides.push(over);
        if config.path.is_none() {
            config.path = Some(path.to_path_buf());
        }
        Ok(())
    }

    fn level_of(s: &str) -> Option<u8> {
        match s.trim() {
            "0" => Some(0),
            "1" => Some(1),
            "2" => Some(2),
            _ => None,
        }
    }

    fn bad_level(path: &Path, pos: (u32, u32), l: &str) -> ConfigError {
        ConfigError {
            path: path.to_path_buf(),
            position: Some(pos),
            message: format!("a dclint rule level is 0, 1 or 2, not `{l}`"),
        }
    }

    /// The files dclint lints: `compose*.yml`, `docker-compose*.yaml` and the like.
    fn compose_files() -> Result<globset::GlobSet, ConfigError> {
        let mut set = GlobSetBuilder::new();
        for g in [
            "**/compose*.yml",
            "**/compose*.yaml",
            "**/docker-compose*.yml",
            "**/docker-compose*.yaml",
        ] {
            if let Ok(glob) = Glob::new(g) {
                set.add(glob);
            }
        }
        set.build().map_err(|e| ConfigError {
            path: PathBuf::new(),
            position: None,
            message: e.to_string(),
        })
    }

    /// The options of dclint's rules that plimsoll's rules take.
    fn apply_options(
        path: &Path,
        rule: &str,
        options: &Node,
        config: &mut Config,
    ) -> Result<(), ConfigError> {
        let Node::Map(entries, _) = options else {
            return Err(ConfigError {
                path: path.to_path_buf(),
                position: Some(options.pos()),
                message: format!("the options of `{rule}` must be a mapping"),
            });
        };
        let opts = &mut config.settings.options;
        let scalar = |n: &Node| match n {
            Node::Scalar(s, _) => Some(s.clone()),
            _ => None,
        };
        for (key, kpos, value) in entries {
            let bad = |what: &str| ConfigError {
                path: path.to_path_buf(),
                position: Some(*kpos),
                message: format!("`{rule}`: {what}"),
            };
            match (rule, key.as_str()) {
                ("require-quotes-in-ports", "quoteType") => {
                    let v = scalar(value).unwrap_or_default();
                    opts.port_quote = super::port_quote(&v)
                        .ok_or_else(|| bad("`quoteType` is \"single\" or \"double\""))?;
                }
                ("service-image-require-explicit-tag", "prohibitedTags") => {
                    opts.moving_tags = strings(value, key, path)?;
                }
                ("top-level-properties-order", "customOrder") => {
                    opts.top_level_order = strings(value, key, path)?
                        .into_iter()
                        .map(|k| if k == "x-properties" { "x-*".into() } else { k })
                        .collect();
                }
                ("no-build-and-image", "checkPullPolicy") => {
                    opts.pull_policy_settles_build_and_image =
                        scalar(value).as_deref() != Some("false");
                }
                ("service-keys-order", "groups" | "groupOrder") => {}
                _ => {}
            }
        }
        if rule == "service-keys-order" {
            let mut groups: Vec<(String, Vec<String>)> = GROUPS
                .iter()
                .map(|(n, keys)| (n.to_string(), keys.iter().map(|k| k.to_string()).collect()))
                .collect();
            let mut order: Vec<String> = GROUPS.iter().map(|(n, _)| n.to_string()).collect();
            for (key, _, value) in entries {
                match key.as_str() {
                    "groups" => {
                        let Node::Map(given, _) = value else { continue };
                        for (name, _, keys) in given {
                            let keys = strings(keys, name, path)?;
                            match groups.iter_mut().find(|(n, _)| n == name) {
                                Some(g) => g.1 = keys,
                                None => groups.push((name.clone(), keys)),
                            }
                        }
                    }
                    "groupOrder" => order = strings(value, key, path)?,
                    _ => {}
                }
            }
            opts.service_key_order = order
                .iter()
                .filter_map(|n| groups.iter().find(|(g, _)| g == n))
                .flat_map(|(_, keys)| keys.iter().cloned())
                .collect();
        }
        Ok(())
    }
}

mod hadolint {
    //! `.hadolint.yaml`, read with a small event-based reader over saphyr-parser.

    use super::{Config, ConfigError, FailLevel};
    use crate::finding::Severity;
    use crate::output_format::Format;
    use crate::rules::settings::LabelFormat;
    use saphyr_parser::{Event, Parser};
    use std::path::Path;

    /// A YAML node with the 1-based position where it starts.
    pub(super) enum Node {
        Scalar(String, (u32, u32)),
        Seq(Vec<Node>, (u32, u32)),
        Map(Vec<(String, (u32, u32), Node)>, (u32, u32)),
    }

    impl Node {
        pub(super) fn pos(&self) -> (u32, u32) {
            match self {
                Node::Scalar(_, p) | Node::Seq(_, p) | Node::Map(_, p) => *p,
            }
        }
    }

    /// An event with the 1-based line and column where it starts.
    type Positioned<'e> = (Event<'e>, (u32, u32));

    struct Reader<'a> {
        events: Parser<'a, saphyr_parser::StrInput<'a>>,
        path: &'a Path,
    }

    impl Reader<'_> {
        fn err(&self, pos: Option<(u32, u32)>, message: impl Into<String>) -> ConfigError {
            ConfigError {
                path: self.path.to_path_buf(),
                position: pos,
                message: message.into(),
            }
        }

        fn next(&mut self) -> Result<Option<Positioned<'_>>, ConfigError> {
            match self.events.next_event() {
                None => Ok(None),
                Some(Err(e)) => {
                    let m = e.marker();
                    Err(self.err(
                        Some((m.line() as u32, m.col() as u32 + 1)),
                        format!("invalid YAML: {}", e.info()),
                    ))
                }
                Some(Ok((ev, span))) => Ok(Some((
                    ev,
                    (span.start.line() as u32, span.start.col() as u32 + 1),
                ))),
            }
        }

        /// Reads one node whose first event is `first`.
        fn node(
            &mut self,
            first: Event<'_>,
            pos: (u32, u32),
            depth: usize,
        ) -> Result<Node, ConfigError> {
            if depth > 64 {
                return Err(self.err(Some(pos), "YAML nested too deeply"));
            }
            match first {
                Event::Scalar(s, ..) => Ok(Node::Scalar(s.into_owned(), pos)),
                Event::SequenceStart(..) => {
                    let mut items = Vec::new();
                    loop {
                        let Some((ev, p)) = self.next()? else {
                            return Err(self.err(Some(pos), "unterminated sequence"));
                        };
                        if matches!(ev, Event::SequenceEnd) {
                            return Ok(Node::Seq(items, pos));
                        }
                        let ev = own(ev);
                        items.push(self.node(ev, p, depth + 1)?);
                    }
                }
                Event::MappingStart(..) => {
                    let mut entries = Vec::new();
                    loop {
                        let Some((ev, p)) = self.next()? else {
                            return Err(self.err(Some(pos), "unterminated mapping"));
                        };
                        let key = match ev {
                            Event::MappingEnd => return Ok(Node::Map(entries, pos)),
                            Event::Scalar(s, ..) => s.into_owned(),
                            _ => return Err(self.err(Some(p), "mapping keys must be plain text")),
                        };
                        let Some((ev, vp)) = self.next()? else {
                            return Err(self.err(Some(p), "key without a value"));
                        };
                        let ev = own(ev);
                        let value = self.node(ev, vp, depth + 1)?;
                        entries.push((key, p, value));
                    }
                }
                Event::Alias(_) => Err(self.err(Some(pos), "aliases are not supported here")),
                _ => Err(self.err(Some(pos), "unexpected YAML event")),
            }
        }
    }

    /// Detaches an event from the parser's borrow (only scalars carry text).
    fn own(ev: Event<'_>) -> Event<'static> {
        match ev {
            Event::Scalar(s, style, a, _) => {
                Event::Scalar(std::borrow::Cow::Owned(s.into_owned()), style, a, None)
            }
            Event::SequenceStart(a, _) => Event::SequenceStart(a, None),
            Event::MappingStart(a, _) => Event::MappingStart(a, None),
            Event::Alias(a) => Event::Alias(a),
            Event::SequenceEnd => Event::SequenceEnd,
            Event::MappingEnd => Event::MappingEnd,
            _ => Event::Nothing,
        }
    }

    pub(super) fn strings(node: &Node, key: &str, path: &Path) -> Result<Vec<String>, ConfigError> {
        match node {
            Node::Seq(items, _) => items
                .iter()
                .map(|i| match i {
                    Node::Scalar(s, _) => Ok(s.clone()),
                    other => Err(ConfigError {
                        path: path.to_path_buf(),
                        position: Some(other.pos()),
                        message: format!("`{key}` must be a list of strings"),
                    }),
                })
                .collect(),
            Node::Scalar(s, _) if s.is_empty() => Ok(Vec::new()),
            other => Err(ConfigError {
                path: path.to_path_buf(),
                position: Some(other.pos()),
                message: format!("`{key}` must be a list"),
            }),
        }
    }

    /// hadolint keys about how hadolint itself prints, which plimsoll decides on its own:
    /// colour follows the terminal (and `NO_COLOR`), and plimsoll has no verbose log.
    const ACCEPTED: &[&str] = &["no-color", "verbose"];

    /// A `true`/`false` setting.
    fn boolean(node: &Node, key: &str, path: &Path) -> Result<bool, ConfigError> {
        match node {
            Node::Scalar(s, _) if matches!(s.as_str(), "true" | "True" | "TRUE") => Ok(true),
            Node::Scalar(s, _) if matches!(s.as_str(), "false" | "False" | "FALSE") => Ok(false),
            other => Err(ConfigError {
                path: path.to_path_buf(),
                position: Some(other.pos()),
                message: format!("`{key}` must be true or false"),
            }),
        }
    }

    /// The one document of a YAML (or JSON) settings file, as a tree; `None` when empty.
    pub(super) fn read_document(path: &Path, text: &str) -> Result<Option<Node>, ConfigError> {
        let mut r = Reader {
            events: Parser::new_from_str(text),
            path,
        };
        let mut root = None;
        while let Some((ev, pos)) = r.next()? {
            match ev {
                Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd => {}
                Event::StreamEnd => break,
                ev => {
                    let ev = own(ev);
                    if root.is_some() {
                        return Err(r.err(Some(pos), "only one YAML document is allowed"));
                    }
                    root = Some(r.node(ev, pos, 0)?);
                }
            }
        }
        Ok(root)
    }

    pub(super) fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let root = read_document(path, text)?;
        let mut config = Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        let entries = match root {
            None => return Ok(config),
            Some(Node::Scalar(s, _)) if s.is_empty() => return Ok(config),
            Some(Node::Map(entries, _)) => entries,
            Some(other) => {
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    position: Some(other.pos()),
                    message: "expected a mapping of settings".into(),
                });
            }
        };
        let err = |pos, m: String| ConfigError {
            path: path.to_path_buf(),
            position: Some(pos),
            message: m,
        };
        let mut no_fail = false;
        for (key, kpos, value) in entries {
            match key.as_str() {
                "ignored" => config.settings.ignore.extend(strings(&value, &key, path)?),
                "trustedRegistries" => {
                    config.settings.options.trusted_registries = strings(&value, &key, path)?
                }
                "override" => {
                    let Node::Map(levels, _) = value else {
                        return Err(err(value.pos(), "`override` must be a mapping".into()));
                    };
                    for (level, lpos, codes) in levels {
                        let Some(sev) = Severity::parse(&level) else {
                            return Err(err(
                                lpos,
                                format!("unknown severity `{level}` in `override`"),
                            ));
                        };
                        for code in strings(&codes, &level, path)? {
                            config.settings.severity.insert(code, sev);
                        }
                    }
                }
                "failure-threshold" => {
                    let Node::Scalar(s, p) = &value else {
                        return Err(err(value.pos(), "`failure-threshold` must be text".into()));
                    };
                    config.fail_level = Some(
                        FailLevel::parse(s)
                            .ok_or_else(|| err(*p, format!("unknown failure-threshold `{s}`")))?,
                    );
                }
                "label-schema" => {
                    let Node::Map(labels, _) = value else {
                        return Err(err(value.pos(), "`label-schema` must be a mapping".into()));
                    };
                    for (label, _, format) in labels {
                        let Node::Scalar(f, fpos) = &format else {
                            return Err(err(format.pos(), "label formats must be text".into()));
                        };
                        let f = LabelFormat::parse(f)
                            .ok_or_else(|| err(*fpos, format!("unknown label format `{f}`")))?;
                        config.settings.options.required_labels.insert(label, f);
                    }
                }
                "strict-labels" => {
                    config.settings.options.strict_labels = boolean(&value, &key, path)?
                }
                "disable-ignore-pragma" => {
                    config.settings.disable_inline_ignores = boolean(&value, &key, path)?
                }
                "no-fail" => {
                    if boolean(&value, &key, path)? {
                        no_fail = true;
                    }
                }
                "format" => {
                    let Node::Scalar(s, p) = &value else {
                        return Err(err(value.pos(), "`format` must be text".into()));
                    };
                    config.output_format = Some(Format::parse(s).ok_or_else(|| {
                        err(
                            *p,
                            format!(
                                "unknown format `{s}` (plimsoll writes tty, json, checkstyle, \
                                 codeclimate, gitlab_codeclimate, gnu, sonarqube, sarif and junit)"
                            ),
                        )
                    })?);
                }
                k if ACCEPTED.contains(&k) => {}
                k => return Err(err(kpos, format!("unknown hadolint setting `{k}`"))),
            }
        }
        if no_fail {
            // hadolint's `no-fail` wins over any `failure-threshold`.
            config.fail_level = Some(FailLevel::Never);
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleId;
    use std::fs;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn nearest_config_wins_and_extend_inherits() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(
            d,
            "plimsoll.toml",
            "ignore = [\"split-run\"]\nfail-level = \"warning\"\n[options]\nmoving-tags = [\"edge\"]\n",
        );
        write(
            d,
            "sub/.plimsoll.toml",
            "extend = \"../plimsoll.toml\"\nselect = [\"ALL\"]\n[severity]\nlatest-tag = \"error\"\n[[overrides]]\nfiles = [\"legacy/*\"]\nignore = [\"root-user\"]\n",
        );
        let r = Resolver::discover();
        let top = r.for_file(&d.join("Dockerfile")).unwrap();
        assert_eq!(top.settings.ignore, vec!["split-run"]);
        assert!(top.settings.select.is_empty());
        let sub = r.for_file(&d.join("sub/x/Dockerfile")).unwrap();
        assert_eq!(sub.settings.select, vec!["ALL"]);
        assert_eq!(sub.settings.ignore, vec!["split-run"], "inherited");
        assert_eq!(sub.fail_level, Some(FailLevel::At(Severity::Warning)));
        assert_eq!(sub.settings.options.moving_tags, vec!["edge"]);
        assert_eq!(
            sub.settings.severity.get("latest-tag"),
            Some(&Severity::Error)
        );
        let legacy = sub.settings_for(&d.join("sub/legacy/Dockerfile"));
        assert!(legacy.ignore.contains(&"root-user".to_string()));
        let other = sub.settings_for(&d.join("sub/app/Dockerfile"));
        assert!(!other.ignore.contains(&"root-user".to_string()));
    }

    #[test]
    fn unknown_key_is_located() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(
            tmp.path(),
            "plimsoll.toml",
            "select = []\n\n[options]\nmoving-tag = [\"x\"]\n",
        );
        let e = load(&p).unwrap_err();
        assert_eq!(e.position, Some((4, 1)), "{e}");
        assert!(e.message.contains("moving-tag"), "{e}");
        let p = write(tmp.path(), "plimsoll.toml", "fail-level = \"loud\"\n");
        let e = load(&p).unwrap_err();
        assert_eq!(e.position, Some((1, 14)), "{e}");
        assert!(e.to_string().contains("unknown fail level `loud`"), "{e}");
    }

    #[test]
    fn unknown_selectors_are_located_with_a_suggestion() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(
            tmp.path(),
            "plimsoll.toml",
            "select = [\"ALL\"]\nignore = [\"split-run\", \"latset-tag\"]\n",
        );
        let e = load(&p).unwrap_err();
        assert_eq!(e.position, Some((2, 24)), "{e}");
        assert_eq!(
            e.message,
            "unknown rule `latset-tag`; did you mean `latest-tag`? in `ignore`"
        );
        let p = write(
            tmp.path(),
            "plimsoll.toml",
            "[[overrides]]\nfiles = [\"a/*\"]\n[overrides.severity]\nnonsense = \"error\"\n",
        );
        let e = load(&p).unwrap_err();
        assert_eq!(e.position, Some((4, 1)), "{e}");
        assert!(e.message.starts_with("unknown rule `nonsense` ("), "{e}");
        // Codes, prefixes, aliases, families and the pipeline's own findings are all known.
        for known in [
            RuleId::LatestTag.code(),
            "PL1",
            "pl09",
            "DL3007",
            "secret",
            "root-user",
            "invalid-utf8",
            "ALL",
        ] {
            assert!(selector_is_known(known), "{known}");
        }
    }

    #[test]
    fn extend_cycle_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(tmp.path(), "plimsoll.toml", "extend = \"plimsoll.toml\"\n");
        assert!(load(&p).unwrap_err().message.contains("cycle"));
    }

    #[test]
    fn hadolint_yaml_is_read() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            ".hadolint.yaml",
            "ignored:\n  - DL3008\n  - DL3009\noverride:\n  error: [DL3007]\n  info:\n    - DL3020\ntrustedRegistries:\n  - docker.io\nfailure-threshold: warning\nlabel-schema:\n  author: text\n  url: url\nno-color: true\n",
        );
        let c = Resolver::discover()
            .for_file(&tmp.path().join("Dockerfile"))
            .unwrap();
        assert_eq!(c.settings.ignore, vec!["DL3008", "DL3009"]);
        assert_eq!(c.settings.severity.get("DL3007"), Some(&Severity::Error));
        assert_eq!(c.settings.severity.get("DL3020"), Some(&Severity::Info));
        assert_eq!(c.settings.options.trusted_registries, vec!["docker.io"]);
        assert_eq!(c.fail_level, Some(FailLevel::At(Severity::Warning)));
        assert_eq!(
            c.settings.options.required_labels.get("url"),
            Some(&LabelFormat::Url)
        );
    }

    #[test]
    fn dclintrc_is_read_for_compose_files() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), ".hadolint.yaml", "ignored: [DL3008]\n");
        write(
            tmp.path(),
            ".dclintrc",
            r#"{"rules": {"no-version-field": 0, "services-alphabetical-order": 2,
                "require-quotes-in-ports": [1, {"quoteType": "double"}],
                "service-keys-order": [1, {"groupOrder": ["Core Definitions"]}]},
               "quiet": true, "exclude": ["vendor"]}"#,
        );
        let c = Resolver::discover()
            .for_file(&tmp.path().join("compose.yaml"))
            .unwrap();
        let s = c.settings_for(&tmp.path().join("compose.yaml"));
        // hadolint's settings stay, dclint's apply to compose files.
        assert_eq!(s.ignore, vec!["DL3008", "no-version-field"]);
        assert!(
            s.extend_select
                .iter()
                .any(|r| r == "services-alphabetical-order")
        );
        assert!(s.extend_select.iter().any(|r| r == "no-build-and-image"));
        assert_eq!(
            s.severity.get("services-alphabetical-order"),
            Some(&Severity::Error)
        );
        assert_eq!(
            s.severity.get("require-quotes-in-ports"),
            Some(&Severity::Warning)
        );
        assert_eq!(s.options.port_quote, '"');
        assert_eq!(
            s.options.service_key_order,
            vec!["image", "build", "container_name"]
        );
        assert!(c.is_excluded(&tmp.path().join("vendor/compose.yaml")));
        let d = c.settings_for(&tmp.path().join("Dockerfile"));
        assert_eq!(d.ignore, vec!["DL3008"]);
        // And through the engine: selected, at dclint's level.
        let file = crate::source::SourceFile::new(
            tmp.path().join("compose.yaml"),
            "version: '3'\nservices:\n  b:\n    image: x:1\n  a:\n    image: y:1\n",
            FileKind::Compose,
        );
        let report = crate::rules::lint_source(&file, &s);
        let order: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.code == RuleId::ServicesOrder.code())
            .collect();
        assert_eq!(order.len(), 1);
        assert_eq!(order[0].severity, Severity::Error);
        assert!(
            !report
                .findings
                .iter()
                .any(|f| f.code == RuleId::ComposeVersionObsolete.code())
        );
    }

    #[test]
    fn dclintrc_yaml_and_package_json_and_plimsoll_wins() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "package.json",
            r#"{"name": "x", "dclint": {"rules": {"top-level-properties-order": [2, {"customOrder": ["services", "x-properties"]}]}}}"#,
        );
        let c = Resolver::discover().for_dir(tmp.path()).unwrap();
        assert_eq!(c.settings.options.top_level_order, vec!["services", "x-*"]);
        let sub = tmp.path().join("sub");
        fs::create_dir(&sub).unwrap();
        write(
            &sub,
            ".dclintrc.yml",
            "rules:\n  no-unbound-port-interfaces: 0\n  bogus-rule: 2\n",
        );
        let c = Resolver::discover()
            .for_file(&sub.join("docker-compose.yml"))
            .unwrap();
        let s = c.settings_for(&sub.join("docker-compose.yml"));
        assert_eq!(s.ignore, vec!["no-unbound-port-interfaces"]);
        write(&sub, ".dclintrc.yml", "rules:\n  no-version-field: 3\n");
        let e = Resolver::discover().for_dir(&sub).unwrap_err();
        assert_eq!(e.position, Some((2, 21)), "{e:?}");
        write(&sub, "plimsoll.toml", "ignore = []\n");
        let c = Resolver::discover().for_dir(&sub).unwrap();
        assert!(c.overrides.is_empty());
    }

    #[test]
    fn hadolint_errors_are_located_and_plimsoll_wins() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(tmp.path(), ".hadolint.yml", "ignored: [DL1]\nbogus: 1\n");
        let e = load(&p).unwrap_err();
        assert_eq!(e.position, Some((2, 1)), "{e}");
        write(
            tmp.path(),
            "sub/plimsoll.toml",
            "ignore = [\"split-run\"]\n",
        );
        let c = Resolver::discover()
            .for_file(&tmp.path().join("sub/Dockerfile"))
            .unwrap();
        assert_eq!(c.settings.ignore, vec!["split-run"]);
    }

    #[test]
    fn shellcheck_options_are_read_and_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(
            tmp.path(),
            "plimsoll.toml",
            "[options]\nshellcheck = \"tools/shellcheck\"\nshellcheck-exclude = [\"sc2086\"]\n",
        );
        let o = load(&p).unwrap().settings.options;
        assert_eq!(o.shellcheck, Some(tmp.path().join("tools/shellcheck")));
        assert_eq!(o.shellcheck_exclude, vec!["SC2086"]);
        let p = write(
            tmp.path(),
            "plimsoll.toml",
            "[options]\nshellcheck = \"shellcheck-0.10\"\n",
        );
        let o = load(&p).unwrap().settings.options;
        assert_eq!(
            o.shellcheck,
            Some(PathBuf::from("shellcheck-0.10")),
            "looked up on PATH"
        );
        let p = write(
            tmp.path(),
            "plimsoll.toml",
            "[options]\nshellcheck-exclude = [\"DL3008\"]\n",
        );
        let e = load(&p).unwrap_err();
        assert!(e.message.contains("ShellCheck codes such as SC2086"), "{e}");
        assert_eq!(e.position, Some((2, 24)), "{e}");
    }

    #[test]
    fn init_template_parses() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(tmp.path(), "plimsoll.toml", INIT_TEMPLATE);
        let c = load(&p).unwrap();
        assert_eq!(c.settings.options, RuleOptions::default());
        assert_eq!(c.fail_level, Some(FailLevel::default()));
    }
}

//! Configuration: `plimsoll.toml` / `.plimsoll.toml`, the nearest one up the tree from each
//! file (closer wins; `extend = "path"` inherits from another file), and, where no plimsoll
//! configuration exists, hadolint's `.hadolint.yaml` / `.hadolint.yml` so hadolint users switch
//! without edits.
//!
//! ```toml
//! extend = "../plimsoll.toml"          # inherit, then override
//! select = ["ALL"]                     # replaces the default rule set
//! extend-select = ["PL9"]              # adds to it
//! ignore = ["split-run"]               # removes (wins over select)
//! fail-level = "warning"               # error | warning | info | style | none
//! output-format = "concise"
//! registry-mirrors = { "docker.io" = ["mirror.gcr.io"] }   # for `plimsoll pin`
//! [severity]                           # selector -> severity
//! latest-tag = "error"
//! [options]
//! moving-tags = ["latest", "edge"]
//! trusted-registries = ["docker.io", "ghcr.io"]
//! nonroot-base-images = ["gcr.io/distroless/*:nonroot"]
//! required-labels = { "org.opencontainers.image.source" = "url" }
//! secret-allowlist = ["EXAMPLE", "/^dummy-/"]
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
    "human, concise, json, sarif, checkstyle, gitlab, github or junit"
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
    options: Option<RawOptions>,
    file_kinds: Option<BTreeMap<String, KindValue>>,
    exclude: Option<Vec<String>>,
    extend_exclude: Option<Vec<String>>,
    overrides: Option<Vec<RawOverride>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOptions {
    moving_tags: Option<Vec<String>>,
    trusted_registries: Option<Vec<String>>,
    nonroot_base_images: Option<Vec<String>>,
    required_labels: Option<BTreeMap<String, LabelValue>>,
    secret_allowlist: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    files: Vec<String>,
    select: Option<Vec<String>>,
    extend_select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    severity: Option<BTreeMap<String, SevValue>>,
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
        let opts: &mut RuleOptions = &mut s.options;
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
        config.overrides.push(Override {
            matcher: build_globs(&o.files, path, text, "overrides.files")?,
            root: root.to_path_buf(),
            select: o.select,
            extend_select: o.extend_select.unwrap_or_default(),
            ignore: o.ignore.unwrap_or_default(),
            severity: severities(o.severity),
        });
    }
    Ok(())
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
        let config = match find_up(&dir, &CONFIG_NAMES).or_else(|| find_up(&dir, &HADOLINT_NAMES)) {
            Some(file) => {
                let cached = self.cache.lock().ok().and_then(|m| m.get(&file).cloned());
                match cached {
                    Some(c) => c,
                    None => {
                        let c = Arc::new(load(&file)?);
                        if let Ok(mut m) = self.cache.lock() {
                            m.insert(file, c.clone());
                        }
                        c
                    }
                }
            }
            None => self.default.clone(),
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

# Change a rule's severity.
[severity]
# latest-tag = "error"

[options]
# Tags treated like `latest`: they move.
moving-tags = ["latest", "stable", "edge", "nightly", "rolling", "current", "dev", "lts", "main", "master", "beta", "test"]
# When not empty, images from other registries are reported.
trusted-registries = []
# Base images known to run as a non-root user.
nonroot-base-images = ["gcr.io/distroless/*:nonroot", "gcr.io/distroless/*:*-nonroot", "cgr.dev/chainguard/*"]
# Labels every final stage must set, with a value format: text, url, semver, hash, rfc3339,
# spdx or email.
required-labels = {}
# Values (or /regexes/) never reported as secrets.
secret-allowlist = []

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
"#;

mod hadolint {
    //! `.hadolint.yaml`, read with a small event-based reader over saphyr-parser.

    use super::{Config, ConfigError, FailLevel};
    use crate::finding::Severity;
    use crate::rules::settings::LabelFormat;
    use saphyr_parser::{Event, Parser};
    use std::path::Path;

    /// A YAML node with the 1-based position where it starts.
    enum Node {
        Scalar(String, (u32, u32)),
        Seq(Vec<Node>, (u32, u32)),
        Map(Vec<(String, (u32, u32), Node)>, (u32, u32)),
    }

    impl Node {
        fn pos(&self) -> (u32, u32) {
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

    fn strings(node: &Node, key: &str, path: &Path) -> Result<Vec<String>, ConfigError> {
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

    /// hadolint keys plimsoll accepts but has no use for (they are command-line behaviour).
    const ACCEPTED: &[&str] = &[
        "format",
        "no-fail",
        "no-color",
        "strict-labels",
        "verbose",
        "disable-ignore-pragma",
    ];

    pub(super) fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
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
        let mut config = Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        let entries = match root {
            None => return Ok(config),
            Some(Node::Scalar(s, _)) if s.is_empty() => return Ok(config),
            Some(Node::Map(entries, _)) => entries,
            Some(other) => return Err(r.err(Some(other.pos()), "expected a mapping of settings")),
        };
        let err = |pos, m: String| ConfigError {
            path: path.to_path_buf(),
            position: Some(pos),
            message: m,
        };
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
                k if ACCEPTED.contains(&k) => {}
                k => return Err(err(kpos, format!("unknown hadolint setting `{k}`"))),
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
            "PL101",
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
    fn init_template_parses() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(tmp.path(), "plimsoll.toml", INIT_TEMPLATE);
        let c = load(&p).unwrap();
        assert_eq!(c.settings.options, RuleOptions::default());
        assert_eq!(c.fail_level, Some(FailLevel::default()));
    }
}

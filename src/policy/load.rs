//! Loading Rego policies: every `.rego` file a `[[policy]]` entry or `--policy` names (a
//! directory is read recursively, as conftest does), parsed and compiled once per run. A set of
//! policies that does not load is a configuration error (exit code 2) with the policy file, line
//! and column regorus reports.

use crate::finding::Severity;
use crate::rules::catalog::RuleId;
use crate::rules::dynamic;
use regorus::unstable::{Expr, Rule, RuleHead};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The largest policy file read (a policy is source code; anything larger is a mistake).
const MAX_POLICY_BYTES: usize = 4 << 20;
/// The most `.rego` files one entry loads.
const MAX_POLICY_FILES: usize = 10_000;
/// The evaluation time a file gets from one policy set unless its entry says otherwise.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(2);
/// The longest range `numbers.range` may build: past it the evaluation stops with an error
/// rather than allocating without bound before the time limit is next checked.
const MAX_RANGE: i64 = 1_000_000;

/// Which document a policy sees as `input`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// plimsoll's document: spans, resolved images, commands, built-in findings
    /// (see [`super::input`]).
    #[default]
    Plimsoll,
    /// Exactly the document conftest builds (see [`super::conftest`]).
    Conftest,
}

impl InputFormat {
    pub fn parse(s: &str) -> Option<InputFormat> {
        match s {
            "plimsoll" => Some(InputFormat::Plimsoll),
            "conftest" => Some(InputFormat::Conftest),
            _ => None,
        }
    }
}

/// One `[[policy]]` entry (or `--policy PATH`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySpec {
    /// `.rego` files or directories.
    pub paths: Vec<PathBuf>,
    /// The packages whose rules are queried: names, or patterns with `*`, `?` or `[...]` matched
    /// against the loaded packages (conftest's `--namespace`). Default `main`.
    pub namespaces: Vec<String>,
    pub input_format: InputFormat,
    /// The first segment of the codes (`policy` gives `policy/<package>/<rule>`).
    pub code_prefix: String,
    /// How long one file may take in this set's rules.
    pub time_limit: Duration,
    /// The directory policy files are named relative to in messages when they are not under
    /// the current directory (the configuration's, for `[[policy]]`).
    pub base: Option<PathBuf>,
}

impl PolicySpec {
    pub fn new(paths: Vec<PathBuf>) -> PolicySpec {
        PolicySpec {
            paths,
            namespaces: vec!["main".into()],
            input_format: InputFormat::Plimsoll,
            code_prefix: "policy".into(),
            time_limit: DEFAULT_TIME_LIMIT,
            base: None,
        }
    }
}

/// Whether a rule's results are failures or warnings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// `deny`, `violation` (and `deny_*`, `violation_*`): errors.
    Failure,
    /// `warn`, `warn_*`: warnings.
    Warning,
}

impl RuleKind {
    /// conftest's names: `^(deny|violation)(_[a-zA-Z0-9]+)*$` and `^warn(_[a-zA-Z0-9]+)*$`.
    pub fn of(name: &str) -> Option<RuleKind> {
        let suffix_ok = |rest: &str| {
            rest.is_empty()
                || rest.strip_prefix('_').is_some_and(|r| {
                    r.split('_')
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
                })
        };
        for (prefix, kind) in [
            ("deny", RuleKind::Failure),
            ("violation", RuleKind::Failure),
            ("warn", RuleKind::Warning),
        ] {
            if let Some(rest) = name.strip_prefix(prefix)
                && suffix_ok(rest)
            {
                return Some(kind);
            }
        }
        None
    }

    pub fn severity(self) -> Severity {
        match self {
            RuleKind::Failure => Severity::Error,
            RuleKind::Warning => Severity::Warning,
        }
    }
}

/// One queried rule: `data.<package>.<rule>`.
#[derive(Clone, Debug)]
pub struct QueriedRule {
    pub package: String,
    pub rule: String,
    pub kind: RuleKind,
    /// `policy/<package>/<rule>`, registered in [`dynamic`].
    pub code: &'static str,
    /// Where the rule is first defined (`policy/images.rego:12`).
    pub location: String,
}

/// One entry's policies, compiled.
#[derive(Clone, Debug)]
pub struct PolicySet {
    /// Compiled once; each file evaluates on a clone (cheap: the modules are shared).
    pub(crate) engine: regorus::Engine,
    pub rules: Vec<QueriedRule>,
    pub input_format: InputFormat,
    /// The `.rego` files loaded.
    pub files: Vec<PathBuf>,
    /// Every package the files declare.
    pub packages: Vec<String>,
    /// How long one file may take in this set's rules.
    pub time_limit: Duration,
}

/// The Rego policies of a run, compiled once and shared by every file (and thread).
#[derive(Clone, Debug, Default)]
pub struct Policies(Arc<Vec<PolicySet>>);

impl PartialEq for Policies {
    fn eq(&self, other: &Policies) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || (self.0.is_empty() && other.0.is_empty())
    }
}

impl Policies {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn sets(&self) -> &[PolicySet] {
        &self.0
    }

    /// `self`'s sets, then `more`'s (a configuration's `[[policy]]` and `--policy`).
    pub fn combined(&self, more: &Policies) -> Policies {
        if more.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return more.clone();
        }
        Policies(Arc::new(
            self.0.iter().chain(more.0.iter()).cloned().collect(),
        ))
    }

    /// An identity for caching what is derived from these policies: equal for clones.
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Loads and compiles every entry.
    pub fn load(specs: &[PolicySpec]) -> Result<Policies, PolicyError> {
        let sets = specs.iter().map(load_set).collect::<Result<Vec<_>, _>>()?;
        Ok(Policies(Arc::new(sets)))
    }
}

/// A policy that could not be loaded: its file and what regorus said (which carries the line
/// and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match located(&self.message) {
            Some((at, what)) => write!(f, "policy error: {at}: {what}"),
            None => write!(
                f,
                "policy error: {}: {}",
                self.path.display(),
                self.message.trim()
            ),
        }
    }
}

/// regorus's errors read `--> path:line:col`, the policy line quoted, then `error: what`: as
/// one line, `(path:line:col, what)`, the column counted in characters.
pub fn located(message: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = message.lines().collect();
    let arrow = lines.iter().position(|l| l.trim().starts_with("--> "))?;
    let at = lines[arrow].trim().strip_prefix("--> ")?.trim();
    let what = message
        .lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or("failed")
        .trim()
        .to_string();
    // The quoted policy line is two lines down, after its number and `| `.
    let quoted = lines
        .get(arrow + 2)
        .and_then(|l| l.split_once("| "))
        .map(|(_, text)| text);
    let mut parts = at.rsplitn(3, ':');
    let at = match (parts.next(), parts.next(), parts.next(), quoted) {
        (Some(col), Some(line), Some(file), Some(text)) => match col.parse::<u32>() {
            Ok(col) => format!("{file}:{line}:{}", char_column(text, col)),
            Err(_) => at.to_string(),
        },
        _ => at.to_string(),
    };
    Some((at, what))
}

/// The 1-based character column of regorus's column `col` on `text`: regorus counts a tab as
/// four columns, where editors and OPA count one, so a policy indented with tabs (as `opa fmt`
/// writes it) was located three columns too far right per tab.
fn char_column(text: &str, col: u32) -> u32 {
    let mut at = 1u32;
    let mut chars = 0u32;
    for ch in text.chars() {
        if at >= col {
            return chars + 1;
        }
        at = at.saturating_add(if ch == '\t' { 4 } else { 1 });
        chars += 1;
    }
    // Past the line's end (an error at the end of the line).
    (chars + 1).saturating_add(col.saturating_sub(at))
}

impl std::error::Error for PolicyError {}

/// Every `.rego` file under the paths, sorted so that a run is reproducible.
pub fn rego_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PolicyError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| PolicyError {
            path: p.clone(),
            message: format!("cannot read the policy path: {e}"),
        })?;
        if meta.is_dir() {
            for entry in ignore::WalkBuilder::new(p)
                .standard_filters(false)
                .follow_links(false)
                .build()
            {
                let entry = entry.map_err(|e| PolicyError {
                    path: p.clone(),
                    message: format!("cannot read the policy directory: {e}"),
                })?;
                if entry.file_type().is_some_and(|t| t.is_file())
                    && entry.path().extension().is_some_and(|x| x == "rego")
                {
                    out.push(entry.into_path());
                }
            }
        } else {
            out.push(p.clone());
        }
        if out.len() > MAX_POLICY_FILES {
            return Err(PolicyError {
                path: p.clone(),
                message: format!("more than {MAX_POLICY_FILES} policy files"),
            });
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A new engine with the limits every policy evaluation runs under.
pub(crate) fn new_engine(time_limit: Duration) -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    // Read rules the way conftest's default `--rego-version v1` does.
    engine.set_rego_v0(false);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: time_limit,
        check_interval: std::num::NonZeroU32::MIN.saturating_add(63),
    });
    // The timer is checked between steps of the interpreter; one built-in building a huge
    // array is a single step, so the range built-in is bounded here.
    let _ = engine.add_extension(
        "numbers.range".into(),
        2,
        Box::new(|args: Vec<regorus::Value>| {
            let (Some(a), Some(b)) = (
                args.first().and_then(|v| v.as_i64().ok()),
                args.get(1).and_then(|v| v.as_i64().ok()),
            ) else {
                anyhow::bail!("numbers.range expects two integers");
            };
            if a.abs_diff(b) > MAX_RANGE as u64 {
                anyhow::bail!(
                    "numbers.range({a}, {b}) is longer than the evaluation limit allows ({MAX_RANGE} numbers)"
                );
            }
            let values: Vec<regorus::Value> = if a <= b {
                (a..=b).map(regorus::Value::from).collect()
            } else {
                (b..=a).rev().map(regorus::Value::from).collect()
            };
            Ok(regorus::Value::from(values))
        }),
    );
    engine
}

/// Reads the policy files into `engine`; returns each file and the package it declares.
pub(crate) fn add_files(
    engine: &mut regorus::Engine,
    files: &[PathBuf],
    base: Option<&Path>,
) -> Result<Vec<(PathBuf, String)>, PolicyError> {
    let mut out = Vec::new();
    for file in files {
        let text = read_policy(file)?;
        let package = engine
            .add_policy(display_name(file, base), text)
            .map_err(|e| PolicyError {
                path: file.clone(),
                message: e.to_string(),
            })?;
        let package = package
            .strip_prefix("data.")
            .unwrap_or(&package)
            .to_string();
        out.push((file.clone(), package));
    }
    Ok(out)
}

/// The functions plimsoll adds to regorus's built-ins ([`new_engine`]).
const EXTENSIONS: &[&str] = &["numbers.range"];

/// Compiles the policies read into `engine` now, once: a conflicting rule, a variable used
/// before it is bound, or a call to an undefined function is an error of the run, at its file,
/// line and column, not of each file linted; and every clone made per file starts prepared.
pub(crate) fn compile(
    engine: &mut regorus::Engine,
    files: &[PathBuf],
    base: Option<&Path>,
) -> Result<(), PolicyError> {
    let error = |message: String| PolicyError {
        path: file_named_in(&message, files, base),
        message,
    };
    // plimsoll's check first: regorus's scheduler prints a line of its own to standard error
    // on some of the policies it rejects.
    if let Some(e) = super::check::undefined_name(engine.get_modules(), EXTENSIONS) {
        return Err(error(e.to_string()));
    }
    engine
        .eval_query("true".into(), false)
        .map_err(|e| error(e.to_string()))?;
    Ok(())
}

/// The policy file a regorus error names (`--> path:line:col`), else the first file.
fn file_named_in(message: &str, files: &[PathBuf], base: Option<&Path>) -> PathBuf {
    let named = located(message).and_then(|(at, _)| {
        let mut parts = at.rsplitn(3, ':');
        let (_, _, name) = (parts.next()?, parts.next()?, parts.next()?);
        files
            .iter()
            .find(|f| display_name(f, base) == name)
            .cloned()
    });
    named.or_else(|| files.first().cloned()).unwrap_or_default()
}

/// How messages name a policy file: relative to the current directory when it is under it,
/// else relative to `base`, else as it is.
fn display_name(file: &Path, base: Option<&Path>) -> String {
    let cwd = std::env::current_dir().ok();
    let relative = cwd
        .as_deref()
        .and_then(|d| file.strip_prefix(d).ok())
        .or_else(|| base.and_then(|b| file.strip_prefix(b).ok()))
        .unwrap_or(file);
    relative.to_string_lossy().into_owned()
}

fn read_policy(file: &Path) -> Result<String, PolicyError> {
    let err = |message: String| PolicyError {
        path: file.to_path_buf(),
        message,
    };
    // Read like every file a user names: a regular file only, bounded in size and time.
    let bytes = crate::fsio::read_regular(file, MAX_POLICY_BYTES)
        .map_err(|e| err(format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| err(format!("not UTF-8: {e}")))
}

/// The name a rule head defines (`deny` for `deny contains msg`, `deny[msg]`, `deny_x := ...`).
fn head_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Var { span, .. } => Some(span.text().to_string()),
        Expr::RefDot { refr, .. } | Expr::RefBrack { refr, .. } => head_name(refr),
        _ => None,
    }
}

/// The rule names the loaded modules define, per package (the file and line of the first).
pub(crate) fn rule_names(engine: &mut regorus::Engine) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for module in engine.get_modules().iter() {
        let Some(package) = package_name(&module.package.refr) else {
            continue;
        };
        for rule in &module.policy {
            let (span, refr) = match rule.as_ref() {
                Rule::Spec { span, head, .. } => match head {
                    RuleHead::Compr { refr, .. }
                    | RuleHead::Set { refr, .. }
                    | RuleHead::Func { refr, .. } => (span, refr),
                },
                Rule::Default { span, refr, .. } => (span, refr),
            };
            let Some(name) = head_name(refr) else {
                continue;
            };
            if !out.iter().any(|(p, n, _)| *p == package && *n == name) {
                let at = format!("{}:{}", span.source.file(), span.line);
                out.push((package.clone(), name, at));
            }
        }
    }
    out
}

/// `main` for `package main`, `a.b` for `package a.b`.
fn package_name(refr: &Expr) -> Option<String> {
    match refr {
        Expr::Var { span, .. } => Some(span.text().to_string()),
        Expr::RefDot { refr, field, .. } => {
            Some(format!("{}.{}", package_name(refr)?, field.0.text()))
        }
        Expr::RefBrack { refr, index, .. } => match index.as_ref() {
            Expr::String { span, .. } => Some(format!("{}.{}", package_name(refr)?, span.text())),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a namespace pattern names `package`: literally, or as a glob when it has `*`, `?`
/// or `[` (conftest's `--namespace`; `.` is an ordinary character).
pub fn namespace_matches(pattern: &str, package: &str) -> bool {
    if !pattern.contains(['*', '?', '[']) {
        return pattern == package;
    }
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .is_ok_and(|g| g.compile_matcher().is_match(package))
}

fn load_set(spec: &PolicySpec) -> Result<PolicySet, PolicyError> {
    let files = rego_files(&spec.paths)?;
    let mut engine = new_engine(spec.time_limit);
    let loaded = add_files(&mut engine, &files, spec.base.as_deref())?;
    let mut packages: Vec<String> = loaded.iter().map(|(_, p)| p.clone()).collect();
    packages.sort();
    packages.dedup();
    compile(&mut engine, &files, spec.base.as_deref())?;
    let selected = |p: &str| spec.namespaces.iter().any(|n| namespace_matches(n, p));
    let mut rules = Vec::new();
    for (package, rule, at) in rule_names(&mut engine) {
        let Some(kind) = RuleKind::of(&rule) else {
            continue;
        };
        if !selected(&package) {
            continue;
        }
        let code = format!("{}/{package}/{rule}", spec.code_prefix);
        let code = dynamic::register(
            &code,
            RuleId::Rego,
            kind.severity(),
            format!("Rego rule `{rule}` of package `{package}`"),
            at.clone(),
        )
        .map_err(|message| PolicyError {
            path: PathBuf::from(&at),
            message,
        })?;
        rules.push(QueriedRule {
            package,
            rule,
            kind,
            code,
            location: at,
        });
    }
    Ok(PolicySet {
        engine,
        rules,
        input_format: spec.input_format,
        files,
        packages,
        time_limit: spec.time_limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_kinds_follow_conftest_names() {
        assert_eq!(RuleKind::of("deny"), Some(RuleKind::Failure));
        assert_eq!(RuleKind::of("violation_no_root"), Some(RuleKind::Failure));
        assert_eq!(RuleKind::of("warn_a_b2"), Some(RuleKind::Warning));
        for not in ["denylist", "deny_", "warning", "deny__x", "test_deny"] {
            assert_eq!(RuleKind::of(not), None, "{not}");
        }
    }

    #[test]
    fn columns_are_counted_in_characters_not_regorus_tab_widths() {
        let mut engine = new_engine(DEFAULT_TIME_LIMIT);
        let err = engine
            .add_policy(
                "p.rego".into(),
                "package main\n\np := 1 if {\n\t\tx := 1 +\n}\n".into(),
            )
            .expect_err("the policy does not parse");
        // regorus says 4:11 for the `:` after `\t\tx `, the fifth character.
        let (at, _) = located(&err.to_string()).expect("located");
        assert_eq!(at, "p.rego:4:5");
        let err = engine
            .add_policy("q.rego".into(), "package main\n\n\tp := )\n".into())
            .expect_err("the policy does not parse");
        let (at, _) = located(&err.to_string()).expect("located");
        // `)` is the seventh character of `\tp := )` (regorus says column 10).
        assert_eq!(at, "q.rego:3:7");
        assert_eq!(char_column("\t\tx", 9), 3);
        assert_eq!(char_column("ab", 5), 5);
        assert_eq!(char_column("\t", 9), 6);
    }

    #[test]
    fn namespaces_match_literally_or_as_globs() {
        assert!(namespace_matches("main", "main"));
        assert!(!namespace_matches("mai", "main"));
        assert!(namespace_matches("c*", "commands"));
        assert!(!namespace_matches("c*", "main"));
        assert!(namespace_matches("*", "a.b"));
    }
}

//! The rule catalog: every rule's metadata, generated at build time from its page
//! (`rules/<family>/<name>.md`) and the families table (`rules/families.toml`); lookups by
//! [`RuleId`], code, name or alias; selectors; and the bad/good examples the catalog test runs.
//!
//! Page format (documented for authors in `rules/README.md` and `CONTRIBUTING.md`): TOML front
//! matter between two `+++` lines, then Markdown. Fenced blocks whose info string is
//! `<kind> bad` or `<kind> good` (kind `dockerfile` or `compose`) are examples; in a bad one,
//! each line ending with a `# ←` marker (optionally followed by words) must be flagged.

use super::Rule;
pub use super::registry::{FAMILIES, RULES, RuleId};
use crate::finding::Severity;
use crate::source::FileKind;

/// What a rule is about; every category is also a selector (`--select security`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Security,
    Reproducibility,
    ImageSize,
    Correctness,
    Maintainability,
    Style,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Security,
        Category::Reproducibility,
        Category::ImageSize,
        Category::Correctness,
        Category::Maintainability,
        Category::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Reproducibility => "reproducibility",
            Category::ImageSize => "image-size",
            Category::Correctness => "correctness",
            Category::Maintainability => "maintainability",
            Category::Style => "style",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// Where a rule is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lifecycle {
    Stable,
    /// Runs only in preview mode (`--preview`, `preview = true`), even when selected by name.
    Preview,
    /// Still runs and is still accepted as a selector, with a warning naming its replacement.
    Deprecated,
    /// No longer exists: a page remains so that selecting it is an error naming the replacement.
    Removed,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Stable => "stable",
            Lifecycle::Preview => "preview",
            Lifecycle::Deprecated => "deprecated",
            Lifecycle::Removed => "removed",
        }
    }
}

/// A family of rules: a folder of pages and a folder of rule files, with a code range (one row
/// of `rules/families.toml`).
#[derive(Debug)]
pub struct Family {
    /// The folder under `rules/`, and a selector (`--select image`).
    pub name: &'static str,
    /// The folder under `src/rules/`.
    pub module: &'static str,
    pub first_code: &'static str,
    pub last_code: &'static str,
    /// The category of a rule whose page names none.
    pub category: Category,
    /// Every finding of the family is a security finding.
    pub security: bool,
    /// The engine reports these rules itself (no rule files).
    pub engine: bool,
    pub summary: &'static str,
}

impl Family {
    /// Whether `code` is in the family's range.
    pub fn owns(&self, code: &str) -> bool {
        code.len() == self.first_code.len()
            && self.first_code <= code
            && code <= self.last_code
            && code.starts_with("PL")
    }
}

/// A rule's metadata, from its page.
pub struct RuleMeta {
    pub id: RuleId,
    /// Stable code, e.g. `PL101`.
    pub code: &'static str,
    /// Kebab-case name, e.g. `latest-tag`.
    pub name: &'static str,
    pub family: &'static Family,
    pub category: Category,
    pub lifecycle: Lifecycle,
    pub severity: Severity,
    pub file_kinds: &'static [FileKind],
    /// Whether the rule can offer a fix (safe or unsafe).
    pub fixable: bool,
    /// Whether the rule runs when the configuration selects nothing explicitly.
    pub default_enabled: bool,
    /// The ids of the equivalent checks of other tools (hadolint `DL3007`, BuildKit
    /// `StageNameCasing`, Trivy `DS-0001`, Checkov `CKV_DOCKER_7`, KICS, Semgrep, dclint), and
    /// former codes of this rule (`PL010`).
    pub aliases: &'static [&'static str],
    /// One line saying what the rule flags.
    pub summary: &'static str,
    /// For a deprecated or removed rule, the name of the rule to use instead.
    pub replaced_by: Option<&'static str>,
    /// Rules (by name) whose finding on the same token this rule's finding carries as a note
    /// (see [`super::engine::fold_covered`]).
    pub covers: &'static [&'static str],
    /// The page's path under `rules/`: `image/latest-tag.md`.
    pub page: &'static str,
    /// The whole page.
    pub doc: &'static str,
    /// Where the Markdown after the front matter starts in `doc`.
    pub body_start: usize,
    /// The rule's implementation; `None` for the engine's own rules and removed rules.
    pub implementation: Option<&'static dyn Rule>,
}

impl std::fmt::Debug for RuleMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleMeta")
            .field("code", &self.code)
            .field("name", &self.name)
            .field("severity", &self.severity)
            .finish_non_exhaustive()
    }
}

impl RuleMeta {
    pub fn applies_to(&self, kind: FileKind) -> bool {
        self.file_kinds.contains(&kind)
    }

    /// The page's Markdown after the front matter.
    pub fn body(&self) -> &'static str {
        self.doc.get(self.body_start..).unwrap_or("")
    }

    /// Whether the rule's findings are security findings (SARIF `security-severity`).
    pub fn is_security(&self) -> bool {
        self.family.security || self.category == Category::Security
    }

    /// The bad and good examples on the rule's page.
    pub fn examples(&self) -> Vec<Example> {
        examples(self.body())
    }
}

impl RuleId {
    pub fn meta(self) -> &'static RuleMeta {
        &RULES[self as usize]
    }
}

/// Where rule pages (`rules/<family>/<name>.md`) are published, for help links in reports and
/// editors.
pub const DOCS_BASE: &str = "https://github.com/plimsoll/plimsoll/blob/main/rules";

/// The published documentation page of a rule.
pub fn doc_url(meta: &RuleMeta) -> String {
    format!("{DOCS_BASE}/{}", meta.page)
}

/// Every rule, sorted by code.
pub fn all() -> &'static [RuleMeta] {
    &RULES
}

/// The rule with this exact code.
pub fn by_code(code: &str) -> Option<&'static RuleMeta> {
    RULES
        .binary_search_by(|r| r.code.cmp(code))
        .ok()
        .and_then(|i| RULES.get(i))
}

/// Rules that report each finding under the code of the other tool's check it comes from, and
/// the prefix of those codes: ShellCheck's findings are `SC2086`, `SC2046`, … of `shellcheck`.
///
/// Why the finding code is the SC code, not the rule's `PL350` with the SC code alongside: every
/// consumer of findings already keys on the code (JSON and SARIF rule ids, baselines, statistics,
/// suppressions, the editor's diagnostic code), so each of them names the exact ShellCheck check
/// that users know and search for, with no change to the finding type. What needs the rule
/// instead (selection, severity, documentation) asks [`rule_of`]. There are some 400 SC codes:
/// they cannot be aliases, so a code of a known prefix and four digits is accepted as it comes.
const FOREIGN_CODES: [(&str, RuleId, &str); 1] =
    [("SC", RuleId::Shellcheck, "https://www.shellcheck.net/wiki/")];

/// A foreign finding code (`SC2086`, `sc2086`): the code spelled as its tool spells it, interned
/// so that findings can carry it as `&'static str`, and the rule reporting it. Only a known
/// prefix followed by four digits is one, so at most 9000 codes per prefix are ever interned.
pub fn foreign_code(s: &str) -> Option<(&'static str, RuleId)> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static INTERNED: OnceLock<Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let s = s.trim();
    let (prefix, rule, _) = FOREIGN_CODES.iter().find(|(p, _, _)| {
        s.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    })?;
    let digits = s.get(prefix.len()..)?;
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return None;
    }
    let canonical = format!("{prefix}{digits}");
    let mut table = INTERNED.get_or_init(Mutex::default).lock().ok()?;
    let code: &'static str = match table.get(&canonical) {
        Some(code) => code,
        None => {
            let leaked: &'static str = Box::leak(canonical.clone().into_boxed_str());
            table.insert(canonical, leaked);
            leaked
        }
    };
    Some((code, *rule))
}

/// Where a finding code is explained: its rule's page, or for a foreign code the other tool's
/// page about it (ShellCheck's wiki page of `SC2086`).
pub fn code_doc_url(code: &str) -> Option<String> {
    if let Some(meta) = by_code(code) {
        return Some(doc_url(meta));
    }
    if let Some(dynamic) = super::dynamic::get(code) {
        return Some(doc_url(dynamic.rule.meta()));
    }
    let (code, rule) = foreign_code(code)?;
    FOREIGN_CODES
        .iter()
        .find(|(_, r, _)| *r == rule)
        .map(|(_, _, base)| format!("{base}{code}"))
}

/// The rule a finding's code belongs to: the rule with that code, the rule reporting a foreign
/// code (`SC2086` → `shellcheck`), or the rule reporting a registered policy code
/// (`policy/main/deny` → `rego`, see [`super::dynamic`]).
pub fn rule_of(code: &str) -> Option<&'static RuleMeta> {
    by_code(code)
        .or_else(|| foreign_code(code).map(|(_, rule)| rule.meta()))
        .or_else(|| super::dynamic::get(code).map(|c| c.rule.meta()))
}

/// The one rule a selector names (code, name, alias or foreign code, case-insensitive, or a
/// registered policy code: see [`super::dynamic`]), for `explain`. An alias shared by several rules returns the first by code.
pub fn lookup(selector: &str) -> Option<&'static RuleMeta> {
    let s = selector.trim();
    RULES
        .iter()
        .find(|r| names_rule(r, s))
        .or_else(|| foreign_code(s).map(|(_, rule)| rule.meta()))
        .or_else(|| super::dynamic::get(s).map(|c| c.rule.meta()))
}

/// The code a finding recorded under `code` has now: the code itself, or the code of the rule
/// that lists it as a former code (`PL010` -> `maintainer-deprecated`'s). For baselines and
/// suppressions written before a rule moved.
pub fn current_code(code: &str) -> Option<&'static str> {
    by_code(code)
        .or_else(|| {
            RULES
                .iter()
                .find(|r| r.aliases.iter().any(|a| a.eq_ignore_ascii_case(code)))
        })
        .map(|r| r.code)
}

fn names_rule(r: &RuleMeta, s: &str) -> bool {
    r.code.eq_ignore_ascii_case(s)
        || r.name.eq_ignore_ascii_case(s)
        || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(s))
}

/// The rules a selector names, case-insensitively:
/// - `ALL`;
/// - a code (`PL101`), a name (`latest-tag`) or an alias (`DL3007`, `StageNameCasing`, a former
///   code such as `PL010`);
/// - a foreign finding code (`SC2086`): the rule reporting it (see [`foreign_code`]; the engine
///   and suppressions narrow such a selector to that one code);
/// - a code prefix (`PL1`, `PL10`);
/// - a category (`security`);
/// - a family (`image`, `secret`);
/// - a policy code or a `/`-separated prefix of one (`policy/main/deny`, `policy/main`): the
///   rule reporting them (`rego`; the engine narrows such a selector to those codes, see
///   [`super::dynamic`]);
/// - or, when nothing above matches, a name prefix (`root` selects `root-user` and
///   `root-user-implicit`).
///
/// Empty when nothing matches. Removed rules are included (see [`check_selector`]); preview
/// rules too, and the engine leaves them out unless preview mode is on.
pub fn resolve(selector: &str) -> Vec<&'static RuleMeta> {
    let s = selector.trim();
    if s.eq_ignore_ascii_case("ALL") {
        return RULES.iter().collect();
    }
    let exact: Vec<_> = RULES.iter().filter(|r| names_rule(r, s)).collect();
    if !exact.is_empty() {
        return exact;
    }
    if let Some((_, rule)) = foreign_code(s) {
        return vec![rule.meta()];
    }
    if super::dynamic::is_dynamic(s) {
        // Policies are loaded with the configuration that names them, possibly after this
        // selector is read: a code of the right shape is taken as it comes.
        return vec![RuleId::Rego.meta()];
    }
    if is_code_prefix(s) {
        let upper = s.to_ascii_uppercase();
        return RULES
            .iter()
            .filter(|r| r.code.starts_with(&upper))
            .collect();
    }
    if let Some(category) = Category::parse(s) {
        return RULES.iter().filter(|r| r.category == category).collect();
    }
    if let Some(family) = FAMILIES.iter().find(|f| f.name.eq_ignore_ascii_case(s)) {
        return RULES
            .iter()
            .filter(|r| std::ptr::eq(r.family, family))
            .collect();
    }
    let lower = s.to_ascii_lowercase();
    let prefix = format!("{}-", lower.trim_end_matches(['-', '*']));
    RULES
        .iter()
        .filter(|r| r.name.starts_with(&prefix))
        .collect()
}

fn is_code_prefix(s: &str) -> bool {
    s.len() >= 2
        && s.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("PL"))
        && s.bytes().skip(2).all(|b| b.is_ascii_digit())
        && s.len() <= 5
}

/// What a selector written by a user (command line, configuration) means, beyond the rules it
/// resolves to: whether it names nothing (with the closest known selector), a removed rule, or
/// a deprecated one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectorCheck {
    /// Names one or more current rules.
    Ok,
    /// Names no rule; `suggestion` is the closest code, name, alias, category or family.
    Unknown { suggestion: Option<&'static str> },
    /// Names a removed rule, by name, code or alias.
    Removed {
        rule: &'static str,
        replaced_by: &'static str,
    },
    /// Names a deprecated rule directly (it still runs).
    Deprecated {
        rule: &'static str,
        replaced_by: Option<&'static str>,
    },
}

/// Checks a selector a user wrote (see [`SelectorCheck`]).
pub fn check_selector(selector: &str) -> SelectorCheck {
    let s = selector.trim();
    if super::dynamic::is_dynamic(s) {
        // A policy code whose policy is not loaded yet cannot be checked; one that names no
        // loaded code but is a letter or two from one is a typo.
        return match super::dynamic::suggest(s) {
            Some(near) if super::dynamic::matching(s).is_empty() => SelectorCheck::Unknown {
                suggestion: Some(near),
            },
            _ => SelectorCheck::Ok,
        };
    }
    let rules = resolve(s);
    if rules.is_empty() {
        return SelectorCheck::Unknown {
            suggestion: suggest(s),
        };
    }
    // A broad selector (ALL, a family, a category) that happens to cover a removed or
    // deprecated rule is fine; only naming one directly is worth a word.
    if let Some(r) = rules.iter().find(|r| names_rule(r, s)) {
        match r.lifecycle {
            Lifecycle::Removed => {
                return SelectorCheck::Removed {
                    rule: r.name,
                    replaced_by: r.replaced_by.unwrap_or(""),
                };
            }
            Lifecycle::Deprecated => {
                return SelectorCheck::Deprecated {
                    rule: r.name,
                    replaced_by: r.replaced_by,
                };
            }
            Lifecycle::Stable | Lifecycle::Preview => {}
        }
    }
    SelectorCheck::Ok
}

/// Every word that selects something: codes, names, aliases, categories, families.
pub fn selector_words() -> impl Iterator<Item = &'static str> {
    RULES
        .iter()
        .flat_map(|r| {
            [r.code, r.name]
                .into_iter()
                .chain(r.aliases.iter().copied())
        })
        .chain(Category::ALL.into_iter().map(Category::as_str))
        .chain(FAMILIES.iter().map(|f| f.name))
        .chain(std::iter::once("ALL"))
}

/// The known selector closest to `s`, for "did you mean" messages.
pub fn suggest(s: &str) -> Option<&'static str> {
    closest(s, selector_words())
}

/// The candidate nearest to `word` (case-insensitively, counting a swap of two neighbouring
/// letters as one edit, the commonest typo), when it is close enough to be a typo of it: at most
/// one edit in three characters, and at least one.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let word = word.trim().to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| {
            let d = strsim::damerau_levenshtein(&word, &c.to_ascii_lowercase());
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// One fenced example on a rule page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    pub kind: FileKind,
    /// True for a `bad` example (the rule must fire), false for `good` (it must not).
    pub bad: bool,
    /// The example's text with the `# ←` markers removed, as it is linted.
    pub text: String,
    /// 1-based lines (within the example) that carry a marker.
    pub flagged_lines: Vec<u32>,
    /// 1-based line of the opening fence in the page body, for messages.
    pub page_line: usize,
    /// The configuration the example is linted with: the last ```` ```toml plimsoll.toml ````
    /// block before it on the page.
    pub config: Option<String>,
    /// The lock file the example is linted with: the last ```` ```toml plimsoll.lock ```` block
    /// before it.
    pub lock: Option<String>,
    /// Files the example's URLs serve, by URL: the ```` ```text served <url> ```` blocks before
    /// it (standing in for downloads, e.g. for add-url-checksum's fix).
    pub served: Vec<(String, String)>,
    /// The `.dockerignore` beside the example: the last ```` ```text .dockerignore ```` block
    /// before it.
    pub dockerignore: Option<String>,
    /// Policy files beside the configuration, by path relative to it: the
    /// ```` ```rego <path> ```` blocks before it (for `[[policy]]` in the configuration).
    pub files: Vec<(String, String)>,
}

/// The marker that ends a line a bad example must be flagged on.
pub const FLAG_MARKER: &str = "# ←";

/// What a fenced block on a page is.
enum Block {
    Example(Example),
    /// A `toml plimsoll.toml`, `toml plimsoll.lock` or `text .dockerignore` block being read.
    Setup {
        file: SetupFile,
        text: String,
    },
    /// A `text served <url>` block being read: what `url` serves.
    Served {
        url: String,
        text: String,
    },
    /// A `rego <path>` block being read: a policy file beside the configuration.
    File {
        path: String,
        text: String,
    },
    Other,
}

/// The file a setup block gives the examples after it.
#[derive(Clone, Copy)]
enum SetupFile {
    Config,
    Lock,
    DockerIgnore,
}

/// Extracts the examples from a page body.
pub fn examples(body: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let (mut config, mut lock, mut dockerignore) = (None, None, None);
    let mut served: Vec<(String, String)> = Vec::new();
    let mut files: Vec<(String, String)> = Vec::new();
    let mut block: Option<Block> = None;
    for (i, line) in body.lines().enumerate() {
        let trimmed = line.trim_end();
        let is_fence = trimmed.trim_start().starts_with("```");
        match block.take() {
            Some(Block::Example(ex)) if is_fence => out.push(ex),
            Some(Block::Served { url, text }) if is_fence => {
                served.retain(|(u, _)| *u != url);
                served.push((url, text));
            }
            Some(Block::File { path, text }) if is_fence => {
                files.retain(|(p, _)| *p != path);
                files.push((path, text));
            }
            Some(Block::File { path, mut text }) => {
                text.push_str(line);
                text.push('\n');
                block = Some(Block::File { path, text });
            }
            Some(Block::Served { url, mut text }) => {
                text.push_str(line);
                text.push('\n');
                block = Some(Block::Served { url, text });
            }
            Some(Block::Setup { file, text }) if is_fence => match file {
                SetupFile::Config => config = Some(text),
                SetupFile::Lock => lock = Some(text),
                SetupFile::DockerIgnore => dockerignore = Some(text),
            },
            Some(Block::Other) if is_fence => {}
            Some(Block::Other) => block = Some(Block::Other),
            Some(Block::Setup { file, mut text }) => {
                text.push_str(line);
                text.push('\n');
                block = Some(Block::Setup { file, text });
            }
            Some(Block::Example(mut ex)) => {
                let mut text = trimmed;
                if let Some(at) = trimmed.rfind(FLAG_MARKER) {
                    text = trimmed.get(..at).unwrap_or("").trim_end();
                    ex.flagged_lines.push(ex.text.lines().count() as u32 + 1);
                }
                ex.text.push_str(text);
                ex.text.push('\n');
                block = Some(Block::Example(ex));
            }
            None if is_fence => {
                let info = trimmed.trim_start().trim_start_matches('`');
                let mut words = info.split_whitespace();
                let first = words.next();
                let second = words.next();
                let third = words.next();
                block = Some(match (first, second) {
                    (Some("text"), Some("served")) if third.is_some() => Block::Served {
                        url: third.unwrap_or_default().to_string(),
                        text: String::new(),
                    },
                    (Some("rego"), Some(path)) if path.ends_with(".rego") => Block::File {
                        path: path.to_string(),
                        text: String::new(),
                    },
                    (Some("toml"), Some("plimsoll.toml")) => Block::Setup {
                        file: SetupFile::Config,
                        text: String::new(),
                    },
                    (Some("toml"), Some("plimsoll.lock")) => Block::Setup {
                        file: SetupFile::Lock,
                        text: String::new(),
                    },
                    (Some("text"), Some(".dockerignore")) => Block::Setup {
                        file: SetupFile::DockerIgnore,
                        text: String::new(),
                    },
                    (Some(kind), Some(v @ ("bad" | "good"))) => match FileKind::parse(kind) {
                        Some(kind) => Block::Example(Example {
                            kind,
                            bad: v == "bad",
                            text: String::new(),
                            flagged_lines: Vec::new(),
                            page_line: i + 1,
                            config: config.clone(),
                            lock: lock.clone(),
                            served: served.clone(),
                            dockerignore: dockerignore.clone(),
                            files: files.clone(),
                        }),
                        None => Block::Other,
                    },
                    _ => Block::Other,
                });
            }
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_index_the_catalog_in_code_order() {
        for (i, id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(*id as usize, i);
            assert_eq!(id.meta().id, *id);
        }
        assert!(RULES.windows(2).all(|w| w[0].code < w[1].code));
        assert_eq!(
            by_code(RuleId::LatestTag.code()).map(|r| r.id),
            Some(RuleId::LatestTag)
        );
        assert!(by_code("PL000").is_none());
    }

    #[test]
    fn extracts_examples_and_markers() {
        let body = "text\n```dockerfile bad\nFROM a\nFROM b:latest  # ← flagged\n```\n\n```compose good\nservices: {}\n```\n```sh\necho # ← not an example\n```\n";
        let ex = examples(body);
        assert_eq!(ex.len(), 2);
        assert!(ex[0].bad);
        assert_eq!(ex[0].kind, FileKind::Dockerfile);
        assert_eq!(ex[0].text, "FROM a\nFROM b:latest\n");
        assert_eq!(ex[0].flagged_lines, vec![2]);
        assert!(!ex[1].bad);
        assert_eq!(ex[1].kind, FileKind::Compose);
        assert!(ex[1].flagged_lines.is_empty());
        assert_eq!((&ex[0].config, &ex[0].lock), (&None, &None));
    }

    #[test]
    fn setup_blocks_apply_to_the_examples_after_them() {
        let body = "```dockerfile good\nFROM a\n```\n```toml plimsoll.toml\nselect = [\"x\"]\n```\n```toml plimsoll.lock\n[a]\n```\n```dockerfile bad\nFROM a  # ←\n```\n";
        let ex = examples(body);
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].config, None);
        assert_eq!(ex[1].config.as_deref(), Some("select = [\"x\"]\n"));
        assert_eq!(ex[1].lock.as_deref(), Some("[a]\n"));
        let body = "```text served https://e.x/a\nabc\n```\n```dockerfile good\nFROM a\n```\n";
        let ex = examples(body);
        assert_eq!(
            ex[0].served,
            [("https://e.x/a".to_string(), "abc\n".to_string())]
        );
    }

    #[test]
    fn selectors_resolve_by_code_name_alias_category_family_prefix() {
        let ids = |s: &str| resolve(s).iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(RuleId::LatestTag.code()), [RuleId::LatestTag]);
        assert_eq!(ids("pl101"), [RuleId::LatestTag]);
        assert_eq!(ids("latest-tag"), [RuleId::LatestTag]);
        assert_eq!(ids("DL3007"), [RuleId::LatestTag]);
        assert!(ids("PL1").len() >= 2);
        assert!(resolve("PL1").iter().all(|r| r.code.starts_with("PL1")));
        assert!(ids("split-run").contains(&RuleId::SplitRun));
        assert_eq!(ids("ALL").len(), all().len());
        assert!(ids("no-such-rule").is_empty());
        assert!(
            ids("root").len() >= 2,
            "name prefix selects root-user rules"
        );
        assert_eq!(lookup("dl3002").map(|r| r.id), Some(RuleId::RootUser));
        let security = resolve("security");
        assert!(security.iter().any(|r| r.id == RuleId::SecretToken));
        assert!(security.iter().all(|r| r.category == Category::Security));
        let image = ids("image");
        assert!(image.contains(&RuleId::LatestTag) && image.contains(&RuleId::UnpinnedDigest));
        assert!(!image.contains(&RuleId::RootUser));
    }

    #[test]
    fn a_moved_rule_keeps_its_former_code() {
        let moved = RuleId::MaintainerDeprecated;
        assert_eq!(ids_of("PL010"), [moved]);
        assert_eq!(current_code("PL010"), Some(moved.code()));
        assert_eq!(current_code(moved.code()), Some(moved.code()));
        assert_eq!(current_code("PL000"), None);
        assert!(moved.meta().family.owns(moved.code()));
        assert!(!moved.meta().family.owns("PL010"));
    }

    #[test]
    fn foreign_codes_belong_to_their_rule() {
        let (code, rule) = foreign_code("sc2086").unwrap();
        assert_eq!((code, rule), ("SC2086", RuleId::Shellcheck));
        assert!(
            std::ptr::eq(code, foreign_code("SC2086").unwrap().0),
            "interned once"
        );
        for not in ["SC208", "SC20866", "SC0123", "SCabcd", "XX2086", "SC"] {
            assert_eq!(foreign_code(not), None, "{not}");
        }
        assert_eq!(rule_of("SC1091").map(|m| m.id), Some(RuleId::Shellcheck));
        assert_eq!(
            rule_of(RuleId::LatestTag.code()).map(|m| m.id),
            Some(RuleId::LatestTag)
        );
        assert!(
            rule_of("DL3007").is_none(),
            "an alias is not a finding code"
        );
        assert_eq!(
            code_doc_url("sc2086").as_deref(),
            Some("https://www.shellcheck.net/wiki/SC2086")
        );
        assert_eq!(ids_of("SC2046"), [RuleId::Shellcheck]);
        assert_eq!(lookup("SC2046").map(|m| m.id), Some(RuleId::Shellcheck));
        assert_eq!(check_selector("SC2046"), SelectorCheck::Ok);
    }

    fn ids_of(s: &str) -> Vec<RuleId> {
        resolve(s).iter().map(|r| r.id).collect()
    }

    #[test]
    fn unknown_selectors_get_a_suggestion() {
        assert_eq!(check_selector("latest-tag"), SelectorCheck::Ok);
        assert_eq!(check_selector("security"), SelectorCheck::Ok);
        assert_eq!(
            check_selector("latset-tag"),
            SelectorCheck::Unknown {
                suggestion: Some("latest-tag")
            }
        );
        assert_eq!(
            check_selector("secrte"),
            SelectorCheck::Unknown {
                suggestion: Some("secret")
            }
        );
        assert_eq!(
            check_selector("nonsense"),
            SelectorCheck::Unknown { suggestion: None }
        );
        assert_eq!(closest("chekc", ["check", "pin", "rules"]), Some("check"));
        assert_eq!(closest("xyz", ["check"]), None);
    }
}

//! The rule catalog: metadata parsed from each rule's embedded page (`rules/<name>.md`), lookups
//! by code, name or alias, and the bad/good examples the catalog test runs.
//!
//! Page format (documented for authors in `rules/README.md`): TOML front matter between two
//! `+++` lines, then Markdown. Fenced blocks whose info string is `<kind> bad` or `<kind> good`
//! (kind `dockerfile` or `compose`) are examples; in a bad one, each line ending with a
//! `# ←` marker (optionally followed by words) must be flagged by the rule.

use super::Rule;
use super::front_matter;
use crate::finding::Severity;
use crate::source::FileKind;
use std::sync::OnceLock;

/// A rule's metadata, from its catalog page.
pub struct RuleMeta {
    /// Stable code, e.g. `PL101`.
    pub code: String,
    /// Kebab-case name, e.g. `latest-tag`.
    pub name: String,
    pub severity: Severity,
    pub file_kinds: Vec<FileKind>,
    /// Whether the rule can offer a fix (safe or unsafe).
    pub fixable: bool,
    /// Whether the rule runs when the configuration selects nothing explicitly.
    pub default_enabled: bool,
    /// Equivalent hadolint codes (`DL3007`) and BuildKit check names.
    pub aliases: Vec<String>,
    /// One line saying what the rule flags.
    pub summary: String,
    /// The page's Markdown after the front matter.
    pub body: &'static str,
    /// The rule's implementation.
    pub rule: &'static dyn Rule,
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

    /// The bad and good examples on the rule's page.
    pub fn examples(&self) -> Vec<Example> {
        examples(self.body)
    }
}

/// A page's metadata as the build script parsed it (`build.rs`).
struct Page<'a> {
    doc: &'static str,
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    file_kinds: &'a [&'a str],
    fixable: bool,
    default_enabled: bool,
    aliases: &'a [&'a str],
    summary: &'a str,
}

mod pages {
    use super::Page;
    include!(concat!(env!("OUT_DIR"), "/catalog_pages.rs"));
}

/// Parses a catalog page into its metadata.
pub fn parse_page(doc: &'static str, rule: &'static dyn Rule) -> Result<RuleMeta, String> {
    let (front, body) = front_matter::split(doc)?;
    let fm = front_matter::parse(front)?;
    let kinds: Vec<&str> = fm.file_kinds.iter().map(String::as_str).collect();
    let aliases: Vec<&str> = fm.aliases.iter().map(String::as_str).collect();
    let page = Page {
        doc,
        code: &fm.code,
        name: &fm.name,
        severity: &fm.severity,
        file_kinds: &kinds,
        fixable: fm.fixable,
        default_enabled: fm.default,
        aliases: &aliases,
        summary: &fm.summary,
    };
    meta(&page, body, rule)
}

/// The metadata of a page parsed at build time; `None` for a page `rules/` does not hold.
fn prebuilt(doc: &'static str, rule: &'static dyn Rule) -> Option<Result<RuleMeta, String>> {
    let page = pages::PAGES.iter().find(|p| p.doc == doc)?;
    let body = front_matter::split(doc).map(|(_, body)| body).unwrap_or("");
    Some(meta(page, body, rule))
}

fn meta(page: &Page<'_>, body: &'static str, rule: &'static dyn Rule) -> Result<RuleMeta, String> {
    let severity = Severity::parse(page.severity)
        .ok_or_else(|| format!("bad severity {:?}", page.severity))?;
    let file_kinds = page
        .file_kinds
        .iter()
        .map(|k| FileKind::parse(k).ok_or_else(|| format!("bad file kind {k:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RuleMeta {
        code: page.code.to_string(),
        name: page.name.to_string(),
        severity,
        file_kinds,
        fixable: page.fixable,
        default_enabled: page.default_enabled,
        aliases: page.aliases.iter().map(|a| a.to_string()).collect(),
        summary: page.summary.to_string(),
        body,
        rule,
    })
}

struct Catalog {
    rules: Vec<RuleMeta>,
    errors: Vec<String>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for rule in super::builtin() {
            match prebuilt(rule.doc(), rule).unwrap_or_else(|| parse_page(rule.doc(), rule)) {
                Ok(meta) => rules.push(meta),
                Err(e) => {
                    let head: String = rule.doc().lines().take(3).collect::<Vec<_>>().join(" ");
                    errors.push(format!("{head}: {e}"));
                }
            }
        }
        rules.sort_by(|a, b| a.code.cmp(&b.code));
        for pair in rules.windows(2) {
            if pair[0].code == pair[1].code || pair[0].name == pair[1].name {
                errors.push(format!(
                    "duplicate rule {} / {}",
                    pair[0].code, pair[1].code
                ));
            }
        }
        Catalog { rules, errors }
    })
}

/// Every rule, sorted by code.
/// Where rule pages (`rules/<name>.md`) are published, for help links in reports and editors.
pub const DOCS_BASE: &str = "https://github.com/plimsoll/plimsoll/blob/main/rules";

/// The published documentation page of the rule named `name`.
pub fn doc_url(name: &str) -> String {
    format!("{DOCS_BASE}/{name}.md")
}

pub fn all() -> &'static [RuleMeta] {
    &catalog().rules
}

/// Problems found while loading the embedded pages (the catalog test requires none).
pub fn load_errors() -> &'static [String] {
    &catalog().errors
}

/// The rule with this exact code.
pub fn by_code(code: &str) -> Option<&'static RuleMeta> {
    all().iter().find(|r| r.code == code)
}

/// The one rule a selector names (code, name or alias, case-insensitive), for `explain`.
/// An alias shared by several rules returns the first by code.
pub fn lookup(selector: &str) -> Option<&'static RuleMeta> {
    let s = selector.trim();
    all().iter().find(|r| {
        r.code.eq_ignore_ascii_case(s)
            || r.name.eq_ignore_ascii_case(s)
            || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(s))
    })
}

/// The rules a selector names: `ALL`; a code (`PL101`) or code prefix (`PL1`, `PL10`); a name
/// (`latest-tag`) or alias (`DL3007`, a BuildKit check name); or, when no name matches exactly,
/// a family prefix (`secret` selects every `secret-…` rule). Case-insensitive; empty when
/// nothing matches.
pub fn resolve(selector: &str) -> Vec<&'static RuleMeta> {
    let s = selector.trim();
    if s.eq_ignore_ascii_case("ALL") {
        return all().iter().collect();
    }
    let is_code_prefix = s.len() >= 2
        && s.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("PL"))
        && s.bytes().skip(2).all(|b| b.is_ascii_digit());
    if is_code_prefix {
        let upper = s.to_ascii_uppercase();
        return all()
            .iter()
            .filter(|r| r.code.starts_with(&upper))
            .collect();
    }
    let exact: Vec<_> = all()
        .iter()
        .filter(|r| {
            r.name.eq_ignore_ascii_case(s) || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(s))
        })
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    let lower = s.to_ascii_lowercase();
    let family = format!("{}-", lower.trim_end_matches(['-', '*']));
    all()
        .iter()
        .filter(|r| r.name.starts_with(&family))
        .collect()
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
    /// 1-based line of the opening fence on the page, for messages.
    pub page_line: usize,
}

/// The marker that ends a line a bad example must be flagged on.
pub const FLAG_MARKER: &str = "# ←";

/// Extracts the examples from a page body.
pub fn examples(body: &str) -> Vec<Example> {
    let mut out = Vec::new();
    // Inside a fence: `Some(example)` for an example block, `None` for any other code block.
    let mut fence: Option<Option<Example>> = None;
    for (i, line) in body.lines().enumerate() {
        let trimmed = line.trim_end();
        let is_fence = trimmed.trim_start().starts_with("```");
        match fence.take() {
            Some(Some(ex)) if is_fence => out.push(ex),
            Some(None) if is_fence => {}
            Some(None) => fence = Some(None),
            Some(Some(mut ex)) => {
                let mut text = trimmed;
                if let Some(at) = trimmed.rfind(FLAG_MARKER) {
                    text = trimmed.get(..at).unwrap_or("").trim_end();
                    ex.flagged_lines.push(ex.text.lines().count() as u32 + 1);
                }
                ex.text.push_str(text);
                ex.text.push('\n');
                fence = Some(Some(ex));
            }
            None if is_fence => {
                let info = trimmed.trim_start().trim_start_matches('`');
                let mut words = info.split_whitespace();
                let kind = words.next().and_then(FileKind::parse);
                let verdict = words.next();
                fence = Some(match (kind, verdict) {
                    (Some(kind), Some(v @ ("bad" | "good"))) => Some(Example {
                        kind,
                        bad: v == "bad",
                        text: String::new(),
                        flagged_lines: Vec::new(),
                        page_line: i + 1,
                    }),
                    _ => None,
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
    fn build_time_pages_match_run_time_parsing() {
        for rule in crate::rules::builtin() {
            let Some(Ok(built)) = prebuilt(rule.doc(), rule) else {
                panic!("no build-time page for {:?}", rule.doc().lines().nth(1));
            };
            let parsed = parse_page(rule.doc(), rule).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                (&built.code, &built.name, built.severity, &built.file_kinds),
                (
                    &parsed.code,
                    &parsed.name,
                    parsed.severity,
                    &parsed.file_kinds
                )
            );
            assert_eq!(
                (
                    built.fixable,
                    built.default_enabled,
                    &built.aliases,
                    &built.summary
                ),
                (
                    parsed.fixable,
                    parsed.default_enabled,
                    &parsed.aliases,
                    &parsed.summary
                )
            );
            assert_eq!(built.body, parsed.body);
        }
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
    }

    #[test]
    fn catalog_loads_without_errors() {
        assert_eq!(load_errors(), &[] as &[String]);
        assert!(!all().is_empty());
    }

    #[test]
    fn selectors_resolve_by_code_name_alias_prefix() {
        let codes = |s: &str| {
            resolve(s)
                .iter()
                .map(|r| r.code.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(codes("PL101"), ["PL101"]);
        assert_eq!(codes("pl101"), ["PL101"]);
        assert_eq!(codes("latest-tag"), ["PL101"]);
        assert_eq!(codes("DL3007"), ["PL101"]);
        assert!(codes("PL1").len() >= 2);
        assert!(codes("PL1").iter().all(|c| c.starts_with("PL1")));
        assert!(codes("split-run").contains(&"PL301"));
        assert_eq!(codes("ALL").len(), all().len());
        assert!(codes("no-such-rule").is_empty());
        assert!(
            codes("root").len() >= 2,
            "family prefix selects root-user rules"
        );
        assert_eq!(lookup("dl3002").map(|r| r.code.as_str()), Some("PL201"));
    }
}

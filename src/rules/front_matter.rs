//! A rule page's front matter (TOML between two `+++` lines) and the families table
//! (`rules/families.toml`), split and parsed.
//!
//! Only the build script compiles this module (`build.rs` includes it by path): it reads every
//! page at compile time, so a run never parses TOML, and a malformed page fails the build with
//! its file name. The library sees the result as generated code (`src/rules/registry.rs`).
//! Depends on serde and toml only.

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub code: String,
    pub name: String,
    pub severity: String,
    pub file_kinds: Vec<String>,
    #[serde(default)]
    pub fixable: bool,
    #[serde(default = "yes")]
    pub default: bool,
    /// The ids of the equivalent checks of other tools, and former codes of this rule.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// One of [`CATEGORIES`]; the family's category when absent.
    pub category: Option<String>,
    /// One of [`LIFECYCLES`]; `stable` when absent.
    #[serde(default = "stable")]
    pub lifecycle: String,
    /// For a deprecated or removed rule: the rule to use instead (its name).
    pub replaced_by: Option<String>,
    /// Rules (by name) whose finding on the very token this rule flags says less than this
    /// rule's: the output shows one finding, this rule's, carrying the other as a note.
    #[serde(default)]
    pub covers: Vec<String>,
    pub summary: String,
}

/// The categories a rule can have; each is also a selector (`--select security`).
pub const CATEGORIES: [&str; 6] = [
    "security",
    "reproducibility",
    "image-size",
    "correctness",
    "maintainability",
    "style",
];

/// A rule's lifecycle: `preview` rules run only in preview mode, `deprecated` ones still run
/// (selecting them warns), `removed` ones have a page and no implementation (selecting them is
/// an error that names `replaced_by`).
pub const LIFECYCLES: [&str; 4] = ["stable", "preview", "deprecated", "removed"];

fn yes() -> bool {
    true
}

fn stable() -> String {
    "stable".to_string()
}

/// Splits a page into its front matter and the Markdown body after it; the body's byte offset
/// in the page is returned with it.
pub fn split(doc: &str) -> Result<(&str, &str, usize), String> {
    let rest = doc
        .strip_prefix("+++\n")
        .or_else(|| doc.strip_prefix("+++\r\n"))
        .ok_or("the page does not start with a `+++` line")?;
    let end = rest
        .find("\n+++")
        .ok_or("the front matter has no closing `+++` line")?;
    let front = rest.get(..end + 1).unwrap_or("");
    let after = rest.get(end + 4..).unwrap_or("");
    let body = after.trim_start_matches(['\r', '\n']);
    Ok((front, body, doc.len() - body.len()))
}

/// Parses front matter and checks what a page can check alone: the name (kebab-case), the code
/// (`PLnnn`), the category and the lifecycle. Severity and file kinds are checked against the
/// library's types by the generated code, and the family's code range by the build script.
pub fn parse(front: &str) -> Result<FrontMatter, String> {
    let fm: FrontMatter = toml::from_str(front).map_err(|e| e.to_string())?;
    if !is_kebab(&fm.name) {
        return Err(format!("name {:?} is not kebab-case", fm.name));
    }
    if code_number(&fm.code).is_none() {
        return Err(format!("code {:?} is not PLnnn", fm.code));
    }
    if let Some(c) = &fm.category
        && !CATEGORIES.contains(&c.as_str())
    {
        return Err(format!("category {c:?} is not one of {CATEGORIES:?}"));
    }
    if !LIFECYCLES.contains(&fm.lifecycle.as_str()) {
        return Err(format!(
            "lifecycle {:?} is not one of {LIFECYCLES:?}",
            fm.lifecycle
        ));
    }
    let replaceable = matches!(fm.lifecycle.as_str(), "deprecated" | "removed");
    if fm.replaced_by.is_some() && !replaceable {
        return Err("`replaced_by` is for deprecated and removed rules".into());
    }
    if fm.lifecycle == "removed" && fm.replaced_by.is_none() {
        return Err("a removed rule names its replacement in `replaced_by`".into());
    }
    Ok(fm)
}

/// The number of a code `PLnnn`.
pub fn code_number(code: &str) -> Option<u16> {
    let digits = code.strip_prefix("PL")?;
    if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

pub fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `rules/families.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Families {
    pub family: Vec<FamilyEntry>,
}

/// One row of the families table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyEntry {
    pub name: String,
    pub module: String,
    /// First and last code, inclusive.
    pub codes: [String; 2],
    pub category: String,
    pub security: bool,
    #[serde(default)]
    pub engine: bool,
    pub summary: String,
}

/// Parses the families table and checks it: names, modules, categories, and code ranges that
/// are well formed and do not overlap.
pub fn parse_families(text: &str) -> Result<Families, String> {
    let families: Families = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut ranges = Vec::new();
    for f in &families.family {
        if !is_kebab(&f.name) || f.module != f.name.replace('-', "_") {
            return Err(format!(
                "family {:?}: the name must be kebab-case and the module the same in snake_case",
                f.name
            ));
        }
        if !CATEGORIES.contains(&f.category.as_str()) {
            return Err(format!(
                "family {:?}: category {:?} is unknown",
                f.name, f.category
            ));
        }
        let (Some(lo), Some(hi)) = (code_number(&f.codes[0]), code_number(&f.codes[1])) else {
            return Err(format!("family {:?}: codes must be PLnnn", f.name));
        };
        if lo > hi {
            return Err(format!("family {:?}: the code range is empty", f.name));
        }
        ranges.push((lo, hi, f.name.as_str()));
    }
    ranges.sort();
    for pair in ranges.windows(2) {
        if let [(_, hi, a), (lo, _, b)] = pair
            && lo <= hi
        {
            return Err(format!("families {a:?} and {b:?} share codes"));
        }
    }
    Ok(families)
}

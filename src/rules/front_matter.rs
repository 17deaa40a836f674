//! A rule page's front matter (TOML between two `+++` lines), split and parsed.
//!
//! Shared by the build script, which parses every page in `rules/` at compile time (so a run
//! does not spend a quarter of a one-file lint parsing TOML, and a malformed page fails the
//! build), and by the library, for pages it meets at run time. Depends on serde and toml only.

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
    #[serde(default)]
    pub aliases: Vec<String>,
    pub summary: String,
}

fn yes() -> bool {
    true
}

/// Splits a page into its front matter and the Markdown body after it.
pub fn split(doc: &str) -> Result<(&str, &str), String> {
    let rest = doc
        .strip_prefix("+++\n")
        .or_else(|| doc.strip_prefix("+++\r\n"))
        .ok_or("the page does not start with a `+++` line")?;
    let end = rest
        .find("\n+++")
        .ok_or("the front matter has no closing `+++` line")?;
    let front = rest.get(..end + 1).unwrap_or("");
    let body = rest.get(end + 4..).unwrap_or("");
    Ok((front, body.trim_start_matches(['\r', '\n'])))
}

/// Parses front matter and checks the name (kebab-case) and code (`PLnnn`). Severity and file
/// kinds are checked by the library, which owns those types.
pub fn parse(front: &str) -> Result<FrontMatter, String> {
    let fm: FrontMatter = toml::from_str(front).map_err(|e| e.to_string())?;
    let valid_name = !fm.name.is_empty()
        && fm
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid_name {
        return Err(format!("name {:?} is not kebab-case", fm.name));
    }
    let valid_code = fm.code.len() == 5
        && fm.code.starts_with("PL")
        && fm.code.bytes().skip(2).all(|b| b.is_ascii_digit());
    if !valid_code {
        return Err(format!("code {:?} is not PLnnn", fm.code));
    }
    Ok(fm)
}

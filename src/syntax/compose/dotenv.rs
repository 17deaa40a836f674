//! `.env` files as compose reads them: `KEY=VALUE` lines, optional `export `, `#` comments,
//! single quotes (literal), double quotes (escapes, may span lines), and `${VAR}` in unquoted and
//! double-quoted values resolved against earlier entries and the environment.
//!
//! A value may use the ones before it, so `A1=${A0}${A0}`, `A2=${A1}${A1}`, … doubles per line;
//! [`parse_within`] bounds the bytes the values may take together and stops expanding past it.

use super::interpolate::interpolate_within;
use std::collections::HashMap;

/// A `.env` file read: its variables, and where expansion stopped if it did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DotEnv {
    /// `(name, value)` in the order first defined; the last definition of a name wins.
    pub vars: Vec<(String, String)>,
    /// The 1-based line whose value took the values past the budget. From there on, a value
    /// that needs expansion is left out (unknown), so it reads as unset.
    pub stopped_at: Option<usize>,
}

/// The bytes a `.env` file's values may take together: a fixed allowance plus a multiple of
/// the file's size (real files are far below it).
pub fn budget_for(text: &str) -> usize {
    (1 << 20) + 4 * text.len()
}

/// Parses `.env` text into `(name, value)` pairs in file order. `outer` looks variables up in the
/// process environment for interpolation. Malformed lines are skipped.
pub fn parse(text: &str, outer: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    parse_within(text, outer, budget_for(text)).vars
}

/// [`parse`] with the values' total size bounded by `budget` bytes.
pub fn parse_within(text: &str, outer: &dyn Fn(&str) -> Option<String>, budget: usize) -> DotEnv {
    let mut out: Vec<(String, String)> = Vec::new();
    // Where each name is in `out`, so a redefinition and a lookup cost the same on a long file.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut left = budget;
    let mut stopped_at = None;
    let mut rest = text;
    // The line `rest` starts on, counted as the text is consumed (never from the start again).
    let (mut line_no, mut counted) = (1usize, 0usize);
    while !rest.is_empty() {
        let pos = text.len() - rest.len();
        line_no += memchr::memchr_iter(b'\n', &text.as_bytes()[counted..pos]).count();
        counted = pos;
        let (line, after) = split_line(rest);
        rest = after;
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some(eq) = line.find('=') else {
            continue;
        };
        let name = line[..eq].trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            continue;
        }
        let value_text = line[eq + 1..].trim_start_matches([' ', '\t']);
        let value = if let Some(body) = value_text.strip_prefix('\'') {
            let (v, consumed_rest) = quoted(body, rest, '\'');
            rest = consumed_rest;
            Some(v)
        } else if let Some(body) = value_text.strip_prefix('"') {
            let (v, consumed_rest) = quoted(body, rest, '"');
            rest = consumed_rest;
            let v = unescape(&v);
            resolve(&v, &out, &index, outer, &mut left)
        } else {
            // An unquoted value ends at ` #`.
            let v = match value_text.find(" #").or_else(|| value_text.find("\t#")) {
                Some(i) => &value_text[..i],
                None => value_text,
            };
            resolve(v.trim_end(), &out, &index, outer, &mut left)
        };
        let Some(value) = value else {
            stopped_at.get_or_insert(line_no);
            continue;
        };
        match index.get(name) {
            Some(&i) => out[i].1 = value,
            None => {
                index.insert(name.to_string(), out.len());
                out.push((name.to_string(), value));
            }
        }
    }
    DotEnv {
        vars: out,
        stopped_at,
    }
}

fn split_line(s: &str) -> (&str, &str) {
    match s.find('\n') {
        Some(i) => (s[..i].trim_end_matches('\r'), &s[i + 1..]),
        None => (s.trim_end_matches('\r'), ""),
    }
}

/// Reads a quoted value that may continue over the following lines; returns it and the text after
/// the line holding the closing quote.
fn quoted<'a>(body: &str, rest: &'a str, q: char) -> (String, &'a str) {
    if let Some(end) = find_close(body, q) {
        return (body[..end].to_string(), rest);
    }
    let mut value = body.to_string();
    let mut rest = rest;
    while !rest.is_empty() {
        let (line, after) = split_line(rest);
        rest = after;
        value.push('\n');
        if let Some(end) = find_close(line, q) {
            value.push_str(&line[..end]);
            return (value, rest);
        }
        value.push_str(line);
    }
    (value, rest)
}

fn find_close(s: &str, q: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if q == '"' && c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        if c == q && !escaped {
            return Some(i);
        }
        escaped = false;
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

/// `v` interpolated against the process environment, then the values before it; `None` when
/// that would take the values past what is `left` of the budget (charged otherwise).
fn resolve(
    v: &str,
    earlier: &[(String, String)],
    index: &HashMap<String, usize>,
    outer: &dyn Fn(&str) -> Option<String>,
    left: &mut usize,
) -> Option<String> {
    if *left == 0 && v.contains('$') {
        return None;
    }
    let lookup = |n: &str| {
        outer(n).or_else(|| {
            index
                .get(n)
                .and_then(|&i| earlier.get(i))
                .map(|(_, v)| v.clone())
        })
    };
    let r = interpolate_within(v, &lookup, *left);
    if r.exhausted {
        *left = 0;
        return None;
    }
    *left = left.saturating_sub(r.value.len());
    Some(r.value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dotenv_forms() {
        let text = "# c\nA=1\nexport B = two\nC='lit $A'\nD=\"x\\ny $A\"\nE=val # comment\nF=${A}-${NOPE:-d}\nG=\"multi\nline\"\nbad line\nA=again\r\n";
        let got = parse(text, &|n| (n == "OUT").then(|| "o".to_string()));
        let get = |k: &str| got.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("A"), Some("again"));
        assert_eq!(get("B"), Some("two"));
        assert_eq!(get("C"), Some("lit $A"));
        assert_eq!(get("D"), Some("x\ny 1"));
        assert_eq!(get("E"), Some("val"));
        assert_eq!(get("F"), Some("1-d"));
        assert_eq!(get("G"), Some("multi\nline"));
        assert_eq!(got.len(), 7);
    }

    #[test]
    fn doubling_values_stop_at_the_budget() {
        let mut text = String::from("A0=x\n");
        for i in 1..64 {
            text.push_str(&format!("A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
        }
        text.push_str("PLAIN=kept\n");
        let env = parse_within(&text, &|_| None, 1 << 16);
        let total: usize = env.vars.iter().map(|(_, v)| v.len()).sum();
        // Values that need no expansion are taken whole: the budget is exceeded by at most them.
        assert!(total <= (1 << 16) + text.len(), "{total}");
        let at = env.stopped_at.expect("stopped");
        assert!((15..20).contains(&at), "{at}");
        assert!(env.vars.iter().any(|(k, v)| k == "PLAIN" && v == "kept"));
        assert!(!env.vars.iter().any(|(k, _)| k == "A40"));
    }
}

//! `.env` files as compose reads them: `KEY=VALUE` lines, optional `export `, `#` comments,
//! single quotes (literal), double quotes (escapes, may span lines), and `${VAR}` in unquoted and
//! double-quoted values resolved against earlier entries and the environment.

use super::interpolate::interpolate;

/// Parses `.env` text into `(name, value)` pairs in file order. `outer` looks variables up in the
/// process environment for interpolation. Malformed lines are skipped.
pub fn parse(text: &str, outer: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
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
            v
        } else if let Some(body) = value_text.strip_prefix('"') {
            let (v, consumed_rest) = quoted(body, rest, '"');
            rest = consumed_rest;
            let v = unescape(&v);
            resolve(&v, &out, outer)
        } else {
            // An unquoted value ends at ` #`.
            let v = match value_text.find(" #").or_else(|| value_text.find("\t#")) {
                Some(i) => &value_text[..i],
                None => value_text,
            };
            resolve(v.trim_end(), &out, outer)
        };
        out.retain(|(n, _)| n != name);
        out.push((name.to_string(), value));
    }
    out
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

fn resolve(
    v: &str,
    earlier: &[(String, String)],
    outer: &dyn Fn(&str) -> Option<String>,
) -> String {
    let lookup = |n: &str| {
        outer(n).or_else(|| {
            earlier
                .iter()
                .rev()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
        })
    };
    interpolate(v, &lookup).value.into_owned()
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
}

//! Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`,
//! `${VAR?e}`, `${VAR:+a}`, `${VAR+a}`, nesting inside the words, and `$$` for a literal `$`.

use std::borrow::Cow;
use std::collections::HashMap;

/// Variables for interpolation: the process environment (passed in explicitly, so results do
/// not depend on the machine) over the `.env` file beside the compose file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Env {
    /// Process environment; wins over `dotenv`.
    pub vars: HashMap<String, String>,
    /// Values read from `.env`.
    pub dotenv: HashMap<String, String>,
}

impl Env {
    pub fn new() -> Env {
        Env::default()
    }

    /// The current process environment (for the CLI; tests build their own).
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars().collect(),
            dotenv: HashMap::new(),
        }
    }

    pub fn with_var(mut self, name: &str, value: &str) -> Env {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }

    /// Whether variables come from an environment as well as `.env` (not so for the library's
    /// default, nor under `--ignore-env`): only then does a variable missing from both say
    /// something about the machine compose will run on.
    pub fn has_process_environment(&self) -> bool {
        !self.vars.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .or_else(|| self.dotenv.get(name))
            .map(String::as_str)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A variable with no value and no default: it became "".
    Unset { name: String },
    /// `${VAR:?message}` / `${VAR?message}` with VAR missing: compose refuses the file.
    Required { name: String, message: String },
    /// `${` without a closing `}` or with a bad variable name.
    Invalid { reason: String },
}

/// A problem at a byte range of the raw text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub start: usize,
    pub end: usize,
}

/// The resolved text and problems met while resolving it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpolated<'a> {
    pub value: Cow<'a, str>,
    pub problems: Vec<Problem>,
}

/// Nested `${..}` inside defaults deeper than this are kept literal.
const MAX_NESTING: usize = 16;

/// Resolves `raw` against `lookup`. Never fails: problems are reported alongside a best-effort
/// value (an unset variable reads as its default, or "").
pub fn interpolate<'a>(raw: &'a str, lookup: &dyn Fn(&str) -> Option<String>) -> Interpolated<'a> {
    if !raw.contains('$') {
        return Interpolated {
            value: Cow::Borrowed(raw),
            problems: Vec::new(),
        };
    }
    let mut out = String::with_capacity(raw.len());
    let mut problems = Vec::new();
    expand(raw, 0, lookup, 0, &mut out, &mut problems);
    Interpolated {
        value: Cow::Owned(out),
        problems,
    }
}

/// Whether a text names a variable (so rules can tell `image: ${IMAGE}` from a literal).
pub fn has_variables(raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            match b.get(i + 1) {
                Some(b'$') => i += 2,
                Some(c) if *c == b'{' || c.is_ascii_alphabetic() || *c == b'_' => return true,
                _ => i += 1,
            }
        } else {
            i += 1;
        }
    }
    false
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Byte index of the `}` closing a `${` whose body starts at `from` (nested `${` counted).
fn closing_brace(s: &str, from: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'$' if b.get(i + 1) == Some(&b'$') => i += 1,
            b'$' if b.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn expand(
    s: &str,
    base: usize,
    lookup: &dyn Fn(&str) -> Option<String>,
    depth: usize,
    out: &mut String,
    problems: &mut Vec<Problem>,
) {
    let b = s.as_bytes();
    let mut i = 0;
    let mut lit = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        out.push_str(s.get(lit..i).unwrap_or(""));
        match b.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(&c) if is_name_start(c) => {
                let mut j = i + 1;
                while j < b.len() && is_name(b[j]) {
                    j += 1;
                }
                let name = s.get(i + 1..j).unwrap_or("");
                match lookup(name) {
                    Some(v) => out.push_str(&v),
                    None => problems.push(Problem {
                        kind: ProblemKind::Unset {
                            name: name.to_string(),
                        },
                        start: base + i,
                        end: base + j,
                    }),
                }
                i = j;
            }
            Some(b'{') => {
                let body = i + 2;
                let Some(close) = closing_brace(s, body) else {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid {
                            reason: "`${` has no closing `}`".to_string(),
                        },
                        start: base + i,
                        end: base + s.len(),
                    });
                    out.push_str(s.get(i..).unwrap_or(""));
                    return;
                };
                let start = base + i;
                let end = base + close + 1;
                braced(
                    s.get(body..close).unwrap_or(""),
                    base + body,
                    (start, end),
                    lookup,
                    depth,
                    out,
                    problems,
                );
                i = close + 1;
            }
            // A lone `$` (before a digit, space, end...) stays literal.
            _ => {
                out.push('$');
                i += 1;
            }
        }
        lit = i;
    }
    out.push_str(s.get(lit..).unwrap_or(""));
}

fn braced(
    body: &str,
    body_base: usize,
    (start, end): (usize, usize),
    lookup: &dyn Fn(&str) -> Option<String>,
    depth: usize,
    out: &mut String,
    problems: &mut Vec<Problem>,
) {
    let b = body.as_bytes();
    let mut n = 0;
    while n < b.len() && is_name(b[n]) {
        n += 1;
    }
    let name = body.get(..n).unwrap_or("");
    let rest = body.get(n..).unwrap_or("");
    let invalid = |problems: &mut Vec<Problem>, out: &mut String, reason: String| {
        problems.push(Problem {
            kind: ProblemKind::Invalid { reason },
            start,
            end,
        });
        out.push_str("${");
        out.push_str(body);
        out.push('}');
    };
    if name.is_empty() || !is_name_start(b[0]) {
        invalid(
            problems,
            out,
            format!("`${{{body}}}` does not name a variable"),
        );
        return;
    }
    let (op, word_at) = if rest.is_empty() {
        ("", n)
    } else if let Some(op) = [":-", ":?", ":+"].into_iter().find(|o| rest.starts_with(o)) {
        (op, n + 2)
    } else if let Some(op) = ["-", "?", "+"].into_iter().find(|o| rest.starts_with(o)) {
        (op, n + 1)
    } else {
        invalid(
            problems,
            out,
            format!("`${{{body}}}` has an unknown operator"),
        );
        return;
    };
    let word = body.get(word_at..).unwrap_or("");
    let word_base = body_base + word_at;
    let value = lookup(name);
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    let word_value = |out: &mut String, problems: &mut Vec<Problem>| {
        if depth >= MAX_NESTING {
            out.push_str(word);
        } else {
            expand(word, word_base, lookup, depth + 1, out, problems);
        }
    };
    match op {
        "" => match value {
            Some(v) => out.push_str(&v),
            None => problems.push(Problem {
                kind: ProblemKind::Unset {
                    name: name.to_string(),
                },
                start,
                end,
            }),
        },
        ":-" | "-" => {
            let use_default = if op == ":-" { !non_empty } else { !set };
            if use_default {
                word_value(out, problems);
            } else if let Some(v) = value {
                out.push_str(&v);
            }
        }
        ":?" | "?" => {
            let missing = if op == ":?" { !non_empty } else { !set };
            if missing {
                let mut message = String::new();
                word_value(&mut message, problems);
                problems.push(Problem {
                    kind: ProblemKind::Required {
                        name: name.to_string(),
                        message,
                    },
                    start,
                    end,
                });
            } else if let Some(v) = value {
                out.push_str(&v);
            }
        }
        // ":+" | "+"
        _ => {
            let present = if op == ":+" { non_empty } else { set };
            if present {
                word_value(out, problems);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: &str) -> (String, Vec<Problem>) {
        let env = Env::new()
            .with_var("SET", "val")
            .with_var("EMPTY", "")
            .with_var("TAG", "1.2");
        let r = interpolate(raw, &|n| env.get(n).map(str::to_string));
        (r.value.into_owned(), r.problems)
    }

    #[test]
    fn forms_follow_the_spec() {
        let cases = [
            ("plain", "plain"),
            ("$SET", "val"),
            ("${SET}", "val"),
            ("a${SET}b$SET.c", "avalbval.c"),
            ("${UNSET:-d}", "d"),
            ("${EMPTY:-d}", "d"),
            ("${EMPTY-d}", ""),
            ("${UNSET-d}", "d"),
            ("${SET:-d}", "val"),
            ("${SET:+alt}", "alt"),
            ("${EMPTY:+alt}", ""),
            ("${EMPTY+alt}", "alt"),
            ("${UNSET+alt}", ""),
            ("$$SET", "$SET"),
            ("$${SET}", "${SET}"),
            ("${UNSET:-${TAG:-x}}", "1.2"),
            ("${UNSET:-${NOPE:-in}ner}", "inner"),
            ("cost $5", "cost $5"),
            ("${SET:?boom}", "val"),
            ("img:${TAG:-latest}", "img:1.2"),
        ];
        for (raw, want) in cases {
            let (got, problems) = run(raw);
            assert_eq!(got, want, "{raw}");
            assert!(problems.is_empty(), "{raw}: {problems:?}");
        }
    }

    #[test]
    fn problems_carry_offsets() {
        let (v, p) = run("x ${NOPE:?must be set} $MISSING");
        assert_eq!(v, "x  ");
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0].kind,
            ProblemKind::Required {
                name: "NOPE".into(),
                message: "must be set".into()
            }
        );
        assert_eq!((p[0].start, p[0].end), (2, 22));
        assert_eq!(
            p[1].kind,
            ProblemKind::Unset {
                name: "MISSING".into()
            }
        );
        assert_eq!((p[1].start, p[1].end), (23, 31));
        let (_, p) = run("${EMPTY?e}");
        assert!(p.is_empty());
        let (v, p) = run("a ${unclosed");
        assert_eq!(v, "a ${unclosed");
        assert!(matches!(p[0].kind, ProblemKind::Invalid { .. }));
        let (_, p) = run("${1X}");
        assert!(matches!(p[0].kind, ProblemKind::Invalid { .. }));
    }

    #[test]
    fn detects_variables() {
        assert!(has_variables("a${B}"));
        assert!(has_variables("$B"));
        assert!(!has_variables("$$B"));
        assert!(!has_variables("$5"));
    }
}

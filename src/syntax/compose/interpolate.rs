//! Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`,
//! `${VAR?e}`, `${VAR:+a}`, `${VAR+a}`, nesting inside the words, and `$$` for a literal `$`.
//!
//! A value can stand for far more than its text (`${A}` is as long as `A`, and an alias repeats
//! a value): [`interpolate_within`] stops once its output passes a limit and says so
//! ([`Interpolated::exhausted`]), so callers can bound a file's interpolation work.

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
    /// For an unset variable, how many more times the same text leaves it unset (reported
    /// once, not once per use: a value of two million `${A}` is one problem).
    pub more: usize,
}

/// The resolved text and problems met while resolving it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpolated<'a> {
    pub value: Cow<'a, str>,
    pub problems: Vec<Problem>,
    /// The output passed the limit: `value` is cut short and the problems may be incomplete.
    pub exhausted: bool,
}

/// Nested `${..}` inside defaults deeper than this are kept literal.
const MAX_NESTING: usize = 16;

/// The most a single [`interpolate`] call produces.
pub const DEFAULT_LIMIT: usize = 64 << 20;

/// Resolves `raw` against `lookup`. Never fails: problems are reported alongside a best-effort
/// value (an unset variable reads as its default, or ""). At most [`DEFAULT_LIMIT`] bytes.
pub fn interpolate<'a>(raw: &'a str, lookup: &dyn Fn(&str) -> Option<String>) -> Interpolated<'a> {
    interpolate_within(raw, lookup, DEFAULT_LIMIT)
}

/// [`interpolate`] producing at most about `limit` bytes: past it the result is cut short and
/// [`Interpolated::exhausted`] is set.
pub fn interpolate_within<'a>(
    raw: &'a str,
    lookup: &dyn Fn(&str) -> Option<String>,
    limit: usize,
) -> Interpolated<'a> {
    if !raw.contains('$') {
        return Interpolated {
            value: Cow::Borrowed(raw),
            problems: Vec::new(),
            exhausted: false,
        };
    }
    let mut run = Run {
        lookup,
        problems: Vec::new(),
        unset: HashMap::new(),
        limit,
        produced: 0,
        exhausted: false,
    };
    let mut out = String::with_capacity(raw.len().min(limit));
    expand(raw, 0, &mut run, 0, &mut out);
    Interpolated {
        value: Cow::Owned(out),
        problems: run.problems,
        exhausted: run.exhausted,
    }
}

/// One interpolation's state.
struct Run<'l> {
    lookup: &'l dyn Fn(&str) -> Option<String>,
    problems: Vec<Problem>,
    /// Unset variables already reported, by name: the index of their problem.
    unset: HashMap<String, usize>,
    limit: usize,
    /// Bytes produced so far (the result and required-variable messages).
    produced: usize,
    exhausted: bool,
}

impl Run<'_> {
    /// Whether `n` more bytes may be produced; once not, the run stops.
    fn allow(&mut self, n: usize) -> bool {
        self.produced = self.produced.saturating_add(n);
        if self.produced > self.limit {
            self.exhausted = true;
        }
        !self.exhausted
    }

    fn unset(&mut self, name: &str, start: usize, end: usize) {
        if let Some(&i) = self.unset.get(name) {
            if let Some(p) = self.problems.get_mut(i) {
                p.more += 1;
            }
            return;
        }
        self.unset.insert(name.to_string(), self.problems.len());
        self.problems.push(Problem {
            kind: ProblemKind::Unset {
                name: name.to_string(),
            },
            start,
            end,
            more: 0,
        });
    }

    fn problem(&mut self, kind: ProblemKind, start: usize, end: usize) {
        self.problems.push(Problem {
            kind,
            start,
            end,
            more: 0,
        });
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

fn expand(s: &str, base: usize, run: &mut Run<'_>, depth: usize, out: &mut String) {
    let b = s.as_bytes();
    let mut i = 0;
    let mut lit = 0;
    while i < b.len() {
        if run.exhausted {
            return;
        }
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let literal = s.get(lit..i).unwrap_or("");
        if !run.allow(literal.len()) {
            return;
        }
        out.push_str(literal);
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
                match (run.lookup)(name) {
                    Some(v) => {
                        if !run.allow(v.len()) {
                            return;
                        }
                        out.push_str(&v)
                    }
                    None => run.unset(name, base + i, base + j),
                }
                i = j;
            }
            Some(b'{') => {
                let body = i + 2;
                let Some(close) = closing_brace(s, body) else {
                    run.problem(
                        ProblemKind::Invalid {
                            reason: "`${` has no closing `}`".to_string(),
                        },
                        base + i,
                        base + s.len(),
                    );
                    let rest = s.get(i..).unwrap_or("");
                    if run.allow(rest.len()) {
                        out.push_str(rest);
                    }
                    return;
                };
                let start = base + i;
                let end = base + close + 1;
                braced(
                    s.get(body..close).unwrap_or(""),
                    base + body,
                    (start, end),
                    run,
                    depth,
                    out,
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
    let rest = s.get(lit..).unwrap_or("");
    if run.allow(rest.len()) {
        out.push_str(rest);
    }
}

fn braced(
    body: &str,
    body_base: usize,
    (start, end): (usize, usize),
    run: &mut Run<'_>,
    depth: usize,
    out: &mut String,
) {
    let b = body.as_bytes();
    let mut n = 0;
    while n < b.len() && is_name(b[n]) {
        n += 1;
    }
    let name = body.get(..n).unwrap_or("");
    let rest = body.get(n..).unwrap_or("");
    let invalid = |run: &mut Run<'_>, out: &mut String, reason: String| {
        run.problem(ProblemKind::Invalid { reason }, start, end);
        if run.allow(body.len() + 3) {
            out.push_str("${");
            out.push_str(body);
            out.push('}');
        }
    };
    if name.is_empty() || !is_name_start(b[0]) {
        invalid(run, out, format!("`${{{body}}}` does not name a variable"));
        return;
    }
    let (op, word_at) = if rest.is_empty() {
        ("", n)
    } else if let Some(op) = [":-", ":?", ":+"].into_iter().find(|o| rest.starts_with(o)) {
        (op, n + 2)
    } else if let Some(op) = ["-", "?", "+"].into_iter().find(|o| rest.starts_with(o)) {
        (op, n + 1)
    } else {
        invalid(run, out, format!("`${{{body}}}` has an unknown operator"));
        return;
    };
    let word = body.get(word_at..).unwrap_or("");
    let word_base = body_base + word_at;
    let value = (run.lookup)(name);
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    let word_value = |run: &mut Run<'_>, out: &mut String| {
        if depth >= MAX_NESTING {
            if run.allow(word.len()) {
                out.push_str(word);
            }
        } else {
            expand(word, word_base, run, depth + 1, out);
        }
    };
    let push_value = |run: &mut Run<'_>, out: &mut String, v: &str| {
        if run.allow(v.len()) {
            out.push_str(v);
        }
    };
    match op {
        "" => match value {
            Some(v) => push_value(run, out, &v),
            None => run.unset(name, start, end),
        },
        ":-" | "-" => {
            let use_default = if op == ":-" { !non_empty } else { !set };
            if use_default {
                word_value(run, out);
            } else if let Some(v) = value {
                push_value(run, out, &v);
            }
        }
        ":?" | "?" => {
            let missing = if op == ":?" { !non_empty } else { !set };
            if missing {
                let mut message = String::new();
                word_value(run, &mut message);
                run.problem(
                    ProblemKind::Required {
                        name: name.to_string(),
                        message,
                    },
                    start,
                    end,
                );
            } else if let Some(v) = value {
                push_value(run, out, &v);
            }
        }
        // ":+" | "+"
        _ => {
            let present = if op == ":+" { non_empty } else { set };
            if present {
                word_value(run, out);
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
    fn stops_at_the_limit_and_reports_a_repeated_unset_variable_once() {
        let big = "x".repeat(1000);
        let lookup = |n: &str| (n == "BIG").then(|| big.clone());
        let raw = "${BIG}".repeat(100);
        let r = interpolate_within(&raw, &lookup, 10_000);
        assert!(r.exhausted);
        assert!(r.value.len() <= 11_000, "{}", r.value.len());
        let nopes = "$NOPE-".repeat(50);
        let r = interpolate_within(&nopes, &lookup, 10_000);
        assert!(!r.exhausted);
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].more, 49);
    }

    #[test]
    fn detects_variables() {
        assert!(has_variables("a${B}"));
        assert!(has_variables("$B"));
        assert!(!has_variables("$$B"));
        assert!(!has_variables("$5"));
    }
}

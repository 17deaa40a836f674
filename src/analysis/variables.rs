//! The variables a Dockerfile declares: each `NAME=value` of an `ARG` or `ENV`, with the value's
//! quotes removed and its exact span; and a word as BuildKit's expander reads it at a given
//! instruction ([`expand_at`]), for values built from other variables.

use crate::model::dockerfile::{Dockerfile, ImageTarget, Instr, InstructionKind};
use crate::source::Span;
use crate::syntax::expand::{Budget, Expander, Lookup, VarUse};
use std::borrow::Cow;
use std::collections::HashMap;

/// One `NAME=value` of an `ARG` or `ENV`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarDecl {
    pub keyword: &'static str,
    pub name: String,
    pub name_span: Span,
    /// The value with its quotes removed, and its span (inside the quotes); `None` for
    /// `ARG NAME`.
    pub value: Option<(String, Span)>,
}

/// The declarations of an `ARG` or `ENV` (both `NAME=value` and the legacy `ENV NAME value`).
pub fn var_decls(ins: &Instr) -> Vec<VarDecl> {
    let keyword = match ins.kind {
        InstructionKind::Arg => "ARG",
        InstructionKind::Env => "ENV",
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    if keyword == "ENV" {
        for (k, v) in &ins.pairs {
            out.push(VarDecl {
                keyword,
                name: k.text.clone(),
                name_span: k.span,
                value: Some(unquote(&v.text, v.span)),
            });
        }
        return out;
    }
    for w in &ins.args {
        let start = w.span.start as usize;
        match w.text.split_once('=') {
            Some((name, value)) => {
                let vstart = start + name.len() + 1;
                out.push(VarDecl {
                    keyword,
                    name: name.to_string(),
                    name_span: Span::new(start, start + name.len()),
                    value: Some(unquote(value, Span::new(vstart, w.span.end as usize))),
                });
            }
            None => out.push(VarDecl {
                keyword,
                name: w.text.clone(),
                name_span: w.span,
                value: None,
            }),
        }
    }
    out
}

/// Strips one pair of matching quotes, narrowing the span to match.
fn unquote(value: &str, span: Span) -> (String, Span) {
    let b = value.as_bytes();
    if b.len() >= 2
        && matches!(b.first(), Some(b'"' | b'\''))
        && b.first() == b.last()
        && span.len() == value.len()
    {
        let inner = value.get(1..value.len() - 1).unwrap_or("");
        let s = span.start as usize + 1;
        return (inner.to_string(), Span::new(s, s + inner.len()));
    }
    (value.to_string(), span)
}

/// What expanding one word at an instruction may cost. The words rules expand there (paths,
/// ports, URLs, user names) are short; one that would cost more is unknown rather than worked
/// out, so a file of many instructions each naming a large value stays cheap to lint (the
/// model's own file-wide budget has already bounded each value).
const PER_WORD: Budget = Budget {
    bytes: 256 << 10,
    steps: 1 << 20,
};

/// `text` as BuildKit's expander reads it at instruction `index` of `df`; `None` when it uses a
/// variable the file leaves unset, BuildKit would refuse it, or it costs more than a word
/// should. The variables are those the model resolved ([`Dockerfile::declared`]): before the
/// first `FROM`, the global `ARG`s declared so far; in a stage, the `ENV` of the stage it builds
/// on, then the stage's own `ARG`s (an `ARG NAME` without a default takes the global default)
/// and `ENV`s before `index`, `ENV` winning over `ARG`. Only what the file defines: build-arg
/// overrides and a base image's environment are unknown.
pub fn expand_at(df: &Dockerfile, index: usize, text: &str) -> Option<String> {
    if !crate::syntax::expand::has_expansion(text, df.escape) {
        return Some(text.to_string());
    }
    let vars = Values(values_at(df, index, &referenced_names(text)));
    let mut uses = VarUse::default();
    let mut budget = PER_WORD;
    Expander::new(&vars)
        .with_escape(df.escape)
        .expand_word_budgeted(text, &mut uses, &mut budget)
        .ok()
        .filter(|_| uses.unset.is_empty())
}

/// Variables by name, borrowed from the model.
struct Values<'d>(Vec<(&'d str, &'d str)>);

impl Lookup for Values<'_> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| Cow::Borrowed(*v))
    }
}

/// The values of `names` at instruction `index` (see [`expand_at`]), borrowed from the model;
/// one pass over the declarations in scope, whatever the number of names.
fn values_at<'d>(df: &'d Dockerfile, index: usize, names: &[&'d str]) -> Vec<(&'d str, &'d str)> {
    struct Seen<'d> {
        value: Option<&'d str>,
        from_env: bool,
    }
    let stage = df.stage_of(index);
    let base_env = stage.and_then(|s| match df.images.get(s.base).map(|u| &u.target) {
        Some(ImageTarget::Stage(base)) => df.stages.get(*base).map(|b| &b.env),
        _ => None,
    });
    let mut seen: HashMap<&str, Seen<'d>> = names
        .iter()
        .map(|n| {
            let value = base_env.and_then(|e| e.get(*n)).map(String::as_str);
            let seen = Seen {
                value,
                from_env: value.is_some(),
            };
            (*n, seen)
        })
        .collect();
    let first = stage.map_or(0, |s| s.from + 1);
    let lo = df.declared.partition_point(|d| d.index < first);
    let hi = df.declared.partition_point(|d| d.index < index);
    for d in df.declared.get(lo..hi).unwrap_or(&[]) {
        let Some(s) = seen.get_mut(d.name.as_str()) else {
            continue;
        };
        if d.env {
            s.value = d.value.as_deref();
            s.from_env = true;
        } else if !s.from_env {
            s.value = d.value.as_deref();
        }
    }
    seen.into_iter()
        .filter_map(|(name, s)| s.value.map(|v| (name, v)))
        .collect()
}

/// The variable names `text` refers to (`$NAME`, `${NAME…}`), once each; may list a name that
/// is escaped or quoted, which only looks one up for nothing.
fn referenced_names(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let after = rest.get(at + 1..).unwrap_or("");
        let after = after.strip_prefix('{').unwrap_or(after);
        let len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if let Some(name) = after.get(..len).filter(|n| !n.is_empty())
            && !out.contains(&name)
        {
            out.push(name);
        }
        rest = after.get(len..).unwrap_or("");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dockerfile::from_tree;
    use crate::syntax::dockerfile::parse;

    fn model(text: &str) -> Dockerfile {
        from_tree(&parse(text), text)
    }

    fn at(df: &Dockerfile, rest: &str) -> usize {
        df.instrs.iter().position(|i| i.rest.text == rest).unwrap()
    }

    #[test]
    fn what_the_expander_sees_at_an_instruction() {
        let text = "ARG G=global\nARG ONLY_GLOBAL=x\nFROM alpine AS base\nARG G\nENV E=${G}-env\nARG LATE=1\nRUN one\nARG E=from-arg\nRUN two\nFROM base\nRUN three\nFROM alpine\nRUN four\nENV U=${NOPE}\nRUN five\n";
        let df = model(text);
        let expand = |rest: &str, word: &str| expand_at(&df, at(&df, rest), word);
        assert_eq!(
            expand("one", "$G/${LATE}/$E").as_deref(),
            Some("global/1/global-env")
        );
        // A global ARG is visible in a stage only once the stage declares it again.
        assert_eq!(expand("one", "$ONLY_GLOBAL"), None);
        // ENV wins over a later ARG of the same name.
        assert_eq!(expand("two", "$E").as_deref(), Some("global-env"));
        // A stage built on another inherits its ENV, not its ARGs.
        assert_eq!(expand("three", "${E}!").as_deref(), Some("global-env!"));
        assert_eq!(expand("three", "$LATE"), None);
        assert_eq!(expand("four", "$G"), None);
        assert_eq!(expand("four", "plain").as_deref(), Some("plain"));
        // An ENV whose value needs an unset variable is unknown, not its raw text.
        assert_eq!(expand("five", "$U"), None);
        // Before the first FROM, the global ARGs declared so far.
        assert_eq!(expand_at(&df, 1, "${G}!").as_deref(), Some("global!"));
        assert_eq!(expand_at(&df, 1, "$ONLY_GLOBAL"), None);
        assert_eq!(expand_at(&df, 0, "$G"), None);
        assert_eq!(referenced_names("a$B/${C:-x}$$ \\$D$B"), ["B", "C", "D"]);
    }

    #[test]
    fn a_word_costs_at_most_its_budget() {
        // Values the model kept under its file budget, multiplied by a word that names one
        // many times, are unknown rather than built.
        let mut text = format!("FROM a\nENV BIG={}\n", "x".repeat(64 << 10));
        text.push_str("WORKDIR /w\n");
        let df = model(&text);
        let word = "$BIG".repeat(8);
        assert_eq!(expand_at(&df, 2, &word), None);
        assert_eq!(expand_at(&df, 2, "$BIG").map(|v| v.len()), Some(64 << 10));
    }
}

//! The input documents conftest builds, so that a team's conftest policies run unchanged
//! (`input-format = "conftest"`).
//!
//! - A Dockerfile is one document: the array of BuildKit's top-level nodes as conftest's Docker
//!   parser emits them, `{Cmd, SubCmd, JSON, Flags, Value, Stage}` each, with the comments
//!   BuildKit attaches to the next instruction as `comment` entries.
//! - A compose file is its YAML as JSON, one document per YAML document, with YAML 1.1 scalars
//!   as go-yaml v2 reads them (`yes` is `true`, `'3.4'` a string, `3.4` a number), anchors and
//!   merge keys applied.
//!
//! Alongside each Dockerfile entry the span of what it came from is kept, so that a result
//! naming an entry (`"node": input[i]`) is pointed at its instruction.

use crate::source::Span;
use crate::syntax::compose::yaml::{NodeId, NodeKind, ScalarStyle, Yaml};
use crate::syntax::dockerfile::{Dockerfile, Instruction, dump};
use serde::Serialize;
use serde_json::{Map, Number, Value};

/// One command object, with conftest's keys.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Command {
    #[serde(rename = "Cmd")]
    pub cmd: String,
    #[serde(rename = "SubCmd")]
    pub sub_cmd: String,
    #[serde(rename = "JSON")]
    pub json: bool,
    #[serde(rename = "Flags")]
    pub flags: Option<Vec<String>>,
    #[serde(rename = "Value")]
    pub value: Option<Vec<String>>,
    #[serde(rename = "Stage")]
    pub stage: usize,
}

/// A Dockerfile as conftest's input: the commands, and the span each came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DockerfileInput {
    pub commands: Vec<Command>,
    pub spans: Vec<Span>,
}

/// The conftest input of a parsed Dockerfile.
pub fn dockerfile(df: &Dockerfile, source: &str) -> DockerfileInput {
    let escape = df.escape as u8;
    let directives: Vec<Span> = df.directives.iter().map(|d| d.span).collect();
    let mut out = DockerfileInput::default();
    let mut froms = 0usize;
    let mut comments = df
        .comments
        .iter()
        .filter(|c| !directives.contains(&c.span))
        .peekable();
    let mut prev_end = 0u32;
    for ins in &df.instructions {
        let is_from = ins.name().eq_ignore_ascii_case("from");
        if is_from {
            froms += 1;
        }
        let stage = froms.saturating_sub(1);
        // The comments between the previous instruction and this one; those inside an
        // instruction (continuation lines) are dropped, and a bare `#` discards what came
        // before it, as BuildKit's parser does.
        let mut pending: Vec<(String, Span)> = Vec::new();
        while let Some(c) = comments.next_if(|c| c.span.start < ins.span.start) {
            if c.span.start < prev_end {
                continue;
            }
            let text = c.buildkit_text(source);
            if text.is_empty() {
                pending.clear();
            } else {
                pending.push((text, c.span));
            }
        }
        for (text, span) in pending {
            out.commands.push(Command {
                cmd: "comment".into(),
                sub_cmd: String::new(),
                json: false,
                flags: None,
                value: Some(vec![text]),
                stage,
            });
            out.spans.push(span);
        }
        out.commands.push(command(ins, escape, stage));
        out.spans.push(ins.span);
        prev_end = ins.span.end;
    }
    out
}

fn command(ins: &Instruction, escape: u8, stage: usize) -> Command {
    let (sub_cmd, json) = match ins.onbuild() {
        Some(inner) => (inner.name().to_string(), inner.is_json()),
        None => (String::new(), ins.is_json()),
    };
    let values = dump::arg_values(ins, &ins.args);
    let flags = dump::flag_values(ins, escape);
    let nothing_after_keyword =
        flags.is_empty() && matches!(ins.args, crate::syntax::dockerfile::Args::Empty);
    Command {
        cmd: dump::node_name(ins),
        sub_cmd,
        json,
        flags: (!nothing_after_keyword).then_some(flags),
        value: (!values.is_empty()).then_some(values),
        stage,
    }
}

/// The conftest input of a compose file: one JSON value per YAML document.
pub fn compose(yaml: &Yaml) -> Vec<Value> {
    yaml.documents
        .iter()
        .map(|d| d.root.map_or(Value::Null, |root| to_json(yaml, root, 0)))
        .collect()
}

/// Nesting deeper than this is cut (the YAML reader refuses deeper documents already).
const MAX_DEPTH: usize = 256;

fn to_json(yaml: &Yaml, id: NodeId, depth: usize) -> Value {
    let Some(node) = yaml.get(id) else {
        return Value::Null;
    };
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match &node.kind {
        NodeKind::Scalar { value, style } => {
            let tag = yaml.tag(id);
            scalar(yaml.str(*value), *style, tag)
        }
        NodeKind::Sequence(items) => Value::Array(
            yaml.items(*items)
                .iter()
                .map(|i| to_json(yaml, *i, depth + 1))
                .collect(),
        ),
        NodeKind::Mapping(_) => {
            let mut map = Map::new();
            for e in yaml.iter_entries(id) {
                let key = match to_json(yaml, e.key, depth + 1) {
                    Value::String(s) => s,
                    Value::Null => "null".to_string(),
                    other => other.to_string(),
                };
                // The first of duplicate keys is kept by the reader's entries; go-yaml would
                // refuse the file, and the compose diagnostics say so.
                map.entry(key)
                    .or_insert_with(|| to_json(yaml, e.value, depth + 1));
            }
            Value::Object(map)
        }
        NodeKind::Alias { .. } => Value::Null,
    }
}

/// A scalar as go-yaml v2 resolves it: quoted scalars and explicit `!!str` are strings; plain
/// ones may be null, a YAML 1.1 boolean, an integer or a float.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    let string = || Value::String(text.to_string());
    // The reader keeps a tag as written (`!!str`) or resolved (`tag:yaml.org,2002:str`).
    let core = tag.and_then(|t| {
        t.strip_prefix("tag:yaml.org,2002:")
            .or_else(|| t.strip_prefix("!!"))
    });
    match core {
        Some("str") => return string(),
        Some("int") | Some("float") => return number(text).unwrap_or_else(string),
        Some("bool") => return boolean(text).map_or_else(string, Value::Bool),
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return string();
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    if let Some(b) = boolean(text) {
        return Value::Bool(b);
    }
    number(text).unwrap_or_else(string)
}

/// YAML 1.1 booleans, as go-yaml v2 reads them.
fn boolean(text: &str) -> Option<bool> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// YAML 1.1 numbers: decimal, `0x` hexadecimal, `0b` binary and leading-zero octal integers
/// (with `_` separators), and decimal floats. Infinities and NaN have no JSON form and stay
/// text.
fn number(text: &str) -> Option<Value> {
    let t = text.replace('_', "");
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let int = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(bin) = digits.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()
    } else if digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        i64::from_str_radix(&digits[1..], 8).ok()
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(i) = int {
        return Some(Value::Number(Number::from(if neg { -i } else { i })));
    }
    let looks_float = !digits.is_empty()
        && digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && digits
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.');
    if !looks_float {
        return None;
    }
    let f: f64 = t.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_scalars_resolve_as_go_yaml_v2_does() {
        let yaml = crate::syntax::compose::yaml::parse(
            "a: yes\nb: 'yes'\nc: 3.4\nd: '3.4'\ne: 0x1F\nf: 017\ng: ~\nh: 1_000\ni: .inf\nk: -2\nl: 1e3\nm: on\n",
        );
        let docs = compose(&yaml);
        assert_eq!(
            docs,
            [
                serde_json::json!({"a": true, "b": "yes", "c": 3.4, "d": "3.4", "e": 31, "f": 15,
                "g": null, "h": 1000, "i": ".inf", "k": -2, "l": 1000.0, "m": true})
            ]
        );
    }

    #[test]
    fn anchors_merges_and_documents() {
        let yaml = crate::syntax::compose::yaml::parse(
            "x: &base {image: a, ports: [80]}\nw:\n  <<: *base\n  image: b\n---\nz: 1\ny: 2\n",
        );
        assert_eq!(
            compose(&yaml),
            [
                serde_json::json!({"x": {"image": "a", "ports": [80]}, "w": {"image": "b", "ports": [80]}}),
                // go-yaml v2 reads the key `y` as the boolean true, which becomes "true".
                serde_json::json!({"z": 1, "true": 2}),
            ]
        );
    }

    #[test]
    fn comments_attach_to_the_next_instruction() {
        let text = "# syntax=docker/dockerfile:1\n# one\n\n# two\nFROM a AS b\nRUN x \\\n  # inside\n  y\n#\n# three\nUSER u\n# trailing\n";
        let df = crate::syntax::dockerfile::parse(text);
        let input = dockerfile(&df, text);
        let got: Vec<(String, Option<Vec<String>>, usize)> = input
            .commands
            .iter()
            .map(|c| (c.cmd.clone(), c.value.clone(), c.stage))
            .collect();
        let v = |s: &[&str]| Some(s.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(
            got,
            [
                ("comment".into(), v(&["one"]), 0),
                ("comment".into(), v(&["two"]), 0),
                ("from".into(), v(&["a", "AS", "b"]), 0),
                ("run".into(), v(&["x   y"]), 0),
                ("comment".into(), v(&["three"]), 0),
                ("user".into(), v(&["u"]), 0),
            ]
        );
        assert_eq!(input.spans.len(), input.commands.len());
        assert_eq!(input.spans[2].text(text), "FROM a AS b");
    }
}

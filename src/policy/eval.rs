//! Evaluating the loaded policies on one file: the input document in the set's format, each
//! `deny`/`violation`/`warn` rule queried once, each result a finding at the token it names.

use super::load::{InputFormat, PolicySet, QueriedRule};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::rules::catalog::RuleId;
use crate::rules::dynamic;
use crate::rules::engine::engine_finding;
use crate::rules::settings::LintSettings;
use crate::source::{SourceFile, Span};
use serde_json::{Map, Value};

/// The most results one rule gives on one file.
const MAX_RESULTS: usize = 10_000;

/// One document a policy set sees as `input`, and the spans of conftest's Dockerfile entries
/// (so that a result naming an entry points at its instruction).
struct Document {
    value: Value,
    entry_spans: Vec<Span>,
}

/// The input document of the file in `format`, as `plimsoll policy input` prints it. A compose
/// file of several YAML documents is, for conftest, an array of them (each one evaluated on its
/// own).
pub fn input_document(
    analysis: &Analysis<'_>,
    findings: &[Finding],
    settings: &LintSettings,
    format: InputFormat,
) -> Value {
    let mut docs = documents(analysis, findings, settings, format);
    match format {
        InputFormat::Conftest if docs.len() != 1 => {
            Value::Array(docs.into_iter().map(|d| d.value).collect())
        }
        _ => docs.pop().map(|d| d.value).unwrap_or(Value::Null),
    }
}

fn documents(
    analysis: &Analysis<'_>,
    findings: &[Finding],
    settings: &LintSettings,
    format: InputFormat,
) -> Vec<Document> {
    match format {
        InputFormat::Plimsoll => {
            let input = super::input::build(analysis, findings, &settings.compose_env);
            vec![Document {
                value: serde_json::to_value(input).unwrap_or(Value::Null),
                entry_spans: Vec::new(),
            }]
        }
        InputFormat::Conftest => {
            if let Some(tree) = analysis.tree {
                let df = super::conftest::dockerfile(tree, &analysis.file.text);
                vec![Document {
                    value: serde_json::to_value(&df.commands).unwrap_or(Value::Null),
                    entry_spans: df.spans,
                }]
            } else if let Some(compose) = analysis.compose {
                super::conftest::compose(&compose.yaml)
                    .into_iter()
                    .map(|value| Document {
                        value,
                        entry_spans: Vec::new(),
                    })
                    .collect()
            } else {
                Vec::new()
            }
        }
    }
}

/// The findings of every loaded policy on the file. `findings` are the built-in rules' (the
/// plimsoll input carries them); `rule_severity` is the severity the user gave the `rego` rule
/// as a whole, if any.
pub fn evaluate(
    analysis: &Analysis<'_>,
    findings: &[Finding],
    settings: &LintSettings,
    rule_severity: Option<Severity>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for set in settings.policies.sets() {
        evaluate_set(set, analysis, findings, settings, rule_severity, &mut out);
    }
    out
}

fn evaluate_set(
    set: &PolicySet,
    analysis: &Analysis<'_>,
    findings: &[Finding],
    settings: &LintSettings,
    rule_severity: Option<Severity>,
    out: &mut Vec<Finding>,
) {
    let file = analysis.file;
    // Only the rules the selection keeps are queried: an ignored rule costs nothing.
    let rules: Vec<(&QueriedRule, Severity)> = set
        .rules
        .iter()
        .filter_map(|r| {
            dynamic::selection(r.code, r.kind.severity(), rule_severity, settings).map(|s| (r, s))
        })
        .collect();
    if rules.is_empty() {
        return;
    }
    let mut engine = set.engine.clone();
    if set.input_format == InputFormat::Conftest {
        // conftest gives every policy the file's base name and absolute directory.
        let dir = file
            .path
            .parent()
            .map(|d| std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf()))
            .unwrap_or_default();
        let data = serde_json::json!({"conftest": {"file": {
            "name": file.path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
            "dir": dir.to_string_lossy(),
        }}});
        if let Ok(v) = regorus::Value::from_json_str(&data.to_string()) {
            let _ = engine.add_data(v);
        }
    }
    for doc in documents(analysis, findings, settings, set.input_format) {
        let Ok(input) = regorus::Value::from_json_str(&doc.value.to_string()) else {
            continue;
        };
        engine.set_input(input);
        for &(rule, severity) in &rules {
            let query = format!("data.{}.{}", rule.package, rule.rule);
            let value = match engine.eval_rule(query) {
                Ok(v) => v,
                Err(e) => {
                    let text = e.to_string();
                    let timed_out = text.contains("time limit");
                    let why = if timed_out {
                        format!(
                            "{}: it ran past its time limit of {} s (`time-limit` in its `[[policy]]` entry), and the entry's other rules were not run on this file; does it loop over something huge?",
                            rule.location,
                            set.time_limit.as_secs_f64()
                        )
                    } else {
                        one_line(&text)
                    };
                    out.push(policy_error(&format!(
                        "policy rule `{}` failed on this file: {why}",
                        rule.code
                    )));
                    // A limit stops the whole set on this file: its other rules would most
                    // likely run into it as well, each taking the whole limit.
                    if timed_out {
                        return;
                    }
                    continue;
                }
            };
            if value == regorus::Value::Undefined {
                continue;
            }
            let Ok(json) = value
                .to_json_str()
                .map_err(|_| ())
                .and_then(|s| serde_json::from_str::<Value>(&s).map_err(|_| ()))
            else {
                continue;
            };
            // conftest: a set arrives as an array; anything else counts as a success.
            let Value::Array(mut results) = json else {
                continue;
            };
            // Findings are kept in memory and printed: a rule returning a huge set is cut.
            if results.len() > MAX_RESULTS {
                out.push(policy_error(&format!(
                    "policy rule `{}` ({}) returned {} results on this file; only the first {MAX_RESULTS} are reported",
                    rule.code,
                    rule.location,
                    results.len()
                )));
                results.truncate(MAX_RESULTS);
            }
            for result in results {
                match result_message(&result) {
                    Ok(Some(msg)) => {
                        let span = locate(&result, &doc, file).unwrap_or(Span::empty(0));
                        out.push(Finding::new(rule.code, "rego", severity, span, msg));
                    }
                    Ok(None) => {}
                    Err(why) => out.push(policy_error(&format!(
                        "policy rule `{}` returned {why}",
                        rule.code
                    ))),
                }
            }
        }
    }
}

fn policy_error(message: &str) -> Finding {
    engine_finding(RuleId::PolicyError, Span::empty(0), message)
}

/// A regorus error as one line: `path:line:col: what` when it carries a location.
fn one_line(s: &str) -> String {
    match super::load::located(s) {
        Some((at, what)) => format!("{at}: {what}"),
        None => s.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// A result's message: a string, or an object's `msg`. Other values and `""` are successes, as
/// for conftest; an object without a string `msg` is an error.
fn result_message(result: &Value) -> Result<Option<String>, String> {
    match result {
        Value::String(s) if !s.is_empty() => Ok(Some(s.clone())),
        Value::Object(o) => match o.get("msg") {
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(Value::String(_)) => Ok(None),
            _ => Err("an object without a string `msg`".into()),
        },
        _ => Ok(None),
    }
}

/// Where a result points: its `span` (`{start, end}` bytes, or `{line, column}`), its `line`
/// (and `column`), the value its `path` names in the input, or an input node it carries (any
/// field whose value has a `span`, or for conftest input an entry of the input array).
fn locate(result: &Value, doc: &Document, file: &SourceFile) -> Option<Span> {
    let o = result.as_object()?;
    if let Some(span) = o.get("span").and_then(|s| span_of(s, file)) {
        return Some(span);
    }
    if o.contains_key("line") {
        return line_span(o, file);
    }
    if let Some(Value::Array(path)) = o.get("path")
        && let Some(span) = follow(&doc.value, path).and_then(|v| node_span(v, file))
    {
        return Some(span);
    }
    for (key, v) in o {
        if key == "msg" {
            continue;
        }
        if let Some(span) = node_span(v, file) {
            return Some(span);
        }
        if let Value::Array(entries) = &doc.value
            && let Some(i) = entries.iter().position(|e| e == v)
            && let Some(span) = doc.entry_spans.get(i)
        {
            return Some(*span);
        }
    }
    None
}

/// A node's span: the node itself when it is a location, or its `span` field.
fn node_span(v: &Value, file: &SourceFile) -> Option<Span> {
    span_of(v, file).or_else(|| v.get("span").and_then(|s| span_of(s, file)))
}

/// `{start, end}` bytes (a location of the input), else `{line, column}`.
fn span_of(v: &Value, file: &SourceFile) -> Option<Span> {
    let o = v.as_object()?;
    let text = &file.text;
    match (
        o.get("start").and_then(Value::as_u64),
        o.get("end").and_then(Value::as_u64),
    ) {
        (Some(start), Some(end))
            if start <= end
                && (end as usize) <= text.len()
                && text.is_char_boundary(start as usize)
                && text.is_char_boundary(end as usize) =>
        {
            Some(Span::new(start as usize, end as usize))
        }
        _ if o.contains_key("line") => line_span(o, file),
        _ => None,
    }
}

/// A 1-based `line` and optional 1-based `column` (characters): from there to the line's end.
fn line_span(o: &Map<String, Value>, file: &SourceFile) -> Option<Span> {
    let line = o.get("line")?.as_u64()?.checked_sub(1)? as usize;
    let start = file.line_index.line_start(line)?;
    let text = &file.text;
    let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    let line_text = text[start..end].trim_end_matches('\r');
    let column = o
        .get("column")
        .and_then(Value::as_u64)
        .and_then(|c| c.checked_sub(1))
        .unwrap_or(0) as usize;
    let offset = line_text
        .char_indices()
        .nth(column)
        .map_or(line_text.len(), |(i, _)| i);
    Some(Span::new(start + offset, start + line_text.len()))
}

/// The value at `path` in the input. A step into a compose value's `config` is taken in its
/// `spans` twin, which has the same shape with locations for values.
fn follow<'v>(root: &'v Value, path: &[Value]) -> Option<&'v Value> {
    let mut at = root;
    for step in path {
        at = match (at, step) {
            (Value::Object(o), Value::String(k)) if k == "config" && o.contains_key("spans") => {
                o.get("spans")?
            }
            (Value::Object(o), Value::String(k)) => o.get(k)?,
            (Value::Array(a), Value::Number(n)) => a.get(n.as_u64()? as usize)?,
            _ => return None,
        };
    }
    Some(at)
}

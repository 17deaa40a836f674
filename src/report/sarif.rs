//! SARIF 2.1.0: `tool.driver.rules[]` with metadata and help URIs, `security-severity` on
//! security rules, `partialFingerprints` that survive line shifts, and fixes as
//! `artifactChanges`. Columns count Unicode code points (`columnKind`).

use super::{Context, RuleInfo, Secrets, display_path, fingerprint, occurrences};
use crate::finding::{FileReport, Finding, Severity};
use crate::source::{SourceFile, Span};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

/// GitHub code scanning reads `security-severity` (0.0–10.0) for security rules.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Info => "3.0",
        Severity::Style => "1.0",
    }
}

/// A URI reference for a path: relative paths stay relative, absolute ones become `file://`;
/// bytes outside the unreserved set (and `/`) are percent-encoded.
pub(crate) fn path_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(span: Span, file: &SourceFile, secrets: &Secrets) -> Value {
    let l = crate::finding::Location::of(span, file);
    json!({
        "startLine": l.line,
        "startColumn": l.column,
        "endLine": l.end_line,
        "endColumn": l.end_column,
        "byteOffset": span.start,
        "byteLength": span.len(),
        "snippet": { "text": secrets.mask(span.text(&file.text), span.start as usize) },
    })
}

fn rule_descriptor(code: &str, f: &Finding, info: Option<RuleInfo>) -> Value {
    let info = info.unwrap_or_else(|| RuleInfo {
        code: code.to_string(),
        name: f.name.to_string(),
        summary: f.name.replace('-', " "),
        help_uri: None,
        default_severity: f.severity,
        security: false,
    });
    let mut rule = json!({
        "id": info.code,
        "name": info.name,
        "shortDescription": { "text": info.summary },
        "fullDescription": { "text": info.summary },
        "defaultConfiguration": { "level": level(info.default_severity) },
    });
    let help = match &info.help_uri {
        Some(uri) => format!("{} See {uri}", info.summary),
        None => info.summary.clone(),
    };
    rule["help"] = json!({ "text": help });
    if let Some(uri) = &info.help_uri {
        rule["helpUri"] = json!(uri);
    }
    let mut props = json!({ "tags": [] });
    if info.security {
        props["tags"] = json!(["security"]);
        props["security-severity"] = json!(security_severity(info.default_severity));
    }
    rule["properties"] = props;
    rule
}

pub fn render(reports: &[FileReport], ctx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    let mut results = Vec::new();
    for r in reports {
        let uri = path_uri(&display_path(&r.file));
        let secrets = Secrets::of(r);
        let occ = occurrences(r);
        for (f, n) in r.findings.iter().zip(occ) {
            let index = *rule_index.entry(f.code).or_insert_with(|| {
                rules.push(rule_descriptor(f.code, f, (ctx.rules)(f.code)));
                rules.len() - 1
            });
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": region(f.span, &r.file, &secrets),
                    }
                }],
                "partialFingerprints": { "plimsoll/v1": fingerprint(&r.file, f, n) },
            });
            if !f.related.is_empty() {
                result["relatedLocations"] = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| {
                        json!({
                            "id": i + 1,
                            "message": { "text": rel.label },
                            "physicalLocation": {
                                "artifactLocation": { "uri": uri },
                                "region": region(rel.span, &r.file, &secrets),
                            }
                        })
                    })
                    .collect();
            }
            if let Some(fix) = &f.fix {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        let mut deleted = region(e.span, &r.file, &secrets);
                        if let Some(o) = deleted.as_object_mut() {
                            o.remove("snippet");
                        }
                        json!({ "deletedRegion": deleted, "insertedContent": { "text": e.replacement } })
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": { "text": fix.description },
                    "artifactChanges": [{ "artifactLocation": { "uri": uri }, "replacements": replacements }],
                }]);
            }
            results.push(result);
        }
    }
    let artifacts: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "location": { "uri": path_uri(&display_path(&r.file)) },
                "sourceLanguage": r.file.kind.as_str(),
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "plimsoll",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/plimsoll/plimsoll",
                "rules": rules,
            }},
            "artifacts": artifacts,
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use crate::report::{Context, testdata};

    #[test]
    fn sarif_snapshot() {
        let mut out = Vec::new();
        let ctx = Context::new(&testdata::rule_info);
        super::render(&testdata::reports(), &ctx, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("ghp_abcdefghijklmnop"), "secret masked");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        let secret = rules.iter().find(|r| r["id"] == "PL601").unwrap();
        assert_eq!(secret["properties"]["security-severity"], "8.0");
        let latest = rules.iter().find(|r| r["id"] == "PL101").unwrap();
        assert!(latest["properties"].get("security-severity").is_none());
        crate::assert_snap!("sarif", text);
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(super::path_uri("a b/Dockerfile"), "a%20b/Dockerfile");
        assert_eq!(super::path_uri("/x/y"), "file:///x/y");
    }
}

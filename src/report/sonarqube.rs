//! SonarQube's generic issue import format (hadolint's `sonarqube`): `{"issues": [...]}`, each
//! issue with its rule, severity, type and a 0-based-column text range.

use super::{Context, display_path};
use crate::finding::{FileReport, Severity};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Report<'a> {
    issues: Vec<Issue<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Issue<'a> {
    engine_id: &'static str,
    rule_id: &'a str,
    severity: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    primary_location: PrimaryLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrimaryLocation<'a> {
    message: &'a str,
    file_path: String,
    text_range: TextRange,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TextRange {
    start_line: u32,
    end_line: u32,
    start_column: u32,
    end_column: u32,
}

pub fn render(reports: &[FileReport], ctx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut issues = Vec::new();
    for r in reports {
        let path = display_path(&r.file);
        for f in &r.findings {
            let l = f.location(&r.file);
            let security = (ctx.rules)(f.code).is_some_and(|i| i.security);
            issues.push(Issue {
                engine_id: "plimsoll",
                rule_id: f.code,
                severity: match f.severity {
                    Severity::Error => "CRITICAL",
                    Severity::Warning => "MAJOR",
                    Severity::Info => "MINOR",
                    Severity::Style => "INFO",
                },
                kind: if security {
                    "VULNERABILITY"
                } else if f.severity == Severity::Error {
                    "BUG"
                } else {
                    "CODE_SMELL"
                },
                primary_location: PrimaryLocation {
                    message: &f.message,
                    file_path: path.clone(),
                    // SonarQube counts columns from 0; an empty range would be refused.
                    text_range: TextRange {
                        start_line: l.line,
                        end_line: l.end_line,
                        start_column: l.column.saturating_sub(1),
                        end_column: if l.end_line == l.line {
                            l.end_column.saturating_sub(1).max(l.column)
                        } else {
                            l.end_column.saturating_sub(1)
                        },
                    },
                },
            });
        }
    }
    super::write_pretty_json(out, &Report { issues })
}

#[cfg(test)]
mod tests {
    #[test]
    fn sonarqube_snapshot() {
        let ctx = crate::report::Context::new(&crate::report::testdata::rule_info);
        let mut out = Vec::new();
        super::render(&crate::report::testdata::reports(), &ctx, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(!v["issues"].as_array().unwrap().is_empty());
        crate::assert_snap!("sonarqube", text);
    }
}

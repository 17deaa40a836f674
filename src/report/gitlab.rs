//! GitLab Code Quality report: a JSON array of Code Climate issues with fingerprints.

use super::{Hash128, display_path, fingerprints};
use crate::finding::{FileReport, Finding, Severity};
use serde::Serialize;
use std::io::{self, Write};

// Typed and borrowed rather than a `serde_json::Value` per issue; fields in alphabetical order,
// as the `Value` maps this format was first written with printed them.

#[derive(Serialize)]
struct Issue<'a> {
    check_name: &'a str,
    description: Description<'a>,
    fingerprint: Hash128,
    location: IssueLocation<'a>,
    severity: &'static str,
}

/// `CODE name: message`, serialized without building the string first.
struct Description<'a>(&'a Finding);

impl Serialize for Description<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        s.collect_str(&format_args!("{} {}: {}", f.code, f.name, f.message))
    }
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    positions: Positions,
}

#[derive(Serialize)]
struct Positions {
    begin: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    column: u32,
    line: u32,
}

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let paths = paths(reports);
    super::write_pretty_json(out, &issues(reports, &paths))
}

/// The issues of `reports` as items of the array [`render`] writes, without the brackets.
pub(crate) fn render_items(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let paths = paths(reports);
    super::write_pretty_items(out, issues(reports, &paths).into_iter())
}

/// Each report's path as reports print it, once per file.
fn paths(reports: &[FileReport]) -> Vec<String> {
    reports.iter().map(|r| display_path(&r.file)).collect()
}

fn issues<'a>(reports: &'a [FileReport], paths: &'a [String]) -> Vec<Issue<'a>> {
    let mut items = Vec::with_capacity(reports.iter().map(|r| r.findings.len()).sum());
    for (r, path) in reports.iter().zip(paths) {
        let prints = fingerprints(r, path);
        for (f, print) in r.findings.iter().zip(prints) {
            let l = f.location(&r.file);
            let severity = match f.severity {
                Severity::Error => "critical",
                Severity::Warning => "major",
                Severity::Info => "minor",
                Severity::Style => "info",
            };
            items.push(Issue {
                check_name: f.code,
                description: Description(f),
                fingerprint: print,
                location: IssueLocation {
                    path,
                    positions: Positions {
                        begin: Position {
                            column: l.column,
                            line: l.line,
                        },
                        end: Position {
                            column: l.end_column,
                            line: l.end_line,
                        },
                    },
                },
                severity,
            });
        }
    }
    items
}

#[cfg(test)]
mod tests {
    #[test]
    fn gitlab_snapshot() {
        let mut out = Vec::new();
        super::render(&crate::report::testdata::reports(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let fps: std::collections::HashSet<_> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["fingerprint"].to_string())
            .collect();
        assert_eq!(fps.len(), 5, "fingerprints are unique");
        crate::assert_snap!("gitlab", text);
    }
}

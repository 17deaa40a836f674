//! A JSON array of findings: file, code, name, severity, message, line, column, end_line,
//! end_column, byte offsets, related locations, and the fix when there is one.

use super::display_path;
use crate::finding::{FileReport, Location, Severity};
use crate::source::SourceFile;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct JsonFinding<'a> {
    file: &'a str,
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    start_byte: u32,
    end_byte: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    label: &'a str,
    #[serde(flatten)]
    location: Location,
    /// The place in another file the note is about (`{file, line, column}`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    elsewhere: Option<JsonElsewhere>,
}

#[derive(Serialize)]
struct JsonElsewhere {
    file: String,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    description: &'a str,
    applicability: crate::finding::Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    replacement: std::borrow::Cow<'a, str>,
    #[serde(flatten)]
    location: Location,
}

fn loc(span: crate::source::Span, file: &SourceFile) -> Location {
    Location::of(span, file)
}

/// All findings, serialized one by one as the array is written (no vector of them all).
struct Findings<'a> {
    reports: &'a [FileReport],
    paths: &'a [String],
}

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.reports
                .iter()
                .zip(self.paths)
                .flat_map(|(r, path)| r.findings.iter().map(move |f| item(r, path, f))),
        )
    }
}

fn item<'a>(r: &'a FileReport, path: &'a str, f: &'a crate::finding::Finding) -> JsonFinding<'a> {
    let l = f.location(&r.file);
    JsonFinding {
        file: path,
        code: f.code,
        name: f.name,
        severity: f.severity,
        message: &f.message,
        line: l.line,
        column: l.column,
        end_line: l.end_line,
        end_column: l.end_column,
        start_byte: l.start_byte,
        end_byte: l.end_byte,
        related: f
            .related
            .iter()
            .map(|rel| JsonRelated {
                label: &rel.label,
                location: loc(rel.span, &r.file),
                elsewhere: rel.elsewhere.as_deref().map(|e| JsonElsewhere {
                    file: e.path.display().to_string(),
                    line: e.line,
                    column: e.column,
                }),
            })
            .collect(),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            description: &fix.description,
            applicability: fix.applicability,
            edits: fix
                .edits
                .iter()
                .map(|e| JsonEdit {
                    replacement: super::mask_replacement(&e.replacement, r),
                    location: loc(e.span, &r.file),
                })
                .collect(),
        }),
    }
}

/// The findings of `reports` as items of the array [`render`] writes, without the brackets:
/// each as pretty JSON one level deep, separated as the array separates them.
pub(crate) fn render_items(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let paths: Vec<String> = reports.iter().map(|r| display_path(&r.file)).collect();
    let items = reports
        .iter()
        .zip(&paths)
        .flat_map(|(r, path)| r.findings.iter().map(move |f| item(r, path, f)));
    super::write_pretty_items(out, items)
}

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    // The path once per file, not once per finding.
    let paths: Vec<String> = reports.iter().map(|r| display_path(&r.file)).collect();
    let items = Findings {
        reports,
        paths: &paths,
    };
    super::write_pretty_json(out, &items)
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_snapshot() {
        let mut out = Vec::new();
        super::render(&crate::report::testdata::reports(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(5));
        crate::assert_snap!("json", text);
    }
}

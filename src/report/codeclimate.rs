//! The Code Climate engine format (hadolint's `codeclimate`): one JSON issue per finding, each
//! followed by a NUL byte, as Code Climate's engine specification streams them. GitLab's
//! variant, a JSON array with fingerprints, is the `gitlab` format.

use super::{Context, display_path};
use crate::finding::{FileReport, Severity};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'a str,
    description: &'a str,
    categories: [&'static str; 1],
    location: Location<'a>,
    severity: &'static str,
}

#[derive(Serialize)]
struct Location<'a> {
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
    line: u32,
    column: u32,
}

pub fn render(reports: &[FileReport], ctx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    for r in reports {
        let path = display_path(&r.file);
        for f in &r.findings {
            let l = f.location(&r.file);
            let security = (ctx.rules)(f.code).is_some_and(|i| i.security);
            let category = if security {
                "Security"
            } else if f.severity == Severity::Style {
                "Style"
            } else {
                "Bug Risk"
            };
            let issue = Issue {
                kind: "issue",
                check_name: f.code,
                description: &f.message,
                categories: [category],
                location: Location {
                    path: &path,
                    positions: Positions {
                        begin: Position {
                            line: l.line,
                            column: l.column,
                        },
                        end: Position {
                            line: l.end_line,
                            column: l.end_column,
                        },
                    },
                },
                severity: match f.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "major",
                    Severity::Info => "minor",
                    Severity::Style => "info",
                },
            };
            serde_json::to_writer(&mut out, &issue)?;
            out.write_all(b"\0")?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn codeclimate_issues_are_nul_separated_json() {
        let ctx = crate::report::Context::new(&crate::report::testdata::rule_info);
        let mut out = Vec::new();
        super::render(&crate::report::testdata::reports(), &ctx, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with('\0'));
        for issue in text.trim_end_matches('\0').split('\0') {
            let v: serde_json::Value = serde_json::from_str(issue).unwrap();
            assert_eq!(v["type"], "issue");
            assert!(
                v["location"]["positions"]["begin"]["line"]
                    .as_u64()
                    .unwrap()
                    >= 1
            );
        }
        crate::assert_snap!("codeclimate", text.replace('\0', "\\0\n"));
    }
}

//! GitLab Code Quality report: a JSON array of Code Climate issues with fingerprints.

use super::{display_path, fingerprint, occurrences};
use crate::finding::{FileReport, Severity};
use serde_json::json;
use std::io::{self, Write};

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut items = Vec::new();
    for r in reports {
        let occ = occurrences(r);
        for (f, n) in r.findings.iter().zip(occ) {
            let l = f.location(&r.file);
            let severity = match f.severity {
                Severity::Error => "critical",
                Severity::Warning => "major",
                Severity::Info => "minor",
                Severity::Style => "info",
            };
            items.push(json!({
                "description": format!("{} {}: {}", f.code, f.name, f.message),
                "check_name": f.code,
                "fingerprint": fingerprint(&r.file, f, n),
                "severity": severity,
                "location": {
                    "path": display_path(&r.file),
                    "positions": {
                        "begin": { "line": l.line, "column": l.column },
                        "end": { "line": l.end_line, "column": l.end_column },
                    },
                },
            }));
        }
    }
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
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

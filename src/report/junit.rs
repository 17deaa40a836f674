//! JUnit XML: one test suite per file, one failing test case per finding (a file without
//! findings gets one passing case, so every linted file shows up).

use super::{Xml, display_path, xml_escape};
use crate::finding::FileReport;
use std::io::{self, Write};

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let total: usize = reports.iter().map(|r| r.findings.len().max(1)).sum();
    let failures: usize = reports.iter().map(|r| r.findings.len()).sum();
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="plimsoll" tests="{total}" failures="{failures}" errors="0">"#
    )?;
    for r in reports {
        let path = xml_escape(&display_path(&r.file));
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{}" failures="{}" errors="0">"#,
            r.findings.len().max(1),
            r.findings.len()
        )?;
        if r.findings.is_empty() {
            writeln!(out, r#"    <testcase name="plimsoll" classname="{path}"/>"#)?;
        }
        for f in &r.findings {
            let l = f.location(&r.file);
            writeln!(
                out,
                r#"    <testcase name="{} {} at {}:{}" classname="{path}">"#,
                Xml(f.code),
                Xml(f.name),
                l.line,
                l.column
            )?;
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{path}:{}:{}: {} {} {}</failure>"#,
                Xml(&f.message),
                f.severity,
                l.line,
                l.column,
                f.severity,
                Xml(f.code),
                Xml(&f.message)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn junit_snapshot() {
        let mut out = Vec::new();
        super::render(&crate::report::testdata::reports(), &mut out).unwrap();
        crate::assert_snap!("junit", String::from_utf8(out).unwrap());
    }
}

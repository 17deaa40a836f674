//! Checkstyle XML, as Jenkins, reviewdog and many CI dashboards read it.

use super::{display_path, xml_escape};
use crate::finding::{FileReport, Severity};
use std::io::{self, Write};

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<checkstyle version="4.3">"#)?;
    for r in reports {
        writeln!(
            out,
            r#"  <file name="{}">"#,
            xml_escape(&display_path(&r.file))
        )?;
        for f in &r.findings {
            let l = f.location(&r.file);
            let severity = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Style => "info",
            };
            writeln!(
                out,
                r#"    <error line="{}" column="{}" severity="{severity}" message="{}" source="plimsoll.{}"/>"#,
                l.line,
                l.column,
                xml_escape(&f.message),
                xml_escape(f.code)
            )?;
        }
        writeln!(out, "  </file>")?;
    }
    writeln!(out, "</checkstyle>")
}

#[cfg(test)]
mod tests {
    #[test]
    fn checkstyle_snapshot() {
        let mut out = Vec::new();
        super::render(&crate::report::testdata::reports(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("&lt;API_TOKEN&gt; &amp; &quot;quotes&quot;"));
        crate::assert_snap!("checkstyle", text);
    }
}

//! Checkstyle XML, as Jenkins, reviewdog and many CI dashboards read it.

use super::{Xml, display_path};
use crate::finding::{FileReport, Severity};
use std::io::{self, Write};

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    render_header(out)?;
    render_files(reports, out)?;
    render_footer(out)
}

/// What comes before the files.
pub(crate) fn render_header(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<checkstyle version="4.3">"#)
}

/// What follows the files.
pub(crate) fn render_footer(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "</checkstyle>")
}

/// One `<file>` element per report, every file (with findings or not).
pub(crate) fn render_files(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    for r in reports {
        writeln!(out, r#"  <file name="{}">"#, Xml(&display_path(&r.file)))?;
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
                Xml(&f.message),
                Xml(f.code)
            )?;
        }
        writeln!(out, "  </file>")?;
    }
    out.flush()
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

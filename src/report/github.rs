//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.

use super::{display_path, located};
use crate::finding::{FileReport, Severity};
use std::io::{self, Write};

/// Escapes a command's message (data).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value, where `:` and `,` are separators too.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for (r, f, l) in located(reports) {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Style => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&display_path(&r.file)),
            l.line,
            l.column,
            l.end_line,
            l.end_column,
            escape_property(&format!("{} {}", f.code, f.name)),
            escape_data(&f.message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn github_snapshot() {
        let mut out = Vec::new();
        super::render(&crate::report::testdata::reports(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("%0A"), "newline escaped");
        assert!(text.contains("100%25"), "percent escaped");
        crate::assert_snap!("github", text);
    }
}

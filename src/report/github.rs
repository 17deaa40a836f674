//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.

use super::display_path;
use crate::finding::{FileReport, Severity};
use std::fmt;
use std::io::{self, Write};

/// A command's message (data) or, with `property`, a property value, where `:` and `,` are
/// separators too; escaped as it is written.
struct Escaped<'a> {
    text: &'a str,
    property: bool,
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let special =
            |b: u8| matches!(b, b'%' | b'\r' | b'\n') || self.property && matches!(b, b':' | b',');
        let mut rest = self.text;
        // All specials are ASCII, so byte positions are character boundaries.
        while let Some(i) = rest.bytes().position(special) {
            f.write_str(&rest[..i])?;
            f.write_str(match rest.as_bytes()[i] {
                b'%' => "%25",
                b'\r' => "%0D",
                b'\n' => "%0A",
                b':' => "%3A",
                _ => "%2C",
            })?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)
    }
}

fn data(text: &str) -> Escaped<'_> {
    Escaped {
        text,
        property: false,
    }
}

fn property(text: &str) -> Escaped<'_> {
    Escaped {
        text,
        property: true,
    }
}

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    for r in reports {
        let path = display_path(&r.file);
        for f in &r.findings {
            let l = f.location(&r.file);
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Style => "notice",
            };
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={} {}::{}",
                property(&path),
                l.line,
                l.column,
                l.end_line,
                l.end_column,
                property(f.code),
                property(f.name),
                data(&f.message)
            )?;
        }
    }
    out.flush()
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

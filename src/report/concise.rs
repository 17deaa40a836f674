//! `file:line:col: severity code message`, one finding per line.

use crate::finding::FileReport;
use std::io::{self, Write};

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    super::write_finding_lines(reports, out, |out, path, loc, f, message| {
        writeln!(
            out,
            "{path}:{}:{}: {} {} {message}",
            loc.line, loc.column, f.severity, f.code
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn concise_snapshot() {
        let mut out = Vec::new();
        super::render(&crate::report::testdata::reports(), &mut out).unwrap();
        crate::assert_snap!("concise", String::from_utf8(out).unwrap());
    }
}

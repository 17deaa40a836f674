//! `file:line:col: severity code message`, one finding per line.

use super::{display_path, located};
use crate::finding::FileReport;
use std::io::{self, Write};

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for (r, f, loc) in located(reports) {
        // One finding per line: a newline inside a message would break line-based tools.
        let message = f.message.replace(['\r', '\n'], " ");
        writeln!(
            out,
            "{}:{}:{}: {} {} {}",
            display_path(&r.file),
            loc.line,
            loc.column,
            f.severity,
            f.code,
            message
        )?;
    }
    Ok(())
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

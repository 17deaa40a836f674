//! The GNU error-message form hadolint's `gnu` format prints, one finding per line:
//! `plimsoll:FILE:LINE: CODE severity: message`, which editors (Emacs' compilation mode, Vim's
//! quickfix) and scripts written for `hadolint -f gnu` read.

use crate::finding::FileReport;
use std::io::{self, Write};

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    super::write_finding_lines(reports, out, |out, path, loc, f, message| {
        writeln!(
            out,
            "plimsoll:{path}:{}: {} {}: {message}",
            loc.line, f.code, f.severity
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn gnu_snapshot() {
        let mut out = Vec::new();
        super::render(&crate::report::testdata::reports(), &mut out).unwrap();
        crate::assert_snap!("gnu", String::from_utf8(out).unwrap());
    }
}

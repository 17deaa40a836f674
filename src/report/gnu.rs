//! The GNU error-message form hadolint's `gnu` format prints, one finding per line:
//! `plimsoll:FILE:LINE: CODE severity: message`, which editors (Emacs' compilation mode, Vim's
//! quickfix) and scripts written for `hadolint -f gnu` read.

use super::display_path;
use crate::finding::FileReport;
use std::io::{self, Write};

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    for r in reports {
        let path = display_path(&r.file);
        for f in &r.findings {
            let loc = f.location(&r.file);
            let message = super::one_line(&f.message);
            writeln!(
                out,
                "plimsoll:{}:{}: {} {}: {}",
                path, loc.line, f.code, f.severity, message
            )?;
        }
    }
    out.flush()
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

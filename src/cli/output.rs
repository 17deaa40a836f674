//! Where a command's report goes: standard output, standard error, or a file written as
//! [`crate::fsio::OutputFile`] writes one (a regular file appears only when complete, so a
//! reader never sees half a report). Written as it is produced: a large report is never held
//! whole in memory.

use crate::fsio::OutputFile;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// A report's destination.
pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    Stderr(BufWriter<io::Stderr>),
    /// `--output FILE`: nothing replaces FILE before [`Output::finish`].
    File(Box<BufWriter<OutputFile>>),
}

/// Large enough that a report goes out in few system calls.
const BUFFER: usize = 1 << 16;

impl Output {
    pub fn stdout() -> Output {
        Output::Stdout(BufWriter::with_capacity(BUFFER, io::stdout()))
    }

    pub fn stderr() -> Output {
        Output::Stderr(BufWriter::with_capacity(BUFFER, io::stderr()))
    }

    /// Starts writing `path`; nothing replaces it before [`Output::finish`].
    pub fn file(path: &Path) -> io::Result<Output> {
        Ok(Output::File(Box::new(BufWriter::with_capacity(
            BUFFER,
            OutputFile::create(path)?,
        ))))
    }

    /// Flushes, and puts a file in place (synced first, so a crash leaves the old file or the
    /// whole new one).
    pub fn finish(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush(),
            Output::Stderr(mut w) => w.flush(),
            Output::File(w) => w.into_inner().map_err(|e| e.into_error())?.finish(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::Stderr(w) => w.write(buf),
            Output::File(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(buf),
            Output::Stderr(w) => w.write_all(buf),
            Output::File(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::Stderr(w) => w.flush(),
            Output::File(w) => w.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_appears_only_when_finished() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("report.txt");
        std::fs::write(&path, "old").unwrap();
        let mut out = Output::file(&path).unwrap();
        out.write_all(b"new ").unwrap();
        out.write_all(b"report").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        out.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new report");
        // Only the report is left in the directory: the temporary file was renamed.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
        crate::fsio::write_output(&path, b"again").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "again");
    }
}

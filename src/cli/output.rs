//! Where a command's report goes: standard output, standard error, or a file written as a
//! temporary file beside it and renamed over it when complete, so a reader never sees half a
//! report. Written as it is produced: a large report is never held whole in memory.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary file in the same directory, renamed over the
/// target, so a reader never sees a half-written file.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut out = Output::file(path)?;
    out.write_all(bytes)?;
    out.finish()
}

/// A report's destination.
pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    Stderr(BufWriter<io::Stderr>),
    /// `--output FILE`: a temporary file in FILE's directory until [`Output::finish`].
    File {
        tmp: BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
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
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".plimsoll-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        Ok(Output::File {
            tmp: BufWriter::with_capacity(BUFFER, tmp),
            path: path.to_path_buf(),
        })
    }

    /// Flushes, and puts a file in place (synced first, so a crash leaves the old file or the
    /// whole new one).
    pub fn finish(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush(),
            Output::Stderr(mut w) => w.flush(),
            Output::File { tmp, path } => {
                let tmp = tmp.into_inner().map_err(|e| e.into_error())?;
                tmp.as_file().sync_all()?;
                tmp.persist(&path).map_err(|e| e.error)?;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::Stderr(w) => w.write(buf),
            Output::File { tmp, .. } => tmp.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(buf),
            Output::Stderr(w) => w.write_all(buf),
            Output::File { tmp, .. } => tmp.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::Stderr(w) => w.flush(),
            Output::File { tmp, .. } => tmp.flush(),
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
        atomic_write(&path, b"again").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "again");
    }
}

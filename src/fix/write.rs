//! Atomic file writes: a temporary file in the same directory, fsync, rename over the original.
//! The original's permissions are kept, a read-only file is reported and left alone, and a file
//! whose bytes changed since they were read is not overwritten.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file's bytes as read before fixing, used to detect a change on disk before writing.
#[derive(Clone, Debug)]
pub struct FileSnapshot {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl FileSnapshot {
    pub fn read(path: &Path) -> io::Result<FileSnapshot> {
        Ok(FileSnapshot {
            path: path.to_path_buf(),
            bytes: fs::read(path)?,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}: changed on disk since it was read; not overwritten", .0.display())]
    Changed(PathBuf),
    #[error("{}: file is read-only; not modified", .0.display())]
    ReadOnly(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Replaces the file `snapshot` was read from with `new`, atomically. Nothing is written when the
/// file's current bytes differ from `snapshot.bytes` or when its permissions forbid writing; a
/// failure at any step leaves the original untouched (the temporary file is removed).
pub fn write_atomic(snapshot: &FileSnapshot, new: &[u8]) -> Result<(), WriteError> {
    // Write through a symlink to its target, so the link survives.
    let path = fs::canonicalize(&snapshot.path).map_err(io_err(&snapshot.path))?;
    let meta = fs::metadata(&path).map_err(io_err(&snapshot.path))?;
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly(snapshot.path.clone()));
    }
    let unchanged = |p: &Path| -> Result<(), WriteError> {
        let current = fs::read(p).map_err(io_err(&snapshot.path))?;
        if current != snapshot.bytes {
            return Err(WriteError::Changed(snapshot.path.clone()));
        }
        Ok(())
    };
    unchanged(&path)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".plimsoll-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err(&snapshot.path))?;
    tmp.write_all(new).map_err(io_err(&snapshot.path))?;
    tmp.as_file()
        .set_permissions(meta.permissions())
        .map_err(io_err(&snapshot.path))?;
    tmp.as_file().sync_all().map_err(io_err(&snapshot.path))?;
    // Check once more just before the rename, to make the race window as small as possible.
    unchanged(&path)?;
    tmp.persist(&path)
        .map_err(|e| io_err(&snapshot.path)(e.error))?;
    // Persist the rename itself; a failure here does not undo the write, so it is ignored.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

//! Reading and writing the files plimsoll is pointed at, with the same rules everywhere.
//!
//! Everything that reads a file a user or a repository names (the files to lint, the `.env` and
//! `extends.file` a compose file names, configuration, baselines, lock files) reads it with
//! [`read_regular`]; everything that writes (`--fix`, `pin`, the lock file, `-o`,
//! `--write-baseline`, `init`) writes with [`rewrite`] or [`write_output`]. This module sits below
//! every other layer, so the fix, registry and CLI code share one writer without importing each
//! other.
//!
//! Reading: only a regular file, after following symbolic links. The file is opened non-blocking
//! and checked on the open handle, so a FIFO, a device or `/proc/kmsg` (a "regular" file whose
//! read blocks) is refused rather than hanging the run, and the read stops at a size and a time
//! limit.
//!
//! Writing: through a symbolic link to the file it names (the link stays a link); a device or a
//! FIFO in place (`-o /dev/null` never replaces the device node); a regular file through a
//! temporary file renamed over it, with its owner and mode (setuid bits included, set after the
//! owner, as `chown` clears them). Where the rename would lose something (a file with other hard
//! links, an owner the temporary file cannot be given), the file is written in place instead; a
//! file that cannot be written either way is refused with a message. [`rewrite`] also refuses a
//! file changed on disk since it was read, a read-only file, and a file outside the [`Roots`]
//! named on the command line.

use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long reading one file may take. Generous: a regular file on a healthy disk takes
/// milliseconds; this stops a file that never ends (or a stalled network mount) from holding
/// the run forever.
pub const READ_TIME_LIMIT: Duration = Duration::from_secs(10);

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// A directory.
    Directory,
    /// Not a regular file (after following links): what it is instead.
    NotRegular(&'static str),
    /// Reading would block (`/proc/kmsg` and other special files that look regular).
    WouldBlock,
    /// Longer than the limit, in bytes.
    TooLarge(usize),
    /// Still not read to its end after [`READ_TIME_LIMIT`].
    TooSlow,
}

impl ReadError {
    /// Whether the file (or a link's target) does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => e.fmt(f),
            ReadError::Directory => f.write_str("is a directory"),
            ReadError::NotRegular(kind) => write!(f, "is a {kind}, not a regular file"),
            ReadError::WouldBlock => {
                f.write_str("reading it would block (a special file, not a regular file)")
            }
            ReadError::TooLarge(max) => write!(f, "larger than {}", size(*max)),
            ReadError::TooSlow => write!(
                f,
                "not read to its end within {} s",
                READ_TIME_LIMIT.as_secs()
            ),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> ReadError {
        if e.kind() == io::ErrorKind::WouldBlock {
            ReadError::WouldBlock
        } else {
            ReadError::Io(e)
        }
    }
}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> io::Error {
        match e {
            ReadError::Io(e) => e,
            other => {
                let kind = match other {
                    ReadError::TooSlow => io::ErrorKind::TimedOut,
                    ReadError::WouldBlock => io::ErrorKind::WouldBlock,
                    _ => io::ErrorKind::InvalidInput,
                };
                io::Error::new(kind, other.to_string())
            }
        }
    }
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file system entry is, for messages.
pub fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "directory";
    }
    if t.is_file() {
        return "regular file";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    "special file"
}

/// Opens `path` for reading without blocking: a FIFO opens at once (and is then refused on its
/// type), and a special file whose reads would block says so instead of hanging.
fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    opts.open(path)
}

/// Reads the regular file at `path` (symbolic links followed): at most `max` bytes, within
/// [`READ_TIME_LIMIT`]. Anything else (a directory, a FIFO, a device, a socket, a file whose read
/// blocks) is refused without waiting on it.
pub fn read_regular(path: &Path, max: usize) -> Result<Vec<u8>, ReadError> {
    let mut file = open_nonblocking(path)?;
    // Checked on the open handle, so the file read is the file checked.
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(ReadError::Directory);
    }
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    // Sized from the file's length (capped), so a small file is one read and one EOF read.
    let hint = (meta.len() as usize).min(max.saturating_add(1));
    let mut bytes = Vec::with_capacity(hint.saturating_add(1));
    let start = Instant::now();
    // Read straight into `bytes`, 64 KiB at most per step so the limits are checked between
    // steps: `read_to_end` fills spare capacity without zeroing it first, where a zeroed 64 KiB
    // scratch buffer per file cost more than reading most Dockerfiles.
    const STEP: u64 = 64 * 1024;
    loop {
        match (&mut file).take(STEP).read_to_end(&mut bytes) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
        if bytes.len() > max {
            return Err(ReadError::TooLarge(max));
        }
        if start.elapsed() > READ_TIME_LIMIT {
            return Err(ReadError::TooSlow);
        }
    }
    Ok(bytes)
}

/// The canonical forms of the paths named on the command line: a file plimsoll rewrites must lie
/// in one of them (a directory root holds everything under it; a named file, itself). Symbolic
/// links in a tree can point anywhere, and following one must not let `--fix` or `pin` rewrite a
/// file outside what the user named.
#[derive(Clone, Debug, Default)]
pub struct Roots {
    roots: Vec<PathBuf>,
    /// No restriction (a file the user named on its own, such as `--lock-file`).
    anywhere: bool,
}

impl Roots {
    /// The roots for `paths` (the current directory when empty). Paths that do not exist name
    /// nothing that could be rewritten.
    pub fn of(paths: &[PathBuf]) -> Roots {
        let default = [PathBuf::from(".")];
        let paths = if paths.is_empty() {
            &default[..]
        } else {
            paths
        };
        Roots {
            roots: paths
                .iter()
                .filter(|p| p.as_os_str() != "-")
                .filter_map(|p| fs::canonicalize(p).ok())
                .collect(),
            anywhere: false,
        }
    }

    /// No restriction.
    pub fn anywhere() -> Roots {
        Roots {
            roots: Vec::new(),
            anywhere: true,
        }
    }

    /// Whether the file at canonical path `file` lies in a root.
    pub fn allows(&self, file: &Path) -> bool {
        self.anywhere || self.roots.iter().any(|r| file.starts_with(r))
    }
}

/// The file `path` names once symbolic links are followed; a dangling link names the file it
/// would create. Relative link targets are taken from the link's directory, as the kernel does.
pub fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // The kernel's own limit on links followed in one lookup.
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Writes `bytes` to `path` as the file a user asked for (`-o`, `--write-baseline`, the lock
/// file, `init`): see [`OutputFile`].
pub fn write_output(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut out = OutputFile::create(path)?;
    out.write_all(bytes)?;
    out.finish()
}

/// A file a user asked for, written piece by piece (a report too large to hold in memory):
/// through a symbolic link to its target, in place for a device or a FIFO (`-o /dev/stdout`),
/// and for a regular file into a temporary file beside it that [`OutputFile::finish`] puts in
/// place, keeping an existing file's mode and owner (or, where renaming would lose its hard
/// links or owner, copying into it). A reader never sees a half-written regular file, and
/// nothing replaces the file unless `finish` is called.
pub struct OutputFile {
    target: PathBuf,
    sink: OutputSink,
}

enum OutputSink {
    /// A device or FIFO, written as it is (never replaced by a regular file).
    Special(File),
    /// A temporary file; `existing` describes the regular file it will replace, if any.
    Temp {
        tmp: tempfile::NamedTempFile,
        existing: Option<Box<Metadata>>,
    },
}

impl OutputFile {
    pub fn create(path: &Path) -> io::Result<OutputFile> {
        let target = resolve_links(path)?;
        let sink = match fs::metadata(&target) {
            Ok(m) if m.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "is a directory",
                ));
            }
            Ok(m) if !m.is_file() => {
                OutputSink::Special(OpenOptions::new().write(true).open(&target)?)
            }
            Ok(m) => OutputSink::Temp {
                tmp: temp_beside(&target, None)?,
                existing: Some(Box::new(m)),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => OutputSink::Temp {
                tmp: temp_beside(&target, Some(0o666))?,
                existing: None,
            },
            Err(e) => return Err(e),
        };
        Ok(OutputFile { target, sink })
    }

    /// Puts the written bytes in place.
    pub fn finish(self) -> io::Result<()> {
        match self.sink {
            OutputSink::Special(mut f) => f.flush(),
            OutputSink::Temp {
                tmp,
                existing: None,
            } => {
                tmp.as_file().sync_all()?;
                tmp.persist(&self.target).map_err(|e| e.error)?;
                sync_dir(&self.target);
                Ok(())
            }
            OutputSink::Temp {
                mut tmp,
                existing: Some(meta),
            } => {
                let method = if has_other_links(&meta) {
                    Method::InPlace
                } else {
                    keep_owner_and_mode(tmp.as_file(), &meta)?
                };
                match method {
                    Method::InPlace => {
                        use std::io::Seek;
                        tmp.as_file_mut().seek(io::SeekFrom::Start(0))?;
                        write_in_place_from(&self.target, &meta, tmp.as_file_mut())
                    }
                    Method::Rename => {
                        tmp.as_file().sync_all()?;
                        tmp.persist(&self.target).map_err(|e| e.error)?;
                        sync_dir(&self.target);
                        Ok(())
                    }
                }
            }
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            OutputSink::Special(f) => f.write(buf),
            OutputSink::Temp { tmp, .. } => tmp.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            OutputSink::Special(f) => f.flush(),
            OutputSink::Temp { tmp, .. } => tmp.flush(),
        }
    }
}

/// Creates `path` with `bytes` (mode 0666 less the umask, as any new file), through a temporary
/// file renamed into place. With `no_clobber`, a file someone created meanwhile is not replaced.
pub fn create(path: &Path, bytes: &[u8], no_clobber: bool) -> io::Result<()> {
    let mut tmp = temp_beside(path, Some(0o666))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if no_clobber {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    } else {
        tmp.persist(path).map_err(|e| e.error)?;
    }
    sync_dir(path);
    Ok(())
}

/// A temporary file in `path`'s directory; `mode` as the file is created (the umask applies).
fn temp_beside(path: &Path, mode: Option<u32>) -> io::Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut b = tempfile::Builder::new();
    b.prefix(".plimsoll-").suffix(".tmp");
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    b.tempfile_in(dir)
}

fn sync_dir(path: &Path) {
    // Persist the rename itself; a failure here does not undo the write, so it is ignored.
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// How a regular file is replaced.
#[derive(Debug, PartialEq, Eq)]
enum Method {
    /// A temporary file renamed over it (atomic).
    Rename,
    /// Truncated and written where it is: keeps hard links, owner and mode.
    InPlace,
}

/// Replaces the regular file `target` (symbolic links already followed) whose metadata is
/// `meta` with `bytes`, keeping its owner and mode, calling `still_same` just before the file is changed (to refuse a file that
/// changed on disk meanwhile).
fn replace_with(
    target: &Path,
    meta: &Metadata,
    bytes: &[u8],
    still_same: &mut dyn FnMut() -> io::Result<()>,
) -> io::Result<()> {
    if has_other_links(meta) {
        still_same()?;
        return write_in_place(target, meta, bytes);
    }
    let mut tmp = temp_beside(target, None)?;
    tmp.write_all(bytes)?;
    match keep_owner_and_mode(tmp.as_file(), meta)? {
        Method::InPlace => {
            drop(tmp);
            still_same()?;
            write_in_place(target, meta, bytes)
        }
        Method::Rename => {
            tmp.as_file().sync_all()?;
            still_same()?;
            tmp.persist(target).map_err(|e| e.error)?;
            sync_dir(target);
            Ok(())
        }
    }
}

#[cfg(unix)]
fn has_other_links(meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() > 1
}

#[cfg(not(unix))]
fn has_other_links(_meta: &Metadata) -> bool {
    false
}

/// Gives the temporary file `tmp` the owner and mode of the file it replaces. The owner first:
/// changing it clears setuid and setgid bits, which the mode then restores (for the right
/// owner, so a root run never leaves a setuid file owned by root). When the owner cannot be
/// given (not root), the file is to be written in place instead.
#[cfg(unix)]
fn keep_owner_and_mode(tmp: &File, meta: &Metadata) -> io::Result<Method> {
    use std::os::unix::fs::MetadataExt;
    let mine = tmp.metadata()?;
    let uid = (mine.uid() != meta.uid()).then_some(meta.uid());
    let gid = (mine.gid() != meta.gid()).then_some(meta.gid());
    if (uid.is_some() || gid.is_some()) && std::os::unix::fs::fchown(tmp, uid, gid).is_err() {
        return Ok(Method::InPlace);
    }
    tmp.set_permissions(meta.permissions())?;
    // The kernel may drop a setgid bit the caller may not set; then the mode is not kept.
    if tmp.metadata()?.mode() != meta.mode() {
        return Ok(Method::InPlace);
    }
    Ok(Method::Rename)
}

#[cfg(not(unix))]
fn keep_owner_and_mode(tmp: &File, meta: &Metadata) -> io::Result<Method> {
    tmp.set_permissions(meta.permissions())?;
    Ok(Method::Rename)
}

/// Writes `bytes` over the file at `target`, which must still be the file `meta` describes.
/// Not atomic (a crash midway leaves a partial file), so used only where renaming a new file
/// into place would lose the file's hard links or owner.
fn write_in_place(target: &Path, meta: &Metadata, bytes: &[u8]) -> io::Result<()> {
    write_in_place_from(target, meta, &mut &bytes[..])
}

/// [`write_in_place`] with the new bytes read from `from`.
fn write_in_place_from(target: &Path, meta: &Metadata, from: &mut dyn Read) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(target).map_err(|e| {
        if e.kind() == io::ErrorKind::PermissionDenied {
            io::Error::new(
                e.kind(),
                "not writable by this user, and replacing it would change its owner",
            )
        } else {
            e
        }
    })?;
    if !same_file(&f.metadata()?, meta) {
        return Err(io::Error::other("replaced on disk while being written"));
    }
    f.set_len(0)?;
    io::copy(from, &mut f)?;
    f.sync_all()
}

#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_a: &Metadata, _b: &Metadata) -> bool {
    true
}

/// A file's bytes as read before changing it, to detect a change on disk before writing.
#[derive(Clone, Debug)]
pub struct FileSnapshot {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl FileSnapshot {
    /// Reads `path` with [`read_regular`] (at most [`crate::source::MAX_FILE_SIZE`] bytes).
    pub fn read(path: &Path) -> Result<FileSnapshot, ReadError> {
        Ok(FileSnapshot {
            path: path.to_path_buf(),
            bytes: read_regular(path, crate::source::MAX_FILE_SIZE)?,
        })
    }
}

/// Why [`rewrite`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}: changed on disk since it was read; not overwritten", .0.display())]
    Changed(PathBuf),
    #[error("{}: file is read-only; not modified", .0.display())]
    ReadOnly(PathBuf),
    #[error(
        "{}: resolves to {}, outside the paths named on the command line; not modified",
        .path.display(),
        .target.display()
    )]
    Outside { path: PathBuf, target: PathBuf },
    #[error("{}: {source}; not modified", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Replaces the file `snapshot` was read from with `new`: through symbolic links, in place for a
/// device, FIFO or hard-linked file, else atomically by rename, keeping owner and mode (see the
/// module documentation). Nothing is written when the file's bytes differ from
/// `snapshot.bytes`, when it is read-only, or when it lies outside `roots`; a failure at any
/// step leaves the original untouched.
pub fn rewrite(snapshot: &FileSnapshot, new: &[u8], roots: &Roots) -> Result<(), WriteError> {
    let shown = &snapshot.path;
    let io_err = |source: io::Error| WriteError::Io {
        path: shown.clone(),
        source,
    };
    let target = resolve_links(shown).map_err(io_err)?;
    let meta = fs::metadata(&target).map_err(io_err)?;
    if !roots.allows(&fs::canonicalize(&target).map_err(io_err)?) {
        return Err(WriteError::Outside {
            path: shown.clone(),
            target,
        });
    }
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly(shown.clone()));
    }
    if meta.is_dir() {
        return Err(io_err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        )));
    }
    if !meta.is_file() {
        // A device or FIFO is written as it is, never replaced by a regular file.
        let mut f = OpenOptions::new()
            .write(true)
            .open(&target)
            .map_err(io_err)?;
        return f.write_all(new).and_then(|()| f.flush()).map_err(io_err);
    }
    let unchanged = |changed: &mut bool| -> io::Result<()> {
        let current = read_regular(&target, crate::source::MAX_FILE_SIZE)?;
        if current != snapshot.bytes {
            *changed = true;
            return Err(io::Error::other("changed on disk"));
        }
        Ok(())
    };
    let mut changed = false;
    unchanged(&mut changed).map_err(|e| {
        if changed {
            WriteError::Changed(shown.clone())
        } else {
            io_err(e)
        }
    })?;
    // Checked once more just before the file changes, to make the race window small.
    let result = replace_with(&target, &meta, new, &mut || unchanged(&mut changed));
    match result {
        Ok(()) => Ok(()),
        Err(_) if changed => Err(WriteError::Changed(shown.clone())),
        Err(e) => Err(io_err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a");
        fs::write(&p, "hello").unwrap();
        assert_eq!(read_regular(&p, 10).unwrap(), b"hello");
        assert!(matches!(read_regular(&p, 4), Err(ReadError::TooLarge(4))));
        assert!(matches!(
            read_regular(dir.path(), 10),
            Err(ReadError::Directory)
        ));
        #[cfg(unix)]
        {
            let e = read_regular(Path::new("/dev/zero"), 10).unwrap_err();
            assert_eq!(e.to_string(), "is a character device, not a regular file");
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&p, &link).unwrap();
            assert_eq!(read_regular(&link, 10).unwrap(), b"hello");
        }
        assert!(
            read_regular(&dir.path().join("none"), 10)
                .unwrap_err()
                .is_not_found()
        );
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_links_and_keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        write_output(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).unwrap(), b"new");
        let mode = fs::metadata(&real).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o640);
        // A dangling link names the file to create.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("made.txt", &dangling).unwrap();
        write_output(&dangling, b"x").unwrap();
        assert_eq!(fs::read(dir.path().join("made.txt")).unwrap(), b"x");
        // A device is written in place, never replaced.
        write_output(Path::new("/dev/null"), b"discarded").unwrap();
        let null = fs::metadata("/dev/null").unwrap();
        assert_eq!(kind_of(&null), "character device");
    }

    #[cfg(unix)]
    #[test]
    fn a_hard_linked_file_is_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        fs::write(&a, "old").unwrap();
        fs::hard_link(&a, &b).unwrap();
        let snap = FileSnapshot::read(&a).unwrap();
        rewrite(&snap, b"new", &Roots::anywhere()).unwrap();
        assert_eq!(fs::read(&b).unwrap(), b"new", "the link is kept");
    }

    #[test]
    fn rewrite_refuses_changed_files_and_files_outside_the_roots() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("in");
        fs::create_dir(&inside).unwrap();
        let p = dir.path().join("f");
        fs::write(&p, "old").unwrap();
        let snap = FileSnapshot::read(&p).unwrap();
        let roots = Roots::of(std::slice::from_ref(&inside));
        assert!(matches!(
            rewrite(&snap, b"new", &roots),
            Err(WriteError::Outside { .. })
        ));
        fs::write(&p, "other").unwrap();
        assert!(matches!(
            rewrite(&snap, b"new", &Roots::of(&[dir.path().to_path_buf()])),
            Err(WriteError::Changed(_))
        ));
        assert_eq!(fs::read(&p).unwrap(), b"other");
    }
}

//! What a compose file is loaded in besides its own text: the variables interpolation reads
//! ([`Env`]) and the files the compose file names (the `.env` beside it, `extends.file`), read
//! through a [`ComposeFiles`] the caller passes in. The model never opens a file itself.
//!
//! [`DiskFiles`] reads them from the disk with [`crate::fsio::read_regular`]'s rules (a regular
//! file only, a size and a time limit); [`DiskFiles::cached`] also keeps each file it parsed for
//! the rest of the run, so a thousand services extending one large file parse it once.
//! [`MemFiles`] serves files from memory (tests, fuzzing).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use crate::source::LineIndex;
use crate::syntax::compose::yaml::{self, Yaml};

/// Largest file a compose file may make plimsoll read (`.env`, `extends.file`).
pub const MAX_NAMED_FILE: usize = crate::source::MAX_FILE_SIZE;

/// A file `extends` names, parsed: its tree and the line index that locates its values.
#[derive(Debug)]
pub struct ParsedFile {
    pub yaml: Yaml,
    pub lines: LineIndex,
}

impl ParsedFile {
    pub fn parse(text: &str) -> ParsedFile {
        ParsedFile {
            yaml: yaml::parse(text),
            lines: LineIndex::new(text),
        }
    }
}

/// Why a named file could not be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileError {
    /// There is no such file.
    Missing,
    /// A symbolic link whose target does not exist (mailcow ships `.env -> mailcow.conf`, made
    /// by its setup script).
    Dangling { target: PathBuf },
    /// It exists but cannot be read as a file (the reason).
    Unreadable(String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Missing => f.write_str("No such file or directory"),
            FileError::Dangling { target } => write!(
                f,
                "a symbolic link to {}, which does not exist",
                target.display()
            ),
            FileError::Unreadable(why) => f.write_str(why),
        }
    }
}

/// How the compose model gets the files a compose file names.
pub trait ComposeFiles: Send + Sync {
    /// The text of a file (the `.env` beside a compose file), decoded as UTF-8 (invalid bytes
    /// read as U+FFFD).
    fn text(&self, path: &Path) -> Result<Arc<str>, FileError>;

    /// A file `extends` names, parsed.
    fn parsed(&self, path: &Path) -> Result<Arc<ParsedFile>, FileError>;

    /// What the user should hear about the files read (a dangling `.env`), once each.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }

    /// What is at `path`, if anything (a symbolic link is followed).
    fn entry(&self, path: &Path) -> Option<EntryKind>;
}

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
}

/// Files from the disk.
pub struct DiskFiles {
    /// Per path, the file's text and parsed tree once read (a run's cache); `None` reads
    /// afresh each time (a language server, whose files change while it runs).
    cache: Option<Cache>,
    notes: Mutex<Vec<String>>,
}

type Slot<T> = Arc<OnceLock<Result<Arc<T>, FileError>>>;

#[derive(Default)]
struct Cache {
    texts: Mutex<HashMap<PathBuf, Slot<str>>>,
    parsed: Mutex<HashMap<PathBuf, Slot<ParsedFile>>>,
}

impl DiskFiles {
    /// Reads every time it is asked.
    pub fn uncached() -> DiskFiles {
        DiskFiles {
            cache: None,
            notes: Mutex::new(Vec::new()),
        }
    }

    /// Reads and parses each file once, for the life of this value (one run).
    pub fn cached() -> DiskFiles {
        DiskFiles {
            cache: Some(Cache::default()),
            notes: Mutex::new(Vec::new()),
        }
    }

    fn read(&self, path: &Path) -> Result<Arc<str>, FileError> {
        match crate::fsio::read_regular(path, MAX_NAMED_FILE) {
            Ok(bytes) => Ok(Arc::from(crate::source::decode(bytes).0)),
            Err(e) if e.is_not_found() => match std::fs::read_link(path) {
                Ok(target) => {
                    let note = format!(
                        "{}: a symbolic link to {}, which does not exist; read as if absent, as \
                         docker compose does",
                        path.display(),
                        target.display()
                    );
                    let mut notes = lock(&self.notes);
                    if !notes.contains(&note) {
                        notes.push(note);
                    }
                    Err(FileError::Dangling { target })
                }
                Err(_) => Err(FileError::Missing),
            },
            Err(e) => Err(FileError::Unreadable(e.to_string())),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The value in `map`'s slot for `path`, made by `make` the first time (a caller asking while
/// another makes it waits for that answer rather than making it again).
fn once<T: ?Sized>(
    map: &Mutex<HashMap<PathBuf, Slot<T>>>,
    path: &Path,
    make: impl FnOnce() -> Result<Arc<T>, FileError>,
) -> Result<Arc<T>, FileError> {
    // Keyed by the file, so `./a.yml` and `a.yml` are one entry.
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let slot = Arc::clone(lock(map).entry(key).or_default());
    slot.get_or_init(make).clone()
}

impl ComposeFiles for DiskFiles {
    fn text(&self, path: &Path) -> Result<Arc<str>, FileError> {
        match &self.cache {
            Some(c) => once(&c.texts, path, || self.read(path)),
            None => self.read(path),
        }
    }

    fn parsed(&self, path: &Path) -> Result<Arc<ParsedFile>, FileError> {
        let parse = || self.text(path).map(|t| Arc::new(ParsedFile::parse(&t)));
        match &self.cache {
            Some(c) => once(&c.parsed, path, parse),
            None => parse(),
        }
    }

    fn notes(&self) -> Vec<String> {
        lock(&self.notes).clone()
    }

    fn entry(&self, path: &Path) -> Option<EntryKind> {
        // Not cached: a handful of paths per project, and a language server wants them fresh.
        let m = std::fs::metadata(path).ok()?;
        Some(if m.is_dir() {
            EntryKind::Dir
        } else {
            EntryKind::File
        })
    }
}

/// Files held in memory, by path (for tests and fuzzing: results depend on nothing else).
#[derive(Default)]
pub struct MemFiles {
    files: HashMap<PathBuf, String>,
}

impl MemFiles {
    pub fn new() -> MemFiles {
        MemFiles::default()
    }

    pub fn with(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> MemFiles {
        self.files.insert(path.into(), text.into());
        self
    }

    /// A default environment reading only `files` (path, text), for tests.
    pub fn env_of(files: &[(&str, &str)]) -> Env {
        let held = files
            .iter()
            .fold(MemFiles::new(), |m, (p, t)| m.with(*p, *t));
        Env::new().with_files(Arc::new(held))
    }
}

impl ComposeFiles for MemFiles {
    fn text(&self, path: &Path) -> Result<Arc<str>, FileError> {
        self.files
            .get(path)
            .map(|t| Arc::from(t.as_str()))
            .ok_or(FileError::Missing)
    }

    fn parsed(&self, path: &Path) -> Result<Arc<ParsedFile>, FileError> {
        self.text(path).map(|t| Arc::new(ParsedFile::parse(&t)))
    }

    /// A held file, or a directory holding one.
    fn entry(&self, path: &Path) -> Option<EntryKind> {
        if self.files.contains_key(path) {
            return Some(EntryKind::File);
        }
        let mut files = self.files.keys();
        files
            .any(|f| f.starts_with(path) && f != path)
            .then_some(EntryKind::Dir)
    }
}

/// What a compose file is loaded in: the variables interpolation reads (the process
/// environment, passed in explicitly so results do not depend on the machine unless asked) and
/// where the files it names come from.
#[derive(Clone)]
pub struct Env {
    /// Process environment; wins over the `.env` file.
    pub vars: HashMap<String, String>,
    pub files: Arc<dyn ComposeFiles>,
    /// The compose files named on the command line (`check -f a.yaml -f b.yaml`), in merge
    /// order: one project. Other files form the default project of their directory
    /// ([`super::project::project_files`]).
    pub project: Option<Arc<[PathBuf]>>,
    /// The active profiles (`--profile`, `COMPOSE_PROFILES`): findings are kept only for the
    /// services they enable ([`super::profiles`]). `None` lints every service.
    pub profiles: Option<Arc<[String]>>,
    /// How each file another compose file `include:`s is loaded: its project directory and the
    /// dotenv files its interpolation reads ([`super::include`]).
    pub includes: Option<Arc<super::include::Included>>,
}

/// Reads from the disk afresh each time; shared, so that two default environments are equal.
static DEFAULT_FILES: LazyLock<Arc<dyn ComposeFiles>> =
    LazyLock::new(|| Arc::new(DiskFiles::uncached()));

impl Default for Env {
    fn default() -> Env {
        Env {
            vars: HashMap::new(),
            files: Arc::clone(&DEFAULT_FILES),
            project: None,
            profiles: None,
            includes: None,
        }
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.vars.keys().collect();
        names.sort();
        f.debug_struct("Env")
            .field("vars", &names)
            .finish_non_exhaustive()
    }
}

/// Equal when the variables are, and the files come from the same source.
impl PartialEq for Env {
    fn eq(&self, other: &Env) -> bool {
        self.vars == other.vars
            && Arc::ptr_eq(&self.files, &other.files)
            && self.project == other.project
            && self.profiles == other.profiles
            && match (&self.includes, &other.includes) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (a, b) => a.is_none() && b.is_none(),
            }
    }
}

impl Env {
    /// No variables; files from the disk.
    pub fn new() -> Env {
        Env::default()
    }

    /// The current process environment (for the CLI and the language server).
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars().collect(),
            ..Env::default()
        }
    }

    pub fn with_var(mut self, name: &str, value: &str) -> Env {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }

    /// Files from `files` instead of the disk afresh each time.
    pub fn with_files(mut self, files: Arc<dyn ComposeFiles>) -> Env {
        self.files = files;
        self
    }

    /// A variable of the process environment.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_loader_parses_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("base.yml");
        std::fs::write(&p, "services:\n  a:\n    image: x\n").unwrap();
        let files = DiskFiles::cached();
        let a = files.parsed(&p).unwrap();
        std::fs::write(&p, "services: {}\n").unwrap();
        let b = files.parsed(&dir.path().join("./base.yml")).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        // Uncached: the new text.
        let c = DiskFiles::uncached().parsed(&p).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_absent_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join(".env");
        std::os::unix::fs::symlink("mailcow.conf", &env).unwrap();
        let files = DiskFiles::cached();
        assert!(matches!(files.text(&env), Err(FileError::Dangling { .. })));
        assert!(matches!(files.text(&env), Err(FileError::Dangling { .. })));
        let notes = files.notes();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("mailcow.conf"), "{notes:?}");
        assert_eq!(
            files.text(&dir.path().join("none")),
            Err(FileError::Missing)
        );
    }
}

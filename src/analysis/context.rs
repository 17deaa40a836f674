//! The build context of a Dockerfile: the `.dockerignore` that `docker build` applies to it.
//!
//! plimsoll takes the Dockerfile's directory as the build context (what `docker build .` next to
//! it, and compose's default `context`, use). As BuildKit does, a `<Dockerfile>.dockerignore`
//! beside the Dockerfile (`Dockerfile.dockerignore`, `api.Dockerfile.dockerignore`) wins over
//! the context's `.dockerignore`.

use crate::syntax::dockerignore::DockerIgnore;
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Larger ignore files are not read (no real one comes near): linting stays bounded.
const MAX_IGNORE_FILE: usize = 1024 * 1024;

/// A `.dockerignore` and the name of the file it was read from.
#[derive(Clone, Debug)]
pub struct ContextIgnore {
    /// `.dockerignore` or `<Dockerfile>.dockerignore`.
    pub name: String,
    pub patterns: DockerIgnore,
}

/// Directories with more entries than this are not listed (the lookups open the files).
const MAX_LISTED: usize = 65_536;

static SNAPSHOT: AtomicBool = AtomicBool::new(false);

/// For the rest of the process, answers "is there an ignore file here" from one listing of each
/// directory, taken when first asked. For a one-shot `plimsoll check`: every Dockerfile asked
/// for two ignore files, almost always absent, and on the shared corpus those 900 failed opens
/// (454 Dockerfiles in one directory) were a tenth of the run's system time. Never in the
/// language server, whose files change while it runs.
pub fn snapshot_directories() {
    SNAPSHOT.store(true, Ordering::Relaxed);
}

/// What is known of a directory's names during a snapshot.
enum Listed {
    /// Asked once: answered by opening the files (a run of one Dockerfile would pay more for
    /// listing a large directory than for two failed opens).
    AskedOnce,
    /// Asked again: listed (`None` when the listing failed or was too large).
    Names(Option<Arc<HashSet<OsString>>>),
}

/// The names in `dir`, listed once per process from the second time it is asked; `None` when
/// not snapshotting, the first time, or when the listing failed or was too large (then the
/// caller opens the files).
fn listing(dir: &Path) -> Option<Arc<HashSet<OsString>>> {
    static LISTINGS: OnceLock<Mutex<HashMap<PathBuf, Listed>>> = OnceLock::new();
    if !SNAPSHOT.load(Ordering::Relaxed) {
        return None;
    }
    let mut all = LISTINGS.get_or_init(Mutex::default).lock().ok()?;
    match all.get(dir) {
        None => {
            all.insert(dir.to_path_buf(), Listed::AskedOnce);
            None
        }
        Some(Listed::Names(names)) => names.clone(),
        Some(Listed::AskedOnce) => {
            let names = list(dir).map(Arc::new);
            all.insert(dir.to_path_buf(), Listed::Names(names.clone()));
            names
        }
    }
}

fn list(dir: &Path) -> Option<HashSet<OsString>> {
    let mut names = HashSet::new();
    for entry in std::fs::read_dir(dir).ok()? {
        names.insert(entry.ok()?.file_name());
        if names.len() > MAX_LISTED {
            return None;
        }
    }
    Some(names)
}

/// The `.dockerignore` that applies to the Dockerfile at `dockerfile`, if one exists and has
/// patterns.
pub fn dockerignore_for(dockerfile: &Path) -> Option<ContextIgnore> {
    let dir = match dockerfile.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let listed = listing(&dir);
    dockerignore_with(dockerfile, &dir, listed.as_deref())
}

/// [`dockerignore_for`] with the listing of the Dockerfile's directory, when there is one.
fn dockerignore_with(
    dockerfile: &Path,
    dir: &Path,
    listed: Option<&HashSet<OsString>>,
) -> Option<ContextIgnore> {
    let mut own = dockerfile.as_os_str().to_owned();
    own.push(".dockerignore");
    let own = PathBuf::from(own);
    // Without a listing, or when the listing has the name, the file is read (a read that fails
    // is an absence either way).
    let may_exist = |path: &Path| match (listed, path.file_name()) {
        (Some(names), Some(name)) => names.contains(name),
        _ => true,
    };
    let shared = dir.join(".dockerignore");
    let (path, text) = match may_exist(&own).then(|| read_small(&own)).flatten() {
        Some(t) => (own, t),
        None => {
            let t = may_exist(&shared).then(|| read_small(&shared)).flatten()?;
            (shared, t)
        }
    };
    let patterns = DockerIgnore::parse(&text);
    let name = path.file_name().map_or_else(
        || ".dockerignore".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    (!patterns.patterns.is_empty() || patterns.refused.is_some())
        .then_some(ContextIgnore { name, patterns })
}

/// The ignore file's text: a regular file only (a FIFO or device named `.dockerignore` is not
/// waited on), read through [`crate::fsio`] within its size and time limits.
fn read_small(path: &Path) -> Option<String> {
    let bytes = crate::fsio::read_regular(path, MAX_IGNORE_FILE).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dockerfiles_own_ignore_file_wins() {
        let dir = tempfile::tempdir().unwrap();
        let df = dir.path().join("api.Dockerfile");
        std::fs::write(&df, "FROM scratch\n").unwrap();
        assert!(dockerignore_for(&df).is_none());
        std::fs::write(dir.path().join(".dockerignore"), "*.log\n").unwrap();
        let shared = dockerignore_for(&df).unwrap();
        assert_eq!(shared.name, ".dockerignore");
        assert!(shared.patterns.excludes("a.log"));
        std::fs::write(dir.path().join("api.Dockerfile.dockerignore"), "*.tmp\n").unwrap();
        let own = dockerignore_for(&df).unwrap();
        assert_eq!(own.name, "api.Dockerfile.dockerignore");
        assert!(own.patterns.excludes("a.tmp") && !own.patterns.excludes("a.log"));
        std::fs::write(
            dir.path().join("api.Dockerfile.dockerignore"),
            "# nothing\n\n",
        )
        .unwrap();
        assert!(
            dockerignore_for(&df).is_none(),
            "an ignore file without patterns is none"
        );
    }

    /// With a snapshot, an ignore file is looked up in one listing of its directory; the
    /// answers are those of the lookups that open the files.
    #[test]
    fn a_directory_snapshot_gives_the_same_answers() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a.Dockerfile"),
            dir.path().join("b.Dockerfile"),
            dir.path().join("sub").join("Dockerfile"),
        );
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for df in [&a, &b, &c] {
            std::fs::write(df, "FROM scratch\n").unwrap();
        }
        std::fs::write(dir.path().join(".dockerignore"), "*.log\n").unwrap();
        std::fs::write(dir.path().join("b.Dockerfile.dockerignore"), "*.tmp\n").unwrap();
        let names = |df: &Path| dockerignore_for(df).map(|i| i.name);
        let opened: Vec<_> = [&a, &b, &c].map(|df| names(df)).to_vec();
        // Not the process-wide snapshot: the other tests here change their directories.
        let listed: Vec<_> = [&a, &b, &c]
            .map(|df| {
                let dir = df.parent().unwrap();
                dockerignore_with(df, dir, list(dir).as_ref()).map(|i| i.name)
            })
            .to_vec();
        assert_eq!(opened, listed);
        assert_eq!(
            listed,
            [
                Some(".dockerignore".to_string()),
                Some("b.Dockerfile.dockerignore".to_string()),
                None
            ]
        );
    }

    /// A FIFO where the ignore file would be is not read (opening it blocking would hang the
    /// lint until something wrote to it).
    #[cfg(unix)]
    #[test]
    fn a_fifo_ignore_file_is_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let df = dir.path().join("Dockerfile");
        std::fs::write(&df, "FROM scratch\n").unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.path().join(".dockerignore"))
            .status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        assert!(dockerignore_for(&df).is_none());
    }
}

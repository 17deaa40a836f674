//! The build context of a Dockerfile: the `.dockerignore` that `docker build` applies to it.
//!
//! plimsoll takes the Dockerfile's directory as the build context (what `docker build .` next to
//! it, and compose's default `context`, use). As BuildKit does, a `<Dockerfile>.dockerignore`
//! beside the Dockerfile (`Dockerfile.dockerignore`, `api.Dockerfile.dockerignore`) wins over
//! the context's `.dockerignore`.

use crate::syntax::dockerignore::DockerIgnore;
use std::path::{Path, PathBuf};

/// Larger ignore files are not read (no real one comes near): linting stays bounded.
const MAX_IGNORE_FILE: usize = 1024 * 1024;

/// A `.dockerignore` and the name of the file it was read from.
#[derive(Clone, Debug)]
pub struct ContextIgnore {
    /// `.dockerignore` or `<Dockerfile>.dockerignore`.
    pub name: String,
    pub patterns: DockerIgnore,
}

/// The `.dockerignore` that applies to the Dockerfile at `dockerfile`, if one exists and has
/// patterns.
pub fn dockerignore_for(dockerfile: &Path) -> Option<ContextIgnore> {
    let dir = match dockerfile.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut own = dockerfile.as_os_str().to_owned();
    own.push(".dockerignore");
    let own = PathBuf::from(own);
    let (path, text) = match read_small(&own) {
        Some(t) => (own, t),
        None => {
            let shared = dir.join(".dockerignore");
            let t = read_small(&shared)?;
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

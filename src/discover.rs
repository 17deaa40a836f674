//! Finding and reading the files to lint.
//!
//! Directories are walked with the `ignore` crate: `.gitignore` (inside a git repository or
//! not), `.ignore` and hidden files are honoured. A symbolic link to a file is linted like the
//! file; a symbolic link to a directory is not walked unless `--follow-links` asks for it (a
//! `vendor -> /elsewhere` or `root -> /` link would take the run out of the tree), and then
//! loops are reported. A walked file is linted when its name is recognised ([`FileKind::detect`]) or a
//! configuration's `[file-kinds]` glob names it. A file named on the command line is always
//! linted: as `--file-kind`, else its recognised kind, else compose for `.yaml`/`.yml` and
//! Dockerfile for anything else. `-` reads standard input (named by `--stdin-filename`).
//!
//! Errors (unreadable paths, a directory named like a Dockerfile, symlink loops) are collected,
//! not fatal: the caller prints each on stderr, lints everything else, and exits 2.

use crate::fsio::{self, ReadError};
use crate::source::{self, FileKind, MAX_FILE_SIZE, SourceFile};
use crate::syntax::compose::yaml::NodeId;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A file to lint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The path as reported (the `--stdin-filename` for standard input).
    pub path: PathBuf,
    pub kind: FileKind,
    /// Read from standard input.
    pub stdin: bool,
}

/// What the walk found: files to lint and error messages (`path: problem`).
#[derive(Debug, Default)]
pub struct Discovery {
    pub targets: Vec<Target>,
    pub errors: Vec<String>,
}

/// Whether a directory walk skips a path it meets (a configuration's `exclude`).
pub type Excluder = std::sync::Arc<dyn Fn(&Path) -> bool + Send + Sync>;

pub struct Options<'a> {
    /// `--file-kind`: the kind of every file named on the command line.
    pub file_kind: Option<FileKind>,
    /// `--stdin-filename`.
    pub stdin_filename: Option<PathBuf>,
    /// The kind a configuration's `[file-kinds]` gives a path, if any.
    pub kind_for: &'a (dyn Fn(&Path) -> Option<FileKind> + Sync),
    /// Files and directories a walk skips; never a path named on the command line.
    pub exclude: Option<Excluder>,
    /// `--follow-links`: walk into directories that symbolic links name.
    pub follow_links: bool,
}

/// Guess for a named file with an unrecognised name.
fn guess(path: &Path) -> FileKind {
    let lower = path.to_string_lossy().to_ascii_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        FileKind::Compose
    } else {
        FileKind::Dockerfile
    }
}

/// Finds the files under `paths` (the current directory when empty).
pub fn discover(paths: &[PathBuf], opts: &Options<'_>) -> Discovery {
    let mut d = Discovery::default();
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    // A named path whose name marks it as a Dockerfile or compose file is linted as a file, never
    // walked, so it needs no `stat` here: reading it finds out whether it is there and is a file
    // ([`read`] says "is a directory" as this would). That saves a system call a file on the
    // long lists a shell glob or a pre-commit batch passes. Other paths may be directories to
    // walk: one `stat` each, on all threads for a long list.
    let needs_stat = |p: &PathBuf| p.as_os_str() != "-" && !named_like_file(p);
    let metadata = |p: &PathBuf| needs_stat(p).then(|| std::fs::metadata(p));
    let stats: Vec<_> = if paths.iter().filter(|p| needs_stat(p)).nth(63).is_some() {
        paths.par_iter().map(metadata).collect()
    } else {
        paths.iter().map(metadata).collect()
    };
    for (path, stat) in paths.iter().zip(stats) {
        if path.as_os_str() == "-" {
            let name = opts
                .stdin_filename
                .clone()
                .unwrap_or_else(|| PathBuf::from("-"));
            let kind = opts
                .file_kind
                .or_else(|| FileKind::detect(&name))
                .or_else(|| (opts.kind_for)(&name))
                .unwrap_or_else(|| guess(&name));
            d.targets.push(Target {
                path: name,
                kind,
                stdin: true,
            });
            continue;
        }
        match stat {
            Some(Err(e)) => d.errors.push(format!("{}: {e}", path.display())),
            Some(Ok(m)) if m.is_dir() => walk(path, opts, &mut d),
            // Not stat'ed (named like a file) or not a directory: a file to lint.
            _ => {
                let kind = opts
                    .file_kind
                    .or_else(|| FileKind::detect(path))
                    .or_else(|| (opts.kind_for)(path))
                    .unwrap_or_else(|| guess(path));
                d.targets.push(Target {
                    path: path.clone(),
                    kind,
                    stdin: false,
                });
            }
        }
    }
    sort_and_dedupe(&mut d.targets);
    d
}

/// Adds the dotenv files the compose files among `d.targets` read, as `docker compose` does
/// for a project: the `.env` beside each compose file (interpolation) and each service's
/// `env_file:` (the container's environment). They hold the project's secrets more often than
/// the compose file does, and a walk skips them (`.env` is hidden; an `env_file` may have any
/// name). A file the configuration excludes, or one the repository ignores (`.gitignore`,
/// `.ignore`) and its git index does not track, is not committed with the project, and is left
/// out: keeping secrets there is the advice, not a finding. A tracked file is committed whatever
/// `.gitignore` says ([`crate::git_index`]).
///
/// A compose file another includes (`included`) reads the dotenv files of its include context
/// instead of the `.env` beside it, and its relative paths resolve from its project directory.
pub fn add_project_env_files(
    d: &mut Discovery,
    exclude: Option<&Excluder>,
    included: Option<&crate::model::compose::include::Included>,
) {
    let mut found: Vec<PathBuf> = Vec::new();
    // The compose files to read: those found, then those they `include:` (linted too, as
    // part of the project, whatever their names), and so on.
    let mut compose: Vec<PathBuf> = d
        .targets
        .iter()
        .filter(|t| t.kind == FileKind::Compose && !t.stdin)
        .map(|t| normalise(&t.path))
        .collect();
    let mut known: std::collections::HashSet<PathBuf> = compose.iter().cloned().collect();
    let mut next = 0;
    while let Some(path) = compose.get(next).cloned() {
        next += 1;
        let ctx = included.and_then(|i| i.context(&path));
        let dir = match ctx {
            Some(c) => {
                found.extend(c.dotenv.iter().cloned());
                c.project_dir.clone()
            }
            None => {
                let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
                found.push(dir.join(".env"));
                dir
            }
        };
        // Reading the file twice (here and to lint it) is paid only where it names env
        // files or includes others.
        let Ok(bytes) = crate::fsio::read_regular(&path, crate::source::MAX_FILE_SIZE) else {
            continue;
        };
        let names_env = memchr::memmem::find(&bytes, b"env_file").is_some();
        let includes = memchr::memmem::find(&bytes, b"include").is_some();
        if !names_env && !includes {
            continue;
        }
        let (text, _) = crate::source::decode(bytes);
        let (env_files, included) = named_files(&text);
        found.extend(env_files.into_iter().map(|p| dir.join(p)));
        for inc in included {
            let inc = normalise(&dir.join(inc));
            if exclude.is_some_and(|ex| ex(&inc))
                || !std::fs::metadata(&inc).is_ok_and(|m| m.is_file())
                || !known.insert(inc.clone())
            {
                continue;
            }
            d.targets.push(Target {
                path: inc.clone(),
                kind: FileKind::Compose,
                stdin: false,
            });
            compose.push(inc);
        }
    }
    add_env_files(d, found, exclude);
}

/// Adds the dotenv files `found` that exist, are not excluded and are committed with the
/// project ([`add_project_env_files`] says which), once each.
fn add_env_files(d: &mut Discovery, found: Vec<PathBuf>, exclude: Option<&Excluder>) {
    let mut seen: std::collections::HashSet<PathBuf> = d
        .targets
        .iter()
        .filter(|t| t.kind == FileKind::Env)
        .map(|t| normalise(&t.path))
        .collect();
    let mut listed: std::collections::HashMap<PathBuf, std::collections::HashSet<PathBuf>> =
        std::collections::HashMap::new();
    // Ignored files may still be tracked (ignoring a tracked file does not untrack it): they
    // are asked of the git index together, once per repository, after the walk.
    let mut ignored = Vec::new();
    for path in found {
        let path = normalise(&path);
        if !seen.insert(path.clone())
            || exclude.is_some_and(|ex| ex(&path))
            || !std::fs::metadata(&path).is_ok_and(|m| m.is_file())
        {
            continue;
        }
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let unignored = listed
            .entry(dir.clone())
            .or_insert_with(|| unignored_files(&dir))
            .contains(&path);
        if !unignored {
            ignored.push(path);
            continue;
        }
        d.targets.push(Target {
            path,
            kind: FileKind::Env,
            stdin: false,
        });
    }
    if !ignored.is_empty() {
        let tracked = crate::git_index::tracked_among(&ignored);
        for path in ignored {
            if tracked.contains(&path) {
                d.targets.push(Target {
                    path,
                    kind: FileKind::Env,
                    stdin: false,
                });
            }
        }
    }
    sort_and_dedupe(&mut d.targets);
}

/// The files directly in `dir` that `.gitignore` and `.ignore` files do not exclude (as the
/// directory walk reads them, in or out of a Git repository).
fn unignored_files(dir: &Path) -> std::collections::HashSet<PathBuf> {
    let root = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .max_depth(Some(1))
        .require_git(false)
        .build();
    walker
        .filter_map(Result::ok)
        .filter(|e| e.depth() == 1)
        .map(|e| normalise(&dir.join(e.file_name())))
        .collect()
}

/// `a/./b` as `a/b` (lexically; `..` is kept), so one file named two ways is linted once.
fn normalise(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// The literal paths of a compose file's services' `env_file:` (short string, list of
/// strings, or list of `{path: …}`), and of its top-level `include:` (string, or `{path: …}`
/// with one path or a list, and that entry's `env_file:`); paths that interpolate a variable
/// are left out.
fn named_files(text: &str) -> (Vec<String>, Vec<String>) {
    use crate::syntax::compose::yaml;
    let tree = yaml::parse(text);
    let mut out = Vec::new();
    let mut included = Vec::new();
    let literal = |p: &str| (!p.is_empty() && !p.contains('$')).then(|| p.to_string());
    let scalars = |id: NodeId| -> Vec<String> {
        let v = tree.resolve(id);
        match tree.sequence(v) {
            Some(items) => items
                .iter()
                .filter_map(|i| tree.scalar(tree.resolve(*i)).and_then(literal))
                .collect(),
            None => tree.scalar(v).and_then(literal).into_iter().collect(),
        }
    };
    for doc in &tree.documents {
        let Some(root) = doc.root.filter(|_| !doc.refused) else {
            continue;
        };
        if let Some(inc) = tree.lookup(root, "include") {
            for item in tree
                .sequence(tree.resolve(inc.value))
                .unwrap_or_default()
                .iter()
                .map(|i| tree.resolve(*i))
            {
                if let Some(p) = tree.scalar(item).and_then(literal) {
                    included.push(p);
                    continue;
                }
                if let Some(p) = tree.lookup(item, "path") {
                    included.extend(scalars(p.value));
                }
                if let Some(e) = tree.lookup(item, "env_file") {
                    out.extend(scalars(e.value));
                }
            }
        }
        let Some(services) = tree.lookup(root, "services") else {
            continue;
        };
        for service in tree.entries(tree.resolve(services.value)) {
            let Some(e) = tree.lookup(tree.resolve(service.value), "env_file") else {
                continue;
            };
            let v = tree.resolve(e.value);
            let items: Vec<NodeId> = match tree.sequence(v) {
                Some(items) => items.to_vec(),
                None => vec![v],
            };
            for item in items {
                let item = tree.resolve(item);
                let path = match tree.scalar(item) {
                    Some(p) => Some(p),
                    None => tree
                        .lookup(item, "path")
                        .and_then(|p| tree.scalar(tree.resolve(p.value))),
                };
                if let Some(p) = path.and_then(literal) {
                    out.push(p);
                }
            }
        }
    }
    (out, included)
}

/// A named path with a recognised Dockerfile or compose name and no trailing `/` is a file to
/// lint; were it a directory, walking it would be a surprise, so it is an error instead.
fn named_like_file(path: &Path) -> bool {
    FileKind::detect(path).is_some()
        && !path
            .to_string_lossy()
            .ends_with(['/', std::path::MAIN_SEPARATOR])
}

/// The error for a directory named where a file was expected.
pub fn is_a_directory(path: &Path) -> String {
    format!(
        "{}: is a directory, not a file (add a trailing `/` to walk it)",
        path.display()
    )
}

/// Puts targets in report order (by path, as `Path` orders them) and lints a file named twice
/// (or named and walked) once, keeping its first mention. Sorting here, once, means reports
/// come back from the parallel lint already in order. Standard input is never a duplicate.
fn sort_and_dedupe(targets: &mut Vec<Target>) {
    // `Path` ordering walks components on every comparison; a key built once per path sorts
    // the same way at a fraction of the cost. The sort is stable: first mentions stay first.
    let mut keyed: Vec<(Vec<u8>, Target)> = std::mem::take(targets)
        .into_iter()
        .map(|t| (path_order_key(&t.path), t))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|later, first| !later.1.stdin && !first.1.stdin && later.0 == first.0);
    targets.extend(keyed.into_iter().map(|(_, t)| t));
}

fn walk(root: &Path, opts: &Options<'_>, d: &mut Discovery) {
    // With links followed, the walker compares each directory with its ancestors: a loop is an
    // error, not an endless walk.
    let mut walker = ignore::WalkBuilder::new(root);
    walker
        .hidden(true)
        .follow_links(opts.follow_links)
        .require_git(false);
    if let Some(excluded) = opts.exclude.clone() {
        // The root was named: only what the walk finds under it can be excluded.
        walker.filter_entry(move |e| e.depth() == 0 || !excluded(e.path()));
    }
    let walker = walker.build();
    for entry in walker {
        match entry {
            // A dangling link names nothing to lint (mailcow's `.env -> mailcow.conf` before its
            // setup script runs); compose files beside it read it as absent, with a note.
            Err(e)
                if e.io_error()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) => {}
            Err(e) => d.errors.push(e.to_string()),
            Ok(entry) => {
                let Some(t) = entry.file_type() else { continue };
                // Not following links, a link is reported as a link: lint it when it names a
                // file (never walk it when it names a directory).
                let file = t.is_file()
                    || (t.is_symlink()
                        && std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file()));
                if !file {
                    continue;
                }
                let path = entry.path();
                let kind = FileKind::detect(path).or_else(|| (opts.kind_for)(path));
                if let Some(kind) = kind {
                    let path = path.strip_prefix("./").unwrap_or(path).to_path_buf();
                    d.targets.push(Target {
                        path,
                        kind,
                        stdin: false,
                    });
                }
            }
        }
    }
}

/// Bytes that sort like `Path`'s own ordering (component by component, components compared
/// by kind, then by bytes): each component as its kind, its bytes and a 0 terminator (no
/// component contains a 0 byte).
#[cfg(unix)]
fn path_order_key(path: &Path) -> Vec<u8> {
    // The components of a Unix path, found on its bytes: `Path::components` costs several
    // times more, and this runs for every file of a run, on the main thread.
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut key = Vec::with_capacity(bytes.len() + 16);
    let mut rest = bytes;
    if let [b'/', tail @ ..] = rest {
        key.extend_from_slice(&[2, b'/', 0]);
        rest = tail;
    }
    // Only a relative path's first component can be `.` (`./a`); elsewhere `.` is dropped.
    let mut first = key.is_empty();
    for part in rest.split(|&b| b == b'/') {
        match part {
            b"" => continue,
            b"." if first => key.extend_from_slice(&[3, b'.', 0]),
            b"." => {}
            b".." => key.extend_from_slice(&[4, b'.', b'.', 0]),
            _ => {
                key.push(5);
                key.extend_from_slice(part);
                key.push(0);
            }
        }
        first = false;
    }
    key
}

#[cfg(not(unix))]
fn path_order_key(path: &Path) -> Vec<u8> {
    components_key(path)
}

/// [`path_order_key`] from `Path::components`: the definition the Unix version must match.
#[cfg(any(test, not(unix)))]
fn components_key(path: &Path) -> Vec<u8> {
    use std::path::Component;
    let mut key = Vec::with_capacity(path.as_os_str().len() + 16);
    for c in path.components() {
        key.push(match c {
            Component::Prefix(_) => 1,
            Component::RootDir => 2,
            Component::CurDir => 3,
            Component::ParentDir => 4,
            Component::Normal(_) => 5,
        });
        key.extend_from_slice(c.as_os_str().as_encoded_bytes());
        key.push(0);
    }
    key
}

/// A file read and decoded. `bad_utf8` is the byte offset of the first invalid UTF-8 byte.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub file: SourceFile,
    pub bad_utf8: Option<usize>,
}

/// Reads one target (standard input for `-`).
pub fn read(target: &Target) -> Result<Loaded, String> {
    let bytes = if target.stdin {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(MAX_FILE_SIZE as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("<stdin>: {e}"))?;
        buf
    } else {
        fsio::read_regular(&target.path, MAX_FILE_SIZE).map_err(|e| match e {
            ReadError::Directory => is_a_directory(&target.path),
            ReadError::TooLarge(_) => format!(
                "{}: larger than {} MiB, not linted",
                target.path.display(),
                MAX_FILE_SIZE >> 20
            ),
            e => format!("{}: {e}", target.path.display()),
        })?
    };
    if bytes.len() > MAX_FILE_SIZE {
        return Err(format!(
            "{}: larger than {} MiB, not linted",
            target.path.display(),
            MAX_FILE_SIZE >> 20
        ));
    }
    let (text, bad_utf8) = source::decode(bytes);
    Ok(Loaded {
        file: SourceFile::new(target.path.clone(), text, target.kind),
        bad_utf8,
    })
}

/// Reads every target in parallel, in order.
pub fn read_all(targets: &[Target]) -> Vec<Result<Loaded, String>> {
    targets.par_iter().map(read).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_key_sorts_like_path() {
        let mut paths: Vec<PathBuf> = [
            "a/b", "a-b/c", "a/b/c", "/a", "a", "./x", "../y", "a.b", "a/b.c", "A/b", "/", "a//b",
            "é/x", "b",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut by_key = paths.clone();
        paths.sort();
        by_key.sort_by_cached_key(|p| path_order_key(p));
        assert_eq!(paths, by_key);
    }

    #[test]
    fn path_key_matches_path_components() {
        // Every path of up to four parts from these, with and without a leading and a
        // trailing `/`: empty parts (`//`), `.` and `..` anywhere.
        let parts = ["", ".", "..", "a", "b.c", ".d", "é", "..e"];
        let mut paths = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| parts.iter().map(move |q| format!("{p}{q}/")))
                .collect();
            paths.extend(longer);
        }
        for body in paths {
            for lead in ["", "/", "//"] {
                for path in [
                    format!("{lead}{body}"),
                    format!("{lead}{}", body.trim_end_matches('/')),
                ] {
                    let path = PathBuf::from(path);
                    assert_eq!(path_order_key(&path), components_key(&path), "{path:?}");
                }
            }
        }
    }
    use std::fs;

    #[test]
    fn a_file_named_twice_or_named_and_walked_is_linted_once() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        fs::create_dir_all(r.join("a")).unwrap();
        fs::write(r.join("a/Dockerfile"), "FROM a\n").unwrap();
        let opts = Options {
            file_kind: None,
            stdin_filename: None,
            kind_for: &no_kinds,
            exclude: None,
            follow_links: false,
        };
        let paths = [
            r.join("a/Dockerfile"),
            r.join("a//Dockerfile"),
            r.join("a/"),
        ];
        let d = discover(&paths, &opts);
        assert_eq!(names(&d, r), ["a/Dockerfile dockerfile"]);
    }

    fn names(d: &Discovery, root: &Path) -> Vec<String> {
        d.targets
            .iter()
            .map(|t| {
                let p = t.path.strip_prefix(root).unwrap_or(&t.path);
                format!("{} {}", p.display(), t.kind.as_str())
            })
            .collect()
    }

    fn no_kinds(_: &Path) -> Option<FileKind> {
        None
    }

    #[test]
    fn walks_recognised_names_and_honours_ignores() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        for p in [
            "Dockerfile",
            "api/Dockerfile.dev",
            "api/compose.yaml",
            "api/values.yaml",
            "build/Dockerfile",
            ".hidden/Dockerfile",
            "vendor/x.Dockerfile",
            "other/thing.df",
        ] {
            let p = r.join(p);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "FROM a\n").unwrap();
        }
        fs::write(r.join(".gitignore"), "build/\n").unwrap();
        fs::write(r.join(".ignore"), "vendor/\n").unwrap();
        let opts = Options {
            file_kind: None,
            stdin_filename: None,
            kind_for: &|p: &Path| {
                p.extension()
                    .is_some_and(|e| e == "df")
                    .then_some(FileKind::Dockerfile)
            },
            exclude: None,
            follow_links: false,
        };
        let d = discover(&[r.to_path_buf()], &opts);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(
            names(&d, r),
            vec![
                "Dockerfile dockerfile",
                "api/Dockerfile.dev dockerfile",
                "api/compose.yaml compose",
                "other/thing.df dockerfile"
            ]
        );
        // Named explicitly: hidden or ignored files are linted, unknown names guessed.
        let opts = Options {
            file_kind: None,
            stdin_filename: None,
            kind_for: &no_kinds,
            exclude: None,
            follow_links: false,
        };
        let d = discover(
            &[
                r.join(".hidden/Dockerfile"),
                r.join("api/values.yaml"),
                r.join("build/Dockerfile"),
            ],
            &opts,
        );
        assert_eq!(
            names(&d, r),
            vec![
                ".hidden/Dockerfile dockerfile",
                "api/values.yaml compose",
                "build/Dockerfile dockerfile"
            ]
        );
    }

    #[test]
    fn errors_are_collected() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        fs::create_dir_all(r.join("Dockerfile")).unwrap();
        fs::write(r.join("Dockerfile/inner.txt"), "x").unwrap();
        #[cfg(unix)]
        {
            fs::create_dir_all(r.join("loop")).unwrap();
            std::os::unix::fs::symlink(r.join("loop"), r.join("loop/self")).unwrap();
        }
        let opts = Options {
            file_kind: None,
            stdin_filename: None,
            kind_for: &no_kinds,
            exclude: None,
            follow_links: false,
        };
        let d = discover(
            &[r.join("Dockerfile"), r.join("missing"), r.join("loop")],
            &opts,
        );
        // `missing` is stat'ed (its name could be a directory's) and reported here; the
        // directory named `Dockerfile` is not stat'ed, and reading it says what it is. The
        // link loop is not walked at all unless links are followed.
        assert!(d.errors[0].contains("missing"), "{:?}", d.errors);
        assert_eq!(d.errors.len(), 1, "{:?}", d.errors);
        #[cfg(unix)]
        {
            let follow = Options {
                file_kind: None,
                stdin_filename: None,
                kind_for: &no_kinds,
                exclude: None,
                follow_links: true,
            };
            let d = discover(&[r.join("loop")], &follow);
            assert!(
                d.errors.iter().any(|e| e.to_lowercase().contains("loop")),
                "{:?}",
                d.errors
            );
        }
        let d = discover(
            &[r.join("Dockerfile"), r.join("missing"), r.join("loop")],
            &opts,
        );
        let [named_dir] = &d.targets[..] else {
            panic!("{:?}", d.targets)
        };
        let e = read(named_dir).err().unwrap_or_default();
        assert!(e.contains("Dockerfile: is a directory, not a file"), "{e}");
        // A path named like a file that is not there fails when read, with the system's words.
        let d = discover(&[r.join("gone/Dockerfile")], &opts);
        let e = read(&d.targets[0]).err().unwrap_or_default();
        assert!(e.contains("gone/Dockerfile: "), "{e}");
    }

    #[test]
    fn reads_invalid_utf8_lossily() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("Dockerfile");
        fs::write(&p, b"FROM a\n\xffRUN x\n").unwrap();
        let t = Target {
            path: p,
            kind: FileKind::Dockerfile,
            stdin: false,
        };
        let loaded = read_all(&[t]).pop().unwrap().unwrap();
        assert_eq!(loaded.bad_utf8, Some(7));
        assert!(loaded.file.text.contains("RUN x"));
    }
}

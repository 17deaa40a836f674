//! Which compose services build a Dockerfile, and with what: each service's `build.context` +
//! `build.dockerfile`, `build.args` and `build.target`, merged over the files of its project
//! (a later file's `args` add to and replace an earlier file's by name; its `context`,
//! `dockerfile` and `target` replace). A Dockerfile is linted as those services build it.
//!
//! The compose files consulted for a Dockerfile are chosen so that finding them costs a few
//! `stat` calls and never a directory walk:
//!
//! - the compose files the run checks (the paths on the command line, `-f`), each with its
//!   project ([`ComposeBuilds::checked`]);
//! - the nearest default compose project above the Dockerfile: the first directory, from the
//!   Dockerfile's own up to the root, that holds one of [`super::project::BASE_NAMES`] (with its
//!   override file). This is the project `docker compose` finds when run from the Dockerfile's
//!   directory; a project further up is not consulted.
//!
//! A service is counted only when its Dockerfile path is this file: a compose file that builds
//! other Dockerfiles changes nothing. A `context` or `dockerfile` written with a variable, a
//! remote context, a `dockerfile_inline:` and a context inherited through `extends` from another
//! file are left out (where they point is not known here).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::project::{BASE_NAMES, project_files};
use super::{EntryKind, Env, Origin};

/// One service's build of a Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceBuild {
    /// The compose file that writes the service's `build:` (the last one of the project that
    /// does).
    pub compose: PathBuf,
    pub service: String,
    /// 1-based line and column of the service's `build` value in `compose`.
    pub line: u32,
    pub column: u32,
    /// The Dockerfile it builds, as the compose file names it (context joined with the
    /// dockerfile, `.` components removed).
    pub dockerfile: PathBuf,
    /// `build.args` with a value (an arg without one takes the environment's, or none).
    pub args: BTreeMap<String, String>,
    /// `build.target`.
    pub target: Option<String>,
}

impl ServiceBuild {
    /// "service `web` (compose.yaml:4:12)", for labels.
    pub fn describe(&self) -> String {
        // The nearest project is found from the absolute path: shown from the current
        // directory when it is below it, as the paths of the report are.
        let cwd = std::env::current_dir().ok();
        let shown = cwd
            .as_deref()
            .and_then(|d| self.compose.strip_prefix(d).ok())
            .unwrap_or(&self.compose);
        format!(
            "service `{}` ({}:{}:{})",
            self.service,
            shown.display(),
            self.line,
            self.column
        )
    }
}

/// Where the compose builds of the Dockerfiles a run lints come from: off unless the caller
/// turns it on (library results then never depend on files beside the one linted), the compose
/// files the run checks, and a cache of each project's builds for the run.
#[derive(Clone, Default)]
pub struct ComposeBuilds {
    /// Look for the services that build a Dockerfile at all.
    pub enabled: bool,
    /// The compose files the run checks.
    pub checked: Arc<[PathBuf]>,
    /// Each project's builds, keyed by its first file; `None` reads afresh each time (a
    /// language server, whose files change while it runs).
    cache: Option<Arc<RunCache>>,
}

/// What a run works out once and every Dockerfile of it asks again.
#[derive(Default)]
struct RunCache {
    /// Each project's builds, by the project's first file made absolute.
    projects: Mutex<HashMap<PathBuf, Arc<Vec<ServiceBuild>>>>,
    /// The first files of the checked files' projects, without repeats.
    checked_projects: OnceLock<Vec<PathBuf>>,
    /// [`nearest_project`] by the Dockerfile's directory: the walk up costs four `stat`s per
    /// level, and most Dockerfiles of a run share a directory (454 in one on the shared corpus,
    /// where walking for each was 9,000 system calls).
    nearest: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

impl ComposeBuilds {
    /// On, reading the projects afresh each time (the language server).
    pub fn fresh() -> ComposeBuilds {
        ComposeBuilds {
            enabled: true,
            ..ComposeBuilds::default()
        }
    }

    /// On, with the compose files a run checks, each project read once for the run.
    pub fn for_run(checked: Vec<PathBuf>) -> ComposeBuilds {
        ComposeBuilds {
            enabled: true,
            checked: Arc::from(checked),
            cache: Some(Arc::default()),
        }
    }

    /// The services that build `dockerfile`, in a stable order (compose file, then service).
    pub fn for_dockerfile(&self, dockerfile: &Path, env: &Env) -> Vec<ServiceBuild> {
        if !self.enabled || dockerfile.as_os_str() == "-" {
            return Vec::new();
        }
        let want = absolute(dockerfile);
        // Each project once, by its first file made absolute; loaded by the path as found.
        let mut projects = match &self.cache {
            Some(c) => c
                .checked_projects
                .get_or_init(|| checked_projects(&self.checked, env))
                .clone(),
            None => checked_projects(&self.checked, env),
        };
        let nearest = match (&self.cache, want.parent()) {
            (Some(c), Some(dir)) => {
                let known = c.nearest.lock().ok().and_then(|m| m.get(dir).cloned());
                known.unwrap_or_else(|| {
                    let found = nearest_project(&want, env);
                    if let Ok(mut m) = c.nearest.lock() {
                        m.insert(dir.to_path_buf(), found.clone());
                    }
                    found
                })
            }
            _ => nearest_project(&want, env),
        };
        if let Some(first) = nearest
            && !projects.iter().any(|p| absolute(p) == absolute(&first))
        {
            projects.push(first);
        }
        let mut out = Vec::new();
        for first in projects {
            for b in self.project(&first, env).iter() {
                let theirs = absolute(&b.dockerfile);
                // The names first: most builds name another file, and telling a symbolic link
                // from its target costs two system calls.
                if theirs.file_name() == want.file_name() && same_path(&theirs, &want) {
                    out.push(b.clone());
                }
            }
        }
        out.sort_by(|a, b| (&a.compose, &a.service).cmp(&(&b.compose, &b.service)));
        out.dedup_by(|a, b| a.compose == b.compose && a.service == b.service);
        out
    }

    fn project(&self, first: &Path, env: &Env) -> Arc<Vec<ServiceBuild>> {
        let Some(cache) = &self.cache else {
            return Arc::new(project_builds(first, env));
        };
        let key = absolute(first);
        if let Some(hit) = cache
            .projects
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return hit;
        }
        let got = Arc::new(project_builds(first, env));
        if let Ok(mut c) = cache.projects.lock() {
            c.insert(key, got.clone());
        }
        got
    }
}

/// Equal when they would find the same builds: the same switch and files, the same cache.
impl PartialEq for ComposeBuilds {
    fn eq(&self, other: &ComposeBuilds) -> bool {
        self.enabled == other.enabled
            && self.checked == other.checked
            && match (&self.cache, &other.cache) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            }
    }
}

impl fmt::Debug for ComposeBuilds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComposeBuilds")
            .field("enabled", &self.enabled)
            .field("checked", &self.checked)
            .finish_non_exhaustive()
    }
}

/// The first files of the projects of `checked`, each once.
fn checked_projects(checked: &[PathBuf], env: &Env) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    for c in checked {
        if let Some(first) = project_files(c, env).into_iter().next() {
            let key = absolute(&first);
            if !seen.contains(&key) {
                seen.push(key);
                out.push(first);
            }
        }
    }
    out
}

/// The first file of the nearest default compose project at or above `dockerfile`'s directory.
fn nearest_project(dockerfile: &Path, env: &Env) -> Option<PathBuf> {
    for dir in dockerfile.parent()?.ancestors() {
        for name in BASE_NAMES {
            let p = dir.join(name);
            if env.files.entry(&p) == Some(EntryKind::File) {
                return project_files(&p, env).into_iter().next();
            }
        }
    }
    None
}

/// The builds of the project whose first file is `first`, merged over its files in order.
/// A file that cannot be read is skipped (its services are not known).
pub fn project_builds(first: &Path, env: &Env) -> Vec<ServiceBuild> {
    let files = project_files(first, env);
    // Relative paths in every file of a project resolve against the first file's directory
    // (the project directory), as `docker compose -f a/x.yaml -f b/y.yaml` does.
    let dir = files
        .first()
        .and_then(|f| f.parent())
        .unwrap_or(Path::new(""))
        .to_path_buf();
    // Per service, in the order first seen: what the files say so far.
    let mut merged: Vec<Partial> = Vec::new();
    for f in &files {
        let Ok(text) = env.files.text(f) else {
            continue;
        };
        let model = super::load(&text, f, env);
        let lines = crate::source::LineIndex::new(&text);
        for s in model.services() {
            let Some(b) = s.build.as_deref() else {
                continue;
            };
            let i = match merged.iter().position(|p| p.service == s.name.value) {
                Some(i) => i,
                None => {
                    merged.push(Partial {
                        service: s.name.value.clone(),
                        ..Partial::default()
                    });
                    merged.len() - 1
                }
            };
            let p = &mut merged[i];
            let lc = lines.line_col(b.span.start as usize, &text);
            p.at = Some((f.clone(), lc.line, lc.column));
            let foreign =
                |o: &Option<Origin>| matches!(o, Some(Origin::Extends { file: Some(_), .. }));
            if let Some(c) = &b.context {
                p.context =
                    (!c.is_interpolated() && !c.value.contains("://") && !foreign(&c.origin))
                        .then(|| c.value.clone());
                p.unknown_context = p.context.is_none();
            }
            if let Some(d) = &b.dockerfile {
                p.dockerfile = (!d.is_interpolated()).then(|| d.value.clone());
                p.unknown_dockerfile = p.dockerfile.is_none();
            }
            if b.dockerfile_inline.is_some() {
                p.inline = true;
            }
            for kv in &b.args {
                let Some(v) = &kv.value else { continue };
                // A value made of variables this environment leaves empty (CI lint runs rarely
                // have the deploy's variables) is not known: the Dockerfile's own default is
                // judged rather than an empty value the real build would not see.
                if v.is_interpolated() && v.value.is_empty() {
                    p.args.remove(&kv.key.value);
                    continue;
                }
                p.args.insert(kv.key.value.clone(), v.value.clone());
            }
            if let Some(t) = &b.target {
                p.target = Some(t.value.clone());
            }
        }
    }
    let mut out = Vec::new();
    for p in merged {
        if p.inline || p.unknown_context || p.unknown_dockerfile {
            continue;
        }
        let Some((compose, line, column)) = p.at else {
            continue;
        };
        let context = match &p.context {
            Some(c) => dir.join(c),
            None => dir.clone(),
        };
        let df = context.join(p.dockerfile.as_deref().unwrap_or("Dockerfile"));
        out.push(ServiceBuild {
            compose,
            service: p.service,
            line,
            column,
            dockerfile: df
                .components()
                .filter(|c| !matches!(c, Component::CurDir))
                .collect(),
            args: p.args,
            target: p.target,
        });
    }
    out
}

/// A service's build as the files merged so far say it.
#[derive(Default)]
struct Partial {
    service: String,
    at: Option<(PathBuf, u32, u32)>,
    context: Option<String>,
    unknown_context: bool,
    dockerfile: Option<String>,
    unknown_dockerfile: bool,
    inline: bool,
    args: BTreeMap<String, String>,
    target: Option<String>,
}

/// `path` made absolute against the current directory, `.` and `..` folded lexically (a path
/// that does not exist, or exists only in memory, still compares).
fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// The same file: equal once made absolute, or the same file on the disk (a symbolic link).
pub fn same_file(a: &Path, b: &Path) -> bool {
    same_path(a, b)
}

fn same_path(a: &Path, b: &Path) -> bool {
    if absolute(a) == absolute(b) {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compose::MemFiles;

    fn env(files: &[(&str, &str)]) -> Env {
        MemFiles::env_of(files)
    }

    #[test]
    fn the_nearest_project_names_the_services_that_build_a_dockerfile() {
        let e = env(&[
            (
                "/p/compose.yaml",
                "services:\n  web:\n    build:\n      context: ./app\n      args: {BASE: 'debian:12'}\n  db:\n    build: ./db\n",
            ),
            (
                "/p/compose.override.yaml",
                "services:\n  web:\n    build:\n      target: prod\n      args: {EXTRA: x}\n",
            ),
            ("/p/app/Dockerfile", "FROM ${BASE}\n"),
            ("/p/db/Dockerfile", "FROM postgres:16\n"),
        ]);
        let got = ComposeBuilds::fresh().for_dockerfile(Path::new("/p/app/Dockerfile"), &e);
        assert_eq!(got.len(), 1, "{got:?}");
        let b = &got[0];
        assert_eq!(b.service, "web");
        assert_eq!(b.compose, PathBuf::from("/p/compose.override.yaml"));
        assert_eq!(b.target.as_deref(), Some("prod"));
        assert_eq!(b.args.get("BASE").map(String::as_str), Some("debian:12"));
        assert_eq!(b.args.get("EXTRA").map(String::as_str), Some("x"));
        // Off by default: a library lint never looks beside the file.
        assert!(
            ComposeBuilds::default()
                .for_dockerfile(Path::new("/p/app/Dockerfile"), &e)
                .is_empty()
        );
    }

    #[test]
    fn an_arg_its_environment_leaves_empty_is_not_passed() {
        let e = env(&[
            (
                "/s/compose.yaml",
                "services:\n  a:\n    build:\n      context: .\n      args:\n        BASE: ${BASE_IMAGE}\n        TAG: ${TAG:-12}\n",
            ),
            ("/s/Dockerfile", "FROM x\n"),
        ]);
        let got = ComposeBuilds::fresh().for_dockerfile(Path::new("/s/Dockerfile"), &e);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].args.get("BASE"), None);
        assert_eq!(got[0].args.get("TAG").map(String::as_str), Some("12"));
    }

    #[test]
    fn unknown_paths_are_left_out() {
        let e = env(&[
            (
                "/q/compose.yaml",
                "services:\n  a:\n    build:\n      context: ${DIR}\n  b:\n    build:\n      context: .\n      dockerfile_inline: FROM x\n  c:\n    build: https://example.com/r.git\n",
            ),
            ("/q/Dockerfile", "FROM x\n"),
        ]);
        assert!(
            ComposeBuilds::fresh()
                .for_dockerfile(Path::new("/q/Dockerfile"), &e)
                .is_empty()
        );
    }

    #[test]
    fn checked_files_count_and_are_read_once_per_run() {
        let e = env(&[
            (
                "/r/deploy/stack.yaml",
                "services:\n  api:\n    build:\n      context: ../src\n      dockerfile: api.Dockerfile\n",
            ),
            ("/r/src/api.Dockerfile", "FROM x\n"),
        ]);
        let builds = ComposeBuilds::for_run(vec![PathBuf::from("/r/deploy/stack.yaml")]);
        let got = builds.for_dockerfile(Path::new("/r/src/api.Dockerfile"), &e);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            got[0].describe(),
            "service `api` (/r/deploy/stack.yaml:4:7)"
        );
        assert_eq!(
            builds.for_dockerfile(Path::new("/r/src/api.Dockerfile"), &e),
            got
        );
    }
}

//! `include:` as `docker compose` reads it: each included file is its own sub-project. Its
//! relative paths (build contexts, `env_file:`, secret files) resolve from its
//! `project_directory` (by default the directory of its first `path`), and its interpolation
//! reads the variables of the project including it first, then the `env_file` of the include
//! entry for those still unset (by default the `.env` of its project directory). A relative
//! `path`, `project_directory` or `env_file` is read from the including file's project
//! directory. This is compose-spec's `include` long syntax, and what compose's loader does.
//!
//! [`resolve`] walks the includes of the files being linted once per run, before any is
//! linted, and records per included file how to load it ([`Included`]); the loader then reads
//! an included file as its project does, whoever lints it. The walk reads each file once,
//! stops at a cycle (compose refuses it) and at [`MAX_DEPTH`] nested includes, and reports
//! both on the `include` entry that closes them.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use super::files::ComposeFiles;
use crate::source::Span;
use crate::syntax::compose::yaml::{NodeId, Yaml};

/// The most files an include chain may nest: real projects nest two or three; a chain of
/// generated files a thousand deep would otherwise hold that many files and frames at once.
pub const MAX_DEPTH: usize = 32;

/// How one included file is loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncludeContext {
    /// Where its relative paths resolve from.
    pub project_dir: PathBuf,
    /// The dotenv files its interpolation reads, the first that sets a variable winning (the
    /// including projects' before its own `env_file`); the process environment wins over all.
    pub dotenv: Vec<PathBuf>,
    /// The file whose `include:` brings it in.
    pub by: PathBuf,
    /// The paths of its include entry, in order: the first is the included project's main
    /// file, the others are merged over it as override files are.
    pub paths: Vec<PathBuf>,
}

/// A problem with an include entry, reported in the file that writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncludeProblem {
    pub span: Span,
    pub message: String,
}

/// The included files of a run and the problems of the include entries.
#[derive(Debug, Default)]
pub struct Included {
    files: HashMap<PathBuf, IncludeContext>,
    problems: HashMap<PathBuf, Vec<IncludeProblem>>,
}

impl Included {
    /// How the file at `path` is loaded, when another compose file of the run includes it.
    pub fn context(&self, path: &Path) -> Option<&IncludeContext> {
        self.files.get(&normalise(path))
    }

    /// The problems of the include entries written in the file at `path`.
    pub fn problems(&self, path: &Path) -> &[IncludeProblem] {
        self.problems
            .get(&normalise(path))
            .map_or(&[][..], Vec::as_slice)
    }

    /// Every included file with how it is loaded, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &IncludeContext)> {
        self.files.iter().map(|(p, c)| (p.as_path(), c))
    }
}

/// `a/./b/../c` as `a/c`, lexically, so one file named two ways is one entry (`..` at the start
/// of a relative path is kept).
pub fn normalise(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::ParentDir if matches!(out.last(), Some(Component::RootDir)) => {}
            c => out.push(c),
        }
    }
    out.iter().collect()
}

/// One entry of an `include:` list, its paths resolved.
struct Entry {
    span: Span,
    paths: Vec<PathBuf>,
    project_dir: PathBuf,
    env_files: Vec<PathBuf>,
}

/// Walks the includes of `roots` (the compose files of the run, each the first file of its
/// project) and records how each included file is loaded.
pub fn resolve(roots: &[PathBuf], files: &dyn ComposeFiles) -> Included {
    let first = walk_from(roots.iter(), files);
    // A file of the run that another includes is loaded as that one's project reads it, and
    // so are the files it includes in turn: walk from the files nothing includes first, so
    // that the first route to every file starts at the top of its project.
    let (top, included): (Vec<&PathBuf>, Vec<&PathBuf>) =
        roots.iter().partition(|r| first.context(r).is_none());
    if included.is_empty() {
        return first;
    }
    walk_from(top.into_iter().chain(included), files)
}

fn walk_from<'a>(roots: impl Iterator<Item = &'a PathBuf>, files: &dyn ComposeFiles) -> Included {
    let mut out = Included::default();
    // Files whose includes were walked (each once, whatever the route to it).
    let mut done: HashSet<PathBuf> = HashSet::new();
    for root in roots {
        let root = normalise(root);
        if done.contains(&root) || out.files.contains_key(&root) {
            continue;
        }
        let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
        let dotenv = vec![dir.join(".env")];
        let mut chain = Vec::new();
        walk(&root, &dir, &dotenv, &mut chain, &mut done, files, &mut out);
    }
    out
}

fn walk(
    file: &Path,
    project_dir: &Path,
    dotenv: &[PathBuf],
    chain: &mut Vec<PathBuf>,
    done: &mut HashSet<PathBuf>,
    files: &dyn ComposeFiles,
    out: &mut Included,
) {
    if !done.insert(file.to_path_buf()) {
        return;
    }
    let Ok(parsed) = files.parsed(file) else {
        return;
    };
    chain.push(file.to_path_buf());
    for entry in entries(&parsed.yaml, project_dir) {
        let mut child_env = dotenv.to_vec();
        child_env.extend(entry.env_files.iter().cloned());
        for path in &entry.paths {
            if let Some(at) = chain.iter().position(|f| f == path) {
                let cycle: Vec<String> = chain[at..]
                    .iter()
                    .chain(std::iter::once(path))
                    .map(|p| format!("`{}`", p.display()))
                    .collect();
                push(
                    out,
                    file,
                    entry.span,
                    format!(
                        "`include:` forms a cycle ({}); `docker compose` refuses the project",
                        cycle.join(" includes ")
                    ),
                );
                continue;
            }
            if chain.len() >= MAX_DEPTH {
                push(
                    out,
                    file,
                    entry.span,
                    format!(
                        "`include:` nests more than {MAX_DEPTH} files deep here: the files it \
                         includes are linted alone, not as part of this project"
                    ),
                );
                continue;
            }
            // The first route to a file decides how it is loaded.
            out.files
                .entry(path.clone())
                .or_insert_with(|| IncludeContext {
                    project_dir: entry.project_dir.clone(),
                    dotenv: child_env.clone(),
                    by: file.to_path_buf(),
                    paths: entry.paths.clone(),
                });
            walk(
                path,
                &entry.project_dir,
                &child_env,
                chain,
                done,
                files,
                out,
            );
        }
    }
    chain.pop();
}

fn push(out: &mut Included, file: &Path, span: Span, message: String) {
    let list = out.problems.entry(file.to_path_buf()).or_default();
    if !list.iter().any(|p| p.span == span && p.message == message) {
        list.push(IncludeProblem { span, message });
    }
}

/// The include entries of every document of a file, with literal paths (a path that
/// interpolates a variable is left out: where it points depends on the machine).
fn entries(yaml: &Yaml, project_dir: &Path) -> Vec<Entry> {
    let literal = |s: &str| (!s.is_empty() && !s.contains('$')).then(|| PathBuf::from(s));
    let scalars = |id: NodeId| -> Vec<PathBuf> {
        let v = yaml.resolve(id);
        match yaml.sequence(v) {
            Some(items) => items
                .iter()
                .filter_map(|i| yaml.scalar(yaml.resolve(*i)).and_then(literal))
                .collect(),
            None => yaml.scalar(v).and_then(literal).into_iter().collect(),
        }
    };
    let mut out = Vec::new();
    for doc in &yaml.documents {
        let Some(root) = doc.root.filter(|_| !doc.refused) else {
            continue;
        };
        let Some(inc) = yaml.lookup(yaml.resolve(root), "include") else {
            continue;
        };
        for item in yaml
            .sequence(yaml.resolve(inc.value))
            .unwrap_or_default()
            .iter()
            .map(|i| yaml.resolve(*i))
        {
            let span = yaml.node(item).map(|n| n.span).unwrap_or_default();
            let (paths, dir, env_files) = match yaml.scalar(item) {
                Some(p) => (literal(p).into_iter().collect(), None, Vec::new()),
                None => (
                    yaml.lookup(item, "path")
                        .map(|e| scalars(e.value))
                        .unwrap_or_default(),
                    yaml.lookup(item, "project_directory")
                        .and_then(|e| yaml.scalar(yaml.resolve(e.value)))
                        .map(|s| {
                            if s.contains('$') {
                                // Unknown here: the default is the better guess.
                                None
                            } else {
                                Some(PathBuf::from(s))
                            }
                        }),
                    yaml.lookup(item, "env_file")
                        .map(|e| scalars(e.value))
                        .unwrap_or_default(),
                ),
            };
            let paths: Vec<PathBuf> = paths
                .iter()
                .map(|p| normalise(&project_dir.join(p)))
                .collect();
            let Some(main) = paths.first() else { continue };
            let project = match dir.flatten() {
                Some(d) => normalise(&project_dir.join(d)),
                None => main.parent().unwrap_or(Path::new("")).to_path_buf(),
            };
            let env_files = if env_files.is_empty() {
                vec![project.join(".env")]
            } else {
                env_files
                    .iter()
                    .map(|e| normalise(&project_dir.join(e)))
                    .collect()
            };
            out.push(Entry {
                span,
                paths,
                project_dir: project,
                env_files,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compose::MemFiles;

    fn files(list: &[(&str, &str)]) -> MemFiles {
        let mut m = MemFiles::new();
        for (p, t) in list {
            m = m.with(*p, *t);
        }
        m
    }

    #[test]
    fn an_include_entry_sets_its_project_directory_and_env_file() {
        let m = files(&[
            (
                "/p/compose.yaml",
                "include:\n  - path: infra/db.yaml\n    project_directory: ./data\n    \
                 env_file: [conf/db.env]\n  - other/web.yaml\nservices: {}\n",
            ),
            ("/p/infra/db.yaml", "include: [x.yaml]\nservices: {}\n"),
            ("/p/other/web.yaml", "services: {}\n"),
            ("/p/data/x.yaml", "services: {}\n"),
        ]);
        let inc = resolve(&[PathBuf::from("/p/compose.yaml")], &m);
        let db = inc.context(Path::new("/p/infra/db.yaml")).unwrap();
        assert_eq!(db.project_dir, Path::new("/p/data"));
        assert_eq!(
            db.dotenv,
            [Path::new("/p/.env"), Path::new("/p/conf/db.env")]
        );
        let web = inc.context(Path::new("/p/other/web.yaml")).unwrap();
        assert_eq!(web.project_dir, Path::new("/p/other"));
        assert_eq!(
            web.dotenv,
            [Path::new("/p/.env"), Path::new("/p/other/.env")]
        );
        // A nested include's path is read from its includer's project directory, and its
        // interpolation reads every including project's dotenv first.
        assert!(inc.context(Path::new("/p/infra/x.yaml")).is_none());
        let x = inc.context(Path::new("/p/data/./x.yaml")).unwrap();
        assert_eq!(x.project_dir, Path::new("/p/data"));
        assert_eq!(x.dotenv.len(), 3, "{:?}", x.dotenv);
        assert!(inc.problems(Path::new("/p/compose.yaml")).is_empty());
    }

    #[test]
    fn a_file_is_loaded_as_the_top_of_its_project_reads_it_whatever_the_order() {
        let m = files(&[
            (
                "/p/z/compose.yaml",
                "include:\n  - path: ../a/inc.yaml\n    env_file: z.env\n",
            ),
            ("/p/a/inc.yaml", "include: [deeper.yaml]\n"),
            ("/p/a/deeper.yaml", "services: {}\n"),
        ]);
        // Sorted by path, the included file comes first.
        let roots = [
            PathBuf::from("/p/a/inc.yaml"),
            PathBuf::from("/p/z/compose.yaml"),
        ];
        let inc = resolve(&roots, &m);
        let deeper = inc.context(Path::new("/p/a/deeper.yaml")).unwrap();
        assert_eq!(
            deeper.dotenv,
            [
                Path::new("/p/z/.env"),
                Path::new("/p/z/z.env"),
                Path::new("/p/a/.env")
            ]
        );
    }

    #[test]
    fn a_cycle_is_reported_and_ends() {
        let m = files(&[
            ("/p/a.yaml", "include: [b.yaml]\n"),
            ("/p/b.yaml", "include:\n  - path: a.yaml\n"),
        ]);
        let inc = resolve(&[PathBuf::from("/p/a.yaml")], &m);
        let problems = inc.problems(Path::new("/p/b.yaml"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("cycle"), "{problems:?}");
        assert!(inc.problems(Path::new("/p/a.yaml")).is_empty());
    }

    #[test]
    fn a_deep_chain_stops_with_a_problem() {
        let texts: Vec<(String, String)> = (0..100)
            .map(|i| {
                (
                    format!("/p/f{i}.yaml"),
                    format!("include: [f{}.yaml]\n", i + 1),
                )
            })
            .collect();
        let mut m = MemFiles::new();
        for (p, t) in &texts {
            m = m.with(p.as_str(), t.as_str());
        }
        let inc = resolve(&[PathBuf::from("/p/f0.yaml")], &m);
        let deep: usize = (0..100)
            .map(|i| inc.problems(Path::new(&format!("/p/f{i}.yaml"))).len())
            .sum();
        assert_eq!(deep, 1);
        assert!(inc.context(Path::new("/p/f40.yaml")).is_none());
    }

    #[test]
    fn normalising_keeps_a_leading_parent() {
        assert_eq!(normalise(Path::new("a/./b/../c")), Path::new("a/c"));
        assert_eq!(normalise(Path::new("../a")), Path::new("../a"));
        assert_eq!(normalise(Path::new("/../a")), Path::new("/a"));
    }
}

//! The compose project a file belongs to, as `docker compose` assembles it: an explicit list
//! (`-f a.yaml -f b.yaml`, [`Env::project`]), or the default files of a directory (the first of
//! `compose.yaml`, `compose.yml`, `docker-compose.yaml`, `docker-compose.yml`, then the first
//! `compose.override.*` / `docker-compose.override.*` beside it). Later files are merged over
//! earlier ones: mappings key by key, scalars replaced, most sequences appended (`ports`,
//! `volumes`, …), `command`, `entrypoint` and `healthcheck.test` replaced, and `!reset` /
//! `!override` drop or replace what came before.
//!
//! Each file keeps its own findings (its tokens are its own); [`Project::judge`] says what the
//! merge makes of a finding at a place in one file: kept, overridden by a later file (the value
//! is not what runs), or an absence another file fills (a `healthcheck` the override adds).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::files::{EntryKind, Env, ParsedFile};
use crate::source::Span;
use crate::syntax::compose::yaml::{NodeId, NodeKind, Yaml};

/// The default compose file names, in the order `docker compose` looks for them.
pub const BASE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// The override file names, in the order `docker compose` looks for them.
pub const OVERRIDE_NAMES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The files of the project `path` belongs to, in merge order (`path` alone when it is in no
/// larger project).
pub fn project_files(path: &Path, env: &Env) -> Vec<PathBuf> {
    if let Some(list) = &env.project
        && list.iter().any(|p| same_file(p, path))
    {
        return list.to_vec();
    }
    // An include entry with several paths: the first file, the others merged over it.
    if let Some(ctx) = env.includes.as_deref().and_then(|i| i.context(path))
        && ctx.paths.len() > 1
    {
        return ctx.paths.clone();
    }
    let alone = vec![path.to_path_buf()];
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return alone;
    };
    let is_base = BASE_NAMES.contains(&name);
    if !is_base && !OVERRIDE_NAMES.contains(&name) {
        return alone;
    }
    let dir = path.parent().unwrap_or(Path::new(""));
    let first = |names: &[&str]| {
        names
            .iter()
            .map(|n| dir.join(n))
            .find(|p| env.files.entry(p) == Some(EntryKind::File))
    };
    let (Some(base), Some(over)) = (first(&BASE_NAMES), first(&OVERRIDE_NAMES)) else {
        return alone;
    };
    let me = if is_base { &base } else { &over };
    if me.file_name() != path.file_name() {
        // Another default file is the one compose reads.
        return alone;
    }
    vec![base, over]
}

fn same_file(a: &Path, b: &Path) -> bool {
    // Lexically, `..` folded as for include paths (which are stored so).
    super::include::normalise(a) == super::include::normalise(b)
}

/// One file of a project, parsed.
pub struct Member {
    pub path: PathBuf,
    pub parsed: Arc<ParsedFile>,
}

/// The project of one file: the other files parsed, and where this one stands among them.
pub struct Project {
    pub members: Vec<Member>,
    /// The index of the file being linted in `members`.
    pub me: usize,
}

/// What the merge makes of a finding at a place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The value stands; `overrides` names the earlier file's value it replaces, if any.
    Kept { overrides: Option<Place> },
    /// A later file replaces the value (or `!reset` drops it): it is not what runs.
    Overridden { by: Place },
    /// The finding says a key is absent, and another file of the project sets it.
    Filled { by: Place },
    /// The finding says a key is absent from a service an earlier file already defines:
    /// it is reported there, once for the project.
    Elsewhere { by: Place },
}

/// A value in another file of the project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    /// The scalar as written there (empty for a collection).
    pub raw: String,
}

impl Project {
    /// The project of the file at `path` whose text is `text`, or `None` when it stands alone
    /// (or another member cannot be read: the file is then judged alone).
    pub fn of(path: &Path, text: &str, env: &Env) -> Option<Project> {
        let files = project_files(path, env);
        if files.len() < 2 {
            return None;
        }
        let mut members = Vec::with_capacity(files.len());
        let mut me = None;
        for f in files {
            let parsed = if same_file(&f, path) {
                me = Some(members.len());
                Arc::new(ParsedFile::parse(text))
            } else {
                env.files.parsed(&f).ok()?
            };
            members.push(Member { path: f, parsed });
        }
        Some(Project { members, me: me? })
    }

    /// The file at `path` as a project of its own (to ask the questions below of one file).
    pub fn alone(path: &Path, text: &str) -> Project {
        Project {
            members: vec![Member {
                path: path.to_path_buf(),
                parsed: Arc::new(ParsedFile::parse(text)),
            }],
            me: 0,
        }
    }

    /// The service a finding at `span` in this file is about: the one its message names
    /// (``service `web` ``) when this file defines it, else the service whose entry holds
    /// `span`. A value a service inherits through `extends` from another service of the file
    /// is reported at that other service's token, with the inheriting service's name: the
    /// name decides which service the finding is about.
    pub fn service_at(&self, span: Span, message: &str) -> Option<String> {
        let named = named_service(message)
            .filter(|n| lookup(&self.members[self.me].parsed, &["services", n]).is_some());
        if let Some(n) = named {
            return Some(n.to_string());
        }
        let path = key_path(&self.members[self.me].parsed.yaml, span)?;
        match path.as_slice() {
            [first, second, ..] if first.key == "services" => Some(second.key.clone()),
            _ => None,
        }
    }

    /// The services this file defines, with the span of each one's entry (key to value).
    pub fn services_here(&self) -> Vec<(String, Span)> {
        let m = &self.members[self.me].parsed;
        let yaml = &m.yaml;
        let Some(e) = lookup(m, &["services"]) else {
            return Vec::new();
        };
        yaml.entries(yaml.resolve(e.value))
            .iter()
            .filter_map(|p| {
                let name = yaml.scalar(p.key)?.to_string();
                let k = yaml.node(p.key)?.span;
                let v = yaml.node(p.value)?.span;
                Some((name, k.cover(v)))
            })
            .collect()
    }

    /// Whether the active profiles enable service `name`, its `profiles:` merged over the
    /// project's files ([`super::profiles`]).
    pub fn enabled(&self, name: &str, active: &[String]) -> bool {
        super::profiles::enabled(&self.items(&["services", name, "profiles"]), active)
    }

    /// The span of the key at `keys` in this file, if it writes one.
    pub fn key_span_here(&self, keys: &[&str]) -> Option<Span> {
        let m = &self.members[self.me].parsed;
        let e = lookup(m, keys)?;
        m.yaml.node(e.key).map(|n| n.span)
    }

    /// The span of the item `item` of the sequence at `keys` in this file, if there is one.
    pub fn item_span_here(&self, keys: &[&str], item: &str) -> Option<Span> {
        let m = &self.members[self.me].parsed;
        let yaml = &m.yaml;
        let e = lookup(m, keys)?;
        let items = yaml.sequence(yaml.resolve(e.value))?;
        items
            .iter()
            .map(|i| yaml.resolve(*i))
            .find(|i| yaml.scalar(*i) == Some(item))
            .and_then(|i| yaml.node(i).map(|n| n.span))
    }

    /// The scalar at `keys` in this file, as written.
    pub fn scalar_here(&self, keys: &[&str]) -> Option<String> {
        let m = &self.members[self.me].parsed;
        let e = lookup(m, keys)?;
        m.yaml.scalar(m.yaml.resolve(e.value)).map(str::to_string)
    }

    /// The other files, for messages.
    pub fn others(&self) -> Vec<&Path> {
        let mut out = Vec::new();
        for (i, m) in self.members.iter().enumerate() {
            if i != self.me {
                out.push(m.path.as_path());
            }
        }
        out
    }

    /// What the merge makes of a finding at `span` in this file. `absent` lists the keys (of the
    /// service, or of the top level for a finding outside `services`) whose absence the finding
    /// reports, for a rule that reports one (a dotted key names a nested one).
    pub fn judge(&self, span: Span, absent: &[&str]) -> Verdict {
        self.judge_for(span, absent, None)
    }

    /// As [`Project::judge`], for a finding about `service` (see [`Project::service_at`]):
    /// compose resolves `extends` in each file before it merges the files, so a value `web`
    /// inherits from `base` is replaced by a later file's `web` value, not by its `base` one.
    pub fn judge_for(&self, span: Span, absent: &[&str], service: Option<&str>) -> Verdict {
        let mine = &self.members[self.me].parsed.yaml;
        let Some(mut path) = key_path(mine, span) else {
            return Verdict::Kept { overrides: None };
        };
        if let (Some(s), [first, second, ..]) = (service, path.as_mut_slice())
            && first.key == "services"
            && second.key != s
        {
            second.key = s.to_string();
        }
        self.judge_path(path, absent)
    }

    /// As [`Project::judge_for`], for a finding on a value the service inherits through
    /// `extends` from another file: `keys` is where the value stands in the service there
    /// (`["image"]`), as merged into the service here.
    pub fn judge_inherited(&self, service: &str, keys: &[(String, bool)]) -> Verdict {
        let mut path = vec![
            Step {
                key: "services".to_string(),
                appended: false,
            },
            Step {
                key: service.to_string(),
                appended: false,
            },
        ];
        path.extend(keys.iter().map(|(key, appended)| Step {
            key: key.clone(),
            appended: *appended,
        }));
        self.judge_path(path, &[])
    }

    fn judge_path(&self, path: Vec<Step>, absent: &[&str]) -> Verdict {
        let names: Vec<&str> = path.iter().map(|s| s.key.as_str()).collect();
        // A finding on a service's name (or the top level) that reports an absence.
        let scope_len = if names.first() == Some(&"services") {
            2
        } else {
            0
        };
        if !absent.is_empty() && names.len() <= scope_len.max(1) {
            let scope = &names[..names.len().min(scope_len)];
            for (i, m) in self.members.iter().enumerate() {
                if i == self.me {
                    continue;
                }
                for key in absent {
                    let mut want: Vec<&str> = scope.to_vec();
                    want.extend(key.split('.'));
                    if let Some(found) = lookup(&m.parsed, &want) {
                        return Verdict::Filled {
                            by: place(m, found.value),
                        };
                    }
                }
            }
            if scope_len > 0
                && let Some((m, found)) = self.members[..self.me]
                    .iter()
                    .find_map(|m| lookup(&m.parsed, scope).map(|f| (m, f)))
            {
                return Verdict::Elsewhere {
                    by: place(m, found.key),
                };
            }
            return Verdict::Kept { overrides: None };
        }
        // A value: replaced by a later file that writes the same key, unless the key holds a
        // sequence compose appends to.
        let replaced_whole = path.last().is_some_and(|s| !s.appended);
        for m in &self.members[self.me + 1..] {
            let Some(found) = lookup(&m.parsed, &names) else {
                continue;
            };
            let tag = m.parsed.yaml.tag(found.value);
            if replaced_whole || matches!(tag, Some("!reset" | "!override")) {
                return Verdict::Overridden {
                    by: place(m, found.value),
                };
            }
        }
        // A prefix reset or overridden in a later file drops everything below it.
        for m in &self.members[self.me + 1..] {
            for n in 1..names.len() {
                if let Some(found) = lookup(&m.parsed, &names[..n])
                    && matches!(m.parsed.yaml.tag(found.value), Some("!reset" | "!override"))
                {
                    return Verdict::Overridden {
                        by: place(m, found.value),
                    };
                }
            }
        }
        let overrides = if replaced_whole {
            self.members[..self.me]
                .iter()
                .rev()
                .find_map(|m| lookup(&m.parsed, &names).map(|f| place(m, f.value)))
        } else {
            None
        };
        Verdict::Kept { overrides }
    }
}

/// The merged project's values, for comparing with `docker compose config` (scalars and
/// their sequences and mappings as written; no interpolation).
impl Project {
    /// The service names of every file.
    pub fn services(&self) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        for m in &self.members {
            let yaml = &m.parsed.yaml;
            if let Some(e) = lookup(&m.parsed, &["services"]) {
                for s in yaml.entries(yaml.resolve(e.value)) {
                    out.extend(yaml.scalar(s.key).map(str::to_string));
                }
            }
        }
        out
    }

    /// The scalar at `keys` after the merge: the last file's that sets it (`!reset` unsets).
    pub fn scalar(&self, keys: &[&str]) -> Option<String> {
        let mut out = None;
        for m in &self.members {
            if let Some(e) = lookup(&m.parsed, keys) {
                let yaml = &m.parsed.yaml;
                out = match yaml.tag(e.value) {
                    Some("!reset") => None,
                    _ => yaml.scalar(yaml.resolve(e.value)).map(str::to_string),
                };
            }
        }
        out
    }

    /// The scalar items of the sequence at `keys` after the merge: appended file after file,
    /// replaced by a `!reset` or `!override` (or for a sequence the merge replaces).
    pub fn items(&self, keys: &[&str]) -> Vec<String> {
        let replaced = keys.last().is_some_and(|k| REPLACED_SEQUENCES.contains(k));
        let mut out = Vec::new();
        for m in &self.members {
            let Some(e) = lookup(&m.parsed, keys) else {
                continue;
            };
            let yaml = &m.parsed.yaml;
            if replaced || matches!(yaml.tag(e.value), Some("!reset" | "!override")) {
                out.clear();
            }
            for i in yaml.sequence(yaml.resolve(e.value)).unwrap_or_default() {
                out.extend(yaml.scalar(yaml.resolve(*i)).map(str::to_string));
            }
        }
        out
    }

    /// The keys of the mapping at `keys` after the merge (a list of `NAME=value` gives its
    /// names).
    pub fn mapping_keys(&self, keys: &[&str]) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        for m in &self.members {
            let Some(e) = lookup(&m.parsed, keys) else {
                continue;
            };
            let yaml = &m.parsed.yaml;
            if matches!(yaml.tag(e.value), Some("!reset" | "!override")) {
                out.clear();
            }
            let v = yaml.resolve(e.value);
            if let Some(items) = yaml.sequence(v) {
                for i in items {
                    if let Some(s) = yaml.scalar(yaml.resolve(*i)) {
                        out.insert(s.split('=').next().unwrap_or(s).to_string());
                    }
                }
            } else {
                for p in yaml.entries(v) {
                    out.extend(yaml.scalar(p.key).map(str::to_string));
                }
            }
        }
        out
    }
}

/// One key on the way from the top of a file to a finding.
struct Step {
    key: String,
    /// The key holds a sequence merged by appending (or by key) rather than replaced.
    appended: bool,
}

/// Sequences the merge replaces rather than appends to (compose-spec `merge.md`).
const REPLACED_SEQUENCES: [&str; 4] = ["command", "entrypoint", "test", "dns"];

/// The mapping keys from the top of the document to the deepest entry holding `span`,
/// stopping at a sequence.
fn key_path(yaml: &Yaml, span: Span) -> Option<Vec<Step>> {
    let doc = yaml.documents.first()?;
    let mut node = yaml.resolve(doc.root?);
    let mut out = Vec::new();
    while let Some(NodeKind::Mapping(pairs)) = yaml.node(node).map(|n| &n.kind) {
        let hit = yaml.pairs(*pairs).iter().find(|p| {
            let k = yaml.node(p.key).map(|n| n.span);
            let v = yaml.node(p.value).map(|n| n.span);
            match (k, v) {
                (Some(k), Some(v)) => k.cover(v).contains(span.start as usize),
                _ => false,
            }
        });
        let Some(pair) = hit else { break };
        let key = yaml.scalar(pair.key)?.to_string();
        let value = yaml.resolve(pair.value);
        let on_key = yaml
            .node(pair.key)
            .is_some_and(|n| n.span.contains(span.start as usize));
        let is_seq = yaml.sequence(value).is_some();
        let appended = is_seq && !REPLACED_SEQUENCES.contains(&key.as_str());
        out.push(Step { key, appended });
        if on_key || is_seq {
            break;
        }
        node = value;
    }
    Some(out)
}

/// The service a message names first (``service `web` ``, ``Service `web` ``).
fn named_service(message: &str) -> Option<&str> {
    let at = message.find("ervice `")?;
    let rest = &message[at + "ervice `".len()..];
    let end = rest.find('`')?;
    Some(&rest[..end])
}

/// The mapping keys from the top of a parsed file to the value at `offset` (as [`key_path`]),
/// each with whether it holds a sequence the merge appends to.
pub fn keys_at(file: &ParsedFile, offset: usize) -> Vec<(String, bool)> {
    key_path(&file.yaml, Span::new(offset, offset))
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.key, s.appended))
        .collect()
}

/// The entry at `keys` in a parsed file.
fn lookup(file: &ParsedFile, keys: &[&str]) -> Option<crate::syntax::compose::yaml::Entry> {
    let yaml = &file.yaml;
    let doc = yaml.documents.first()?;
    let mut node = yaml.resolve(doc.root?);
    let mut found = None;
    for k in keys {
        let e = yaml.lookup(node, k)?;
        node = yaml.resolve(e.value);
        found = Some(e);
    }
    found
}

fn place(m: &Member, value: NodeId) -> Place {
    let yaml = &m.parsed.yaml;
    let span = yaml.node(value).map(|n| n.span).unwrap_or_default();
    let lc = m.parsed.lines.line_col(span.start as usize, &yaml.text);
    Place {
        file: m.path.clone(),
        line: lc.line,
        column: lc.column,
        raw: yaml.scalar(value).unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compose::MemFiles;

    fn env(files: &[(&str, &str)]) -> Env {
        MemFiles::env_of(files)
    }

    const BASE: &str = "services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n";
    const OVER: &str = "services:\n  web:\n    image: nginx:latest\n    ports: ['81:81']\n    healthcheck: {test: [CMD, true]}\n";

    #[test]
    fn the_default_files_form_a_project() {
        let e = env(&[
            ("/p/compose.yaml", BASE),
            ("/p/compose.override.yaml", OVER),
            ("/p/docker-compose.yml", BASE),
        ]);
        let files = project_files(Path::new("/p/compose.yaml"), &e);
        assert_eq!(files.len(), 2);
        assert_eq!(
            project_files(Path::new("/p/compose.override.yaml"), &e),
            files
        );
        // compose.yaml is the one compose reads: docker-compose.yml stands alone.
        assert_eq!(
            project_files(Path::new("/p/docker-compose.yml"), &e).len(),
            1
        );
        assert_eq!(project_files(Path::new("/p/other.yaml"), &e).len(), 1);
    }

    #[test]
    fn a_later_scalar_overrides_and_sequences_append() {
        let e = env(&[
            ("/p/compose.yaml", BASE),
            ("/p/compose.override.yaml", OVER),
        ]);
        let base = Project::of(Path::new("/p/compose.yaml"), BASE, &e).unwrap();
        let at = |text: &str, what: &str| {
            let s = text.find(what).unwrap();
            Span::new(s, s + what.len())
        };
        assert!(matches!(
            base.judge(at(BASE, "nginx:1.27"), &[]),
            Verdict::Overridden { .. }
        ));
        assert_eq!(
            base.judge(at(BASE, "80:80"), &[]),
            Verdict::Kept { overrides: None }
        );
        // The base has no healthcheck, the override adds one.
        assert!(matches!(
            base.judge(at(BASE, "web"), &["healthcheck"]),
            Verdict::Filled { .. }
        ));
        let over = Project::of(Path::new("/p/compose.override.yaml"), OVER, &e).unwrap();
        match over.judge(at(OVER, "nginx:latest"), &[]) {
            Verdict::Kept { overrides: Some(p) } => {
                assert_eq!((p.line, p.column, p.raw.as_str()), (3, 12, "nginx:1.27"));
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn reset_drops_what_came_before() {
        let over = "services:\n  web:\n    ports: !reset []\n";
        let e = env(&[
            ("/p/compose.yaml", BASE),
            ("/p/compose.override.yaml", over),
        ]);
        let base = Project::of(Path::new("/p/compose.yaml"), BASE, &e).unwrap();
        let s = BASE.find("80:80").unwrap();
        assert!(matches!(
            base.judge(Span::new(s, s + 5), &[]),
            Verdict::Overridden { .. }
        ));
    }

    #[test]
    fn an_explicit_list_is_the_project() {
        let e = Env {
            project: Some(Arc::from(vec![
                PathBuf::from("a.yaml"),
                PathBuf::from("b.yaml"),
            ])),
            ..env(&[("a.yaml", BASE), ("b.yaml", OVER)])
        };
        assert_eq!(project_files(Path::new("./b.yaml"), &e).len(), 2);
        assert!(Project::of(Path::new("a.yaml"), BASE, &e).is_some());
    }
}

//! The one place the server reaches into the rest of plimsoll: linting a document, resolving its
//! settings, the rule catalog, image references and digests. Everything else in `lsp/` works on
//! [`FileReport`]s and plain data, so a change in the engine, configuration or registry APIs is a
//! change here only.

use crate::config;
use crate::file_settings::{SettingsOptions, SettingsSource};
use crate::model::compose::Env as ComposeEnv;
use crate::model::compose::builds::ComposeBuilds;
use crate::registry::{Client, ClientOptions, LockFile, Target};
use crate::rules::catalog;
use crate::rules::settings::LintSettings;
use crate::source::{FileKind, SourceFile};
use crate::syntax::image_ref::ImageRef;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

pub use crate::lint::Linted;

/// Lints one document exactly as `plimsoll check` lints a file ([`crate::lint::lint_file`]),
/// without unused-suppression findings.
pub fn lint_document(file: &SourceFile, settings: &LintSettings) -> Linted {
    crate::lint::lint_file(file, settings, crate::lint::LintOptions::default())
}

/// The settings of every document, resolved as `plimsoll check` resolves a file's
/// ([`SettingsSource::settings_for`]): configuration, `--isolated`/`--config` given to
/// `plimsoll lsp`, the nearest `plimsoll.lock`'s digests, and the server's environment for
/// compose interpolation, and `--policy`'s policies, compiled. A new one is made when a
/// configuration, lock or policy file changes, which drops every cached file. When `--config
/// FILE` cannot be read, no configuration is used and the error is returned beside; when only
/// `--policy`'s policies do not load (a `.rego` file being edited), the configuration is still
/// used, without them, and the policy error is returned beside.
pub fn settings_source(opts: &SettingsOptions) -> (SettingsSource, Option<String>) {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let error = match SettingsSource::new(opts, cwd.clone()) {
        Ok(s) => return (s, None),
        Err(e) => e,
    };
    if !opts.policies.is_empty() {
        let without = SettingsOptions {
            policies: Vec::new(),
            ..opts.clone()
        };
        if let Ok(s) = SettingsSource::new(&without, cwd.clone()) {
            return (
                s,
                Some(format!(
                    "{error}; the --policy policies are not run until it is fixed"
                )),
            );
        }
    }
    (
        SettingsSource::isolated(opts, cwd),
        Some(format!("configuration error, using defaults: {error}")),
    )
}

/// The settings for the file at `path`, with a problem to show the user (an invalid
/// configuration, whose defaults are then used, or an unreadable lock file).
///
/// A Dockerfile is linted as the services of its compose project build it, as `plimsoll check`
/// does, reading the project's files afresh each time (they change while the server runs).
pub fn settings_for(source: &SettingsSource, path: &Path) -> (LintSettings, Option<String>) {
    let (mut settings, problem) = match source.settings_for(path) {
        Ok(s) => (s.settings, s.problems.into_iter().next()),
        Err(e) => (
            LintSettings::default(),
            Some(format!("configuration error, using defaults: {e}")),
        ),
    };
    settings.compose_builds = ComposeBuilds::fresh();
    if FileKind::detect(path) == Some(FileKind::Compose) {
        settings.compose_env = with_includes(&settings.compose_env, path);
    }
    (settings, problem)
}

/// How many directories above an open compose file are searched for a compose file that
/// includes it (four `stat`s each, on every lint of the file).
const INCLUDER_LEVELS: usize = 4;

/// The compose environment with the includes of `path`'s project, as `plimsoll check` walks
/// them: a file another compose file of the project `include:`s is loaded as that project
/// reads it (its project directory, its dotenv files). The includers are looked for among the
/// default compose files of the file's directory and of up to [`INCLUDER_LEVELS`] above it,
/// read afresh.
fn with_includes(env: &std::sync::Arc<ComposeEnv>, path: &Path) -> std::sync::Arc<ComposeEnv> {
    use crate::model::compose::EntryKind;
    use crate::model::compose::builds::same_file;
    use crate::model::compose::project::BASE_NAMES;
    let mut roots = Vec::new();
    let dirs = path.parent().into_iter().flat_map(Path::ancestors);
    for dir in dirs.take(INCLUDER_LEVELS + 1) {
        let first = BASE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| env.files.entry(p) == Some(EntryKind::File));
        if let Some(first) = first
            && !same_file(&first, path)
        {
            roots.push(first);
        }
    }
    // The highest first: the first route to a file starts at the top of its project.
    roots.reverse();
    roots.push(path.to_path_buf());
    let included = crate::model::compose::include::resolve(&roots, &*env.files);
    if included.iter().next().is_none() && included.problems(path).is_empty() {
        return env.clone();
    }
    let mut with = (**env).clone();
    with.includes = Some(std::sync::Arc::new(included));
    std::sync::Arc::new(with)
}

/// Whether the open document at `doc` (of `kind`) is linted with what the file at `saved` says,
/// so saving that file changes its findings:
///
/// - a compose file reads the other files of its project (its override, the `.env` beside
///   it) and the Dockerfiles its services build (`root-user-built` judges their user);
/// - a Dockerfile is linted with the `build.args` and `build.target` of the services of the
///   nearest compose project above it, so a compose or `.env` file in its directory or an
///   ancestor's may change it.
pub fn depends_on(doc: &Path, kind: FileKind, saved: &Path, env: &ComposeEnv) -> bool {
    use crate::model::compose::builds::{project_builds, same_file};
    use crate::model::compose::project::project_files;
    if same_file(doc, saved) {
        return false;
    }
    let saved_kind = FileKind::detect(saved);
    match (kind, saved_kind) {
        (FileKind::Compose, Some(FileKind::Compose | FileKind::Env)) => {
            doc.parent() == saved.parent()
                || project_files(doc, env).iter().any(|p| same_file(p, saved))
                // A file the saved one includes (directly or through others) is read as its
                // entry says (project directory, env_file).
                || (saved_kind == Some(FileKind::Compose)
                    && crate::model::compose::include::resolve(
                        &[saved.to_path_buf()],
                        &*env.files,
                    )
                    .context(doc)
                    .is_some())
        }
        (FileKind::Compose, Some(FileKind::Dockerfile)) => {
            let Some(first) = project_files(doc, env).into_iter().next() else {
                return false;
            };
            project_builds(&first, env)
                .iter()
                .any(|b| same_file(&b.dockerfile, saved))
        }
        (FileKind::Dockerfile, Some(FileKind::Compose | FileKind::Env)) => saved
            .parent()
            .zip(doc.parent())
            .is_some_and(|(s, d)| d.starts_with(s)),
        _ => false,
    }
}

/// The kind the configuration's `[file-kinds]` assigns to a file whose name says nothing.
pub fn configured_kind(source: &SettingsSource, path: &Path) -> Option<FileKind> {
    source.resolver().for_file(path).ok()?.kind_for(path)
}

/// Whether a change to `path` can change some document's settings.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| config::CONFIG_NAMES.contains(&n) || config::HADOLINT_NAMES.contains(&n))
}

/// Whether `path` is a Rego policy: a change recompiles the policies (`[[policy]]`).
pub fn is_policy_file(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "rego")
}

/// Globs the client is asked to watch for configuration, lock-file and policy changes.
pub fn watched_globs() -> Vec<String> {
    config::CONFIG_NAMES
        .iter()
        .chain(config::HADOLINT_NAMES.iter())
        .chain([&LOCK_FILE_NAME, &"*.rego"])
        .map(|n| format!("**/{n}"))
        .collect()
}

pub const LOCK_FILE_NAME: &str = crate::registry::LOCK_FILE_NAME;

pub fn is_lock_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()) == Some(LOCK_FILE_NAME)
}

/// What the editor shows about a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDoc {
    pub code: String,
    pub name: String,
    pub summary: String,
}

/// Where a rule's documentation lives ([`catalog::doc_url`]).
pub fn rule_doc_url(name: &str) -> String {
    catalog::lookup(name).map_or_else(
        || format!("{}/README.md", catalog::DOCS_BASE),
        catalog::doc_url,
    )
}

/// The catalog entry for a code, name or alias (hadolint DL code, BuildKit check name).
pub fn rule_doc(code_or_alias: &str) -> Option<RuleDoc> {
    catalog::lookup(code_or_alias).map(|m| RuleDoc {
        code: m.code.to_string(),
        name: m.name.to_string(),
        summary: m.summary.to_string(),
    })
}

/// The parts of an image reference, as `docker pull` reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageParts {
    /// Normalised registry (`docker.io` when none is written).
    pub registry: String,
    /// Normalised repository (`library/debian`).
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    /// `FROM scratch`: no image at all.
    pub scratch: bool,
}

/// Parses an image reference (`[registry/]repository[:tag][@digest]`) with Docker Hub
/// normalisation. `None` for text that is not one.
pub fn parse_image(reference: &str) -> Option<ImageParts> {
    let r = ImageRef::parse(reference).ok()?;
    Some(ImageParts {
        registry: r.domain().to_string(),
        repository: r.path().into_owned(),
        tag: r.tag_str().map(str::to_string),
        digest: r.digest_str().map(str::to_string),
        scratch: r.is_scratch(),
    })
}

/// Resolves `reference` to a `sha256:…` digest for the document at `doc_path`: from the nearest
/// `plimsoll.lock` up the tree when it has the reference, else from the registry. Runs on a
/// worker thread (it may block on the network), never on the message loop.
pub fn resolve_digest(reference: &str, doc_path: &Path) -> Result<String, String> {
    let target = Target::parse(reference).map_err(|e| e.to_string())?;
    let canonical = target.to_string();
    let lock = doc_path
        .parent()
        .into_iter()
        .flat_map(Path::ancestors)
        .map(|d| d.join(LOCK_FILE_NAME))
        .find(|p| p.is_file());
    if let Some(lock) = lock {
        let file = LockFile::read(&lock).map_err(|e| e.to_string())?;
        if let Some(entry) = file.get(&canonical) {
            return Ok(entry.digest.clone());
        }
    }
    static CLIENT: OnceLock<Client> = OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        // An editor waits on this: fail fast rather than retry for a minute.
        Client::new(ClientOptions {
            max_attempts: 2,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            ..ClientOptions::from_environment()
        })
    });
    client
        .resolve(&target)
        .map(|r| r.digest)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An included file opened in the editor is read as the project including it reads it,
    /// and saving the includer re-lints it.
    #[test]
    fn an_included_file_is_read_as_its_project_includes_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("compose.yaml");
        let sub = dir.path().join("sub").join("compose.yaml");
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::create_dir_all(dir.path().join("conf")).unwrap();
        std::fs::write(
            &root,
            "include:\n  - path: sub/compose.yaml\n    env_file: conf/vars.env\nservices: {}\n",
        )
        .unwrap();
        std::fs::write(&sub, "services:\n  web:\n    image: nginx:${TAG}\n").unwrap();
        let (source, _) = settings_source(&SettingsOptions {
            isolated: true,
            ..SettingsOptions::default()
        });
        let (settings, _) = settings_for(&source, &sub);
        let included = settings.compose_env.includes.as_ref().unwrap();
        let context = included.context(&sub).unwrap();
        assert_eq!(
            context.dotenv.last(),
            Some(&dir.path().join("conf/vars.env"))
        );
        assert!(depends_on(
            &sub,
            FileKind::Compose,
            &root,
            &settings.compose_env
        ));
        // A compose file no other includes is read on its own.
        let (settings, _) = settings_for(&source, &root);
        assert!(
            settings
                .compose_env
                .includes
                .as_ref()
                .unwrap()
                .context(&root)
                .is_none()
        );
    }

    #[test]
    fn parses_image_references() {
        let p = parse_image("debian:latest").unwrap();
        assert_eq!(p.registry, "docker.io");
        assert_eq!(p.repository, "library/debian");
        assert_eq!(p.tag.as_deref(), Some("latest"));
        assert_eq!(p.digest, None);
        let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
        let p = parse_image(&format!("localhost:5000/team/app:1.2@{digest}")).unwrap();
        assert_eq!(p.registry, "localhost:5000");
        assert_eq!(p.repository, "team/app");
        assert_eq!(p.tag.as_deref(), Some("1.2"));
        assert_eq!(p.digest.as_deref(), Some(digest.as_str()));
        let p = parse_image("ghcr.io/o/r").unwrap();
        assert_eq!((p.registry.as_str(), p.tag), ("ghcr.io", None));
        assert_eq!(parse_image("user/app").unwrap().repository, "user/app");
        assert!(parse_image("scratch").unwrap().scratch);
        assert_eq!(parse_image(""), None);
        assert_eq!(parse_image("a b"), None);
    }

    #[test]
    fn resolves_digests_from_the_nearest_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        let digest = format!("sha256:{}", "ab".repeat(32));
        std::fs::write(
            dir.path().join(LOCK_FILE_NAME),
            format!(
                "[[image]]\nreference = \"docker.io/library/debian:12\"\ndigest = \"{digest}\"\n\
                 resolved-at = \"2026-01-02T03:04:05Z\"\nkind = \"index\"\n"
            ),
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let doc = dir.path().join("sub/Dockerfile");
        assert_eq!(resolve_digest("debian:12", &doc), Ok(digest));
        assert!(resolve_digest("not a ref", &doc).is_err());
    }

    #[test]
    fn looks_rules_up_in_the_catalog() {
        let doc = rule_doc("latest-tag").expect("latest-tag is in the catalog");
        assert!(doc.code.starts_with("PL"));
        assert!(!doc.summary.is_empty());
        assert_eq!(
            rule_doc(&doc.code).map(|d| d.name),
            Some("latest-tag".to_string())
        );
        assert_eq!(rule_doc("no-such-rule"), None);
    }

    #[test]
    fn lints_with_the_engine_and_honours_suppressions() {
        let file = SourceFile::new(
            "Dockerfile",
            "FROM debian:latest\n# plimsoll ignore=latest-tag\nFROM alpine:latest\n",
            FileKind::Dockerfile,
        );
        let linted = lint_document(&file, &LintSettings::default());
        let lines: Vec<u32> = linted
            .report
            .findings
            .iter()
            .filter(|f| f.name == "latest-tag")
            .map(|f| file.line_col(f.span.start as usize).line)
            .collect();
        assert_eq!(lines, [1]);
    }

    #[test]
    fn honours_hadolint_stage_ignore_and_shell_pragmas() {
        // The stage ignore covers lines 3-4 (the build stage), not line 6; the shell pragma
        // makes line 8 a PowerShell RUN, where no POSIX pipe is judged.
        let text = "FROM debian:latest AS build\n# hadolint stage ignore=DL3008\nRUN apt-get install -y --no-install-recommends gcc\nRUN apt-get install -y --no-install-recommends make\nFROM debian:12\nRUN apt-get install -y --no-install-recommends curl\n# hadolint shell=pwsh\nRUN Get-ChildItem /etc | Select-Object -First 3\nFROM debian:12\nRUN curl -fsSL https://example.com/x | sh\n";
        let file = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let linted = lint_document(&file, &LintSettings::default());
        let lines = |name: &str| -> Vec<u32> {
            linted
                .report
                .findings
                .iter()
                .filter(|f| f.name == name)
                .map(|f| file.line_col(f.span.start as usize).line)
                .collect()
        };
        assert_eq!(lines("apt-unpinned"), [6]);
        assert_eq!(lines("pipefail"), [10]);
        assert_eq!(lines("latest-tag"), [1]);
    }

    #[test]
    fn saved_files_name_the_open_files_that_read_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("app")).unwrap();
        std::fs::write(
            p.join("compose.yaml"),
            "services:\n  web:\n    build: ./app\n",
        )
        .unwrap();
        std::fs::write(p.join("app/Dockerfile"), "FROM x\n").unwrap();
        std::fs::write(p.join("other.Dockerfile"), "FROM x\n").unwrap();
        let env = ComposeEnv::new();
        let compose = p.join("compose.yaml");
        let df = p.join("app/Dockerfile");
        // The compose file reads the Dockerfile its service builds, not another.
        assert!(depends_on(&compose, FileKind::Compose, &df, &env));
        assert!(!depends_on(
            &compose,
            FileKind::Compose,
            &p.join("other.Dockerfile"),
            &env
        ));
        // The Dockerfile reads the compose project above it, and its `.env`.
        assert!(depends_on(&df, FileKind::Dockerfile, &compose, &env));
        assert!(depends_on(&df, FileKind::Dockerfile, &p.join(".env"), &env));
        assert!(depends_on(
            &compose,
            FileKind::Compose,
            &p.join(".env"),
            &env
        ));
        // Not itself, and not a compose file beside it that is below it.
        assert!(!depends_on(&df, FileKind::Dockerfile, &df, &env));
        assert!(!depends_on(
            &df,
            FileKind::Dockerfile,
            &p.join("app/sub/compose.yaml"),
            &env
        ));
    }

    #[test]
    fn recognises_config_and_lock_files() {
        assert!(is_config_file(Path::new("/x/plimsoll.toml")));
        assert!(is_config_file(Path::new(".hadolint.yaml")));
        assert!(!is_config_file(Path::new("/x/Cargo.toml")));
        assert!(is_lock_file(Path::new("a/plimsoll.lock")));
    }
}

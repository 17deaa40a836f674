//! The settings a file is linted with, resolved one way for `plimsoll check` and the language
//! server alike: the nearest configuration with its per-path overrides (or `--config FILE`, or
//! none with `--isolated`), the command line's `--select`/`--ignore` on top, the environment
//! compose interpolation reads, and the digests and image platforms of the nearest
//! `plimsoll.lock` (for unpinned-digest's safe fix and invalid-base-image-platform). One
//! function, [`SettingsSource::settings_for`], so an editor shows what a CI run reports.

use crate::config::{self, Config, ConfigError, Resolver};
use crate::model::compose::Env as ComposeEnv;
use crate::registry::{LOCK_FILE_NAME, LockFile};
use crate::rules::settings::{ChecksumSource, LintSettings};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where settings come from: what the command line (or the editor's `plimsoll lsp` arguments)
/// says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsOptions {
    /// `--config FILE`: this configuration for every file, instead of discovering one.
    pub config: Option<PathBuf>,
    /// `--isolated`: no configuration file at all.
    pub isolated: bool,
    /// `--select`: replaces the configured rule set when not empty.
    pub select: Vec<String>,
    /// `--ignore`: added to the configured ignores.
    pub ignore: Vec<String>,
    /// `--preview`: rules in preview run too, whatever the configuration says.
    pub preview: bool,
    /// `--ignore-env`: compose interpolation leaves this process's environment out.
    pub ignore_env: bool,
    /// Read each file a compose file names (`.env`, `extends`) once and keep it: right for one
    /// run, wrong for a language server, whose files change while it runs.
    pub cache_files: bool,
    /// `--fetch-checksums`: download what `ADD <url>` fetches, so that add-url-checksum can
    /// offer its fix. Never done otherwise: linting stays offline.
    pub fetch_checksums: bool,
    /// `--policy PATH`: Rego files or directories (package `main`, plimsoll input) run on every
    /// file beside the configuration's `[[policy]]` entries.
    pub policies: Vec<PathBuf>,
    /// `--compose-file`/`-f`: these compose files, in this order, are one project, merged as
    /// `docker compose -f a -f b` merges them.
    pub compose_project: Vec<PathBuf>,
    /// The active compose profiles (`--profile`, else `COMPOSE_PROFILES`): only the services
    /// they enable are linted. `None`: every service.
    pub compose_profiles: Option<Vec<String>>,
}

/// A file's settings, and problems that do not stop it being linted (a lock file that cannot be
/// read: its digests are missing, which the caller reports).
#[derive(Clone, Debug)]
pub struct FileSettings {
    pub settings: LintSettings,
    pub problems: Vec<String>,
}

/// Resolves settings per file, caching configurations and lock files. Safe to share between
/// threads; make a new one when a configuration or lock file changes.
pub struct SettingsSource {
    resolver: Arc<Resolver>,
    select: Vec<String>,
    ignore: Vec<String>,
    preview: bool,
    compose_env: Arc<ComposeEnv>,
    compose_files: Arc<crate::model::compose::DiskFiles>,
    locks: Locks,
    url_checksums: ChecksumSource,
    /// `--policy`, compiled once.
    cli_policies: crate::policy::Policies,
    /// A configuration's policies with `--policy` after them, by the configuration's policies.
    combined: Mutex<HashMap<usize, crate::policy::Policies>>,
}

impl SettingsSource {
    /// Reads `--config FILE` now (its errors are the caller's to report); discovered
    /// configurations are read when a file under them is first asked about. `cwd` is where a
    /// lock file is looked for last.
    pub fn new(opts: &SettingsOptions, cwd: PathBuf) -> Result<SettingsSource, ConfigError> {
        let resolver = if opts.isolated {
            Resolver::fixed(Config::default())
        } else if let Some(path) = &opts.config {
            Resolver::fixed(config::load(path)?)
        } else {
            Resolver::discover()
        };
        let mut source = Self::with_resolver(resolver, opts, cwd);
        if !opts.policies.is_empty() {
            let spec = crate::policy::PolicySpec::new(opts.policies.clone());
            source.cli_policies = crate::policy::Policies::load(std::slice::from_ref(&spec))
                .map_err(config::policy_config_error)?;
        }
        Ok(source)
    }

    /// As [`SettingsSource::new`] with `--isolated`: no configuration file is read, so nothing
    /// can fail (the language server's fallback when `--config FILE` is invalid).
    pub fn isolated(opts: &SettingsOptions, cwd: PathBuf) -> SettingsSource {
        Self::with_resolver(Resolver::fixed(Config::default()), opts, cwd)
    }

    fn with_resolver(resolver: Resolver, opts: &SettingsOptions, cwd: PathBuf) -> SettingsSource {
        // Compose interpolation sees this process's environment, as `docker compose` does; the
        // files compose files name (`.env`, `extends`) are read once per run.
        let compose_files = Arc::new(if opts.cache_files {
            crate::model::compose::DiskFiles::cached()
        } else {
            crate::model::compose::DiskFiles::uncached()
        });
        let mut compose_env = if opts.ignore_env {
            ComposeEnv::new()
        } else {
            ComposeEnv::from_process()
        }
        .with_files(compose_files.clone());
        if !opts.compose_project.is_empty() {
            compose_env.project = Some(Arc::from(opts.compose_project.clone()));
        }
        compose_env.profiles = opts.compose_profiles.as_deref().map(Arc::from);
        let compose_env = Arc::new(compose_env);
        SettingsSource {
            resolver: Arc::new(resolver),
            select: opts.select.clone(),
            ignore: opts.ignore.clone(),
            preview: opts.preview,
            compose_env,
            compose_files,
            locks: Locks::new(cwd),
            url_checksums: if opts.fetch_checksums {
                crate::fetch::http_checksums()
            } else {
                ChecksumSource::default()
            },
            cli_policies: crate::policy::Policies::default(),
            combined: Mutex::new(HashMap::new()),
        }
    }

    /// Loads every compose file the run's files `include:` as its project does (its project
    /// directory, its dotenv files): call it once, before linting.
    pub fn set_compose_includes(
        &mut self,
        included: Arc<crate::model::compose::include::Included>,
    ) {
        let mut env = (*self.compose_env).clone();
        env.includes = Some(included);
        self.compose_env = Arc::new(env);
    }

    /// The files compose files name, as this run reads them (each once).
    pub fn compose_files(&self) -> &crate::model::compose::DiskFiles {
        &self.compose_files
    }

    /// What reading the files compose files name taught (for example a file read once and
    /// shared by many services), for the end of a run.
    pub fn compose_notes(&self) -> Vec<String> {
        crate::model::compose::ComposeFiles::notes(&*self.compose_files)
    }

    /// The configuration resolver (for `[file-kinds]`, the fail level and the output format).
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// What a directory walk skips: the `exclude`/`extend-exclude` of the configuration that
    /// applies where the walk is.
    pub fn excluder(&self) -> crate::discover::Excluder {
        Arc::new(config::excluder(self.resolver.clone()))
    }

    /// The settings for the file at `path` (as the user named it). An invalid configuration
    /// is an error; an unreadable lock file is a problem beside the settings.
    pub fn settings_for(&self, path: &Path) -> Result<FileSettings, ConfigError> {
        let config = self.resolver.for_file(path)?;
        let mut settings = config.settings_for(path);
        settings.compose_env = self.compose_env.clone();
        if !self.select.is_empty() {
            settings.select = self.select.clone();
            settings.extend_select.clear();
        }
        settings.ignore.extend(self.ignore.iter().cloned());
        settings.preview |= self.preview;
        settings.options.url_checksums = self.url_checksums.clone();
        if !self.cli_policies.is_empty() {
            settings.policies = self.with_cli_policies(&settings.policies);
        }
        let mut problems = Vec::new();
        match self.locks.for_file(path) {
            Ok((digests, platforms)) => {
                settings.options.pinned_digests = digests;
                settings.options.image_platforms = platforms;
            }
            Err(e) => problems.push(e),
        }
        Ok(FileSettings { settings, problems })
    }

    /// `configured` followed by `--policy`'s sets, made once per configuration.
    fn with_cli_policies(&self, configured: &crate::policy::Policies) -> crate::policy::Policies {
        let Ok(mut cache) = self.combined.lock() else {
            return configured.combined(&self.cli_policies);
        };
        cache
            .entry(configured.id())
            .or_insert_with(|| configured.combined(&self.cli_policies))
            .clone()
    }
}

/// A lock file's digests and image platforms by canonical reference, or why it could not be
/// read.
type LockDigests = Result<
    (
        Arc<BTreeMap<String, String>>,
        Arc<BTreeMap<String, Vec<String>>>,
    ),
    String,
>;

/// Digests and image platforms of the nearest `plimsoll.lock` (up the tree from a file, else in
/// the current directory), read once per lock file.
struct Locks {
    cwd: PathBuf,
    cache: Mutex<HashMap<PathBuf, LockDigests>>,
    /// Directory -> its nearest lock file.
    dirs: Mutex<HashMap<std::ffi::OsString, Option<PathBuf>>>,
}

impl Locks {
    fn new(cwd: PathBuf) -> Locks {
        Locks {
            cwd,
            cache: Mutex::new(HashMap::new()),
            dirs: Mutex::new(HashMap::new()),
        }
    }

    /// The lock file for `file`, looked up once per directory (as written: the current
    /// directory does not change during a run).
    fn nearest(&self, file: &Path) -> Option<PathBuf> {
        let written = file.parent()?.as_os_str();
        if let Some(found) = self.dirs.lock().ok().and_then(|d| d.get(written).cloned()) {
            return found;
        }
        let abs = self.cwd.join(file);
        let found = abs
            .parent()?
            .ancestors()
            .map(|d| d.join(LOCK_FILE_NAME))
            .chain(std::iter::once(self.cwd.join(LOCK_FILE_NAME)))
            .find(|p| p.is_file());
        if let Ok(mut d) = self.dirs.lock() {
            d.insert(written.to_owned(), found.clone());
        }
        found
    }

    fn for_file(&self, file: &Path) -> LockDigests {
        let Some(lock) = self.nearest(file) else {
            return Ok(Default::default());
        };
        let cached = self.cache.lock().ok().and_then(|c| c.get(&lock).cloned());
        if let Some(c) = cached {
            return c;
        }
        let loaded = LockFile::read(&lock)
            .map(|l| {
                let digests = l
                    .entries()
                    .map(|e| (e.reference.clone(), e.digest.clone()))
                    .collect();
                (Arc::new(digests), Arc::new(l.platforms()))
            })
            .map_err(|e| e.to_string());
        if let Ok(mut c) = self.cache.lock() {
            c.insert(lock, loaded.clone());
        }
        loaded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_selectors_and_the_nearest_lock_file_apply() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::write(
            d.join("plimsoll.toml"),
            "extend-select = [\"setuid\"]\nignore = [\"split-run\"]\n",
        )
        .unwrap();
        let digest = format!("sha256:{}", "ab".repeat(32));
        std::fs::create_dir(d.join("app")).unwrap();
        std::fs::write(
            d.join("app").join(LOCK_FILE_NAME),
            format!(
                "[[image]]\nreference = \"docker.io/library/alpine:3.20\"\ndigest = \"{digest}\"\n\
                 resolved-at = \"2026-01-02T03:04:05Z\"\nkind = \"index\"\n"
            ),
        )
        .unwrap();
        let opts = SettingsOptions {
            ignore: vec!["root-user".into()],
            ..SettingsOptions::default()
        };
        let source = SettingsSource::new(&opts, d.to_path_buf()).unwrap();
        let s = source.settings_for(&d.join("app/Dockerfile")).unwrap();
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.settings.ignore, ["split-run", "root-user"]);
        assert_eq!(s.settings.extend_select, ["setuid"]);
        assert_eq!(
            s.settings
                .options
                .pinned_digests
                .get("docker.io/library/alpine:3.20"),
            Some(&digest)
        );
        // `--select` replaces the configured set, extensions included.
        let opts = SettingsOptions {
            select: vec!["latest-tag".into()],
            ..SettingsOptions::default()
        };
        let source = SettingsSource::new(&opts, d.to_path_buf()).unwrap();
        let s = source.settings_for(&d.join("Dockerfile")).unwrap();
        assert_eq!(s.settings.select, ["latest-tag"]);
        assert!(s.settings.extend_select.is_empty());
        assert!(s.settings.options.pinned_digests.is_empty());
        // `--isolated` reads no configuration.
        let opts = SettingsOptions {
            isolated: true,
            ..SettingsOptions::default()
        };
        let source = SettingsSource::new(&opts, d.to_path_buf()).unwrap();
        let s = source.settings_for(&d.join("Dockerfile")).unwrap();
        assert!(s.settings.ignore.is_empty());
    }

    #[test]
    fn an_unreadable_lock_file_is_a_problem_not_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(LOCK_FILE_NAME), "not toml [").unwrap();
        let source =
            SettingsSource::new(&SettingsOptions::default(), tmp.path().to_path_buf()).unwrap();
        let s = source.settings_for(&tmp.path().join("Dockerfile")).unwrap();
        assert_eq!(s.problems.len(), 1);
        assert!(s.settings.options.pinned_digests.is_empty());
    }
}

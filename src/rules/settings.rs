//! What the engine needs from configuration: which rules run, at which severity, with which
//! options. `config.rs` builds a [`LintSettings`] per file; the engine consumes it. Selectors
//! are rule codes (`PL101`), names (`latest-tag`), aliases (`DL3007`, BuildKit check names),
//! code prefixes (`PL1`), categories (`security`), families (`image`) or `ALL`.

use crate::finding::Severity;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LintSettings {
    /// Replaces the default rule set when non-empty.
    pub select: Vec<String>,
    /// Adds to the selected set.
    pub extend_select: Vec<String>,
    /// Removed from the selected set (wins over select).
    pub ignore: Vec<String>,
    /// Severity overrides, selector -> severity.
    pub severity: BTreeMap<String, Severity>,
    /// Preview mode: rules whose lifecycle is `preview` run too (when selected, or on by
    /// default).
    pub preview: bool,
    pub options: RuleOptions,
    /// Inline suppression comments (`# plimsoll ignore=`, `# hadolint ignore=`, their
    /// file-wide forms, hadolint's `stage ignore=`) are not read: hadolint's
    /// `disable-ignore-pragma`. (`# hadolint shell=` is no suppression and is still read.)
    pub disable_inline_ignores: bool,
    /// Variables compose interpolation reads before the `.env` beside the file: the process
    /// environment in the CLI and the language server (as `docker compose` does), empty by
    /// default so library results do not depend on the machine.
    pub compose_env: Arc<crate::model::compose::Env>,
    /// What `docker build` is given: build arguments (`--build-arg`, `build-args`) and the
    /// target platform (`--platform`, `platform`; the host's by default). The Dockerfile model
    /// resolves `ARG`s with them, so every rule sees `FROM $BASE` as the build does.
    pub build: Arc<crate::model::build_inputs::BuildInputs>,
    /// Where the compose services that build a Dockerfile are looked for: a Dockerfile one
    /// builds is linted with that service's `build.args` and `build.target` (off by default;
    /// `plimsoll check` and the language server turn it on).
    pub compose_builds: crate::model::compose::builds::ComposeBuilds,
    /// The Rego policies that run on the file (`[[policy]]`, `--policy`), compiled once.
    pub policies: crate::policy::Policies,
}

/// Options rules read. Defaults are what a user gets with no configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleOptions {
    /// Tags treated like `latest`: they move.
    pub moving_tags: Vec<String>,
    /// When non-empty, images from other registries are flagged (hadolint's trustedRegistries).
    pub trusted_registries: Vec<String>,
    /// Base images (globs over the normalised reference, e.g. `gcr.io/distroless/*:nonroot`)
    /// known to run as a non-root user, which silences root-user's "no USER" case.
    pub nonroot_base_images: Vec<String>,
    /// Labels each final stage must set, with an optional value format.
    pub required_labels: BTreeMap<String, LabelFormat>,
    /// Labels outside `required_labels` are reported (hadolint's `strict-labels`).
    pub strict_labels: bool,
    /// Values (or regexes, when written `/…/`) never reported as secrets.
    pub secret_allowlist: Vec<String>,
    /// Digests known for image references (from the nearest `plimsoll.lock`), keyed by the
    /// canonical reference `registry/repository:tag` (`docker.io/library/alpine:3.20`). With an
    /// entry, unpinned-digest offers a safe fix adding the digest.
    pub pinned_digests: Arc<BTreeMap<String, String>>,
    /// What the declarative policies (the `policy` family) require.
    pub policy: Arc<PolicyOptions>,
    /// Where add-url-checksum gets the SHA-256 of what an `ADD <url>` downloads, to offer its
    /// fix. Empty unless the user asked for downloads (`plimsoll check --fetch-checksums`):
    /// linting never touches the network otherwise.
    pub url_checksums: ChecksumSource,
    /// The platforms each image reference is published for (`linux/amd64`, …), keyed like
    /// `pinned_digests`: from the lock file's `platforms`, or from the registry when asked.
    /// A reference without an entry is not judged by invalid-base-image-platform.
    pub image_platforms: Arc<BTreeMap<String, Vec<String>>>,
    /// The ShellCheck program the `shellcheck` rule runs (`shellcheck = "…"`; a bare name is
    /// looked up on `PATH`); `None`: `shellcheck` on `PATH`.
    pub shellcheck: Option<std::path::PathBuf>,
    /// ShellCheck codes never reported (`shellcheck-exclude`), spelled `SC2086`. The default
    /// is [`DEFAULT_SHELLCHECK_EXCLUDE`].
    pub shellcheck_exclude: Vec<String>,
    /// The quote `port-unquoted` wants around `ports` and `expose` entries: `'` (dclint's
    /// default) or `"` (`port-quotes = "double"`, dclint's `quoteType`).
    pub port_quote: char,
    /// The order `service-key-order` wants a service's keys in; keys it does not name come
    /// after, alphabetically. Default: dclint's groups, in its order.
    pub service_key_order: Vec<String>,
    /// The order `top-level-order` wants the top-level keys in; `x-*` stands for the extension
    /// keys, alphabetically. Keys it does not name come last, in the order written.
    pub top_level_order: Vec<String>,
    /// Whether a `pull_policy` makes `build` with `image` deliberate for `build-and-image`
    /// (dclint's `checkPullPolicy`, read from `.dclintrc`).
    pub pull_policy_settles_build_and_image: bool,
}

/// dclint's default order of a service's keys (its groups: core, dependencies, data,
/// environment, network, runtime, metadata, security).
pub const DEFAULT_SERVICE_KEY_ORDER: [&str; 23] = [
    "image",
    "build",
    "container_name",
    "depends_on",
    "volumes",
    "volumes_from",
    "configs",
    "secrets",
    "environment",
    "env_file",
    "ports",
    "networks",
    "network_mode",
    "extra_hosts",
    "command",
    "entrypoint",
    "working_dir",
    "restart",
    "healthcheck",
    "logging",
    "labels",
    "user",
    "isolation",
];

/// dclint's default order of the top-level keys.
pub const DEFAULT_TOP_LEVEL_ORDER: [&str; 9] = [
    "x-*", "version", "name", "include", "services", "networks", "volumes", "secrets", "configs",
];

/// The SHA-256 of the file a URL serves, for `ADD --checksum` (see [`RuleOptions::url_checksums`]).
pub trait UrlChecksums: Send + Sync {
    /// `sha256:<hex>` of what `url` serves now, or why it could not be had (one line).
    fn sha256(&self, url: &str) -> Result<String, String>;
}

/// An optional [`UrlChecksums`], shared by every file of a run (two sources are equal only when
/// they are the same source).
#[derive(Clone, Default)]
pub struct ChecksumSource(pub Option<Arc<dyn UrlChecksums>>);

impl ChecksumSource {
    pub fn new(source: Arc<dyn UrlChecksums>) -> ChecksumSource {
        ChecksumSource(Some(source))
    }

    pub fn get(&self) -> Option<&dyn UrlChecksums> {
        self.0.as_deref()
    }
}

impl PartialEq for ChecksumSource {
    fn eq(&self, other: &ChecksumSource) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl std::fmt::Debug for ChecksumSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ChecksumSource(set)"
        } else {
            "ChecksumSource(none)"
        })
    }
}

/// ShellCheck codes left out unless `shellcheck-exclude` says otherwise: both say a script
/// `source`s a file ShellCheck cannot read, and in a Dockerfile that file is in the image, never
/// on the machine that lints (see `rules/shell/shellcheck.md`).
pub const DEFAULT_SHELLCHECK_EXCLUDE: [&str; 2] = ["SC1090", "SC1091"];

/// The organisation's declarative policies (`[options]`, per path in `[[overrides]]`). Each is
/// off while its key is unset. Allowed registries are `trusted_registries`; required labels are
/// `required_labels`; a non-root `USER`, a `HEALTHCHECK`, digests, `read_only` and resource
/// limits required per path are the built-in rules selected per path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyOptions {
    /// Repositories images may come from (globs over `registry/repository`: `ghcr.io/acme/*`).
    pub allowed_repositories: Vec<String>,
    /// Banned images or tags (patterns: `centos`, `python:2*`), each with the reason shown.
    pub banned_images: Vec<(String, String)>,
    /// Images a `FROM` may name (patterns: `gcr.io/distroless/*`, `debian:12*`).
    pub allowed_base_images: Vec<String>,
    /// The most stages a Dockerfile may have.
    pub max_stages: Option<usize>,
    /// The most layers (`RUN`, `COPY`, `ADD`) the final image may add in this file.
    pub max_layers: Option<usize>,
    /// Values `FROM --platform` may have (as written: `$BUILDPLATFORM`, `linux/amd64`).
    pub allowed_platforms: Vec<String>,
    /// Values a compose service's `network_mode` may have (`bridge`, `none`, `service:*`).
    pub allowed_network_modes: Vec<String>,
}

pub use crate::analysis::labels::LabelFormat;

impl Default for RuleOptions {
    fn default() -> RuleOptions {
        RuleOptions {
            // Tags publishers move to each new build: plimsoll's first list, and the one
            // dclint's service-image-require-explicit-tag uses (`dev`, `lts`, `main`, `master`,
            // `nightly`, `edge`, `beta`, `stable`, `test`; dclint itself also has `canary`).
            moving_tags: [
                "latest", "stable", "edge", "nightly", "rolling", "current", "dev", "lts", "main",
                "master", "beta", "test", "canary",
            ]
            .map(String::from)
            .to_vec(),
            trusted_registries: Vec::new(),
            nonroot_base_images: [
                "gcr.io/distroless/*:nonroot",
                "gcr.io/distroless/*:*-nonroot",
                "cgr.dev/chainguard/*",
            ]
            .map(String::from)
            .to_vec(),
            required_labels: BTreeMap::new(),
            strict_labels: false,
            secret_allowlist: Vec::new(),
            pinned_digests: Arc::default(),
            url_checksums: ChecksumSource::default(),
            image_platforms: Arc::default(),
            shellcheck: None,
            shellcheck_exclude: DEFAULT_SHELLCHECK_EXCLUDE.map(String::from).to_vec(),
            policy: Arc::default(),
            port_quote: '\'',
            service_key_order: DEFAULT_SERVICE_KEY_ORDER.map(String::from).to_vec(),
            top_level_order: DEFAULT_TOP_LEVEL_ORDER.map(String::from).to_vec(),
            pull_policy_settles_build_and_image: true,
        }
    }
}

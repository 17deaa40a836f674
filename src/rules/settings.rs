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
    /// Variables compose interpolation reads before the `.env` beside the file: the process
    /// environment in the CLI and the language server (as `docker compose` does), empty by
    /// default so library results do not depend on the machine.
    pub compose_env: Arc<crate::model::compose::Env>,
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
    /// Values (or regexes, when written `/…/`) never reported as secrets.
    pub secret_allowlist: Vec<String>,
    /// Digests known for image references (from the nearest `plimsoll.lock`), keyed by the
    /// canonical reference `registry/repository:tag` (`docker.io/library/alpine:3.20`). With an
    /// entry, unpinned-digest offers a safe fix adding the digest.
    pub pinned_digests: Arc<BTreeMap<String, String>>,
}

/// Value formats hadolint's label-schema knows, plus "any text".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelFormat {
    Text,
    Url,
    Semver,
    Hash,
    Rfc3339,
    Spdx,
    Email,
}

impl LabelFormat {
    pub fn parse(s: &str) -> Option<LabelFormat> {
        Some(match s {
            "text" => LabelFormat::Text,
            "url" => LabelFormat::Url,
            "semver" => LabelFormat::Semver,
            "hash" => LabelFormat::Hash,
            "rfc3339" => LabelFormat::Rfc3339,
            "spdx" => LabelFormat::Spdx,
            "email" => LabelFormat::Email,
            _ => return None,
        })
    }
}

impl Default for RuleOptions {
    fn default() -> RuleOptions {
        RuleOptions {
            // Tags publishers move to each new build: plimsoll's first list, and the one
            // dclint's service-image-require-explicit-tag uses (`dev`, `lts`, `main`, `master`,
            // `nightly`, `edge`, `beta`, `stable`, `test`).
            moving_tags: [
                "latest", "stable", "edge", "nightly", "rolling", "current", "dev", "lts", "main",
                "master", "beta", "test",
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
            secret_allowlist: Vec::new(),
            pinned_digests: Arc::default(),
        }
    }
}
